import { describe, expect, it } from 'vitest';
import { itemBytes, CapacityMeter } from '../bench/capacity-units.ts';
import type { WireItem } from '../bench/capacity-units.ts';

const s = (text: string) => ({ S: text });
const n = (value: string) => ({ N: value });

describe('the bench write-unit meter (as DynamoDB bills writes)', () => {
  it('sizes items as DynamoDB does: names, UTF-8 strings, numbers by significant digits', () => {
    expect(itemBytes({ pk: s('ORG#1') })).toBe(2 + 5);
    expect(itemBytes({ name: s('忠县') })).toBe(4 + 6);
    expect(itemBytes({ a: n('1') })).toBe(1 + 2);
    expect(itemBytes({ a: n('123456') })).toBe(1 + 4);
    expect(itemBytes({ a: n('1000') })).toBe(1 + 2);
    expect(itemBytes({ m: { M: { k: s('v') } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('doubles an item written in a transaction, 1 unit per started KB', () => {
    const meter = new CapacityMeter();
    expect(meter.put('State', { pk: s('P#1'), body: s('x'.repeat(100)) }, false)).toEqual({ item: 1, index: 0 });
    expect(meter.put('State', { pk: s('P#2'), body: s('x'.repeat(2000)) }, true)).toEqual({ item: 4, index: 0 });
  });

  it('bills an update at the larger of the item before and after it, following ADDs', () => {
    const meter = new CapacityMeter();
    const key = { pk: s('DIV#500233101000'), sk: s('M#2026-03') };
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`m${i}@01`, n('1')])) as WireItem;
    meter.put('Counters', { ...key, ...big }, false);
    const add = { UpdateExpression: 'ADD #m0 :m0, #m1 :m1', ExpressionAttributeNames: { '#m0': 'm0@01', '#m1': 'new@02' }, ExpressionAttributeValues: { ':m0': n('5'), ':m1': n('1') } };
    // 200 attributes of ~8 bytes: over 1 KB before and after, so 2 units, ×2 in a transaction.
    expect(meter.update('Counters', key, add, true)).toEqual({ item: 4, index: 0 });
    // An item nobody wrote before is as big as what the update leaves.
    expect(meter.update('Counters', { pk: s('ORG#1'), sk: s('M#2026-03') }, add, false)).toEqual({ item: 1, index: 0 });
  });

  it('bills each index entry a ledger record carries, once, outside the transaction doubling', () => {
    const meter = new CapacityMeter();
    const record = {
      pk: s('EVENT#a#1'),
      sk: s('ACCEPTED'),
      source: s('a'),
      id: s('1'),
      xdp: s('DIV#500233101000'),
      xds: s('2026-03-01#a#1'),
      xd: s('m:1'),
      xop: s('ORG#1'),
      xos: s('2026-03-01#a#1'),
      xo: s('m:1'),
      data: s('x'.repeat(600)),
    };
    expect(meter.put('Ledger', record, true)).toEqual({ item: 2, index: 2 });
    // Without index keys the record is in no index.
    expect(meter.put('Ledger', { pk: s('EVENT#a#2'), sk: s('ACCEPTED') }, true)).toEqual({ item: 2, index: 0 });
    // A raw reference table of the same name has no index.
    expect(meter.put('V1Ledger', record, true)).toEqual({ item: 2, index: 0 });
  });

  it('bills a moved index key as a delete and a put, and a removed one as a delete', () => {
    const meter = new CapacityMeter();
    const key = { pk: s('EVENT#a#1'), sk: s('REJECTED') };
    meter.put('Ledger', { ...key, rejectedDay: s('2026-03-01'), processedAt: s('2026-03-01T00:00:00Z') }, false);
    expect(meter.put('Ledger', { ...key, rejectedDay: s('2026-03-02'), processedAt: s('2026-03-02T00:00:00Z') }, false)).toEqual({ item: 1, index: 2 });
    expect(meter.put('Ledger', { ...key }, false)).toEqual({ item: 1, index: 1 });
    expect(meter.delete('Ledger', key, false)).toEqual({ item: 1, index: 0 });
  });

  it('forgets every item when the tables are created again', () => {
    const meter = new CapacityMeter();
    const key = { pk: s('S#1') };
    meter.put('State', { ...key, body: s('x'.repeat(3000)) }, false);
    meter.forget();
    expect(meter.put('State', { ...key, body: s('y') }, false)).toEqual({ item: 1, index: 0 });
  });
});

describe('the bench capacity meter, reads', () => {
  it('bills a strongly consistent lookup 1 unit per started 4 KB of the whole item, a key that finds nothing 1, an eventual one half', () => {
    const meter = new CapacityMeter();
    const big = { pk: s('P#1'), body: s('x'.repeat(5000)) };
    meter.put('State', big, false);
    // The lookup projected only the version: billed for the whole item all the same.
    expect(meter.getItems('State', [{ pk: s('P#1') }, { pk: s('P#2') }], [{ pk: s('P#1'), version: n('3') }], true)).toBe(2 + 1);
    expect(meter.getItems('State', [{ pk: s('P#1') }], [big], false)).toBe(1);
  });

  it('bills a query page for its items together, and a ConditionCheck for two strong reads', () => {
    const meter = new CapacityMeter();
    const items = Array.from({ length: 10 }, (_, i) => ({ pk: s('DIV#1'), sk: s(`M#2026-${String(i + 1).padStart(2, '0')}`), m: n('1') }));
    for (const item of items) meter.put('Counters', item, false);
    expect(meter.queryPage('Counters', items, true)).toBe(1);
    expect(meter.conditionCheck('Ledger', { pk: s('META'), sk: s('FENCE#3') })).toBe(2);
  });
});
