import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { ADMIN, adminToken, buildTestApp, call, createProduct } from '../helpers/app.js';
import type { FieldHint, JsonSchema } from './schema-arbitraries.js';

/** Who sends a request: every route is fuzzed from all three. */
export const ACTORS = ['admin', 'customer', 'anonymous'] as const;
export type ActorName = (typeof ACTORS)[number];

/** Stands for the id of whoever sends the request (the customer's, for an anonymous one). */
export const SELF = Object.freeze({ self: 'the id of the sender' });

/** Resources whose ids the shop keeps in pools, named like the first segment of their routes (addresses: the one after a customer). */
type Resource = 'customers' | 'products' | 'orders' | 'addresses' | 'shipping-rates' | 'tax-rates';
const RESOURCES: readonly Resource[] = ['customers', 'products', 'orders', 'addresses', 'shipping-rates', 'tax-rates'];

const PASSWORD = 'fuzz-password-1';
/** A few keys shared by all generated requests, so replays and key reuse with another body happen. */
const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3'];

interface Account {
  id: number;
  token: string;
}

/**
 * One shop that a fuzz test file sends all its requests to: an admin, a customer and a few
 * bystanders, products with and without stock, a cart and orders in several states. It
 * keeps the ids that exist, so generated requests mostly name real things and get past
 * the 404s to the handlers' own rules.
 */
export class World {
  /** Ids seen, oldest first; generated requests read them live, so new rows join as they appear. */
  private readonly ids: Record<Resource, number[]> = { customers: [], products: [], orders: [], addresses: [], 'shipping-rates': [], 'tax-rates': [] };
  private readonly usernames: string[] = [ADMIN.username];
  /** Guest carts' ids (a string id, kept apart from the numbered pools), oldest first. */
  private readonly guestCartIds: string[] = [];
  private actorsMade = 0;

  private constructor(
    readonly app: FastifyInstance,
    readonly admin: Account,
    private customer: Account,
  ) {}

  /** Opens the shop on a fresh database (dropped when the test ends) and fills it. */
  static async open(t: TestContext): Promise<World> {
    // Throttles are per address and every injected request comes from 127.0.0.1.
    const app = await buildTestApp(t, {
      loginMaxFailures: 1_000_000,
      loginMaxFailuresPerAddress: 1_000_000,
      registerMaxPerAddress: 1_000_000,
      guestCartsMaxPerAddress: 1_000_000,
    });
    const token = await adminToken(app);
    const me = await call(app, 'GET', '/customers/me', { token });
    const admin = { id: me.body.id as number, token };
    const world = new World(app, admin, admin);
    world.customer = await world.newCustomer();
    await world.seed();
    return world;
  }

  async document(): Promise<Record<string, any>> {
    const response = await call(this.app, 'GET', '/openapi.json');
    assert.equal(response.status, 200);
    return response.body;
  }

  tokenFor(actor: ActorName): string | undefined {
    if (actor === 'admin') return this.admin.token;
    return actor === 'customer' ? this.customer.token : undefined;
  }

  /** The customer id SELF stands for when `actor` sends the request. */
  idOf(actor: ActorName): number {
    return actor === 'admin' ? this.admin.id : this.customer.id;
  }

  /** Replaces SELF with the sender's id, anywhere in a value. */
  resolve(value: unknown, actor: ActorName): unknown {
    if (value === SELF) return this.idOf(actor);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, actor));
    if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        Object.defineProperty(copy, key, { value: this.resolve(item, actor), enumerable: true, writable: true, configurable: true });
      }
      return copy;
    }
    return value;
  }

  /**
   * Whether a request could leave the shop without the admin the fuzzer checks invariants
   * with: deleting it, changing its password (which ends its token) or its role. Such
   * requests are skipped; the rest of the customer routes are fuzzed as they are.
   */
  wouldLockOutAdmin(method: string, url: string, body: unknown): boolean {
    const segment = /^\/customers\/([^/?]+)(\?|$)/.exec(url)?.[1];
    let id: string;
    try {
      id = decodeURIComponent(segment ?? '');
    } catch {
      return false;
    }
    // "1", "01" and "%31" all name customer 1.
    if (!/^\d+$/.test(id) || Number(id) !== this.admin.id) return false;
    if (method === 'DELETE') return true;
    if (method !== 'PUT') return false;
    return typeof body !== 'object' || body === null || 'password' in body || 'role_id' in body;
  }

  /**
   * Steers fields by name: `id` in a route's path or `<resource>_id` anywhere is drawn
   * mostly from ids that exist (a customer id often the sender's own), usernames and
   * passwords from real accounts, idempotency keys from a few shared ones.
   */
  hintFor(routePath: string): FieldHint {
    const pathResource = routePath.split('/')[1];
    return (name: string, schema: JsonSchema) => {
      if (schema.type === 'integer' && (name === 'id' || name.endsWith('_id'))) {
        const resource = name === 'id' ? pathResource : name === 'address_id' ? 'addresses' : `${name.slice(0, -'_id'.length)}s`;
        const ids = this.idArbitrary(resource);
        // Mostly ids that exist, so requests get past the 404s.
        return ids && { weight: 3, arbitrary: ids };
      }
      if (name === 'cart_id' && schema.type === 'string' && this.guestCartIds.length > 0) {
        const cartIds = fc.nat({ max: 1_000_000 }).map((n) => this.guestCartIds[n % this.guestCartIds.length]!);
        return { weight: 3, arbitrary: cartIds };
      }
      if (name === 'username') {
        return { weight: 1, arbitrary: fc.nat({ max: 1_000_000 }).map((n) => this.usernames[n % this.usernames.length]!) };
      }
      if (name === 'password') return { weight: 1, arbitrary: fc.constantFrom(PASSWORD, ADMIN.password) };
      if (name.toLowerCase() === 'idempotency-key') return { weight: 1, arbitrary: fc.constantFrom(...IDEMPOTENCY_KEYS) };
      return undefined;
    };
  }

  private idArbitrary(resource: string | undefined): fc.Arbitrary<unknown> | undefined {
    if (!RESOURCES.includes(resource as Resource)) return undefined;
    const ids = this.ids[resource as Resource];
    if (ids.length === 0) return undefined;
    const existing = fc.nat({ max: 1_000_000 }).map((n) => ids[n % ids.length]!);
    // Around the newest id: rows made a moment ago, or 404s.
    const nearby = fc.integer({ min: -3, max: 5 }).map((offset) => Math.max(1, Math.max(...ids) + offset));
    if (resource !== 'customers') return fc.oneof({ weight: 4, arbitrary: existing }, { weight: 1, arbitrary: nearby });
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(SELF) },
      { weight: 3, arbitrary: existing },
      { weight: 1, arbitrary: nearby },
    );
  }

  /**
   * Before each property: the actors work, the catalogue has products in stock, the
   * customer's cart is not empty, and the id pools know what the last property made.
   */
  async prepare(): Promise<void> {
    await this.ensureActors();
    await this.restock();
    await this.ensureGuestCart();
    const cart = await call(this.app, 'GET', `/cart/${this.customer.id}`, { token: this.customer.token });
    if (cart.status === 200 && cart.body.items.length === 0) {
      const product = await this.product({ price: 2.5 });
      await call(this.app, 'POST', '/cart/add', {
        token: this.customer.token,
        body: { customer_id: this.customer.id, product_id: product.id, quantity: 2 },
      });
    }
    await this.refreshIds();
  }

  /**
   * After a write that succeeded: a generated request may have deleted the customer,
   * changed its password or made it an admin; then a new customer takes its place. The
   * admin is never changed (wouldLockOutAdmin), but its token expires in a long run.
   */
  async ensureActors(): Promise<void> {
    let admin = await call(this.app, 'GET', '/customers/me', { token: this.admin.token });
    if (admin.status === 401) {
      this.admin.token = await adminToken(this.app);
      admin = await call(this.app, 'GET', '/customers/me', { token: this.admin.token });
    }
    assert.ok(admin.status === 200 && admin.body.role_id === 1, `the admin the fuzzer checks with was locked out: ${admin.status}`);
    const customer = await call(this.app, 'GET', '/customers/me', { token: this.customer.token });
    if (customer.status !== 200 || customer.body.role_id !== 2) this.customer = await this.newCustomer();
  }

  private async newCustomer(): Promise<Account> {
    // Generated requests register usernames too; take the next free one.
    for (;;) {
      this.actorsMade += 1;
      const username = `fuzz.actor.${this.actorsMade}`;
      const response = await call(this.app, 'POST', '/customers/register', {
        body: { customer_name: `Fuzz Actor ${this.actorsMade}`, email: `${username}@example.com`, username, password: PASSWORD },
      });
      if (response.status === 409) continue;
      if (response.status === 429) {
        // Generated requests running at the same time hold every password check this client
        // may run at once (MAX_PASSWORD_CHECKS_PER_CLIENT): wait for them, then the same name again.
        this.actorsMade -= 1;
        await delay(20);
        continue;
      }
      assert.equal(response.status, 201, `registering ${username}: ${JSON.stringify(response.body)}`);
      this.rememberUsername(username);
      this.remember('customers', response.body.id);
      return { id: response.body.id, token: await this.loginWhenChecksFree(username) };
    }
  }

  private async loginWhenChecksFree(username: string): Promise<string> {
    for (;;) {
      const response = await call(this.app, 'POST', '/customers/login', { body: { username, password: PASSWORD } });
      if (response.status !== 429) {
        assert.equal(response.status, 200, `logging in ${username}: ${JSON.stringify(response.body)}`);
        return response.body.auth_token;
      }
      await delay(20);
    }
  }

  private product(fields: Record<string, unknown>): Promise<{ id: number }> {
    return createProduct(this.app, this.admin.token, fields);
  }

  /** Bystanders, products of every kind, a cart and orders in several states. */
  private async seed(): Promise<void> {
    const bystanders = [await this.newCustomer(), await this.newCustomer()];
    const tracked = [
      await this.product({ price: 19.99, stock: 10 }),
      await this.product({ price: 0.1, stock: 3 }),
      await this.product({ price: 0.01, stock: 1 }),
      await this.product({ price: 5, stock: 0 }),
      await this.product({ price: 1.15, stock: 1000 }),
    ];
    const untracked = [await this.product({ price: 0.3 }), await this.product({ price: 99_999_999.99 })];
    const gone = await this.product({ price: 7, stock: 5 });
    await call(this.app, 'DELETE', `/products/${gone.id}`, { token: this.admin.token });

    const place = async (who: Account, items: { product_id: number; quantity: number }[]) => {
      const response = await call(this.app, 'POST', '/orders', { token: who.token, body: { customer_id: who.id, items } });
      assert.equal(response.status, 201, `seeding an order: ${JSON.stringify(response.body)}`);
      return response.body.id as number;
    };
    const setStatus = (orderId: number, status: string) =>
      call(this.app, 'POST', `/orders/${orderId}/status`, { token: this.admin.token, body: { status } });
    const [mug, pen, , , bolt] = tracked as [{ id: number }, { id: number }, unknown, unknown, { id: number }];
    await place(this.customer, [{ product_id: mug.id, quantity: 2 }, { product_id: untracked[0]!.id, quantity: 3 }]);
    await setStatus(await place(this.customer, [{ product_id: pen.id, quantity: 1 }]), 'paid');
    await setStatus(await place(bystanders[0]!, [{ product_id: bolt.id, quantity: 7 }]), 'cancelled');
    const shipped = await place(bystanders[1]!, [{ product_id: untracked[1]!.id, quantity: 1 }]);
    await setStatus(shipped, 'paid');
    await setStatus(shipped, 'shipped');
    await call(this.app, 'POST', '/cart/add', {
      token: this.customer.token,
      body: { customer_id: this.customer.id, product_id: mug.id, quantity: 1 },
    });
    for (const who of [this.customer, bystanders[0]!]) {
      const address = await call(this.app, 'POST', `/customers/${who.id}/addresses`, {
        token: who.token,
        body: { first_name: 'Fuzz', last_name: 'Actor', line1: '1 Main Street', city: 'Springfield', country_code: 'US', is_default: true },
      });
      assert.equal(address.status, 201, `seeding an address: ${JSON.stringify(address.body)}`);
    }
    // An inactive shipping rate (an active one would change how the orders above are placed) and a tax rate.
    const rates = [
      await call(this.app, 'POST', '/shipping-rates', { token: this.admin.token, body: { name: 'Fuzz parcel', price: 4.9, countries: ['US'], active: false } }),
      await call(this.app, 'POST', '/tax-rates', { token: this.admin.token, body: { name: 'Fuzz tax', country_code: 'US', region_code: 'CA', rate: 7.25 } }),
    ];
    for (const rate of rates) assert.equal(rate.status, 201, `seeding a rate: ${JSON.stringify(rate.body)}`);
    await this.refreshIds();
  }

  /** A live guest cart with a line in it, its id in the pool: a checkout ends one, and generated requests empty them. */
  private async ensureGuestCart(): Promise<void> {
    const newest = this.guestCartIds.at(-1);
    if (newest !== undefined) {
      const cart = await call(this.app, 'GET', `/carts/${newest}`);
      if (cart.status === 200 && cart.body.items.length > 0) return;
    }
    const created = await call(this.app, 'POST', '/carts');
    assert.equal(created.status, 201, `seeding a guest cart: ${JSON.stringify(created.body)}`);
    const product = await this.product({ price: 1.5 });
    const added = await call(this.app, 'POST', `/carts/${created.body.cart_id}/add`, { body: { product_id: product.id, quantity: 2 } });
    assert.equal(added.status, 200, `filling a guest cart: ${JSON.stringify(added.body)}`);
    this.guestCartIds.push(created.body.cart_id);
  }

  /** Deleted products and drained stock make every order a 404 or a 409; put some back. */
  private async restock(): Promise<void> {
    const products = await call(this.app, 'GET', '/products');
    const inStock = (products.body as { stock: number | null }[]).filter((p) => p.stock === null || p.stock > 0);
    for (let missing = 4 - inStock.length; missing > 0; missing -= 1) {
      await this.product({ price: missing * 1.25, stock: missing === 1 ? null : missing * 4 });
    }
  }

  /** Adds every id the API shows to the pools (ids of deleted rows stay: they make good 404s). */
  async refreshIds(): Promise<void> {
    const customers = await call(this.app, 'GET', '/customers', { token: this.admin.token });
    for (const customer of customers.body) {
      this.remember('customers', customer.id);
      this.rememberUsername(customer.username);
    }
    const products = await call(this.app, 'GET', '/products');
    for (const product of products.body) this.remember('products', product.id);
    const orders = await call(this.app, 'GET', '/orders/p?per_page=100', { token: this.admin.token });
    for (const order of orders.body.items) this.remember('orders', order.id);
    for (const who of [this.admin, this.customer]) {
      const addresses = await call(this.app, 'GET', `/customers/${who.id}/addresses`, { token: this.admin.token });
      if (addresses.status === 200) for (const address of addresses.body) this.remember('addresses', address.id);
    }
    for (const resource of ['shipping-rates', 'tax-rates'] as const) {
      const rates = await call(this.app, 'GET', `/${resource}`, { token: this.admin.token });
      for (const rate of rates.body) this.remember(resource, rate.id);
    }
  }

  private rememberUsername(username: string): void {
    if (!this.usernames.includes(username)) this.usernames.push(username);
  }

  private remember(resource: Resource, id: number): void {
    if (!this.ids[resource].includes(id)) this.ids[resource].push(id);
  }
}
