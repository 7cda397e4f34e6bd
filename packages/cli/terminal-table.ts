/**
 * Plain-text tables for a terminal. Chinese division names take two columns
 * each on screen, so widths are counted in display columns, not characters.
 */

/**
 * Columns a code point occupies in a monospace terminal: 2 for East Asian
 * wide and fullwidth characters (CJK ideographs, kana, hangul, fullwidth
 * forms, most emoji), 0 for combining marks and zero-width characters, else 1.
 */
export function codePointWidth(codePoint: number): 0 | 1 | 2 {
  if (
    (codePoint >= 0x0300 && codePoint <= 0x036f) ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    codePoint === 0xfeff
  ) {
    return 0;
  }
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display columns of `text`: `displayWidth('忠县 Zhong')` is 10. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += codePointWidth(character.codePointAt(0) ?? 0);
  return width;
}

export type Alignment = 'left' | 'right';

/** `text` padded with spaces to `width` display columns. */
export function padToWidth(text: string, width: number, alignment: Alignment = 'left'): string {
  const padding = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return alignment === 'left' ? text + padding : padding + text;
}

export interface TableLayout {
  readonly headers: readonly string[];
  readonly alignments: readonly Alignment[];
  readonly rows: readonly (readonly string[])[];
  /** Rows after a rule under the body, e.g. a total. */
  readonly footer?: readonly (readonly string[])[];
}

/**
 * The table as lines: header, a rule, the rows, and (when given) a rule and
 * the footer rows. Columns are separated by two spaces and sized to their
 * widest cell in display columns; trailing spaces are trimmed.
 */
export function renderTable(table: TableLayout): string[] {
  const all = [table.headers, ...table.rows, ...(table.footer ?? [])];
  const widths = table.headers.map((_, column) => Math.max(...all.map((row) => displayWidth(row[column] ?? ''))));
  const line = (row: readonly string[]): string =>
    widths
      .map((width, column) => padToWidth(row[column] ?? '', width, table.alignments[column] ?? 'left'))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const out = [line(table.headers), rule, ...table.rows.map(line)];
  if (table.footer !== undefined && table.footer.length > 0) out.push(rule, ...table.footer.map(line));
  return out;
}
