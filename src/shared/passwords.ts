import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { ClientShares, Gate } from './gate.js';
import { ServiceUnavailableError, TooManyRequestsError } from './errors.js';

// argon2id with OWASP's first recommended profile: 19 MiB, 2 passes, 1 lane.
const ARGON2ID = 2; // Algorithm.Argon2id; the package's const enum cannot be imported under isolatedModules
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Places in the hashing queue (running or waiting) that one client may hold at once, unless MAX_PASSWORD_CHECKS_PER_CLIENT says otherwise. */
export const MAX_HASHES_PER_CLIENT = 4;

/**
 * Bounds the CPU that password hashing may take. Each hash is ~9 ms of one core; left
 * alone, a login flood runs four at a time (libuv's pool) and starves every other request.
 * One core is kept for everything else; past 64 waiting (about half a second of hashing)
 * the rest are refused at once with 503. Within that, one client (an address, an account)
 * holds at most a few places (429 beyond), so one client's flood never fills the queue
 * that other people's logins wait in.
 */
const gate = new Gate(
  Math.max(1, availableParallelism() - 1),
  64,
  () => new ServiceUnavailableError('Too many password checks in progress; try again shortly.', 1),
);
let shares = clientShares(MAX_HASHES_PER_CLIENT);

function clientShares(perClient: number): ClientShares {
  return new ClientShares(perClient, () => new TooManyRequestsError('Too many password checks from you at once; wait for them to finish.', 1));
}

/** The share of each client, from the configuration (MAX_PASSWORD_CHECKS_PER_CLIENT); the process has one queue, so one share. */
export function setPasswordChecksPerClient(perClient: number): void {
  shares = clientShares(perClient);
}

/**
 * Who asks for a hash, for the per-client share: `address:<ip>` and, when signed in,
 * `customer:<id>`. A request names every client it belongs to.
 */
export type HashingClients = readonly string[];

export function clientsOf(address: string, customerId?: number): HashingClients {
  return customerId === undefined ? [`address:${address}`] : [`address:${address}`, `customer:${customerId}`];
}

function gated<T>(clients: HashingClients, work: () => Promise<T>): Promise<T> {
  return shares.run(clients, () => gate.run(work));
}

export function hashPassword(password: string, clients: HashingClients): Promise<string> {
  return gated(clients, () => hash(password, OPTIONS));
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still does
 * the same work against a dummy hash, so the answer takes about the same time.
 */
export async function verifyPassword(storedHash: string | undefined, password: string, clients: HashingClients): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hash('dummy password that matches nothing', OPTIONS);
    const dummy = await dummyHash;
    await gated(clients, () => verify(dummy, password));
    return false;
  }
  return gated(clients, () => verify(storedHash, password));
}
