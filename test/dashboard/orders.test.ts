import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN, TEST_SECRET, adminToken, call, createProduct, login, registerCustomer } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { decodeJwt, signJwt } from '../helpers/tokens.js';
import { SCREENSHOTS, type Shop, apiGet, assertAccessible, dashboardSuite, open, screenshot, signedIn } from './browser.js';

// An order placed through the API is moved along from the dashboard, and the API then answers
// that state; and every kind of failure (network, 5xx, 409, 403, an expired token) gives a
// clear message and a way on, never a blank page.

dashboardSuite('the dashboard: orders, payments and failures', (dashboard) => {
  /** A customer's order of `quantity` mugs, placed through the API. */
  async function placedOrder(shop: Shop, quantity = 2) {
    const admin = await adminToken(shop.app);
    const mug = await createProduct(shop.app, admin, { product_name: 'Mug', price: 12.5, stock: 50 });
    const { customer, token } = await registerCustomer(shop.app);
    const placed = await call(shop.app, 'POST', '/orders', { token, body: { customer_id: customer.id, items: [{ product_id: mug.id, quantity }] } });
    assert.equal(placed.status, 201);
    return { ...(placed.body as { id: number; total: number; email: string }), buyer: token };
  }

  async function orderStatus(shop: Shop, id: number) {
    return (await apiGet(shop, `/orders/track/${id}`)).body as { status: string; tracking_number: string | null };
  }

  /** Signs in with the keyboard only: type, Tab, type, Enter. */
  async function signInByKeyboard(page: Page) {
    await page.getByLabel('Username').focus();
    await page.keyboard.type(ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
  }

  test('when an order placed through the API is marked paid, shipped with a tracking number and delivered from the dashboard, then the API answers each state', async () => {
    const order = await placedOrder(dashboard.shop);
    const page = await dashboard.newPage();
    await signInByKeyboard(page);

    // From navigation to the orders list on screen, on loopback.
    const started = Date.now();
    await page.goto(`${dashboard.shop.origin}/admin/#/orders`);
    await page.getByRole('link', { name: `Order #${order.id}` }).waitFor();
    const toOrdersList = Date.now() - started;
    writeFileSync(join(SCREENSHOTS, `timing-${onPostgres ? 'postgresql' : 'sqlite'}.json`), JSON.stringify({ navigation_to_orders_list_ms: toOrdersList }));
    console.log(`navigation to the orders list: ${toOrdersList} ms`);
    await page.getByRole('row', { name: new RegExp(`Order #${order.id}`) }).getByText('$25.00').waitFor();
    await assertAccessible(page, 'orders list');
    await screenshot(page, 'orders');

    // The filters page on the server: a search by the order's email finds it, status shipped does not.
    await page.getByLabel('Search (order number or email)').fill(order.email);
    await page.getByLabel('Status').selectOption('shipped');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No order matches these filters.').waitFor();
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name: `Order #${order.id}` }).click();

    await page.getByRole('heading', { level: 1, name: `Order #${order.id}` }).waitFor();
    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page.getByText(`Order #${order.id} is now paid.`).waitFor();
    assert.equal((await orderStatus(dashboard.shop, order.id)).status, 'paid');

    await page.getByLabel('Tracking number').fill('1Z999AA10123456784');
    await page.getByRole('button', { name: 'Ship' }).click();
    await page.getByText(`Order #${order.id} is now shipped.`).waitFor();
    const shipped = await orderStatus(dashboard.shop, order.id);
    assert.deepEqual([shipped.status, shipped.tracking_number], ['shipped', '1Z999AA10123456784']);

    await page.getByRole('button', { name: 'Mark delivered' }).click();
    await page.getByText(`Order #${order.id} is now delivered.`).waitFor();
    const delivered = await orderStatus(dashboard.shop, order.id);
    assert.equal(delivered.status, 'delivered');
    await page.getByText('Tracking number: 1Z999AA10123456784').waitFor();
    await page.getByRole('listitem').filter({ hasText: 'delivered' }).first().waitFor();
    await assertAccessible(page, 'delivered order');
    await screenshot(page, 'order-delivered');
    await dashboard.closePage(page);
  });

  test('when a paid order is refunded in part and then cancelled with a refund from the dashboard, and a pending payment captured, then the API answers each', async () => {
    const order = await placedOrder(dashboard.shop, 2); // 2 × 12.50
    const page = await dashboard.newPage();
    await signedIn(page);
    await page.goto(`${dashboard.shop.origin}/admin/#/orders/${order.id}`);
    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page.getByText(`Order #${order.id} is now paid.`).waitFor();
    const payments = page.getByRole('region', { name: 'Payments' });
    await payments.getByText(/Payment \d+ \(manual\): captured/).waitFor();

    const refund = payments.getByRole('form', { name: /Refund payment/ });
    await refund.getByLabel('Refund amount').fill('5');
    await refund.getByLabel('Reason').fill('Chipped handle');
    await refund.getByRole('button', { name: 'Refund' }).click();
    await payments.getByRole('row', { name: /Chipped handle/ }).waitFor();
    const [payment] = (await apiGet(dashboard.shop, `/orders/${order.id}/payments`)).body;
    assert.deepEqual(payment.refunds.map((r: { amount: number; reason: string }) => [r.amount, r.reason]), [[5, 'Chipped handle']]);
    let state = (await apiGet(dashboard.shop, `/orders/${order.id}`)).body;
    assert.deepEqual([state.status, state.payment_status, state.amount_paid, state.amount_refunded], ['paid', 'partially_refunded', 25, 5]);
    await assertAccessible(page, 'order with a refund');
    await screenshot(page, 'refund');

    // The list finds it by its payment status.
    await page.goto(`${dashboard.shop.origin}/admin/#/orders?payment_status=partially_refunded`);
    await page.getByRole('link', { name: `Order #${order.id}` }).click();
    await page.getByRole('button', { name: 'Cancel and refund $20.00' }).click();
    await page.getByText(`Order #${order.id} is now cancelled; its stock is back, $25.00 refunded.`).waitFor();
    state = (await apiGet(dashboard.shop, `/orders/${order.id}`)).body;
    assert.deepEqual([state.status, state.payment_status, state.amount_refunded], ['cancelled', 'refunded', 25]);

    // A payment the customer opened (manual: the money is to arrive) is captured from the dashboard.
    const second = await placedOrder(dashboard.shop, 1);
    const opened = await call(dashboard.shop.app, 'POST', `/orders/${second.id}/payments`, { token: second.buyer, body: { provider: 'manual' } });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    await page.goto(`${dashboard.shop.origin}/admin/#/orders/${second.id}`);
    await page.getByRole('button', { name: `Capture payment ${opened.body.id}` }).click();
    await page.getByText('Captured $12.50.').waitFor();
    const captured = (await apiGet(dashboard.shop, `/orders/${second.id}/payments`)).body[0];
    assert.deepEqual([captured.status, captured.amount_captured], ['captured', 12.5]);
    assert.equal((await apiGet(dashboard.shop, `/orders/${second.id}`)).body.status, 'paid', 'captured in full, the order is paid by itself');
    await page.getByText(/Status: paid/).waitFor();
    await dashboard.closePage(page);
  });

  test('when a request fails on the network, with a 500, a 409 or a 403, then the dashboard says so with a way on, and never shows a blank page', async () => {
    const order = await placedOrder(dashboard.shop, 1);
    const page = await dashboard.newPage();
    await signedIn(page);

    // The network (or a server restarting): the list says so and offers to try again.
    await page.route('**/orders/p?*', (route) => route.abort('connectionrefused'));
    await open(page, 'Orders');
    await page.getByRole('alert').getByText(/could not be reached/).waitFor();
    await page.unroute('**/orders/p?*');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('link', { name: `Order #${order.id}` }).waitFor();

    // A 500 without a problem body.
    await page.route('**/orders/p?*', (route) => route.fulfill({ status: 500, contentType: 'text/plain', body: 'upstream exploded' }));
    await page.getByLabel('Status').selectOption('paid');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').getByText(/answered 500/).waitFor();
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await page.unroute('**/orders/p?*');

    // A 409: the order was cancelled elsewhere while this screen still offers to mark it paid.
    await page.goto(`${dashboard.shop.origin}/admin/#/orders/${order.id}`);
    await page.getByRole('button', { name: 'Mark paid' }).waitFor();
    assert.equal((await call(dashboard.shop.app, 'POST', `/orders/${order.id}/cancel`, { token: await adminToken(dashboard.shop.app) })).status, 200);
    await page.getByRole('button', { name: 'Mark paid' }).click();
    const conflict = page.getByRole('alert');
    await conflict.getByText('Error 409').waitFor();
    await conflict.getByText('Reload to see the current state').waitFor();
    assert.equal((await orderStatus(dashboard.shop, order.id)).status, 'cancelled', 'nothing changed');
    await assertAccessible(page, 'a 409 answer');
    await screenshot(page, 'conflict');

    // A 403: this admin became a customer in another tab; then its token is refused altogether.
    const second = await call(dashboard.shop.app, 'POST', '/customers', {
      token: await adminToken(dashboard.shop.app),
      body: { customer_name: 'Second Admin', email: 'second@example.com', phone: '1', username: 'second', password: 'second-password', role_id: 1 },
    });
    const other = await dashboard.newPage();
    await other.getByLabel('Username').fill('second');
    await other.getByLabel('Password').fill('second-password');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    assert.equal((await call(dashboard.shop.app, 'PUT', `/customers/${second.body.id}`, { token: await adminToken(dashboard.shop.app), body: { role_id: 2 } })).status, 200);
    await open(other, 'Customers');
    await other.getByRole('alert').getByText('Error 403').waitFor();
    await other.getByRole('button', { name: 'Try again' }).waitFor();
    await dashboard.closePage(other);
    await dashboard.closePage(page);
  });

  test('when the token has expired, then the dashboard returns to sign-in and says why; on a phone-sized screen it still reads well', async () => {
    const page = await dashboard.newPage();
    const { payload } = decodeJwt(await login(dashboard.shop.app, ADMIN.username, ADMIN.password));
    const expired = signJwt({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET);
    await page.evaluate(`sessionStorage.setItem('shop-admin-token', ${JSON.stringify(expired)})`);
    await page.reload();
    await page.getByText('Your session has ended').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate("sessionStorage.getItem('shop-admin-token')"), null);

    await page.setViewportSize({ width: 390, height: 844 });
    await signedIn(page);
    await open(page, 'Orders');
    await page.getByRole('table').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0, 'the page itself does not scroll sideways (wide tables scroll in their own box)');
    await assertAccessible(page, 'orders on a phone');
    await screenshot(page, 'orders-phone');
    await dashboard.closePage(page);
  });
});
