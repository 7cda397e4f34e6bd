/** `npm run console:build`: builds the console into console/dist, stale or not. */
import { buildConsole, consoleDistDirectory } from './build.ts';

await buildConsole();
console.log(`console built into ${consoleDistDirectory}`);
