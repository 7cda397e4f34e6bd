/** What the API needs from the world, as interfaces: the Lambda adapter wires real ones, tests pass their own. */
import type { ClaimNames, DivisionTree } from '../config/deployment.ts';
import type { ValidationOptions, ValidationResult } from '../contract/index.ts';
import type { Explainer } from '../explain/explainer.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import type { CounterScope } from '../indicators/counter-source.ts';
import type { IndicatorValue } from '../indicators/evaluator.ts';
import type { Period } from '../indicators/period.ts';
import type { MaintenanceRunner } from '../maintenance/maintenance.ts';
import type { RejectedRecord } from '../storage/ledger-records.ts';
import type { EventOutcomeReader } from '../storage/ledger-reader.ts';
import type { OrganisationReader } from '../storage/org-reader.ts';
import type { RejectionReader } from '../storage/rejection-reader.ts';
import type { PublicationReader } from '../publications/publication-store.ts';
import type { TargetStore } from '../publications/targets.ts';
import type { ApiLogger } from './problems.ts';
import type { Pseudonymiser } from '../processing/pseudonymise.ts';

/** Sends event bodies to the events queue. */
export interface EventQueue {
  /** Queues each body; resolves to the indexes (into `bodies`) that the queue did not take. */
  send(bodies: readonly string[]): Promise<ReadonlySet<number>>;
}

/** One (scope, period) whose figures are asked for. */
export interface FigureCell {
  readonly scope: CounterScope;
  readonly period: Period;
}

/** Computes catalogue entries for many cells in one request, sharing reads between them. */
export interface IndicatorComputation {
  /** One list of figures per cell, in the order of `definitions`. */
  evaluateAll(definitions: readonly IndicatorDefinition[], cells: readonly FigureCell[]): Promise<IndicatorValue[][]>;
}

/** Records the outcome of an event the API rejected (EventStore.recordRejection). */
export type RejectionRecorder = (record: RejectedRecord) => Promise<void>;

export interface ApiDependencies {
  readonly catalog: readonly IndicatorDefinition[];
  readonly indicators: IndicatorComputation;
  /** Where figures come from: their parts, baselines and events (the Ledger's explain indexes). */
  readonly explainer: Explainer;
  readonly ledger: EventOutcomeReader;
  /** Rejections by day, for `GET /v1/rejections`. */
  readonly rejections: RejectionReader;
  readonly organisations: OrganisationReader;
  readonly queue: EventQueue;
  readonly recordRejection: RejectionRecorder;
  /** Keys the hashes a rejection record keeps of what failed validation (the processor's own key). */
  readonly pseudonymiser: Pseudonymiser;
  readonly divisions: DivisionTree;
  /** Source → event types it may send (deployment configuration). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  /** Which token claims hold role, division and source (deployment configuration). */
  readonly claimNames: ClaimNames;
  /** The contract's validator; the same one, with the same options, as the processor's. */
  readonly validateEvent: (body: unknown, options: ValidationOptions) => ValidationResult;
  /** Runs rebuild, reconcile and publish (the maintenance function in AWS). */
  readonly maintenance: MaintenanceRunner;
  /** Stored publications, read only. Absent: the publication routes answer 503 (tests of other routes). */
  readonly publications?: PublicationReader;
  /** Targets per division, year and indicator. Absent: no figure carries a target, the target routes answer 503. */
  readonly targets?: TargetStore;
  readonly now: () => Date;
  readonly logger?: ApiLogger;
  /** Rows per analytics page; the default keeps every page under 5 MB. */
  readonly maxRowsPerPage?: number;
}
