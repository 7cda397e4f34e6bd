import type { DivisionTree, RewardPolicy } from '../config/deployment.ts';
import type { RejectionReason, ValidatedEvent } from '../contract/index.ts';
import { idNumberPaths, validateEvent, validationOptionsFor } from '../contract/index.ts';
import { applyEvent, missingStateKeys } from '../domain/apply-event.ts';
import type { DomainEvent } from '../domain/apply-event.ts';
import { counterChanges } from '../domain/counter-changes.ts';
import type { StateItem } from '../domain/state.ts';
import type { EventStore } from '../storage/event-store.ts';
import { TransactionTooLargeError } from '../storage/event-store.ts';
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

export interface ProcessorDependencies {
  readonly store: EventStore;
  readonly divisions: DivisionTree;
  readonly sources: Readonly<Record<string, readonly string[]>>;
  readonly rewards: RewardPolicy;
  readonly pseudonymiser: Pseudonymiser;
  /** Deliveries before an event naming an unregistered organisation is rejected. */
  readonly unknownOrgMaxAttempts: number;
  readonly now?: () => Date;
  /** Re-decisions after stale state or contention before the message is left to the queue's retry. */
  readonly maxAttempts?: number;
}

export class ProcessingError extends Error {
  override readonly name: string = 'ProcessingError';
}

/** The message should be retried by the queue: nothing was applied. */
export class RetryableProcessingError extends ProcessingError {
  override readonly name: string = 'RetryableProcessingError';
}

export class UnknownOrgPendingError extends RetryableProcessingError {
  override readonly name = 'UnknownOrgPendingError';
  constructor(readonly orgCount: number) {
    super(`event names ${orgCount} organisation(s) not registered yet; retrying`);
  }
}

/** Where a message whose source or id was unusable is recorded. */
export const unidentifiedSource = '_unidentified';

/**
 * Validates one event and applies it exactly once. Returns the recorded
 * outcome; throws a RetryableProcessingError (or an AWS error) when nothing
 * was recorded and the queue should deliver the message again.
 */
export async function processEvent(message: IncomingMessage, deps: ProcessorDependencies): Promise<ProcessOutcome> {
  const now = deps.now ?? (() => new Date());
  const receivedAt = (message.sentAt ?? now()).toISOString();
  const validation = validateEvent(message.body, validationOptionsFor(deps, now()));
  if (!validation.ok) {
    const key = validation.key ?? { source: unidentifiedSource, id: message.messageId };
    const { reason, detail, type } = validation;
    const rejection = { ...key, type, reason, detail, body: message.body, receivedAt, processedAt: now() };
    await deps.store.recordRejection(rejectionRecord(rejection, (body) => deps.pseudonymiser.contentHash(body)));
    return { outcome: 'rejected', reason: validation.reason, ...key, ...(validation.type === undefined ? {} : { type: validation.type }) };
  }
  const event = validation.event;
  const { source, id, type } = event;
  const contentHash = deps.pseudonymiser.contentHash(withoutDerivedFields(event));
  const reject = async (reason: RejectionReason, detail: string): Promise<ProcessOutcome> => {
    await deps.store.recordRejection({ source, id, type, reason, detail, contentHash, receivedAt, processedAt: now().toISOString() });
    return { outcome: 'rejected', reason, source, id, type };
  };
  const settleExisting = async (existingHash: string): Promise<ProcessOutcome> => {
    if (existingHash !== contentHash) return reject('conflict', `an event with this source and id was already accepted with other content`);
    await deps.store.countDuplicate(source, id);
    return { outcome: 'duplicate', source, id, type };
  };

  const domainEvent: DomainEvent = {
    type,
    date: event.date,
    data: deps.pseudonymiser.pseudonymise(event.data, idNumberPaths(type)),
  } as DomainEvent;
  const lineage = (division: string) => deps.divisions.lineage(division);
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (attempt > 0) await backoff(attempt);
    // The first read also asks the ledger, in the same round trip, whether the event is already in.
    const { state, accepted } = await loadNeededState(domainEvent, deps.store, attempt === 0 ? { source, id } : undefined);
    if (accepted !== undefined) return settleExisting(accepted.contentHash);
    const decision = applyEvent(domainEvent, state, { rewards: deps.rewards, rootDivision: deps.divisions.rootCode, lineage });
    if (decision.outcome === 'reject') return reject(decision.reason, decision.detail);
    if (decision.outcome === 'unknown_org') {
      if (message.receiveCount >= deps.unknownOrgMaxAttempts) {
        return reject('unknown_org', `organisation(s) ${decision.orgCodes.join(', ')} never registered`);
      }
      throw new UnknownOrgPendingError(decision.orgCodes.length);
    }
    const changes = counterChanges(decision.deltas, lineage, decision.itemDeltas);
    let result;
    try {
      result = await deps.store.commit(
        {
          source,
          id,
          type,
          time: event.time,
          date: event.date,
          data: domainEvent.data,
          contentHash,
          receivedAt,
          processedAt: now().toISOString(),
          divisions: [...new Set(decision.divisions.flatMap(lineage))],
        },
        { writes: decision.writes, counters: changes, baselines: decision.baselines ?? [] },
        attempt,
      );
    } catch (error) {
      if (error instanceof TransactionTooLargeError) return reject('invalid_data', error.message);
      throw error;
    }
    if (result.status === 'committed') {
      return { outcome: 'accepted', source, id, type, itemsWritten: result.itemsWritten, ...(decision.note === undefined ? {} : { note: decision.note }) };
    }
    if (result.status === 'already_applied') {
      const winner = await deps.store.findAccepted(source, id);
      if (winner !== undefined) return settleExisting(winner.contentHash);
    }
    // stale_state or contention: read again and decide again.
  }
  throw new RetryableProcessingError(`event kept meeting concurrent changes after ${maxAttempts} attempts`);
}

/**
 * Loads every state item the event needs, following keys that depend on
 * loaded items; with `ledgerKey`, also the event's ledger record.
 */
async function loadNeededState(
  event: DomainEvent,
  store: EventStore,
  ledgerKey?: { source: string; id: string },
): Promise<{ state: Map<string, StateItem>; accepted?: { contentHash: string } }> {
  const state = new Map<string, StateItem>();
  const fetched = new Set<string>();
  let accepted: { contentHash: string } | undefined;
  let keys = missingStateKeys(event, state, fetched);
  if (ledgerKey !== undefined) {
    const first = await store.loadState(keys, ledgerKey);
    for (const key of keys) fetched.add(key);
    for (const [key, item] of first.state) state.set(key, item);
    accepted = first.accepted;
    keys = missingStateKeys(event, state, fetched);
  }
  for (; keys.length > 0; keys = missingStateKeys(event, state, fetched)) {
    for (const key of keys) fetched.add(key);
    for (const [key, item] of (await store.loadState(keys)).state) state.set(key, item);
  }
  return accepted === undefined ? { state } : { state, accepted };
}

/** The event as the producer sent it: the same content always hashes the same. */
function withoutDerivedFields(event: ValidatedEvent): Omit<ValidatedEvent, 'date'> {
  const { date: _date, ...sent } = event;
  return sent;
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
