// Exact money: integer minor units of 1/10000 of a currency unit, parsed and formatted without binary floats.

/** Minor units in one currency unit: the ledger keeps four decimals. */
export const MINOR_PER_UNIT = 10_000;
export const DECIMALS = 4;

/** Largest amount (in minor units) that stays exact in a JS number: about 900 billion currency units. */
export const MINOR_MAX = Number.MAX_SAFE_INTEGER;

export type MoneyErrorCode = 'format' | 'precision' | 'overflow';

/** An amount that cannot be represented exactly: bad text, too many decimals, or out of range. */
export class MoneyError extends Error {
  readonly code: MoneyErrorCode;
  constructor(code: MoneyErrorCode, message: string) {
    super(message);
    this.name = 'MoneyError';
    this.code = code;
  }
}

function checked(minor: number, what: string): number {
  if (!Number.isSafeInteger(minor)) throw new MoneyError('overflow', `${what} is out of range`);
  // -0 would print as "0" but compares oddly in maps; normalise it.
  return minor === 0 ? 0 : minor;
}

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string ("0.4397", "450", "-12.5") into minor units, digit by digit.
 * More than four decimals is an error unless the extra digits are zeros: an amount is never rounded silently.
 */
export function parseMoney(text: string): number {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) throw new MoneyError('format', `"${text}" is not a decimal amount`);
  const sign = m[1] === '-' ? -1 : 1;
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  let fraction = m[3] ?? '';
  if (fraction.length > DECIMALS) {
    if (/[^0]/.test(fraction.slice(DECIMALS))) {
      throw new MoneyError('precision', `"${text}" has more than ${DECIMALS} decimals`);
    }
    fraction = fraction.slice(0, DECIMALS);
  }
  // Compare as strings before converting so that huge inputs never go through a float.
  if (whole.length > 12) throw new MoneyError('overflow', `"${text}" is out of range`);
  const minor = Number(whole) * MINOR_PER_UNIT + Number(fraction.padEnd(DECIMALS, '0'));
  return checked(sign * minor, `"${text}"`);
}

/** Whole minor units from a value read back from a database (integer, bigint or integer string). */
export function minorFrom(value: number | bigint | string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new MoneyError('format', `${value} is not a whole number of minor units`);
    return checked(value, String(value));
  }
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
    throw new MoneyError('format', `"${value}" is not a whole number of minor units`);
  }
  const big = BigInt(value);
  if (big > BigInt(MINOR_MAX) || big < -BigInt(MINOR_MAX)) throw new MoneyError('overflow', `${value} is out of range`);
  return Number(big);
}

export function addMoney(a: number, b: number): number {
  return checked(a + b, 'sum');
}

export function subtractMoney(a: number, b: number): number {
  return checked(a - b, 'difference');
}

/** An amount times a count of things (parts, recipients). */
export function multiplyMoney(amount: number, count: number): number {
  if (!Number.isSafeInteger(count)) throw new MoneyError('format', `count ${count} is not an integer`);
  return checked(amount * count, 'product');
}

/**
 * Tax on `subtotal` at `ratePpm` (the rate in millionths: 20% is 200000, 20.5% is 205000),
 * rounded half-up (away from zero) to whole minor units, i.e. to four decimals of the currency.
 */
export function taxOf(subtotal: number, ratePpm: number): number {
  if (!Number.isSafeInteger(ratePpm) || ratePpm < 0) throw new MoneyError('format', `tax rate ${ratePpm} is invalid`);
  const product = BigInt(subtotal) * BigInt(ratePpm);
  const divisor = 1_000_000n;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let q = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) q += 1n;
  return minorFrom(negative ? -q : q);
}

/** Parses a tax rate percentage ("20", "20.5", "7.125") into millionths (ppm): at most four decimals, 0 to 100. */
export function parsePercentPpm(text: string): number {
  // p percent is p/100 of the amount, i.e. p * 10^4 millionths: the same digits as an amount with four decimals.
  const ppm = parseMoney(text);
  if (ppm < 0 || ppm > 100 * MINOR_PER_UNIT)
    throw new MoneyError('format', `"${text}" is not a percentage from 0 to 100`);
  return ppm;
}

function splitUnits(minor: number): { sign: string; whole: string; fraction: string } {
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / MINOR_PER_UNIT);
  const fraction = abs - whole * MINOR_PER_UNIT;
  return { sign: minor < 0 ? '-' : '', whole: String(whole), fraction: String(fraction).padStart(DECIMALS, '0') };
}

/** The exact decimal with all four decimals: 4_491_206 → "449.1206". */
export function formatMinor(minor: number): string {
  const { sign, whole, fraction } = splitUnits(checked(minor, 'amount'));
  return `${sign}${whole}.${fraction}`;
}

/** A balance as the API shows it: three decimals, truncated, never rounded up (449.1206 → "449.120"). */
export function formatBalance(minor: number): string {
  const { sign, whole, fraction } = splitUnits(checked(minor, 'balance'));
  const shown = fraction.slice(0, 3);
  return `${sign === '-' && (whole !== '0' || shown !== '000') ? '-' : ''}${whole}.${shown}`;
}

/**
 * A JSON number token with at most four decimals and no trailing zeros: 4500 → "0.45", 0 → "0", 13500 → "1.35".
 * Written as text so that no float ever stands between the ledger and the wire.
 */
export function toJsonNumber(minor: number): string {
  const { sign, whole, fraction } = splitUnits(checked(minor, 'amount'));
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${sign}${whole}.${trimmed}` : `${sign}${whole}`;
}

/**
 * The nearest double to the amount, for serialisers that only take numbers. Division of two exact integers is
 * correctly rounded, and the shortest round-trip printing of that double is the decimal itself while the amount has at
 * most 15 significant digits, i.e. below 10^11 currency units; larger amounts are refused rather than misprinted.
 */
export function toNumber(minor: number): number {
  if (Math.abs(minor) >= 1e15) throw new MoneyError('overflow', `${minor} cannot be shown exactly as a JSON number`);
  return checked(minor, 'amount') / MINOR_PER_UNIT;
}

export interface Currency {
  readonly code: string;
  readonly sign: string;
  readonly name: string;
}

/** ISO 4217 currencies an account may hold, with the sign the API shows. */
export const CURRENCIES: Readonly<Record<string, Currency>> = Object.freeze({
  GBP: { code: 'GBP', sign: '£', name: 'Pound sterling' },
  EUR: { code: 'EUR', sign: '€', name: 'Euro' },
  USD: { code: 'USD', sign: '$', name: 'US dollar' },
  CHF: { code: 'CHF', sign: 'CHF', name: 'Swiss franc' },
  PLN: { code: 'PLN', sign: 'zł', name: 'Polish złoty' },
  SEK: { code: 'SEK', sign: 'kr', name: 'Swedish krona' },
  NOK: { code: 'NOK', sign: 'kr', name: 'Norwegian krone' },
  DKK: { code: 'DKK', sign: 'kr.', name: 'Danish krone' },
  CZK: { code: 'CZK', sign: 'Kč', name: 'Czech koruna' },
  CAD: { code: 'CAD', sign: 'CA$', name: 'Canadian dollar' },
  AUD: { code: 'AUD', sign: 'A$', name: 'Australian dollar' },
});

export function currencyOf(code: string): Currency | undefined {
  return Object.hasOwn(CURRENCIES, code) ? CURRENCIES[code] : undefined;
}
