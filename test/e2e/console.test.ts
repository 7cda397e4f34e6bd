/**
 * The web console in real Chromium against the local stack with the demo data
 * loaded once: what a county official and a township viewer see, the CSV
 * download, accessibility (axe-core), keyboard reach and the CSP.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { sampleEvent } from '../../packages/contract/fixtures.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import type { ConsolePage } from './browser.ts';
import { startDemoStack } from './demo-stack.ts';
import { artifactsDirectory, chromiumInstalled, launchChromium, openConsole, seriousAccessibilityViolations, signIn, waitUntilReady } from './browser.ts';

const county = '500233000000';
const township = { code: '500233001000', zh: '忠州街道', en: 'Zhongzhou Street' };

let stack: LocalStack;
let browser: Browser;
const opened: ConsolePage[] = [];

beforeAll(async () => {
  if (!chromiumInstalled()) throw new Error('Chromium is missing: apt-get install chromium (or set CHROMIUM_PATH); .ci/run installs it');
  mkdirSync(artifactsDirectory, { recursive: true });
  stack = await startDemoStack();
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  for (const { context } of opened) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

async function open(): Promise<ConsolePage> {
  const consolePage = await openConsole(browser, stack.apiUrl ?? '');
  opened.push(consolePage);
  return consolePage;
}

function token(role: 'admin' | 'viewer', division: string): Promise<string> {
  return signLocalToken({ role, division }, stack.jwtKey, { ttlSeconds: 600 });
}

async function apiGet(path: string, scope: string, accept = 'application/json'): Promise<Response> {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${await token('admin', scope)}`, accept } });
  expect(response.status, path).toBe(200);
  return response;
}

/** The text of an indicator's card on the overview. */
async function cardText(page: ConsolePage['page'], indicator: string, part: 'value' | 'parts' | 'target' | 'progress' = 'value'): Promise<string> {
  return (await page.locator(`article[data-indicator="${indicator}"] [data-testid="${part}"]`).innerText()).trim();
}

/** The figure's exact form, without the abbreviated one shown beside large figures. */
const exactFigure = (text: string): string => text.split('≈')[0]?.trim() ?? '';

/** `tag:name` of the focused element (browser-side source: no DOM types here). */
const focusedControl = `(() => {
  const element = document.activeElement;
  if (element === null) return '';
  const label = element.closest('label')?.querySelector('span')?.textContent ?? '';
  return element.tagName.toLowerCase() + ':' + (label || element.getAttribute('aria-label') || element.textContent?.trim() || '');
})()`;

/** POSTs `body` with an explicit Host header; resolves to the status code. */
function postWithHost(url: string, host: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function expectCleanPage(consolePage: ConsolePage): void {
  expect(consolePage.cspViolations, 'CSP violations').toEqual([]);
  expect(consolePage.pageErrors, 'uncaught page errors').toEqual([]);
}

describe('the console with the demo data', () => {
  it('shows the county its published 2026 figures in Chinese, and in English after switching', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    await waitUntilReady(page);
    await expect.poll(() => page.locator('h1').innerText()).toContain('总览');
    for (const pillar of ['党建引领', '技能提升', '维权']) await expect(page.getByRole('heading', { level: 2, name: pillar }).count()).resolves.toBe(1);
    expect(exactFigure(await cardText(page, 'party_members_developed'))).toBe('167');
    expect(exactFigure(await cardText(page, 'party_org_coverage_non_public'))).toBe('87.23%');
    expect(await cardText(page, 'party_org_coverage_non_public', 'parts')).toBe('239 / 274');
    expect(exactFigure(await cardText(page, 'skilled_workers'))).toBe('114,300');
    expect(await cardText(page, 'skilled_workers')).toContain('11.43万');
    expect(exactFigure(await cardText(page, 'legal_aid_recovered_yuan'))).toBe('¥56,850,000');
    expect(exactFigure(await cardText(page, 'special_collective_contracts'))).toBe('703');
    expect(await page.locator('article.card').count()).toBe(31);
    // The demo's 2026 target for the county: 120,000 skilled workers, 114,300 of them reached.
    expect(await cardText(page, 'skilled_workers', 'target')).toBe('120,000');
    expect(await cardText(page, 'skilled_workers', 'progress')).toBe('95.25%');
    await page.screenshot({ path: join(artifactsDirectory, 'overview-zh.png'), fullPage: true });

    await page.getByTestId('language').click();
    await expect.poll(() => page.locator('h1').innerText()).toContain('Overview');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(page.getByRole('heading', { level: 2, name: 'Party building leads' }).count()).resolves.toBe(1);
    expect(exactFigure(await cardText(page, 'party_members_developed'))).toBe('167');
    expect(exactFigure(await cardText(page, 'party_org_coverage_non_public'))).toBe('87.23%');
    expect(exactFigure(await cardText(page, 'skilled_workers'))).toBe('114,300');
    expect(await cardText(page, 'skilled_workers')).toContain('114.3K');
    expect(exactFigure(await cardText(page, 'legal_aid_recovered_yuan'))).toBe('¥56,850,000');
    await page.screenshot({ path: join(artifactsDirectory, 'overview-en.png'), fullPage: true });

    // The choice of language survives a reload.
    await page.reload();
    await waitUntilReady(page);
    expect(await page.locator('h1').innerText()).toContain('Overview');
    expectCleanPage(consolePage);
  });

  it('shows a township viewer only that township, with no county figure and no control that leads to a 403', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    const forbidden: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 403) forbidden.push(response.url());
    });
    await signIn(page, 'viewer', township.zh);
    await waitUntilReady(page);
    const own = (await (await apiGet(`/v1/indicators/skilled_workers?division=${township.code}&period=2026`, township.code)).json()) as { value: number };
    expect(own.value).toBeGreaterThan(0);
    expect(own.value).not.toBe(114_300);
    expect(exactFigure(await cardText(page, 'skilled_workers'))).toBe(new Intl.NumberFormat('zh-CN').format(own.value));
    expect(await page.getByTestId('division-name').innerText()).toBe(township.zh);
    // No division choice at all, and nothing of the county.
    expect(await page.getByLabel('行政区划').count()).toBe(0);
    const text = await page.locator('main').innerText();
    for (const countyFigure of ['114,300', '87.23%', '¥56,850,000', '忠县']) expect(text).not.toContain(countyFigure);
    expect(await page.getByRole('link', { name: '维护' }).count()).toBe(0);
    await page.screenshot({ path: join(artifactsDirectory, 'overview-township.png'), fullPage: true });

    // A county URL typed by hand falls back to the viewer's own township.
    await page.goto(`/indicators/skilled_workers?division=${county}&period=2026`);
    await page.getByTestId('figure').getByText(new Intl.NumberFormat('zh-CN').format(own.value)).waitFor();
    expect(await page.getByTestId('breakdown-table').count()).toBe(0);
    expect(await page.getByTestId('download-table').count()).toBe(0);
    await page.goto('/maintenance');
    await page.waitForURL((url) => url.pathname === '/');
    await waitUntilReady(page);
    expect(forbidden).toEqual([]);
    expectCleanPage(consolePage);
  });

  it('downloads on the indicator page exactly the CSV the API gives for the breakdown shown', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    await page.goto(`/indicators/skilled_workers?division=${county}&period=2026`);
    await waitUntilReady(page);
    const rows = page.getByTestId('breakdown-table').locator('tbody tr');
    expect(await rows.count()).toBe(29);
    const values = (await rows.locator('td.num').allInnerTexts()).map((v) => Number(v.replaceAll(',', '')));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(await page.getByTestId('breakdown-footer').innerText()).toContain('114,300');
    await page.screenshot({ path: join(artifactsDirectory, 'indicator.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-table').click()]);
    const downloaded = readFileSync(await download.path());
    const fromApi = Buffer.from(
      await (await apiGet(`/v1/analytics?indicators=skilled_workers&division=${county}&periods=2026&breakdown=children`, county, 'text/csv')).arrayBuffer(),
    );
    expect(downloaded.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(downloaded.toString('utf8').split('\r\n')).toHaveLength(31);
    expect(downloaded.equals(fromApi)).toBe(true);
    expectCleanPage(consolePage);
  });

  it('explains a figure: the events listed over every page add up to its value less the baseline', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    const indicator = 'party_members_developed';
    await page.goto(`/explain?indicator=${indicator}&division=${county}&period=2026`);
    const probe = await fetch(`${stack.apiUrl}/v1/indicators/${indicator}/explain?division=${county}&period=2026`, {
      headers: { authorization: `Bearer ${await token('admin', county)}` },
    });
    if (probe.status === 404) {
      // A server without the explain routes: the page says so instead of failing.
      await page.getByText('本服务器尚未提供此功能。').waitFor();
    } else {
      expect(probe.status).toBe(200);
      const explained = (await probe.json()) as { value: number; parts: { part: string; value: number; baseline?: { value: number } | null; events: number }[] };
      expect(explained.value).toBe(167);
      await waitUntilReady(page);
      for (const part of explained.parts) {
        const panel = page.locator('section.panel', { has: page.locator(`#part-${part.part}`) });
        await panel.getByRole('button', { name: '加载全部事件' }).click();
        const sum = page.getByTestId(`sum-${part.part}`);
        await sum.waitFor({ timeout: 60_000 });
        expect(Number(await sum.getAttribute('data-sum'))).toBeCloseTo(part.value - (part.baseline?.value ?? 0), 6);
        expect(await sum.innerText()).toContain('✓');
        expect(await panel.getByTestId(`events-${part.part}`).locator('tbody tr').count()).toBe(part.events);
      }
    }
    await page.screenshot({ path: join(artifactsDirectory, 'explain.png'), fullPage: true });
    expectCleanPage(consolePage);
  });

  it('shows a publication with its revisions after late events, and lets the root admin publish', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    const probe = await fetch(`${stack.apiUrl}/v1/publications`, { headers: { authorization: `Bearer ${await token('admin', county)}` } });
    await page.getByRole('link', { name: '发布' }).click();
    if (probe.status === 404) {
      await page.getByText('本服务器尚未提供此功能。').waitFor();
      expectCleanPage(consolePage);
      return;
    }
    expect(probe.status).toBe(200);
    const { publications } = (await probe.json()) as { publications: { id: string; period: string; title: string }[] };
    // The demo publishes 2026-Q3, then sends events dated within it.
    const q3 = publications.find((p) => p.period === '2026-Q3');
    expect(q3).toBeDefined();
    const edition = q3 as { id: string; title: string };
    const auth = { headers: { authorization: `Bearer ${await token('admin', county)}` } };
    const revisionsProbe = await fetch(`${stack.apiUrl}/v1/publications/${encodeURIComponent(edition.id)}/revisions`, auth);
    const names = new Map(
      ((await (await apiGet('/v1/indicators', county)).json()) as { indicators: { id: string; name: { zh: string } }[] }).indicators.map((i) => [i.id, i.name.zh]),
    );
    let moved: string[];
    let revisionEvents: string[] = [];
    if (revisionsProbe.status === 404) {
      // Without the revisions route the console compares the county's frozen figures with the live ones.
      const frozen = new Map<string, number | null>();
      let cursor: string | undefined;
      do {
        const page = (await (await apiGet(`/v1/publications/${encodeURIComponent(edition.id)}/figures${cursor === undefined ? '' : `?cursor=${cursor}`}`, county)).json()) as {
          figures: { indicator: string; division: string; value: number | null }[];
          next?: string;
        };
        for (const f of page.figures) if (f.division === county) frozen.set(f.indicator, f.value);
        cursor = page.next;
      } while (cursor !== undefined);
      const live = (await (await apiGet(`/v1/analytics?indicators=${[...frozen.keys()].join(',')}&periods=2026-Q3&division=${county}`, county)).json()) as {
        rows: { indicator: string; value: number | null }[];
      };
      moved = live.rows.filter((r) => r.value !== frozen.get(r.indicator)).map((r) => r.indicator);
    } else {
      // Every page, as the console reads them.
      type RevisionsPage = { revisions: { indicator: string; events: { source: string; id: string }[] }[]; next?: string };
      let page = (await revisionsProbe.json()) as RevisionsPage;
      const revisions = [...page.revisions];
      while (page.next !== undefined) {
        page = (await (await apiGet(`/v1/publications/${encodeURIComponent(edition.id)}/revisions?cursor=${encodeURIComponent(page.next)}`, county)).json()) as RevisionsPage;
        revisions.push(...page.revisions);
      }
      moved = revisions.map((r) => r.indicator);
      revisionEvents = revisions.flatMap((r) => r.events.map((e) => `${e.source}/${e.id}`));
    }
    // The late demo events (contracts, legal aid, party posts, hardship aid, all dated in Q3) moved some figures.
    expect(moved.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: edition.title }).click();
    const shown = page.getByTestId('revisions');
    await shown.waitFor();
    const rows = await shown.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBe(moved.length);
    for (const indicator of moved) expect(rows.some((row) => row.includes(names.get(indicator) ?? indicator))).toBe(true);
    const text = await shown.innerText();
    for (const event of revisionEvents) expect(text).toContain(event);
    await page.screenshot({ path: join(artifactsDirectory, 'publications.png'), fullPage: true });

    // The indicator page of a moved figure shows the edition's frozen value beside the live one.
    await page.goto(`/indicators/${moved[0]}?division=${county}&period=2026-Q3`);
    await waitUntilReady(page);
    const facts = page.locator('dl.card__meta', { hasText: edition.title });
    await facts.waitFor();
    const frozenText = (await facts.getByTestId('published').innerText()).trim();
    expect(frozenText).not.toBe('—');
    expect((await page.getByTestId('figure').locator('strong').innerText()).trim()).not.toBe(frozenText);

    // Publishing: the form, a confirmation, then the new edition in the list.
    const title = `E2E ${Date.now()}`;
    await page.getByRole('link', { name: '发布', exact: true }).click();
    await page.getByRole('heading', { name: '发布新版本' }).waitFor();
    await page.getByLabel('标题').fill(title);
    await page.getByRole('button', { name: '发布新版本' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: '发布新版本' }).click();
    await page.getByRole('rowheader', { name: title }).waitFor({ timeout: 120_000 });
    const after = (await (await apiGet('/v1/publications', county)).json()) as { publications: { title: string }[] };
    expect(after.publications.map((p) => p.title)).toContain(title);
    expectCleanPage(consolePage);
  });

  it('serves the console with its security headers and no inline script, and keeps the token route on loopback', async () => {
    const response = await fetch(`${stack.apiUrl}/indicators/skilled_workers`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\//);
      expect(body?.trim()).toBe('');
    }
    // A page on another host name (DNS rebinding) cannot mint a token. (fetch may not set Host: node:http can.)
    expect(await postWithHost(`${stack.apiUrl}/local/token`, 'evil.example', JSON.stringify({ role: 'admin', division: county }))).toBe(403);
    expect(await postWithHost(`${stack.apiUrl}/local/token`, new URL(stack.apiUrl ?? '').host, JSON.stringify({ role: 'admin', division: county }))).toBe(200);
    const bad = await fetch(`${stack.apiUrl}/local/token`, { method: 'POST', body: '{"role":"root"}' });
    expect(bad.status).toBe(400);
  });

  it('looks up an event, reconciles, and asks before rebuilding', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    await page.getByRole('link', { name: '事件查询' }).click();
    await page.getByLabel('来源 (source)').fill('party.zhongxian');
    await page.getByLabel('事件编号 (id)').fill('zx-party-org-00154');
    await page.getByRole('button', { name: '查询' }).click();
    expect(await page.getByTestId('outcome').innerText()).toContain('已接受');

    await page.getByRole('link', { name: '维护' }).click();
    await page.getByRole('button', { name: '重建计数器' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('确认继续');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByText('重建完成').count()).toBe(0);

    // The real reconcile replays the whole demo ledger, which takes minutes on DynamoDB Local
    // (test/integration/maintenance.test.ts covers it); here the answer is fixed so the test
    // checks how the console shows differences, in seconds.
    await page.route('**/v1/admin/reconcile', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          differences: [{ pk: `C#${county}#skilled_persons`, sk: 'D#2026-03-01', metric: 'skilled_persons', live: 12, recomputed: 11 }],
          differenceCount: 1,
          truncated: false,
          checkedItems: 4321,
          events: 5728,
          skippedEvents: 0,
        }),
      }),
    );
    await page.getByRole('button', { name: '核对计数器' }).click();
    const reconciliation = page.getByTestId('reconciliation');
    await reconciliation.waitFor();
    const shown = await reconciliation.innerText();
    expect(shown).toContain('已检查 4321 个计数项、5728 个事件');
    expect(shown).toContain('1 处差异');
    expect(shown).toMatch(/skilled_persons\s+12\s+11/);
    await page.screenshot({ path: join(artifactsDirectory, 'maintenance.png'), fullPage: true });
    expectCleanPage(consolePage);
  });

  it('reaches the main controls with the keyboard alone', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    await waitUntilReady(page);
    await page.goto('/');
    await waitUntilReady(page);
    const reached: string[] = [];
    for (let i = 0; i < 16; i += 1) {
      await page.keyboard.press('Tab');
      reached.push(
        (await page.evaluate(focusedControl)) as string,
      );
    }
    expect(reached[0]).toBe('a:跳到主要内容');
    for (const control of ['a:总览', 'a:事件查询', 'a:维护', 'button:切换语言: English', 'select:行政区划', 'select:期间类型', 'select:年份']) {
      expect(reached, control).toContain(control);
    }
    expect(reached.some((r) => r.startsWith('a:发展产业工人党员'))).toBe(true);
    // The skip link takes focus past the navigation.
    await page.goto('/');
    await waitUntilReady(page);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    expectCleanPage(consolePage);
  });

  it('counts the rejected events of the last days by reason, as the API does, for the county only', async () => {
    const sent = [
      { ...sampleEvent('certificate.submitted.v1'), id: 'e2e-bad-data-1', data: {} },
      { ...sampleEvent('certificate.submitted.v1'), id: 'e2e-bad-data-2', data: { level: 'none' } },
      { ...sampleEvent('certificate.submitted.v1'), id: 'e2e-bad-type-1', type: 'certificate.forged.v1' },
    ];
    const submitted = await fetch(`${stack.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('admin', county)}`, 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    expect(submitted.status).toBe(202);
    const { results } = (await submitted.json()) as { results: { status: string }[] };
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const fromApi = (await (await apiGet('/v1/rejections?days=7', county)).json()) as { byReason: { reason: string; count: number }[]; total: number };
    expect(fromApi.total).toBeGreaterThanOrEqual(3);
    expect(fromApi.byReason.find((r) => r.reason === 'unknown_type')?.count).toBeGreaterThanOrEqual(1);

    const consolePage = await open();
    const { page } = consolePage;
    await signIn(page, 'admin', '忠县');
    await page.getByRole('link', { name: '事件查询' }).click();
    const panel = page.getByTestId('rejections');
    await page.locator('[data-testid="rejections"][data-state="ready"]').waitFor();
    const shownCounts = await panel.getByTestId('rejections-by-reason').locator('tbody tr').allInnerTexts();
    expect(shownCounts.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual(
      fromApi.byReason.map((r) => `${{ invalid_envelope: '信封格式无效', invalid_data: '数据无效', unknown_type: '未知事件类型', forbidden_type: '来源无权发送此类型', conflict: '同一编号内容冲突', unknown_org: '组织未登记' }[r.reason]} ${r.reason} ${r.count}`),
    );
    const listed = await panel.getByTestId('rejections-list').innerText();
    for (const { id } of sent) expect(listed).toContain(id);
    // Filtering the list by a reason keeps the counts and lists only that reason.
    await panel.getByLabel('按原因筛选列表').selectOption('unknown_type');
    await expect.poll(async () => (await panel.getByTestId('rejections-list').locator('tbody tr').allInnerTexts()).every((row) => row.includes('未知事件类型'))).toBe(true);
    expect(await panel.getByTestId('rejections-list').innerText()).not.toContain('e2e-bad-data-1');
    await page.screenshot({ path: join(artifactsDirectory, 'events.png'), fullPage: true });
    expectCleanPage(consolePage);

    // A township records no rejection of its own (rejections carry no division): it is told so, without a 403.
    const townshipPage = await open();
    await signIn(townshipPage.page, 'viewer', township.zh);
    await townshipPage.page.getByRole('link', { name: '事件查询' }).click();
    await townshipPage.page.getByText('此期间在您的范围内没有被拒绝的事件。').waitFor();
    expectCleanPage(townshipPage);
  });

  it('has no serious or critical axe-core violation on any page', async () => {
    const consolePage = await open();
    const { page } = consolePage;
    await page.goto('/sign-in');
    await page.getByRole('button', { name: '登录' }).waitFor();
    const found: Record<string, unknown> = { '/sign-in': await seriousAccessibilityViolations(page) };
    await signIn(page, 'admin', '忠县');
    const pages = [
      '/',
      `/indicators/skilled_workers?division=${county}&period=2026`,
      `/indicators/party_org_coverage_non_public?division=${county}&period=2026-Q3`,
      `/explain?indicator=skilled_workers&division=${county}&period=2026`,
      '/publications',
      '/events',
      '/maintenance',
    ];
    for (const path of pages) {
      await page.goto(path);
      await page.locator('h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      found[path] = await seriousAccessibilityViolations(page);
    }
    expect(found).toEqual(Object.fromEntries(['/sign-in', ...pages].map((p) => [p, []])));
    expectCleanPage(consolePage);
  });
});
