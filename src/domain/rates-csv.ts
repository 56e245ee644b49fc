// A price list in CSV (header `mcc,mnc,rate`; empty mnc = country-wide): read into rate rows, saying which line is
// wrong, and written back in the same format.
import { formatMinor, MoneyError, parseMoney } from './money.js';
import type { RateRow } from './pricing.js';

export type RatesCsvResult =
  | { readonly ok: true; readonly rows: readonly RateRow[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

const MCC_RE = /^\d{3}$/;
const MNC_RE = /^\d{1,3}$/;

/** A cell as spreadsheets quote it ("0.45") without its quotes. */
function unquote(cell: string): string {
  return cell.replace(/^"(.*)"$/, '$1');
}

export function parseRatesCsv(text: string): RatesCsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '')
    .split(',')
    .map((cell) => unquote(cell.trim()).trim().toLowerCase())
    .join(',');
  if (header !== 'mcc,mnc,rate') return { ok: false, line: 1, message: 'the header must be "mcc,mnc,rate"' };
  const rows: RateRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const lineNo = i + 1;
    const cells = line.split(',').map((c) => unquote(c.trim()));
    if (cells.length !== 3) return { ok: false, line: lineNo, message: `expected 3 fields, found ${cells.length}` };
    const [mcc, mnc, rate] = cells as [string, string, string];
    if (!MCC_RE.test(mcc)) return { ok: false, line: lineNo, message: `mcc "${mcc}" is not 3 digits` };
    if (mnc !== '' && !MNC_RE.test(mnc))
      return { ok: false, line: lineNo, message: `mnc "${mnc}" is not 1 to 3 digits` };
    let rateMinor: number;
    try {
      rateMinor = parseMoney(rate);
    } catch (error) {
      if (error instanceof MoneyError) return { ok: false, line: lineNo, message: `rate "${rate}": ${error.message}` };
      throw error;
    }
    if (rateMinor < 0) return { ok: false, line: lineNo, message: `rate "${rate}" is negative` };
    const key = `${mcc}:${mnc}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return { ok: false, line: lineNo, message: `${mcc}/${mnc || '(country)'} is already priced on line ${earlier}` };
    }
    seen.set(key, lineNo);
    rows.push({ mcc, mnc: mnc === '' ? null : mnc, rateMinor });
  }
  return { ok: true, rows };
}

/** Writes rate rows as `parseRatesCsv` reads them: the header, then one `mcc,mnc,rate` line each (CRLF, RFC 4180). */
export function formatRatesCsv(rows: readonly RateRow[]): string {
  const lines = ['mcc,mnc,rate', ...rows.map((row) => `${row.mcc},${row.mnc ?? ''},${formatMinor(row.rateMinor)}`)];
  return `${lines.map((line) => `${line}\r\n`).join('')}`;
}
