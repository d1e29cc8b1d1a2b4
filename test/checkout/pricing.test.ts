import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priceOrder, taxIn } from '../../src/modules/orders/pricing.js';

// The pricing module on its own: the rounding rule at its edges, which the golden tables
// (through the API) do not all reach.

test('when a tax falls exactly on half a cent, then it rounds away from zero, with prices excluding and including tax', () => {
  assert.equal(taxIn(2, 25_000, false), 1, '25 % of 2 cents is 0.5');
  assert.equal(taxIn(6, 25_000, false), 2, '25 % of 6 cents is 1.5');
  assert.equal(taxIn(3, 100_000, true), 1, '3 cents at 100 % hold 3 − round(1.5) = 1');
  assert.equal(taxIn(1, 49_999, false), 0, 'just under half');
  assert.equal(taxIn(105, 5_000, true), 5, 'an exact inclusive split');
});

test('when amounts are at the top of the range, then the arithmetic is exact (no float on the way)', () => {
  const line = 9_999_999_999 * 1000; // 99,999,999.99 × 1,000 units, in cents
  assert.equal(taxIn(line, 8_875, false), 887_499_999_911);
  assert.equal(taxIn(line, 100_000, true), 4_999_999_999_500);
});

test('when an order is priced, then tax_total is the line taxes plus the shipping tax, and the total follows PRICES_INCLUDE_TAX', () => {
  const lines = [
    { product_id: 1, product_name: 'A', unit_price_cents: 5, quantity: 7 },
    { product_id: 2, product_name: 'B', unit_price_cents: 1999, quantity: 3 },
  ];
  const shipping = { rateId: 1, name: 'Standard', priceCents: 499 };
  const tax = { name: 'VAT', rateThousandths: 7_250, appliesToShipping: true };

  const excluded = priceOrder({ lines, shipping, tax, pricesIncludeTax: false });
  assert.deepEqual(excluded.lines.map((line) => line.tax_cents), [3, 435]);
  assert.deepEqual([excluded.subtotalCents, excluded.shippingTaxCents, excluded.taxTotalCents, excluded.totalCents], [6032, 36, 474, 7005]);

  const included = priceOrder({ lines, shipping, tax: { ...tax, appliesToShipping: false }, pricesIncludeTax: true });
  assert.deepEqual([included.shippingTaxCents, included.taxTotalCents, included.totalCents], [0, 2 + 405, 6531]);
});
