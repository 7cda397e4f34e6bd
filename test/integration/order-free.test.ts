/**
 * Order-free by construction: the same realistic mixed workload (every event
 * type, once-only facts reported twice with different dates, revocations
 * before certificates, disputes in any order, baselines corrected,
 * deregistrations) applied in 21 different orders through the real processor
 * and DynamoDB Local gives the very same Counters table every time — the
 * same as a rebuild from the ledger — and reconcile finds nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { runReconcile, runRebuild } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { canonicalCounters, canonicalFigures } from '../support/counter-table.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { randomSequence, shuffle } from '../support/workload.ts';
import type { LocalDynamoDb } from '../support/dynamo-local.ts';
import { startLocalDynamoDb } from '../support/dynamo-local.ts';
import { deliverAsQueue, processorOnFreshTables } from '../support/processor.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import { recompute } from '../../packages/maintenance/recompute.ts';
import { orgFoldingCounters } from '../../packages/storage/counter-reader.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const workload = buildMixedWorkload(3);
let local: LocalDynamoDb | undefined;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

function freshProcessor(): Promise<{ tables: TableNames; deps: ProcessorDependencies }> {
  return processorOnFreshTables(client, doc, String(++tableCount), {
    pseudonymKey: 'order-free-test-key-0123456789abcdef',
    // As a queue would: an event before its organisation's registration comes back until it is there.
    unknownOrgMaxAttempts: 1000,
    now: () => new Date('2026-11-24T12:00:00+08:00'),
  });
}

beforeAll(async () => {
  local = await startLocalDynamoDb();
  ({ client, doc } = local);
});

afterAll(() => local?.stop());

describe('figures do not depend on arrival order', () => {
  const random = randomSequence(2026);
  const byDate = [...workload].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const orders = [byDate, [...byDate].reverse(), ...Array.from({ length: 19 }, () => shuffle(workload, random))];
  const results: { tables: TableNames; counters: string; figures: string }[] = [];

  it(`applies ${workload.length} events of every type in ${orders.length} orders and gets the same Counters table and organisations' figures each time`, async () => {
    expect(new Set(workload.map((e) => e.type)).size).toBe(26);
    for (const order of orders) {
      const { tables, deps } = await freshProcessor();
      const outcomes = await deliverAsQueue(order, deps, 10);
      expect(outcomes.filter((o) => o.outcome !== 'accepted').map((o) => (o.outcome === 'rejected' ? `rejected:${o.reason}` : o.outcome))).toEqual([]);
      results.push({ tables, counters: await canonicalCounters(doc, tables.counters), figures: await canonicalFigures(doc, tables) });
    }
    const [first, ...rest] = results;
    expect(first?.counters.split('\n').length).toBeGreaterThan(50);
    // Organisations' figures are folded from their explain entries, which differ by arrival order; the folds do not.
    expect(first?.figures.split('\n').filter((line) => line.startsWith('ORG#')).length).toBeGreaterThan(50);
    for (const other of rest) {
      expect(other.counters).toBe(first?.counters);
      expect(other.figures).toBe(first?.figures);
    }
  }, 600_000);

  it('equals a rebuild from the ledger, and reconcile lists nothing after any of the runs', async () => {
    for (const { tables } of results.slice(0, 5)) {
      const maintenance = { store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards };
      const reconciled = await runReconcile(maintenance);
      expect(reconciled.differences).toEqual([]);
      expect(reconciled.skippedEvents).toEqual([]);
    }
    const { tables, counters, figures } = results[results.length - 1] as (typeof results)[number];
    await runRebuild({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(await canonicalCounters(doc, tables.counters)).toBe(counters);
    expect(await canonicalFigures(doc, tables)).toBe(figures);
  }, 300_000);
  it("serves every organisation's figures, read as the API reads them, as the replay gives them", async () => {
    const { tables } = results[0] as (typeof results)[number];
    const truth = recompute(await new MaintenanceStore(doc, tables).acceptedEvents(), { divisions, rewards: defaultDeploymentConfig.rewards });
    const replayed = new InMemoryCounterSource();
    for (const [key, amounts] of truth.counters) {
      const at = key.lastIndexOf('|');
      for (const [attribute, amount] of Object.entries(amounts)) replayed.add(key.slice(0, at), key.slice(at + 1), attribute, amount);
    }
    const subtree = (d: string) => divisions.subtree(d);
    const live = new IndicatorEvaluator(orgFoldingCounters(doc, tables), subtree);
    const expected = new IndicatorEvaluator(replayed, subtree);
    const orgs = [...new Set([...truth.counters.keys()].filter((key) => key.startsWith('ORG#')).map((key) => key.slice(4, key.indexOf('|'))))];
    expect(orgs.length).toBeGreaterThan(10);
    const periods = ['2026', '2026-Q2', '2026-06', '2026-06-15', 'all'].map(parsePeriod);
    let nonZero = 0;
    for (const orgCode of orgs) {
      for (const period of periods) {
        const [got, want] = await Promise.all([live.evaluate(indicatorCatalog, { orgCode }, period), expected.evaluate(indicatorCatalog, { orgCode }, period)]);
        expect(got).toEqual(want);
        nonZero += want.filter((v) => v.value !== null && v.value !== 0).length;
      }
    }
    expect(nonZero).toBeGreaterThan(50);
  }, 300_000);
});
