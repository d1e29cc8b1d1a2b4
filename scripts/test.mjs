// Runs every test/**/*.test.ts with node:test through tsx.
// Node 20's test runner does not pick up .ts files by itself, so we list them here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const files = only.length
  ? only
  : readdirSync('test', { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.test.ts'))
      .sort()
      .map((file) => join('test', file));

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
