/**
 * The write path: validates a batch of queued events and applies each
 * exactly once. Events are decided one after another against the state the
 * batch has built so far (two certificates of one person in one batch see
 * each other), then committed in as few transactions as DynamoDB allows,
 * each carrying the merged counter changes of all its events — so a month
 * item touched by ten events of a batch is written once.
 */
import type { DivisionTree, RewardPolicy } from '../config/deployment.ts';
import { eventsQueue } from '../config/resources.ts';
import type { RejectionReason, ValidatedEvent } from '../contract/index.ts';
import { idNumberPaths, validateEvent, validationOptionsFor } from '../contract/index.ts';
import { applyEvent, missingStateKeys } from '../domain/apply-event.ts';
import type { Divisions, DomainEvent } from '../domain/apply-event.ts';
import { storedCounterChanges } from '../domain/counter-changes.ts';
import type { Decision } from '../domain/decision.ts';
import { explainEntries, splitHomeEntries } from '../domain/explain.ts';
import { rankOf } from '../domain/rank.ts';
import type { StateItem } from '../domain/state.ts';
import type { AcceptedRecord, CommitResult, Effects, EventStore, Fence, LedgerEntry, TransactionPlan } from '../storage/event-store.ts';
import { counterItemId, explainItems } from '../storage/event-store.ts';
import { ledgerPk } from '../storage/ledger-records.ts';
import type { Unit } from './packing.ts';
import { chunkShares, LostWrites, notDecidedOn, planFor, planUnits } from './packing.ts';
import type { Pseudonymiser } from './pseudonymise.ts';
import { rejectionRecord } from './rejection-record.ts';

/** One queued message, independent of how it was delivered. */
export interface IncomingMessage {
  readonly body: string;
  readonly messageId: string;
  /** How many times the queue has delivered it, this time included. */
  readonly receiveCount: number;
  /** When it entered the queue. */
  readonly sentAt?: Date;
}

export type ProcessOutcome =
  | { readonly outcome: 'accepted'; readonly source: string; readonly id: string; readonly type: string; readonly itemsWritten: number; readonly note?: string }
  | { readonly outcome: 'duplicate'; readonly source: string; readonly id: string; readonly type: string }
  | { readonly outcome: 'rejected'; readonly reason: RejectionReason; readonly source: string; readonly id: string; readonly type?: string };

/** Per message: its recorded outcome, or why it must be delivered again (nothing of it was applied). */
export type MessageResult = { readonly ok: true; readonly outcome: ProcessOutcome } | { readonly ok: false; readonly error: Error };

export interface ProcessorDependencies {
  readonly store: EventStore;
  readonly divisions: DivisionTree;
  readonly sources: Readonly<Record<string, readonly string[]>>;
  readonly rewards: RewardPolicy;
  readonly pseudonymiser: Pseudonymiser;
  /** Times an event naming an unregistered organisation is decided (deliveries while processing runs) before it is rejected. */
  readonly unknownOrgMaxAttempts: number;
  /** The queue's redrive limit: on that delivery an event naming an unregistered organisation is rejected whatever its tries (the deployed queue's when not given). */
  readonly lastDelivery?: number;
  readonly now?: () => Date;
  /** Rounds of re-deciding after stale state or contention before messages are left to the queue's retry. */
  readonly maxAttempts?: number;
  /** How long a batch waits for paused processing to resume before it is handed back to the queue (10 s). */
  readonly pauseWaitMs?: number;
}

export class ProcessingError extends Error {
  override readonly name: string = 'ProcessingError';
}

/** The message should be retried by the queue: nothing of it was applied. */
export class RetryableProcessingError extends ProcessingError {
  override readonly name: string = 'RetryableProcessingError';
}

export class UnknownOrgPendingError extends RetryableProcessingError {
  override readonly name = 'UnknownOrgPendingError';
  constructor(readonly orgCount: number) {
    super(`event names ${orgCount} organisation(s) not registered yet; retrying`);
  }
}

export class MaintenanceInProgressError extends RetryableProcessingError {
  override readonly name = 'MaintenanceInProgressError';
  constructor() {
    super('maintenance (rebuild or reconcile) has paused processing; retrying');
  }
}

/** Where a message whose source was unusable is recorded. */
export { unidentifiedSource } from './rejection-record.ts';

/** A valid event on its way in. */
interface Candidate {
  readonly message: IncomingMessage;
  readonly event: ValidatedEvent;
  readonly domain: DomainEvent;
  readonly contentHash: string;
  readonly receivedAt: string;
  readonly key: string;
}

interface Decided {
  readonly candidate: Candidate;
  readonly decision: Extract<Decision, { outcome: 'apply' }>;
  /** The state keys the decision read (its rule's keys): it holds only if none of them changes before it commits. */
  readonly read: readonly string[];
}

/**
 * Processes one batch. Every message gets either a recorded outcome or a
 * retryable error; a message's failure never fails the others.
 */
export async function processBatch(messages: readonly IncomingMessage[], deps: ProcessorDependencies): Promise<Map<string, MessageResult>> {
  const now = deps.now ?? (() => new Date());
  const results = new Map<string, MessageResult>();
  const settle = (c: { message: IncomingMessage }, outcome: ProcessOutcome): void => void results.set(c.message.messageId, { ok: true, outcome });
  const retry = (c: { message: IncomingMessage }, error: Error): void => void results.set(c.message.messageId, { ok: false, error });
  const divisions: Divisions = { rootDivision: deps.divisions.rootCode, lineage: (d) => deps.divisions.lineage(d) };

  let pending: Candidate[] = [];
  const rejections: Promise<void>[] = [];
  for (const message of messages) {
    const candidate = await validate(message, deps, now);
    if ('reason' in candidate) {
      rejections.push(deps.store.recordRejection(candidate.record).then(() => settle({ message }, candidate.outcome)));
    } else pending.push(candidate);
  }
  await Promise.all(rejections);

  // Concurrent invocations on the same entities cancel each other's transactions now and then; each round re-decides only those.
  const maxAttempts = deps.maxAttempts ?? 10;
  try {
    await processRounds();
  } catch (error) {
    // An error DynamoDB gave the whole round (throttling, a timeout): find out
    // whose it is by processing the events still unsettled one by one, so one
    // event's failure never fails the others.
    const unsettled = pending.filter((c) => !results.has(c.message.messageId));
    if (unsettled.length === 1) retry(unsettled[0] as Candidate, error instanceof Error ? error : new ProcessingError('processing failed'));
    else for (const c of unsettled) results.set(c.message.messageId, (await processBatch([c.message], deps)).get(c.message.messageId) as MessageResult);
  }
  return results;

  async function processRounds(): Promise<void> {
    /** Whether a cancellation of this batch named no item that can be put down to an event (one holding a baseline, or none at all). */
    let unexplained = false;
    for (let attempt = 0; pending.length > 0 && attempt < maxAttempts; attempt++) {
      // State another processor moved is read again at once (a jittered 10–20 ms): waiting would not make it fresher, and a held item is free again a round trip later.
      // From the third round on, or after a TransactionConflict naming no item that can be put down to an event, rounds back off exponentially (with jitter):
      // events still meeting races then are on state other processors keep moving, and racing them at the same pace could keep them meeting it until the queue takes them back.
      if (attempt > 0) await (unexplained || attempt >= backOffFromRound ? backoff(attempt) : roundTrip());
      // One event per key a round: a second message with the same key is settled against the first next round.
      const seen = new Set<string>();
      const round = pending.filter((c) => !seen.has(c.key) && (seen.add(c.key), true));
      const later = pending.filter((c) => !round.includes(c));
      const fence = await runningFence(deps);
      if (fence === undefined) {
        for (const c of pending) retry(c, new MaintenanceInProgressError());
        pending = [];
        return;
      }
      // One read for the round: whether each event is in the ledger already, and the state they need first.
      const fetched = [...new Set(round.flatMap((c) => missingStateKeys(c.domain, new Map(), new Set(), divisions)))];
      const first = await deps.store.load(fetched, round.map((c) => ({ source: c.event.source, id: c.event.id })));
      const unsettled = await settleKnown(round, first.accepted, deps, now, settle);
      const { decided, pages } = await decideAll(unsettled, { ...first, fetched }, deps, divisions, settle, retry);
      const committed = await commitAll(decided, { fence, storedPages: pages, unexplained, attempt }, deps, divisions, now, settle);
      const { uncommitted, fenced } = committed;
      unexplained ||= committed.unexplained;
      if (fenced) deps.store.forgetFence();
      if (fenced && attempt + 1 < maxAttempts) {
        // Maintenance moved the epoch since the fence was read: decide again under the new one.
        pending = [...uncommitted, ...later];
        continue;
      }
      if (fenced) {
        for (const c of [...uncommitted, ...later]) retry(c, new MaintenanceInProgressError());
        pending = [];
        return;
      }
      pending = [...uncommitted, ...later];
    }
    for (const c of pending) retry(c, new RetryableProcessingError(`event kept meeting concurrent changes after ${maxAttempts} attempts`));
    pending = [];
  }
}

/** The round from which rounds back off exponentially whatever the cancellation (the 10 rounds then span 2.6–5.2 s of waiting, within the processor's 30 s). */
const backOffFromRound = 3;

/**
 * The fence to commit under. While maintenance has processing paused, waits
 * a little (a reconcile takes seconds) rather than hand the batch straight
 * back to the queue; undefined if it stays paused.
 */
async function runningFence(deps: ProcessorDependencies): Promise<Fence | undefined> {
  const waitMs = deps.pauseWaitMs ?? 10_000;
  for (const started = Date.now(); ; ) {
    const fence = await deps.store.currentFence();
    if (!fence.paused) return fence;
    deps.store.forgetFence();
    if (Date.now() - started >= waitMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Validates and pseudonymises one message, or gives its rejection. */
async function validate(
  message: IncomingMessage,
  deps: ProcessorDependencies,
  now: () => Date,
): Promise<Candidate | { reason: RejectionReason; record: Parameters<EventStore['recordRejection']>[0]; outcome: ProcessOutcome }> {
  const receivedAt = (message.sentAt ?? now()).toISOString();
  const validation = validateEvent(message.body, validationOptionsFor(deps, now()));
  if (!validation.ok) {
    const record = rejectionRecord({ validation, body: message.body, pseudonymiser: deps.pseudonymiser, messageId: message.messageId, receivedAt, processedAt: now().toISOString() });
    return {
      reason: validation.reason,
      record,
      outcome: { outcome: 'rejected', reason: validation.reason, source: record.source, id: record.id, ...(record.type === undefined ? {} : { type: record.type }) },
    };
  }
  const event = validation.event;
  const { date: _date, ...sent } = event;
  const domain = {
    type: event.type,
    source: event.source,
    id: event.id,
    date: event.date,
    rank: rankOf(event),
    data: deps.pseudonymiser.pseudonymise(event.data, idNumberPaths(event.type)),
  } as DomainEvent;
  return { message, event, domain, contentHash: deps.pseudonymiser.contentHash(sent), receivedAt, key: ledgerPk(event.source, event.id) };
}

function rejectionOf(c: Candidate, reason: RejectionReason, detail: string, now: () => Date): Parameters<EventStore['recordRejection']>[0] {
  const { source, id, type } = c.event;
  return { source, id, type, reason, detail, contentHash: c.contentHash, receivedAt: c.receivedAt, processedAt: now().toISOString() };
}

/**
 * Events already in the ledger: the same content is a duplicate (a chunked
 * event interrupted half-way is completed first), other content a conflict.
 * Returns the events still to decide.
 */
async function settleKnown(
  round: readonly Candidate[],
  accepted: ReadonlyMap<string, LedgerEntry>,
  deps: ProcessorDependencies,
  now: () => Date,
  settle: (c: Candidate, o: ProcessOutcome) => void,
): Promise<Candidate[]> {
  await Promise.all(
    round.map(async (c) => {
      const entry = accepted.get(c.key);
      if (entry === undefined) return;
      const { source, id, type } = c.event;
      if (entry.contentHash !== c.contentHash) {
        await deps.store.recordRejection(rejectionOf(c, 'conflict', 'an event with this source and id was already accepted with other content', now));
        return settle(c, { outcome: 'rejected', reason: 'conflict', source, id, type });
      }
      if (entry.chunks !== undefined) await completeChunks(source, id, entry.chunks, deps);
      await deps.store.countDuplicate(source, id);
      settle(c, { outcome: 'duplicate', source, id, type });
    }),
  );
  return round.filter((c) => !accepted.has(c.key));
}

/**
 * Decides every event in turn against the state loaded for the batch plus
 * what earlier events of the batch changed. An event naming an organisation
 * not registered yet gets a second chance after the others (its
 * registration may come later in the same batch).
 */
async function decideAll(
  round: readonly Candidate[],
  loaded: Loaded,
  deps: ProcessorDependencies,
  divisions: Divisions,
  settle: (c: Candidate, o: ProcessOutcome) => void,
  retry: (c: Candidate, e: RetryableProcessingError) => void,
): Promise<{ decided: Decided[]; pages: ReadonlyMap<string, number> }> {
  const state = new Map(loaded.state);
  const fetched = new Set(loaded.fetched);
  const pages = new Map(loaded.pages);
  const loadMissing = async (events: readonly DomainEvent[]): Promise<void> => {
    for (;;) {
      const missing = [...new Set(events.flatMap((e) => missingStateKeys(e, state, fetched, divisions)))];
      if (missing.length === 0) return;
      for (const key of missing) fetched.add(key);
      const loaded = await deps.store.load(missing);
      for (const [key, item] of loaded.state) if (!state.has(key)) state.set(key, item);
      for (const [key, count] of loaded.pages) if (!pages.has(key)) pages.set(key, count);
    }
  };
  await loadMissing(round.map((c) => c.domain));

  const decided: Decided[] = [];
  const settling: Promise<void>[] = [];
  const decideOne = async (c: Candidate): Promise<Decision> => {
    await loadMissing([c.domain]);
    const decision = applyEvent(c.domain, state, { rewards: deps.rewards, ...divisions });
    if (decision.outcome === 'apply') {
      for (const write of decision.writes) state.set(write.key, write.item);
      decided.push({ candidate: c, decision, read: missingStateKeys(c.domain, state, new Set(), divisions) });
    }
    return decision;
  };
  const unknown: Candidate[] = [];
  for (const c of round) {
    const decision = await decideOne(c);
    if (decision.outcome === 'reject') settling.push(rejectAndSettle(c, decision.reason, decision.detail, deps, settle));
    else if (decision.outcome === 'unknown_org') unknown.push(c);
  }
  // Still naming an unregistered organisation: a try, counted per message by us rather than read from the queue's receive
  // count, so that deliveries that waited out a maintenance pause (they never get here) are none.
  const lastDelivery = deps.lastDelivery ?? eventsQueue.maxReceiveCount;
  const triedAgain = async (c: Candidate, orgCodes: readonly string[]): Promise<void> => {
    const tries = await deps.store.countUnknownOrgTry(c.message.messageId);
    if (tries >= deps.unknownOrgMaxAttempts || c.message.receiveCount >= lastDelivery) {
      await rejectAndSettle(c, 'unknown_org', `organisation(s) ${orgCodes.join(', ')} never registered`, deps, settle);
    } else retry(c, new UnknownOrgPendingError(orgCodes.length));
  };
  for (const c of unknown) {
    const decision = await decideOne(c);
    if (decision.outcome === 'reject') settling.push(rejectAndSettle(c, decision.reason, decision.detail, deps, settle));
    else if (decision.outcome === 'unknown_org') settling.push(triedAgain(c, decision.orgCodes));
  }
  await Promise.all(settling);
  return { decided, pages };
}

/** What the round's first read found. */
interface Loaded {
  readonly state: ReadonlyMap<string, StateItem>;
  readonly pages: ReadonlyMap<string, number>;
  readonly fetched: readonly string[];
}


async function rejectAndSettle(c: Candidate, reason: RejectionReason, detail: string, deps: ProcessorDependencies, settle: (c: Candidate, o: ProcessOutcome) => void): Promise<void> {
  await deps.store.recordRejection(rejectionOf(c, reason, detail, deps.now ?? (() => new Date())));
  const { source, id, type } = c.event;
  settle(c, { outcome: 'rejected', reason, source, id, type });
}

function effectsOf(decision: Decided['decision']): Effects {
  return { deltas: decision.deltas, distinct: decision.distinct ?? [], baselines: decision.baselines ?? [] };
}

function acceptedRecord(d: Decided, divisions: Divisions, now: () => Date): AcceptedRecord {
  const { event, domain, contentHash, receivedAt } = d.candidate;
  return {
    source: event.source,
    id: event.id,
    type: event.type,
    time: event.time,
    date: event.date,
    data: domain.data,
    contentHash,
    receivedAt,
    processedAt: now().toISOString(),
    divisions: [...new Set(d.decision.divisions.flatMap((x) => divisions.lineage(x)))],
    effects: effectsOf(d.decision),
    explain: explainEntries(event.date, effectsOf(d.decision), divisions.lineage),
  };
}

/** Transactions of one batch in flight at once (each checks its own fence shard). */
const commitsInFlight = 4;

/**
 * Commits the planned transactions, several at a time. A transaction waits
 * for every earlier one that writes an item it writes or whose state it was
 * decided on, so transactions in flight together never share an item (on
 * DynamoDB they would cancel each other) and a decision never lands before
 * the state it was made on. Events of a transaction that fails (another
 * processor got there first, or state moved), or that depends on one that
 * failed, go back for another round; those committed are settled.
 *
 * Events decided again after a race share transactions like any others:
 * once a race was met, a transaction of several events reads its state's
 * versions first and leaves out what moved meanwhile (`commitUnlessMoved`),
 * so a hot item costs a read, not a transaction of its own. (Sending such
 * events alone took 3–4 times the transactions and more cancellations with
 * 8 pollers: a transaction of one is sent unread.) Only a cancellation that
 * names no item, which no read can foresee, makes every event go alone from
 * the third round on.
 */
async function commitAll(
  decided: Decided[],
  round: {
    readonly fence: Fence;
    /** How many stored pages each state item read had (surplus continuations are deleted). */
    readonly storedPages: ReadonlyMap<string, number>;
    /** A cancellation of an earlier round named no item. */
    readonly unexplained: boolean;
    readonly attempt: number;
  },
  deps: ProcessorDependencies,
  divisions: Divisions,
  now: () => Date,
  settle: (c: Candidate, o: ProcessOutcome) => void,
): Promise<{ uncommitted: Candidate[]; fenced: boolean; unexplained: boolean }> {
  const { fence, attempt } = round;
  const records = new Map(decided.map((d) => [d, acceptedRecord(d, divisions, now)]));
  const recordOf = (d: Decided): AcceptedRecord => records.get(d) as AcceptedRecord;
  const units = planUnits(decided, {
    fence,
    storedPages: round.storedPages,
    lineage: divisions.lineage,
    recordOf,
    alone: () => round.unexplained && attempt >= 2,
  });
  const decidedAt = new Map(decided.map((d, i) => [d, i]));
  /** What events whose transaction failed or was never sent would have written: a later decision on it must not go. */
  const notLanded = new LostWrites(decidedAt);
  const uncommitted = units.map((): Candidate[] => []);
  let unexplained = false;
  // Asked as each transaction goes: a race met by any processor of this process meanwhile counts.
  const racing = (): boolean => round.unexplained || unexplained || Date.now() - lastContentionAt < recentContentionMs;
  let fenced = false;
  const slots = commitSlots(commitsInFlight);
  const waitsFor = unitDependencies(units);
  const finished: Promise<void>[] = [];
  for (const [index, unit] of units.entries()) {
    const before = (waitsFor[index] as number[]).map((i) => finished[i]);
    finished.push(
      (async () => {
        await Promise.all(before);
        // The events decided on writes that did not land wait for the next round; the rest go now.
        const members = fenced ? [] : notDecidedOn(unit.members, new Set(), decidedAt, (m) => notLanded.decidedOn(m));
        const options = { validate: racing(), attempt, decidedAt, recordOf, lineage: divisions.lineage };
        const sent = members.length === 0 ? undefined : await slots.run(() => commitUnlessMoved(unit, members, options, deps));
        const result = sent?.result;
        if (result?.status === 'fenced') fenced = true;
        if (sent !== undefined && sent.moved.length > 0) lastContentionAt = Date.now();
        if (result?.status === 'contention' || (result?.status === 'stale_state' && result.keys.length === 0)) unexplained = true;
        const landed = new Set(result?.status === 'committed' ? sent?.members : []);
        const failed = unit.members.filter((m) => !landed.has(m));
        uncommitted[index] = failed.map((m) => m.candidate);
        for (const m of failed) notLanded.add(m);
        if (result?.status !== 'committed') return;
        const [first, ...rest] = unit.plans as [TransactionPlan, ...TransactionPlan[]];
        if (rest.length > 0) {
          const record = first.events[0] as AcceptedRecord;
          await completeChunks(record.source, record.id, unit.plans.length, deps, rest);
        }
        const perEvent = Math.round((result.itemsWritten / landed.size) * 100) / 100;
        for (const { candidate, decision } of landed) {
          const { source, id, type } = candidate.event;
          settle(candidate, { outcome: 'accepted', source, id, type, itemsWritten: perEvent, ...(decision.note === undefined ? {} : { note: decision.note }) });
        }
      })(),
    );
  }
  // Every transaction is waited for, even after one failed: none may still be in flight when the batch answers.
  const failures = (await Promise.allSettled(finished)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw failures[0]?.reason;
  return { uncommitted: uncommitted.flat(), fenced, unexplained };
}

/** When a processor of this process last met state another processor had moved. */
let lastContentionAt = Number.NEGATIVE_INFINITY;
/** How long after that transactions of several events check their state first. */
const recentContentionMs = 30_000;

/** Forgets that this process met contention: the bench starts each measured pass as a fresh process would. */
export const forgetContention = (): void => {
  lastContentionAt = Number.NEGATIVE_INFINITY;
};

/**
 * Commits a unit's first transaction, for `members` (the unit's events, or
 * those of them not decided on a write that did not land). When another processor moved state
 * the unit writes, the events decided on it — those that read or write a
 * moved item, and those decided after one of these on an item it writes —
 * are left out for another round, and the rest go at once, in a
 * transaction of their own: their decisions hold, as a replay of the same
 * events without those would have made them. The moved items are known from
 * DynamoDB's cancellation reasons, or before anything is sent: with
 * `validate` (racing processors were met lately) a transaction of several
 * events first reads the versions of the state it writes, since a cancelled
 * transaction of a hundred items costs as much as a committed one. When
 * another transaction in flight holds some of its items (DynamoDB cancels
 * with `TransactionConflict`, item by item), nothing decided is wrong. When
 * only counter items are held (another batch writing a township's month),
 * the same transaction goes again a round trip later, when the holder is
 * done, at most twice: counter changes add up in any order, and the events
 * keep their shared transaction. Otherwise, or when it is still held, the
 * events that write a held item (and those decided on what they write) are
 * left for the next round, and the rest go at once; a held fence shard only
 * means sending the same transaction on another.
 * Every transaction sent keeps all its conditions: the reads and the reasons
 * only choose what to send.
 *
 * Returns how the last transaction sent went, the events it held, and the
 * state items found moved.
 */
async function commitUnlessMoved(
  unit: Unit<Decided>,
  sending: readonly Decided[],
  options: {
    readonly validate: boolean;
    readonly attempt: number;
    readonly decidedAt: ReadonlyMap<Decided, number>;
    readonly recordOf: (d: Decided) => AcceptedRecord;
    readonly lineage: (division: string) => readonly string[];
  },
  deps: ProcessorDependencies,
): Promise<{ result: CommitResult; members: readonly Decided[]; moved: readonly string[] }> {
  let plan = unit.plans[0] as TransactionPlan;
  let members = unit.members;
  const moved: string[] = [];
  /** Sends only `left` from now on; false if none is left. */
  const keepOnly = (left: readonly Decided[]): boolean => {
    members = left;
    if (members.length > 0) plan = planFor(members, { fence: plan.fence, storedPages: plan.storedPages, lineage: options.lineage, recordOf: options.recordOf });
    return members.length > 0;
  };
  if (sending.length < members.length) keepOnly(sending);
  /** Leaves out the events decided on what moved; false if none is left. */
  const leaveOut = (keys: readonly string[]): boolean => {
    moved.push(...keys);
    return keepOnly(notDecidedOn(members, new Set(moved), options.decidedAt));
  };
  /** Leaves out the events that write an item another transaction holds, and those decided on what they write; false if none is left. */
  const leaveOutBusy = (busy: Extract<CommitResult, { status: 'busy' }>): boolean => {
    const counters = new Set(busy.counters);
    const events = new Set(busy.events);
    const writesHeld = (d: Decided): boolean =>
      events.has(ledgerPk(d.candidate.event.source, d.candidate.event.id)) ||
      (counters.size > 0 && storedCounterChanges(d.decision.deltas, d.decision.distinct ?? [], options.lineage).some((c) => counters.has(counterItemId(c))));
    const left = notDecidedOn(members, new Set(busy.states), options.decidedAt, writesHeld);
    // Nothing to leave out (only the fence shard was held): the same transaction goes again, on the next shard.
    return left.length === members.length || keepOnly(left);
  };
  if (options.validate && members.length > 1 && plan.states.length > 0) {
    const versions = await deps.store.stateVersions(plan.states.map((w) => w.key));
    const found = plan.states.filter((w) => (w.expectedVersion === undefined ? versions.has(w.key) : versions.get(w.key) !== w.expectedVersion)).map((w) => w.key);
    if (found.length > 0 && !leaveOut(found)) return { result: { status: 'stale_state', keys: found }, members: [], moved };
  }
  let waited = 0;
  /** Sends the plan; while another transaction holds only counter items of it, sends it again when that one is done. */
  const send = async (): Promise<CommitResult> => {
    for (;;) {
      const result = await deps.store.commit(plan, options.attempt);
      const countersHeld = result.status === 'busy' && result.counters.length > 0 && result.states.length === 0 && result.events.length === 0;
      if (!countersHeld || waited >= maxWaitsForHeldCounters) return result;
      waited++;
      await roundTrip();
    }
  };
  for (let sent = 1; ; sent++) {
    const result = await send();
    if (result.status === 'busy' && sent < maxSendsPerUnit) {
      if (!leaveOutBusy(result)) return { result, members: [], moved };
      continue;
    }
    if (result.status !== 'stale_state' || result.keys.length === 0 || members.length === 1 || sent >= maxSendsPerUnit) {
      return { result, members, moved: result.status === 'stale_state' ? [...moved, ...result.keys] : moved };
    }
    if (!leaveOut(result.keys)) return { result, members: [], moved };
  }
}

/** Transactions sent for one unit, each without the events the last one's cancellation named. */
const maxSendsPerUnit = 3;
/** Times a unit's transaction whose counter items another transaction holds is sent again unchanged, a round trip later. */
const maxWaitsForHeldCounters = 2;

/** For each unit, the earlier units it waits for: those writing an item it writes, or state one of its events read. */
function unitDependencies(units: readonly Unit<Decided>[]): number[][] {
  const lastWriter = new Map<string, number>();
  return units.map((unit, index) => {
    const writes = new Set<string>();
    const reads = new Set<string>();
    for (const plan of unit.plans) {
      for (const w of plan.states) writes.add(`S|${w.key}`);
      for (const c of plan.counters) writes.add(`C|${c.pk}|${c.sk}`);
      for (const b of plan.baselines) writes.add(`B|${b.metric}|${b.division}|${b.asOf}`);
    }
    for (const m of unit.members) for (const key of m.read) reads.add(`S|${key}`);
    const before = new Set<number>();
    for (const key of [...writes, ...reads]) {
      const writer = lastWriter.get(key);
      if (writer !== undefined) before.add(writer);
    }
    for (const key of writes) lastWriter.set(key, index);
    return [...before];
  });
}

/** Runs at most `size` tasks at once, in the order they ask. */
function commitSlots(size: number): { run<T>(task: () => Promise<T>): Promise<T> } {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async run(task) {
      if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      else free--;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next === undefined) free++;
        else next();
      }
    },
  };
}

/**
 * Applies the chunks of a chunked event that are not applied yet. Without
 * `plans`, they are recomputed from the event's recorded effects (a
 * redelivery after an interruption).
 */
async function completeChunks(source: string, id: string, chunks: number, deps: ProcessorDependencies, plans?: readonly TransactionPlan[]): Promise<void> {
  const fence = await deps.store.readFence();
  if (fence.paused) throw new MaintenanceInProgressError();
  let todo = plans;
  if (todo === undefined) {
    const recorded = await deps.store.effectsOf(source, id);
    if (recorded === undefined) throw new ProcessingError('a chunked event has no recorded effects');
    const lineage = (d: string): readonly string[] => deps.divisions.lineage(d);
    const changes = storedCounterChanges(recorded.effects.deltas, recorded.effects.distinct, lineage);
    const entries = splitHomeEntries(explainEntries(recorded.event.date, recorded.effects, lineage), recorded.event.date).rest;
    const applied = await deps.store.appliedChunks(source, id, chunks);
    todo = chunkShares(changes, explainItems(recorded.event, entries), fence, { source, id }).filter((plan) => !applied.has(plan.chunk?.index ?? 0));
  }
  for (const plan of todo) {
    for (let attempt = 0; ; attempt++) {
      const result = await deps.store.commit({ ...plan, fence }, attempt);
      if (result.status === 'committed' || result.status === 'chunk_applied') break;
      if (result.status === 'fenced') throw new MaintenanceInProgressError();
      if (attempt >= 5) throw new RetryableProcessingError('a chunk of a large event kept meeting concurrent changes');
      await backoff(attempt + 1);
    }
  }
}

/** About one DynamoDB transaction's round trip, jittered (10–20 ms). */
function roundTrip(): Promise<void> {
  return backoff(0);
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Processes one message on its own. Returns its recorded outcome; throws a
 * RetryableProcessingError when nothing was recorded and the queue should
 * deliver it again.
 */
export async function processEvent(message: IncomingMessage, deps: ProcessorDependencies): Promise<ProcessOutcome> {
  const result = (await processBatch([message], deps)).get(message.messageId) as MessageResult;
  if (!result.ok) throw result.error;
  return result.outcome;
}
