/**
 * Every shape the API reads from a query string or writes in a response,
 * once, as zod/mini schemas. The route table points at them; the OpenAPI
 * document and the CLI client's types are derived from them, so a response
 * shape is written down in exactly one place.
 */
import * as z from 'zod/mini';
import { indicatorCatalog } from '../indicators/catalog.ts';

/** The period forms of INDICATORS.md: `2026`, `2026-Q4`, `2026-11`, `2026-11-24`, `all`. */
export const periodPattern = /^(all|[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)$/;

export const divisionCode = z.string().check(z.regex(/^[0-9]{12}$/, 'must be a 12-digit division code'));
export const orgCode = z.string().check(z.regex(/^[0-9A-Z]{18}$/, 'must be an 18-character unified social credit code'));
export const periodText = z.string().check(z.regex(periodPattern, 'must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or all'));
export const indicatorId = z.enum(indicatorCatalog.map((definition) => definition.id) as [string, ...string[]]);

/** Where a figure is asked for: one of them, or neither for the caller's own division. */
export const scopeQuery = { division: z.optional(divisionCode), orgCode: z.optional(orgCode) };

/** A figure's value and, for ratios, its parts. */
const figureFields = {
  value: z.nullable(z.number()),
  numerator: z.optional(z.number()),
  denominator: z.optional(z.number()),
};

/** Exactly one of `division` and `orgCode` names where a figure is counted. */
const countedAt = { division: z.optional(divisionCode), orgCode: z.optional(orgCode) };

export const healthResponse = z.object({ status: z.literal('ok'), version: z.string() });

export const catalogueResponse = z.object({
  indicators: z.array(
    z.object({
      id: indicatorId,
      pillar: z.enum(['party', 'skills', 'rights']),
      kind: z.enum(['flow', 'stock', 'ratio']),
      unit: z.enum(['count', 'percent', 'yuan']),
      name: z.object({ zh: z.string(), en: z.string() }),
      description: z.string(),
    }),
  ),
});

/** A publication's id, as `POST /v1/admin/publications` makes them: `2026-Q3-20261127T211100Z-9f3a`. */
export const publicationId = z.string().check(z.regex(/^[0-9A-Za-z-]{1,64}$/, 'must be a publication id from GET /v1/publications'));

/** On a year's figure of a division with a target for that year: the target and value ÷ target in percent (half-up, 2 decimals; null for a null value). */
const targetFields = { target: z.optional(z.number()), progress: z.optional(z.nullable(z.number())) };

export const indicatorFigure = z.object({
  indicator: indicatorId,
  ...countedAt,
  period: periodText,
  ...figureFields,
  /** The last Asia/Shanghai date the figure includes. */
  asOf: z.string().check(z.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/)),
  /** With `edition=`: the publication the figure was frozen in. */
  edition: z.optional(publicationId),
  ...targetFields,
});

export const analyticsRow = z.object({ indicator: indicatorId, ...countedAt, period: periodText, ...figureFields, ...targetFields });

export const publicationSummary = z.object({
  id: publicationId,
  period: periodText,
  title: z.string(),
  /** When the figures were frozen (processing paused): later events are revisions. */
  publishedAt: z.string(),
  /** Figures frozen: every catalogue indicator × every division (the root included). */
  figures: z.number().check(z.int(), z.nonnegative()),
  /** SHA-256, hex, of the edition's canonical CSV: `GET /v1/publications/{id}/figures` with `Accept: text/csv`. */
  digest: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export const publicationsPage = z.object({ publications: z.array(publicationSummary), next: z.optional(z.string()) });

/** A frozen figure: as an analytics row of a division. */
export const editionFiguresPage = z.object({
  figures: z.array(z.object({ indicator: indicatorId, division: divisionCode, period: periodText, ...figureFields })),
  next: z.optional(z.string()),
});

export const targetShape = z.object({
  indicator: indicatorId,
  division: divisionCode,
  /** The year the target is for. */
  period: z.string().check(z.regex(/^[0-9]{4}$/)),
  value: z.number(),
});

export const targetsResponse = z.object({ targets: z.array(targetShape) });

export const analyticsPage = z.object({
  rows: z.array(analyticsRow),
  /** Pass as `cursor` for the next page; absent on the last page. */
  next: z.optional(z.string()),
});

export const rejectionReason = z.enum(['invalid_envelope', 'invalid_data', 'unknown_type', 'forbidden_type', 'conflict', 'unknown_org']);

export const eventOutcome = z.object({
  source: z.string(),
  id: z.string(),
  type: z.nullable(z.string()),
  outcome: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.optional(rejectionReason),
  receivedAt: z.string(),
  processedAt: z.string(),
});

export const submissionResults = z.object({
  results: z.array(
    z.object({
      index: z.number().check(z.int(), z.nonnegative()),
      source: z.optional(z.string()),
      id: z.optional(z.string()),
      status: z.enum(['queued', 'rejected']),
      reason: z.optional(z.enum(['invalid_envelope', 'invalid_data', 'unknown_type', 'forbidden_type', 'queue_unavailable'])),
      detail: z.optional(z.string()),
    }),
  ),
});

const skippedEvent = z.object({
  source: z.string(),
  id: z.string(),
  type: z.string(),
  outcome: z.enum(['reject', 'unknown_org']),
  reason: z.string(),
});

const count = z.number().check(z.int(), z.nonnegative());

export const rebuildResponse = z.object({
  rebuilt: z.object({ counters: count, baselines: count, state: count, events: count, deletedCounters: count, deletedState: count, corrections: count, correctionId: z.optional(z.string()) }),
  skippedEvents: z.array(skippedEvent),
});

export const reconcileResponse = z.object({
  differences: z.array(
    z.object({ pk: z.string(), sk: z.string(), metric: z.string(), live: z.nullable(z.number()), recomputed: z.nullable(z.number()) }),
  ),
  differenceCount: count,
  truncated: z.boolean(),
  checkedItems: count,
  events: count,
  skippedEvents: z.array(skippedEvent),
});

/** The OpenAPI document is JSON; its own schema is the OpenAPI specification's. */
export const openApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.looseObject({}) });

/** One rejected event, as `GET /v1/rejections` lists it: what passed validation, never what failed. */
export const rejectionSummary = z.object({
  source: z.string(),
  id: z.string(),
  type: z.nullable(z.string()),
  reason: rejectionReason,
  /** Names fields, never values. */
  detail: z.string(),
  receivedAt: z.string(),
  processedAt: z.string(),
});

export const rejectionsPage = z.object({
  /** First and last day of the window (UTC), inclusive. */
  from: z.string(),
  to: z.string(),
  /** Rejections of the whole window the caller may see, by reason, largest first (every page carries them). */
  byReason: z.array(z.object({ reason: rejectionReason, count: z.number().check(z.int(), z.nonnegative()) })),
  total: z.number().check(z.int(), z.nonnegative()),
  /** True when the window held more rejections than one request reads: the counts cover the newest ones. */
  truncated: z.boolean(),
  /** This page, newest first (only `reason` when that filter is given). */
  rejections: z.array(rejectionSummary),
  next: z.optional(z.string()),
});

const eventReference = z.object({ source: z.string(), id: z.string() });

/** Which part of a figure: its value, or a ratio's numerator or denominator. */
export const figurePart = z.enum(['value', 'numerator', 'denominator']);

export const explanation = z.object({
  indicator: indicatorId,
  ...countedAt,
  period: periodText,
  ...figureFields,
  asOf: z.string().check(z.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/)),
  parts: z.array(
    z.object({
      part: figurePart,
      /** The counter metric summed. */
      metric: z.string(),
      /** The part's value: baseline + change. */
      value: z.number(),
      /** The opening balance of a stock: the division's own baseline (with the event that recorded it), or the adjustment its parts' baselines make; null without one. */
      baseline: z.nullable(
        z.object({
          value: z.number(),
          asOf: z.optional(z.string()),
          event: z.nullable(eventReference),
          recorded: z.array(z.object({ division: divisionCode, asOf: z.string(), value: z.number(), event: z.nullable(eventReference) })),
        }),
      ),
      /** Net change from the listed events (`GET …/events`). */
      change: z.number(),
      /** How many events (entries: an event's change at one division or organisation on one day) are listed. */
      events: count,
      /** Days whose changes count: from (absent: since records began) to (absent: all time). */
      from: z.optional(z.string()),
      to: z.optional(z.string()),
    }),
  ),
});

export const contributingEvent = z.object({
  source: z.string(),
  id: z.string(),
  type: z.string(),
  /** The day the change counts on. */
  date: z.string(),
  /** Where it is recorded: the division (its own share), or the organisation and its division. */
  division: z.optional(divisionCode),
  orgCode: z.optional(orgCode),
  processedAt: z.string(),
  /** Its signed contribution to the part (yuan for money). */
  effect: z.number(),
});

export const contributingEventsPage = z.object({
  events: z.array(contributingEvent),
  /** Pass as `cursor` for the next page; absent on the last page. */
  next: z.optional(z.string()),
});

const revisionPart = z.object({ part: figurePart, published: z.number(), live: z.number(), difference: z.number() });

export const revisionsPage = z.object({
  revisions: z.array(
    z.object({
      indicator: indicatorId,
      division: divisionCode,
      period: periodText,
      /** As published; null for an empty ratio. */
      published: z.nullable(z.number()),
      live: z.nullable(z.number()),
      /** live − published (percentage points for a ratio); null when either is null. */
      difference: z.nullable(z.number()),
      /** The value, or a ratio's numerator and denominator: each part's own difference, which its events add up to. */
      parts: z.array(revisionPart),
      /** The events processed after `publishedAt` that moved the figure, with their effect on each part. */
      events: z.array(
        z.object({
          part: figurePart,
          source: z.string(),
          id: z.string(),
          type: z.string(),
          date: z.string(),
          processedAt: z.string(),
          division: z.optional(divisionCode),
          effect: z.number(),
        }),
      ),
      /** A change no late event explains (0 unless counters were rebuilt differently since publishing). */
      unexplained: z.optional(z.number()),
    }),
  ),
  /** Pass as `cursor` for the next page; absent on the last page. */
  next: z.optional(z.string()),
});
