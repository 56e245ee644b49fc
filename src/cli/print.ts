// What `smsgic` prints for a person (without --json): tables for lists, "key: value" lines for one object, and the
// money and time forms shared by both.
import { currencyOf, formatMinor } from '../domain/money.js';
import type { RateListDiff } from '../domain/price-lists.js';
import { isoFromUs } from '../domain/time.js';

export interface Column {
  readonly header: string;
  /** Numbers and money read best right-aligned; text left-aligned (the default). */
  readonly align?: 'left' | 'right';
}

/** A cell on one line: control characters (a newline in a name) become spaces, so that a row stays one line. */
function cell(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Code points a terminal draws two columns wide: CJK, Hangul, full-width forms, emoji. */
const WIDE =
  /[\u{1100}-\u{115F}\u{2E80}-\u{303E}\u{3041}-\u{33FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{A000}-\u{A4CF}\u{AC00}-\u{D7A3}\u{F900}-\u{FAFF}\u{FE30}-\u{FE4F}\u{FF00}-\u{FF60}\u{FFE0}-\u{FFE6}\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
/** Code points drawn on the one before them (combining accents and variation selectors, which are marks; zero-width spaces and joiners). */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u{200B}-\u{200F}]/u;

/**
 * Columns a terminal gives `text`, counted by code point: two for the wide ones (東, 🚀), none for combining marks,
 * one for the rest. An approximation of East Asian Width, enough to keep a table's columns in line.
 */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : ZERO_WIDTH.test(char) ? 0 : 1;
  return width;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * An aligned table: a header row, then one line per row, columns two spaces apart, each as wide as its widest cell.
 * No line ends in a space.
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((_, index) => cell(row[index] ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(textWidth(column.header), ...cells.map((row) => textWidth(row[index] ?? ''))),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => pad(value, widths[index] ?? 0, columns[index]?.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

/** One object as "key: value" lines, in the order given. */
export function fields(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([key, value]) => `${key}: ${cell(value)}`.trimEnd()).join('\n');
}

/** An absent value in a table or a field. */
export const NONE = '-';

/** An amount as the API writes it ("450.000", "-12.5000") with its currency's sign before it: "£450.000", "-€12.5000". */
export function money(amount: string, currencyCode: string): string {
  const sign = currencyOf(currencyCode)?.sign ?? `${currencyCode} `;
  return amount.startsWith('-') ? `-${sign}${amount.slice(1)}` : `${sign}${amount}`;
}

/** A time in UTC to the minute: "2026-12-06 02:05". */
export function minuteUtc(us: number): string {
  return isoFromUs(us).slice(0, 16).replace('T', ' ');
}

/** "1 rate", "3 rates". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A price list's diff: one line of counts, then a table of the rows added (+), removed (-) and repriced (~). */
export function rateDiff(diff: RateListDiff, currencyCode: string): string {
  const price = (minor: number) => money(formatMinor(minor), currencyCode);
  const summary = `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`;
  const rows = [
    ...diff.added.map((row) => ['+', row.mcc, row.mnc ?? NONE, NONE, price(row.rateMinor)]),
    ...diff.removed.map((row) => ['-', row.mcc, row.mnc ?? NONE, price(row.rateMinor), NONE]),
    ...diff.changed.map((row) => ['~', row.mcc, row.mnc ?? NONE, price(row.oldRateMinor), price(row.newRateMinor)]),
  ];
  if (rows.length === 0) return summary;
  const columns: Column[] = [
    { header: '' },
    { header: 'MCC' },
    { header: 'MNC' },
    { header: 'OLD PRICE', align: 'right' },
    { header: 'NEW PRICE', align: 'right' },
  ];
  return `${summary}\n${table(columns, rows)}`;
}

/** The same diff for --json: amounts as the API writes them. */
export function rateDiffJson(diff: RateListDiff) {
  const row = (rate: { mcc: string; mnc: string | null; rateMinor: number }) => ({
    mcc: rate.mcc,
    mnc: rate.mnc,
    rate: formatMinor(rate.rateMinor),
  });
  return {
    added: diff.added.map(row),
    removed: diff.removed.map(row),
    changed: diff.changed.map((change) => ({
      mcc: change.mcc,
      mnc: change.mnc,
      old_rate: formatMinor(change.oldRateMinor),
      new_rate: formatMinor(change.newRateMinor),
    })),
    unchanged: diff.unchanged,
  };
}
