import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AttemptLimiter } from './attempt-limiter.js';

// Each script runs atomically in Redis, so processes sharing a counter never lose an update.
// The window starts at the first attempt: the expiry is set only when the key is new.
const RECORD = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;
const RELEASE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return count`;

/** The same fixed-window counters as MemoryAttemptLimiter, kept in Redis and shared by every process. */
export class RedisAttemptLimiter implements AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    /** The key prefix and the counter's name, e.g. "ecommerce-api:login-username:". */
    private readonly keyPrefix: string,
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
  ) {}

  async retryAfter(key: string): Promise<number> {
    const results = await this.redis.multi().get(this.keyOf(key)).pttl(this.keyOf(key)).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const ttlMs = Number(results?.[1]?.[1] ?? -2);
    if (count < this.maxAttempts || ttlMs <= 0) return 0;
    return Math.max(1, Math.ceil(ttlMs / 1000));
  }

  async record(key: string): Promise<void> {
    await this.redis.eval(RECORD, 1, this.keyOf(key), this.windowSeconds * 1000);
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keyOf(key));
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  private keyOf(key: string): string {
    return this.keyPrefix + key;
  }
}

/**
 * Uses the shared limiter while it answers, and this process's own counters when it does not:
 * the API keeps serving with Redis gone, throttling per process, and says so once in the log.
 */
export class FallbackAttemptLimiter implements AttemptLimiter {
  private failing = false;

  constructor(
    private readonly shared: AttemptLimiter,
    private readonly local: AttemptLimiter,
    private readonly log: FastifyBaseLogger,
  ) {}

  retryAfter(key: string) {
    return this.attempt((limiter) => limiter.retryAfter(key));
  }

  record(key: string) {
    return this.attempt((limiter) => limiter.record(key));
  }

  release(key: string) {
    return this.attempt((limiter) => limiter.release(key));
  }

  reset(key: string) {
    return this.attempt((limiter) => limiter.reset(key));
  }

  private async attempt<T>(use: (limiter: AttemptLimiter) => Promise<T>): Promise<T> {
    try {
      const result = await use(this.shared);
      if (this.failing) {
        this.failing = false;
        this.log.info('Redis answers again: login and registration throttling is shared across processes');
      }
      return result;
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: error }, 'Redis is unreachable: throttling logins and registrations per process until it is back');
      }
      return use(this.local);
    }
  }
}
