import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.mjs';
import { buildTestApp, call } from '../helpers/app.js';

// How the API serves the built dashboard at /admin/: its own strict CSP, no inline script,
// hashed files cached for good; and what the dashboard's code may do (call the API only
// through the typed client) and weigh.

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dashboard/dist');
const JS_BUDGET_GZIP = 100 * 1024;

test('when /admin/ is asked for, then the page comes with its own CSP (script-src self, nothing inline) and its files are cached for good', async (t) => {
  assert.ok(ensureDashboardBuilt({ quiet: true }));
  const app = await buildTestApp(t);
  // Not API (and not in the OpenAPI document), so asked for plainly, without the contract check of `call`.
  const page = await app.inject({ url: '/admin/' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /(^|; )script-src 'self'(;|$)/);
  assert.match(csp, /(^|; )default-src 'none'(;|$)/);
  assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(page.headers['cache-control'], 'no-cache');
  const html = String(page.body);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attributes, body] of scripts) {
    assert.match(attributes!, /\ssrc="\/admin\/assets\/[^"]+\.js"/, 'every script is a file of the dashboard');
    assert.equal(body!.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /<style\b|\sstyle="|\son[a-z]+="/i, 'no inline style or event handler');

  const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await app.inject({ url: asset });
  assert.equal(js.statusCode, 200);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(js.headers['content-security-policy']), /script-src 'self'/);

  const bare = await app.inject({ url: '/admin' });
  assert.deepEqual([bare.statusCode, bare.headers.location], [301, '/admin/']);
  // The JSON API keeps its own, stricter policy.
  assert.equal((await call(app, 'GET', '/health')).headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
});

test("when the dashboard's code is read, then it calls the API only through the typed client, and its JavaScript stays within budget", () => {
  const sources = readdirSync(join(ROOT, 'dashboard/src'), { recursive: true }).map(String).filter((file) => /\.tsx?$/.test(file));
  for (const file of sources) {
    const code = readFileSync(join(ROOT, 'dashboard/src', file), 'utf8');
    assert.doesNotMatch(code, /\bfetch\(|XMLHttpRequest|axios|localStorage/, `${file}: no request but through the typed client, no token in localStorage`);
  }
  const api = readFileSync(join(ROOT, 'dashboard/src/api.ts'), 'utf8');
  assert.match(api, /from '@ecommerce-api\/client'/);

  assert.ok(ensureDashboardBuilt({ quiet: true }));
  const scripts = readdirSync(join(DIST, 'assets')).filter((file) => file.endsWith('.js'));
  const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(DIST, 'assets', file)), { level: 9 }).length, 0);
  console.log(`dashboard JavaScript: ${(gzipped / 1024).toFixed(1)} KiB gzip in ${scripts.length} file(s)`);
  assert.ok(gzipped < JS_BUDGET_GZIP, `${gzipped} bytes gzip, over the budget of ${JS_BUDGET_GZIP}`);
});
