// Builds only when a source is newer than the last build, then runs the given compiled
// entry point in this process: `npm start` (dist/server.js), `npm run migrate` (dist/db/migrate.js).
// Before the server, the admin dashboard is built too when it is missing or stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDashboardBuilt } from './build-dashboard.mjs';

const BUILD_INFO = 'dist/.tsbuildinfo';

function newestSourceTime() {
  const sources = readdirSync('src', { recursive: true }).map((file) => join('src', String(file)));
  return Math.max(...[...sources, 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(f).mtimeMs));
}

if (!existsSync(BUILD_INFO) || newestSourceTime() > statSync(BUILD_INFO).mtimeMs) {
  // The first start (and the first after a change to src/) compiles for a while; say so.
  console.log(`Building the API into dist/ (${existsSync(BUILD_INFO) ? 'src/ changed' : 'first start'}; about half a minute)...`);
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
const entry = process.argv[2] ?? 'dist/server.js';
// The server serves the dashboard; the other entry points have no use for it.
if (entry === 'dist/server.js' && !ensureDashboardBuilt()) process.exit(1);
process.argv.splice(1, 2, join(process.cwd(), entry));
await import(new URL(`../${entry}`, import.meta.url).href);
