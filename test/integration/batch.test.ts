/**
 * Exactly once, batch by batch: the processor decides a batch's events
 * together and commits them in shared transactions, so these are the cases
 * that could go wrong — a duplicate in the middle, two events of one person,
 * a poison message, a crash between two transactions of one batch, two
 * processors racing on one person.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { residentIdFor, sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { runReconcile } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { IncomingMessage, MessageResult, ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { liveFigure } from '../support/counter-table.ts';
import type { LocalDynamoDb } from '../support/dynamo-local.ts';
import { startLocalDynamoDb } from '../support/dynamo-local.ts';
import { processorOnFreshTables, transactionCancelled } from '../support/processor.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const zhongzhou = '500233001000';
const county = counterKeys.division(divisions.rootCode);
const orgCode = usccFor(880_001);
let local: LocalDynamoDb | undefined;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tables: TableNames;
let deps: ProcessorDependencies;
let seq = 0;

const message = (event: unknown, receiveCount = 1): IncomingMessage => ({ body: typeof event === 'string' ? event : JSON.stringify(event), messageId: `b-${++seq}`, receiveCount });
const outcomes = (batch: readonly IncomingMessage[], results: Map<string, MessageResult>) =>
  batch.map((m) => {
    const r = results.get(m.messageId);
    return r?.ok === true ? (r.outcome.outcome === 'rejected' ? `rejected:${r.outcome.reason}` : r.outcome.outcome) : `retry:${r?.error.name}`;
  });
const figure = (pk: string, sk: string, metric: string) => liveFigure(doc, tables, pk, sk, metric);
const certificate = (certificateNo: string, idNumber: string, level: string, time: string) =>
  sampleEvent('certificate.submitted.v1', { id: `cert-${certificateNo}`, time, data: { certificateNo, level, issuedOn: time.slice(0, 10), holder: { idNumber, frontline: false }, orgCode } });
const studio = (studioId: string, id = `studio-${studioId}`) => sampleEvent('studio.established.v1', { id, data: { studioId, orgCode } });
/** The ids of the events whose ledger records a transaction writes. */
const acceptedIds = (command: TransactWriteCommand): string[] =>
  (command.input.TransactItems ?? []).flatMap((item) => (item.Put?.TableName === tables.ledger && item.Put.Item?.['sk'] === 'ACCEPTED' ? [String(item.Put.Item['id'])] : []));

/**
 * Until `restore()`: before the n-th transaction a batch sends (from 1),
 * another processor applies the event `theirs(n)` gives (accepted), if it
 * gives one; `sent` lists, per transaction of the batch, the ids of the
 * events it carried, and `races()` how many events the other processor applied.
 */
function raceBeforeTransactions(theirs: (n: number) => unknown): { sent: string[][]; races: () => number; restore: () => void } {
  const realSend = doc.send.bind(doc);
  let racing = false;
  let races = 0;
  const sent: string[][] = [];
  const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
    if (command instanceof TransactWriteCommand && !racing) {
      const event = theirs(sent.length + 1);
      if (event !== undefined) {
        racing = true;
        const other = [message(event)];
        expect(outcomes(other, await processBatch(other, deps))).toEqual(['accepted']);
        races++;
        racing = false;
      }
      sent.push(acceptedIds(command));
    }
    return realSend(command);
  }) as never);
  return { sent, races: () => races, restore: () => spy.mockRestore() };
}

/** Another processor applies `theirs` before the first transaction a batch sends (see raceBeforeTransactions). */
const raceBeforeFirstTransaction = (theirs: unknown) => raceBeforeTransactions((n) => (n === 1 ? theirs : undefined));

beforeAll(async () => {
  local = await startLocalDynamoDb();
  ({ client, doc } = local);
  ({ tables, deps } = await processorOnFreshTables(client, doc, 'Batch', { pseudonymKey: 'batch-test-key-0123456789abcdef0123', unknownOrgMaxAttempts: 3 }));
  const registration = sampleEvent('organization.registered.v1', { id: 'reg-batch', data: { orgCode, division: zhongzhou } });
  const batch = [message(registration)];
  expect(outcomes(batch, await processBatch(batch, deps))).toEqual(['accepted']);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await local?.stop();
});

describe('one batch, many events', () => {
  it('settles a duplicate in the middle of a batch once, and counts the rest once each', async () => {
    const first = studio('dup-1');
    const batch = [message(studio('dup-0')), message(first), message(first), message(studio('dup-2')), message(first)];
    expect(outcomes(batch, await processBatch(batch, deps))).toEqual(['accepted', 'accepted', 'duplicate', 'accepted', 'duplicate']);
    expect(await figure(county, 'Y#2026', metrics.skillStudios)).toBe(3);
  });

  it('decides two certificates of one person in one batch against each other', async () => {
    const idNumber = residentIdFor(88_001);
    const batch = [message(certificate('B-1', idNumber, 'level4', '2026-03-01T10:00:00+08:00')), message(certificate('B-2', idNumber, 'level2', '2026-04-01T10:00:00+08:00'))];
    expect(outcomes(batch, await processBatch(batch, deps))).toEqual(['accepted', 'accepted']);
    expect(await figure(county, 'Y#2026', metrics.skilled)).toBe(1);
    expect(await figure(county, 'Y#2026', metrics.highSkilled)).toBe(1);
    expect(await figure(county, 'M#2026-04', metrics.rewardFen)).toBe(400_000);
  });

  it('records a poison message as rejected without holding back the batch', async () => {
    const batch = [message('{"not": "an event"'), message(studio('after-poison')), message(sampleEvent('studio.established.v1', { id: 'bad-org', data: { studioId: 'x', orgCode: 'not-a-code' } }))];
    expect(outcomes(batch, await processBatch(batch, deps))).toEqual(['rejected:invalid_envelope', 'accepted', 'rejected:invalid_data']);
  });

  it('completes a batch interrupted between two of its transactions, applying each event once', async () => {
    // Big enough for two transactions: each studio adds a ledger record and a state item.
    const events = Array.from({ length: 60 }, (_, i) => studio(`crash-${i}`));
    const before = await figure(county, 'Y#2026', metrics.skillStudios);
    const realSend = doc.send.bind(doc);
    let transactions = 0;
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      // After its first transaction the function is gone: nothing more it sends lands.
      if (command instanceof TransactWriteCommand && ++transactions >= 2) throw Object.assign(new Error('the function was stopped'), { name: 'TimeoutError' });
      return realSend(command);
    }) as never);
    const batch = events.map((e) => message(e));
    const first = outcomes(batch, await processBatch(batch, deps));
    spy.mockRestore();
    expect(transactions).toBeGreaterThanOrEqual(2);
    const committed = first.filter((o) => o === 'accepted').length;
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(events.length);
    // The queue delivers the whole batch again.
    const again = batch.map((m) => ({ ...m, receiveCount: 2 }));
    const second = outcomes(again, await processBatch(again, deps));
    expect(second.filter((o) => o === 'duplicate')).toHaveLength(committed);
    expect(second.filter((o) => o === 'accepted')).toHaveLength(events.length - committed);
    expect(await figure(county, 'Y#2026', metrics.skillStudios)).toBe(before + events.length);
  });

  it('decides the events on state another processor moved again next round, where they still share a transaction, as the rest did', async () => {
    const idNumber = residentIdFor(88_003);
    const studios = Array.from({ length: 20 }, (_, i) => studio(`shared-${i}`));
    const mine = certificate('SHARED-1', idNumber, 'level3', '2026-05-01T10:00:00+08:00');
    const mineLater = certificate('SHARED-2', idNumber, 'level2', '2026-06-01T10:00:00+08:00');
    // Another processor applies a certificate of the same person first.
    const race = raceBeforeFirstTransaction(certificate('SHARED-3', idNumber, 'level4', '2026-02-01T10:00:00+08:00'));
    const { sent } = race;
    const batch = [...studios.slice(0, 10), mine, mineLater, ...studios.slice(10)].map((e) => message(e));
    const settled = outcomes(batch, await processBatch(batch, deps));
    race.restore();
    expect(settled).toEqual(batch.map(() => 'accepted'));
    // The studios went together without the certificates; both certificates, decided again, went together next round.
    const lastStudios = sent.filter((ids) => ids.some((id) => id.startsWith('studio-shared-'))).at(-1) ?? [];
    expect(lastStudios).toHaveLength(20);
    expect(sent.filter((ids) => ids.includes(mine.id)).at(-1)).toEqual([mine.id, mineLater.id]);
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(await figure(county, 'Y#2026', metrics.highSkilled)).toBeGreaterThanOrEqual(1);
    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);
  });

  // Runs after the test above, whose race this process remembers (the check is on for 30 s after one).
  it('once racing processors were met, reads before sending: leaves out the event decided on moved state, sends the rest, decides it again', async () => {
    const idNumber = residentIdFor(88_004);
    const mine = certificate('CHECKED-1', idNumber, 'level3', '2026-05-01T10:00:00+08:00');
    const theirs = certificate('CHECKED-2', idNumber, 'level4', '2026-02-01T10:00:00+08:00');
    const batch = [message(studio('checked-0')), message(mine), message(studio('checked-1'))];
    // The reconcile of the test above moved the fence's epoch: start from the current one.
    deps.store.forgetFence();
    const realSend = doc.send.bind(doc);
    let racing = false;
    let raced = false;
    let cancelled = 0;
    let sent = 0;
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      // The versions check of the batch's first transaction: another processor moves the person first.
      const versionsRead = command instanceof BatchGetCommand && command.input.RequestItems?.[tables.state]?.ProjectionExpression !== undefined;
      if (versionsRead && !raced && !racing) {
        raced = racing = true;
        const other = [message(theirs)];
        expect(outcomes(other, await processBatch(other, deps))).toEqual(['accepted']);
        racing = false;
      }
      if (!(command instanceof TransactWriteCommand) || racing) return realSend(command);
      sent++;
      return realSend(command).catch((error: Error) => {
        if (error.name === 'TransactionCanceledException') cancelled++;
        throw error;
      });
    }) as never);
    const settled = outcomes(batch, await processBatch(batch, deps));
    spy.mockRestore();
    expect(settled).toEqual(['accepted', 'accepted', 'accepted']);
    expect(raced).toBe(true);
    expect(cancelled).toBe(0);
    // The studios went in the first transaction, without the certificate; the certificate next round.
    expect(sent).toBe(2);
    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);
  });

  /**
   * Twelve studios, six in March and six in May, whose transactions another
   * processor's transaction in flight cancels `times` times holding the
   * township's March item (DynamoDB names it): the ids of the events each
   * transaction sent carried, and what the batch settled.
   */
  const heldMarch = async (label: string, times: number): Promise<{ sent: string[][]; settled: string[]; march: number; may: number }> => {
    const march = Array.from({ length: 6 }, (_, i) => sampleEvent('studio.established.v1', { id: `studio-${label}-mar-${i}`, time: '2026-03-10T10:00:00+08:00', data: { studioId: `${label}-mar-${i}`, orgCode } }));
    const may = Array.from({ length: 6 }, (_, i) => sampleEvent('studio.established.v1', { id: `studio-${label}-may-${i}`, time: '2026-05-10T10:00:00+08:00', data: { studioId: `${label}-may-${i}`, orgCode } }));
    const township = counterKeys.division(zhongzhou);
    // A reconcile above moved the fence's epoch: this process learns it here, so that no transaction below is fenced.
    const warmUp = [message(studio(`${label}-warm-up`))];
    expect(outcomes(warmUp, await processBatch(warmUp, deps))).toEqual(['accepted']);
    const [beforeMarch, beforeMay] = [await figure(township, 'M#2026-03', metrics.skillStudios), await figure(township, 'M#2026-05', metrics.skillStudios)];
    const realSend = doc.send.bind(doc);
    const sent: string[][] = [];
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      if (!(command instanceof TransactWriteCommand)) return realSend(command);
      const items = command.input.TransactItems ?? [];
      sent.push(acceptedIds(command));
      const held = (item: (typeof items)[number]) => item.Update?.TableName === tables.counters && item.Update.Key?.['pk'] === township && item.Update.Key['sk'] === 'M#2026-03';
      if (sent.length > times || !items.some(held)) return realSend(command);
      throw transactionCancelled(items.map((item) => (held(item) ? 'TransactionConflict' : 'None')));
    }) as never);
    const batch = [...march, ...may].map((e) => message(e));
    const settled = outcomes(batch, await processBatch(batch, deps));
    spy.mockRestore();
    return { sent, settled, march: (await figure(township, 'M#2026-03', metrics.skillStudios)) - beforeMarch, may: (await figure(township, 'M#2026-05', metrics.skillStudios)) - beforeMay };
  };

  it('sends a transaction whose counter items another transaction holds again, whole, once that one is done', async () => {
    const { sent, settled, march, may } = await heldMarch('held-once', 1);
    expect(settled).toEqual(settled.map(() => 'accepted'));
    // The same twelve events twice: no event was left out, none waits for another round.
    expect(sent.map((ids) => ids.length)).toEqual([12, 12]);
    expect(sent[1]).toEqual(sent[0]);
    expect([march, may]).toEqual([6, 6]);
  });

  it('when the item stays held, leaves out only the events that write it, sends the rest at once, and the held ones next round', async () => {
    const { sent, settled, march, may } = await heldMarch('held-long', 3);
    expect(settled).toEqual(settled.map(() => 'accepted'));
    // All twelve three times (twice again after a round trip); then at once the May studios without the March ones; then, next round, the March studios.
    expect(sent.map((ids) => ids.length)).toEqual([12, 12, 12, 6, 6]);
    expect(sent[3]?.every((id) => id.startsWith('studio-held-long-may-'))).toBe(true);
    expect(sent[4]?.every((id) => id.startsWith('studio-held-long-mar-'))).toBe(true);
    expect([march, may]).toEqual([6, 6]);
  });

  it('sends at once the events of a transaction not decided on writes that did not land, and only the others wait for the next round', async () => {
    // One person's certificates, more than one transaction holds, interleaved with studios: a transaction after the first carries some of both.
    const idNumber = residentIdFor(88_005);
    const certificates = Array.from({ length: 90 }, (_, i) => certificate(`CHAIN-${i}`, idNumber, ['level5', 'level4', 'level3'][i % 3] as string, '2026-07-01T10:00:00+08:00'));
    const studios = Array.from({ length: 90 }, (_, i) => sampleEvent('studio.established.v1', { id: `studio-chain-${i}`, time: '2026-07-01T10:00:00+08:00', data: { studioId: `chain-${i}`, orgCode } }));
    deps.store.forgetFence();
    // Another processor applies a certificate of the same person first: the batch's first transaction fails for them.
    const race = raceBeforeFirstTransaction(certificate('CHAIN-THEIRS', idNumber, 'level2', '2026-01-01T10:00:00+08:00'));
    const batch = certificates.flatMap((c, i) => [message(c), message(studios[i])]);
    // One round only: what the first round did not commit is left to the queue.
    const settled = outcomes(batch, await processBatch(batch, { ...deps, maxAttempts: 1 }));
    race.restore();
    expect(race.races()).toBeGreaterThan(0);
    // Every studio went in the first round, those packed with the person's later certificates too; the certificates wait for the next.
    expect(settled.filter((_, i) => i % 2 === 1)).toEqual(studios.map(() => 'accepted'));
    expect(settled.filter((_, i) => i % 2 === 0)).toEqual(certificates.map(() => 'retry:RetryableProcessingError'));
    expect(new Set(race.sent.flat().filter((id) => id.startsWith('studio-')))).toEqual(new Set(studios.map((e) => e.id)));
    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);
  });

  it('from the third round on backs off exponentially: an event on state other processors keep moving for 1.5 s still lands in its batch', async () => {
    const idNumber = residentIdFor(88_006);
    const mine = certificate('CHURN-MINE', idNumber, 'level3', '2026-08-01T10:00:00+08:00');
    deps.store.forgetFence();
    const started = Date.now();
    // Before each transaction for 1.5 s, another processor applies another certificate of the same person first.
    const race = raceBeforeTransactions((n) => (Date.now() - started < 1500 ? certificate(`CHURN-${n}`, idNumber, 'level4', '2026-02-01T10:00:00+08:00') : undefined));
    const batch = [message(mine)];
    const settled = outcomes(batch, await processBatch(batch, deps));
    race.restore();
    // Ten rounds a jittered 10–20 ms apart would all have met a move (the queue would take the event back); backing off, a later round lands.
    expect(race.races()).toBeGreaterThanOrEqual(3);
    expect(settled).toEqual(['accepted']);
  });

  it('sends a transaction whose fence shard another transaction holds again at once, on another shard', async () => {
    const events = Array.from({ length: 4 }, (_, i) => studio(`fence-held-${i}`));
    const before = await figure(county, 'Y#2026', metrics.skillStudios);
    const realSend = doc.send.bind(doc);
    const fenceShardsChecked: string[] = [];
    /** Every request, in order: nothing is read between the two transactions. */
    const requests: string[] = [];
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      requests.push(command.constructor.name);
      if (!(command instanceof TransactWriteCommand)) return realSend(command);
      const items = command.input.TransactItems ?? [];
      fenceShardsChecked.push(String(items[0]?.ConditionCheck?.Key?.['sk']));
      if (fenceShardsChecked.length > 1) return realSend(command);
      throw transactionCancelled(items.map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')));
    }) as never);
    const batch = events.map((e) => message(e));
    const settled = outcomes(batch, await processBatch(batch, deps));
    spy.mockRestore();
    expect(settled).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(fenceShardsChecked).toHaveLength(2);
    expect(fenceShardsChecked[1]).not.toBe(fenceShardsChecked[0]);
    const first = requests.indexOf('TransactWriteCommand');
    expect(requests.slice(first, first + 2)).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
    expect(await figure(county, 'Y#2026', metrics.skillStudios)).toBe(before + 4);
  });

  it('two processors racing on one person apply every certificate once and agree with a replay', async () => {
    const idNumber = residentIdFor(88_002);
    const certificates = Array.from({ length: 40 }, (_, i) =>
      certificate(`RACE-${i}`, idNumber, ['level5', 'level4', 'level3', 'level2', 'level1'][i % 5] as string, `2026-${String(1 + (i % 10)).padStart(2, '0')}-0${1 + (i % 9)}T10:00:00+08:00`),
    );
    const left = certificates.filter((_, i) => i % 2 === 0).map((e) => message(e));
    const right = certificates.filter((_, i) => i % 2 === 1).map((e) => message(e));
    const run = async (messages: IncomingMessage[]) => {
      const settled: string[] = [];
      for (let pending = messages; pending.length > 0; ) {
        const batch = pending.slice(0, 10);
        const results = await processBatch(batch, deps);
        settled.push(...outcomes(batch, results).filter((o) => !o.startsWith('retry')));
        pending = [...pending.slice(10), ...batch.filter((m) => results.get(m.messageId)?.ok !== true)];
      }
      return settled;
    };
    const [a, b] = await Promise.all([run(left), run(right)]);
    expect([...a, ...b].filter((o) => o === 'accepted')).toHaveLength(40);
    const reconciled = await runReconcile({ store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards });
    expect(reconciled.differences).toEqual([]);
  });
});
