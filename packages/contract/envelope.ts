/**
 * The CloudEvents 1.0 envelope (JSON structured mode) as EVENTS.md restricts it.
 */
import type { EventData, EventType } from './event-types.ts';
import { parseTimestamp } from './time.ts';

/** Largest accepted event: 256 KiB of UTF-8 JSON, the SQS message limit. */
export const maxEventBytes = 256 * 1024;

/** How far in the future an event's `time` may lie, to absorb producers' clock skew. */
export const maxClockSkewMs = 5 * 60 * 1000;

/** Events cannot have happened before records began: 2000-01-01T00:00:00Z. */
export const earliestEventMs = Date.UTC(2000, 0, 1);

/** The only fields an envelope may have. */
export const envelopeFields: readonly string[] = Object.freeze(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data']);

const idPattern = /^[\x20-\x7e]{1,128}$/;
const sourcePattern = /^[a-z][a-z0-9.-]{1,63}$/;

/** An event that passed every contract check. Envelope fields are as sent. */
export interface ValidatedEvent<T extends EventType = EventType> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: T;
  readonly time: string;
  readonly datacontenttype?: 'application/json';
  /** Asia/Shanghai calendar date of `time`, `YYYY-MM-DD`: the day the event counts on. */
  readonly date: string;
  readonly data: EventData<T>;
}

/** True when `id` is 1–128 printable ASCII characters (0x20–0x7E). */
export function isEventId(id: unknown): id is string {
  return typeof id === 'string' && idPattern.test(id);
}

/** True when `source` matches `^[a-z][a-z0-9.-]{1,63}$`. */
export function isSourceName(source: unknown): source is string {
  return typeof source === 'string' && sourcePattern.test(source);
}

/** Field names safe to repeat in a message: identifier-like, so never an ID number or other value. */
export function isPrintableFieldName(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key);
}

/**
 * Everything wrong with an envelope, one entry per field, each naming the
 * field and the rule but never the value. Empty when the envelope is valid.
 * `type` is checked by the caller (it decides between unknown_type and
 * invalid_envelope).
 */
export function envelopeProblems(envelope: Readonly<Record<string, unknown>>, now: Date): string[] {
  const problems: string[] = [];
  const unknown = Object.keys(envelope).filter((key) => !envelopeFields.includes(key));
  if (unknown.length > 0) {
    const named = unknown.filter(isPrintableFieldName);
    const unnamed = unknown.length - named.length;
    const names = [...named, ...(unnamed > 0 ? [`${unnamed} unnamed field(s)`] : [])];
    problems.push(`unknown envelope field(s): ${names.join(', ')}`);
  }
  if (envelope['specversion'] !== '1.0') problems.push('specversion: must be "1.0"');
  if (!isEventId(envelope['id'])) problems.push('id: must be 1–128 printable ASCII characters');
  if (!isSourceName(envelope['source'])) problems.push('source: must match ^[a-z][a-z0-9.-]{1,63}$');
  const time = envelope['time'];
  const instant = typeof time === 'string' ? parseTimestamp(time) : undefined;
  if (instant === undefined) {
    problems.push('time: must be an RFC 3339 timestamp with an offset (Z or ±hh:mm) and a real date');
  } else if (instant.epochMs < earliestEventMs) {
    problems.push('time: must not be before 2000-01-01T00:00:00Z');
  } else {
    const latest = now.getTime() + maxClockSkewMs;
    if (instant.epochMs > latest || (instant.epochMs === latest && instant.subMillisecond)) {
      problems.push('time: must not be more than 5 minutes in the future');
    }
  }
  const contentType = envelope['datacontenttype'];
  if (contentType !== undefined && contentType !== 'application/json') {
    problems.push('datacontenttype: must be "application/json" when present');
  }
  const data = envelope['data'];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) problems.push('data: must be an object');
  return problems;
}
