// Reads a price list in CSV (header `mcc,mnc,rate`, or `mcc,mnc,rate,currency` to state the list's currency; empty mnc =
// country-wide) into rate rows, saying which line is wrong, and writes one back in the `mcc,mnc,rate` format.
import { currencyOf, formatMinor, MoneyError, parseMoney } from './money.js';
import type { RateRow } from './pricing.js';
import { renderText } from './texts.js';

export type RatesCsvResult =
  /** `currency`: the one the rows state (every row the same or empty), null when none states one. */
  | { readonly ok: true; readonly rows: readonly RateRow[]; readonly currency: string | null }
  | { readonly ok: false; readonly line: number; readonly message: string };

const MCC_RE = /^\d{3}$/;
const MNC_RE = /^\d{1,3}$/;

/** A cell as spreadsheets quote it ("0.45") without its quotes. */
function unquote(cell: string): string {
  return cell.replace(/^"(.*)"$/, '$1');
}

export function parseRatesCsv(text: string): RatesCsvResult {
  return parseNetworkAmountsCsv(text, 'rate');
}

/**
 * Reads a list of amounts per network in CSV (header `mcc,mnc,COLUMN`, or `mcc,mnc,COLUMN,currency`; empty mnc =
 * country-wide): the one reader of price lists (`rate`) and of providers' cost lists (`cost`). Each row's amount is
 * in `rateMinor`.
 */
export function parseNetworkAmountsCsv(text: string, column: 'rate' | 'cost'): RatesCsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '')
    .split(',')
    .map((cell) => unquote(cell.trim()).trim().toLowerCase())
    .join(',');
  const withCurrency = header === `mcc,mnc,${column},currency`;
  if (header !== `mcc,mnc,${column}` && !withCurrency) {
    return { ok: false, line: 1, message: renderText('csvNetworkHeader', { column }) };
  }
  const fields = withCurrency ? 4 : 3;
  let currency: string | null = null;
  const rows: RateRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const lineNo = i + 1;
    const cells = line.split(',').map((c) => unquote(c.trim()));
    if (cells.length !== fields) {
      const message = renderText('csvFieldCount', { expected: fields, found: cells.length });
      return { ok: false, line: lineNo, message };
    }
    const [mcc, mnc, rate, stated = ''] = cells as [string, string, string, string?];
    const code = stated.toUpperCase();
    if (code !== '' && currencyOf(code) === undefined) {
      return { ok: false, line: lineNo, message: renderText('csvUnknownCurrency', { currency: stated }) };
    }
    if (code !== '' && currency !== null && code !== currency) {
      return {
        ok: false,
        line: lineNo,
        message: renderText('csvCurrencyDiffers', { currency: code, above: currency }),
      };
    }
    if (code !== '') currency = code;
    if (!MCC_RE.test(mcc)) return { ok: false, line: lineNo, message: renderText('csvMcc', { mcc }) };
    if (mnc !== '' && !MNC_RE.test(mnc)) return { ok: false, line: lineNo, message: renderText('csvMnc', { mnc }) };
    let rateMinor: number;
    try {
      rateMinor = parseMoney(rate);
    } catch (error) {
      if (error instanceof MoneyError) {
        const message = renderText('csvAmount', { column, amount: rate, problem: error.message });
        return { ok: false, line: lineNo, message };
      }
      throw error;
    }
    if (rateMinor < 0) return { ok: false, line: lineNo, message: renderText('csvNegative', { column, amount: rate }) };
    const key = `${mcc}:${mnc}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const network = `${mcc}/${mnc || '(country)'}`;
      const message = renderText(column === 'rate' ? 'csvAlreadyPriced' : 'csvAlreadyCosted', { network, earlier });
      return { ok: false, line: lineNo, message };
    }
    seen.set(key, lineNo);
    rows.push({ mcc, mnc: mnc === '' ? null : mnc, rateMinor });
  }
  return { ok: true, rows, currency };
}

/** Writes rate rows as `parseRatesCsv` reads them: the header, then one `mcc,mnc,rate` line each (CRLF, RFC 4180). */
export function formatRatesCsv(rows: readonly RateRow[]): string {
  const lines = ['mcc,mnc,rate', ...rows.map((row) => `${row.mcc},${row.mnc ?? ''},${formatMinor(row.rateMinor)}`)];
  return `${lines.map((line) => `${line}\r\n`).join('')}`;
}
