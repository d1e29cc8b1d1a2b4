/**
 * Runs at most `concurrency` tasks at once; up to `maxWaiting` more wait their turn in
 * arrival order, and past that `refuse` is thrown at once, so a flood costs a bounded
 * amount of memory and time instead of growing a queue without end.
 */
export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly refuse: () => Error,
  ) {}

  /** Runs `work` in its turn. `patient` work waits however long the queue is (a stream already under way, which must not be cut short). */
  async run<T>(work: () => Promise<T>, patient = false): Promise<T> {
    if (this.running >= this.concurrency) {
      if (!patient && this.waiting.length >= this.maxWaiting) throw this.refuse();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

/**
 * Counts what each client (an address, an account) has in progress, so that one client can
 * hold only `maxPerClient` places of a shared gate and never crowd out everyone else.
 */
export class ClientShares {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly maxPerClient: number,
    private readonly refuse: () => Error,
  ) {}

  async run<T>(clients: readonly string[], work: () => Promise<T>): Promise<T> {
    if (clients.some((client) => (this.held.get(client) ?? 0) >= this.maxPerClient)) throw this.refuse();
    for (const client of clients) this.held.set(client, (this.held.get(client) ?? 0) + 1);
    try {
      return await work();
    } finally {
      for (const client of clients) {
        const left = (this.held.get(client) ?? 1) - 1;
        if (left > 0) this.held.set(client, left);
        else this.held.delete(client);
      }
    }
  }
}
