/**
 * What an order costs, line by line: the one computation behind placing, quoting and guest
 * checkout (contract, "Tax rates"), so a quote and its order cannot disagree. Pure and
 * exact: amounts are integer cents, a tax rate is an integer in thousandths of a percent,
 * and every product of the two is taken in BigInt (1,000 units at the highest price times
 * 8.875 % passes 2^53), rounded half away from zero once per line.
 */

/** 100 % in thousandths of a percent. */
const HUNDRED_PERCENT = 100_000n;

export interface PricedLineInput {
  product_id: number;
  product_name: string;
  unit_price_cents: number;
  quantity: number;
}

export interface TaxInput {
  name: string;
  /** 8.875 % is 8875. */
  rateThousandths: number;
  appliesToShipping: boolean;
}

export interface ShippingInput {
  rateId: number;
  name: string;
  priceCents: number;
}

export interface PricingInput<Line extends PricedLineInput = PricedLineInput> {
  lines: Line[];
  shipping: ShippingInput | null;
  tax: TaxInput | null;
  pricesIncludeTax: boolean;
}

export type PricedLine<Line extends PricedLineInput = PricedLineInput> = Line & {
  line_total_cents: number;
  tax_cents: number;
};

export interface Pricing<Line extends PricedLineInput = PricedLineInput> {
  lines: PricedLine<Line>[];
  subtotalCents: number;
  shippingTotalCents: number;
  shippingTaxCents: number;
  taxTotalCents: number;
  /** What the customer pays: subtotal + shipping, plus the tax when prices exclude it. */
  totalCents: number;
}

/** The lines' totals, before shipping and tax (what shipping rates' bounds compare with). */
export function subtotalOf(lines: PricedLineInput[]): number {
  return sum(lines.map((line) => exactProduct(line.unit_price_cents, line.quantity)));
}

export function priceOrder<Line extends PricedLineInput>(input: PricingInput<Line>): Pricing<Line> {
  const taxOf = (amountCents: number) => (input.tax === null ? 0 : taxIn(amountCents, input.tax.rateThousandths, input.pricesIncludeTax));
  const lines = input.lines.map((line) => {
    const lineTotal = exactProduct(line.unit_price_cents, line.quantity);
    return { ...line, line_total_cents: lineTotal, tax_cents: taxOf(lineTotal) };
  });
  const shippingTotalCents = input.shipping?.priceCents ?? 0;
  const shippingTaxCents = input.tax?.appliesToShipping ? taxOf(shippingTotalCents) : 0;
  const subtotalCents = sum(lines.map((line) => line.line_total_cents));
  const taxTotalCents = sum(lines.map((line) => line.tax_cents)) + shippingTaxCents;
  const totalCents = subtotalCents + shippingTotalCents + (input.pricesIncludeTax ? 0 : taxTotalCents);
  return { lines, subtotalCents, shippingTotalCents, shippingTaxCents, taxTotalCents, totalCents };
}

/**
 * The tax in an amount of cents at a rate:
 *   prices without tax: round(amount × rate / 100)
 *   prices with tax:    amount − round(amount × 100 / (100 + rate))
 */
export function taxIn(amountCents: number, rateThousandths: number, pricesIncludeTax: boolean): number {
  const amount = BigInt(amountCents);
  const rate = BigInt(rateThousandths);
  if (!pricesIncludeTax) return toSafeNumber(roundedQuotient(amount * rate, HUNDRED_PERCENT));
  return toSafeNumber(amount - roundedQuotient(amount * HUNDRED_PERCENT, HUNDRED_PERCENT + rate));
}

/** n / d rounded half away from zero, for n ≥ 0 and d > 0 (amounts and rates are never negative). */
function roundedQuotient(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

function exactProduct(a: number, b: number): number {
  return toSafeNumber(BigInt(a) * BigInt(b));
}

function sum(amounts: number[]): number {
  return toSafeNumber(amounts.reduce((total, amount) => total + BigInt(amount), 0n));
}

/** Every amount the API can produce is far below 2^53 (100 lines of 1,000 at the highest price); past it is a bug. */
function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`amount ${value} is past the exact range of a number`);
  return Number(value);
}
