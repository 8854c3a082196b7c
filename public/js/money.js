// Prices as shoppers and sellers read them: integer minor units + ISO 4217 currency ⇄ formatted text or a form value.
// Pure (Intl only): unit-tested in node.

/**
 * Fraction digits of a currency as Intl knows them (USD 2, JPY 0, KWD 3).
 * @param {string} currency
 * @returns {number}
 */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * "$19.99" from 1999 USD in the given locale; falls back to "19.99 XYZ" for a currency Intl does not know.
 * @param {number} priceMinor
 * @param {string} currency
 * @param {string | string[]} [locale]  default: the browser's (or node's) locale
 * @returns {string}
 */
export function formatPrice(priceMinor, currency, locale) {
  const digits = currencyDigits(currency);
  const major = priceMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency}`;
  }
}

/**
 * What a seller typed as the price in major units ("19.99", "19,99", "1 299", "20") as integer minor units, or null
 * when it is not a price in this currency (more decimals than the currency has, a sign, letters...).
 * Works on the digits as text: 19.99 * 100 in floating point is 1998.9999999999998.
 * @param {string} text
 * @param {string} currency
 * @returns {number | null}
 */
export function parsePrice(text, currency) {
  const digits = currencyDigits(currency);
  const cleaned = String(text).trim().replace(/[\s\u00a0\u202f']/g, '');
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}

/**
 * The form value of a price: 1999 USD → "19.99", 500 JPY → "500".
 * @param {number} priceMinor
 * @param {string} currency
 * @returns {string}
 */
export function priceInputValue(priceMinor, currency) {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(priceMinor);
  const text = String(priceMinor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
