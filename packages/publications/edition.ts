/**
 * An edition: the figures of one period frozen at one instant, in its
 * canonical CSV. The CSV is the edition: its bytes are stored as they were
 * made (a head, then one piece per division) and its digest is the SHA-256 of
 * exactly those bytes, so anyone holding the file can check it against the
 * published digest.
 *
 * Canonical CSV: UTF-8 with a byte-order mark, CRLF line ends, the header
 * `indicator,division,period,value,numerator,denominator`, then one line per
 * figure: divisions in the deployment's tree order (the root first, then
 * depth-first as configured), within a division the indicators in catalogue
 * order. `value` is exact decimal text (yuan with up to 2 decimals, percent
 * with 2), empty for a ratio whose denominator is 0; `numerator` and
 * `denominator` only for ratios. Same cell rules as the analytics CSV.
 */
import { createHash } from 'node:crypto';
import { byteOrderMark, csvLine } from '../api/analytics.ts';
import { ExactNumber } from '../api/http.ts';
import type { IndicatorValue } from '../indicators/evaluator.ts';
import { CorruptEditionError } from './errors.ts';

/** One frozen figure of a division. `value` is exact decimal text, null for an empty ratio. */
export interface EditionFigure {
  readonly indicator: string;
  readonly division: string;
  readonly period: string;
  readonly value: string | null;
  readonly numerator?: number;
  readonly denominator?: number;
}

/** What a publication says about itself (API.md: `{ id, period, title, publishedAt, figures, digest }`). */
export interface PublicationSummary {
  readonly id: string;
  readonly period: string;
  readonly title: string;
  /** ISO instant, taken while processing was paused: an event counts in the edition or was processed after it. */
  readonly publishedAt: string;
  /** Number of figures frozen. */
  readonly figures: number;
  /** SHA-256, hex, of the canonical CSV bytes. */
  readonly digest: string;
}

/** A publication as stored: its summary plus what is needed to read its figures back. */
export interface PublicationRecord extends PublicationSummary {
  /** The last Asia/Shanghai date the figures include. */
  readonly asOf: string;
  /** Divisions in CSV order. */
  readonly divisions: readonly string[];
  /** Size of the canonical CSV in bytes. */
  readonly bytes: number;
}

/** An edition ready to store: its record, the CSV head and each division's piece of the CSV. */
export interface Edition {
  readonly record: PublicationRecord;
  /** Byte-order mark and header line. */
  readonly head: Uint8Array;
  /** In CSV order; the CSV is `head` followed by every piece. */
  readonly pieces: readonly { readonly division: string; readonly bytes: Uint8Array }[];
}

export const editionColumns = ['indicator', 'division', 'period', 'value', 'numerator', 'denominator'] as const;

const encoder = new TextEncoder();

/** The frozen form of a computed figure: the value as exact text (as the API writes it). */
export function editionFigure(figure: IndicatorValue, division: string, period: string): EditionFigure {
  const value = figure.value === null ? null : (figure.exactValue ?? String(figure.value));
  return {
    indicator: figure.indicator,
    division,
    period,
    value,
    ...(figure.numerator === undefined ? {} : { numerator: figure.numerator }),
    ...(figure.denominator === undefined ? {} : { denominator: figure.denominator }),
  };
}

/** The CSV lines of figures (no head). */
export function editionLines(figures: readonly EditionFigure[]): string {
  return figures
    .map((f) => csvLine([f.indicator, f.division, f.period, f.value === null ? null : new ExactNumber(f.value), f.numerator, f.denominator]))
    .join('');
}

/**
 * Builds an edition from each division's figures, in CSV order, and digests
 * exactly the bytes that will be stored.
 */
export function buildEdition(
  about: { readonly id: string; readonly period: string; readonly title: string; readonly publishedAt: string; readonly asOf: string },
  byDivision: readonly { readonly division: string; readonly figures: readonly EditionFigure[] }[],
): Edition {
  const head = encoder.encode(byteOrderMark + csvLine(editionColumns));
  const pieces = byDivision.map(({ division, figures }) => ({ division, bytes: encoder.encode(editionLines(figures)) }));
  const hash = createHash('sha256').update(head);
  for (const piece of pieces) hash.update(piece.bytes);
  return {
    record: {
      ...about,
      figures: byDivision.reduce((sum, d) => sum + d.figures.length, 0),
      digest: hash.digest('hex'),
      divisions: pieces.map((p) => p.division),
      bytes: head.length + pieces.reduce((sum, p) => sum + p.bytes.length, 0),
    },
    head,
    pieces,
  };
}

/** Reads one division's piece back into figures. */
export function parseEditionPiece(bytes: Uint8Array): EditionFigure[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      // The edition's cells are ids, codes, periods and numbers: never quoted, never holding a comma.
      const cells = line.split(',');
      const [indicator, division, period, value, numerator, denominator] = cells;
      if (cells.length !== editionColumns.length || indicator === undefined || division === undefined || period === undefined || value === undefined) {
        throw new CorruptEditionError('an edition line does not have the six columns of the canonical CSV');
      }
      return {
        indicator,
        division,
        period,
        value: value === '' ? null : value,
        ...(numerator === undefined || numerator === '' ? {} : { numerator: Number(numerator) }),
        ...(denominator === undefined || denominator === '' ? {} : { denominator: Number(denominator) }),
      };
    });
}

/** A decimal text as the API writes it: a plain number when a double holds it exactly, else exact. */
export function wireNumber(text: string): number | ExactNumber {
  const value = Number(text);
  return String(value) === text ? value : new ExactNumber(text);
}
