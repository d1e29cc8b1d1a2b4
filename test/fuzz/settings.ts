import fc from 'fast-check';

// How hard the fuzz tests push. `npm test` keeps them short (a fixed seed, a few runs per
// property); `npm run fuzz` sets FUZZ_RUNS much higher and a fresh FUZZ_SEED each time.

const DEFAULT_RUNS = 20;
const DEFAULT_SEED = 20_260_101;

function readInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return Number(raw);
}

/** Runs per property: each run is one request (or one sequence of requests). */
export const FUZZ_RUNS = readInteger('FUZZ_RUNS', DEFAULT_RUNS);
export const FUZZ_SEED = readInteger('FUZZ_SEED', DEFAULT_SEED);

/**
 * fc.assert with the shared seed and run count. On failure fast-check's report (the seed,
 * the shrink path and the smallest input it found) comes with the command that replays it.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  options: { numRuns?: number; examples?: Ts[] } = {},
): Promise<void> {
  const numRuns = options.numRuns ?? FUZZ_RUNS;
  try {
    await fc.assert(property, { numRuns, seed: FUZZ_SEED, verbose: 1, examples: options.examples ?? [] });
  } catch (error) {
    // The shop carries its state from one property to the next, so a replay runs the whole file.
    const replay = `FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS} node scripts/test.mjs <this file>`;
    if (error instanceof Error) error.message = `${error.message}\n\nReplay with: ${replay}`;
    throw error;
  }
}
