/** Published figures: the latest edition of a period, its figures for one division, and what changed since. */
import type { Publication, Revision } from '../api/shapes.ts';
import { services } from '../services.ts';

/** The most recent edition published for `period`, if any. */
export async function latestEdition(period: string): Promise<Publication | undefined> {
  const editions = (await services().api.publications()).filter((p) => p.period === period);
  return editions.sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))[0];
}

/** Indicator → published value of the latest edition for the period, for one division; empty when nothing is published. */
export async function publishedFigures(division: string, period: string): Promise<ReadonlyMap<string, number | null>> {
  const latest = await latestEdition(period);
  const out = new Map<string, number | null>();
  if (latest === undefined) return out;
  let cursor: string | undefined;
  do {
    const page = await services().api.publicationFigures(latest.id, cursor);
    for (const row of page.items) if (row.division === division && row.period === period) out.set(row.indicator, row.value);
    cursor = page.next;
  } while (cursor !== undefined);
  return out;
}

/**
 * What changed since an edition, figure by figure, for one division: its
 * frozen figures against the live ones. Used where the server has no
 * revisions route; it cannot name the events that moved a figure.
 */
export async function figureRevisions(edition: Publication, division: string): Promise<Revision[]> {
  const frozen = new Map<string, number | null>();
  let cursor: string | undefined;
  do {
    const page = await services().api.publicationFigures(edition.id, cursor);
    for (const row of page.items) if (row.division === division && row.period === edition.period) frozen.set(row.indicator, row.value);
    cursor = page.next;
  } while (cursor !== undefined);
  if (frozen.size === 0) return [];
  const live = await services().api.analytics({ indicators: [...frozen.keys()], periods: [edition.period], division });
  return live.flatMap((row): Revision[] => {
    const published = frozen.get(row.indicator) ?? null;
    if (published === row.value || (published !== null && row.value !== null && Math.abs(published - row.value) < 1e-9)) return [];
    const difference = published === null || row.value === null ? null : row.value - published;
    return [{ indicator: row.indicator, division, published, live: row.value, difference, events: [] }];
  });
}
