/**
 * The demo data set end to end, as `npm start` loads it: every file under
 * events/demo sent to the real queue (registrations first), worked through
 * by the real processor into DynamoDB Local, then read back through the real
 * API. Every figure Zhong County published for 2026 must come out exactly.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerTable } from '../../packages/config/resources.ts';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { loadDemoEvents, messagesInQueue, sendRegistrationsFirst } from '../../packages/local-stack/demo-data.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { buildDemo, demoCounty, publishedFigures } from '../../events/demo/generate.ts';

const demo = buildDemo();
let stack: LocalStack;
let token: string;
let sent = 0;

beforeAll(async () => {
  // As under `npm start`: no log line per event, no metrics on stdout.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  stack = await startLocalStack({ apiPort: 0, quiet: true });
  token = await signLocalToken({ role: 'admin', division: demoCounty }, stack.jwtKey, { ttlSeconds: 900 });
  const { events } = await loadDemoEvents();
  sent = events.length;
  await sendRegistrationsFirst(stack.sqs, stack.queueUrl, events);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function ledgerOutcomes(): Promise<{ accepted: number; duplicates: number; rejected: string[] }> {
  const doc = DynamoDBDocumentClient.from(stack.ddb);
  const summary = { accepted: 0, duplicates: 0, rejected: [] as string[] };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: stack.env[ledgerTable.envVar], ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      if (item['outcome'] === 'accepted') {
        summary.accepted += 1;
        summary.duplicates += Number(item['duplicates'] ?? 0);
      } else if (item['outcome'] === 'rejected') {
        summary.rejected.push(`${String(item['source'])}/${String(item['id'])}: ${String(item['reason'])}`);
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return summary;
}

describe('the demo data set through the local stack', () => {
  it('is accepted in full: nothing rejected, nothing duplicated, nothing dead-lettered', async () => {
    expect(sent).toBe(demo.events.length);
    expect(await ledgerOutcomes()).toEqual({ accepted: demo.events.length, duplicates: 0, rejected: [] });
    expect(await messagesInQueue(stack.sqs, stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it.each(Object.entries(publishedFigures))('GET /v1/indicators/%s for the county in 2026 gives the published %d', async (id, published) => {
    const body = await getJson(`/v1/indicators/${id}?division=${demoCounty}&period=2026`);
    expect(body).toMatchObject({ indicator: id, division: demoCounty, period: '2026', value: published });
  });

  it('gives the planned, non-zero county figure for every indicator the county did not publish', async () => {
    const unpublished = indicatorCatalog.map((d) => d.id).filter((id) => !(id in publishedFigures));
    expect(unpublished.length).toBeGreaterThan(0);
    for (const id of unpublished) {
      const body = await getJson(`/v1/indicators/${id}?division=${demoCounty}&period=2026`);
      expect(body['value'], id).toBe(demo.figures[id]);
      expect(body['value'], id).toBeGreaterThan(0);
    }
  });

  it('shows the coverage ratios with their parts', async () => {
    const nonPublic = await getJson(`/v1/indicators/party_org_coverage_non_public?division=${demoCounty}&period=2026`);
    expect(nonPublic).toMatchObject({ value: 87.23, numerator: 239, denominator: 274 });
    const social = await getJson(`/v1/indicators/party_org_coverage_social?division=${demoCounty}&period=2026`);
    expect(social).toMatchObject({ value: 77.83, numerator: 158, denominator: 203 });
    const awards = await getJson(`/v1/indicators/frontline_award_share?division=${demoCounty}&period=2026`);
    expect(awards).toMatchObject({ value: 63, numerator: 63, denominator: 100 });
  });

  it('breaks the county down into its 29 townships, which add up to it', async () => {
    const body = await getJson(
      `/v1/analytics?indicators=skilled_workers,high_skilled_workers,collective_contracts&division=${demoCounty}&periods=2026&breakdown=children`,
    );
    const rows = body['rows'] as Array<{ indicator: string; division: string; value: number }>;
    const of = (indicator: string) => rows.filter((r) => r.indicator === indicator);
    const sum = (indicator: string) => of(indicator).reduce((total, r) => total + r.value, 0);
    expect(of('skilled_workers')).toHaveLength(29);
    expect(sum('skilled_workers')).toBe(114_300);
    expect(sum('high_skilled_workers')).toBe(34_600);
    expect(sum('collective_contracts')).toBe(135);
    expect(of('skilled_workers').filter((r) => r.value > 0).length).toBeGreaterThanOrEqual(20);
    for (const row of of('skilled_workers')) expect(row.value, row.division).toBe(demo.townships[row.division]?.skilled_workers);
    for (const row of of('high_skilled_workers')) expect(row.value, row.division).toBe(demo.townships[row.division]?.high_skilled_workers);
  });
});
