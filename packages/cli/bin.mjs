#!/usr/bin/env node
// Launcher for `npx reform`: the CLI is TypeScript, so tsx's ESM loader is
// registered before it is imported (tsx is a dev dependency of this repo).
import { register } from 'tsx/esm/api';

register();
const { run, processIo } = await import('./reform.ts');
process.exitCode = await run(process.argv.slice(2), processIo());
