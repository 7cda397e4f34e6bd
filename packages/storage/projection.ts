/**
 * A ProjectionExpression naming `names` through placeholders: several
 * attribute names (source, type, data, …) are DynamoDB reserved words.
 */
export function projection(names: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  return { ProjectionExpression: names.map((_, i) => `#p${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])) };
}
