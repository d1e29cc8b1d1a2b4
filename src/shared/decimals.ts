// Numbers with a fixed number of decimals (an amount has two, a tax rate three) are read
// off their shortest decimal text, the one JSON and String() write. That is exact, and it
// refuses what binary arithmetic would round into place: 19.990000000000002 has fifteen
// decimals, not two.

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** 19.99 has at most two decimals; 19.999, 1e-7 and 19.990000000000002 do not. A negative number never passes. */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
  const match = PLAIN_DECIMAL.exec(String(value));
  return match !== null && (match[2] ?? '').length <= decimals;
}

/**
 * 8.875 at three decimals is 8875: the digits of its text put side by side, never a float
 * multiplied. Only for values hasAtMostDecimals admits (the schemas check them first), so
 * anything else is a bug and throws.
 */
export function toScaledInteger(value: number, decimals: number): number {
  const match = PLAIN_DECIMAL.exec(String(value));
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length > decimals) throw new RangeError(`${value} has more than ${decimals} decimals`);
  return Number(`${match[1]}${fraction.padEnd(decimals, '0')}`);
}

/** 8875 at three decimals is 8.875 (the double nearest the decimal, which JSON writes as "8.875"). */
export function fromScaledInteger(scaled: number, decimals: number): number {
  return scaled / 10 ** decimals;
}
