/**
 * What the browser tests share: Debian's Chromium driven by playwright-core,
 * signing in through the console's own sign-in page, axe-core injected into
 * the page, and a record of Content-Security-Policy violations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core'), 'utf8');

/** Where screenshots go (gitignored). */
export const artifactsDirectory = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumInstalled(): boolean {
  return existsSync(chromiumPath);
}

export async function launchChromium(): Promise<Browser> {
  // CI runs as root, where Chromium refuses its sandbox.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: chromiumPath, args });
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** CSP violations the page reported so far. */
  readonly cspViolations: string[];
  /** Uncaught errors in the page so far. */
  readonly pageErrors: string[];
}

/** A fresh browser context (no session, no language choice) on the console. */
export async function openConsole(browser: Browser, baseUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_source, text: string) => void cspViolations.push(text));
  // Browser-side code is passed as source text: this project's TypeScript has no DOM types.
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));",
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, cspViolations, pageErrors };
}

/** Signs in on the sign-in page as `role` of `division` (by its Chinese name) and waits for the overview. */
export async function signIn(page: Page, role: 'admin' | 'viewer', divisionName: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('radio', { name: role === 'admin' ? '管理员' : '查看者' }).check();
  const select = page.getByLabel('区划');
  const value = await select.locator('option', { hasText: divisionName }).first().getAttribute('value');
  if (value === null) throw new Error(`no division named ${divisionName} on the sign-in page`);
  await select.selectOption(value);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** Waits until the page's main section reports its data loaded. */
export async function waitUntilReady(page: Page): Promise<void> {
  await page.locator('section.page[data-state="ready"]').first().waitFor({ timeout: 60_000 });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol rather than added as a <script>: the console's CSP
  // (rightly) refuses inline scripts, and the test must not weaken it to run axe.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    'axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))',
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
