/**
 * Bundle size of every function, built the way the house Lambda construct
 * builds it (esbuild, minified, ESM, node22, the shared settings of
 * `infra/constructs/lambda-bundling.ts`; AWS SDK bundled, not external),
 * against the 300 KB budget. Prints one line per function and the largest
 * packages inside it (from esbuild's metafile), so a regression names its cause.
 *
 * Run: `npx tsx test/bench/bundle-size.ts [--json]`. Exits 1 when a function is over budget.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { lambdaBundleAliases, lambdaBundleBanner, lambdaBundleExternals } from '../../infra/constructs/lambda-bundling.ts';

/** 300 KB, minified, AWS SDK included. */
export const bundleBudgetBytes = 300 * 1024;

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface BundleReport {
  readonly name: string;
  readonly entry: string;
  readonly bytes: number;
  readonly underBudget: boolean;
  /** Largest contributors by package (or `(project)` for this repository's code), bytes in the output. */
  readonly largest: readonly { readonly part: string; readonly bytes: number }[];
  /** Every package with code in the output. */
  readonly packages: ReadonlySet<string>;
}

/** `functions/<name>/handler.ts` for every function folder that has one. */
export function functionEntries(): { name: string; entry: string }[] {
  const dir = join(root, 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'handler.ts')))
    .map((d) => ({ name: d.name, entry: join(dir, d.name, 'handler.ts') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Package an input file belongs to: `@scope/name`, `name`, or `(project)`. */
function partOf(inputPath: string): string {
  const marker = 'node_modules/';
  const at = inputPath.lastIndexOf(marker);
  if (at === -1) return '(project)';
  const [first, second] = inputPath.slice(at + marker.length).split('/');
  return first?.startsWith('@') ? `${first}/${second ?? ''}` : (first ?? '(unknown)');
}

function parts(metafile: Metafile): { part: string; bytes: number }[] {
  const byPart = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const part = partOf(input);
      byPart.set(part, (byPart.get(part) ?? 0) + bytesInOutput);
    }
  }
  return [...byPart.entries()].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Bundles one entry in memory and measures it. */
export async function measureBundle(name: string, entry: string): Promise<BundleReport> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: lambdaBundleBanner },
    alias: { ...lambdaBundleAliases },
    external: [...lambdaBundleExternals],
    write: false,
    outfile: join(root, '.local', 'bundle-size', name, 'index.mjs'),
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles.reduce((sum, f) => sum + f.contents.byteLength, 0);
  const all = parts(result.metafile);
  return { name, entry, bytes, underBudget: bytes < bundleBudgetBytes, largest: all.slice(0, 8), packages: new Set(all.filter((p) => p.bytes > 0).map((p) => p.part)) };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const reports: BundleReport[] = [];
  for (const { name, entry } of functionEntries()) reports.push(await measureBundle(name, entry));
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(reports.map((r) => ({ ...r, packages: [...r.packages].sort() })), null, 2)}\n`);
  } else {
    process.stdout.write(`bundle size, minified ESM, AWS SDK included; budget ${bundleBudgetBytes} B (${kib(bundleBudgetBytes)})\n`);
    for (const r of reports) {
      process.stdout.write(`${r.name.padEnd(12)} ${String(r.bytes).padStart(9)} B  ${kib(r.bytes).padStart(10)}  ${r.underBudget ? 'under budget' : 'OVER BUDGET'}\n`);
      for (const p of r.largest) process.stdout.write(`    ${p.part.padEnd(40)} ${kib(p.bytes).padStart(10)}\n`);
    }
  }
  if (reports.some((r) => !r.underBudget)) process.exitCode = 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
