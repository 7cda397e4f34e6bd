import { describe, expect, it } from 'vitest';
import { maxEventsPerRequest, maxRequestBytes } from '../../packages/api/event-routes.ts';
import { generateLocalSigningKeys, localTokenVerifier } from '../../packages/auth/local-tokens.ts';

const localSigningKeys = await generateLocalSigningKeys();
const verifyLocal = localTokenVerifier(localSigningKeys.publicJwks);
import { parseCommand } from '../../packages/cli/arguments.ts';
import type { AnalyticsRow } from '../../packages/cli/api-client.ts';
import { EventFileError, UsageError } from '../../packages/cli/errors.ts';
import { chunkEvents, parseEventFile } from '../../packages/cli/event-files.ts';
import { breakdownTable, describeFigure, formatValue, ratioPercent } from '../../packages/cli/figures.ts';
import { decileOf, formatProgress, ProgressReporter } from '../../packages/cli/progress.ts';
import type { CliIo } from '../../packages/cli/reform.ts';
import { run } from '../../packages/cli/reform.ts';
import { formatSendReport, postLimits } from '../../packages/cli/send-events.ts';
import { displayWidth, padToWidth, renderTable } from '../../packages/cli/terminal-table.ts';
import { defaultDeploymentConfig, DivisionTree } from '../../packages/config/deployment.ts';
import { findIndicator } from '../../packages/indicators/catalog.ts';

const tree = new DivisionTree(defaultDeploymentConfig.root);

class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(text: string): void {
    this.text += text;
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

describe('parseCommand', () => {
  it('reads send with a path, --api and --token', () => {
    expect(parseCommand(['send', 'events/demo', '--api', 'http://localhost:9', '--token=t0k'])).toEqual({
      name: 'send',
      path: 'events/demo',
      connection: { api: 'http://localhost:9', token: 't0k' },
    });
  });

  it('reads indicator with division and period, defaulting period to all', () => {
    expect(parseCommand(['indicator', 'skilled_workers', '--division', '500233001000', '--period', '2026-Q4', '--json'])).toEqual({
      name: 'indicator',
      id: 'skilled_workers',
      division: '500233001000',
      period: '2026-Q4',
      json: true,
      connection: {},
    });
    expect(parseCommand(['indicator', 'skilled_workers', '--org', '91500233MA0000001F'])).toMatchObject({ orgCode: '91500233MA0000001F', period: 'all' });
  });

  it('defaults token to an admin for 3600 s', () => {
    expect(parseCommand(['token'])).toEqual({ name: 'token', role: 'admin', ttlSeconds: 3600 });
    expect(parseCommand(['token', '--role', 'viewer', '--division', '500233101000', '--ttl', '60'])).toEqual({
      name: 'token',
      role: 'viewer',
      division: '500233101000',
      ttlSeconds: 60,
    });
  });

  it.each([
    [['indicator', 'skilled_workers', '--division', '500233001000', '--org', '91500233MA0000001F'], /not both/],
    [['indicator', 'skilled_workers', '--divison', '500233001000'], /divison/],
    [['indicator', 'skilled_workers', '--division', '5002'], /--division/],
    [['breakdown'], /exactly one indicator id/],
    [['send', 'a', 'b'], /exactly one file or folder/],
    [['token', '--role', 'root'], /producer, admin or viewer/],
    [['token', '--ttl', '0'], /--ttl/],
    [['token', '--ttl', '1.5'], /--ttl/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('terminal table', () => {
  it('counts CJK characters as two columns', () => {
    expect(displayWidth('忠州街道')).toBe(8);
    expect(displayWidth('忠县 Zhong County')).toBe(17);
    expect(displayWidth('磨子土家族乡')).toBe(12);
    expect(padToWidth('忠县', 6)).toBe('忠县  ');
    expect(padToWidth('7', 3, 'right')).toBe('  7');
  });

  it('aligns columns by display width', () => {
    const lines = renderTable({
      headers: ['code', '名称', 'value'],
      alignments: ['left', 'left', 'right'],
      rows: [
        ['500233001000', '忠州街道', '1,200'],
        ['500233203000', '磨子土家族乡', '7'],
      ],
      footer: [['total', '', '1,207']],
    });
    expect(lines).toEqual([
      'code          名称          value',
      '------------  ------------  -----',
      '500233001000  忠州街道      1,200',
      '500233203000  磨子土家族乡      7',
      '------------  ------------  -----',
      'total                       1,207',
    ]);
    expect(new Set(lines.map(displayWidth))).toEqual(new Set([displayWidth(lines[0] ?? '')]));
  });
});

describe('progress', () => {
  it('formats a bar, the count and the percentage', () => {
    expect(formatProgress(100, 250, 10)).toBe('[####------]  100/250 events   40%');
    expect(formatProgress(250, 250, 10)).toBe('[##########]  250/250 events  100%');
    expect(formatProgress(0, 0, 4)).toBe('[####]  0/0 events  100%');
    expect(decileOf(24, 250)).toBe(0);
    expect(decileOf(25, 250)).toBe(1);
  });

  it('writes one line per tenth when stderr is not a terminal', () => {
    const stream = new Capture(false);
    const progress = new ProgressReporter(stream, 250);
    for (let done = 1; done <= 250; done++) progress.update(done);
    progress.finish();
    expect(stream.lines).toHaveLength(10);
    expect(stream.lines[0]).toContain(' 25/250 events   10%');
    expect(stream.lines[9]).toContain('250/250 events  100%');
    expect(stream.text).not.toContain('\r');
  });

  it('redraws one line on a terminal and ends it once', () => {
    const stream = new Capture(true);
    const progress = new ProgressReporter(stream, 250);
    [100, 200, 250].forEach((done) => progress.update(done));
    progress.finish();
    expect(stream.text.match(/\r/g)).toHaveLength(3);
    expect(stream.text.match(/\n/g)).toHaveLength(1);
    expect(stream.text.endsWith('250/250 events  100%\n')).toBe(true);
  });
});

describe('event files and chunks', () => {
  it('reads NDJSON lines and JSON arrays with their origins', () => {
    expect(parseEventFile('a.ndjson', '{"id":"1"}\n\n{"id":"2"}\r\n')).toEqual([
      { event: { id: '1' }, origin: 'a.ndjson:1' },
      { event: { id: '2' }, origin: 'a.ndjson:3' },
    ]);
    expect(parseEventFile('b.json', '\uFEFF[{"id":"x"},{"id":"y"}]').map((e) => e.origin)).toEqual(['b.json[0]', 'b.json[1]']);
    expect(parseEventFile('c.json', '{"id":"z"}')).toEqual([{ event: { id: 'z' }, origin: 'c.json' }]);
  });

  it('names the file and line of broken JSON without repeating it', () => {
    const broken = () => parseEventFile('d.ndjson', '{"id":"1"}\n{"idNumber":"500233196001020008",\n');
    expect(broken).toThrow(EventFileError);
    expect(broken).toThrow('d.ndjson:2: not a JSON value');
    try {
      broken();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('500233196001020008');
    }
  });

  it('chunks 250 events into 100, 100 and 50, in order', () => {
    const events = Array.from({ length: 250 }, (_, i) => i);
    const chunks = chunkEvents(events, postLimits, () => 500);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat()).toEqual(events);
  });

  it('cuts a chunk before the body would pass the byte limit', () => {
    // Bodies: [a,b] = 2 + 40 + 1 + 40 = 83 bytes; a third event would make 124 > 100.
    const chunks = chunkEvents(['a', 'b', 'c', 'd', 'e'], { maxEvents: 100, maxBytes: 100 }, () => 40);
    expect(chunks).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('stays within what the API accepts', () => {
    expect(postLimits.maxEvents).toBeLessThanOrEqual(maxEventsPerRequest);
    expect(postLimits.maxBytes).toBeLessThanOrEqual(maxRequestBytes);
  });
});

describe('send summary', () => {
  it('counts by outcome and reason and lists each rejection without data', () => {
    const lines = formatSendReport({
      total: 5,
      requests: 1,
      results: [
        { index: 0, source: 'hrss.zhongxian', id: 'e0', status: 'queued', origin: 'a.ndjson:1' },
        { index: 1, source: 'hrss.zhongxian', id: 'e1', status: 'rejected', reason: 'invalid_data', detail: 'data.holder.idNumber: not a valid resident ID number: invalid check character', origin: 'a.ndjson:2' },
        { index: 2, source: 'hrss.zhongxian', id: 'e2', status: 'rejected', reason: 'forbidden_type', detail: 'type: this source may not send events of this type', origin: 'a.ndjson:3' },
        { index: 3, source: 'hrss.zhongxian', id: 'e3', status: 'rejected', reason: 'invalid_data', detail: 'data.orgCode: required', origin: 'a.ndjson:4' },
        { index: 4, status: 'rejected', reason: 'invalid_envelope', detail: 'event must be a JSON object', origin: 'a.ndjson:5' },
      ],
    });
    expect(lines[0]).toBe('5 events in 1 request: 1 queued, 4 rejected (invalid_data 2, forbidden_type 1, invalid_envelope 1)');
    expect(lines.slice(1)).toEqual([
      '  #1  a.ndjson:2  hrss.zhongxian  e1  invalid_data  data.holder.idNumber: not a valid resident ID number: invalid check character',
      '  #2  a.ndjson:3  hrss.zhongxian  e2  forbidden_type  type: this source may not send events of this type',
      '  #3  a.ndjson:4  hrss.zhongxian  e3  invalid_data  data.orgCode: required',
      '  #4  a.ndjson:5  -  -  invalid_envelope  event must be a JSON object',
    ]);
  });

  it('says how many were never sent when a request failed', () => {
    expect(formatSendReport({ total: 250, requests: 1, results: Array.from({ length: 100 }, (_, index) => ({ index, status: 'queued' as const, origin: 'x' })) })[0]).toBe(
      '250 events in 1 request: 100 queued, 0 rejected, 150 not sent',
    );
  });
});

describe('figures', () => {
  it('formats counts, percents, yuan and empty ratios', () => {
    expect(formatValue(114300, 'count')).toBe('114,300');
    expect(formatValue(87.23, 'percent')).toBe('87.23%');
    expect(formatValue(56850000, 'yuan')).toBe('¥56,850,000.00');
    expect(formatValue(null, 'percent')).toBe('—');
    expect(ratioPercent(41, 47)).toBe(87.23);
    expect(ratioPercent(1, 0)).toBeNull();
  });

  it('describes a ratio with its parts and the division by name', () => {
    const line = describeFigure(
      { indicator: 'party_org_coverage_non_public', division: '500233000000', period: '2026', value: 87.23, numerator: 41, denominator: 47, asOf: '2026-11-24' },
      findIndicator('party_org_coverage_non_public'),
      tree,
    );
    expect(line).toBe('非公企业党组织覆盖率 Party organisation coverage of non-public enterprises — 忠县 Zhong County (500233000000), 2026: 87.23% (41 / 47) (as of 2026-11-24)');
  });

  it('tabulates a breakdown by township, largest first, with a total', () => {
    const rows: AnalyticsRow[] = [
      { indicator: 'skilled_workers', division: '500233001000', period: '2026', value: 1200 },
      { indicator: 'skilled_workers', division: '500233203000', period: '2026', value: 35 },
      { indicator: 'skilled_workers', division: '500233105000', period: '2026', value: 4800 },
    ];
    expect(breakdownTable(rows, findIndicator('skilled_workers'), tree)).toEqual([
      'division      名称          name                 value',
      '------------  ------------  -------------------  -----',
      '500233105000  石宝镇        Shibao Town          4,800',
      '500233001000  忠州街道      Zhongzhou Street     1,200',
      '500233203000  磨子土家族乡  Mozi Tujia Township     35',
      '------------  ------------  -------------------  -----',
      'total         合计                               6,035',
    ]);
  });

  it('totals a ratio breakdown as Σ numerator ÷ Σ denominator, empty ratios last', () => {
    const rows: AnalyticsRow[] = [
      { indicator: 'dispute_mediation_rate', division: '500233001000', period: '2026', value: 50, numerator: 1, denominator: 2 },
      { indicator: 'dispute_mediation_rate', division: '500233002000', period: '2026', value: null, numerator: 0, denominator: 0 },
      { indicator: 'dispute_mediation_rate', division: '500233003000', period: '2026', value: 100, numerator: 2, denominator: 2 },
    ];
    const lines = breakdownTable(rows, findIndicator('dispute_mediation_rate'), tree);
    expect(lines.slice(2, 5).map((line) => line.slice(0, 12))).toEqual(['500233003000', '500233001000', '500233002000']);
    expect(lines[6]).toMatch(/^total\s+合计\s+75%\s+3\s+4$/);
  });
});

describe('run', () => {
  function io(answer: (url: string, init?: RequestInit) => Response, env: Record<string, string> = {}) {
    const stdout = new Capture();
    const stderr = new Capture();
    const requests: { url: string; init?: RequestInit }[] = [];
    const cliIo: CliIo = {
      stdout,
      stderr,
      env,
      fetch: async (url, init) => {
        requests.push({ url, ...(init === undefined ? {} : { init }) });
        return answer(url, init);
      },
      localJwtKey: async () => localSigningKeys.privateJwk,
      cwd: '/',
    };
    return { cliIo, stdout, stderr, requests };
  }

  const problem = (status: number, title: string, detail: string) =>
    new Response(JSON.stringify({ type: `urn:reform-indicators:problem:x`, title, status, detail }), {
      status,
      headers: { 'content-type': 'application/problem+json' },
    });

  it('prints a problem as "error <status>: <title> — <detail>" and exits 1', async () => {
    const { cliIo, stdout, stderr } = io(() => problem(403, 'Forbidden', 'division 500233000000 lies outside your scope 500233001000'));
    const code = await run(['indicator', 'skilled_workers', '--period', '2026'], cliIo);
    expect(code).toBe(1);
    expect(stderr.text).toBe('error 403: Forbidden — division 500233000000 lies outside your scope 500233001000\n');
    expect(stdout.text).toBe('');
  });

  it('uses --api and --token over REFORM_API and REFORM_TOKEN, and those over the local key', async () => {
    const figure = { indicator: 'skilled_workers', division: '500233000000', period: '2026', value: 3, asOf: '2026-11-24' };
    const ok = () => new Response(JSON.stringify(figure), { status: 200 });
    const first = io(ok, { REFORM_API: 'http://env:1', REFORM_TOKEN: 'env-token' });
    await run(['indicator', 'skilled_workers', '--api', 'http://flag:2/', '--token', 'flag-token'], first.cliIo);
    expect(first.requests[0]?.url).toBe('http://flag:2/v1/indicators/skilled_workers?period=all');
    expect((first.requests[0]?.init?.headers as Record<string, string>)['authorization']).toBe('Bearer flag-token');

    const second = io(ok, { REFORM_API: 'http://env:1', REFORM_TOKEN: 'env-token' });
    await run(['indicator', 'skilled_workers'], second.cliIo);
    expect(second.requests[0]?.url).toBe('http://env:1/v1/indicators/skilled_workers?period=all');
    expect((second.requests[0]?.init?.headers as Record<string, string>)['authorization']).toBe('Bearer env-token');

    const third = io(ok);
    expect(await run(['indicator', 'skilled_workers', '--json'], third.cliIo)).toBe(0);
    expect(third.requests[0]?.url).toBe('http://127.0.0.1:3000/v1/indicators/skilled_workers?period=all');
    const minted = String((third.requests[0]?.init?.headers as Record<string, string>)['authorization']).replace('Bearer ', '');
    expect(await verifyLocal(minted)).toMatchObject({ role: 'admin', division: '500233000000' });
    expect(JSON.parse(third.stdout.text)).toEqual(figure);
  });

  it('mints a token with the local key', async () => {
    const { cliIo, stdout } = io(() => new Response('', { status: 500 }));
    expect(await run(['token', '--role', 'viewer', '--division', '500233101000', '--ttl', '120'], cliIo)).toBe(0);
    const claims = (await verifyLocal(stdout.text.trim())) as { exp: number; iat: number };
    expect(claims).toMatchObject({ role: 'viewer', division: '500233101000' });
    expect(claims).not.toHaveProperty('scope');
    expect(claims.exp - claims.iat).toBe(120);
  });

  it('mints a producer token that carries its source, and refuses one without', async () => {
    const { cliIo, stdout } = io(() => new Response('', { status: 500 }));
    expect(await run(['token', '--role', 'producer', '--source', 'hrss.zhongxian'], cliIo)).toBe(0);
    expect(await verifyLocal(stdout.text.trim())).toMatchObject({ role: 'producer', source: 'hrss.zhongxian' });
    expect(await run(['token', '--role', 'producer'], cliIo)).toBe(2);
  });

  it('prints help for each subcommand and the version, exit 0', async () => {
    for (const command of ['send', 'indicator', 'breakdown', 'outcome', 'token']) {
      const { cliIo, stdout } = io(() => new Response('', { status: 500 }));
      expect(await run([command, '--help'], cliIo)).toBe(0);
      expect(stdout.text).toContain(`usage: reform ${command}`);
    }
    const { cliIo, stdout } = io(() => new Response('', { status: 500 }));
    expect(await run(['--version'], cliIo)).toBe(0);
    expect(stdout.text).toMatch(/^reform \d+\.\d+\.\d+ \(API 1\.1\.0\)\n$/);
  });

  it('prints an event outcome, exit 1 when it was rejected', async () => {
    const outcome = { source: 'hrss.zhongxian', id: 'e/1', type: 'contract.signed.v1', outcome: 'rejected', reason: 'invalid_data', receivedAt: 'a', processedAt: 'b' };
    const { cliIo, stdout, requests } = io(() => new Response(JSON.stringify(outcome), { status: 200 }));
    expect(await run(['outcome', 'hrss.zhongxian', 'e/1', '--json', '--token', 't'], cliIo)).toBe(1);
    expect(requests[0]?.url).toBe('http://127.0.0.1:3000/v1/events/hrss.zhongxian/e%2F1');
    expect(JSON.parse(stdout.text)).toEqual(outcome);
  });

  it('follows every analytics page, as JSON and as one CSV with a single header', async () => {
    const row = (period: string) => ({ indicator: 'skilled_workers', division: '500233000000', period, value: 1 });
    const jsonPages = (url: string) =>
      new Response(JSON.stringify(url.includes('cursor=c2') ? { rows: [row('2026-02')] } : { rows: [row('2026-01')], next: 'c2' }), { status: 200 });
    const json = io(jsonPages);
    expect(await run(['analytics', '--indicators', 'skilled_workers', '--periods', '2026-01,2026-02', '--json'], json.cliIo)).toBe(0);
    expect(JSON.parse(json.stdout.text)).toEqual([row('2026-01'), row('2026-02')]);
    expect(json.requests.map((r) => new URL(r.url).searchParams.get('cursor'))).toEqual([null, 'c2']);

    const header = 'indicator,division,division_name,period,value,numerator,denominator\r\n';
    const csvPages = (url: string, init?: RequestInit) => {
      expect((init?.headers as Record<string, string>)['accept']).toBe('text/csv');
      return url.includes('cursor=c2')
        ? new Response(`\uFEFF${header}skilled_workers,500233000000,忠县,2026-02,1,,\r\n`, { status: 200 })
        : new Response(`\uFEFF${header}skilled_workers,500233000000,忠县,2026-01,1,,\r\n`, { status: 200, headers: { 'x-next-cursor': 'c2' } });
    };
    const csv = io(csvPages);
    expect(await run(['analytics', '--indicators', 'skilled_workers', '--periods', '2026-01,2026-02', '--csv'], csv.cliIo)).toBe(0);
    expect(csv.stdout.text).toBe(`\uFEFF${header}skilled_workers,500233000000,忠县,2026-01,1,,\r\nskilled_workers,500233000000,忠县,2026-02,1,,\r\n`);
  });

  it('exits 1 when reconcile finds differences, 0 when it finds none', async () => {
    const answer = (differenceCount: number) => () =>
      new Response(JSON.stringify({ differences: [], differenceCount, truncated: false, checkedItems: 3, events: 2, skippedEvents: [] }), { status: 200 });
    expect(await run(['reconcile'], io(answer(0)).cliIo)).toBe(0);
    const drifted = io(answer(2));
    expect(await run(['reconcile'], drifted.cliIo)).toBe(1);
    expect(drifted.stdout.text).toContain('2 difference(s)');
  });

  it('refuses a bad redrive command line with exit 2', async () => {
    const { cliIo, stderr } = io(() => new Response('', { status: 500 }));
    expect(await run(['redrive', '--to', 'http://q'], cliIo)).toBe(2);
    expect(stderr.text).toContain('--dlq');
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const { cliIo, stderr } = io(() => new Response('', { status: 500 }));
    expect(await run(['indicator'], cliIo)).toBe(2);
    expect(stderr.lines[0]).toBe('reform: expected exactly one indicator id');
    expect(stderr.text).toContain('usage: reform <command>');
  });
});
