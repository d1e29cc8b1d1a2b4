// A demo shop, made through the public API (app.inject), so every rule holds as for any
// client: products with stock, shipping and tax rates, customers with addresses, and orders
// in every state, customers' and guests', a few delivered ones partly refunded. `npm run seed` (scripts/seed.ts) runs it.
import type { FastifyInstance } from 'fastify';

export interface ShopSizes {
  products: number;
  customers: number;
  orders: number;
}

const ORDER_STATES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
const NOUNS = ['Mug', 'Lamp', 'Notebook', 'Pen', 'Backpack', 'Scarf', 'Teapot', 'Candle', 'Poster', 'Bottle', 'Blanket', 'Plant pot'];
const ADJECTIVES = ['Blue', 'Brass', 'Linen', 'Oak', 'Stoneware', 'Recycled', 'Large', 'Travel', 'Classic', 'Organic'];
const FIRST = ['Ann', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Femi', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kai', 'Lena'];
const LAST = ['Lee', 'Okafor', 'Martin', 'Novak', 'Schmidt', 'García', 'Rossi', 'Kowalski', 'Dubois', 'Tanaka'];
const PLACES = [
  { city: 'Berlin', country_code: 'DE', postal_code: '10115' },
  { city: 'Los Angeles', country_code: 'US', region_code: 'CA', postal_code: '90012' },
  { city: 'Lyon', country_code: 'FR', postal_code: '69001' },
  { city: 'Austin', country_code: 'US', region_code: 'TX', postal_code: '73301' },
];

class SeedError extends Error {}

/** Small and repeatable: the n-th of anything is always the same. */
function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

export function demoShop(app: FastifyInstance, adminToken: string) {
  const headers = { authorization: `Bearer ${adminToken}` };
  async function send(method: 'GET' | 'POST' | 'PUT', url: string, body?: object) {
    const response = await app.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
    if (response.statusCode >= 400) throw new SeedError(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.json();
  }
  // A run on a shop that has data already adds to it: names carry this run's mark.
  const run = Date.now().toString(36);

  return {
    /** Every step the sizes ask for, in order; each call to the step does one API request or a few. */
    steps(sizes: ShopSizes): (() => Promise<void>)[] {
      const products: { id: number; ships: boolean }[] = [];
      const customers: { id: number; addressId: number }[] = [];
      let shippingRate = 0;
      const steps: (() => Promise<void>)[] = [];

      steps.push(async () => {
        shippingRate = (await send('POST', '/shipping-rates', { name: `Standard ${run}`, price: 4.99, countries: ['*'] })).id;
        await send('POST', '/shipping-rates', { name: `Free over 100 ${run}`, price: 0, countries: ['*'], min_subtotal: 100 });
      });
      steps.push(async () => {
        const taxes = (await send('GET', '/tax-rates')) as { country_code: string; region_code: string | null }[];
        const wanted = [
          { name: 'Germany VAT', country_code: 'DE', rate: 19 },
          { name: 'France VAT', country_code: 'FR', rate: 20 },
          { name: 'California', country_code: 'US', region_code: 'CA', rate: 7.25 },
        ];
        for (const tax of wanted) {
          if (!taxes.some((t) => t.country_code === tax.country_code && t.region_code === (tax.region_code ?? null))) await send('POST', '/tax-rates', tax);
        }
      });
      for (let i = 0; i < sizes.products; i += 1) {
        steps.push(async () => {
          // Every seventh is low on stock, every fifth untracked (never runs out).
          const stock = i % 5 === 4 ? null : i % 7 === 3 ? 2 + (i % 3) : 40 + ((i * 37) % 160);
          const price = Math.round((3 + ((i * 7919) % 9700) / 100) * 100) / 100;
          const product = await send('POST', '/products', {
            product_name: `${pick(ADJECTIVES, i)} ${pick(NOUNS, i * 5 + 1)} ${run}-${i + 1}`,
            price,
            description: `A demo product (${pick(ADJECTIVES, i + 3).toLowerCase()}).`,
            stock,
            requires_shipping: i % 11 !== 10,
          });
          products.push({ id: product.id, ships: product.requires_shipping });
        });
      }
      for (let i = 0; i < sizes.customers; i += 1) {
        steps.push(async () => {
          const first = pick(FIRST, i);
          const last = pick(LAST, i * 3 + 1);
          const handle = `${first}.${last}.${run}.${i}`.toLowerCase().normalize('NFD').replace(/[^a-z0-9.]/g, '');
          const customer = await send('POST', '/customers', {
            customer_name: `${first} ${last}`,
            email: `${handle}@example.com`,
            phone: `+1 555 ${String(1000 + i).slice(-4)}`,
            username: handle.slice(0, 50),
            password: `demo-password-${i}`,
          });
          const address = await send('POST', `/customers/${customer.id}/addresses`, { first_name: first, last_name: last, line1: `${10 + i} Demo Street`, ...pick(PLACES, i), is_default: true });
          customers.push({ id: customer.id, addressId: address.id });
        });
      }
      for (let i = 0; i < sizes.orders; i += 1) {
        steps.push(async () => {
          if (products.length === 0) throw new SeedError('orders need products: give --products 1 or more');
          const lines = [...new Set([0, 1, 2].slice(0, 1 + (i % 3)).map((k) => pick(products, i * 3 + k * 7)))];
          const items = lines.map((product, k) => ({ product_id: product.id, quantity: 1 + ((i + k) % 3) }));
          const place = PLACES[i % PLACES.length]!;
          const address = { first_name: 'Demo', last_name: 'Buyer', line1: `${i + 1} Order Lane`, ...place };
          // An order of only what is not shipped (a gift card) takes no shipping rate.
          const rate = lines.some((product) => product.ships) ? { shipping_rate_id: shippingRate } : {};
          let order: { id: number };
          const guest = i % 6 === 5 || customers.length === 0;
          try {
            if (guest) {
              const cart = await send('POST', '/carts');
              for (const item of items) await send('POST', `/carts/${cart.cart_id}/add`, item);
              order = await send('POST', `/carts/${cart.cart_id}/checkout`, { email: `guest.${run}.${i}@example.com`, shipping_address: address, ...rate });
            } else {
              const customer = pick(customers, i);
              order = await send('POST', '/orders', { customer_id: customer.id, items, shipping_address_id: customer.addressId, ...rate });
            }
          } catch (error) {
            // Sold out, or the rate does not fit the subtotal: a real shop says no too; the next order goes on.
            if (error instanceof SeedError && / 409: /.test(error.message)) return;
            throw error;
          }
          await moveTo(order.id, pick(ORDER_STATES, i));
          // Now and then a delivered order had a part refunded: the dashboard shows refunds too.
          if (pick(ORDER_STATES, i) === 'delivered' && i % 4 === 3) {
            const [payment] = await send('GET', `/orders/${order.id}/payments`);
            await send('POST', `/payments/${payment.id}/refunds`, { amount: 1, reason: 'Late delivery' });
          }
        });
      }
      return steps;
    },
  };

  async function moveTo(id: number, state: (typeof ORDER_STATES)[number]) {
    if (state === 'pending') return;
    if (state === 'cancelled') {
      await send('POST', `/orders/${id}/cancel`);
      return;
    }
    await send('POST', `/orders/${id}/status`, { status: 'paid' });
    if (state === 'paid') return;
    await send('POST', `/orders/${id}/status`, { status: 'shipped', tracking_number: `1Z${String(id).padStart(10, '0')}` });
    if (state === 'delivered') await send('POST', `/orders/${id}/status`, { status: 'delivered' });
  }
}
