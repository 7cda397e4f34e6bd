/**
 * Reconcile and rebuild against real DynamoDB Local: events go through the
 * real processor, a counter is tampered with by hand, reconcile finds exactly
 * that, rebuild puts it back, and the processor carries on from the rebuilt
 * state.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessFunctionRunner } from '../../functions/api/maintenance-runner.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { allSampleEvents, sampleEvent, sampleNow } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { createTables, localAwsEnv, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import type { MaintenanceDependencies } from '../../packages/maintenance/maintenance.ts';
import { runReconcile, runRebuild } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processEvent } from '../../packages/processing/process-batch.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { EventStore } from '../../packages/storage/event-store.ts';
import { scanFigures } from '../support/counter-table.ts';
import { explainIndexes } from '../../packages/config/resources.ts';
import { DynamoExplainReader } from '../../packages/storage/explain-reader.ts';
import type { RecordedEvent } from '../../packages/maintenance/recompute.ts';
import { toDomainEvent } from '../../packages/maintenance/recompute.ts';

const county = '500233000000';
/** The counter item and attribute the sample dispute filing counts in (found once the samples are in). */
let filedCell: { pk: string; sk: string; attribute: string };
let dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>;
let doc: DynamoDBDocumentClient;
let tables: { ledger: string; state: string; counters: string };
let publicationsTableName: string;
let processor: ProcessorDependencies;
let maintenance: MaintenanceDependencies;
let accepted = 0;
let seq = 0;

async function deliver(event: unknown) {
  const outcome = await processEvent({ body: JSON.stringify(event), messageId: `m-${++seq}`, receiveCount: 1 }, processor);
  if (outcome.outcome === 'accepted') accepted++;
  return outcome;
}

async function item(table: string, key: Record<string, string>) {
  return (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/** An item without its zero amounts: net changes that cancelled out, which a rebuild does not write. */
function withoutZeros(found: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return found === undefined ? undefined : Object.fromEntries(Object.entries(found).filter(([, v]) => v !== 0));
}

async function scanCount(table: string): Promise<number> {
  return (await doc.send(new ScanCommand({ TableName: table, Select: 'COUNT', ConsistentRead: true }))).Count ?? 0;
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const names = await createTables(client);
  tables = { ledger: names['LEDGER_TABLE']!, state: names['STATE_TABLE']!, counters: names['COUNTERS_TABLE']! };
  publicationsTableName = names['PUBLICATIONS_TABLE']!;
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const divisions = new DivisionTree(defaultDeploymentConfig.root);
  processor = {
    store: new EventStore(doc, tables),
    divisions,
    sources: defaultDeploymentConfig.sources,
    rewards: defaultDeploymentConfig.rewards,
    pseudonymiser: new Pseudonymiser('maintenance-integration-key-0123456789'),
    unknownOrgMaxAttempts: 1,
    now: sampleNow,
  };
  // Small batches and no waiting: exercises the chunking without slowing the test.
  maintenance = { store: new MaintenanceStore(doc, tables, { backoff: () => Promise.resolve() }), divisions, rewards: defaultDeploymentConfig.rewards };

  // One event of every type, in the order they happened, so the live order is the replay order.
  const events = allSampleEvents().sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  for (const event of events) await deliver(event);
  expect(accepted).toBeGreaterThanOrEqual(20);
  const counters = (await doc.send(new ScanCommand({ TableName: tables.counters, ConsistentRead: true }))).Items ?? [];
  const filed = counters.find((c) => String(c['pk']).startsWith('DIV#') && Object.keys(c).some((a) => a.startsWith(`${metrics.disputesFiled}@`)));
  const attribute = Object.keys(filed ?? {}).find((a) => a.startsWith(`${metrics.disputesFiled}@`)) as string;
  filedCell = { pk: String(filed?.['pk']), sk: String(filed?.['sk']), attribute };
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
});

describe('reconcile and rebuild against DynamoDB Local', () => {
  let original: Record<string, unknown> | undefined;

  it('finds no difference after the processor applied every event', async () => {
    original = await item(tables.counters, { pk: filedCell.pk, sk: filedCell.sk });
    expect(original?.[filedCell.attribute]).toBe(1);
    const result = await runReconcile(maintenance);
    expect(result.differences).toEqual([]);
    expect(result.events).toBe(accepted);
    expect(result.skippedEvents).toEqual([]);
    // Every item of the table, each organisation's months folded from its entries (it has no items of its own),
    // and each division's months as its entries add them up (what its explain page lists, X#M#…).
    const keys = [...(await scanFigures(doc, tables)).keys()];
    const orgMonths = keys.filter((key) => key.startsWith('ORG#')).length;
    const explainedMonths = keys.filter((key) => key.startsWith('DIV#') && key.includes('|X#M#')).length;
    expect(orgMonths).toBeGreaterThan(0);
    expect(explainedMonths).toBeGreaterThan(0);
    expect(result.checkedItems).toBe((await scanCount(tables.counters)) + orgMonths + explainedMonths);
  });

  it('reads event data stored as JSON text, and as a map in records written before', async () => {
    const store = new MaintenanceStore(doc, tables);
    const events = await store.acceptedEvents();
    const stored = (await doc.send(new ScanCommand({ TableName: tables.ledger, FilterExpression: 'sk = :a', ExpressionAttributeValues: { ':a': 'ACCEPTED' } }))).Items ?? [];
    expect(stored.length).toBeGreaterThan(0);
    for (const record of stored) expect(typeof record['data']).toBe('string');
    expect(events.every((e) => typeof toDomainEvent(e).data === 'object' && toDomainEvent(e).data !== null)).toBe(true);
    // A record of the earlier layout, data as a map, reads back the same.
    const [first] = stored as [Record<string, unknown>];
    const legacy = { ...first, pk: 'EVENT#legacy.zhongxian#old-1', source: 'legacy.zhongxian', id: 'old-1', data: JSON.parse(String(first['data'])) as unknown };
    await doc.send(new PutCommand({ TableName: tables.ledger, Item: legacy }));
    const again = await store.acceptedEvents();
    const dataOf = (e: RecordedEvent | undefined): unknown => (e === undefined ? undefined : toDomainEvent(e).data);
    expect(dataOf(again.find((e) => e.id === 'old-1'))).toEqual(dataOf(events.find((e) => e.id === first['id'])));
    await doc.send(new DeleteCommand({ TableName: tables.ledger, Key: { pk: legacy.pk, sk: 'ACCEPTED' } }));
  });

  it('lists exactly the counter tampered with by hand', async () => {
    await doc.send(
      new UpdateCommand({
        TableName: tables.counters,
        Key: { pk: filedCell.pk, sk: filedCell.sk },
        UpdateExpression: 'ADD #m :five',
        ExpressionAttributeNames: { '#m': filedCell.attribute },
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    const result = await runReconcile(maintenance);
    expect(result.differences).toEqual([{ pk: filedCell.pk, sk: filedCell.sk, metric: filedCell.attribute, live: 6, recomputed: 1 }]);
    expect(result.differenceCount).toBe(1);
  });

  it('rebuild restores the value, drops stray items and leaves nothing to reconcile', async () => {
    const stray = { pk: counterKeys.division(county), sk: 'D#2026-02-30', [metrics.awards]: 3 };
    await doc.send(new PutCommand({ TableName: tables.counters, Item: stray }));
    const orgKey = { pk: `ORG#${sampleEvent('organization.registered.v1').data.orgCode}` };
    const orgBefore = await item(tables.state, orgKey);
    await doc.send(new PutCommand({ TableName: tables.state, Item: { pk: 'CASE#STRAY', entity: 'case', caseNo: 'STRAY', version: 1 } }));
    const baselineKey = { pk: counterKeys.baseline(metrics.skilled), sk: counterKeys.baselineEntry(county, '2025-12-31') };
    const baselineBefore = await item(tables.counters, baselineKey);
    expect(baselineBefore?.['value']).toBe(100000);
    await doc.send(new DeleteCommand({ TableName: tables.counters, Key: baselineKey }));

    const before = await runReconcile(maintenance);
    expect(before.differences).toHaveLength(3);

    const { rebuilt, skippedEvents } = await runRebuild(maintenance);
    expect(skippedEvents).toEqual([]);
    expect(rebuilt.events).toBe(accepted);
    expect(rebuilt.deletedCounters).toBe(1);
    expect(rebuilt.deletedState).toBe(1);
    expect(rebuilt.baselines).toBe(1);

    expect(await item(tables.counters, { pk: filedCell.pk, sk: filedCell.sk })).toEqual(withoutZeros(original));
    expect(await item(tables.counters, { pk: stray.pk, sk: stray.sk })).toBeUndefined();
    expect(await item(tables.counters, baselineKey)).toEqual(baselineBefore);
    expect(await item(tables.state, { pk: 'CASE#STRAY' })).toBeUndefined();
    expect(await item(tables.state, orgKey)).toEqual(orgBefore);
    expect(await scanCount(tables.counters)).toBe(rebuilt.counters + rebuilt.baselines);
    expect(await scanCount(tables.state)).toBe(rebuilt.state);

    expect((await runReconcile(maintenance)).differences).toEqual([]);
  });

  it('lets the processor carry on from the rebuilt state', async () => {
    const next = sampleEvent('dispute.filed.v1', { id: 'after-rebuild-1', data: { caseNo: 'AFTER-REBUILD-1' } });
    expect((await deliver(next)).outcome).toBe('accepted');
    expect((await item(tables.counters, { pk: filedCell.pk, sk: filedCell.sk }))?.[filedCell.attribute]).toBe(2);
    // A redelivery is still recognised: the ledger was never touched.
    expect((await deliver(next)).outcome).toBe('duplicate');
    const result = await runReconcile(maintenance);
    expect(result.differences).toEqual([]);
    expect(result.events).toBe(accepted);
  });

  it("repairs an organisation whose explain entry was lost with a correction entry, listed among its events, and counts an old month item nowhere", async () => {
    const names = explainIndexes.org;
    const ledger = (await doc.send(new ScanCommand({ TableName: tables.ledger, ConsistentRead: true }))).Items ?? [];
    const record = ledger.find((i) => i['sk'] === 'ACCEPTED' && i[names.partitionKey] !== undefined && Object.keys(i[names.cells] as object).every((c) => !c.includes('|')));
    const orgPk = String(record?.[names.partitionKey]);
    const cells = record?.[names.cells] as Record<string, number>;
    const figuresOf = async () => [...(await scanFigures(doc, tables))].filter(([key]) => key.startsWith(`${orgPk}|`)).sort(([a], [b]) => (a < b ? -1 : 1));
    const figuresBefore = await figuresOf();
    expect(figuresBefore.length).toBeGreaterThan(0);

    // The entry lost (as if a record had been written without it), and a month item as an earlier version wrote them.
    await doc.send(
      new UpdateCommand({
        TableName: tables.ledger,
        Key: { pk: record?.['pk'], sk: 'ACCEPTED' },
        UpdateExpression: 'REMOVE #p, #s, #c',
        ExpressionAttributeNames: { '#p': names.partitionKey, '#s': names.sortKey, '#c': names.cells },
      }),
    );
    await doc.send(new PutCommand({ TableName: tables.counters, Item: { pk: orgPk, sk: 'M#2026-01', [`${metrics.skilled}@05`]: 7 } }));

    const before = await runReconcile(maintenance);
    expect(before.differences.map((d) => d.pk)).toEqual(Object.keys(cells).map(() => orgPk));
    const at = new Date('2026-12-08T01:02:03.456Z');
    const { rebuilt } = await runRebuild({ ...maintenance, now: () => at });
    expect(rebuilt.deletedCounters).toBe(1);
    expect(rebuilt).toMatchObject({ corrections: 1, correctionId: 'rebuild-20261208T010203.456Z' });
    // No counter item for an organisation: the correction is an entry, in its ExplainByOrg partition, named as the rebuild's.
    const counterItems = (await doc.send(new ScanCommand({ TableName: tables.counters, ConsistentRead: true }))).Items ?? [];
    expect(counterItems.filter((i) => String(i['pk']).startsWith('ORG#'))).toEqual([]);
    const listed = await new DynamoExplainReader(doc, tables.ledger).entries({ scope: orgPk, cell: Object.keys(cells)[0] as string, from: undefined, to: undefined, limit: 1000 });
    expect(listed.entries.filter((e) => e.source === 'reform-indicators')).toEqual([
      expect.objectContaining({ id: 'rebuild-20261208T010203.456Z', type: 'rebuild.correction', processedAt: at.toISOString(), day: String(record?.[names.sortKey]).slice(0, 10), amount: Object.values(cells)[0] }),
    ]);
    expect((await runReconcile(maintenance)).differences).toEqual([]);
    expect(await figuresOf()).toEqual(figuresBefore);
    // A second rebuild finds the entries adding up: no further correction.
    expect((await runRebuild(maintenance)).rebuilt.corrections).toBe(0);
  });

  it('runs through the maintenance function module in process, as the local stack does (MAINTENANCE_MODE=in-process)', async () => {
    // The function reads its tables from the environment at module load, as in Lambda.
    Object.assign(process.env, localAwsEnv({ dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' }), {
      LEDGER_TABLE: tables.ledger, STATE_TABLE: tables.state, COUNTERS_TABLE: tables.counters, PUBLICATIONS_TABLE: publicationsTableName,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const runner = new InProcessFunctionRunner();
    const reconciled = await runner.run('reconcile');
    expect(reconciled).toMatchObject({ action: 'reconcile', differences: [], events: accepted });
    const { rebuilt } = await runner.run('rebuild');
    expect(rebuilt.events).toBe(accepted);
  });
});
