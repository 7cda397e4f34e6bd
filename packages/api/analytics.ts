/**
 * Pieces of `GET /v1/analytics` that are not routing: list parameters, the
 * limits, bounded-concurrency evaluation and the CSV rendering.
 */
import { ApiError } from './problems.ts';
import type { ExactNumber } from './http.ts';

/** Largest request the route accepts, per list (contract/API.md). */
export const analyticsLimits = { indicators: 50, periods: 60, divisions: 100 } as const;

/** (division, period) evaluations in flight at once. */
export const analyticsConcurrency = 8;

/**
 * Rows per page. A JSON row is at most about 220 bytes (longest indicator id,
 * 12-digit division, day period, three 16-digit numbers), a CSV row less, so
 * a page stays under 3.5 MB: well inside both the 5 MB page budget and
 * Lambda's 6 MB response limit. The test of the largest request measures it.
 */
export const maxRowsPerPage = 15_000;

/** The byte size no page may reach (contract/API.md: pages fit the platform, 5 MB here). */
export const maxPageBytes = 5_000_000;

/** One figure of the analytics answer: for a division, or (with `orgCode=`) for one organisation. */
export type AnalyticsRow = {
  readonly indicator: string;
  readonly period: string;
  readonly value: number | ExactNumber | null;
  readonly numerator?: number;
  readonly denominator?: number;
  /** The year's target and the value as a percent of it (targets.ts), on year rows of divisions with a target. */
  readonly target?: number;
  readonly progress?: number | ExactNumber | null;
} & ({ readonly division: string } | { readonly orgCode: string });

/**
 * Splits a comma-separated list parameter, refusing empty items, duplicates
 * and more than `limit` items: nothing is evaluated for a request that is
 * partly wrong.
 */
export function listParameter(name: string, text: string, limit: number): string[] {
  const items = text.split(',');
  if (items.length > limit) throw new ApiError('invalid-parameter', `${name} lists ${items.length} items; at most ${limit} are allowed per request`);
  if (items.some((item) => item === '')) throw new ApiError('invalid-parameter', `${name} has an empty item; separate items with single commas`);
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw new ApiError('invalid-parameter', `${name} lists ${JSON.stringify(item.slice(0, 64))} more than once`);
    seen.add(item);
  }
  return items;
}

/** Maps `items` through `work` with at most `limit` calls pending; results keep the input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * True when the `Accept` header prefers `text/csv` to JSON. Without the
 * header, or for anything else, the answer is JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let csv = 0;
  let json = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((p) => p.startsWith('q='));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    else if (type === 'application/json' || type === 'application/*' || type === '*/*') json = Math.max(json, q);
  }
  return csv > 0 && csv > json;
}

/** Byte-order mark: lets Excel recognise the file as UTF-8 (Chinese division names). */
export const byteOrderMark = '\uFEFF';

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
function csvField(value: string | number | ExactNumber | null | undefined): string {
  if (value === null || value === undefined) return '';
  // A spreadsheet would run a cell starting with = + - @ as a formula; numbers alone may (negative values).
  const text = typeof value === 'string' && /^[=+\-@]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (fields: readonly (string | number | ExactNumber | null | undefined)[]): string => `${fields.map(csvField).join(',')}\r\n`;

/** A CSV document as every CSV answer of this API is written: BOM, header, CRLF lines, no formula-leading cell. */
export function csvDocument(header: readonly string[], lines: readonly (readonly (string | number | ExactNumber | null | undefined)[])[]): string {
  return byteOrderMark + csvLine(header) + lines.map(csvLine).join('');
}

/**
 * The rows as CSV: UTF-8 with BOM, CRLF line ends, header first. Division
 * rows carry the division's name (`divisionName`); organisation rows have
 * `org_code` in place of the division columns. When any row carries a
 * target, every row gets `target` and `progress` columns too (empty where none).
 */
export function analyticsCsv(rows: readonly AnalyticsRow[], divisionName: (code: string) => string, byOrganisation: boolean): string {
  const header = byOrganisation
    ? ['indicator', 'org_code', 'period', 'value', 'numerator', 'denominator']
    : ['indicator', 'division', 'division_name', 'period', 'value', 'numerator', 'denominator'];
  const withTargets = rows.some((row) => row.target !== undefined);
  let out = byteOrderMark + csvLine(withTargets ? [...header, 'target', 'progress'] : header);
  for (const row of rows) {
    const scope = 'orgCode' in row ? [row.orgCode] : [row.division, divisionName(row.division)];
    const targetCells = withTargets ? [row.target, row.progress] : [];
    out += csvLine([row.indicator, ...scope, row.period, row.value, row.numerator, row.denominator, ...targetCells]);
  }
  return out;
}
