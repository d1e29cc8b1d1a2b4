import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { inTransaction } from '../../db/engine.js';
import { ConflictError } from '../../shared/errors.js';
import * as repo from './orders.repository.js';

/** Keys are kept at least this long; older ones are purged. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotentRequest {
  customerId: number;
  key: string | undefined;
  /** What was asked: the route and its body. The same key with another request is a 409. */
  route: string;
  body: unknown;
}

/**
 * Runs `work` in a transaction once per (customer, key). The key is stored in the same
 * transaction as the work's result, so either both happen or neither: a failed attempt
 * leaves no key behind and may be retried. A repeat gets the stored result back.
 * Two concurrent requests with one key: the second waits on the first's lock (or hits the
 * unique key) and then replays the first's result.
 */
export async function runIdempotent<T>(
  db: Db,
  request: IdempotentRequest,
  work: (trx: Trx) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const { key } = request;
  if (key === undefined) return { result: await inTransaction(db, work), replayed: false };
  const hash = requestHash(request);
  const attempt = () =>
    inTransaction(db, async (trx) => {
      const stored = await repo.findIdempotencyKey(trx, request.customerId, key);
      if (stored) {
        if (stored.request_hash !== hash) {
          throw new ConflictError('This Idempotency-Key was used with another request.', 'IDEMPOTENCY_KEY_REUSED');
        }
        return { result: JSON.parse(stored.response_body) as T, replayed: true };
      }
      const result = await work(trx);
      await repo.insertIdempotencyKey(trx, {
        customer_id: request.customerId,
        key,
        request_hash: hash,
        response_status: 201,
        response_body: JSON.stringify(result),
      });
      return { result, replayed: false };
    });
  try {
    return await attempt();
  } catch (error) {
    // Lost the race to a concurrent twin: its transaction has committed, so this one replays it.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

export function purgeExpiredIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  return repo.deleteIdempotencyKeysBefore(db, new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString());
}

function requestHash(request: IdempotentRequest): string {
  return createHash('sha256').update(request.route).update('\n').update(canonicalJson(request.body)).digest('hex');
}

/** JSON with object keys sorted, so {a,b} and {b,a} are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
