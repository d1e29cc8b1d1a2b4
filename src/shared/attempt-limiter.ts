/**
 * Counts attempts per key (a username, a client address) in a fixed window that starts
 * at the first attempt. Async so a shared store can stand behind the same interface.
 */
export interface AttemptLimiter {
  /**
   * Counts one attempt for `key` and, in the same atomic step, compares the count with the
   * limit: 0 when this attempt is within it, else the seconds until the window ends. So
   * of any number of attempts at once, exactly as many as the limit allows pass.
   */
  hit(key: string): Promise<number>;
  /** Takes back one counted attempt (one that turned out not to count: refused, or succeeded). */
  release(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** Keys kept at most, so a flood of distinct usernames cannot grow memory without bound. */
const MAX_KEYS = 100_000;

/** Per-process counters: each server process counts on its own. */
export class MemoryAttemptLimiter implements AttemptLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<number> {
    let window = this.liveWindow(key);
    if (!window) {
      if (this.windows.size >= MAX_KEYS) this.evict();
      window = { count: 0, endsAt: this.now() + this.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= this.maxAttempts) return 0;
    return Math.max(1, Math.ceil((window.endsAt - this.now()) / 1000));
  }

  async release(key: string): Promise<void> {
    const window = this.liveWindow(key);
    if (window && window.count > 0) window.count -= 1;
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private liveWindow(key: string) {
    const window = this.windows.get(key);
    if (window && window.endsAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** Drops ended windows; if none had ended, the oldest one (Maps keep insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    if (this.windows.size >= MAX_KEYS) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }
}

/**
 * Counts one attempt on every limiter at once; if any of them is past its limit, takes all
 * of them back (a refused attempt tried nothing, so it must not push any count further,
 * least of all a shared one like a username's) and answers the longest wait.
 */
export async function hitAll(hits: { limiter: AttemptLimiter; key: string }[]): Promise<number> {
  const waits = await Promise.all(hits.map(({ limiter, key }) => limiter.hit(key)));
  const wait = Math.max(0, ...waits);
  if (wait > 0) await releaseAll(hits);
  return wait;
}

export async function releaseAll(hits: { limiter: AttemptLimiter; key: string }[]): Promise<void> {
  await Promise.all(hits.map(({ limiter, key }) => limiter.release(key)));
}
