import { createRequire } from 'node:module';
import type Countries from 'i18n-iso-countries';

// The package's main entry also registers every language's country names (about 10 MB of
// memory and 80 ms of start-up); the codes need none of them, so its core is loaded alone.
const countries = createRequire(import.meta.url)('i18n-iso-countries/index.js') as typeof Countries;

/**
 * The assigned ISO 3166-1 alpha-2 codes, from i18n-iso-countries. XK (Kosovo) is left out:
 * the package lists it, but it is a user-assigned code, not one ISO has assigned.
 */
export const COUNTRY_CODES: readonly string[] = Object.keys(countries.getAlpha2Codes())
  .filter((code) => code !== 'XK')
  .sort();

const ASSIGNED = new Set(COUNTRY_CODES);

/** DE, US: yes; de, ZZ, XK: no. */
export function isCountryCode(code: string): boolean {
  return ASSIGNED.has(code);
}
