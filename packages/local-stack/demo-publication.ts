/**
 * The demo's publication story, as `npm start` tells it: most of the demo
 * set is loaded, 2026-Q3 is published, then a few events of the same set
 * that were held back — all dated in Q3 — arrive late and revise it, and
 * targets for 2026 are set for the county and two townships.
 *
 * The late events are part of the demo set, not extra ones: once they are
 * in, the 2026 county figures are exactly those Zhong County published
 * (INDICATORS.md), while the Q3 edition keeps the figures as they stood.
 * Everything goes through the API, as an operator would do it.
 */
import type { PublicationSummary } from '../publications/edition.ts';
import type { Target } from '../publications/targets.ts';
import { LocalStackError } from './emulators.ts';

/** What the demo publishes. */
export const demoPublication = { period: '2026-Q3', title: '2026年第三季度产改指标' } as const;

/**
 * The held-back events: of each of these types, the last {@link lateEventsPerType}
 * events (in send order) dated in 2026-Q3 (Asia/Shanghai). Types whose events
 * stand alone: nothing else in the set depends on them arriving first.
 */
export const lateEventTypes = ['contract.signed.v1', 'legal_aid.case.closed.v1', 'party.post.designated.v1', 'hardship_aid.granted.v1'] as const;
export const lateEventsPerType = 2;

/** Targets for 2026 the demo sets: the county and two townships (忠州街道, 白公街道). */
export const demoTargets: readonly Target[] = [
  { indicator: 'skilled_workers', division: '500233000000', period: '2026', value: 120000 },
  { indicator: 'high_skilled_workers', division: '500233000000', period: '2026', value: 36000 },
  { indicator: 'party_org_coverage_non_public', division: '500233000000', period: '2026', value: 90 },
  { indicator: 'special_collective_contracts', division: '500233000000', period: '2026', value: 700 },
  { indicator: 'legal_aid_recovered_yuan', division: '500233000000', period: '2026', value: 60000000 },
  { indicator: 'skilled_workers', division: '500233001000', period: '2026', value: 15000 },
  { indicator: 'high_skilled_workers', division: '500233001000', period: '2026', value: 5000 },
  { indicator: 'skilled_workers', division: '500233002000', period: '2026', value: 8000 },
];

const q3Months = new Set(['2026-07', '2026-08', '2026-09']);

/** The Asia/Shanghai month of an event's `time`, or undefined when it has none. */
function shanghaiMonth(event: unknown): string | undefined {
  const time = (event as { time?: unknown }).time;
  if (typeof time !== 'string') return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : new Date(ms + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** Splits the demo events into those sent first and the late ones (see {@link lateEventTypes}), keeping send order. */
export function holdBackLateEvents(events: readonly unknown[]): { readonly first: unknown[]; readonly late: unknown[] } {
  const late = new Set<unknown>();
  for (const type of lateEventTypes) {
    const ofType = events.filter((e) => (e as { type?: unknown }).type === type && q3Months.has(shanghaiMonth(e) ?? ''));
    for (const event of ofType.slice(-lateEventsPerType)) late.add(event);
  }
  return { first: events.filter((e) => !late.has(e)), late: events.filter((e) => late.has(e)) };
}

/** Calls the local API as an admin of the root. */
export type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** An {@link AdminCall} against `apiUrl` with `token`; a refused call throws with the API's status and title. */
export function adminCaller(apiUrl: string, token: string): AdminCall {
  return async (method, path, body) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new LocalStackError(`${method} ${path.split('?')[0]} answered ${response.status}: ${String(answer['title'])} — ${String(answer['detail'])}`);
    return answer;
  };
}

/** Publishes the demo period through the API. */
export async function publishDemoPeriod(call: AdminCall): Promise<PublicationSummary> {
  return (await call('POST', '/v1/admin/publications', demoPublication)) as PublicationSummary;
}

/** Sets the demo targets through the API. */
export async function setDemoTargets(call: AdminCall): Promise<void> {
  for (const { indicator, division, period, value } of demoTargets) {
    await call('PUT', `/v1/targets/${indicator}?${new URLSearchParams({ division, period })}`, { value });
  }
}
