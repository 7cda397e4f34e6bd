/**
 * Paging cursors, the same for every paged route: base64url JSON naming a
 * place in one request's answer. A route binds its cursors to the request
 * with {@link requestDigest} (parameters and the caller's division), so a
 * cursor changed, or used with another request, is refused 400; one that
 * names another page of the same request only gives that page, which the
 * caller may read anyway.
 */
import { createHash } from 'node:crypto';
import type * as z from 'zod/mini';
import { ApiError } from './problems.ts';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** @throws ApiError `invalid-cursor` unless `cursor` decodes to `schema`. */
export function decodeCursor<T>(cursor: string, schema: z.ZodMiniType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new ApiError('invalid-cursor', 'cursor does not belong to this request: pass the `next` of the previous page with the same parameters');
  return result.data;
}

/** A short digest of what names a request (its parameters and the caller's division). */
export function requestDigest(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}
