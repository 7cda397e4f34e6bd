/**
 * Paging of a part's events (Explainer.events) over a fake entry source:
 * whatever the page size, the pages together list every entry of every
 * scope exactly once, in scope then day order, and no page spends more than
 * its read bound — also when scopes are read several at a time and a scope
 * has more than one read's worth of entries.
 */
import { describe, expect, it } from 'vitest';
import { DivisionTree } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import type { EntryQuery, EventsPosition, ExplainEntrySource, PartPlan, StoredEntry } from '../../packages/explain/explainer.ts';
import { Explainer, maxReadsPerPage } from '../../packages/explain/explainer.ts';

/** `counts[i]` entries in scope i (some empty), served at most `perRead` a read, as DynamoDB pages a Query. */
function source(counts: readonly number[], perRead: number): ExplainEntrySource & { all: string[] } {
  const all: string[] = [];
  const byScope = counts.map((n, s) =>
    Array.from({ length: n }, (_, i): StoredEntry => {
      const id = `s${s}-e${String(i).padStart(3, '0')}`;
      all.push(id);
      return { source: 'test', id, type: 't', day: '2026-01-01', processedAt: 'x', amount: i % 7 === 3 ? 0 : 1, resumeAfter: String(i) };
    }),
  );
  return {
    all,
    entries: async (query: EntryQuery) => {
      const entries = byScope[Number(query.scope.slice('S#'.length))] ?? [];
      const start = query.after === undefined ? 0 : Number(query.after) + 1;
      const page = entries.slice(start, start + Math.min(query.limit, perRead));
      const last = start + page.length - 1;
      return { entries: page, ...(last < entries.length - 1 ? { after: String(last) } : {}) };
    },
  };
}

const planOver = (scopes: number): PartPlan => ({
  part: 'value', metric: 'skilled' as PartPlan['metric'], inFen: false, cell: 'skilled', from: undefined, to: undefined, baseline: null,
  scopes: Array.from({ length: scopes }, (_, i) => `S#${i}`),
});

describe('a part’s events, page by page', () => {
  it.each([
    [[5, 0, 3, 0, 0, 12, 1, 0, 0, 4, 9, 0, 2], 1000, 1000],
    [[5, 0, 3, 0, 0, 12, 1, 0, 0, 4, 9, 0, 2], 4, 1000],
    [[5, 0, 3, 0, 0, 12, 1, 0, 0, 4, 9, 0, 2], 3, 2],
    [[30, 0, 0, 25], 7, 5],
    [Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? 3 : 0)), 10, 1000],
  ])('lists every non-zero entry once, in order: scopes %j, pages of %i, reads of %i', async (counts, pageSize, perRead) => {
    const entries = source(counts, perRead);
    const explainer = new Explainer(entries, { baselineUsed: async () => undefined }, new DivisionTree(zhongCounty));
    const plan = planOver(counts.length);
    const listed: string[] = [];
    let position: EventsPosition | undefined = { scopeIndex: 0 };
    for (let pages = 0; position !== undefined; pages++) {
      expect(pages).toBeLessThan(1000);
      const page: Awaited<ReturnType<Explainer['events']>> = await explainer.events(plan, position, pageSize);
      expect(page.reads).toBeLessThanOrEqual(maxReadsPerPage);
      expect(page.events.length).toBeLessThanOrEqual(pageSize);
      listed.push(...page.events.map((e) => e.id));
      position = page.next;
    }
    const expected = entries.all.filter((id) => Number(id.slice(-3)) % 7 !== 3);
    expect(listed).toEqual(expected);
  });
});
