/**
 * `GET /v1/rejections`: the rejected events of the last days, counted by
 * reason and listed in pages, limited to what the caller may see — the same
 * rule as an event's outcome: a producer its own source's rejections, others
 * those counted within their division. A rejection records no division
 * today, so outside the root division the answer is empty.
 */
import * as z from 'zod/mini';
import { decodePageCursor, encodePageCursor } from './analytics-route.ts';
import { requestDigest } from './cursor.ts';
import type { RouteContext } from './route.ts';
import { ApiError } from './problems.ts';
import type { rejectionsPage } from './schemas.ts';
import { rejectionReason } from './schemas.ts';

export const rejectionLimits = {
  /** Days a window may span, counting today. */
  maxDays: 31,
  defaultDays: 7,
  maxPageSize: 200,
  defaultPageSize: 50,
  /** Records one request reads at most; a window holding more answers `truncated`. */
  maxRead: 5_000,
} as const;

const wholeNumber = (name: string) => z.string().check(z.regex(/^[1-9][0-9]{0,3}$/, `${name} must be a whole number from 1`));

export const rejectionsQuery = z.strictObject({
  days: z.optional(wholeNumber('days')),
  reason: z.optional(rejectionReason),
  limit: z.optional(wholeNumber('limit')),
  cursor: z.optional(z.string().check(z.maxLength(200, 'must be a cursor from a previous page'))),
});

type RejectionsQuery = z.infer<typeof rejectionsQuery>;
type RejectionsPage = z.infer<typeof rejectionsPage>;
type Reason = z.infer<typeof rejectionReason>;

/** A number parameter within 1..max. */
function bounded(name: string, text: string | undefined, fallback: number, max: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (value > max) throw new ApiError('invalid-parameter', `${name} must be at most ${max}`);
  return value;
}

/** The `count` days ending on `today` (UTC), oldest first. */
export function windowDays(today: Date, count: number): string[] {
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) days.push(new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10));
  return days;
}


const isReason = (reason: string): reason is Reason => (rejectionReason.options as readonly string[]).includes(reason);

export async function listRejections({ caller, query, deps, scopes }: RouteContext<RejectionsQuery>): Promise<RejectionsPage> {
  const days = windowDays(deps.now(), bounded('days', query.days, rejectionLimits.defaultDays, rejectionLimits.maxDays));
  const pageSize = bounded('limit', query.limit, rejectionLimits.defaultPageSize, rejectionLimits.maxPageSize);
  const digest = requestDigest([query.days, query.reason, query.limit, caller.role, caller.division ?? '', caller.source ?? '']);
  const offset = query.cursor === undefined ? 0 : decodePageCursor(query.cursor, digest, Number.MAX_SAFE_INTEGER);

  const { rejections, truncated } = await deps.rejections.rejectionsOn(days, rejectionLimits.maxRead);
  const visible = rejections.filter((r) => scopes.mayReadOutcome(caller, r) && isReason(r.reason));
  const counts = new Map<Reason, number>();
  for (const r of visible) counts.set(r.reason as Reason, (counts.get(r.reason as Reason) ?? 0) + 1);
  const listed = query.reason === undefined ? visible : visible.filter((r) => r.reason === query.reason);
  const page = listed.slice(offset, offset + pageSize);
  const nextOffset = offset + pageSize;
  return {
    from: days[0] ?? '',
    to: days.at(-1) ?? '',
    byReason: [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    total: visible.length,
    truncated,
    rejections: page.map((r) => ({
      source: r.source,
      id: r.id,
      type: r.type ?? null,
      reason: r.reason as Reason,
      detail: r.detail,
      receivedAt: r.receivedAt,
      processedAt: r.processedAt,
    })),
    ...(nextOffset < listed.length ? { next: encodePageCursor(nextOffset, digest) } : {}),
  };
}
