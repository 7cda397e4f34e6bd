/**
 * The bench's one percentile: the value at rank floor(p/100 · n) of the
 * values sorted, the largest for p = 100; NaN when there are none.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
