import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// The layering of src/, checked on its import statements, so a new import against the
// direction of the dependencies fails here rather than in a review:
//   routes (HTTP) → use cases → services → repositories → db; everything may use shared.
//   Between modules, services point one way: orders → cart → products; orders → addresses,
//   shipping and tax (what an order is priced with); cart, orders, addresses and auth →
//   customers. Orders, customers and auth record events; webhooks read them. An effect against that direction (a deleted product leaving
//   every cart) is a use case (src/use-cases/).

const SRC = resolve(import.meta.dirname, '../../src');

/** What each module's non-HTTP files may import from other modules. */
const MODULE_DEPENDENCIES: Record<string, string[]> = {
  customers: ['events'],
  products: [],
  events: [],
  webhooks: ['events'],
  health: [],
  auth: ['customers', 'events'],
  addresses: ['customers'],
  cart: ['customers', 'products'],
  orders: ['addresses', 'cart', 'customers', 'events', 'products', 'shipping', 'tax'],
  shipping: ['addresses'],
  tax: ['addresses'],
  payments: ['events', 'orders'],
  reports: ['orders', 'products'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** Every file of src/ (relative, like "modules/cart/cart.service.ts") and the src/ files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/^(?:import|export)[^'"]*?from '(\.[^']+)'/gm)].map((match) =>
      relative(SRC, resolve(dirname(file), match[1]!)).replace(/\.js$/, '.ts'),
    );
    graph.set(relative(SRC, file), imports);
  }
  return graph;
}

const layerOf = (file: string) => file.split('/')[0]!;
const moduleOf = (file: string) => (file.startsWith('modules/') ? file.split('/')[1] : undefined);
const isRoutes = (file: string) => file.endsWith('.routes.ts');

test('when src/ is read import by import, then every dependency points the way the layering says', () => {
  const wrong: string[] = [];
  for (const [file, imports] of importGraph()) {
    for (const target of imports) {
      const arrow = `${file} → ${target}`;
      const from = layerOf(file);
      const to = layerOf(target);
      if (['shared', 'db'].includes(from) && ['modules', 'plugins', 'use-cases'].includes(to)) wrong.push(`${arrow}: ${from} is below ${to}`);
      if (from === 'shared' && to === 'db') wrong.push(`${arrow}: shared is below db`);
      if (from === 'plugins' && ['modules', 'use-cases'].includes(to)) wrong.push(`${arrow}: a plugin gets what it needs from the app, not from a domain module`);
      if (from === 'use-cases' && to === 'modules' && !/\.service\.ts$/.test(target)) wrong.push(`${arrow}: a use case talks to services only`);
      if (from === 'modules' && to === 'use-cases' && !isRoutes(file)) wrong.push(`${arrow}: only routes may call a use case`);
      const source = moduleOf(file);
      const destination = moduleOf(target);
      if (source && destination && source !== destination && !isRoutes(file)) {
        if (!MODULE_DEPENDENCIES[source]?.includes(destination)) wrong.push(`${arrow}: ${source} may not depend on ${destination}`);
        if (!/\.(service|schemas)\.ts$/.test(target)) wrong.push(`${arrow}: modules talk to each other through services (and share schemas)`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('when src/ is read import by import, then no file reaches itself again through its imports', () => {
  const graph = importGraph();
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('when a domain service is read, then it never asks which database it runs on', () => {
  const branching = sourceFiles(join(SRC, 'modules'))
    .filter((file) => file.endsWith('.service.ts'))
    .filter((file) => /isPostgres|engineOf\(|forEngine\(|PostgresAdapter|SqliteAdapter/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SRC, file));
  assert.deepEqual(branching, [], 'what differs between the databases lives behind the engine (src/db/engine.ts)');
});
