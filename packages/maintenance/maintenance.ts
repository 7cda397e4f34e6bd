/**
 * The two maintenance actions, over the stored tables:
 *
 * - `reconcile` replays every accepted event and lists each counter or
 *   baseline whose live value differs from the replay (empty when healthy).
 * - `rebuild` replaces the Counters and State tables with the replay.
 *
 * Both are safe while events keep arriving: they pause processing through
 * the fence (see EventStore), which also cancels any transaction decided
 * before, read a ledger no commit can change under them, and let processing
 * go on when done. Events that arrive meanwhile wait in the queue; nothing
 * is lost or counted twice, and nobody has to remember to stop the processor.
 */
import type { DivisionTree, RewardPolicy } from '../config/deployment.ts';
import type { PublicationSummary } from '../publications/edition.ts';
import { MaintenanceError, MaintenanceUnavailableError } from './errors.ts';
import type { MaintenanceStore } from './maintenance-store.ts';
import type { PublishingDependencies, PublishRequest } from './publish.ts';
import { publishEdition } from './publish.ts';
import type { SkippedEvent } from './recompute.ts';
import { counterItemKey, counterItemKeyParts, recompute } from './recompute.ts';
import type { CounterDifference } from './reconcile.ts';
import { reconcile } from './reconcile.ts';
import { shanghaiDate } from '../contract/time.ts';
import { comparableLive, comparableRecomputation, correctionEntries, correctionRun, countersToWrite } from './explained-figures.ts';

export type MaintenanceAction = 'reconcile' | 'rebuild' | 'publish';

export const maintenanceActions: readonly MaintenanceAction[] = ['reconcile', 'rebuild', 'publish'];

/**
 * Most differences listed in one answer: keeps the answer well inside
 * Lambda's 6 MB response limit; `differenceCount` always tells the full count.
 */
export const maxListedDifferences = 10_000;

export interface ReconcileResult {
  readonly action: 'reconcile';
  /** Sorted by pk, sk, metric; at most {@link maxListedDifferences}. */
  readonly differences: readonly CounterDifference[];
  readonly differenceCount: number;
  readonly truncated: boolean;
  /** Counter and baseline items compared (an organisation's months as folded from its explain entries). */
  readonly checkedItems: number;
  /** Accepted events replayed. */
  readonly events: number;
  /** Accepted events the replay could not apply (a sign of drift in itself). */
  readonly skippedEvents: readonly SkippedEvent[];
}

export interface RebuildResult {
  readonly action: 'rebuild';
  readonly rebuilt: {
    /** Net-change counter items written. */
    readonly counters: number;
    /** Baseline items written. */
    readonly baselines: number;
    /** State items written. */
    readonly state: number;
    /** Accepted events replayed. */
    readonly events: number;
    /** Live Counters items (net-change or baseline) no accepted event accounts for, deleted. */
    readonly deletedCounters: number;
    readonly deletedState: number;
    /**
     * Correction entries written: where the explain entries did not add up
     * to the replay (0 on tables the processor alone wrote), so that every
     * figure stays its baseline plus the effects listed for it.
     */
    readonly corrections: number;
    /** The id its correction entries carry (`rebuild-…`, source `reform-indicators`), when it wrote any. */
    readonly correctionId?: string;
  };
  readonly skippedEvents: readonly SkippedEvent[];
}

/** A publication made (packages/maintenance/publish.ts). */
export interface PublishResult {
  readonly action: 'publish';
  readonly publication: PublicationSummary;
}

export type MaintenanceResult = ReconcileResult | RebuildResult | PublishResult;

/** The result type of one action. */
export type ResultOf<A extends MaintenanceAction> = Extract<MaintenanceResult, { action: A }>;

/** Runs a maintenance action somewhere: in this process, or by invoking the maintenance function. */
export interface MaintenanceRunner {
  /** `request`: what to publish (the publish action only; the others take none). */
  run<A extends MaintenanceAction>(action: A, request?: PublishRequest): Promise<ResultOf<A>>;
}

export interface MaintenanceDependencies {
  readonly store: MaintenanceStore;
  readonly divisions: DivisionTree;
  readonly rewards: RewardPolicy;
  /** What publishing needs; without it the publish action is unavailable. */
  readonly publishing?: PublishingDependencies;
  /** The clock a rebuild stamps its correction entries with. @default the system clock */
  readonly now?: () => Date;
}

/** Runs `work` with processing paused; processing goes on afterwards, whatever happens. */
async function whilePaused<T>(store: MaintenanceStore, work: () => Promise<T>): Promise<T> {
  await store.pause();
  try {
    return await work();
  } finally {
    await store.resume();
  }
}

/** Replays the ledger and compares the live Counters table with the replay. */
export function runReconcile(deps: MaintenanceDependencies): Promise<ReconcileResult> {
  return whilePaused(deps.store, () => reconcileNow(deps));
}

async function reconcileNow(deps: MaintenanceDependencies): Promise<ReconcileResult> {
  const [{ events, entries }, live] = await Promise.all([deps.store.replaySource(), deps.store.counterItems()]);
  const recomputed = recompute(events, deps);
  const { differences, checkedItems } = reconcile(comparableLive(live, entries), comparableRecomputation(recomputed));
  // Read while processing was paused, or not an answer at all.
  deps.store.assertLeaseHolds();
  return {
    action: 'reconcile',
    differences: differences.slice(0, maxListedDifferences),
    differenceCount: differences.length,
    truncated: differences.length > maxListedDifferences,
    checkedItems,
    events: events.length,
    skippedEvents: recomputed.skipped,
  };
}

/** Replays the ledger and makes the Counters and State tables exactly the replay's result. */
export function runRebuild(deps: MaintenanceDependencies): Promise<RebuildResult> {
  return whilePaused(deps.store, () => rebuildNow(deps));
}

async function rebuildNow(deps: MaintenanceDependencies): Promise<RebuildResult> {
  const { events, entries } = await deps.store.replaySource();
  const recomputed = recompute(events, deps);
  const at = (deps.now ?? (() => new Date()))();
  const [liveCounters, liveState] = await Promise.all([deps.store.counterItems(), deps.store.stateKeys()]);

  // A chunked event interrupted half-way is counted whole here: its missing chunks must not be applied again.
  await deps.store.markChunksApplied(events.flatMap((e) => (e.chunks === undefined ? [] : [{ source: e.source, id: e.id, chunks: e.chunks }])));
  const counters = countersToWrite(recomputed);
  const counterPuts = [...counters].map(([key, amounts]) => ({ ...counterItemKeyParts(key), ...amounts }));
  const baselinePuts = recomputed.baselines.map((b) => ({ ...b }));
  const keep = new Set([...counters.keys(), ...recomputed.baselines.map((b) => counterItemKey(b.pk, b.sk))]);
  const counterDeletes = liveCounters.filter((item) => !keep.has(counterItemKey(item.pk, item.sk))).map(({ pk, sk }) => ({ pk, sk }));
  await deps.store.rewriteCounters([...counterPuts, ...baselinePuts], counterDeletes);

  const state = await deps.store.rewriteState(recomputed.state, liveState);

  // Written last: a rebuild stopped before this point leaves them to the next one, which compares with the entries then stored.
  // Dated like an event: the Asia/Shanghai day of its time.
  const run = { source: correctionRun.source, id: correctionRun.id(at), type: correctionRun.type, date: shanghaiDate(at.toISOString()), processedAt: at.toISOString() };
  const corrections = await deps.store.writeCorrections(run, correctionEntries(recomputed, entries, run.date));

  return {
    action: 'rebuild',
    rebuilt: {
      counters: counterPuts.length,
      baselines: baselinePuts.length,
      state: state.written,
      events: events.length,
      deletedCounters: counterDeletes.length,
      deletedState: state.deleted,
      corrections,
      ...(corrections === 0 ? {} : { correctionId: run.id }),
    },
    skippedEvents: recomputed.skipped,
  };
}

/** Freezes a period's figures into a publication, with processing paused while they are computed. */
export async function runPublish(request: PublishRequest | undefined, deps: MaintenanceDependencies): Promise<PublishResult> {
  if (request === undefined) throw new MaintenanceError('publish needs a period and a title');
  if (deps.publishing === undefined) throw new MaintenanceUnavailableError('publishing is not configured for this maintenance function');
  const publication = await publishEdition(request, { ...deps.publishing, fence: deps.store, divisions: deps.divisions });
  return { action: 'publish', publication };
}

/** Runs one action in this process. */
export function runMaintenance<A extends MaintenanceAction>(action: A, deps: MaintenanceDependencies, request?: PublishRequest): Promise<ResultOf<A>> {
  if (action === 'publish') return runPublish(request, deps) as Promise<ResultOf<A>>;
  return (action === 'rebuild' ? runRebuild(deps) : runReconcile(deps)) as Promise<ResultOf<A>>;
}

/** A runner that works on the tables directly (the maintenance function itself, and the local stack). */
export class InProcessMaintenanceRunner implements MaintenanceRunner {
  constructor(private readonly deps: MaintenanceDependencies) {}

  run<A extends MaintenanceAction>(action: A, request?: PublishRequest): Promise<ResultOf<A>> {
    return runMaintenance(action, this.deps, request);
  }
}
