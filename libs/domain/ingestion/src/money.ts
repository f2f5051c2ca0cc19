/**
 * Amounts as integers in the currency's minor unit (cents, yen, fils), never floats. The number of
 * decimals per currency is ISO 4217's; currencies not listed have 2.
 */
const ZERO_DECIMAL = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
];
const THREE_DECIMAL = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];

export function currencyDecimals(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.includes(code)) return 0;
  if (THREE_DECIMAL.includes(code)) return 3;
  return 2;
}

export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value);
}

/**
 * `"19.99"` USD -> 1999, `"1000"` JPY -> 1000, `"-5.00"` -> -500. Exact (string arithmetic). Extra
 * decimals are allowed only when they are zeros (`"10.000"` USD); a number is read through its
 * shortest decimal text, so 0.1 + 0.2 is refused rather than rounded.
 */
export function toMinorUnits(
  amount: string | number,
  currency: string,
): { ok: true; minor: number } | { ok: false; reason: string } {
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not a decimal amount` };
  const [, sign, whole, fraction = ''] = match;
  const decimals = currencyDecimals(currency);
  if (/[^0]/.test(fraction.slice(decimals))) {
    return {
      ok: false,
      reason: `"${text}" has more than ${decimals} decimals for ${currency.toUpperCase()}`,
    };
  }
  const minor = Number(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: `"${text}" is too large` };
  return { ok: true, minor: sign === '-' && minor !== 0 ? -minor : minor };
}
