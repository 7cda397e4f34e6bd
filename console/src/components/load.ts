/** Loading something for a view: its state, its data and why it failed, reloaded when its inputs change. */
import { ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef, WatchSource } from 'vue';
import { ApiProblemError, RouteUnavailableError, SignedOutError } from '../errors.ts';

export type LoadStatus = 'loading' | 'ready' | 'failed' | 'unavailable';

export interface Loaded<T> {
  readonly status: Ref<LoadStatus>;
  readonly data: ShallowRef<T | undefined>;
  /** What to tell the user when it failed (no stack, no token). */
  readonly problem: Ref<string>;
  reload(): Promise<void>;
}

/** Runs `load` now and whenever `inputs` change; an answer that arrives after a newer request is dropped. */
export function useLoad<T>(load: () => Promise<T>, inputs: WatchSource[] = []): Loaded<T> {
  const status = ref<LoadStatus>('loading');
  const data = shallowRef<T>();
  const problem = ref('');
  let generation = 0;
  const reload = async (): Promise<void> => {
    const mine = ++generation;
    status.value = 'loading';
    try {
      const value = await load();
      if (mine !== generation) return;
      data.value = value;
      status.value = 'ready';
    } catch (error) {
      if (mine !== generation) return;
      data.value = undefined;
      status.value = error instanceof RouteUnavailableError ? 'unavailable' : 'failed';
      problem.value = describeError(error);
    }
  };
  watch(inputs, () => void reload(), { immediate: true });
  return { status, data, problem, reload };
}

/**
 * Resolves once `loaded` is no longer loading: a view starts its secondary
 * requests after its main one, so they do not compete with it for the
 * server (on the local stack, the same two cores).
 */
export function settled(loaded: Loaded<unknown>): Promise<void> {
  if (loaded.status.value !== 'loading') return Promise.resolve();
  return new Promise((resolve) => {
    const stop = watch(loaded.status, (status) => {
      if (status === 'loading') return;
      stop();
      resolve();
    });
  });
}

export function describeError(error: unknown): string {
  if (error instanceof ApiProblemError || error instanceof SignedOutError || error instanceof RouteUnavailableError) return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}

export interface Action<A extends unknown[]> {
  readonly busy: Ref<boolean>;
  /** Why the last run failed; empty when it did not. */
  readonly problem: Ref<string>;
  run(...args: A): Promise<void>;
}

/** Something a user starts (a lookup, a reconcile, a sign-in): busy while it runs, and why it failed. */
export function useAction<A extends unknown[]>(work: (...args: A) => Promise<void>, describe: (error: unknown) => string = describeError): Action<A> {
  const busy = ref(false);
  const problem = ref('');
  return {
    busy,
    problem,
    run: async (...args) => {
      busy.value = true;
      problem.value = '';
      try {
        await work(...args);
      } catch (error) {
        problem.value = describe(error);
      } finally {
        busy.value = false;
      }
    },
  };
}
