/**
 * Validation of one incoming event against the contract: envelope, producer
 * allowlist and the data shape of its type.
 */
import type * as z from 'zod/mini';
import type { ValidatedEvent } from './envelope.ts';
import { envelopeProblems, isEventId, isPrintableFieldName, isSourceName, maxEventBytes } from './envelope.ts';
import type { EventType } from './event-types.ts';
import { dataSchemas, divisionPaths, isEventType } from './event-types.ts';
import { containsResidentId } from './identifiers.ts';
import type { StringFinding } from './string-scan.ts';
import { formatFieldPath, scanStrings } from './string-scan.ts';
import { shanghaiDate } from './time.ts';

/** Why an event was rejected: the first four come from validation, the last two from processing. */
export type RejectionReason = 'invalid_envelope' | 'invalid_data' | 'unknown_type' | 'forbidden_type' | 'conflict' | 'unknown_org';

/** Every rejection reason, in EVENTS.md order. */
export const rejectionReasons: readonly RejectionReason[] = Object.freeze([
  'invalid_envelope',
  'invalid_data',
  'unknown_type',
  'forbidden_type',
  'conflict',
  'unknown_org',
] as const);

/** The rejection reasons {@link validateEvent} can give. */
export type ValidationRejectionReason = Extract<RejectionReason, 'invalid_envelope' | 'invalid_data' | 'unknown_type' | 'forbidden_type'>;

export type ValidationResult =
  | { readonly ok: true; readonly event: ValidatedEvent }
  | {
      readonly ok: false;
      readonly reason: ValidationRejectionReason;
      /** What is wrong, naming fields and paths; never contains a submitted value. */
      readonly detail: string;
      /**
       * Present when `source` and `id` both passed their checks (well-formed,
       * no ID number), so the rejection can be recorded under them.
       */
      readonly key?: { readonly source: string; readonly id: string };
      /** The submitted `source`, when it passed its checks (also when `id` did not). */
      readonly source?: string;
      /** The submitted `id`, when it passed its checks (also when `source` did not). */
      readonly id?: string;
      /** The submitted `type`, only when it is a type of this contract: any other text may be personal data. */
      readonly type?: EventType;
    };

export interface ValidationOptions {
  /** The reference clock for "not more than 5 minutes in the future". */
  readonly now: Date;
  /** Producer allowlist: source → event types it may send. */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  /** When given, `division` fields must name a division for which this returns true (for events of `type`). */
  readonly isDivision?: (code: string, type: EventType) => boolean;
}

/** Issues listed in one detail string; the rest are counted. */
const maxIssuesInDetail = 8;

/**
 * Validates one event: the raw SQS body or one element of a POST array,
 * either as the JSON text or already parsed.
 *
 * Checks run in this order and the first failing group decides the reason:
 * 1. not JSON, not a JSON object, or over 256 KiB of UTF-8 JSON → `invalid_envelope`;
 * 2. every string and field name, envelope included: a resident ID number
 *    anywhere but the `idNumber` fields → `invalid_data` (EVENTS.md says so
 *    for the envelope's `id` too; it comes first so that no later rule, such
 *    as `unknown_type`, keeps or echoes the text); text that was not valid
 *    UTF-8 (U+FFFD, unpaired surrogates) → `invalid_data` inside `data`,
 *    `invalid_envelope` elsewhere;
 * 3. `type` missing or not a string → `invalid_envelope`; a string that is not
 *    a contract type → `unknown_type`;
 * 4. the other envelope rules (unknown fields, specversion, id, source, time,
 *    datacontenttype, data an object) → `invalid_envelope`;
 * 5. source not registered or not allowed this type → `forbidden_type`;
 * 6. data not matching its type's schema, or naming a division outside the
 *    tree → `invalid_data`.
 *
 * A rejection reports back only values that passed their checks (`key`,
 * `source`, `type`), and its detail names fields, never values.
 *
 * Never throws for any input.
 */
export function validateEvent(body: unknown, options: ValidationOptions): ValidationResult {
  const envelope = parseBody(body);
  if (typeof envelope === 'string') return { ok: false, reason: 'invalid_envelope', detail: envelope };

  const rawSource = envelope['source'];
  const rawId = envelope['id'];
  const rawType = envelope['type'];
  const source = isSourceName(rawSource) && !containsResidentId(rawSource) ? rawSource : undefined;
  const id = isEventId(rawId) && !containsResidentId(rawId) ? rawId : undefined;
  const key = source !== undefined && id !== undefined ? { source, id } : undefined;
  const reported = {
    ...(key === undefined ? {} : { key }),
    ...(source === undefined ? {} : { source }),
    ...(id === undefined ? {} : { id }),
    ...(typeof rawType === 'string' && isEventType(rawType) ? { type: rawType } : {}),
  };
  const findings = scanStrings(envelope);
  const idNumbers = findings.filter((f) => f.kind === 'residentId');
  if (idNumbers.length > 0) return { ok: false, reason: 'invalid_data', detail: listed(idNumbers), ...reported };
  if (findings.length > 0) {
    return { ok: false, reason: findings.every((f) => f.inData) ? 'invalid_data' : 'invalid_envelope', detail: listed(findings), ...reported };
  }
  if (typeof rawType !== 'string') {
    return { ok: false, reason: 'invalid_envelope', detail: 'type: required, a string', ...reported };
  }
  if (!isEventType(rawType)) return { ok: false, reason: 'unknown_type', detail: 'type: not an event type of this contract', ...reported };
  const type: EventType = rawType;

  const problems = envelopeProblems(envelope, options.now);
  if (problems.length > 0 || key === undefined) {
    return { ok: false, reason: 'invalid_envelope', detail: problems.join('; '), ...reported };
  }

  const allowed = Object.hasOwn(options.sources, key.source) ? options.sources[key.source] : undefined;
  if (!Array.isArray(allowed)) return { ok: false, reason: 'forbidden_type', detail: 'source: not a registered producer', ...reported };
  if (!allowed.includes(type)) return { ok: false, reason: 'forbidden_type', detail: 'type: this source may not send events of this type', ...reported };

  const rawData = envelope['data'];
  const parsed = (dataSchemas[type] as z.ZodMiniType).safeParse(rawData);
  if (!parsed.success) return { ok: false, reason: 'invalid_data', detail: describeIssues(parsed.error.issues, rawData), ...reported };
  const data = parsed.data as Record<string, unknown>;
  if (options.isDivision !== undefined) {
    for (const path of divisionPaths(type)) {
      const code = valueAt(data, path);
      if (typeof code === 'string' && !options.isDivision(code, type)) {
        return { ok: false, reason: 'invalid_data', detail: `${formatPath(path)}: not a division of this deployment`, ...reported };
      }
    }
  }

  const time = envelope['time'] as string;
  const event = {
    specversion: '1.0',
    id: key.id,
    source: key.source,
    type,
    time,
    ...(envelope['datacontenttype'] === undefined ? {} : { datacontenttype: 'application/json' }),
    date: shanghaiDate(time),
    data,
  } as ValidatedEvent;
  return { ok: true, event };
}

/** The envelope as an object, or why it is not one. */
function parseBody(body: unknown): Record<string, unknown> | string {
  let value: unknown = body;
  if (typeof body === 'string') {
    if (Buffer.byteLength(body, 'utf8') > maxEventBytes) return 'event is larger than 256 KiB';
    try {
      value = JSON.parse(body);
    } catch {
      return 'body is not JSON';
    }
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(body);
    } catch {
      return 'event cannot be represented as JSON';
    }
    if (text !== undefined && Buffer.byteLength(text, 'utf8') > maxEventBytes) return 'event is larger than 256 KiB';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'event must be a JSON object';
  return value as Record<string, unknown>;
}

function formatPath(path: readonly PropertyKey[]): string {
  return formatFieldPath(['data', ...path.map((segment) => (typeof segment === 'symbol' ? '?' : segment))]);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || typeof segment === 'symbol') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * Messages built from each issue's code and limits. zod/mini leaves
 * messages generic, and its issues can carry the input, so nothing from the
 * input but field names that look like identifiers is ever written out.
 */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'custom':
      return `${where}: ${issue.message}`;
    case 'invalid_type': {
      if (valueAt(data, issue.path) === undefined) return `${where}: required`;
      const expected = issue.expected === 'int' ? 'an integer' : issue.expected === 'object' || issue.expected === 'array' ? `an ${issue.expected}` : `a ${issue.expected}`;
      return `${where}: must be ${expected}`;
    }
    case 'too_small':
      return `${where}: ${boundText(issue.origin, 'at least', '≥', Number(issue.minimum))}`;
    case 'too_big':
      return `${where}: ${boundText(issue.origin, 'at most', '≤', Number(issue.maximum))}`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys': {
      const named = issue.keys.filter(isPrintableFieldName);
      const unnamed = issue.keys.length - named.length;
      return `${where}: unknown field(s) ${[...named, ...(unnamed > 0 ? [`${unnamed} unnamed field(s)`] : [])].join(', ')}`;
    }
    default:
      return `${where}: invalid`;
  }
}

function boundText(origin: string, words: string, symbol: string, bound: number): string {
  if (origin === 'string') return `must be ${words} ${bound} character(s)`;
  if (origin === 'array' || origin === 'set') return `must have ${words} ${bound} item(s)`;
  return `must be ${symbol} ${bound}`;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string {
  return joinDetails(issues.map((issue) => describeIssue(issue, data)));
}

function listed(findings: readonly StringFinding[]): string {
  return joinDetails(findings.map((f) => f.detail));
}

function joinDetails(details: readonly string[]): string {
  const shown = details.slice(0, maxIssuesInDetail);
  const more = details.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more problem(s)` : shown.join('; ');
}
