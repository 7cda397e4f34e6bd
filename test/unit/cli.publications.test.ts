/** `reform publish` and `reform target …`: command lines, the requests they make, what they print, exit codes. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../packages/cli/arguments.ts';
import { UsageError } from '../../packages/cli/errors.ts';
import { run } from '../../packages/cli/reform.ts';
import { fakeCliIo, okJson } from '../support/cli-io.ts';

const county = '500233000000';
const publication = { id: '2026-Q3-20261008T020000Z-0a1b', period: '2026-Q3', title: '2026年第三季度产改指标', publishedAt: '2026-10-08T02:00:00.000Z', figures: 930, digest: 'a'.repeat(64) };

const io = fakeCliIo;
const ok = okJson;

describe('reform publish', () => {
  it('posts the period and title and prints the id, figure count and digest', async () => {
    const { cliIo, requests, out } = io(() => new Response(JSON.stringify(publication), { status: 201 }));
    expect(await run(['publish', '2026-Q3', '--title', '2026年第三季度产改指标'], cliIo)).toBe(0);
    expect(requests).toEqual([{ url: 'http://127.0.0.1:3000/v1/admin/publications', method: 'POST', body: JSON.stringify({ period: '2026-Q3', title: '2026年第三季度产改指标' }) }]);
    expect(out()).toBe(`published ${publication.id}: 2026-Q3 "2026年第三季度产改指标", 930 figures as of 2026-10-08T02:00:00.000Z\nsha256 ${'a'.repeat(64)}\n`);
  });

  it('prints JSON with --json, and exits 1 when the API refuses', async () => {
    const json = io(() => new Response(JSON.stringify(publication), { status: 201 }));
    expect(await run(['publish', '2026-Q3', '--title', 't', '--json'], json.cliIo)).toBe(0);
    expect(JSON.parse(json.out())).toEqual(publication);
    const refused = io(() => new Response(JSON.stringify({ title: 'Forbidden', status: 403, detail: 'publishing needs the root admin' }), { status: 403 }));
    expect(await run(['publish', '2026-Q3', '--title', 't'], refused.cliIo)).toBe(1);
    expect(refused.err()).toContain('error 403: Forbidden');
  });

  it.each([[['publish', '2026-Q3']], [['publish', 'all', '--title', 't']], [['publish', '--title', 't']], [['publish', '2026-Q5', '--title', 't']]])('refuses %j with exit 2', async (argv) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(await run(argv, io(ok({})).cliIo)).toBe(2);
  });
});

describe('reform target', () => {
  const target = { indicator: 'skilled_workers', division: county, period: '2026', value: 120000 };

  it('sets a target with PUT and prints it', async () => {
    const { cliIo, requests, out } = io(ok(target));
    expect(await run(['target', 'set', 'skilled_workers', '--division', county, '--period', '2026', '--value', '120000'], cliIo)).toBe(0);
    expect(requests).toEqual([{ url: `http://127.0.0.1:3000/v1/targets/skilled_workers?division=${county}&period=2026`, method: 'PUT', body: '{"value":120000}' }]);
    expect(out()).toBe(`target set: skilled_workers ${county} 2026 = 120000\n`);
  });

  it('deletes with DELETE, and exits 1 when there was none', async () => {
    const done = io(ok({ indicator: 'skilled_workers', division: county, period: '2026' }));
    expect(await run(['target', 'delete', 'skilled_workers', '--division', county, '--period', '2026'], done.cliIo)).toBe(0);
    expect(done.requests[0]?.method).toBe('DELETE');
    const none = io(() => new Response(JSON.stringify({ title: 'Unknown target', status: 404 }), { status: 404 }));
    expect(await run(['target', 'delete', 'skilled_workers', '--division', county, '--period', '2026'], none.cliIo)).toBe(1);
  });

  it('lists targets as lines or JSON', async () => {
    const lines = io(ok({ targets: [target] }));
    expect(await run(['target', 'list', '--division', county], lines.cliIo)).toBe(0);
    expect(lines.requests[0]?.url).toBe(`http://127.0.0.1:3000/v1/targets?division=${county}`);
    expect(lines.out()).toBe(`2026  ${county} 忠县  skilled_workers  120000\n`);
    const json = io(ok({ targets: [target] }));
    expect(await run(['target', 'list', '--json'], json.cliIo)).toBe(0);
    expect(JSON.parse(json.out())).toEqual([target]);
  });

  it.each([
    [['target']],
    [['target', 'set', 'skilled_workers', '--division', county, '--period', '2026']],
    [['target', 'set', 'skilled_workers', '--division', county, '--period', '2026', '--value', '1.234']],
    [['target', 'set', 'skilled_workers', '--division', county, '--period', '2026-Q1', '--value', '5']],
    [['target', 'delete', 'skilled_workers', '--period', '2026']],
    [['target', 'list', 'skilled_workers']],
  ])('refuses %j with exit 2', async (argv) => {
    expect(await run(argv, io(ok({})).cliIo)).toBe(2);
  });

  it('has --help for both commands', async () => {
    for (const command of ['publish', 'target']) {
      const { cliIo, out } = io(ok({}));
      expect(await run([command, '--help'], cliIo)).toBe(0);
      expect(out()).toContain(`usage: reform ${command}`);
      expect(out()).toContain('exit codes');
    }
  });
});
