import type { Metric } from './metrics.ts';
import type { StateItem } from './state.ts';

/**
 * A change to one counter metric. It counts on `date` in every listed
 * organisation and in every listed division and all of their ancestors (the
 * store expands the lineage and merges overlapping scopes, so a contract whose
 * employers sit in two townships still counts once at the county).
 */
export interface CounterDelta {
  readonly metric: Metric;
  readonly amount: number;
  readonly date: string;
  readonly orgCodes: readonly string[];
  readonly divisions: readonly string[];
}

/** A change to one named counter item, for metrics the domain counts distinctly per period. */
export interface ItemDelta {
  readonly metric: Metric;
  readonly amount: number;
  readonly pk: string;
  readonly sk: string;
}

/** An opening balance for a stock metric at one division (baseline.recorded.v1). */
export interface Baseline {
  readonly metric: Metric;
  readonly division: string;
  readonly asOf: string;
  readonly value: number;
}

/** A state item to write, conditioned on the version it was computed from. */
export interface StateWrite {
  readonly key: string;
  /** `undefined`: the item must not exist yet. */
  readonly expectedVersion: number | undefined;
  readonly item: StateItem;
}

export type Decision =
  | {
      readonly outcome: 'apply';
      readonly writes: readonly StateWrite[];
      readonly deltas: readonly CounterDelta[];
      /** Changes to exact counter items (distinct-per-period metrics). */
      readonly itemDeltas?: readonly ItemDelta[];
      readonly baselines?: readonly Baseline[];
      /** Divisions the event concerns (for who may see its outcome). */
      readonly divisions: readonly string[];
      /** Why an accepted event changed nothing, for the log; no personal data. */
      readonly note?: string;
    }
  | { readonly outcome: 'reject'; readonly reason: 'conflict' | 'invalid_data'; readonly detail: string }
  /** The named organisations are not registered (yet): retry, then reject. */
  | { readonly outcome: 'unknown_org'; readonly orgCodes: readonly string[] };

/** Read-only view of the state items loaded for one event. */
export type LoadedState = ReadonlyMap<string, StateItem>;
