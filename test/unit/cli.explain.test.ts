/** `reform explain` and `reform revisions`: command lines, the requests they make, what they print, exit codes. */
import { describe, expect, it } from 'vitest';
import { run } from '../../packages/cli/reform.ts';
import { fakeCliIo, okJson } from '../support/cli-io.ts';

const county = '500233000000';
const explained = {
  indicator: 'skilled_workers',
  division: county,
  period: '2026',
  value: 114300,
  asOf: '2026-11-27',
  parts: [
    {
      part: 'value',
      metric: 'skilled',
      value: 114300,
      baseline: { value: 100000, asOf: '2025-12-31', event: { source: 'stats.zhongxian', id: 'b-1' }, recorded: [] },
      change: 14300,
      events: 2,
    },
  ],
};
const events = [
  { source: 'hrss.zhongxian', id: 'c-1', type: 'certificate.submitted.v1', date: '2026-03-01', division: '500233001000', processedAt: 'x', effect: 14301 },
  { source: 'hrss.zhongxian', id: 'r-1', type: 'certificate.revoked.v1', date: '2026-04-01', division: '500233001000', processedAt: 'x', effect: -1 },
];

describe('reform explain', () => {
  it('prints each part as baseline + change = value', async () => {
    const { cliIo, requests, out } = fakeCliIo(okJson(explained));
    expect(await run(['explain', 'skilled_workers', '--division', county, '--period', '2026'], cliIo)).toBe(0);
    expect(requests.map((r) => r.url)).toEqual([`http://127.0.0.1:3000/v1/indicators/skilled_workers/explain?division=${county}&period=2026`]);
    expect(out()).toContain('value (skilled): baseline 100,000 as of 2025-12-31 (stats.zhongxian/b-1) + 14,300 from 2 events = 114,300');
  });

  it('with --events, lists every event of each part, following pages', async () => {
    let call = 0;
    const { cliIo, requests, out } = fakeCliIo((url) => {
      call += 1;
      if (url.includes('/explain')) return okJson(explained)();
      return okJson(call === 2 ? { events: [events[0]], next: 'page-2' } : { events: [events[1]] })();
    });
    expect(await run(['explain', 'skilled_workers', '--period', '2026', '--events'], cliIo)).toBe(0);
    expect(requests.map((r) => new URL(r.url).searchParams.get('cursor'))).toEqual([null, null, 'page-2']);
    expect(out()).toContain('2026-03-01  500233001000        +14,301  certificate.submitted.v1  hrss.zhongxian/c-1');
    expect(out()).toContain('2026-04-01  500233001000        -1  certificate.revoked.v1  hrss.zhongxian/r-1');
  });

  it.each([[['explain']], [['explain', 'skilled_workers', '--division', '1', '--period', '2026']], [['explain', 'x', '--period', '2026-Q5']], [['explain', 'skilled_workers', '--division', county, '--org', '91500233MA5U000001']]])(
    'refuses %j with exit 2',
    async (argv) => {
      expect(await run(argv, fakeCliIo(okJson({})).cliIo)).toBe(2);
    },
  );
});

describe('reform revisions', () => {
  it('prints each moved figure with its late events', async () => {
    const revision = {
      indicator: 'party_posts',
      division: county,
      period: '2026-Q3',
      published: 40,
      live: 42,
      difference: 2,
      parts: [{ part: 'value', published: 40, live: 42, difference: 2 }],
      events: [{ part: 'value', source: 'org.zhongxian', id: 'p-9', type: 'party.post.designated.v1', date: '2026-08-02', processedAt: '2026-10-09T01:00:00.000Z', division: '500233001000', effect: 2 }],
    };
    const { cliIo, requests, out } = fakeCliIo(okJson({ revisions: [revision] }));
    expect(await run(['revisions', '2026-Q3-20261008T020000Z-0a1b'], cliIo)).toBe(0);
    expect(requests[0]?.url).toBe('http://127.0.0.1:3000/v1/publications/2026-Q3-20261008T020000Z-0a1b/revisions');
    expect(out()).toContain('party_posts  忠县 (500233000000)  2026-Q3: published 40 → live 42 (+2)');
    expect(out()).toContain('value       2026-08-02  +2  party.post.designated.v1  org.zhongxian/p-9  processed 2026-10-09T01:00:00.000Z');
  });

  it('says so when nothing moved, and has --help', async () => {
    const quiet = fakeCliIo(okJson({ revisions: [] }));
    expect(await run(['revisions', 'pub-1'], quiet.cliIo)).toBe(0);
    expect(quiet.out()).toBe('no figure of pub-1 has moved since it was published\n');
    const help = fakeCliIo(okJson({}));
    expect(await run(['revisions', '--help'], help.cliIo)).toBe(0);
    expect(help.out()).toContain('usage: reform revisions');
  });
});
