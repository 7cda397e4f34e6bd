/** How indicator figures read on a terminal: one line per figure, or a township table. */
import type { DivisionTree } from '../config/deployment.ts';
import type { IndicatorDefinition, IndicatorUnit } from '../indicators/catalog.ts';
import { indicatorCatalog } from '../indicators/catalog.ts';
import type { AnalyticsRow, IndicatorFigure } from './api-client.ts';
import { exactFigure } from './api-client.ts';
import { renderTable } from './terminal-table.ts';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `114,300`, `87.23%`, `¥56,850,000.00`; `—` for an empty ratio. Without a unit, the plain grouped number. */
export function formatValue(value: number | null, unit: IndicatorUnit | undefined): string {
  // A value too long for a double arrives as its exact text (api-client.ts); Intl formats that text exactly.
  const exact = exactFigure(value);
  if (exact === null) return '—';
  const formattable = exact as number | `${number}`;
  if (unit === 'percent') return `${grouped.format(formattable)}%`;
  if (unit === 'yuan') return `¥${money.format(formattable)}`;
  return grouped.format(formattable);
}

/** Percent, rounded half-up to 2 decimals as the API rounds; null when the denominator is 0. */
export function ratioPercent(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((numerator * 10_000) / denominator) / 100;
}

function divisionLabel(tree: DivisionTree, code: string): string {
  const node = tree.node(code);
  return node === undefined ? code : `${node.name.zh} ${node.name.en} (${code})`;
}

/**
 * One readable line: `技能人才 Skilled workers — 忠县 Zhong County (500233000000), 2026-Q4: 114,300 (as of 2026-11-24)`;
 * ratios add `(numerator / denominator)`.
 */
export function describeFigure(figure: IndicatorFigure, definition: IndicatorDefinition | undefined, tree: DivisionTree): string {
  const name = definition === undefined ? figure.indicator : `${definition.name.zh} ${definition.name.en}`;
  const where = figure.orgCode !== undefined ? `organisation ${figure.orgCode}` : divisionLabel(tree, figure.division ?? '');
  const parts =
    figure.numerator !== undefined && figure.denominator !== undefined
      ? ` (${grouped.format(figure.numerator)} / ${grouped.format(figure.denominator)})`
      : '';
  return `${name} — ${where}, ${figure.period}: ${formatValue(figure.value, definition?.unit)}${parts} (as of ${figure.asOf})`;
}

/**
 * The township table of a breakdown: division code, Chinese and English
 * names, value (and numerator/denominator for ratios), largest value first
 * (empty ratios last), then a total line: the division's own figure when
 * given (`whole`), else the sum of the rows, or for a ratio Σnumerator ÷
 * Σdenominator.
 */
export function breakdownTable(
  rows: readonly AnalyticsRow[],
  definition: IndicatorDefinition | undefined,
  tree: DivisionTree,
  whole?: AnalyticsRow,
): string[] {
  const unit = definition?.unit;
  const isRatio = definition?.kind === 'ratio' || rows.some((row) => row.denominator !== undefined);
  const sorted = [...rows].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || (a.division ?? '').localeCompare(b.division ?? ''));
  const cells = sorted.map((row) => {
    const division = row.division ?? row.orgCode ?? '';
    const name = tree.node(division)?.name;
    const base = [division, name?.zh ?? '', name?.en ?? '', formatValue(row.value, unit)];
    return isRatio ? [...base, grouped.format(row.numerator ?? 0), grouped.format(row.denominator ?? 0)] : base;
  });
  let total: string[];
  if (whole !== undefined) {
    const division = whole.division ?? '';
    const name = tree.node(division)?.name;
    total = [division, name?.zh ?? '合计', name?.en ?? 'total', formatValue(whole.value, unit)];
    if (isRatio) total.push(grouped.format(whole.numerator ?? 0), grouped.format(whole.denominator ?? 0));
  } else if (isRatio) {
    const numerator = rows.reduce((sum, row) => sum + (row.numerator ?? 0), 0);
    const denominator = rows.reduce((sum, row) => sum + (row.denominator ?? 0), 0);
    total = ['total', '合计', '', formatValue(ratioPercent(numerator, denominator), unit), grouped.format(numerator), grouped.format(denominator)];
  } else {
    // Summed in fen for money, so 0.1 + 0.2 prints 0.30.
    const sum = unit === 'yuan' ? rows.reduce((s, row) => s + Math.round((row.value ?? 0) * 100), 0) / 100 : rows.reduce((s, row) => s + (row.value ?? 0), 0);
    total = ['total', '合计', '', formatValue(sum, unit)];
  }
  const headers = isRatio ? ['division', '名称', 'name', 'value', 'numerator', 'denominator'] : ['division', '名称', 'name', 'value'];
  const alignments = headers.map((_, column) => (column >= 3 ? ('right' as const) : ('left' as const)));
  return renderTable({ headers, alignments, rows: cells, footer: [total] });
}

/** Analytics rows as a table: indicator, where (division name or orgCode), period, value and ratio parts. */
export function analyticsTable(rows: readonly AnalyticsRow[], tree: DivisionTree): string[] {
  const units = new Map(indicatorCatalog.map((d) => [d.id, d.unit]));
  const cells = rows.map((row) => {
    const where = row.orgCode ?? (row.division === undefined ? '' : (tree.node(row.division)?.name.zh ?? row.division));
    return [
      row.indicator,
      where,
      row.period,
      formatValue(row.value, units.get(row.indicator)),
      row.numerator === undefined ? '' : grouped.format(row.numerator),
      row.denominator === undefined ? '' : grouped.format(row.denominator),
    ];
  });
  const headers = ['indicator', 'where', 'period', 'value', 'numerator', 'denominator'];
  return renderTable({ headers, alignments: headers.map((_, c) => (c >= 3 ? ('right' as const) : ('left' as const))), rows: cells });
}

/** What `reform explain` prints: the figure, then each part as baseline + change = value, then (with --events) its events. */
export function explanationLines(
  explained: {
    readonly indicator: string;
    readonly division?: string | undefined;
    readonly orgCode?: string | undefined;
    readonly period: string;
    readonly value: number | null;
    readonly asOf: string;
    readonly numerator?: number | undefined;
    readonly denominator?: number | undefined;
    readonly parts: readonly {
      readonly part: string;
      readonly metric: string;
      readonly value: number;
      readonly baseline: { readonly value: number; readonly asOf?: string | undefined; readonly event: { readonly source: string; readonly id: string } | null } | null;
      readonly change: number;
      readonly events: number;
    }[];
  },
  listed: readonly (readonly { readonly source: string; readonly id: string; readonly type: string; readonly date: string; readonly division?: string | undefined; readonly orgCode?: string | undefined; readonly effect: number }[])[] | undefined,
  definition: IndicatorDefinition | undefined,
  tree: DivisionTree,
): string[] {
  const unit = definition?.unit === 'yuan' ? 'yuan' : undefined;
  const lines = [describeFigure(explained as IndicatorFigure, definition, tree)];
  explained.parts.forEach((part, i) => {
    const baseline =
      part.baseline === null
        ? ''
        : `baseline ${formatValue(part.baseline.value, undefined)}${part.baseline.asOf === undefined ? ' (from the baselines below)' : ` as of ${part.baseline.asOf}`}${part.baseline.event === null ? '' : ` (${part.baseline.event.source}/${part.baseline.event.id})`} + `;
    lines.push(`  ${part.part} (${part.metric}): ${baseline}${formatValue(part.change, unit)} from ${grouped.format(part.events)} events = ${formatValue(part.value, unit)}`);
    for (const event of listed?.[i] ?? []) {
      const where = event.orgCode ?? event.division ?? '';
      const effect = formatValue(event.effect, unit);
      lines.push(`    ${event.date}  ${where.padEnd(18)}  ${event.effect > 0 ? '+' : ''}${effect}  ${event.type}  ${event.source}/${event.id}`);
    }
  });
  return lines;
}

/** What `reform revisions` prints: each moved figure, published → live, and the late events that moved it. */
export function revisionLines(
  revisions: readonly {
    readonly indicator: string;
    readonly division: string;
    readonly period: string;
    readonly published: number | null;
    readonly live: number | null;
    readonly difference: number | null;
    readonly events: readonly { readonly part: string; readonly source: string; readonly id: string; readonly type: string; readonly date: string; readonly processedAt: string; readonly effect: number }[];
  }[],
  tree: DivisionTree,
): string[] {
  const lines: string[] = [];
  for (const r of revisions) {
    const definition = indicatorCatalog.find((d) => d.id === r.indicator);
    const unit = definition?.unit;
    const name = tree.node(r.division)?.name.zh ?? r.division;
    const sign = r.difference !== null && r.difference > 0 ? '+' : '';
    lines.push(`${r.indicator}  ${name} (${r.division})  ${r.period}: published ${formatValue(r.published, unit)} → live ${formatValue(r.live, unit)} (${sign}${formatValue(r.difference, unit)})`);
    for (const e of r.events) lines.push(`    ${e.part.padEnd(11)} ${e.date}  ${e.effect > 0 ? '+' : ''}${formatValue(e.effect, unit === 'yuan' ? 'yuan' : undefined)}  ${e.type}  ${e.source}/${e.id}  processed ${e.processedAt}`);
  }
  return lines;
}
