/**
 * Counts attempts per key (a username, a client address) in a fixed window that starts
 * at the first attempt. Async so a shared store can stand behind the same interface.
 */
export interface AttemptLimiter {
  /** Seconds until `key` may try again, or 0 when it may. */
  retryAfter(key: string): Promise<number>;
  record(key: string): Promise<void>;
  /** Takes back one recorded attempt (one recorded before it was known not to count). */
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

  async retryAfter(key: string): Promise<number> {
    const window = this.liveWindow(key);
    if (!window || window.count < this.maxAttempts) return 0;
    return Math.max(1, Math.ceil((window.endsAt - this.now()) / 1000));
  }

  async record(key: string): Promise<void> {
    const window = this.liveWindow(key);
    if (window) {
      window.count += 1;
      return;
    }
    if (this.windows.size >= MAX_KEYS) this.evict();
    this.windows.set(key, { count: 1, endsAt: this.now() + this.windowSeconds * 1000 });
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
