/**
 * The chosen language (Chinese by default, remembered in localStorage) and
 * number formatting for it: Intl.NumberFormat with zh-CN or en, so 万, ¥ and
 * % follow each locale's conventions.
 */
import { computed, ref, watchEffect } from 'vue';
import type { Unit } from '../api/shapes.ts';
import type { Messages } from './messages.ts';
import { messages } from './messages.ts';

export type Locale = 'zh' | 'en';

const storageKey = 'reform-console.locale';
const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(storageKey);

/** The language in use. */
export const locale = ref<Locale>(stored === 'en' ? 'en' : 'zh');

/** The texts of the language in use. */
export const t = computed<Messages>(() => messages[locale.value]);

/** BCP 47 tag of the language in use. */
export const languageTag = computed(() => (locale.value === 'zh' ? 'zh-CN' : 'en'));

watchEffect(() => {
  document.documentElement.lang = languageTag.value;
  document.title = `${t.value.app.title} · ${t.value.app.subtitle}`;
});

export function setLocale(next: Locale): void {
  locale.value = next;
  localStorage.setItem(storageKey, next);
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${languageTag.value}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (found === undefined) {
    found = new Intl.NumberFormat(languageTag.value, options);
    formatters.set(key, found);
  }
  return found;
}

const exact: Record<Unit, Intl.NumberFormatOptions> = {
  count: { maximumFractionDigits: 2 },
  // Percent figures arrive as percent numbers (87.23) and are shown to 2 decimals at most.
  percent: { style: 'percent', maximumFractionDigits: 2 },
  yuan: { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 0, maximumFractionDigits: 2 },
};

/** A figure exactly, with grouping: `114,300`, `87.23%`, `¥56,850,000`. Null (an empty ratio) is a dash. */
export function formatFigure(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined) return t.value.common.none;
  return formatter(exact[unit]).format(unit === 'percent' ? value / 100 : value);
}

/** The same figure abbreviated (`11.43万`, `114.3K`, `¥5,685万`), or undefined when it is small enough to read at once. */
export function formatCompact(value: number | null | undefined, unit: Unit): string | undefined {
  if (value === null || value === undefined || unit === 'percent' || Math.abs(value) < 10_000) return undefined;
  const options: Intl.NumberFormatOptions = { notation: 'compact', maximumFractionDigits: 2 };
  return formatter(unit === 'yuan' ? { ...options, style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' } : options).format(value);
}

/** A plain count (numerators, denominators, event counts). */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return t.value.common.none;
  return formatter({ maximumFractionDigits: 2 }).format(value);
}

/** A signed change: `+12`, `−3`. */
export function formatSigned(value: number): string {
  return formatter({ maximumFractionDigits: 2, signDisplay: 'exceptZero' }).format(value);
}

/** A timestamp in Asia/Shanghai, the calendar the figures count on. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return t.value.common.none;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(languageTag.value, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(date);
}
