// Money in the shop's currency, times in the browser's own zone and language.

let currency = 'USD';
export function setShopCurrency(code: string) {
  currency = code;
}

export function money(amount: number | null | undefined, code: string = currency): string {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(amount);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function time(iso: string | null | undefined): string {
  return iso ? timeFormat.format(new Date(iso)) : '—';
}

/** The start of today in the browser's zone, as the API's reports want it. */
export function localMidnight(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}
