// Display formats: money strings as the API writes them, dates in the viewer's locale, counts with separators.
import { CURRENCIES } from '../../src/domain/money.js';
import { countryMatchesIn, countryNameIn, destinationNameIn } from './country-names.js';
import { currentLanguage, currentLocale } from './i18n.js';

// English keeps the dashboard's own formats (en-GB dates, "€1,234.500"); other languages format through Intl in their
// locale ("1234,500 €" in lv-LV).

type Formats = {
  readonly number: Intl.NumberFormat;
  readonly dateTime: Intl.DateTimeFormat;
  readonly thisYear: Intl.DateTimeFormat;
  readonly date: Intl.DateTimeFormat;
};

const formatsByLocale = new Map<string, Formats>();

function formats(): Formats {
  const locale = currentLocale();
  let found = formatsByLocale.get(locale);
  if (!found) {
    found = {
      number: new Intl.NumberFormat(locale),
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
      thisYear: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
    };
    formatsByLocale.set(locale, found);
  }
  return found;
}

export function count(value: number): string {
  return formats().number.format(value);
}

/** Decimals every amount shows at least (the balance's precision); more are kept, never rounded away. */
const MONEY_DECIMALS_MIN = 3;

/**
 * "1234.5" with sign "€" → "€1,234.500"; "-0.0452" → "−€0.0452". Digits are only added (trailing zeros), never
 * dropped or rounded: the amount stays exactly the one the server computed.
 */
export function money(amount: string, sign: string): string {
  if (currentLanguage() !== 'en') return localMoney(amount, sign);
  const negative = amount.startsWith('-');
  const unsigned = negative || amount.startsWith('+') ? amount.slice(1) : amount;
  const [whole = '0', fraction = ''] = unsigned.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${sign}${grouped}.${fraction.padEnd(MONEY_DECIMALS_MIN, '0')}`;
  return negative ? `−${text}` : text;
}

/** The amount in the current locale through Intl, with the currency the sign stands for (the sign alone if none). */
function localMoney(amount: string, sign: string): string {
  const digits = Math.max(MONEY_DECIMALS_MIN, amount.split('.')[1]?.length ?? 0);
  // A sign two currencies share (kr: SEK and NOK) names neither: the sign is written after the amount as it is.
  const matching = Object.values(CURRENCIES).filter((entry) => entry.sign === sign);
  const currency = matching.length === 1 ? matching[0]?.code : undefined;
  const options: Intl.NumberFormatOptions = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  // A decimal string keeps every digit (Intl formats strings exactly), unlike a number.
  const exact = amount as unknown as number;
  if (currency)
    return new Intl.NumberFormat(currentLocale(), { ...options, style: 'currency', currency }).format(exact);
  return `${new Intl.NumberFormat(currentLocale(), options).format(exact)} ${sign}`;
}

/** "25 Nov, 14:05" this year, "25 Nov 2025, 14:05" otherwise, in the viewer's time zone. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.getFullYear() === new Date().getFullYear()
    ? formats().thisYear.format(date)
    : formats().dateTime.format(date);
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime()) ? iso : formats().date.format(parsed);
}

/** "2026-11-25 10:00" in UTC, for times the API takes and shows in UTC. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) return iso;
  return `${parsed.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The value of a `datetime-local` input (the viewer's local time) as the API's "YYYY-MM-DD HH:MM:SS" in UTC. */
export function localInputToUtc(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const local = new Date(value);
  if (Number.isNaN(local.getTime())) return null;
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

/** A `datetime-local` value for a moment: the viewer's local time, to the minute. */
export function toLocalInput(moment: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A country's name in the current language by its ISO code ("LV" → "Latvija"), the English name for an unknown code. */
export function countryName(iso: string | null | undefined, fallbackEnglish?: string | null): string {
  return countryNameIn(currentLanguage(), iso, fallbackEnglish);
}

/** A destination ("Latvia LMT") with its country named in the current language ("Latvija LMT"). */
export function destinationName(
  iso: string | null | undefined,
  englishCountry: string | null | undefined,
  englishDestination: string,
): string {
  return destinationNameIn(currentLanguage(), iso, englishCountry, englishDestination);
}

/** Whether a part of a name (any case, accents ignored) is in the country's name in the current language or English. */
export function countryMatches(
  part: string,
  iso: string | null | undefined,
  english: string | null | undefined,
): boolean {
  return countryMatchesIn(currentLanguage(), part, iso, english);
}
