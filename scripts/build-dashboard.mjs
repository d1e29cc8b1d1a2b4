// Builds the admin dashboard (dashboard/ → dashboard/dist, which the API serves at /admin/)
// when it is missing or older than its sources or the typed client. `npm start` runs this
// first; so do the browser tests. `npm run build:dashboard` builds it unconditionally.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = join(ROOT, 'dashboard/dist/index.html');

function newestTime(paths) {
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory() ? readdirSync(path, { recursive: true }).map((file) => join(path, String(file))) : [path],
  );
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

export function dashboardIsStale() {
  if (!existsSync(BUILT)) return true;
  const sources = ['dashboard/src', 'dashboard/index.html', 'dashboard/vite.config.ts', 'clients/typescript'].map((path) => join(ROOT, path));
  return newestTime(sources) > statSync(BUILT).mtimeMs;
}

/** Builds when stale; false when the build failed (vite has printed why). */
export function ensureDashboardBuilt({ quiet = false } = {}) {
  if (!dashboardIsStale()) return true;
  if (!quiet) console.log('Building the admin dashboard into dashboard/dist/ (a few seconds)...');
  const vite = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', quiet ? 'error' : 'warn'], {
    cwd: join(ROOT, 'dashboard'),
    stdio: 'inherit',
  });
  return vite.status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !ensureDashboardBuilt()) process.exit(1);
