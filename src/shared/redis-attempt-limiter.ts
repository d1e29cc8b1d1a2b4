import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { type AttemptLimiter, MemoryAttemptLimiter } from './attempt-limiter.js';

// Each script runs atomically in Redis, so processes sharing a counter never lose an update,
// and counting and comparing are one step: no attempt can slip in between.
// The window starts at the first attempt: the expiry is set only when the key is new
// (or, for a counter someone left without one, now, so it cannot block forever).
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if count <= tonumber(ARGV[2]) then return 0 end
return math.max(ttl, 1)`;
const RELEASE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return count`;

// A reply that is not a count is an error, so the caller falls back to its
// own counters rather than reading garbage as "not throttled".
function asCount(reply: unknown): number {
  const count = Number(reply);
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`Redis answered a throttling counter with ${JSON.stringify(reply)}`);
  return count;
}

/** The same fixed-window counters as MemoryAttemptLimiter, kept in Redis and shared by every process. */
export class RedisAttemptLimiter implements AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    /** The key prefix and the counter's name, e.g. "ecommerce-api:login-username:". */
    private readonly keyPrefix: string,
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
  ) {}

  async hit(key: string): Promise<number> {
    const waitMs = asCount(await this.redis.eval(HIT, 1, this.keyOf(key), this.windowSeconds * 1000, this.maxAttempts));
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  async release(key: string): Promise<void> {
    asCount(await this.redis.eval(RELEASE, 1, this.keyOf(key)));
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

  hit(key: string) {
    return this.attempt((limiter) => limiter.hit(key));
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
        this.log.info('Redis answers again: throttling is shared across processes');
      }
      return result;
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: error }, 'Redis is unreachable: throttling per process until it is back');
      }
      return use(this.local);
    }
  }
}

/** Where a process keeps its throttling counters: in Redis when there is one, shared by every process. */
export interface LimiterStore {
  redis: Redis | undefined;
  /** Put before every counter's name, e.g. "ecommerce-api:". */
  keyPrefix: string;
  log: FastifyBaseLogger;
}

/**
 * One throttle, a fixed window of `maxAttempts` per key: shared through Redis when the store
 * has it (falling back to this process's own counters while Redis is down), else in memory.
 * `name` keeps its keys apart from every other throttle's in Redis.
 */
export function createAttemptLimiter(store: LimiterStore, name: string, maxAttempts: number, windowSeconds: number): AttemptLimiter {
  const local = new MemoryAttemptLimiter(maxAttempts, windowSeconds);
  if (!store.redis) return local;
  const shared = new RedisAttemptLimiter(store.redis, `${store.keyPrefix}${name}:`, maxAttempts, windowSeconds);
  return new FallbackAttemptLimiter(shared, local, store.log);
}
