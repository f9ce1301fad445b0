import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from './test-app.js';

/*
 * Debian's headless Chromium driven by playwright-core through its executable path (no browser
 * download), axe-core on each page, screenshots to test-artifacts/ (not committed).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_NOTE = HAS_CHROMIUM ? '' : ` (skipped: no browser at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH)`;
const ARTIFACTS = path.resolve('test-artifacts');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** No serious or critical accessibility violation (axe-core), then a screenshot named `name`. */
export async function axe(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe.run({ resultTypes: ['violations'] }))) as {
    violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
  };
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), name).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A new browser context signed in as `email`; console errors other than refused forms go to `errors`. */
export async function signIn(browser: Browser, base: string, email: string, password: string, errors: string[], options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
  const page = await context.newPage();
  page.on('console', (m) => {
    // A refused form or page (400, 401, 403, 413) is logged by Chromium too; what must not appear is any other error.
    if (m.type() === 'error' && !/the server responded with a status of (400|401|403|413)/.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
  await page.goto(`${base}/`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

/** The real app listening on a free port of localhost, for a browser to open; `close()` stops both. */
export async function serveForBrowser(t: TestApp): Promise<{ base: string; close: () => Promise<void> }> {
  const server = t.container.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    base: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.close();
      await t.close();
    },
  };
}
