/**
 * The Ledger record of a rejected event, built in one place for both doors
 * (the processor and `POST /v1/events`), so what a rejection keeps is decided
 * here alone.
 */
import type { RejectedRecord } from '../storage/event-store.ts';

/** What is known about a rejected event. */
export interface Rejection {
  readonly source: string;
  readonly id: string;
  /** The submitted type, when it was readable. */
  readonly type?: string | undefined;
  readonly reason: string;
  /** Names fields and rules, never submitted values. */
  readonly detail: string;
  /** The event as submitted (text or parsed JSON): only its hash is kept. */
  readonly body: unknown;
  readonly receivedAt: Date | string;
  readonly processedAt: Date | string;
}

/** Hashes an event's content; the record keeps this, never the content. */
export type ContentHasher = (body: unknown) => string;

/** The record `EventStore.recordRejection` writes for `rejection`. */
export function rejectionRecord(rejection: Rejection, contentHash: ContentHasher): RejectedRecord {
  const iso = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString());
  return {
    source: rejection.source,
    id: rejection.id,
    ...(rejection.type === undefined ? {} : { type: rejection.type }),
    reason: rejection.reason,
    detail: rejection.detail,
    contentHash: contentHash(rejection.body),
    receivedAt: iso(rejection.receivedAt),
    processedAt: iso(rejection.processedAt),
  };
}
