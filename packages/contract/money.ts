/**
 * Money in the contract: `...Yuan` fields are decimal numbers, ≥ 0, with at
 * most 2 decimals, stored as integer fen.
 */
import { ContractError } from './errors.ts';

/**
 * Largest amount accepted, in yuan: 100 billion. Far above any single
 * payment, and it keeps sums of fen well inside the exact integer range.
 */
export const maxYuan = 100_000_000_000;

/**
 * JSON numbers arrive as binary floats, so a producer that computed
 * 0.1 + 0.2 sends 0.30000000000000004. Such values are within float noise of
 * a whole number of fen and are accepted as that amount; 12.345 is half a fen
 * away and is not.
 */
function fenOf(yuan: number): number | undefined {
  if (!Number.isFinite(yuan) || yuan < 0 || yuan > maxYuan) return undefined;
  const scaled = yuan * 100;
  const fen = Math.round(scaled);
  const tolerance = Math.max(1e-6, Math.abs(scaled) * Number.EPSILON * 8);
  return Math.abs(scaled - fen) <= tolerance ? fen + 0 : undefined;
}

/** True when `yuan` is a finite amount ≥ 0 and ≤ {@link maxYuan} with at most 2 decimals (float noise tolerated). */
export function isYuanAmount(yuan: number): boolean {
  return fenOf(yuan) !== undefined;
}

/**
 * Exact integer fen for a validated yuan amount: `12.34` → `1234`,
 * `0.1 + 0.2` → `30`.
 * @throws ContractError when `yuan` is not a valid amount (negative, not finite, more than 2 decimals).
 */
export function yuanToFen(yuan: number): number {
  const fen = fenOf(yuan);
  if (fen === undefined) throw new ContractError('a yuan amount must be a number ≥ 0 with at most 2 decimals');
  return fen;
}
