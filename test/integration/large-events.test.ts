/**
 * No event is too big: a regional contract naming 1,000 employers in every
 * township counts in each of them, each township and the county — even when
 * the processor is stopped half-way through applying it — and a person with
 * 5,000 certificates keeps exact figures while no stored item nears
 * DynamoDB's 400 KB limit.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { residentIdFor, sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { runReconcile } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { ledgerPk } from '../../packages/storage/ledger-records.ts';
import { scanCounters, scanFigures } from '../support/counter-table.ts';
import { figureOf } from '../support/in-memory-ledger.ts';
import type { LocalDynamoDb } from '../support/dynamo-local.ts';
import { startLocalDynamoDb } from '../support/dynamo-local.ts';
import { deliverAsQueue, processorOnFreshTables } from '../support/processor.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const townships = divisions.children(divisions.rootCode);
let local: LocalDynamoDb | undefined;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

function setup(suffix: string): Promise<{ tables: TableNames; deps: ProcessorDependencies }> {
  return processorOnFreshTables(client, doc, suffix, { pseudonymKey: 'large-events-test-key-0123456789abcdef', unknownOrgMaxAttempts: 3 });
}

/** Delivers in batches of `size`, as a queue would, until every event has an outcome; returns the outcomes. */
async function deliverAll(events: readonly unknown[], deps: ProcessorDependencies, size = 100): Promise<string[]> {
  return (await deliverAsQueue(events, deps, size)).map((o) => o.outcome);
}

beforeAll(async () => {
  local = await startLocalDynamoDb();
  ({ client, doc } = local);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await local?.stop();
});

describe('a contract naming 1,000 employers in every township', () => {
  it('counts once in each employer, each township and the county, even when stopped half-way and delivered again', async () => {
    const { tables, deps } = await setup('Wide');
    const orgs = Array.from({ length: 1000 }, (_, i) => ({ code: usccFor(600_000 + i), division: townships[i % townships.length] as string }));
    const registrations = orgs.map((o, i) => sampleEvent('organization.registered.v1', { id: `wide-reg-${i}`, data: { orgCode: o.code, division: o.division } }));
    expect(new Set(await deliverAll(registrations, deps))).toEqual(new Set(['accepted']));

    const contract = sampleEvent('contract.signed.v1', {
      id: 'regional-1',
      data: { contractNo: 'QY-2026-001', kind: 'collective', topic: undefined, orgCodes: orgs.map((o) => o.code), workersCovered: 25_000 },
    });
    // The function stops after its third transaction: the contract's record and part of its counter changes are in.
    const realSend = doc.send.bind(doc);
    let transactions = 0;
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      if (command instanceof TransactWriteCommand && ++transactions > 3) throw Object.assign(new Error('the function was stopped'), { name: 'TimeoutError' });
      return realSend(command);
    }) as never);
    const first = await processBatch([{ body: JSON.stringify(contract), messageId: 'wide-1', receiveCount: 1 }], deps);
    spy.mockRestore();
    expect(first.get('wide-1')?.ok).toBe(false);
    // Redelivered: it is in the ledger, its remaining chunks are applied, and only those.
    const again = await processBatch([{ body: JSON.stringify(contract), messageId: 'wide-1', receiveCount: 2 }], deps);
    const settled = again.get('wide-1');
    expect(settled?.ok === false ? `${settled.error.name}: ${settled.error.message}` : settled).toMatchObject({ ok: true, outcome: { outcome: 'duplicate' } });

    const counters = await scanFigures(doc, tables);
    const collective = (pk: string) => figureOf(counters, pk, 'Y#2026', metrics.contractsCollective);
    expect(orgs.filter((o) => collective(counterKeys.org(o.code)) !== 1)).toEqual([]);
    expect(townships.map((t) => collective(counterKeys.division(t)))).toEqual(townships.map(() => 1));
    expect(collective(counterKeys.division(divisions.rootCode))).toBe(1);
    expect(figureOf(counters, counterKeys.division(divisions.rootCode), 'Y#2026', metrics.contractWorkers)).toBe(25_000);
    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);

    // Only an event applied in chunks keeps its effects on its record (its redelivery needed them); one applied whole has its explain entries.
    const record = async (event: { source: string; id: string }) => (await doc.send(new GetCommand({ TableName: tables.ledger, Key: { pk: ledgerPk(event.source, event.id), sk: 'ACCEPTED' } }))).Item ?? {};
    expect(Object.keys(await record(contract))).toEqual(expect.arrayContaining(['chunks', 'effects']));
    const registration = await record(registrations[0] as { source: string; id: string });
    expect(registration['xd']).toBeDefined();
    expect(registration['effects'] ?? registration['effectsPages']).toBeUndefined();
  }, 300_000);
});

describe('a person with 5,000 certificates', () => {
  it('keeps exact figures, and no stored item nears 400 KB', async () => {
    const { tables, deps } = await setup('Many');
    const orgCode = usccFor(610_000);
    await deliverAll([sampleEvent('organization.registered.v1', { id: 'many-reg', data: { orgCode, division: townships[0] } })], deps);
    const holder = { idNumber: residentIdFor(77_777), frontline: true };
    const levels = ['level5', 'level4', 'level3', 'level2', 'level1'];
    const events: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      const day = `2026-${String(1 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
      events.push(sampleEvent('certificate.submitted.v1', { id: `many-${i}`, time: `${day}T10:00:00+08:00`, data: { certificateNo: `MANY-${i}`, level: levels[i % 5], issuedOn: day, holder, orgCode } }));
      if (i % 5 === 1) events.push(sampleEvent('certificate.revoked.v1', { id: `many-rv-${i}`, time: `2026-11-${String(1 + (i % 20)).padStart(2, '0')}T10:00:00+08:00`, data: { certificateNo: `MANY-${i}` } }));
    }
    const outcomes = await deliverAll(events, deps);
    expect(outcomes.filter((o) => o !== 'accepted')).toEqual([]);

    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);
    const counters = await scanCounters(doc, tables.counters);
    const county = counterKeys.division(divisions.rootCode);
    expect(figureOf(counters, county, 'A#ALL', metrics.skilled)).toBe(1);
    expect(figureOf(counters, county, 'A#ALL', metrics.highSkilled)).toBe(1);
    // Every level4 certificate is revoked in November (level4 earns nothing); one reward each for level3, level2 and level1 stands.
    expect(figureOf(counters, county, 'A#ALL', metrics.rewardFen)).toBe((2000 + 4000 + 6000) * 100);
    expect(figureOf(counters, county, 'A#ALL', metrics.rewardedCertificates)).toBe(3);

    let largest = 0;
    for (const table of [tables.ledger, tables.state, tables.counters]) {
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) largest = Math.max(largest, JSON.stringify(item).length);
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start !== undefined);
    }
    expect(largest).toBeGreaterThan(100_000);
    expect(largest).toBeLessThan(350_000);
  }, 1_200_000);
});
