// Everything the benchmark creates (processes, files, a database) registers how to undo
// itself here, so a failure or Ctrl-C half way still leaves nothing behind.

type Step = () => unknown;

const steps: Step[] = [];
let running: Promise<void> | undefined;

/** Undo steps run last-registered first, like a stack of finally blocks. */
export function onCleanup(step: Step): void {
  steps.push(step);
}

export function cleanUp(): Promise<void> {
  running ??= (async () => {
    for (let step = steps.pop(); step; step = steps.pop()) {
      try {
        await step();
      } catch (error) {
        console.error('bench: a clean-up step failed:', error);
      }
    }
  })();
  return running;
}

/** True once clean-up has begun (after a signal, say: errors from then on are its echoes). */
export function isCleaningUp(): boolean {
  return running !== undefined;
}

/**
 * On SIGINT or SIGTERM: clean up, then exit with the conventional 128 + signal number.
 * The listeners stay: a second Ctrl-C (or tsx relaying the first one again) must not kill
 * the process half way through its clean-up.
 */
export function cleanUpOnSignals(): void {
  const codes = { SIGINT: 130, SIGTERM: 143 } as const;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (running) return;
      console.error(`\nbench: ${signal}, cleaning up`);
      void cleanUp().finally(() => process.exit(codes[signal]));
    });
  }
}
