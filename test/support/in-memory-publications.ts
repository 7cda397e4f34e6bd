/**
 * Publications and targets kept in memory, for unit tests of the API
 * routes. They keep the stores' contracts (an edition is put once; a second
 * put of the same id fails), so route tests exercise the real behaviour;
 * the DynamoDB stores are tested against DynamoDB Local.
 */
import { DivisionTree } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import type { Edition, EditionFigure, PublicationRecord } from '../../packages/publications/edition.ts';
import { buildEdition } from '../../packages/publications/edition.ts';
import { PublicationExistsError } from '../../packages/publications/errors.ts';
import type { PublicationPage, PublicationReader } from '../../packages/publications/publication-store.ts';
import type { Target, TargetKey, TargetStore } from '../../packages/publications/targets.ts';

export class InMemoryPublicationStore implements PublicationReader {
  private readonly editions = new Map<string, Edition>();

  put(edition: Edition): Promise<void> {
    if (this.editions.has(edition.record.id)) return Promise.reject(new PublicationExistsError('exists'));
    this.editions.set(edition.record.id, edition);
    return Promise.resolve();
  }

  publication(id: string): Promise<PublicationRecord | undefined> {
    return Promise.resolve(this.editions.get(id)?.record);
  }

  list(limit: number, after?: string): Promise<PublicationPage> {
    const keyed = [...this.editions.values()].map((e) => ({ key: `${e.record.publishedAt}#${e.record.id}`, record: e.record })).sort((a, b) => (a.key < b.key ? 1 : -1));
    const rest = after === undefined ? keyed : keyed.filter((k) => k.key < after);
    const page = rest.slice(0, limit);
    return Promise.resolve({ publications: page.map((k) => k.record), ...(rest.length > limit ? { after: page.at(-1)?.key as string } : {}) });
  }

  pieces(id: string, divisions: readonly string[]): Promise<Uint8Array[]> {
    const edition = this.editions.get(id);
    return Promise.resolve(divisions.map((d) => edition?.pieces.find((p) => p.division === d)?.bytes ?? new Uint8Array()));
  }

  head(id: string): Promise<Uint8Array> {
    return Promise.resolve(this.editions.get(id)?.head ?? new Uint8Array());
  }
}

export class InMemoryTargetStore implements TargetStore {
  private readonly targets = new Map<string, Target>();
  private readonly keyOf = (k: TargetKey): string => `${k.division}|${k.period}|${k.indicator}`;

  set(target: Target): Promise<void> {
    this.targets.set(this.keyOf(target), target);
    return Promise.resolve();
  }

  remove(key: TargetKey): Promise<boolean> {
    return Promise.resolve(this.targets.delete(this.keyOf(key)));
  }

  ofDivision(division: string): Promise<Target[]> {
    return Promise.resolve([...this.targets.values()].filter((t) => t.division === division).sort((a, b) => (this.keyOf(a) < this.keyOf(b) ? -1 : 1)));
  }
}

/**
 * An edition of Zhong County for `period` in which every figure of division
 * `d` (the i-th in tree order) is `value(i)`; ratios get parts 1 / 2.
 */
export function sampleEdition(id: string, period: string, value: (divisionIndex: number) => string = (i) => String(100 + i)): Edition {
  const divisions = new DivisionTree(zhongCounty).all();
  return buildEdition(
    { id, period, title: '2026年第三季度产改指标', publishedAt: '2026-10-08T02:00:00.000Z', asOf: '2026-09-30' },
    divisions.map((division, i) => ({
      division,
      figures: indicatorCatalog.map(
        (d): EditionFigure => (d.kind === 'ratio' ? { indicator: d.id, division, period, value: '50', numerator: 1, denominator: 2 } : { indicator: d.id, division, period, value: value(i) }),
      ),
    })),
  );
}
