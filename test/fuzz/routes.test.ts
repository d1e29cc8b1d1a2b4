import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { exercise } from './exercise.js';
import { assertShopInvariants } from './invariants.js';
import { invalidRequestArbitrary } from './mutations.js';
import { type FuzzRequest, type Operation, countOperations, operationsOf, toWire, validRequestArbitrary } from './operations.js';
import { invalidArbitrary, isValid, validArbitrary } from './schema-arbitraries.js';
import { FUZZ_RUNS, FUZZ_SEED, checkProperty } from './settings.js';
import { ACTORS, type ActorName, World } from './world.js';

// Every operation in the app's OpenAPI document gets requests generated from its own
// schemas: valid ones, and valid ones with one thing broken, from an admin, a customer
// and an anonymous client, all against one shop. FUZZ_RUNS requests per property.

type Mode = 'valid' | 'invalid';

function arbitraryFor(world: World, operation: Operation, mode: Mode, actors?: readonly ActorName[]): fc.Arbitrary<FuzzRequest> {
  const valid = validRequestArbitrary(world, operation, actors);
  return mode === 'valid' ? valid : invalidRequestArbitrary(world, operation, valid);
}

/** One request from each actor first, so each is sure to be tried whatever FUZZ_RUNS is. */
function oneFromEachActor(world: World, operation: Operation, mode: Mode): [FuzzRequest][] {
  return ACTORS.map((actor) => {
    const samples = fc.sample(arbitraryFor(world, operation, mode, [actor]), { numRuns: 20, seed: FUZZ_SEED });
    return [samples.find((request) => !locksOutAdmin(world, operation, request)) ?? samples[0]!];
  });
}

function locksOutAdmin(world: World, operation: Operation, request: FuzzRequest): boolean {
  const wire = toWire(world, operation, request);
  return world.wouldLockOutAdmin(wire.method, wire.url, wire.json);
}

const NAMES: Record<Mode, (label: string) => string> = {
  valid: (label) =>
    `when ${label} gets requests its schemas allow, then no 5xx, every error is problem+json and none is refused as invalid`,
  invalid: (label) =>
    `when ${label} gets requests with one thing broken, then no 5xx, every error is problem+json and the certainly invalid ones are 4xx`,
};

test('when every route of the OpenAPI document gets generated requests, then none breaks an invariant', async (t) => {
  const world = await World.open(t);
  const document = await world.document();
  const operations = operationsOf(document);
  /** "POST /orders" → "valid admin", "invalid anonymous", ... for each request sent. */
  const tried = new Map<string, Set<string>>(operations.map((operation) => [operation.label, new Set()]));
  /** "valid POST /orders" → answers by status, to show how far the requests got. */
  const statuses = new Map<string, Map<number, number>>();
  const count = (key: string, status: number) => {
    const counts = statuses.get(key) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    statuses.set(key, counts);
  };

  await t.test('when a request schema is turned into generators, then its valid values pass it and its invalid ones fail it', () => {
    const schemas = operations.flatMap((operation) => [
      operation.parameters.path,
      operation.parameters.query,
      operation.parameters.header,
      ...(operation.body ? [operation.body] : []),
    ]);
    for (const schema of schemas) {
      fc.assert(fc.property(validArbitrary(schema), (value) => isValid(schema, value)), { numRuns: FUZZ_RUNS, seed: FUZZ_SEED });
      fc.assert(fc.property(invalidArbitrary(schema), (value) => !isValid(schema, value)), { numRuns: FUZZ_RUNS, seed: FUZZ_SEED });
    }
  });

  for (const operation of operations) {
    for (const mode of ['valid', 'invalid'] as const) {
      await t.test(NAMES[mode](operation.label), async () => {
        await world.prepare();
        const property = fc.asyncProperty(arbitraryFor(world, operation, mode), async (request) => {
          const response = await exercise(world, operation, request);
          fc.pre(response !== undefined);
          tried.get(operation.label)!.add(`${mode} ${request.actor}`);
          count(`${mode} ${operation.label}`, response.status);
        });
        await checkProperty(property, { examples: oneFromEachActor(world, operation, mode) });
        await assertShopInvariants(world);
      });
    }
  }

  await t.test('when the fuzzing is done, then every operation in the document was tried, valid and invalid, by every actor', () => {
    assert.equal(operations.length, countOperations(document));
    assert.ok(operations.length >= 20, `only ${operations.length} operations in the document`);
    const missing = operations.flatMap((operation) =>
      ['valid', 'invalid'].flatMap((mode) =>
        ACTORS.filter((actor) => !tried.get(operation.label)!.has(`${mode} ${actor}`)).map((actor) => `${operation.label}: ${mode} from ${actor}`),
      ),
    );
    assert.deepEqual(missing, []);
    for (const [key, counts] of statuses) {
      const byStatus = [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      t.diagnostic(`${key}: ${byStatus.join(' ')}`);
    }
  });
});
