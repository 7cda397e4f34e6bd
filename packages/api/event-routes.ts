/**
 * `POST /v1/events` and `GET /v1/events/{source}/{id}`: the edge door for
 * events, validating exactly as the processor does and recording every event
 * it rejects in the Ledger, so the outcome route answers for it.
 */
import type { Caller } from '../auth/claims.ts';
import type { ValidationResult } from '../contract/index.ts';
import { validationOptionsFor } from '../contract/index.ts';
import type { RejectedRecord } from '../storage/ledger-records.ts';
import { rejectionRecord, unidentifiedSource } from '../processing/rejection-record.ts';
import type * as z from 'zod/mini';
import type { RouteContext } from './route.ts';
import { ApiError } from './problems.ts';
import type { eventOutcome, submissionResults } from './schemas.ts';

/** Largest request body accepted, bytes (the local server enforces the same). */
export const maxRequestBytes = 1024 * 1024;
/** Most events in one `POST /v1/events`. */
export const maxEventsPerRequest = 100;

/**
 * Why a producer's event for another source is refused: `forbidden_type`, the
 * contract's reason for "this source may not send this", with a detail that
 * says it was the token, not the allowlist.
 */
export const foreignSourceDetail = 'source: this token may send events only as its own producer source';

/** The events of a request body: one CloudEvent or a non-empty array of at most {@link maxEventsPerRequest}. */
function eventsOf(text: string): unknown[] {
  if (Buffer.byteLength(text) > maxRequestBytes) throw new ApiError('payload-too-large', `the body exceeds ${maxRequestBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new ApiError('invalid-body', 'the body is not JSON', { cause });
  }
  if (body === null || typeof body !== 'object') throw new ApiError('invalid-body', 'the body must be one CloudEvent (object) or an array of them');
  const events: unknown[] = Array.isArray(body) ? body : [body];
  if (events.length === 0) throw new ApiError('invalid-body', 'the array is empty');
  if (events.length > maxEventsPerRequest) throw new ApiError('invalid-body', `at most ${maxEventsPerRequest} events per request`);
  return events;
}

/** A valid event is still refused when a producer token sends it under another source. */
function withSourceCheck(caller: Caller, validation: ValidationResult): ValidationResult {
  if (!validation.ok || caller.role !== 'producer' || validation.event.source === caller.source) return validation;
  const { source, id, type } = validation.event;
  return { ok: false, reason: 'forbidden_type', detail: foreignSourceDetail, key: { source, id }, source, id, type };
}

type Submission = z.infer<typeof submissionResults>;

/**
 * Validates each event, records every rejection, queues the valid ones.
 * Rejections are recorded before anything is queued: if recording fails the
 * request fails as a whole and can simply be sent again.
 */
export async function submitEvents({ caller, request, deps, scopes }: RouteContext<object>): Promise<Submission> {
  if (caller.role !== 'producer' && !scopes.isRootAdmin(caller)) {
    throw new ApiError('forbidden', `submitting events needs the producer role, or the admin role for division ${deps.divisions.rootCode}`);
  }
  const events = eventsOf(request.body ?? '');
  const now = deps.now();
  const options = validationOptionsFor(deps, now);
  const validations = events.map((event) => withSourceCheck(caller, deps.validateEvent(event, options)));

  const at = now.toISOString();
  // A rejected event is answered under the key its record is stored under, so its outcome can be read back.
  const records = new Map<number, RejectedRecord>();
  validations.forEach((validation, index) => {
    if (!validation.ok) {
      records.set(index, rejectionRecord({ validation, body: events[index], pseudonymiser: deps.pseudonymiser, messageId: `${request.requestId}.${index}`, receivedAt: at, processedAt: at }));
    }
  });
  const keys = validations.map((validation, index) => {
    const record = records.get(index);
    return validation.ok ? { source: validation.event.source, id: validation.event.id } : { source: record?.source ?? unidentifiedSource, id: record?.id ?? '' };
  });
  await Promise.all([...records.values()].map((record) => deps.recordRejection(record)));

  const queuedIndexes = validations.flatMap((validation, index) => (validation.ok ? [index] : []));
  const notTaken = queuedIndexes.length === 0 ? new Set<number>() : await deps.queue.send(queuedIndexes.map((index) => JSON.stringify(events[index])));
  const notTakenIndexes = new Set([...notTaken].map((i) => queuedIndexes[i]));

  const results = validations.map((validation, index) => {
    const key = keys[index] as { source: string; id: string };
    if (!validation.ok) return { index, ...key, status: 'rejected' as const, reason: validation.reason, detail: validation.detail };
    return notTakenIndexes.has(index)
      ? { index, ...key, status: 'rejected' as const, reason: 'queue_unavailable' as const, detail: 'the queue did not take the event; send it again' }
      : { index, ...key, status: 'queued' as const };
  });
  return { results };
}

type Outcome = z.infer<typeof eventOutcome>;

/** The recorded outcome; "absent" and "not yours" answer alike, so existence does not leak. */
export async function getEventOutcome({ caller, params, deps, scopes }: RouteContext<object>): Promise<Outcome> {
  const source = params['source'] ?? '';
  const id = params['id'] ?? '';
  const notFound = new ApiError('unknown-event', 'no outcome recorded for this event within your scope');
  // Longer than the contract allows: cannot exist, so no read.
  if (source.length > 64 || id.length > 128) throw notFound;
  const outcome = await deps.ledger.outcomeOf(source, id);
  if (outcome === undefined || !scopes.mayReadOutcome(caller, outcome)) throw notFound;
  return {
    source: outcome.source,
    id: outcome.id,
    type: outcome.type ?? null,
    outcome: outcome.outcome,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason as Outcome['reason'] }),
    receivedAt: outcome.receivedAt,
    processedAt: outcome.processedAt,
  };
}
