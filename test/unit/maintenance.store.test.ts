/**
 * The rebuild's batched writes under faults DynamoDB Local cannot produce:
 * unprocessed items handed back by BatchWriteItem.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { RebuildIncompleteError } from '../../packages/maintenance/errors.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { RecordedEvent } from '../../packages/maintenance/recompute.ts';
import { toDomainEvent } from '../../packages/maintenance/recompute.ts';

type Request = { PutRequest?: { Item: { pk: string } }; DeleteRequest?: { Key: { pk: string } } };

/** Accepts batches but hands back the first `refuse` requests of each batch, `times` times. */
function throttlingClient(refuse: number, times: number) {
  const batches: number[] = [];
  const written: string[] = [];
  let refusals = 0;
  const doc = {
    send: (command: unknown) => {
      if (!(command instanceof BatchWriteCommand)) throw new Error('unexpected command');
      const [[table, requests]] = Object.entries(command.input.RequestItems ?? {}) as [[string, Request[]]];
      batches.push(requests.length);
      const refused = refusals < times ? requests.slice(0, refuse) : [];
      if (refused.length > 0) refusals++;
      for (const r of requests.slice(refused.length)) written.push(r.PutRequest?.Item.pk ?? `-${r.DeleteRequest?.Key.pk}`);
      return Promise.resolve({ UnprocessedItems: refused.length === 0 ? {} : { [table]: refused } });
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, batches, written };
}

const tables = { ledger: 'Ledger', state: 'State', counters: 'Counters' };
const noWait = { backoff: () => Promise.resolve() };

describe('MaintenanceStore writes', () => {
  it('writes in batches of 25 and retries what comes back unprocessed', async () => {
    const { doc, batches, written } = throttlingClient(3, 2);
    const puts = Array.from({ length: 60 }, (_, i) => ({ pk: `P${i}` }));
    const states = new Map(puts.map(({ pk }) => [pk, { entity: 'once', rank: 'r', date: '2026-01-01', orgCodes: [], divisions: [], amounts: [], version: 1 } as const]));
    await new MaintenanceStore(doc, tables, noWait).rewriteState(states, ['OLD1', 'OLD2', 'P1']);
    expect(batches).toEqual([25, 3, 3, 25, 12]);
    expect(new Set(written)).toEqual(new Set([...puts.map((p) => p.pk), '-OLD1', '-OLD2']));
    expect(written).toHaveLength(62);
  });

  it('stops with RebuildIncompleteError when writes stay unprocessed', async () => {
    const { doc } = throttlingClient(1, Number.POSITIVE_INFINITY);
    const store = new MaintenanceStore(doc, tables, { ...noWait, maxAttempts: 4 });
    await expect(store.rewriteCounters([{ pk: 'DIV#1', sk: 'Y#2026', skilled: 1 }], [])).rejects.toThrow(RebuildIncompleteError);
  });
});

describe('MaintenanceStore reads', () => {
  it('scans every table it replays or compares with consistent reads (an index could not give them)', async () => {
    const scans: { TableName?: string; IndexName?: string; ConsistentRead?: boolean }[] = [];
    const doc = {
      send: (command: { input: { TableName?: string; IndexName?: string; ConsistentRead?: boolean } }) => {
        scans.push(command.input);
        return Promise.resolve({ Items: [] });
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new MaintenanceStore(doc, tables, noWait);
    await Promise.all([store.acceptedEvents(), store.foldedEntries(), store.counterItems(), store.stateKeys()]);
    expect(scans.map((s) => s.TableName).sort()).toEqual(['Counters', 'Ledger', 'Ledger', 'State']);
    expect(scans.filter((s) => s.ConsistentRead !== true || s.IndexName !== undefined)).toEqual([]);
  });

  it('takes events and explain entries from every page of the Ledger, the entries of one scope and day added up across pages (zeros left out)', async () => {
    const record = (id: string, cells: Record<string, number>) => ({
      sk: 'ACCEPTED',
      source: 'hrss.zhongxian',
      id,
      type: 'certificate.submitted.v1',
      date: '2026-03-05',
      time: '2026-03-05T09:00:00+08:00',
      receivedAt: '2026-03-05T01:00:00.000Z',
      data: JSON.stringify({ certificateNo: id }),
      xdp: 'DIV#500233101000',
      xds: `2026-03-05#hrss.zhongxian#${id}`,
      xd: cells,
    });
    const pages = [
      { Items: [record('a', { skilled: 1 })], LastEvaluatedKey: { pk: 'EVENT#hrss.zhongxian#a', sk: 'ACCEPTED' } },
      { Items: [record('b', { skilled: 1, highSkilled: 1 })], LastEvaluatedKey: { pk: 'EVENT#hrss.zhongxian#b', sk: 'ACCEPTED' } },
      // A correction entry: an entry, not an event; what it takes back to zero is left out.
      { Items: [{ sk: 'X', xdp: 'DIV#500233101000', xds: '2026-03-05#reform-indicators#rebuild-1', xd: { skilled: -1, highSkilled: -1 } }] },
    ];
    const starts: unknown[] = [];
    const doc = {
      send: (command: { input: { ExclusiveStartKey?: unknown } }) => {
        starts.push(command.input.ExclusiveStartKey);
        return Promise.resolve(pages[starts.length - 1]);
      },
    } as unknown as DynamoDBDocumentClient;
    const { events, entries } = await new MaintenanceStore(doc, tables, noWait).replaySource();
    expect(starts).toEqual([undefined, pages[0]?.LastEvaluatedKey, pages[1]?.LastEvaluatedKey]);
    expect(events.map((e) => e.id)).toEqual(['a', 'b']);
    expect(toDomainEvent(events[1] as RecordedEvent).data).toEqual({ certificateNo: 'b' });
    expect(entries).toEqual(new Map([['DIV#500233101000', new Map([['M#2026-03', { 'skilled@05': 1n }]])]]));
  });
});
