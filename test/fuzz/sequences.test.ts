import { test } from 'node:test';
import fc from 'fast-check';
import { exercise } from './exercise.js';
import { assertShopInvariants } from './invariants.js';
import { invalidRequestArbitrary } from './mutations.js';
import { type FuzzRequest, type Operation, operationsOf, validRequestArbitrary } from './operations.js';
import { FUZZ_RUNS, checkProperty } from './settings.js';
import { World } from './world.js';

// Stock and totals are broken by what happens between requests, not by one request alone:
// an order placed, a product's price changed, the order cancelled, stock set by hand. So
// here each run is a random sequence of requests to any routes, sent one after another or
// all at once, and the whole shop is checked after it.

interface Step {
  operation: Operation;
  request: FuzzRequest;
}

function stepArbitrary(world: World, operations: Operation[]): fc.Arbitrary<Step> {
  return fc.oneof(
    ...operations.map((operation) => {
      const valid = validRequestArbitrary(world, operation);
      const request = fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: invalidRequestArbitrary(world, operation, valid) });
      // Writes change the shop; reads only look at it.
      return { weight: operation.method === 'GET' ? 1 : 3, arbitrary: request.map((r): Step => ({ operation, request: r })) };
    }),
  );
}

test('when random sequences of requests to any routes run one after another or all at once, then stock never goes below zero and every order adds up to the cent', async (t) => {
  const world = await World.open(t);
  const operations = operationsOf(await world.document());
  await world.prepare();
  const sequences = fc.array(stepArbitrary(world, operations), { minLength: 1, maxLength: 12 });
  let runs = 0;
  const property = fc.asyncProperty(sequences, fc.boolean(), async (steps, atOnce) => {
    if (atOnce) {
      // Every request finishes before a failure is reported, so none runs on into the next run.
      const outcomes = await Promise.allSettled(steps.map((step) => exercise(world, step.operation, step.request)));
      const failure = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failure) throw failure.reason;
    } else {
      for (const step of steps) await exercise(world, step.operation, step.request);
    }
    await assertShopInvariants(world);
    // Now and then: restock, refill the cart, and let new rows join the id pools.
    runs += 1;
    if (runs % 10 === 0) await world.prepare();
  });
  await checkProperty(property, { numRuns: FUZZ_RUNS * 2 });
});
