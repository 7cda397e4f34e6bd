/**
 * A whole number as DynamoDB items are read here, exactly: as
 * `{ value: "<digits>" }` with `unmarshall(…, { wrapNumbers: true })` (sums of
 * money pass 2^53 fen), or as a safe integer without it.
 */
export function exactInteger(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value !== 'object' || value === null || !('value' in value)) return undefined;
  const text = String((value as { value: unknown }).value);
  return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
}
