/**
 * `npm run bench` (analytics part): the largest analytics request the
 * contract allows, against DynamoDB Local, through the API as deployed
 * (router, scope, paging, batched reads). Prints rows/s, DynamoDB requests
 * (all pages together; budget 2,236, a tenth of the 22,359 the unbatched
 * API needed for a smaller request), the largest page, and p50/p99 of an
 * ordinary dashboard request.
 *
 * Every catalogue indicator (31: the catalogue has no more; the contract
 * allows 50) × 60 months × a division with 100 child divisions, counters
 * seeded for five years of days, months and years in every division.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchedIndicatorComputation } from '../../packages/api/batched-evaluation.ts';
import { maxPageBytes } from '../../packages/api/analytics.ts';
import { createApi } from '../../packages/api/router.ts';
import type { DivisionNode } from '../../packages/config/deployment.ts';
import { defaultClaimNames, DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { createTables, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterBatchReader } from '../../packages/storage/counter-batch-reader.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { countingDocumentClient } from '../../packages/storage/read-counting-client.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { emptyExplainer } from '../support/api-harness.ts';
import { putRawItems } from '../support/tables.ts';
import { percentile } from './percentile.ts';

/** The read budget of the largest request, all pages together: a tenth of the 22,359. */
export const largestRequestReadBudget = 2_236;

const root = '500233000000';
const years = [2022, 2023, 2024, 2025, 2026];
const months = years.flatMap((y) => Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`));

/** Root with 100 child divisions (the contract's largest breakdown). */
function wideTree(): DivisionNode {
  const children = Array.from({ length: 100 }, (_, i) => ({ code: `500233${String(100 + i).padStart(3, '0')}000`, name: { zh: `镇${i}`, en: `Town ${i}` } }));
  return { code: root, name: { zh: '忠县', en: 'Zhong County' }, children };
}

/** Day items on the 2nd and 20th of each month, and every month and year item, in every division. */
async function seed(ddb: DynamoDBClient, table: string, divisions: readonly string[]): Promise<number> {
  const values = Object.values(metrics).slice(0, 12);
  const items = divisions.flatMap((division) => {
    const sks = [...years.map((y) => counterKeys.year(`${y}-01-01`)), ...months.map((m) => counterKeys.month(`${m}-01`)), ...months.flatMap((m) => [counterKeys.day(`${m}-02`), counterKeys.day(`${m}-20`)])];
    return sks.map((sk) => ({ pk: { S: counterKeys.division(division) }, sk: { S: sk }, ...Object.fromEntries(values.map((metric, i) => [metric, { N: String((i + 1) * 3) }])) }));
  });
  await putRawItems(ddb, table, items);
  return items.length;
}

export async function benchAnalytics(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  try {
    const ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const tables = await createTables(ddb);
    const countersTable = tables['COUNTERS_TABLE'] as string;
    const tree = new DivisionTree(wideTree());
    const items = await seed(ddb, countersTable, tree.all());
    const { client, counts } = countingDocumentClient(DynamoDBDocumentClient.from(ddb));
    const api = createApi({
      catalog: indicatorCatalog,
      indicators: new BatchedIndicatorComputation(
        new DynamoCounterReader(client, countersTable),
        new DynamoCounterBatchReader(client, countersTable),
        new DynamoBaselineReader(client, countersTable),
        tree,
      ),
      explainer: emptyExplainer(tree),
      ledger: { outcomeOf: () => Promise.resolve(undefined) },
      rejections: { rejectionsOn: () => Promise.resolve({ rejections: [], truncated: false }) },
      organisations: { organisation: () => Promise.resolve(undefined) },
      queue: { send: () => Promise.resolve(new Set<number>()) },
      recordRejection: () => Promise.resolve(),
      pseudonymiser: new Pseudonymiser('bench-pseudonym-key-0123456789abcdef'),
      divisions: tree,
      sources: defaultDeploymentConfig.sources,
      claimNames: defaultClaimNames,
      validateEvent,
      maintenance: { run: () => Promise.reject(new Error('no maintenance in the bench')) },
      now: () => new Date('2026-11-24T04:00:00Z'),
    });
    const claims = { role: 'viewer', division: root };
    const get = async (query: Record<string, string>) => {
      const response = await api({ method: 'GET', path: '/v1/analytics', query, headers: {}, claims, requestId: 'bench' });
      if (response.statusCode !== 200) throw new Error(`analytics answered ${response.statusCode}: ${response.body}`);
      return response;
    };

    // The largest request, every page.
    const largest = { indicators: indicatorCatalog.map((d) => d.id).join(','), periods: months.join(','), division: root, breakdown: 'children' };
    counts.reset();
    const started = performance.now();
    let rows = 0;
    let pages = 0;
    let largestPage = 0;
    let cursor: string | undefined;
    do {
      const response = await get(cursor === undefined ? largest : { ...largest, cursor });
      const page = JSON.parse(response.body) as { rows: unknown[]; next?: string };
      rows += page.rows.length;
      largestPage = Math.max(largestPage, Buffer.byteLength(response.body));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined);
    const seconds = (performance.now() - started) / 1000;
    const reads = counts.total();
    const byCommand = [...counts.byCommand].map(([name, n]) => `${n} ${name.replace('Command', '')}`).join(', ');

    // An ordinary dashboard: eight indicators for the twelve months of a year, one division.
    const dashboard = { indicators: indicatorCatalog.slice(0, 8).map((d) => d.id).join(','), periods: months.slice(48).join(','), division: root };
    const latencies: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await get(dashboard);
      if (i >= 10) latencies.push(performance.now() - t0);
    }
    counts.reset();
    await get(dashboard);
    const dashboardReads = counts.total();

    const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(44)} ${value}\n`);
    process.stdout.write(`\nanalytics (DynamoDB Local, ${items} counter items in ${tree.all().length} divisions)\n`);
    line('largest request', `${indicatorCatalog.length} indicators × ${months.length} months × 100 divisions = ${rows} rows in ${pages} pages`);
    line('  time, rows/s', `${seconds.toFixed(1)} s, ${Math.round(rows / seconds)} rows/s`);
    line('  DynamoDB reads (all pages)', `${reads} (${byCommand}); budget ${largestRequestReadBudget}: ${reads <= largestRequestReadBudget ? 'within' : 'OVER'}`);
    line('  largest page', `${(largestPage / 1e6).toFixed(2)} MB (limit ${maxPageBytes / 1e6} MB)`);
    line('dashboard request (8 indicators × 12 months)', `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${dashboardReads} reads`);
    ddb.destroy();
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAnalytics();
