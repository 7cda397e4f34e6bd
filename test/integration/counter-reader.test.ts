/**
 * The DynamoDB readers of the query path against real DynamoDB Local, with
 * items written by hand exactly as the storage layout describes them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usccFor } from '../../packages/contract/fixtures.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import { findIndicator, indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator, yuanText } from '../../packages/indicators/evaluator.ts';
import { nextDay, parsePeriod } from '../../packages/indicators/period.ts';
import type { RunningEmulator } from '../../packages/local-stack/emulators.ts';
import { createTables, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { DynamoLedgerReader } from '../../packages/storage/ledger-reader.ts';
import { DynamoOrganisationReader } from '../../packages/storage/org-reader.ts';
import { EventStore } from '../../packages/storage/event-store.ts';
import { DynamoRejectionReader } from '../../packages/storage/rejection-reader.ts';

const county = '500233000000';
const zhongzhou = '500233001000';
const baigong = '500233002000';
const orgA = usccFor(11);

let dynamo: RunningEmulator;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tables: { ledger: string; state: string; counters: string };

/** What the processor's `ADD` updates leave behind: the day's attribute of the month item. */
async function netChange(pk: string, date: string, values: Record<string, number>): Promise<void> {
  for (const sk of [`M#${date.slice(0, 7)}`]) {
    const names = Object.keys(values).map((metric) => `${metric}@${date.slice(8, 10)}`);
    await doc.send(
      new UpdateCommand({
        TableName: tables.counters,
        Key: { pk, sk },
        UpdateExpression: `ADD ${names.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#m${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((v, i) => [`:m${i}`, v])),
      }),
    );
  }
}

/** Adds to any attributes of one counter item. */
async function cells(pk: string, sk: string, values: Record<string, number>): Promise<void> {
  await doc.send(
    new UpdateCommand({
      TableName: tables.counters,
      Key: { pk, sk },
      UpdateExpression: `ADD ${Object.keys(values).map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((n, i) => [`#c${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((v, i) => [`:c${i}`, v])),
    }),
  );
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const names = await createTables(client);
  tables = { ledger: names['LEDGER_TABLE'] as string, state: names['STATE_TABLE'] as string, counters: names['COUNTERS_TABLE'] as string };
  doc = DynamoDBDocumentClient.from(client);

  const countyPk = `DIV#${county}`;
  await netChange(countyPk, '2025-06-10', { [metrics.skilled]: 3, [metrics.highSkilled]: 1 });
  await netChange(countyPk, '2026-01-01', { [metrics.skilled]: 2 });
  await netChange(countyPk, '2026-11-24', { [metrics.skilled]: -1, [metrics.rewardFen]: 200000, [metrics.disputesFiled]: 3 });
  await netChange(countyPk, '2026-10-03', { [metrics.rewardFen]: 412345, [metrics.disputesMediated]: 2 });
  await netChange(countyPk, '2026-12-01', { [metrics.rewardFen]: -200000 });
  await netChange(countyPk, '2026-01-05', { [metrics.orgsNonPublic]: 40000 });
  await netChange(countyPk, '2026-02-05', { [metrics.partyOrgsNonPublic]: 34890 });
  // Items a county figure read alone must not pick up: other partitions, distinct-count items, opening balances.
  await netChange(`DIV#${zhongzhou}`, '2026-03-03', { [metrics.skilled]: 1000 });
  await netChange(`ORG#${orgA}`, '2026-03-03', { [metrics.skilled]: 7 });
  // Distinct counts (trained workers) at the county: the month's own cell, and the persons whose first date in the quarter, year or all time fell in that month.
  const trained = metrics.trainedWorkers;
  await cells(countyPk, 'M#2025-08', { [`${trained}@A`]: 3, [`${trained}@Y`]: 3, [`${trained}@Q`]: 3, [trained]: 3 });
  await cells(countyPk, 'M#2026-02', { [`${trained}@A`]: 8, [`${trained}@Y`]: 6, [`${trained}@Q`]: 6, [trained]: 6 });
  await cells(countyPk, 'M#2026-10', { [`${trained}@A`]: 1, [`${trained}@Y`]: 2, [`${trained}@Q`]: 5, [trained]: 5 });
  await cells(countyPk, 'M#2026-11', { [`${trained}@Q`]: 4, [trained]: 6, [`${trained}@24`]: 2 });
  await cells(`DIV#${zhongzhou}`, 'M#2026-08', { [`${trained}@A`]: 50, [`${trained}@Y`]: 50, [`${trained}@Q`]: 50, [trained]: 50 });
  await doc.send(
    new PutCommand({ TableName: tables.counters, Item: { pk: `BASELINE#${metrics.skilled}`, sk: `${county}#2026-06-30`, value: 500 } }),
  );
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

describe('DynamoCounterReader', () => {
  it('returns exactly the items of one partition between two sort keys, metrics only', async () => {
    const reader = new DynamoCounterReader(doc, tables.counters);
    const items = await reader.itemsInRange(`DIV#${county}`, { from: 'M#2026-01', to: 'M#2026-10' });
    expect(items.map((i) => i.sk)).toEqual(['M#2026-01', 'M#2026-02', 'M#2026-10']);
    expect(items[0]?.values).toEqual({ [`${metrics.skilled}@01`]: 2n, [`${metrics.orgsNonPublic}@05`]: 40000n });
  });

  it('gives the evaluator exact stocks, flows and ratios', async () => {
    const evaluator = new IndicatorEvaluator(new DynamoCounterReader(doc, tables.counters), (d) => [d]);
    const at = async (id: string, period: string, scope: { division: string } | { orgCode: string } = { division: county }) =>
      (await evaluator.evaluate([findIndicator(id)!], scope, parsePeriod(period)))[0];
    expect((await at('skilled_workers', '2025'))?.value).toBe(3);
    expect((await at('skilled_workers', '2026-11-23'))?.value).toBe(5);
    expect((await at('skilled_workers', '2026-11-24'))?.value).toBe(4);
    expect((await at('skilled_workers', 'all'))?.value).toBe(4);
    expect((await at('skilled_workers', '2026', { orgCode: orgA }))?.value).toBe(7);
    expect((await at('high_skilled_workers', '2026-Q4'))?.value).toBe(1);
    expect((await at('dual_upgrade_rewards_yuan', '2026-Q4'))?.value).toBe(4123.45);
    expect((await at('dual_upgrade_rewards_yuan', '2026-11'))?.value).toBe(2000);
    expect((await at('dual_upgrade_rewards_yuan', '2026-12'))?.value).toBe(-2000);
    expect(await at('dispute_mediation_rate', '2026')).toEqual({ indicator: 'dispute_mediation_rate', value: 66.67, numerator: 2, denominator: 3 });
    expect(await at('party_org_coverage_non_public', '2026-11')).toEqual({
      indicator: 'party_org_coverage_non_public', value: 87.23, numerator: 34890, denominator: 40000,
    });
    expect((await at('party_org_coverage_social', '2026'))?.value).toBeNull();
  });

  it('reads a distinct count for a day or month from its cell, for a quarter, year or all time from the first-date cells of its months', async () => {
    const evaluator = new IndicatorEvaluator(new DynamoCounterReader(doc, tables.counters), (d) => (d === county ? [county, zhongzhou] : [d]));
    const trained = async (period: string) => (await evaluator.evaluate([findIndicator('trained_workers')!], { division: county }, parsePeriod(period)))[0]?.value;
    expect(await trained('2026-11-24')).toBe(2);
    expect(await trained('2026-11')).toBe(6);
    expect(await trained('2026-Q4')).toBe(9);
    expect(await trained('2026-Q1')).toBe(6);
    expect(await trained('2026')).toBe(8);
    expect(await trained('2025')).toBe(3);
    expect(await trained('all')).toBe(12);
    // A township's cells are not the county's: a distinct count is read at the scope itself, never summed over the subtree.
    expect(await trained('2026-Q3')).toBe(0);
  });

  it('answers the whole catalogue for one scope and period with three queries', async () => {
    const reader = new DynamoCounterReader(doc, tables.counters);
    const values = await new IndicatorEvaluator(reader, (d) => [d]).evaluate(indicatorCatalog, { division: county }, parsePeriod('2026-11'));
    expect(reader.queries).toBe(3);
    expect(values.find((v) => v.indicator === 'skilled_workers')?.value).toBe(4);
    expect(values.find((v) => v.indicator === 'disputes_filed')?.value).toBe(3);
  });

  it('adds up what is recorded at a division and below it: one query per partition', async () => {
    const reader = new DynamoCounterReader(doc, tables.counters);
    const [value] = await new IndicatorEvaluator(reader, (d) => (d === county ? [county, zhongzhou] : [d])).evaluate([findIndicator('skilled_workers')!], { division: county }, parsePeriod('2026'));
    expect(value?.value).toBe(1004);
    expect(reader.queries).toBe(2);
  });

  it('sums money past 2^53 fen exactly', async () => {
    const pk = `ORG#${usccFor(12)}`;
    await netChange(pk, '2026-05-01', { [metrics.legalAidRecoveredFen]: 9_007_199_254_740_000 });
    await netChange(pk, '2026-05-02', { [metrics.legalAidRecoveredFen]: 9_007_199_254_740_000 });
    await netChange(pk, '2026-05-03', { [metrics.legalAidRecoveredFen]: 123 });
    const items = await new DynamoCounterReader(doc, tables.counters).itemsInRange(pk, { from: 'M#2026-05', to: 'M#2026-05' });
    const total = Object.values(items[0]?.values ?? {}).reduce((a, b) => a + b, 0n);
    expect(total).toBe(18_014_398_509_480_123n);
    expect(yuanText(total)).toBe('180143985094801.23');
  });

  it('follows pagination when a range holds more than 1 MB', async () => {
    const pk = `DIV#${baigong}`;
    const padding = 'x'.repeat(8_000);
    const items: Record<string, unknown>[] = [];
    let expected = 0;
    let day = '2026-01-01';
    for (let i = 0; i < 200; i++, day = nextDay(day)) {
      items.push({ pk, sk: `M#${String(1900 + i)}-01`, [`${metrics.contractWorkers}@01`]: i + 1, note: padding });
      expected += i + 1;
    }
    for (let i = 0; i < items.length; i += 25) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [tables.counters]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const reader = new DynamoCounterReader(doc, tables.counters);
    const found = await reader.itemsInRange(pk, { from: 'M#1900-01', to: 'M#2100-12' });
    expect(reader.queries).toBeGreaterThan(1);
    expect(found).toHaveLength(200);
    expect(found.reduce((sum, item) => sum + (item.values[`${metrics.contractWorkers}@01`] ?? 0n), 0n)).toBe(BigInt(expected));
    expect(found.every((item) => !('note' in item.values))).toBe(true);
  });
});

describe('DynamoLedgerReader', () => {
  const ledgerItem = (source: string, id: string, sk: string, extra: Record<string, unknown>) => ({
    TableName: tables.ledger,
    Item: { pk: `EVENT#${source}#${id}`, sk, source, id, ...extra },
  });

  it('prefers the accepted record and never returns the stored payload', async () => {
    await doc.send(
      new PutCommand(
        ledgerItem('hrss.zhongxian', 'c/1', 'REJECTED#aaa', {
          type: 'certificate.submitted.v1', outcome: 'rejected', reason: 'conflict', detail: 'content differs',
          receivedAt: '2026-11-24T05:00:00.000Z', processedAt: '2026-11-24T05:00:01.000Z',
        }),
      ),
    );
    await doc.send(
      new PutCommand(
        ledgerItem('hrss.zhongxian', 'c/1', 'ACCEPTED', {
          type: 'certificate.submitted.v1', outcome: 'accepted', receivedAt: '2026-11-24T03:00:00.000Z',
          processedAt: '2026-11-24T03:00:01.000Z', duplicates: 2, divisions: [zhongzhou, county],
          data: { holder: { idNumber: 'pseudonym' } }, time: '2026-11-24T11:00:00+08:00', date: '2026-11-24', contentHash: 'bbb',
        }),
      ),
    );
    const outcome = await new DynamoLedgerReader(doc, tables.ledger).outcomeOf('hrss.zhongxian', 'c/1');
    expect(outcome).toEqual({
      source: 'hrss.zhongxian', id: 'c/1', type: 'certificate.submitted.v1', outcome: 'accepted',
      receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z', divisions: [zhongzhou, county],
    });
  });

  it('gives the most recently processed rejection when none was accepted', async () => {
    for (const [hash, processedAt, reason] of [
      ['h1', '2026-11-24T01:00:00.000Z', 'invalid_data'],
      ['h2', '2026-11-24T02:00:00.000Z', 'unknown_org'],
      ['h0', '2026-11-23T23:00:00.000Z', 'invalid_envelope'],
    ] as const) {
      await doc.send(
        new PutCommand(
          ledgerItem('union.zhongxian', 'd-1', `REJECTED#${hash}`, {
            outcome: 'rejected', reason, detail: 'x', receivedAt: processedAt, processedAt, contentHash: hash,
          }),
        ),
      );
    }
    const outcome = await new DynamoLedgerReader(doc, tables.ledger).outcomeOf('union.zhongxian', 'd-1');
    expect(outcome).toEqual({
      source: 'union.zhongxian', id: 'd-1', outcome: 'rejected', reason: 'unknown_org',
      receivedAt: '2026-11-24T02:00:00.000Z', processedAt: '2026-11-24T02:00:00.000Z', divisions: [],
    });
    expect(await new DynamoLedgerReader(doc, tables.ledger).outcomeOf('union.zhongxian', 'nothing')).toBeUndefined();
  });
});

describe('DynamoRejectionReader', () => {
  const rejection = (id: string, processedAt: string, reason: string) => ({
    source: 'edu.zhongxian', id, type: 'training.completed.v1', reason, detail: 'data.hours: required',
    contentHash: `hash-${id}`, receivedAt: processedAt, processedAt,
  });

  it('reads the rejections recorded on the given days, newest first, without hashes', async () => {
    const store = new EventStore(doc, tables);
    await store.recordRejection(rejection('r-1', '2026-11-20T08:00:00.000Z', 'invalid_data'));
    await store.recordRejection(rejection('r-2', '2026-11-21T09:00:00.000Z', 'unknown_org'));
    await store.recordRejection(rejection('r-3', '2026-11-21T10:00:00.000Z', 'invalid_data'));
    await store.recordRejection(rejection('r-old', '2026-11-01T10:00:00.000Z', 'invalid_data'));
    const reader = new DynamoRejectionReader(doc, tables.ledger);
    const { rejections, truncated } = await reader.rejectionsOn(['2026-11-20', '2026-11-21', '2026-11-22'], 100);
    expect(truncated).toBe(false);
    expect(rejections.map((r) => r.id)).toEqual(['r-3', 'r-2', 'r-1']);
    expect(rejections[0]).toEqual({
      source: 'edu.zhongxian', id: 'r-3', type: 'training.completed.v1', reason: 'invalid_data', detail: 'data.hours: required',
      receivedAt: '2026-11-21T10:00:00.000Z', processedAt: '2026-11-21T10:00:00.000Z', divisions: [],
    });
    const capped = await reader.rejectionsOn(['2026-11-20', '2026-11-21'], 2);
    expect(capped).toEqual({ rejections: rejections.slice(0, 2), truncated: true });
  });
});

describe('DynamoOrganisationReader', () => {
  it('reads where an organisation is registered, and nothing for an unknown code', async () => {
    await doc.send(
      new PutCommand({
        TableName: tables.state,
        Item: {
          pk: `ORG#${orgA}`, entity: 'org', orgCode: orgA, division: zhongzhou, version: 1,
          registration: { rank: 'r', date: '2026-01-02', division: zhongzhou, kind: 'enterprise', ownership: 'non_public', name: 'Works', workers: 3 },
        },
      }),
    );
    const reader = new DynamoOrganisationReader(doc, tables.state);
    expect(await reader.organisation(orgA)).toEqual({ orgCode: orgA, division: zhongzhou, kind: 'enterprise', status: 'registered' });
    expect(await reader.organisation(usccFor(12))).toBeUndefined();
  });
});
