import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.mjs';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { ADMIN, adminToken, testConfig } from '../helpers/app.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';

// The dashboard's browser tests: Debian's Chromium (no browser of playwright's own), driven by
// playwright-core, against a real API server on loopback serving the built dashboard, on the
// suite's database. One browser and one server per test file; each test opens its own tab,
// so each starts signed out (the token lives in the tab's sessionStorage).

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const DATABASE = onPostgres ? 'postgresql' : 'sqlite';

export interface Shop {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  origin: string;
}

/**
 * Runs `tests` as one suite with a server and a browser of its own, opened before its first
 * test and closed after its last: inside the suite, so they close before the test file's
 * database is dropped (on PostgreSQL, after every suite of the file).
 */
export function dashboardSuite(name: string, tests: (dashboard: Dashboard) => void, overrides: Partial<Config> = {}) {
  describe(name, () => tests(dashboardUnderTest(overrides)));
}

export type Dashboard = ReturnType<typeof dashboardUnderTest>;

function dashboardUnderTest(overrides: Partial<Config>) {
  const opened: { shop?: Shop; context?: BrowserContext } = {};
  const pageErrors = new WeakMap<Page, string[]>();
  let profile = '';
  let dropDatabase = async () => {};
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    assert.ok(ensureDashboardBuilt({ quiet: true }), 'the dashboard builds');
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    const app = await buildApp(testConfig({ databaseUrl: database.url, ...overrides }));
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    opened.shop = { app, origin };
    profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
    opened.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 800 },
    });
    // A flow waits for what a user would see; what does not come within seconds is a failure.
    opened.context.setDefaultTimeout(5000);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await opened.context?.close();
    await opened.shop?.app.close();
    await dropDatabase();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return {
    get shop(): Shop {
      assert.ok(opened.shop, 'the server is up');
      return opened.shop;
    },
    /** A new tab on the dashboard, signed out; page errors fail the test. */
    async newPage(): Promise<Page> {
      assert.ok(opened.context && opened.shop, 'the browser is up');
      const page = await opened.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        // A CSP refusal is a console error; so is any uncaught problem of the app's own.
        if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
      });
      pageErrors.set(page, errors);
      await page.goto(`${opened.shop.origin}/admin/`);
      return page;
    },
    /** Closes a tab, which must have logged no error (a CSP refusal included). */
    async closePage(page: Page) {
      const errors = pageErrors.get(page) ?? [];
      await page.close();
      assert.deepEqual(errors, [], 'the page logged no error');
    },
  };
}

export async function signIn(page: Page, username = ADMIN.username, password = ADMIN.password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signedIn(page: Page) {
  await signIn(page);
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
}

/** Goes to a screen by its link in the navigation, as a user would. */
export async function open(page: Page, screen: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function assertAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  assert.deepEqual(
    bad.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`),
    [],
    `${what}: serious or critical accessibility violations`,
  );
}

/** Saves the page under test-results/screenshots/<flow>-<database>.png. */
export async function screenshot(page: Page, flow: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${flow}-${DATABASE}.png`), fullPage: true });
}

/**
 * What the API itself answers now (not through the browser), with a token of the admin's own:
 * signing out of the dashboard ends every token the admin had, so a new one for each question.
 */
export async function apiGet(shop: Shop, url: string) {
  const response = await shop.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await adminToken(shop.app)}` } });
  return { status: response.statusCode, body: response.json() };
}

/** The token the tab keeps, if any. */
export function tokenInTab(page: Page): Promise<string | null> {
  return page.evaluate("sessionStorage.getItem('shop-admin-token')");
}
