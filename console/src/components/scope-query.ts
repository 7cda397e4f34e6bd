/**
 * The division and period a view shows, kept in the URL (`?division=…&period=…`)
 * so a view can be bookmarked and shared. A division outside the caller's
 * scope is never used: it falls back to the caller's own.
 */
import { computed } from 'vue';
import type { ComputedRef } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { session } from '../auth/session.ts';
import type { PeriodChoice } from '../periods.ts';
import { defaultPeriod, parsePeriodText, periodText } from '../periods.ts';
import { services } from '../services.ts';

export interface ScopeQuery {
  readonly division: ComputedRef<string>;
  readonly period: ComputedRef<PeriodChoice>;
  readonly periodText: ComputedRef<string>;
  setDivision(code: string): void;
  setPeriod(choice: PeriodChoice): void;
  /** Query parameters that carry this scope to another view. */
  readonly query: ComputedRef<Record<string, string>>;
}

export function queryString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function useScopeQuery(): ScopeQuery {
  const route = useRoute();
  const router = useRouter();
  const own = computed(() => session.value?.division ?? services().divisions.root.code);
  const division = computed(() => {
    const asked = queryString(route.query['division']);
    return asked !== undefined && services().divisions.isWithin(asked, own.value) ? asked : own.value;
  });
  const period = computed(() => parsePeriodText(queryString(route.query['period'])) ?? defaultPeriod());
  const text = computed(() => periodText(period.value));
  const replace = (patch: Record<string, string>): void => void router.replace({ query: { ...route.query, ...patch } });
  return {
    division,
    period,
    periodText: text,
    setDivision: (code) => replace({ division: code }),
    setPeriod: (choice) => replace({ period: periodText(choice) }),
    query: computed(() => ({ division: division.value, period: text.value })),
  };
}
