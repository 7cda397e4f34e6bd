/**
 * The publish action: freezes every catalogue indicator for every division
 * of the deployment (the root included) for one period, as of now.
 *
 * Consistency: processing is paused through the maintenance fence while the
 * figures are computed, and `publishedAt` is taken while still paused. Every
 * commit is conditioned on the fence, so an event either committed before the
 * pause (and counts in the edition) or commits after the resume with a
 * `processedAt` later than `publishedAt` — exactly the events the revisions
 * of the edition are made of. The edition is stored after the resume: it no
 * longer depends on the live tables.
 */
import { randomBytes } from 'node:crypto';
import type { DivisionTree } from '../config/deployment.ts';
import type { IndicatorComputation } from '../api/dependencies.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import { InvalidPeriodError } from '../indicators/errors.ts';
import { asOfDate, parsePeriod } from '../indicators/period.ts';
import type { Edition, EditionFigure, PublicationSummary } from '../publications/edition.ts';
import { buildEdition, editionFigure } from '../publications/edition.ts';

/** What the publish action is asked for. */
export interface PublishRequest {
  readonly period: string;
  readonly title: string;
}

/** Where an edition goes (DynamoPublicationStore). */
export interface EditionWriter {
  put(edition: Edition): Promise<void>;
}

export interface PublishingDependencies {
  readonly catalog: readonly IndicatorDefinition[];
  readonly computation: IndicatorComputation;
  readonly publications: EditionWriter;
  readonly now: () => Date;
}

/** Processing paused and resumed (MaintenanceStore). */
export interface ProcessingFence {
  pause(): Promise<unknown>;
  resume(): Promise<void>;
  /** Throws once the pause's lease is (nearly) over: figures read after it may already have moved. */
  assertLeaseHolds(): void;
}

/** Divisions evaluated per request to the computation: its analytics limit. */
const divisionsPerEvaluation = 100;

/** `2026-Q3-20261127T211100Z-9f3a`: readable, sortable within a period, unique. */
function publicationId(period: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${period}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Freezes `request.period` for every division of `divisions`.
 *
 * @throws InvalidPeriodError for a malformed period or `all` (an edition is of a calendar period).
 */
export async function publishEdition(
  request: PublishRequest,
  deps: PublishingDependencies & { readonly fence: ProcessingFence; readonly divisions: DivisionTree },
): Promise<PublicationSummary> {
  const period = parsePeriod(request.period);
  if (period.kind === 'all') throw new InvalidPeriodError('a publication freezes a calendar period (a year, quarter, month or day), not all');
  const codes = deps.divisions.all();

  await deps.fence.pause();
  let byDivision: { division: string; figures: EditionFigure[] }[];
  let publishedAt: Date;
  try {
    byDivision = [];
    for (let start = 0; start < codes.length; start += divisionsPerEvaluation) {
      const slice = codes.slice(start, start + divisionsPerEvaluation);
      const figures = await deps.computation.evaluateAll(deps.catalog, slice.map((division) => ({ scope: { division }, period })));
      slice.forEach((division, i) => byDivision.push({ division, figures: (figures[i] ?? []).map((f) => editionFigure(f, division, period.text)) }));
    }
    deps.fence.assertLeaseHolds();
    publishedAt = deps.now();
  } finally {
    await deps.fence.resume();
  }

  const edition = buildEdition(
    { id: publicationId(period.text, publishedAt), period: period.text, title: request.title, publishedAt: publishedAt.toISOString(), asOf: asOfDate(period, publishedAt) },
    byDivision,
  );
  await deps.publications.put(edition);
  const { id, title, figures, digest } = edition.record;
  return { id, period: period.text, title, publishedAt: edition.record.publishedAt, figures, digest };
}
