import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { adminToken, buildTestApp, call, createProduct, registerCustomer } from '../helpers/app.js';

/** Someone who calls the API: its customer id and a token. */
export interface Caller {
  id: number;
  token: string;
}

export interface Product {
  id: number;
  product_name: string;
  price: number;
  stock: number | null;
}

/**
 * A fresh shop for one test: an admin, a customer (Ann), a tracked Mug (19.99, stock 10)
 * and an untracked Pen (0.10), and the cart calls every test makes. A test that needs a
 * second customer registers it with newCustomer() (a password hash costs time).
 */
export async function openShop(t: TestContext) {
  const app = await buildTestApp(t);
  const adminTokenValue = await adminToken(app);
  const me = await call(app, 'GET', '/customers/me', { token: adminTokenValue });
  assert.equal(me.status, 200);
  const admin: Caller = { id: me.body.id, token: adminTokenValue };

  /** Every customer registered here, so state checks can read all their carts. */
  const customers: Caller[] = [];
  const newCustomer = async (): Promise<Caller> => {
    const registered = await registerCustomer(app);
    const customer = { id: registered.customer.id, token: registered.token };
    customers.push(customer);
    return customer;
  };
  const ann = await newCustomer();

  const product = (fields: Record<string, unknown> = {}): Promise<Product> => createProduct(app, admin.token, fields);
  const mug = await product({ product_name: 'Mug', price: 19.99, stock: 10 });
  const pen = await product({ product_name: 'Pen', price: 0.1 });

  const add = (who: Caller, productId: number, quantity: unknown, customerId = who.id) =>
    call(app, 'POST', '/cart/add', { token: who.token, body: { customer_id: customerId, product_id: productId, quantity } });

  /** Adds each [product, quantity] and insists it works: the setup of a test, not what it checks. */
  const fill = async (who: Caller, lines: [Product, number][], customerId = who.id) => {
    for (const [item, quantity] of lines) {
      const response = await add(who, item.id, quantity, customerId);
      assert.equal(response.status, 200, `setup: adding ${quantity} x ${item.product_name}: ${JSON.stringify(response.body)}`);
    }
  };

  const remove = (who: Caller, productId: number, quantity?: unknown, customerId = who.id) =>
    call(app, 'POST', '/cart/remove', {
      token: who.token,
      body: { customer_id: customerId, product_id: productId, ...(quantity === undefined ? {} : { quantity }) },
    });

  const getCart = (who: Caller, customerId = who.id) => call(app, 'GET', `/cart/${customerId}`, { token: who.token });
  const clearCart = (who: Caller, customerId = who.id) => call(app, 'DELETE', `/cart/${customerId}`, { token: who.token });

  /** The cart as an admin reads it, for checking state after the call under test. */
  const cartOf = async (customerId: number) => {
    const response = await call(app, 'GET', `/cart/${customerId}`, { token: admin.token });
    assert.equal(response.status, 200, `reading cart ${customerId}: ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const productOf = async (id: number) => {
    const response = await call(app, 'GET', `/products/${id}`);
    assert.equal(response.status, 200, `reading product ${id}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const stockOf = async (id: number): Promise<number | null> => (await productOf(id)).stock;

  const updateProduct = async (id: number, fields: Record<string, unknown>) => {
    const response = await call(app, 'PUT', `/products/${id}`, { token: admin.token, body: fields });
    assert.equal(response.status, 200, `updating product ${id}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const deleteProduct = async (id: number) => {
    const response = await call(app, 'DELETE', `/products/${id}`, { token: admin.token });
    assert.equal(response.status, 200, `deleting product ${id}: ${JSON.stringify(response.body)}`);
  };

  /** Cart lines straight from the table, for customers the API no longer answers for (deleted ones). */
  const cartRows = () =>
    app.db
      .selectFrom('cart_items')
      .select(['customer_id', 'product_id', 'quantity'])
      .orderBy('customer_id')
      .orderBy('product_id')
      .execute();

  return {
    app,
    admin,
    ann,
    customers,
    mug,
    pen,
    newCustomer,
    product,
    add,
    fill,
    remove,
    getCart,
    clearCart,
    cartOf,
    productOf,
    stockOf,
    updateProduct,
    deleteProduct,
    cartRows,
  };
}

/** A cart line as the API shows it. */
export function line(item: Product, quantity: number, lineTotal: number, price = item.price) {
  return { product_id: item.id, product_name: item.product_name, price, quantity, line_total: lineTotal };
}

