/**
 * The demo's publication story as `npm start` tells it: the demo set less
 * a few held-back events, 2026-Q3 published, the held-back events (dated in
 * Q3) sent late, targets set. The late events are accepted and move the live
 * Q3 figures but not the edition's; with them in, every 2026 county figure
 * is still exactly the one Zhong County published (INDICATORS.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { loadDemoEvents, sendEvents, waitUntilDrained, sendRegistrationsFirst } from '../../packages/local-stack/demo-data.ts';
import type { AdminCall } from '../../packages/local-stack/demo-publication.ts';
import { adminCaller, demoPublication, demoTargets, holdBackLateEvents, lateEventsPerType, lateEventTypes, publishDemoPeriod, setDemoTargets } from '../../packages/local-stack/demo-publication.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import type { PublicationSummary } from '../../packages/publications/edition.ts';
import { demoCounty, publishedFigures } from '../../events/demo/generate.ts';

let stack: LocalStack;
let call: AdminCall;
let late: unknown[];
let publication: PublicationSummary;
/** Flow indicators the late events add to, as frozen in the edition and as live just before they arrived. */
const revised = ['party_posts', 'legal_aid_recovered_yuan', 'hardship_aid_yuan', 'workers_covered_by_contracts'] as const;
const frozenBefore = new Map<string, unknown>();

const figure = async (id: string, query: string): Promise<Record<string, unknown>> =>
  (await call('GET', `/v1/indicators/${id}?division=${demoCounty}&${query}`)) as Record<string, unknown>;

beforeAll(async () => {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  stack = await startLocalStack({ apiPort: 0, quiet: true });
  call = adminCaller(stack.apiUrl as string, await signLocalToken({ role: 'admin', division: demoCounty }, stack.jwtKey, { ttlSeconds: 900 }));
  const { events } = await loadDemoEvents();
  const split = holdBackLateEvents(events);
  late = split.late;
  await sendRegistrationsFirst(stack.sqs, stack.queueUrl, split.first);
  publication = await publishDemoPeriod(call);
  for (const id of revised) frozenBefore.set(id, (await figure(id, 'period=2026-Q3'))['value']);
  await sendEvents(stack.sqs, stack.queueUrl, late);
  await waitUntilDrained(stack.sqs, stack.queueUrl);
  await setDemoTargets(call);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the demo publication', () => {
  it('holds back events of the demo set itself, all dated in 2026-Q3', () => {
    expect(late).toHaveLength(lateEventTypes.length * lateEventsPerType);
    for (const event of late as { type: string; time: string }[]) {
      expect(lateEventTypes as readonly string[]).toContain(event.type);
      expect(event.time >= '2026-07-01' && event.time < '2026-10-01', event.time).toBe(true);
    }
  });

  it('is 2026-Q3 with its title, every indicator × every division', () => {
    expect(publication).toMatchObject({ ...demoPublication, figures: 31 * 30 });
  });

  it('accepts every late event', async () => {
    for (const event of late as { source: string; id: string }[]) {
      expect((await call('GET', `/v1/events/${event.source}/${encodeURIComponent(event.id)}`)) as Record<string, unknown>).toMatchObject({ outcome: 'accepted' });
    }
  });

  it('keeps the edition’s Q3 figures while the live ones moved', async () => {
    for (const id of revised) {
      const frozen = await figure(id, `period=2026-Q3&edition=${publication.id}`);
      const live = await figure(id, 'period=2026-Q3');
      expect(frozen['value'], id).toBe(frozenBefore.get(id));
      expect(Number(live['value']), id).toBeGreaterThan(Number(frozen['value']));
    }
  });

  it('lists as revisions exactly the figures the late events moved, each with exactly those events, adding up to its difference', async () => {
    interface Listed { part: string; source: string; id: string; type: string; processedAt: string; effect: number }
    interface Revision { indicator: string; division: string; published: number | null; live: number | null; difference: number | null; parts: { part: string; difference: number }[]; events: Listed[]; unexplained?: number }
    const revisions: Revision[] = [];
    let cursor: string | undefined;
    do {
      const page = (await call('GET', `/v1/publications/${publication.id}/revisions${cursor === undefined ? '' : `?cursor=${cursor}`}`)) as { revisions: Revision[]; next?: string };
      revisions.push(...page.revisions);
      cursor = page.next;
    } while (cursor !== undefined);
    const lateIds = new Set((late as { id: string }[]).map((e) => e.id));
    const cents = (n: number): bigint => BigInt(Math.round(n * 100));
    for (const revision of revisions) {
      const where = `${revision.indicator} ${revision.division}`;
      expect(revision.unexplained, where).toBeUndefined();
      for (const part of revision.parts) {
        const events = revision.events.filter((e) => e.part === part.part);
        expect(events.reduce((sum, e) => sum + cents(e.effect), 0n), where).toBe(cents(part.difference));
      }
      for (const event of revision.events) {
        expect(lateIds.has(event.id), `${where}: ${event.id}`).toBe(true);
        expect(event.processedAt > publication.publishedAt, where).toBe(true);
      }
      // The difference is what the live and frozen figures say.
      const frozen = (await call('GET', `/v1/indicators/${revision.indicator}?division=${revision.division}&period=2026-Q3&edition=${publication.id}`)) as Record<string, unknown>;
      const live = (await call('GET', `/v1/indicators/${revision.indicator}?division=${revision.division}&period=2026-Q3`)) as Record<string, unknown>;
      expect([revision.published, revision.live], where).toEqual([frozen['value'], live['value']]);
    }
    // At the county: the four flows the late events add to, each naming every late event of its type.
    const atCounty = revisions.filter((r) => r.division === demoCounty);
    expect(atCounty.map((r) => r.indicator).sort()).toEqual(expect.arrayContaining([...revised].sort()));
    const typeOf: Record<(typeof revised)[number], string> = {
      party_posts: 'party.post.designated.v1',
      legal_aid_recovered_yuan: 'legal_aid.case.closed.v1',
      hardship_aid_yuan: 'hardship_aid.granted.v1',
      workers_covered_by_contracts: 'contract.signed.v1',
    };
    for (const id of revised) {
      const listed = new Set(atCounty.find((r) => r.indicator === id)?.events.map((e) => e.id));
      const expected = new Set((late as { id: string; type: string }[]).filter((e) => e.type === typeOf[id]).map((e) => e.id));
      expect(listed, id).toEqual(expected);
    }
  });

  it.each(Object.entries(publishedFigures))('still gives the published 2026 county figure of %s (%d) once the late events are in', async (id, published) => {
    expect((await figure(id, 'period=2026'))['value']).toBe(published);
  });

  it('sets the 2026 targets, which the year figures carry with their progress', async () => {
    const listed = (await call('GET', `/v1/targets?division=${demoCounty}`)) as { targets: unknown[] };
    expect(listed.targets).toHaveLength(demoTargets.filter((t) => t.division === demoCounty).length);
    expect(await figure('skilled_workers', 'period=2026')).toMatchObject({ value: 114300, target: 120000, progress: 95.25 });
    expect(await figure('party_org_coverage_non_public', 'period=2026')).toMatchObject({ value: 87.23, target: 90, progress: 96.92 });
  });
});
