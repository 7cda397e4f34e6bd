/**
 * `npm run bench` (organisations part): what an organisation's figures cost
 * to read now that they are folded from its explain entries (README, the
 * write model's point 2) instead of read from month items. Organisations of
 * 1,000, 5,000 and 20,000 events (certificates over five years, each entry as
 * the processor writes it) in DynamoDB Local; for each, every catalogue
 * indicator for 2026 at that organisation, as `GET /v1/indicators/{id}?orgCode=`
 * and the console's organisation view compute them (one request: its
 * `ExplainByOrg` partition is read once, whole). Prints p50/p99 time, query
 * pages, bytes read and read units as DynamoDB bills them (eventually
 * consistent: ½ unit per 4 KB), and their price.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchedIndicatorComputation } from '../../packages/api/batched-evaluation.ts';
import { defaultDeploymentConfig, DivisionTree } from '../../packages/config/deployment.ts';
import { explainIndexes, ledgerTable } from '../../packages/config/resources.ts';
import { usccFor } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import { createTables, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterBatchReader } from '../../packages/storage/counter-batch-reader.ts';
import { orgFoldingCounters } from '../../packages/storage/counter-reader.ts';
import { ledgerPk } from '../../packages/storage/ledger-records.ts';
import { countingDocumentClient } from '../../packages/storage/read-counting-client.ts';
import { itemBytes } from './capacity-units.ts';
import type { WireItem } from './capacity-units.ts';
import { putRawItems } from '../support/tables.ts';
import { percentile } from './percentile.ts';

const sizes = [1_000, 5_000, 20_000];
const source = 'hrss.zhongxian';
/** On-demand price of a million read request units (us-east-1 list price), as the write-path bench uses. */
const pricePerMillionReadUnits = 0.125;

/** Entry `i` of an organisation's certificates: a day in 2022–2026 and the cells a certificate's entry carries. */
function entryItem(orgCode: string, i: number): Record<string, AttributeValue> {
  const day = `${2022 + (i % 5)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const id = `bench-${orgCode}-${i}`;
  const names = explainIndexes.org;
  const cells: Record<string, AttributeValue> = { [metrics.skilled]: { N: '1' }, [metrics.rewardFen]: { N: '400000' }, [metrics.rewardedCertificates]: { N: '1' } };
  if (i % 3 === 0) cells[metrics.highSkilled] = { N: '1' };
  return {
    pk: { S: ledgerPk(source, id) },
    sk: { S: 'ACCEPTED' },
    source: { S: source },
    id: { S: id },
    type: { S: 'certificate.submitted.v1' },
    date: { S: day },
    processedAt: { S: `${day}T09:00:00.000Z` },
    [names.partitionKey]: { S: counterKeys.org(orgCode) },
    [names.sortKey]: { S: `${day}#${source}#${id}` },
    [names.cells]: { M: cells },
  };
}

export async function benchOrgFigures(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  try {
    const ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const names = await createTables(ddb);
    const tables = { ledger: names[ledgerTable.envVar] as string, counters: names['COUNTERS_TABLE'] as string };
    const { client: counting, counts } = countingDocumentClient(DynamoDBDocumentClient.from(ddb));
    const divisions = new DivisionTree(defaultDeploymentConfig.root);
    const computation = new BatchedIndicatorComputation(
      orgFoldingCounters(counting, tables),
      new DynamoCounterBatchReader(counting, tables.counters),
      new DynamoBaselineReader(counting, tables.counters),
      divisions,
    );
    const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(44)} ${value}\n`);
    process.stdout.write(`\norganisations' figures, folded from their explain entries (DynamoDB Local): all ${indicatorCatalog.length} indicators for 2026, one request\n`);
    for (const events of sizes) {
      const orgCode = usccFor(810_000 + events);
      await putRawItems(ddb, tables.ledger, Array.from({ length: events }, (_, i) => entryItem(orgCode, i)));
      // A Query is billed on the index entries it reads, whatever it projects: here each entry holds every attribute of its item.
      const bytes = Array.from({ length: events }, (_, i) => itemBytes(entryItem(orgCode, i) as WireItem)).reduce((a, b) => a + b, 0);
      const cell = [{ scope: { orgCode }, period: parsePeriod('2026') }];
      const latencies: number[] = [];
      let figures = 0;
      let pages = 0;
      for (let i = 0; i < 13; i++) {
        counts.reset();
        const t0 = performance.now();
        const [values = []] = await computation.evaluateAll(indicatorCatalog, cell);
        if (i >= 3) latencies.push(performance.now() - t0);
        figures = values.find((v) => v.indicator === 'skilled_workers')?.value ?? 0;
        pages = counts.byCommand.get('QueryCommand') ?? 0;
      }
      // Half a unit per 4 KB of a page's entries, eventually consistent.
      const readUnits = 0.5 * Math.ceil(bytes / 4096);
      line(
        `  ${events.toLocaleString('en')} events`,
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ${pages} queries, ${(bytes / 1024).toFixed(0)} KB, ${readUnits} read units ($${((readUnits * pricePerMillionReadUnits) / 1e6).toFixed(7)} a request); skilled workers 2026: ${figures}`,
      );
    }
    ddb.destroy();
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOrgFigures();
