import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { type Address, toAddress } from '../addresses/addresses.schemas.js';
import { findAddressOf } from '../addresses/addresses.service.js';
import { type ShippingRate, activeShippingRates, eligibleAmong, isEligible } from '../shipping/shipping.service.js';
import { type TaxRate, findTaxRateFor } from '../tax/tax.service.js';
import type { CheckoutFields } from './orders.schemas.js';
import type { OrderRecord, OrderRequest, PricedOrder, Written } from './placement.js';
import { type Pricing, priceOrder, subtotalOf } from './pricing.js';

/**
 * From what a buyer sends to an order ready to write (or a quote): the addresses, the
 * shipping rate and the tax rate the order is priced with, and the rules of the contract's
 * "Placing an order, in full". Placing, quoting and guest checkout all come through here.
 */

/** What the shop's configuration says about money and tax. */
export interface ShopPricing {
  currency: string;
  /** Where tax is due when an order has no address. */
  country: string | undefined;
  pricesIncludeTax: boolean;
}

/** What the order's input names, read before it is priced. */
export interface CheckoutContext {
  shippingAddress: Address | null;
  billingAddress: Address | null;
  activeRates: ShippingRate[];
  tax: TaxRate | undefined;
}

/** placing: every rule; quoting: shipping may be left open. */
export type CheckoutMode = 'place' | 'quote';

/** A priced order and what a quote adds to it. */
export interface Checkout {
  order: PricedOrder;
  pricing: Pricing;
  context: CheckoutContext;
  shipping: ShippingRate | null;
  /** Rates eligible for the shipping address and subtotal, which a quote answers ([] without an address, and when placing). */
  shippingOptions: ShippingRate[];
  /** A guest order's token, answered once; its hash is in the record. */
  orderToken: string | undefined;
}

class ShippingRequiredError extends AppError {
  constructor(path: string, message: string) {
    super(400, 'SHIPPING_REQUIRED', `${path} ${message}`, undefined, [{ path, message }]);
  }
}

/** Reads the addresses and rates the input names; a named address that is not the customer's is 404. */
export async function readCheckoutContext(
  q: Queryable,
  customerId: number | null,
  fields: CheckoutFields,
  shop: ShopPricing,
): Promise<CheckoutContext> {
  const [shippingAddress, billingAddress, activeRates] = await Promise.all([
    addressFrom(q, customerId, fields.shipping_address, fields.shipping_address_id, 'shipping_address'),
    addressFrom(q, customerId, fields.billing_address, fields.billing_address_id, 'billing_address'),
    activeShippingRates(q),
  ]);
  const billing = billingAddress ?? shippingAddress;
  // The tax is the shipping address's country's, else the billing address's, else the shop's.
  const taxAddress = shippingAddress ?? billing;
  const country = taxAddress?.country_code ?? shop.country;
  const tax = country === undefined ? undefined : await findTaxRateFor(q, country, taxAddress?.region_code ?? null);
  return { shippingAddress, billingAddress: billing, activeRates, tax };
}

async function addressFrom(
  q: Queryable,
  customerId: number | null,
  given: CheckoutFields['shipping_address'],
  id: number | undefined,
  field: 'shipping_address' | 'billing_address',
): Promise<Address | null> {
  if (given !== undefined && id !== undefined) throw new ValidationError(`/body/${field}_id`, `goes without ${field}: send one of the two`);
  if (given !== undefined) return toAddress(given);
  if (id === undefined) return null;
  const found = customerId === null ? undefined : await findAddressOf(q, customerId, id);
  if (!found) throw new NotFoundError(`Address ${id}`);
  return found;
}

/**
 * Prices a checked order: its lines as the check found them, shipping when it is needed (a
 * line's product requires shipping and the shop has an active rate), tax from the context.
 */
export function priceCheckout(
  request: OrderRequest,
  checked: Written,
  context: CheckoutContext,
  fields: CheckoutFields,
  shop: ShopPricing,
  mode: CheckoutMode,
): Checkout {
  const lines = checked.lines.map((line) => {
    if (line.product_name === null || line.price_cents === null) throw new Error(`priced an order without product ${line.product_id}`);
    return {
      product_id: line.product_id,
      product_name: line.product_name,
      unit_price_cents: line.price_cents,
      quantity: line.quantity,
      stock_taken: line.stock === null ? 0 : 1,
      requires_shipping: line.requires_shipping === 1,
    };
  });
  const subtotalCents = subtotalOf(lines);
  const country = context.shippingAddress?.country_code;
  const needsShipping = lines.some((line) => line.requires_shipping) && context.activeRates.length > 0;
  const shipping = needsShipping ? chosenRate(context, fields, subtotalCents, mode) : refuseNeedlessRate(fields);
  const pricing = priceOrder({
    lines,
    shipping: shipping && { rateId: shipping.id, name: shipping.name, priceCents: shipping.priceCents },
    tax: context.tax ? { name: context.tax.name, rateThousandths: context.tax.rateThousandths, appliesToShipping: context.tax.appliesToShipping } : null,
    pricesIncludeTax: shop.pricesIncludeTax,
  });
  const email = fields.email ?? checked.customerEmail;
  if (email === null) throw new ValidationError('/body/email', 'is required');
  const orderToken = request.customerId === null && mode === 'place' ? randomBytes(32).toString('base64url') : undefined;
  const shippingText = context.shippingAddress && JSON.stringify(context.shippingAddress);
  const record: OrderRecord = {
    total_cents: pricing.totalCents,
    currency: shop.currency,
    email,
    note: fields.note || null,
    subtotal_cents: pricing.subtotalCents,
    shipping_total_cents: pricing.shippingTotalCents,
    tax_total_cents: pricing.taxTotalCents,
    prices_include_tax: shop.pricesIncludeTax ? 1 : 0,
    shipping_address: shippingText,
    // Billing defaults to the shipping address itself (readCheckoutContext): one text for both.
    billing_address: context.billingAddress === context.shippingAddress ? shippingText : context.billingAddress && JSON.stringify(context.billingAddress),
    shipping_rate_id: shipping?.id ?? null,
    shipping_name: shipping?.name ?? null,
    shipping_price_cents: shipping ? pricing.shippingTotalCents : null,
    shipping_tax_cents: shipping ? pricing.shippingTaxCents : null,
    tax_name: context.tax?.name ?? null,
    tax_rate_thousandths: context.tax?.rateThousandths ?? null,
    order_token_hash: orderToken === undefined ? null : hashOrderToken(orderToken),
  };
  const shippingOptions = country === undefined || mode === 'place' ? [] : eligibleAmong(context.activeRates, country, subtotalCents);
  return { order: { ...request, lines: pricing.lines, record }, pricing, context, shipping, shippingOptions, orderToken };
}

/** The rate an order that needs shipping is shipped with; a quote may leave address and rate out. */
function chosenRate(context: CheckoutContext, fields: CheckoutFields, subtotalCents: number, mode: CheckoutMode): ShippingRate | null {
  const address = context.shippingAddress;
  if (address === null) {
    if (mode === 'quote' && fields.shipping_rate_id === undefined) return null;
    throw new ShippingRequiredError('/body/shipping_address', 'is required: this order needs shipping (or give shipping_address_id)');
  }
  if (fields.shipping_rate_id === undefined) {
    if (mode === 'quote') return null;
    throw new ShippingRequiredError('/body/shipping_rate_id', 'is required: this order needs shipping');
  }
  const rate = context.activeRates.find((candidate) => candidate.id === fields.shipping_rate_id);
  if (!rate || !isEligible(rate, address.country_code, subtotalCents)) {
    throw new ConflictError(
      `Shipping rate ${fields.shipping_rate_id} is not available for this order (unknown, inactive, not shipping to ${address.country_code}, or outside its subtotal bounds).`,
      'SHIPPING_RATE_UNAVAILABLE',
    );
  }
  return rate;
}

function refuseNeedlessRate(fields: CheckoutFields): null {
  if (fields.shipping_rate_id !== undefined) {
    throw new ValidationError('/body/shipping_rate_id', 'must be left out: this order needs no shipping');
  }
  return null;
}

/** Only the hash is stored, so a copy of the database does not open guests' orders. */
export function hashOrderToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
