/**
 * The one place a rejection becomes a Ledger record, for the processor and
 * for rejections at the API edge alike.
 *
 * A rejection record keeps only values that passed validation (EVENTS.md,
 * "Identifiers and values"): `source`, `id` and `type` as sent when they
 * passed, and otherwise a keyed hash of what was sent. The detail names
 * fields, never values; the content is kept as a keyed hash only.
 */
import type { ValidationResult } from '../contract/index.ts';
import type { RejectedRecord } from '../storage/ledger-records.ts';
import type { Pseudonymiser } from './pseudonymise.ts';

/** Where a rejection is recorded when its `source` failed validation (no valid source starts with `_`). */
export const unidentifiedSource = '_unidentified';

/** A failed validation, as `validateEvent` returns it. */
export type FailedValidation = Extract<ValidationResult, { ok: false }>;

/** A rejected record plus keyed hashes of the envelope values that failed validation. */
export interface RejectionRecord extends RejectedRecord {
  /** Envelope field → keyed hash ({@link Pseudonymiser.failedValueHash}) of the string sent, for `source`, `id` and `type` when they failed. */
  readonly failedValues?: Readonly<Record<string, string>>;
}

export interface RejectionRecordInput {
  readonly validation: FailedValidation;
  /** The event as received: the SQS body (text) or one element of a `POST /v1/events` array. */
  readonly body: unknown;
  readonly pseudonymiser: Pseudonymiser;
  /** The queue's message id, when there is one: the record's id when the event's own `id` is unusable and was not a string. */
  readonly messageId?: string;
  readonly receivedAt: string;
  readonly processedAt: string;
}

const envelopeKeyFields = ['source', 'id', 'type'] as const;

/** The submitted envelope as an object, or undefined when the body is not one. */
function submittedEnvelope(body: unknown): Readonly<Record<string, unknown>> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The Ledger record of a rejected event. Recorded under (`source`, `id`)
 * when both passed; otherwise under the source that passed (or
 * {@link unidentifiedSource}) and the keyed hash of the `id` sent (or, when
 * no `id` string was sent, the queue's message id, else the content hash),
 * so redeliveries of one bad event land on one record and nothing that
 * failed is stored raw.
 */
export function rejectionRecord(input: RejectionRecordInput): RejectionRecord {
  const { validation, pseudonymiser } = input;
  const contentHash = pseudonymiser.contentHash(input.body);
  const envelope = submittedEnvelope(input.body);
  const passed: Partial<Record<(typeof envelopeKeyFields)[number], string>> = {
    ...(validation.source === undefined ? {} : { source: validation.source }),
    ...(validation.id === undefined ? {} : { id: validation.id }),
    ...(validation.type === undefined ? {} : { type: validation.type }),
  };
  const failedValues: Record<string, string> = {};
  for (const field of envelopeKeyFields) {
    const sent = envelope?.[field];
    if (passed[field] === undefined && typeof sent === 'string') failedValues[field] = pseudonymiser.failedValueHash(field, sent);
  }
  return {
    source: passed.source ?? unidentifiedSource,
    id: passed.id ?? failedValues['id'] ?? input.messageId ?? `h_${contentHash}`,
    ...(passed.type === undefined ? {} : { type: passed.type }),
    reason: validation.reason,
    detail: validation.detail,
    contentHash,
    receivedAt: input.receivedAt,
    processedAt: input.processedAt,
    ...(Object.keys(failedValues).length === 0 ? {} : { failedValues }),
  };
}
