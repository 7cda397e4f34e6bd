/**
 * Events that carry a resident ID number where the contract forbids one:
 * in every string field of every type but the ID-number fields, and in the
 * envelope's `id`, `type` and `source`.
 */
import type { EventType } from '../../packages/contract/index.ts';
import { eventTypes, idNumberFieldNames } from '../../packages/contract/index.ts';
import { sampleEvent } from '../../packages/contract/fixtures.ts';

type Path = readonly (string | number)[];

/** Every string leaf of `value`, as a property path. */
function stringLeaves(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withValueAt(data: unknown, path: Path, replacement: string): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let parent = copy;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** `data.holder.name`, `data.orgCodes[0]`: the field as rejection details name it. */
function fieldName(path: Path): string {
  return ['data', ...path].map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
}

export interface SmuggledEvent {
  readonly type: EventType;
  /** The field carrying the number, as rejection details name it. */
  readonly field: string;
  readonly event: Record<string, unknown>;
}

/**
 * One event per data string field (ID-number fields excepted) with `text` in
 * that field, each with its own `id` (`${idPrefix}-n`), plus, with
 * `envelope`, one each with `text` inside `id`, `type` and `source`.
 */
export function eventsCarrying(text: string, options: { idPrefix?: string; envelope?: boolean } = {}): SmuggledEvent[] {
  const prefix = options.idPrefix ?? 'smuggled';
  const inData = eventTypes.flatMap((type) =>
    stringLeaves(sampleEvent(type).data)
      .filter((path) => !idNumberFieldNames.has(String(path[path.length - 1])))
      .map((path) => ({ type, field: fieldName(path), path })),
  );
  const events: SmuggledEvent[] = inData.map(({ type, field, path }, n) => {
    const sample = sampleEvent(type, { id: `${prefix}-${n}` }) as unknown as Record<string, unknown>;
    return { type, field, event: { ...sample, data: withValueAt(sample['data'], path, text) } };
  });
  if (options.envelope === true) {
    const base = (n: number) => sampleEvent('certificate.revoked.v1', { id: `${prefix}-envelope-${n}` }) as unknown as Record<string, unknown>;
    events.push(
      { type: 'certificate.revoked.v1', field: 'id', event: { ...base(0), id: `${prefix}-${text}` } },
      { type: 'certificate.revoked.v1', field: 'type', event: { ...base(1), type: text } },
      { type: 'certificate.revoked.v1', field: 'source', event: { ...base(2), source: `hrss${text}` } },
    );
  }
  return events;
}
