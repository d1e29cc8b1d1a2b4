import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, registerCustomer } from '../helpers/app.js';
import { apiGet, assertAccessible, dashboardSuite, open, screenshot, signIn, signedIn, tokenInTab } from './browser.js';

// The admin signs in and out, a customer is refused, and the catalogue and the webhooks are
// managed from the dashboard; after each flow the API itself is asked what changed.

dashboardSuite('the dashboard: signing in, the catalogue, rates, customers, webhooks', (dashboard) => {
  test('when the admin signs in and then out, then the home screen shows the figures, and afterwards the token is refused by the API', async () => {
    const page = await dashboard.newPage();
    await assertAccessible(page, 'sign-in screen');
    await signedIn(page);
    await page.getByText('Waiting for payment').waitFor();
    const token = await tokenInTab(page);
    assert.ok(token, 'the token is kept in the tab');
    assert.equal((await call(dashboard.shop.app, 'GET', '/customers/me', { token })).status, 200);
    await assertAccessible(page, 'home screen');
    await screenshot(page, 'home');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    assert.equal(await tokenInTab(page), null);
    assert.equal((await call(dashboard.shop.app, 'GET', '/customers/me', { token })).status, 401, 'signing out ended the token');
    await dashboard.closePage(page);
  });

  test('when a customer signs in to the dashboard, then it is refused and keeps no token', async () => {
    const { customer, password } = await registerCustomer(dashboard.shop.app);
    const page = await dashboard.newPage();
    await signIn(page, customer.username, password);
    await page.getByRole('alert').getByText('only admins may use the dashboard').waitFor();
    assert.equal(await tokenInTab(page), null);
    assert.equal(await page.getByRole('navigation', { name: 'Screens' }).count(), 0, 'no screen of the dashboard is shown');
    await assertAccessible(page, 'refused sign-in');
    await screenshot(page, 'customer-refused');

    // A wrong password is the API's own 401, shown as it says it.
    await signIn(page, 'admin', 'not-the-password');
    await page.getByRole('alert').getByText('Error 401').waitFor();
    await dashboard.closePage(page);
  });

  test('when the admin creates a product with a bad price, then the error stands beside the price and nothing is created; then it is created, edited and deleted', async () => {
    const page = await dashboard.newPage();
    await signedIn(page);
    await open(page, 'Products');
    await page.getByRole('button', { name: 'New product' }).click();
    const form = page.getByRole('form', { name: 'New product' });
    await form.getByLabel('Name').fill('Desk lamp');
    await form.getByLabel('Price').fill('12.345');
    await form.getByLabel('Stock', { exact: true }).fill('7');
    await form.getByRole('button', { name: 'Create product' }).click();

    // The API's validation message, beside the field it is about, and tied to it for screen readers.
    const price = form.getByLabel('Price');
    await form.getByText('must be multiple of 0.01').first().waitFor();
    assert.equal(await price.getAttribute('aria-invalid'), 'true');
    const describedBy = (await price.getAttribute('aria-describedby')) ?? '';
    assert.match(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).innerText(), /multiple of 0\.01/);
    assert.equal((await apiGet(dashboard.shop, '/products/p?q=Desk')).body.total, 0, 'nothing was created');
    await assertAccessible(page, 'product form with a validation error');
    await screenshot(page, 'validation-error');

    await price.fill('12.50');
    await form.getByRole('button', { name: 'Create product' }).click();
    await page.getByText(/Created Desk lamp/).waitFor();
    const created = (await apiGet(dashboard.shop, '/products/p?q=Desk')).body.items;
    assert.equal(created.length, 1);
    assert.deepEqual([created[0].product_name, created[0].price, created[0].stock], ['Desk lamp', 12.5, 7]);
    const id = created[0].id;
    await page.getByRole('row', { name: /Desk lamp/ }).getByText(/\$12\.50/).waitFor();

    await page.getByRole('button', { name: 'Edit Desk lamp' }).click();
    const edit = page.getByRole('form', { name: 'Edit Desk lamp' });
    await edit.getByLabel('Price').fill('15');
    await edit.getByLabel('Description').fill('Brass, 40 cm');
    await edit.getByRole('button', { name: 'Save product' }).click();
    await page.getByText('Saved Desk lamp.').waitFor();
    const edited = (await apiGet(dashboard.shop, `/products/${id}`)).body;
    assert.deepEqual([edited.price, edited.description, edited.stock], [15, 'Brass, 40 cm', 7]);
    await assertAccessible(page, 'products list');
    await screenshot(page, 'products');

    await page.getByRole('button', { name: 'Delete Desk lamp' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText(/Desk lamp: Product deleted/).waitFor();
    assert.equal((await apiGet(dashboard.shop, `/products/${id}`)).status, 404, 'the product is gone');
    await dashboard.closePage(page);
  });

  test('when the admin creates a webhook endpoint, then its secret is shown once, and the API lists the endpoint without it', async () => {
    const page = await dashboard.newPage();
    await signedIn(page);
    await open(page, 'Webhooks');
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const form = page.getByRole('form', { name: 'New webhook endpoint' });
    await form.getByLabel('URL').fill('https://erp.example.com/hooks/shop');
    await form.getByLabel('Description').fill('ERP');
    await form.getByRole('button', { name: 'Create endpoint' }).click();

    const secretBox = page.getByRole('alert', { name: 'Signing secret' });
    const secret = await secretBox.locator('code').innerText();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = (await apiGet(dashboard.shop, '/webhook-endpoints')).body;
    assert.equal(listed.length, 1);
    assert.deepEqual([listed[0].url, listed[0].events, listed[0].description, 'secret' in listed[0]], ['https://erp.example.com/hooks/shop', ['*'], 'ERP', false]);
    await assertAccessible(page, 'webhook secret');
    await screenshot(page, 'webhook-secret');

    await secretBox.getByRole('button', { name: 'I have saved the secret' }).click();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page');
    await page.getByRole('link', { name: 'https://erp.example.com/hooks/shop' }).click();
    await page.getByRole('heading', { level: 1, name: `Webhook endpoint ${listed[0].id}` }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0, 'and it is never shown again');
    await page.getByRole('button', { name: 'Send a test ping' }).click();
    await page.getByText(/A ping is on its way/).waitFor();
    await page.getByRole('row', { name: /ping/ }).waitFor();
    const deliveries = (await apiGet(dashboard.shop, `/webhook-endpoints/${listed[0].id}/deliveries`)).body;
    assert.deepEqual(deliveries.items.map((d: { event_type: string }) => d.event_type), ['ping']);
    await assertAccessible(page, 'webhook endpoint');
    await dashboard.closePage(page);
  });

  test('when the admin adds shipping and tax rates and changes a customer\'s role from the dashboard, then the API answers the same', async () => {
    const { customer } = await registerCustomer(dashboard.shop.app, { customer_name: 'Rita Role' });
    const page = await dashboard.newPage();
    await signedIn(page);

    await open(page, 'Shipping rates');
    await page.getByRole('button', { name: 'New shipping rate' }).click();
    const shipping = page.getByRole('form', { name: 'New shipping rate' });
    await shipping.getByLabel('Name').fill('Standard');
    await shipping.getByLabel('Price').fill('4.99');
    await shipping.getByLabel('Countries').fill('DE, ZZ');
    await shipping.getByRole('button', { name: 'Create rate' }).click();
    const refused = shipping.locator('input[aria-invalid="true"]');
    await refused.waitFor();
    assert.equal(await refused.getAttribute('name'), 'countries', 'the unassigned country code is refused beside its field');
    assert.equal((await apiGet(dashboard.shop, '/shipping-rates')).body.length, 0, 'and nothing was created');
    await shipping.getByLabel('Countries').fill('DE, FR');
    await shipping.getByRole('button', { name: 'Create rate' }).click();
    await page.getByText('Created Standard.').waitFor();
    const rates = (await apiGet(dashboard.shop, '/shipping-rates')).body;
    assert.deepEqual(rates.map((r: { name: string; price: number; countries: string[] }) => [r.name, r.price, r.countries]), [['Standard', 4.99, ['DE', 'FR']]]);

    await open(page, 'Tax rates');
    await page.getByRole('button', { name: 'New tax rate' }).click();
    const tax = page.getByRole('form', { name: 'New tax rate' });
    await tax.getByLabel('Name').fill('Germany VAT');
    await tax.getByLabel('Country code').fill('DE');
    await tax.getByLabel('Rate (percent)').fill('19');
    await tax.getByRole('button', { name: 'Create rate' }).click();
    await page.getByText('Created Germany VAT.').waitFor();
    const taxes = (await apiGet(dashboard.shop, '/tax-rates')).body;
    assert.deepEqual(taxes.map((r: { name: string; country_code: string; rate: number }) => [r.name, r.country_code, r.rate]), [['Germany VAT', 'DE', 19]]);
    await assertAccessible(page, 'tax rates');

    await open(page, 'Customers');
    await page.getByLabel('Search (name, username or email)').fill('rita');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Rita Role' }).click();
    await page.getByRole('button', { name: 'Make admin' }).click();
    await page.getByText('Rita Role is now admin.').waitFor();
    assert.equal((await apiGet(dashboard.shop, `/customers/${customer.id}`)).body.role_id, 1);
    await page.getByRole('button', { name: 'Make customer' }).click();
    await page.getByText('Rita Role is now customer.').waitFor();
    assert.equal((await apiGet(dashboard.shop, `/customers/${customer.id}`)).body.role_id, 2);
    await assertAccessible(page, 'customer detail');
    await screenshot(page, 'customer');
    await dashboard.closePage(page);
  });
});
