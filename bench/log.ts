// Progress goes to stderr, stamped with the seconds since the benchmark started, so stdout
// holds only the tables (and can be piped into a file).
const startedAt = performance.now();

export function say(message: string): void {
  console.error(`[${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${message}`);
}
