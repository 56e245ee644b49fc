// Price lists and their currencies: the platform's base currency, conversion rates, and how a default list in another
// currency is derived from the base one.
import { CURRENCIES, currencyOf, minorFrom } from './money.js';
import type { RateRow } from './pricing.js';

/**
 * The currency of the platform's base default list: the sample prices shipped in data/rates and the list that
 * `smsgic rates import --default FILE` replaces when the file states no currency. Every other currency's default list
 * is converted from it (or imported in that currency).
 */
export const PLATFORM_CURRENCY = 'GBP';

/** A conversion rate is kept in millionths: 1 GBP = 1.165432 EUR is 1_165_432. */
export const RATE_PPM_PER_UNIT = 1_000_000;
const RATE_DECIMALS = 6;
const RATE_RE = /^(\d{1,6})(?:\.(\d{1,6}))?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Where a price list's rates came from: imported as they are, or converted from the base default list. */
export type PriceListSource = 'imported' | 'converted';

/** How a default list was converted: `1 baseCurrency = ratePpm / 10^6 currency`, at the rate of `rateDate`. */
export interface Conversion {
  readonly baseCurrency: string;
  readonly ratePpm: number;
  /** The day the rate is quoted for, YYYY-MM-DD. */
  readonly rateDate: string;
}

/** Whether the platform knows the currency code (one an account may hold). */
export function isAccountCurrency(code: string): boolean {
  return currencyOf(code) !== undefined;
}

/** Every currency an account may hold: the platform ships a default list for each. */
export function accountCurrencies(): readonly string[] {
  return Object.keys(CURRENCIES);
}

/** A conversion rate as written ("1.1654", "27.7"): positive, at most six decimals; null when it is not one. */
export function parseConversionRate(text: string): number | null {
  const m = RATE_RE.exec(text.trim());
  if (!m) return null;
  const ppm = Number(m[1]) * RATE_PPM_PER_UNIT + Number((m[2] ?? '').padEnd(RATE_DECIMALS, '0'));
  return ppm > 0 ? ppm : null;
}

/** A rate in millionths as a decimal without trailing zeros: 1_165_400 → "1.1654", 27_000_000 → "27". */
export function formatConversionRate(ratePpm: number): string {
  const whole = Math.floor(ratePpm / RATE_PPM_PER_UNIT);
  const fraction = String(ratePpm - whole * RATE_PPM_PER_UNIT)
    .padStart(RATE_DECIMALS, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A calendar day YYYY-MM-DD that exists (2026-02-30 does not). */
export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A price converted at `ratePpm`, rounded UP to whole minor units: a converted price is never below what the base
 * price is worth at the recorded rate, so a converted list never sells below cost. Exact (BigInt), no float.
 */
export function convertRateUp(rateMinor: number, ratePpm: number): number {
  const product = BigInt(rateMinor) * BigInt(ratePpm);
  const divisor = BigInt(RATE_PPM_PER_UNIT);
  const quotient = product / divisor;
  return minorFrom(product % divisor === 0n ? quotient : quotient + 1n);
}

/** The base list's rows converted at `ratePpm`, each rounded up. */
export function convertRows(rows: readonly RateRow[], ratePpm: number): RateRow[] {
  return rows.map((row) => ({ mcc: row.mcc, mnc: row.mnc, rateMinor: convertRateUp(row.rateMinor, ratePpm) }));
}

export type ConversionRatesResult =
  | { readonly ok: true; readonly rates: ReadonlyMap<string, Conversion> }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Reads the shipped conversion rates (header `currency,rate,date`, each from PLATFORM_CURRENCY). */
export function parseConversionRates(text: string): ConversionRatesResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if ((lines[0] ?? '').trim().toLowerCase() !== 'currency,rate,date') {
    return { ok: false, line: 1, message: 'the header must be "currency,rate,date"' };
  }
  const rates = new Map<string, Conversion>();
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const [currency = '', rate = '', date = '', ...rest] = line.split(',').map((cell) => cell.trim());
    const problem =
      rest.length > 0
        ? 'expected 3 fields'
        : !isAccountCurrency(currency) || currency === PLATFORM_CURRENCY
          ? `"${currency}" is not an account currency other than ${PLATFORM_CURRENCY}`
          : rates.has(currency)
            ? `${currency} is given twice`
            : parseConversionRate(rate) === null
              ? `rate "${rate}" is not a positive decimal with at most 6 decimals`
              : !isCalendarDate(date)
                ? `date "${date}" is not a day YYYY-MM-DD`
                : null;
    if (problem) return { ok: false, line: i + 1, message: problem };
    rates.set(currency, {
      baseCurrency: PLATFORM_CURRENCY,
      ratePpm: parseConversionRate(rate) as number,
      rateDate: date,
    });
  }
  return { ok: true, rates };
}

/** A rate whose price an import changes. */
export interface RateChange {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly oldRateMinor: number;
  readonly newRateMinor: number;
}

/** What replacing a price list does to it: the rows it adds, removes and reprices, and how many stay as they are. */
export interface RateListDiff {
  readonly added: readonly RateRow[];
  readonly removed: readonly RateRow[];
  readonly changed: readonly RateChange[];
  readonly unchanged: number;
}

function rateKey(row: { readonly mcc: string; readonly mnc: string | null }): string {
  return `${row.mcc}:${row.mnc ?? ''}`;
}

/** Country-wide rows (no network) before a country's networks; then by network code. */
function byMccMnc(a: { mcc: string; mnc: string | null }, b: { mcc: string; mnc: string | null }): number {
  if (a.mcc !== b.mcc) return a.mcc < b.mcc ? -1 : 1;
  if (a.mnc === b.mnc) return 0;
  if (a.mnc === null) return -1;
  if (b.mnc === null) return 1;
  return a.mnc < b.mnc ? -1 : 1;
}

/** The difference between a list and the one replacing it, each part ordered by MCC, then MNC. */
export function diffRateLists(before: readonly RateRow[], after: readonly RateRow[]): RateListDiff {
  const old = new Map(before.map((row) => [rateKey(row), row]));
  const added: RateRow[] = [];
  const changed: RateChange[] = [];
  let unchanged = 0;
  for (const row of after) {
    const previous = old.get(rateKey(row));
    old.delete(rateKey(row));
    if (previous === undefined) added.push(row);
    else if (previous.rateMinor === row.rateMinor) unchanged++;
    else changed.push({ mcc: row.mcc, mnc: row.mnc, oldRateMinor: previous.rateMinor, newRateMinor: row.rateMinor });
  }
  return {
    added: added.sort(byMccMnc),
    removed: [...old.values()].sort(byMccMnc),
    changed: changed.sort(byMccMnc),
    unchanged,
  };
}
