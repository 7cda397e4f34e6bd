/** The published figures of a period: the latest edition for it, and its figures for one division. */
import type { Publication } from '../api/shapes.ts';
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
