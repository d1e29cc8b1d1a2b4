import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { ServiceUnavailableError } from './errors.js';

// argon2id with OWASP's first recommended profile: 19 MiB, 2 passes, 1 lane.
const ARGON2ID = 2; // Algorithm.Argon2id; the package's const enum cannot be imported under isolatedModules
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Bounds the CPU that password hashing may take. Each hash is ~9 ms of one core; left
 * alone, a login flood runs four at a time (libuv's pool) and starves every other request.
 * One core is kept for everything else; past 64 waiting (about half a second of hashing)
 * the rest are refused at once with 503.
 */
class HashingGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new ServiceUnavailableError('Too many password checks in progress; try again shortly.', 1);
      }
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

const gate = new HashingGate(Math.max(1, availableParallelism() - 1), 64);

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => hash(password, OPTIONS));
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still does
 * the same work against a dummy hash, so the answer takes about the same time.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hash('dummy password that matches nothing', OPTIONS);
    const dummy = await dummyHash;
    await gate.run(() => verify(dummy, password));
    return false;
  }
  return gate.run(() => verify(storedHash, password));
}
