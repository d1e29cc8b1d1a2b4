// Runs the generated-input tests (test/fuzz) long: many runs per property and a fresh
// random seed each time, on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL too.
//
//   npm run fuzz                          FUZZ_RUNS=2000, a random seed
//   npm run fuzz -- --runs 300            fewer runs
//   FUZZ_SEED=123 npm run fuzz            replay a seed a failure printed
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run fuzz
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_RUNS = 2000;

function runsFromArgs(args) {
  const index = args.indexOf('--runs');
  if (index === -1) return process.env.FUZZ_RUNS || String(DEFAULT_RUNS);
  const value = args[index + 1];
  if (!/^\d+$/.test(value ?? '') || Number(value) < 1) {
    console.error(`--runs takes a positive whole number, got ${value === undefined ? 'nothing' : `"${value}"`}`);
    process.exit(2);
  }
  return value;
}

const runs = runsFromArgs(process.argv.slice(2));
const seed = process.env.FUZZ_SEED || String(Math.floor(Math.random() * 2 ** 31));
const files = readdirSync(join('test', 'fuzz'))
  .filter((file) => file.endsWith('.test.ts'))
  .sort()
  .map((file) => join('test', 'fuzz', file));

console.log(`fuzzing with FUZZ_RUNS=${runs} FUZZ_SEED=${seed}${process.env.TEST_DATABASE_URL ? ' (SQLite, then PostgreSQL)' : ''}`);
// TEST_DATABASE_URL, like everything else in the environment, passes through to test.mjs.
const child = spawn(process.execPath, [join('scripts', 'test.mjs'), ...files], {
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
  stdio: 'inherit',
});
child.on('close', (code) => {
  if (code !== 0) console.log(`\nfuzzing failed; replay with: FUZZ_SEED=${seed} npm run fuzz -- --runs ${runs}`);
  process.exit(code ?? 1);
});
