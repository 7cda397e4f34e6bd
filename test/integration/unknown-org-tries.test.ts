/**
 * An event naming an organisation not registered yet is tried a few times
 * while processing runs (its registration may be on its way) and then
 * rejected `unknown_org` — never sent to the dead-letter queue without an
 * outcome. The tries are the processor's own count per message: the queue's
 * receive count also counts the deliveries that waited out a maintenance
 * pause, so an event queued with its organisation's registration during a
 * long rebuild used to be rejected on its first real try. Against DynamoDB
 * Local, through the real processor and maintenance's real pause.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { eventsQueue, ledgerExpiryAttribute, unknownOrgMaxAttempts } from '../../packages/config/resources.ts';
import type { IncomingMessage } from '../../packages/processing/process-batch.ts';
import { MaintenanceInProgressError, processBatch, processEvent, UnknownOrgPendingError } from '../../packages/processing/process-batch.ts';
import { ledgerPk, unknownOrgTriesKey } from '../../packages/storage/ledger-records.ts';
import { localDynamoDbForFile } from '../support/dynamo-local.ts';
import { processorWithMaintenance } from '../support/processor.ts';

const dynamo = localDynamoDbForFile();
let tableCount = 0;

const setUp = (): ReturnType<typeof processorWithMaintenance> =>
  processorWithMaintenance(dynamo.client, dynamo.doc, `-tries-${++tableCount}`, { pseudonymKey: 'unknown-org-tries-test-key-0123456789abcdef', unknownOrgMaxAttempts });

const orgCode = usccFor(880_001);
const union = (id: string): string => JSON.stringify(sampleEvent('union.established.v1', { id, data: { orgCode, establishedOn: '2026-04-01', members: 12 } }));
const registration = JSON.stringify(sampleEvent('organization.registered.v1', { id: 'reg-880001', data: { orgCode } }));

/** One message, delivered again and again as the queue would: the same id, the receive count one more each time. */
function queued(body: string, messageId: string): { deliver: () => IncomingMessage } {
  let receiveCount = 0;
  return { deliver: () => ({ body, messageId, receiveCount: ++receiveCount }) };
}

describe('an event naming an organisation not registered yet', () => {
  it('waits out a maintenance pause without spending its tries, and is accepted once its organisation registers', async () => {
    const { processor, maintenance } = await setUp();
    const event = queued(union('u-paused'), 'msg-paused');
    await maintenance.pause();
    // A long rebuild: the queue hands the message over every visibility timeout, and every batch finds processing paused.
    for (let i = 0; i < 6; i++) await expect(processEvent(event.deliver(), processor)).rejects.toThrow(MaintenanceInProgressError);
    await maintenance.resume();
    // Its 7th delivery is its first try: its registration, queued beside it, is still in another batch.
    await expect(processEvent(event.deliver(), processor)).rejects.toThrow(UnknownOrgPendingError);
    expect((await processEvent({ body: registration, messageId: 'msg-registration', receiveCount: 7 }, processor)).outcome).toBe('accepted');
    expect(await processEvent(event.deliver(), processor)).toMatchObject({ outcome: 'accepted', id: 'u-paused' });
  });

  it(`is rejected unknown_org on its ${unknownOrgMaxAttempts}rd try while processing runs, with the outcome recorded`, async () => {
    const { tables, processor } = await setUp();
    const event = queued(union('u-ghost'), 'msg-ghost');
    for (let i = 1; i < unknownOrgMaxAttempts; i++) await expect(processEvent(event.deliver(), processor)).rejects.toThrow(UnknownOrgPendingError);
    expect(await processEvent(event.deliver(), processor)).toMatchObject({ outcome: 'rejected', reason: 'unknown_org', id: 'u-ghost' });
    const { Items } = await dynamo.doc.send(new ScanCommand({ TableName: tables.ledger, FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': ledgerPk('union.zhongxian', 'u-ghost') } }));
    expect(Items?.map((i) => [i['outcome'], i['reason']])).toEqual([['rejected', 'unknown_org']]);
    // The count it was rejected on: the message id, the tries and when it expires — nothing of the event.
    const { Item } = await dynamo.doc.send(new GetCommand({ TableName: tables.ledger, Key: unknownOrgTriesKey('msg-ghost') }));
    expect(Object.keys(Item ?? {}).sort()).toEqual([ledgerExpiryAttribute, 'pk', 'sk', 'tries'].sort());
    expect(Item?.['tries']).toBe(unknownOrgMaxAttempts);
    const retainedFor = Number(Item?.[ledgerExpiryAttribute]) - Date.now() / 1000;
    expect(retainedFor).toBeGreaterThan(eventsQueue.retentionDays * 86_400);
    expect(retainedFor).toBeLessThan((eventsQueue.retentionDays + 2) * 86_400);
  });

  it('counts tries per message: the same event sent again starts afresh', async () => {
    const { processor } = await setUp();
    const first = queued(union('u-again'), 'msg-first');
    for (let i = 1; i < unknownOrgMaxAttempts; i++) await expect(processEvent(first.deliver(), processor)).rejects.toThrow(UnknownOrgPendingError);
    await expect(processEvent(queued(union('u-again'), 'msg-second').deliver(), processor)).rejects.toThrow(UnknownOrgPendingError);
  });

  it('is left for the queue, and the rest of its batch still applied, when its try cannot be counted (a throttled write)', async () => {
    const { processor } = await setUp();
    const store = processor.store;
    let throttled = 0;
    // A fault DynamoDB Local cannot produce: the count's update throttled after the SDK's own retries.
    store.countUnknownOrgTry = async () => {
      throttled++;
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException' });
    };
    const ghost: IncomingMessage = { body: union('u-throttled'), messageId: 'msg-throttled', receiveCount: 1 };
    const other = JSON.stringify(sampleEvent('organization.registered.v1', { id: 'reg-880002', data: { orgCode: usccFor(880_002) } }));
    const results = await processBatch([ghost, { body: other, messageId: 'msg-reg-throttled', receiveCount: 1 }], processor);
    expect(throttled).toBeGreaterThan(0);
    expect(results.get('msg-reg-throttled')).toMatchObject({ ok: true, outcome: { outcome: 'accepted' } });
    expect(results.get('msg-throttled')?.ok).toBe(false);
  });

  it('is rejected on the queue’s last delivery whatever its tries, so it never reaches the dead-letter queue without an outcome', async () => {
    const { processor, maintenance } = await setUp();
    // Two long runs back to back: every delivery but the last waited out a pause.
    const event = queued(union('u-last'), 'msg-last');
    await maintenance.pause();
    for (let i = 1; i < eventsQueue.maxReceiveCount; i++) await expect(processEvent(event.deliver(), processor)).rejects.toThrow(MaintenanceInProgressError);
    await maintenance.resume();
    expect(await processEvent(event.deliver(), processor)).toMatchObject({ outcome: 'rejected', reason: 'unknown_org' });
    // A queue with a lower redrive limit (a local stack started with one): its last delivery, not the deployed queue's.
    const short = queued(union('u-short'), 'msg-short');
    const lowLimit = { ...processor, lastDelivery: 2 };
    await expect(processEvent(short.deliver(), lowLimit)).rejects.toThrow(UnknownOrgPendingError);
    expect(await processEvent(short.deliver(), lowLimit)).toMatchObject({ outcome: 'rejected', reason: 'unknown_org' });
  });
});
