/**
 * `npm run bench` (explain part): what explainability costs. The demo data
 * set is processed by the real processor into DynamoDB Local, then:
 * - the extra items each event writes for explainability (explain items
 *   beside its ledger record) and the index entries DynamoDB maintains for
 *   it (the record's own two and an extra item's one or two; billed as writes);
 * - the DynamoDB reads each page of `GET /v1/indicators/{id}/events` takes,
 *   for every indicator at the county (the widest scope: every division's
 *   partition) for 2026 and all time, and the time per page.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultDeploymentConfig, DivisionTree } from '../../packages/config/deployment.ts';
import { Explainer, maxReadsPerPage } from '../../packages/explain/explainer.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';
import { loadDemoEvents } from '../../packages/local-stack/demo-data.ts';
import { createTables, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { EventStore } from '../../packages/storage/event-store.ts';
import { DynamoExplainReader } from '../../packages/storage/explain-reader.ts';
import { countingDocumentClient } from '../../packages/storage/read-counting-client.ts';
import { deliverAsQueue } from '../support/processor.ts';
import { scanTable } from '../support/tables.ts';
import { percentile } from './percentile.ts';

const county = defaultDeploymentConfig.root.code;

export async function benchExplain(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  try {
    const ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    const names = await createTables(ddb);
    const tables = { ledger: names['LEDGER_TABLE'] as string, state: names['STATE_TABLE'] as string, counters: names['COUNTERS_TABLE'] as string };
    const divisions = new DivisionTree(defaultDeploymentConfig.root);
    const deps = {
      store: new EventStore(doc, tables),
      divisions,
      sources: defaultDeploymentConfig.sources,
      rewards: defaultDeploymentConfig.rewards,
      pseudonymiser: new Pseudonymiser('bench-pseudonym-key-0123456789abcdef'),
      unknownOrgMaxAttempts: 1000,
    };
    const { events } = await loadDemoEvents();
    await deliverAsQueue(events, deps, 100);

    const ledger = await scanTable(doc, tables.ledger);
    const accepted = ledger.filter((item) => item['sk'] === 'ACCEPTED');
    const extra = ledger.filter((item) => String(item['sk']).startsWith('X#'));
    const entries = ledger.filter((item) => item['xdp'] !== undefined).length + ledger.filter((item) => item['xop'] !== undefined).length;

    const { client, counts } = countingDocumentClient(doc);
    const explainer = new Explainer(
      new DynamoExplainReader(client, tables.ledger),
      new RecordedBaselines(new DynamoBaselineReader(doc, tables.counters), new DynamoCounterReader(doc, tables.counters), divisions),
      divisions,
    );
    const readsPerPage: number[] = [];
    const msPerPage: number[] = [];
    let listed = 0;
    for (const definition of indicatorCatalog) {
      for (const period of ['2026', 'all']) {
        for (const plan of await explainer.plan(definition, { division: county }, parsePeriod(period))) {
          let position: Parameters<Explainer['events']>[1] | undefined = { scopeIndex: 0 };
          while (position !== undefined) {
            counts.reset();
            const started = performance.now();
            const page: Awaited<ReturnType<Explainer['events']>> = await explainer.events(plan, position);
            msPerPage.push(performance.now() - started);
            readsPerPage.push(counts.total());
            listed += page.events.length;
            position = page.next;
          }
        }
      }
    }
    const row = (label: string, value: string): void => console.log(`${label.padEnd(48)} ${value}`);
    console.log(`\nexplain (DynamoDB Local, the demo data: ${accepted.length} accepted events, ${divisions.subtree(county).length} divisions)`);
    row('extra items written per event for explaining', `${(extra.length / accepted.length).toFixed(3)} (${extra.length} explain items beside ${accepted.length} ledger records)`);
    row('index entries per event (billed as writes)', `${(entries / accepted.length).toFixed(3)} (the division and organisation entries of the records and of the extra items)`);
    row('events pages (every indicator, county, 2026 and all)', `${readsPerPage.length} pages, ${listed} events listed`);
    row('DynamoDB reads per page', `max ${Math.max(...readsPerPage)}, mean ${(readsPerPage.reduce((a, b) => a + b, 0) / readsPerPage.length).toFixed(1)} (bound: ${maxReadsPerPage})`);
    row('time per page', `p50 ${percentile(msPerPage, 50).toFixed(1)} ms, p99 ${percentile(msPerPage, 99).toFixed(1)} ms`);
    ddb.destroy();
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchExplain();
