import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { ConflictError } from '../../shared/errors.js';
import * as repo from './orders.repository.js';

/** Keys are kept at least this long; older ones are purged. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotentRequest {
  /** Whose key it is: "customer:7", or "cart:<id>" for a guest checkout (see idempotencyScope). */
  scope: string;
  key: string | undefined;
  /** What was asked: the route and its body. The same key with another request is a 409. */
  route: string;
  body: unknown;
}

/**
 * Runs `work` in a transaction once per (scope, key). The key is claimed first, in the
 * same transaction as the work: a concurrent twin's claim waits on the unique index until
 * this transaction ends, then finds the key taken and replays the stored result (or, if
 * this one failed and rolled back, claims it itself). So a double-clicked checkout answers
 * the same order twice, and a failed attempt leaves no key behind and may be retried.
 */
export async function runIdempotent<T>(
  db: Db,
  request: IdempotentRequest,
  work: (trx: Trx) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const { key } = request;
  if (key === undefined) return { result: await inTransaction(db, work), replayed: false };
  return inTransaction(db, async (trx) => {
    const replayed = await claimIdempotencyKey<T>(trx, request);
    if (replayed) return { result: replayed.result, replayed: true };
    const result = await work(trx);
    await keepIdempotentAnswer(trx, request, 201, result);
    return { result, replayed: false };
  });
}

/**
 * The first half of runIdempotent, for work that calls a provider between two transactions
 * (a payment, a refund): claims the key in the caller's transaction, or answers the stored
 * result of the request that claimed it. The answer is kept by keepIdempotentAnswer in the
 * transaction that finishes the work; a failed attempt gives the key back with releaseIdempotencyKey.
 */
export async function claimIdempotencyKey<T>(trx: Trx, request: IdempotentRequest): Promise<{ result: T; status: number } | undefined> {
  if (request.key === undefined) return undefined;
  const hash = requestHash(request);
  if (await repo.claimIdempotencyKey(trx, request.scope, request.key, hash)) return undefined;
  return replay<T>(trx, request.scope, request.key, hash);
}

export async function keepIdempotentAnswer(trx: Trx, request: IdempotentRequest, status: number, result: unknown): Promise<void> {
  if (request.key !== undefined) await repo.storeIdempotentResponse(trx, request.scope, request.key, status, JSON.stringify(result));
}

export async function releaseIdempotencyKey(trx: Trx, request: IdempotentRequest): Promise<void> {
  if (request.key !== undefined) await repo.deleteIdempotencyKey(trx, request.scope, request.key);
}

async function replay<T>(trx: Trx, scope: string, key: string, hash: string): Promise<{ result: T; status: number }> {
  const stored = await repo.findIdempotencyKey(trx, scope, key);
  // Not there, or claimed without an answer yet: only a transaction still running could see it so.
  if (!stored || stored.response_status === 0) {
    throw new ConflictError('This Idempotency-Key is in use by a request still running; try again.', 'CONFLICT');
  }
  if (stored.request_hash !== hash) {
    throw new ConflictError('This Idempotency-Key was used with another request.', 'IDEMPOTENCY_KEY_REUSED');
  }
  return { result: JSON.parse(stored.response_body) as T, status: stored.response_status };
}

/** The scope of a key: a customer's keys are theirs alone, a guest's belong to its cart. */
export const idempotencyScope = {
  customer: (customerId: number) => `customer:${customerId}`,
  guestCart: (cartId: string) => `cart:${cartId}`,
  guestOrder: (orderId: number) => `order:${orderId}`,
};

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
