import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BAVARIA, cents, moneyFieldsOf, openCheckoutShop } from './shop.js';

// Golden tables, worked out by hand (decimal arithmetic, half away from zero, once per line)
// for every price × quantity below, at four rates, with prices excluding and including tax.
// Lines run price by price, quantity by quantity: 0.01 × 1, 3, 7, 1,000; 19.99 × ...; the
// highest price × .... The highest line (99,999,999.99 × 1,000) times 8.875 % passes 2^53.

const PRICES = [0.01, 19.99, 99_999_999.99];
const QUANTITIES = [1, 3, 7, 1000];
const SHIPPING = 4.99;

const EXCLUSIVE: Record<string, { lines: number[]; shipping: number }> = {
  '19': { lines: [0, 1, 1, 190, 380, 1139, 2659, 379810, 1900000000, 5699999999, 13299999999, 1899999999810], shipping: 95 },
  '7.25': { lines: [0, 0, 1, 73, 145, 435, 1014, 144928, 725000000, 2175000000, 5074999999, 724999999928], shipping: 36 },
  '8.875': { lines: [0, 0, 1, 89, 177, 532, 1242, 177411, 887500000, 2662500000, 6212499999, 887499999911], shipping: 44 },
  '0': { lines: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], shipping: 0 },
};

const INCLUSIVE: Record<string, { lines: number[]; shipping: number }> = {
  '19': { lines: [0, 0, 1, 160, 319, 958, 2234, 319168, 1596638655, 4789915966, 11176470587, 1596638655303], shipping: 80 },
  '7.25': { lines: [0, 0, 0, 68, 135, 405, 946, 135131, 675990676, 2027972028, 4731934731, 675990675923], shipping: 34 },
  '8.875': { lines: [0, 0, 1, 82, 163, 489, 1141, 162949, 815154994, 2445464983, 5706084959, 815154994178], shipping: 41 },
  '0': { lines: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], shipping: 0 },
};

for (const pricesIncludeTax of [false, true]) {
  const golden = pricesIncludeTax ? INCLUSIVE : EXCLUSIVE;
  const mode = pricesIncludeTax ? 'include' : 'exclude';

  test(`when prices ${mode} tax, then every line's tax, the shipping tax and the totals match the golden table, and each quote equals its order`, async (t) => {
    const shop = await openCheckoutShop(t, { pricesIncludeTax });
    const products = await Promise.all(PRICES.map((price) => shop.product({ price })));
    const rate = await shop.shippingRate({ price: SHIPPING });
    const tax = await shop.taxRate({ country_code: 'DE', rate: 19 });

    for (const [percent, expected] of Object.entries(golden)) {
      for (const appliesToShipping of [true, false]) {
        await shop.updated(`/tax-rates/${tax.id}`, { rate: Number(percent), applies_to_shipping: appliesToShipping });
        let line = 0;
        for (const product of products) {
          for (const quantity of QUANTITIES) {
            const body = { items: [{ product_id: product.id, quantity }], shipping_address: BAVARIA, shipping_rate_id: rate.id };
            const where = `${percent} %, ${product.price} × ${quantity}, shipping taxed: ${appliesToShipping}`;
            const quote = await shop.quote(body);
            const placed = await shop.place(body);
            assert.equal(placed.status, 201, `${where}: ${JSON.stringify(placed.body)}`);
            const order = placed.body;

            const lineTotal = Math.round(product.price * 100) * quantity;
            const lineTax = expected.lines[line]!;
            const shippingTax = appliesToShipping ? expected.shipping : 0;
            assert.equal(cents(order.items[0].line_total), lineTotal, where);
            assert.equal(cents(order.items[0].tax), lineTax, where);
            assert.equal(cents(order.shipping.tax), shippingTax, where);
            assert.equal(cents(order.tax_total), lineTax + shippingTax, `${where}: line taxes plus shipping tax`);
            assert.equal(cents(order.subtotal), lineTotal, where);
            assert.equal(cents(order.shipping_total), cents(SHIPPING), where);
            const paid = lineTotal + cents(SHIPPING) + (pricesIncludeTax ? 0 : lineTax + shippingTax);
            assert.equal(cents(order.total), paid, where);
            assert.deepEqual(order.tax, { name: 'VAT', rate: Number(percent) }, where);
            assert.equal(order.prices_include_tax, pricesIncludeTax, where);

            assert.equal(quote.status, 200, where);
            assert.deepEqual(moneyFieldsOf(quote.body), moneyFieldsOf(order), `${where}: the quote is what was charged`);
            assert.deepEqual(quote.body.shipping_options, [{ id: rate.id, name: 'Standard', price: SHIPPING }], where);
            assert.deepEqual(await shop.orderOf(order.id), order, `${where}: read back as answered`);
            line += 1;
          }
        }
      }
    }
  });
}

test('when an order has several lines, then each line is rounded once and tax_total is their sum plus the shipping tax', async (t) => {
  const shop = await openCheckoutShop(t);
  // 0.05 at 7.25 % is 0.3625 cents a unit: per unit it would round to 0 each; per line of 7 it is 2.5375 → 3.
  const nickel = await shop.product({ price: 0.05 });
  const mug = await shop.product({ price: 19.99 });
  const rate = await shop.shippingRate({ price: 4.99 });
  await shop.taxRate({ country_code: 'DE', rate: 7.25 });

  const placed = await shop.place({
    items: [{ product_id: nickel.id, quantity: 7 }, { product_id: mug.id, quantity: 3 }],
    shipping_address: BAVARIA,
    shipping_rate_id: rate.id,
  });

  assert.equal(placed.status, 201);
  assert.deepEqual(placed.body.items.map((item: { tax: number }) => cents(item.tax)), [3, 435]);
  assert.equal(cents(placed.body.shipping.tax), 36);
  assert.equal(cents(placed.body.tax_total), 3 + 435 + 36);
  assert.equal(cents(placed.body.total), 35 + 5997 + 499 + 474);
});
