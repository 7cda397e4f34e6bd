import type { Metric } from './metrics.ts';
import type { StateItem } from './state.ts';

/**
 * A change to one counter metric. It counts on `date` in every listed
 * organisation and in every listed division and all of their ancestors, once
 * each (a contract whose employers sit in two townships counts once in each
 * township and once at the county).
 */
export interface CounterDelta {
  readonly metric: Metric;
  readonly amount: number;
  readonly date: string;
  readonly orgCodes: readonly string[];
  readonly divisions: readonly string[];
}

/**
 * A change to a distinct-count metric at exactly one scope and period
 * (trained workers: distinct persons per scope and per period, which no
 * sum of smaller scopes or periods can give).
 */
export interface DistinctDelta {
  readonly metric: Metric;
  readonly amount: number;
  /** Counter partition: `DIV#…` or `ORG#…`. */
  readonly scope: string;
  /** The period the count is for: `D#2026-03-05`, `M#2026-03`, `Q#2026-Q1`, `Y#2026` or `A#ALL`. */
  readonly period: string;
  /**
   * For a quarter, a year or all time: the month (`2026-03`) of the person's
   * first date in that period at the scope, whose item holds the count
   * (see distinctCell).
   */
  readonly month?: string;
}

/** An opening balance for a stock metric at one division (baseline.recorded.v1). */
export interface Baseline {
  readonly metric: Metric;
  readonly division: string;
  readonly asOf: string;
  readonly value: number;
  /** The event that recorded it (the explain routes name it). */
  readonly source: string;
  readonly id: string;
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
      readonly distinct?: readonly DistinctDelta[];
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
