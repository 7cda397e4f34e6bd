/**
 * `GET /v1/rejections` through the Lambda adapter: counts by reason over the
 * window, pages of the list, and who sees what (root callers all; a township
 * none, since rejections record no division; a producer its own source).
 */
import { describe, expect, it } from 'vitest';
import { apiGatewayEvent, createApiHandler } from '../support/api-harness.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { sampleNow } from '../../packages/contract/fixtures.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import type { RejectedRecord } from '../../packages/storage/ledger-records.ts';

const county = '500233000000';
const zhongzhou = '500233001000';

/** sampleNow is 2026-11-24: a 7-day window is 11-18 … 11-24. */
const recorded: RejectedRecord[] = [
  { source: 'edu.zhongxian', id: 'e-1', type: 'training.completed.v1', reason: 'invalid_data', detail: 'data.hours: required', contentHash: 'a', receivedAt: '2026-11-24T01:00:00.000Z', processedAt: '2026-11-24T01:00:00.000Z' },
  { source: 'edu.zhongxian', id: 'e-2', reason: 'unknown_type', detail: 'type: not an event type of this contract', contentHash: 'b', receivedAt: '2026-11-23T01:00:00.000Z', processedAt: '2026-11-23T01:00:00.000Z' },
  { source: 'hrss.zhongxian', id: 'h-1', type: 'certificate.submitted.v1', reason: 'invalid_data', detail: 'data.level: not one of the levels', contentHash: 'c', receivedAt: '2026-11-20T01:00:00.000Z', processedAt: '2026-11-20T01:00:00.000Z' },
  { source: 'hrss.zhongxian', id: 'h-2', type: 'certificate.submitted.v1', reason: 'unknown_org', detail: 'data.orgCode: not registered', contentHash: 'd', receivedAt: '2026-11-19T01:00:00.000Z', processedAt: '2026-11-19T01:00:00.000Z' },
  // Outside a 7-day window, inside a 31-day one.
  { source: 'hrss.zhongxian', id: 'h-old', type: 'certificate.submitted.v1', reason: 'invalid_data', detail: 'data.level: required', contentHash: 'e', receivedAt: '2026-11-10T01:00:00.000Z', processedAt: '2026-11-10T01:00:00.000Z' },
];

async function call(claims: Record<string, string>, query: Record<string, string> = {}) {
  const handler = createApiHandler(
    {
      catalog: indicatorCatalog,
      indicators: new IndicatorEvaluator(new InMemoryCounterSource(), (d) => [d]),
      ledger: { outcomeOf: () => Promise.resolve(undefined) },
      organisations: { organisation: () => Promise.resolve(undefined) },
      queue: { send: () => Promise.resolve(new Set<number>()) },
      divisions: new DivisionTree(zhongCounty),
      sources: defaultDeploymentConfig.sources,
      validateEvent,
      maintenance: { run: () => Promise.reject(new Error('no maintenance here')) },
      now: sampleNow,
    },
    [...recorded],
  );
  const event = apiGatewayEvent('GET', '/v1/rejections', claims, query);
  const result = await handler(event);
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') as Record<string, unknown> };
}

const countyViewer = { role: 'viewer', division: county };

describe('GET /v1/rejections', () => {
  it('counts the last 7 days by reason and lists them newest first, without hashes', async () => {
    const { status, body } = await call(countyViewer);
    expect(status).toBe(200);
    expect(body['from']).toBe('2026-11-18');
    expect(body['to']).toBe('2026-11-24');
    expect(body['byReason']).toEqual([
      { reason: 'invalid_data', count: 2 },
      { reason: 'unknown_org', count: 1 },
      { reason: 'unknown_type', count: 1 },
    ]);
    expect(body['total']).toBe(4);
    expect(body['truncated']).toBe(false);
    expect((body['rejections'] as { id: string }[]).map((r) => r.id)).toEqual(['e-1', 'e-2', 'h-1', 'h-2']);
    expect((body['rejections'] as unknown[])[1]).toEqual({
      source: 'edu.zhongxian', id: 'e-2', type: null, reason: 'unknown_type', detail: 'type: not an event type of this contract',
      receivedAt: '2026-11-23T01:00:00.000Z', processedAt: '2026-11-23T01:00:00.000Z',
    });
    expect(body['next']).toBeUndefined();
  });

  it('widens with days, filters the list (not the counts) by reason, and pages with the cursor', async () => {
    const first = await call(countyViewer, { days: '31', reason: 'invalid_data', limit: '2' });
    expect(first.body['total']).toBe(5);
    expect((first.body['rejections'] as { id: string }[]).map((r) => r.id)).toEqual(['e-1', 'h-1']);
    const cursor = first.body['next'] as string;
    expect(typeof cursor).toBe('string');
    const second = await call(countyViewer, { days: '31', reason: 'invalid_data', limit: '2', cursor });
    expect((second.body['rejections'] as { id: string }[]).map((r) => r.id)).toEqual(['h-old']);
    expect(second.body['next']).toBeUndefined();
    // A cursor is bound to its request.
    const foreign = await call(countyViewer, { days: '7', limit: '2', cursor });
    expect(foreign.status).toBe(400);
    expect(foreign.body['type']).toMatch(/invalid-cursor$/);
  });

  it('shows a township caller nothing: rejections record no division', async () => {
    const { status, body } = await call({ role: 'admin', division: zhongzhou });
    expect(status).toBe(200);
    expect(body).toMatchObject({ byReason: [], total: 0, rejections: [] });
  });

  it('shows a producer its own source only', async () => {
    const { body } = await call({ role: 'producer', source: 'edu.zhongxian' });
    expect((body['rejections'] as { id: string }[]).map((r) => r.id)).toEqual(['e-1', 'e-2']);
  });

  it.each([
    [{ days: '32' }, /days must be at most 31/],
    [{ days: '0' }, /days/],
    [{ limit: '201' }, /limit must be at most 200/],
    [{ reason: 'late' }, /reason/],
  ])('refuses %j with 400', async (query, detail) => {
    const { status, body } = await call(countyViewer, query);
    expect(status).toBe(400);
    expect(String(body['detail'])).toMatch(detail);
  });
});
