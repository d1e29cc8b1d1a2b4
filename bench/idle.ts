// Whether a server has finished the work a load left behind. When autocannon stops, requests
// still in flight are abandoned by the client but not by the server (a SQLite query runs to
// the end, and a backlog of slow searches can take many seconds), so the next scenario would
// measure the leftovers of this one. Idle: the process used under 10% of a core for 300 ms,
// from /proc/<pid>/stat; where there is no /proc, GET /health answering within 50 ms.
import { readFileSync } from 'node:fs';
import { request } from './http.js';
import { sleep } from './servers.js';

const WINDOW_MS = 100;
const QUIET_WINDOWS = 3;
/** Of a core, per window. */
const QUIET_SHARE = 0.1;
const TICKS_PER_S = 100; // USER_HZ, 100 on every Linux architecture Node supports

export async function waitUntilIdle(server: { pid: number; url: string }, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let quiet = 0;
  let last = cpuSeconds(server.pid);
  while (Date.now() < deadline) {
    const started = performance.now();
    await sleep(WINDOW_MS);
    const now = cpuSeconds(server.pid);
    const busy =
      now !== undefined && last !== undefined
        ? (now - last) / ((performance.now() - started) / 1000) > QUIET_SHARE
        : !(await answersQuickly(server.url));
    last = now;
    quiet = busy ? 0 : quiet + 1;
    if (quiet >= QUIET_WINDOWS) return true;
  }
  return false;
}

/** User plus system CPU time of a process, in seconds; undefined without /proc. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

async function answersQuickly(url: string): Promise<boolean> {
  const started = performance.now();
  const status = await request(`${url}/health`, { timeoutMs: 1000 }).then(
    (response) => response.status,
    () => 0,
  );
  return status === 200 && performance.now() - started < 50;
}
