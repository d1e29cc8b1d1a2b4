// Money is integer minor units (cents) everywhere inside; these two functions are the
// only crossing to and from the JSON edge, where prices are major units like 19.99.

/** 19.99 → 1999. Exact for the at-most-two-decimal amounts the Money schema admits. */
export function toCents(major: number): number {
  return Math.round(major * 100);
}

/** 1999 → 19.99 (the double nearest the decimal, which JSON prints as "19.99"). */
export function toMajor(cents: number): number {
  return cents / 100;
}
