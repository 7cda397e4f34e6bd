/**
 * The web console: its size as served (gzip -9 of every file in
 * console/dist, against the 600 KB budget) and, with the demo data on the
 * local stack, how long the overview takes to show every figure in Chromium.
 * Prints figures; exits 1 only when the console is over its size budget.
 *
 * Run: `npx tsx test/bench/console-size.ts [--size-only] [--runs 5]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { consoleDistDirectory, ensureConsoleBuilt, sourceHashFile } from '../../console/serving/build.ts';
import { chromiumInstalled, launchChromium, openConsole, signIn, waitUntilReady } from '../e2e/browser.ts';
import { startDemoStack } from '../e2e/demo-stack.ts';
import { median } from './percentile.ts';

/** 600 KB gzip for everything the browser downloads. */
export const consoleBudgetBytes = 600 * 1024;

export interface ServedFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Every file of the built console with its size and gzip -9 size, largest first. */
export function servedFiles(directory: string = consoleDistDirectory): ServedFile[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== sourceHashFile)
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const content = readFileSync(path);
      return { file: relative(directory, path), bytes: content.byteLength, gzipBytes: gzipSync(content, { level: 9 }).byteLength };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Milliseconds from navigation start until the overview shows every figure, and until its sparklines are drawn, per run. */
async function overviewRenderTimes(runs: number): Promise<{ figures: number[]; sparklines: number[]; analytics: number[]; requestStart: number[] }> {
  const stack = await startDemoStack();
  const browser = await launchChromium();
  try {
    const { page, context } = await openConsole(browser, stack.apiUrl ?? '');
    await signIn(page, 'admin', '忠县');
    await waitUntilReady(page);
    // The sign-in's own overview still asks for its sparklines: let it finish, or the first run measures that too.
    await page.waitForLoadState('networkidle');
    const times = { figures: [] as number[], sparklines: [] as number[], analytics: [] as number[], requestStart: [] as number[] };
    const mark = async (name: string): Promise<number> => Number(await page.evaluate(`performance.getEntriesByName('${name}')[0]?.startTime ?? NaN`));
    for (let run = 0; run < runs; run += 1) {
      await page.goto('/');
      await waitUntilReady(page);
      await page.locator('article.card').nth(30).waitFor();
      // Polled with evaluate: waitForFunction's string predicate is eval, which the console's CSP refuses.
      for (let tries = 0; !(await page.evaluate("performance.getEntriesByName('overview-sparklines').length > 0")); tries += 1) {
        if (tries > 600) throw new Error('the sparklines did not draw within a minute');
        await page.waitForTimeout(100);
      }
      times.figures.push(await mark('overview-ready'));
      times.sparklines.push(await mark('overview-sparklines'));
      // The first analytics request is the figures' (the sparklines' waits for it): when it started
      // (script, config.json, catalogue before it) and how long the API on DynamoDB Local took.
      const figuresRequest = JSON.parse(
        String(await page.evaluate("JSON.stringify(performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/analytics'))[0])")),
      ) as { startTime: number; duration: number };
      times.analytics.push(figuresRequest.duration);
      times.requestStart.push(figuresRequest.startTime);
    }
    await context.close();
    return times;
  } finally {
    await browser.close();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-only': { type: 'boolean' }, runs: { type: 'string' } } });
  await ensureConsoleBuilt({ log: (line) => console.log(line) });
  const files = servedFiles();
  const total = files.reduce((sum, f) => sum + f.gzipBytes, 0);
  console.log(`console size, gzip -9 of console/dist; budget ${kib(consoleBudgetBytes)}`);
  for (const f of files) console.log(`    ${f.file.padEnd(44)} ${kib(f.bytes).padStart(10)}  gzip ${kib(f.gzipBytes).padStart(9)}`);
  console.log(`console total ${kib(total)} gzip  ${total <= consoleBudgetBytes ? 'under budget' : 'OVER BUDGET'}`);
  if (total > consoleBudgetBytes) process.exitCode = 1;

  if (values['size-only'] === true) return;
  if (!chromiumInstalled()) {
    console.log('overview first render: skipped (no Chromium; apt-get install chromium)');
    return;
  }
  const runs = Number(values.runs ?? '5');
  const { figures, sparklines, analytics, requestStart } = await overviewRenderTimes(runs);
  const list = (times: number[]): string => times.map((t) => t.toFixed(0)).join(', ');
  console.log(
    `overview first render with the demo data (31 cards, county, 2026), navigation start to every figure shown: ` +
      `median ${median(figures).toFixed(0)} ms over ${runs} loads (${list(figures)} ms); target < 1500 ms`,
  );
  console.log(
    `of which: the figures' analytics request (31 indicators, one period) starts at median ${median(requestStart).toFixed(0)} ms (script, config.json, catalogue) ` +
      `and takes median ${median(analytics).toFixed(0)} ms (${list(analytics)} ms) in the API on DynamoDB Local; the sparklines and published figures are asked for after it`,
  );
  console.log(`overview sparklines (12 months × 31 indicators) drawn: median ${median(sparklines).toFixed(0)} ms (${list(sparklines)} ms)`);
}

await main();
