/**
 * The CLI against a real HTTP server on loopback: a small node:http stand-in
 * for the API (the API is not a database or queue; its own tests cover it),
 * reached with the real global fetch, reading real files.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../packages/contract/fixtures.ts';
import type { CliIo } from '../../packages/cli/reform.ts';
import { run } from '../../packages/cli/reform.ts';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

const token = 'integration-token';
const recorded: Recorded[] = [];
let server: Server;
let api: string;
let folder: string;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** POST /v1/events refuses events whose id ends in `-bad` (as invalid_data) and more than 100 per request. */
async function answer(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const text = await bodyOf(request);
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  recorded.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
  if (request.headers.authorization !== `Bearer ${token}`) {
    return { status: 401, body: { type: 'urn:reform-indicators:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'bad token' } };
  }
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method === 'POST' && url.pathname === '/v1/events') {
    const events = body as { id: string; source: string }[];
    if (events.length > 100) {
      return { status: 400, body: { type: 'urn:reform-indicators:problem:invalid-body', title: 'Invalid request body', status: 400, detail: 'at most 100 events per request' } };
    }
    const results = events.map((event, index) =>
      event.id.endsWith('-bad')
        ? { index, source: event.source, id: event.id, status: 'rejected', reason: 'invalid_data', detail: 'data.orgCode: not a valid unified social credit code: invalid check character' }
        : { index, source: event.source, id: event.id, status: 'queued' },
    );
    return { status: 202, body: { results } };
  }
  if (request.method === 'GET' && url.pathname === '/v1/analytics') {
    const query = Object.fromEntries(url.searchParams);
    if (query['indicators'] === 'skilled_workers' && query['breakdown'] === undefined) {
      // The county's own figure: more than its townships' sum (persons counted only at the county).
      return { status: 200, body: { rows: [{ indicator: 'skilled_workers', division: query['division'], period: query['periods'], value: 6100 }] } };
    }
    if (query['indicators'] !== 'skilled_workers' || query['breakdown'] !== 'children') {
      return { status: 400, body: { type: 'urn:reform-indicators:problem:invalid-parameter', title: 'Invalid query parameter', status: 400, detail: 'unexpected query' } };
    }
    const period = query['periods'] ?? '';
    return {
      status: 200,
      body: {
        rows: [
          { indicator: 'skilled_workers', division: '500233001000', period, value: 1200 },
          { indicator: 'skilled_workers', division: '500233203000', period, value: 35 },
          { indicator: 'skilled_workers', division: '500233105000', period, value: 4800 },
        ],
      },
    };
  }
  return { status: 404, body: { type: 'urn:reform-indicators:problem:not-found', title: 'Not found', status: 404, detail: 'no such route' } };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    answer(request).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // 250 events: 120 in a JSON array, 130 in an NDJSON file one folder down; 3 of them refused by the API.
  folder = await mkdtemp(join(tmpdir(), 'reform-cli-'));
  const events = Array.from({ length: 250 }, (_, i) =>
    sampleEvent('certificate.submitted.v1', { id: [7, 130, 249].includes(i) ? `cert-${i}-bad` : `cert-${i}`, data: { certificateNo: `S-${i}` } }),
  );
  await writeFile(join(folder, 'a-first.json'), JSON.stringify(events.slice(0, 120), null, 2));
  await mkdir(join(folder, 'more'));
  await writeFile(join(folder, 'more', 'rest.ndjson'), `${events.slice(120).map((e) => JSON.stringify(e)).join('\n')}\n`);
  await writeFile(join(folder, 'README.txt'), 'not an event file');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(folder, { recursive: true, force: true });
});

function capture() {
  const stdout = { text: '', write(text: string) { this.text += text; } };
  const stderr = { text: '', isTTY: false, write(text: string) { this.text += text; } };
  const io: CliIo = {
    stdout,
    stderr,
    env: {},
    fetch: (url, init) => fetch(url, init),
    localJwtKey: async () => {
      throw new Error('the test passes --token');
    },
    cwd: folder,
  };
  return { io, stdout, stderr };
}

describe('reform send', () => {
  it('sends a folder in 3 POSTs of 100, 100 and 50, lists the rejected and exits 1', async () => {
    recorded.length = 0;
    const { io, stdout, stderr } = capture();
    const code = await run(['send', folder, '--api', api, '--token', token], io);

    expect(code).toBe(1);
    const posts = recorded.filter((r) => r.method === 'POST');
    expect(posts.map((p) => (p.body as unknown[]).length)).toEqual([100, 100, 50]);
    expect(posts.every((p) => p.url === '/v1/events' && p.authorization === `Bearer ${token}`)).toBe(true);
    expect(posts.flatMap((p) => (p.body as { id: string }[]).map((e) => e.id))).toEqual(
      Array.from({ length: 250 }, (_, i) => ([7, 130, 249].includes(i) ? `cert-${i}-bad` : `cert-${i}`)),
    );

    const lines = stdout.text.trimEnd().split('\n');
    expect(lines[0]).toBe('250 events in 3 requests: 247 queued, 3 rejected (invalid_data 3)');
    expect(lines.slice(1)).toEqual([
      '  #7  a-first.json[7]  hrss.zhongxian  cert-7-bad  invalid_data  data.orgCode: not a valid unified social credit code: invalid check character',
      '  #130  more/rest.ndjson:11  hrss.zhongxian  cert-130-bad  invalid_data  data.orgCode: not a valid unified social credit code: invalid check character',
      '  #249  more/rest.ndjson:130  hrss.zhongxian  cert-249-bad  invalid_data  data.orgCode: not a valid unified social credit code: invalid check character',
    ]);
    // Never the events' personal data.
    expect(stdout.text + stderr.text).not.toContain(sampleEvent('certificate.submitted.v1').data.holder.idNumber);
    // Not a terminal: one progress line per chunk that crosses a tenth (40%, 80%, 100%).
    expect(stderr.text.split('\n').filter(Boolean).map((line) => line.slice(-4).trim())).toEqual(['40%', '80%', '100%']);
  });

  it('exits 0 when everything is queued', async () => {
    const single = join(folder, 'one.json');
    await writeFile(single, JSON.stringify(sampleEvent('award.granted.v1')));
    const { io, stdout } = capture();
    expect(await run(['send', single, '--api', api, '--token', token], io)).toBe(0);
    expect(stdout.text).toBe('1 event in 1 request: 1 queued, 0 rejected\n');
    await rm(single);
  });

  it('prints the problem and what was sent when the API refuses the request', async () => {
    const { io, stdout, stderr } = capture();
    expect(await run(['send', folder, '--api', api, '--token', 'wrong'], io)).toBe(1);
    expect(stderr.text).toBe('error 401: Unauthorized — bad token\n');
    expect(stdout.text).toBe('250 events in 0 requests: 0 queued, 0 rejected, 250 not sent\n');
  });
});

describe('reform breakdown', () => {
  it('asks for the children of a division and prints them as a table, largest first', async () => {
    recorded.length = 0;
    const { io, stdout } = capture();
    const code = await run(['breakdown', 'skilled_workers', '--division', '500233000000', '--period', '2026-Q4', '--api', api, '--token', token], io);
    expect(code).toBe(0);
    expect(recorded[0]?.url).toBe('/v1/analytics?indicators=skilled_workers&periods=2026-Q4&division=500233000000&breakdown=children');
    expect(recorded[1]?.url).toBe('/v1/analytics?indicators=skilled_workers&periods=2026-Q4&division=500233000000');
    expect(stdout.text.split('\n')).toEqual([
      'division      名称          name                 value',
      '------------  ------------  -------------------  -----',
      '500233105000  石宝镇        Shibao Town          4,800',
      '500233001000  忠州街道      Zhongzhou Street     1,200',
      '500233203000  磨子土家族乡  Mozi Tujia Township     35',
      '------------  ------------  -------------------  -----',
      '500233000000  忠县          Zhong County         6,100',
      '',
    ]);
  });
});
