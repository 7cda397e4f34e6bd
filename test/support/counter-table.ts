import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import { comparableLive, comparableRecomputation } from '../../packages/maintenance/explained-figures.ts';
import type { Recomputation } from '../../packages/maintenance/recompute.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { figureOf } from './in-memory-ledger.ts';

/** Every net-change counter item of the table, exact: `pk|sk` → attribute → amount (baselines left out). */
export async function scanCounters(doc: DynamoDBDocumentClient, table: string): Promise<Map<string, Record<string, bigint>>> {
  const out = new Map<string, Record<string, bigint>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw, { wrapNumbers: true });
      const pk = String(item['pk']);
      if (pk.startsWith('BASELINE#')) continue;
      const amounts: Record<string, bigint> = {};
      for (const [name, value] of Object.entries(item)) {
        if (name === 'pk' || name === 'sk') continue;
        const text = String((value as { value?: unknown }).value);
        if (/^-?\d+$/.test(text)) amounts[name] = BigInt(text);
      }
      out.set(`${pk}|${String(item['sk'])}`, amounts);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

/**
 * Every figure's items as the API reads them, exact: the Counters table's
 * net-change items, with each organisation's folded from its explain entries
 * in the Ledger (packages/indicators/org-figures.ts) — and, under `X#M#…`,
 * what each division's entries add up to (what its explain page lists).
 */
export async function scanFigures(doc: DynamoDBDocumentClient, tables: TableNames): Promise<Map<string, Record<string, bigint>>> {
  const store = new MaintenanceStore(doc, tables);
  const [live, entries] = await Promise.all([store.counterItems(), store.foldedEntries()]);
  const out = new Map<string, Record<string, bigint>>();
  for (const item of comparableLive(live, entries)) {
    if (item.pk.startsWith('BASELINE#')) continue;
    const amounts: Record<string, bigint> = {};
    for (const [name, value] of Object.entries(item)) if (typeof value === 'bigint') amounts[name] = value;
    out.set(`${item.pk}|${item.sk}`, amounts);
  }
  return out;
}

/** A figure as the API reads it (see InMemoryLedger.value), from the live tables. */
export async function liveFigure(doc: DynamoDBDocumentClient, tables: TableNames, pk: string, sk: string, metric: string): Promise<number> {
  return figureOf(await scanFigures(doc, tables), pk, sk, metric);
}

/** Net-change items (`pk|sk` → attribute → amount) in one canonical text: sorted, zero amounts and empty items left out. */
export function canonicalText(counters: Iterable<readonly [string, Readonly<Record<string, bigint>>]>): string {
  const rows = [...counters]
    .map(([key, amounts]) => [key, Object.entries(amounts).filter(([, v]) => v !== 0n).sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => `${a}=${v}`)] as const)
    .filter(([, cells]) => cells.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return rows.map(([key, cells]) => `${key} ${cells.join(' ')}`).join('\n');
}

/** The table's net-change items in one canonical text (see {@link canonicalText}). */
export async function canonicalCounters(doc: DynamoDBDocumentClient, table: string): Promise<string> {
  return canonicalText(await scanCounters(doc, table));
}

/** Every figure's items, organisations' folded (see {@link scanFigures}), in one canonical text. */
export async function canonicalFigures(doc: DynamoDBDocumentClient, tables: TableNames): Promise<string> {
  return canonicalText(await scanFigures(doc, tables));
}

/** A recomputation's figures in the same canonical text as {@link canonicalFigures} (organisations' items canonical). */
export function canonicalTruth(recomputed: Recomputation): string {
  return canonicalText(comparableRecomputation(recomputed).counters);
}
