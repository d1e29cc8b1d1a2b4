// Runs every test/**/*.test.ts with node:test through tsx: once on SQLite, and once more
// on PostgreSQL when TEST_DATABASE_URL is set (each test then gets its own schema). The
// whole suite first lints the OpenAPI document (scripts/lint-openapi.mjs).
// TEST_REDIS_URL, when set, runs the tests of throttling shared through Redis in both passes.
// Node 20's test runner does not pick up .ts files by itself, so we list them here.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDashboardBuilt } from './build-dashboard.mjs';

const only = process.argv.slice(2);
const files = only.length
  ? only
  : readdirSync('test', { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.test.ts'))
      .sort()
      .map((file) => join('test', file));

// The API serves the built dashboard, and the browser tests drive it: build it first when stale.
if (!ensureDashboardBuilt()) process.exit(1);

// A failing lint fails the run, after the tests have run too.
const lintFailed = only.length === 0 && spawnSync(process.execPath, ['scripts/lint-openapi.mjs'], { stdio: 'inherit' }).status !== 0;

const { TEST_DATABASE_URL, ...envWithoutPostgres } = process.env;
const passes = [{ name: 'SQLite', env: envWithoutPostgres }];
if (TEST_DATABASE_URL) passes.push({ name: 'PostgreSQL', env: { ...envWithoutPostgres, TEST_DATABASE_URL } });

const totals = { passed: 0, failed: 0 };
let exitCode = lintFailed ? 1 : 0;
for (const pass of passes) {
  console.log(`\n=== ${pass.name}: ${files.length} test files ===\n`);
  const { code, passed, failed } = await runTests(pass.env);
  console.log(`${pass.name}: ${passed} passed, ${failed} failed`);
  totals.passed += passed;
  totals.failed += failed;
  if (code !== 0) exitCode = code || 1;
}
if (passes.length > 1) console.log(`\nall: ${totals.passed} passed, ${totals.failed} failed`);
if (lintFailed) console.log('the OpenAPI document did not lint clean (see its report above)');
process.exit(exitCode);

function runTests(env) {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    output += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      // A test cancelled (its suite's hook failed, or its parent ended first) did not pass either.
      resolve({ code: code ?? 1, passed: summaryCount(output, 'pass'), failed: summaryCount(output, 'fail') + summaryCount(output, 'cancelled') });
    });
  });
}

/** The runner's closing summary has lines like "ℹ pass 42"; the last one counts. */
function summaryCount(output, label) {
  const counts = [...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))];
  return Number(counts.at(-1)?.[1] ?? 0);
}
