/**
 * The shapes of the API's answers (contract/API.md), checked at the edge:
 * a response that does not match is an error, not a half-drawn page. Objects
 * are loose so a field the server adds later does not break the console.
 */
import * as z from 'zod/mini';

const count = z.number();
const optionalNumber = z.optional(z.nullable(z.number()));

export const pillars = ['party', 'skills', 'rights'] as const;
export type Pillar = (typeof pillars)[number];
export type Unit = 'count' | 'percent' | 'yuan';

export const indicatorSchema = z.looseObject({
  id: z.string(),
  pillar: z.enum(pillars),
  kind: z.enum(['flow', 'stock', 'ratio']),
  unit: z.enum(['count', 'percent', 'yuan']),
  name: z.object({ zh: z.string(), en: z.string() }),
  description: z.string(),
});
export type Indicator = z.infer<typeof indicatorSchema>;
export const catalogSchema = z.looseObject({ indicators: z.array(indicatorSchema) });

/** Fields every figure has, in a single figure, an analytics row or a publication. */
const figureFields = {
  indicator: z.string(),
  division: z.optional(z.string()),
  orgCode: z.optional(z.string()),
  period: z.string(),
  value: z.nullable(z.number()),
  numerator: optionalNumber,
  denominator: optionalNumber,
  /** Present once targets exist (API.md "Publications and targets"). */
  target: optionalNumber,
  progress: optionalNumber,
};

export const figureSchema = z.looseObject({ ...figureFields, asOf: z.optional(z.string()), edition: z.optional(z.string()) });
export type Figure = z.infer<typeof figureSchema>;

export const analyticsRowSchema = z.looseObject(figureFields);
export type AnalyticsRow = z.infer<typeof analyticsRowSchema>;
export const analyticsPageSchema = z.looseObject({ rows: z.array(analyticsRowSchema), next: z.optional(z.nullable(z.string())) });

export const eventOutcomeSchema = z.looseObject({
  source: z.string(),
  id: z.string(),
  type: z.nullable(z.string()),
  outcome: z.string(),
  reason: z.optional(z.string()),
  receivedAt: z.optional(z.nullable(z.string())),
  processedAt: z.optional(z.nullable(z.string())),
});
export type EventOutcome = z.infer<typeof eventOutcomeSchema>;

/** One rejected event of `GET /v1/rejections`: only values that passed validation. */
export const rejectionSchema = z.looseObject({
  source: z.string(),
  id: z.string(),
  type: z.nullable(z.string()),
  reason: z.string(),
  detail: z.string(),
  receivedAt: z.string(),
  processedAt: z.string(),
});
export type Rejection = z.infer<typeof rejectionSchema>;
export const rejectionsPageSchema = z.looseObject({
  from: z.string(),
  to: z.string(),
  byReason: z.array(z.looseObject({ reason: z.string(), count })),
  total: count,
  truncated: z.boolean(),
  rejections: z.array(rejectionSchema),
  next: z.optional(z.nullable(z.string())),
});
export type RejectionsPage = z.infer<typeof rejectionsPageSchema>;

export const reconcileSchema = z.looseObject({
  differences: z.array(
    z.looseObject({ pk: z.string(), sk: z.string(), metric: z.string(), live: z.nullable(z.number()), recomputed: z.nullable(z.number()) }),
  ),
  differenceCount: count,
  truncated: z.boolean(),
  checkedItems: count,
  events: count,
  skippedEvents: count,
});
export type Reconciliation = z.infer<typeof reconcileSchema>;

export const rebuildSchema = z.looseObject({
  rebuilt: z.looseObject({ corrections: z.optional(count), correctionId: z.optional(z.string()) }),
  skippedEvents: count,
});
export type RebuildResult = z.infer<typeof rebuildSchema>;

const eventReference = z.looseObject({ source: z.string(), id: z.string() });

/** One part of a figure (`value`, or `numerator` and `denominator`) and where it comes from. */
export const explainedPartSchema = z.looseObject({
  part: z.string(),
  metric: z.optional(z.string()),
  value: z.nullable(z.number()),
  baseline: z.optional(
    z.nullable(z.looseObject({ value: z.number(), asOf: z.optional(z.string()), event: z.optional(z.nullable(eventReference)) })),
  ),
  /** Net change from events, and how many events made it. */
  change: z.number(),
  events: count,
});
export type ExplainedPart = z.infer<typeof explainedPartSchema>;

export const explanationSchema = z.looseObject({ ...figureFields, parts: z.array(explainedPartSchema) });
export type Explanation = z.infer<typeof explanationSchema>;

export const contributingEventSchema = z.looseObject({
  source: z.string(),
  id: z.string(),
  type: z.string(),
  date: z.string(),
  division: z.optional(z.string()),
  orgCode: z.optional(z.string()),
  effect: z.number(),
});
export type ContributingEvent = z.infer<typeof contributingEventSchema>;
export const contributingEventsPageSchema = z.looseObject({ events: z.array(contributingEventSchema), next: z.optional(z.nullable(z.string())) });

export const publicationSchema = z.looseObject({
  id: z.string(),
  period: z.string(),
  title: z.string(),
  publishedAt: z.string(),
  digest: z.optional(z.string()),
});
export type Publication = z.infer<typeof publicationSchema>;
export const publicationsPageSchema = z.looseObject({ publications: z.array(publicationSchema), next: z.optional(z.nullable(z.string())) });
export const publicationFiguresPageSchema = z.looseObject({ figures: z.array(analyticsRowSchema), next: z.optional(z.nullable(z.string())) });

export const revisionSchema = z.looseObject({
  indicator: z.string(),
  division: z.optional(z.string()),
  orgCode: z.optional(z.string()),
  published: z.nullable(z.number()),
  live: z.nullable(z.number()),
  difference: z.nullable(z.number()),
  events: z.array(
    z.looseObject({ source: z.string(), id: z.string(), type: z.string(), date: z.string(), processedAt: z.optional(z.string()), effect: z.number() }),
  ),
});
export type Revision = z.infer<typeof revisionSchema>;
export const revisionsPageSchema = z.looseObject({ revisions: z.array(revisionSchema), next: z.optional(z.nullable(z.string())) });

export const problemSchema = z.looseObject({ type: z.optional(z.string()), title: z.optional(z.string()), status: z.optional(z.number()), detail: z.optional(z.string()) });

/** A page of a paged answer: its items and the cursor of the next page, if any. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string;
}

/** The type a rebuild's correction entries carry (packages/maintenance/explained-figures.ts): listed beside the events where a replay moved a figure. */
export const rebuildCorrectionType = 'rebuild.correction';
