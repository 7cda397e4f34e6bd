/**
 * Request units as DynamoDB bills them, for the bench's counting proxy
 * (services.ts). A write costs 1 unit per KB of the item — for an update or
 * an overwrite, of the larger of its sizes before and after — doubled in a
 * transaction (a prepare and a commit write), and each index entry the write
 * puts, changes or removes costs 1 unit per KB of the entry, not doubled:
 * DynamoDB maintains indexes after the commit. A strongly consistent read
 * costs 1 unit per 4 KB of each item (of the whole item, whatever the
 * projection; 1 for a key that finds none), an eventually consistent one
 * half that, a query 1 per 4 KB of all the items it returns, and a
 * transaction's ConditionCheck reads its item twice. (DynamoDB Developer
 * Guide, "Capacity unit consumption for read operations" and "for write
 * operations", "Capacity management for transactions", "Provisioned
 * throughput considerations for global secondary indexes".)
 *
 * The size of an item before an update, or beyond a read's projection, is
 * known because the meter keeps every item written through the proxy since
 * its tables were created and applies each update to it: the counters'
 * `ADD`s, plain `SET`s and `REMOVE`s.
 */
import { tables as tableDefinitions } from '../../packages/config/resources.ts';
import type { IndexDefinition, TableDefinition } from '../../packages/config/resources.ts';

/** An attribute value in DynamoDB's JSON. */
export interface WireValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly SS?: readonly string[];
  readonly NS?: readonly string[];
  readonly BS?: readonly string[];
  readonly L?: readonly WireValue[];
  readonly M?: Readonly<Record<string, WireValue>>;
}
export type WireItem = Readonly<Record<string, WireValue>>;

/** Bytes of a number: about one per two significant digits, plus one. */
function numberBytes(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of a value as DynamoDB sizes it (UTF-8 strings, binary as bytes, 3 bytes and 1 per element for lists and maps). */
export function valueBytes(v: WireValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (v.BS !== undefined) return v.BS.reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((sum, e) => sum + 1 + valueBytes(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + Buffer.byteLength(k) + valueBytes(e), 0);
  return 0;
}

/** Bytes of an item: every attribute's name and value. */
export function itemBytes(item: WireItem): number {
  return Object.entries(item).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + valueBytes(v), 0);
}

/** Write units of `bytes`: 1 per started KB, at least 1. */
const unitsFor = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
/** Strongly consistent read units of `bytes`: 1 per started 4 KB, at least 1 (a key that finds nothing included). */
const readUnitsFor = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));
const sizeOrNothing = (item: WireItem | undefined): number => (item === undefined ? 0 : itemBytes(item));

/** The sum of two numbers given as DynamoDB number strings, exact for integers of any size. */
function addNumbers(a: string, b: string): string {
  return /^-?\d+$/.test(a) && /^-?\d+$/.test(b) ? String(BigInt(a) + BigInt(b)) : String(Number(a) + Number(b));
}

/** What one successful write cost. */
export interface WriteUnits {
  /** Units of the item itself, doubled in a transaction. */
  readonly item: number;
  /** Units of the index entries it wrote or removed. */
  readonly index: number;
}

/** The part of a table's definition the meter needs; raw reference tables (`V1Ledger`, …) take their namesake's keys and have no indexes. */
interface TableShape {
  readonly keys: readonly string[];
  readonly indexes: readonly IndexDefinition[];
}

export class CapacityMeter {
  private readonly items = new Map<string, WireItem>();

  constructor(private readonly definitions: readonly TableDefinition[] = tableDefinitions) {}

  /** Forgets every item: call when the tables are created again. */
  forget(): void {
    this.items.clear();
  }

  put(table: string, item: WireItem, transactional: boolean): WriteUnits {
    const id = this.idOf(table, item);
    return this.replace(table, id, item, transactional);
  }

  delete(table: string, key: WireItem, transactional: boolean): WriteUnits {
    return this.replace(table, this.idOf(table, key), undefined, transactional);
  }

  update(
    table: string,
    key: WireItem,
    request: { readonly UpdateExpression?: string; readonly ExpressionAttributeNames?: Readonly<Record<string, string>>; readonly ExpressionAttributeValues?: Readonly<Record<string, WireValue>> },
    transactional: boolean,
  ): WriteUnits {
    const id = this.idOf(table, key);
    const before = this.items.get(id);
    const after: Record<string, WireValue> = { ...(before ?? key) };
    const name = (token: string): string => request.ExpressionAttributeNames?.[token] ?? token;
    const value = (token: string): WireValue | undefined => request.ExpressionAttributeValues?.[token];
    // Clauses: `SET a = :v, …`, `ADD a :v, …`, `REMOVE a, …` (what the processor and the raw references send).
    for (const [, keyword, body] of (request.UpdateExpression ?? '').matchAll(/\b(SET|ADD|REMOVE|DELETE)\b([^]*?)(?=\b(?:SET|ADD|REMOVE|DELETE)\b|$)/g)) {
      for (const action of (body ?? '').split(',').map((a) => a.trim()).filter(Boolean)) {
        const verb = (keyword ?? '').toUpperCase();
        if (verb === 'REMOVE') {
          delete after[name(action)];
          continue;
        }
        const [target, operand] = verb === 'SET' ? action.split('=').map((p) => p.trim()) : action.split(/\s+/);
        const attribute = name(target ?? '');
        const given = value(operand ?? '');
        if (given === undefined) throw new Error(`capacity-units: cannot follow update action "${action}"`);
        const current = after[attribute];
        if (verb === 'ADD' && given.N !== undefined && current?.N !== undefined) after[attribute] = { N: addNumbers(current.N, given.N) };
        else if (verb === 'ADD' && given.SS !== undefined && current?.SS !== undefined) after[attribute] = { SS: [...new Set([...current.SS, ...given.SS])] };
        else if (verb === 'ADD' && given.NS !== undefined && current?.NS !== undefined) after[attribute] = { NS: [...new Set([...current.NS, ...given.NS])] };
        else after[attribute] = given;
      }
    }
    return this.replace(table, id, after, transactional);
  }

  /**
   * Read units of looking up `keys` (GetItem, or one table's part of a
   * BatchGetItem) that found `found` (as returned, perhaps projected): each
   * key alone, its whole item rounded up to 4 KB, a key that found nothing 1.
   */
  getItems(table: string, keys: readonly WireItem[], found: readonly WireItem[], consistent: boolean): number {
    const returned = new Map(found.map((item) => [this.idOf(table, item), item]));
    return keys.reduce((sum, key) => {
      const id = this.idOf(table, key);
      const item = returned.has(id) ? (this.items.get(id) ?? returned.get(id)) : undefined;
      return sum + (consistent ? 1 : 0.5) * readUnitsFor(sizeOrNothing(item));
    }, 0);
  }

  /**
   * Read units of a Query or Scan page: the whole items it returned, together,
   * rounded up to 4 KB; of an index, its entries as returned (`ofIndex`).
   */
  queryPage(table: string, returned: readonly WireItem[], consistent: boolean, ofIndex = false): number {
    const bytes = returned.reduce((sum, r) => sum + itemBytes((ofIndex ? undefined : this.items.get(this.idOf(table, r))) ?? r), 0);
    return (consistent ? 1 : 0.5) * readUnitsFor(bytes);
  }

  /** Read units of a transaction's ConditionCheck: its item read twice, strongly. */
  conditionCheck(table: string, key: WireItem): number {
    return 2 * readUnitsFor(sizeOrNothing(this.items.get(this.idOf(table, key))));
  }

  private replace(table: string, id: string, after: WireItem | undefined, transactional: boolean): WriteUnits {
    const before = this.items.get(id);
    if (after === undefined) this.items.delete(id);
    else this.items.set(id, after);
    const bytes = Math.max(sizeOrNothing(before), sizeOrNothing(after));
    const shape = this.shapeOf(table);
    let index = 0;
    for (const definition of shape.indexes) {
      const old = before === undefined ? undefined : indexEntry(before, shape.keys, definition);
      const next = after === undefined ? undefined : indexEntry(after, shape.keys, definition);
      if (old === undefined && next === undefined) continue;
      if (old !== undefined && next !== undefined && JSON.stringify(old) === JSON.stringify(next)) continue;
      const keysMoved = old !== undefined && next !== undefined && [definition.partitionKey.name, definition.sortKey.name].some((k) => JSON.stringify(old[k]) !== JSON.stringify(next[k]));
      // A moved index key is a delete of the old entry and a put of the new one.
      if (old !== undefined && (next === undefined || keysMoved)) index += unitsFor(itemBytes(old));
      if (next !== undefined) index += unitsFor(itemBytes(next));
    }
    return { item: unitsFor(bytes) * (transactional ? 2 : 1), index };
  }

  private shapeOf(table: string): TableShape {
    const exact = this.definitions.find((d) => d.name === table);
    const namesake = exact ?? this.definitions.find((d) => table.endsWith(d.name));
    const keys = namesake === undefined ? ['pk', 'sk'] : [namesake.partitionKey.name, ...(namesake.sortKey === undefined ? [] : [namesake.sortKey.name])];
    return { keys, indexes: exact?.indexes ?? [] };
  }

  /** An item's identity: its table and key (a Put's item or an Update's, Delete's or ConditionCheck's key). */
  idOf(table: string, item: WireItem): string {
    return JSON.stringify([table, ...this.shapeOf(table).keys.map((k) => item[k] ?? null)]);
  }
}

/** The entry an item has in an index (table keys, index keys, projected attributes), or none when it lacks an index key. */
function indexEntry(item: WireItem, tableKeys: readonly string[], index: IndexDefinition): WireItem | undefined {
  if (item[index.partitionKey.name] === undefined || item[index.sortKey.name] === undefined) return undefined;
  const names = [...new Set([...tableKeys, index.partitionKey.name, index.sortKey.name, ...index.include])];
  return Object.fromEntries(names.flatMap((n) => (item[n] === undefined ? [] : [[n, item[n] as WireValue]])));
}
