// Recipients from what a user types, pastes or uploads: split, cleaned of phone punctuation (by the one rule of
// src/domain/recipient-text.ts, also behind the public API's hint), deduplicated.
// Written for a million numbers: plain loops and string slices, no regular expression per number where avoidable.
import { isRecipientNumber, normaliseRecipient, splitRecipientText } from '../../src/domain/recipient-text.js';

function looksLikePhone(cell: string): boolean {
  return isRecipientNumber(normaliseRecipient(cell));
}

/** Numbers typed or pasted: one a line, or separated by commas, semicolons, tabs, bars or spaces, where a number
 *  written in groups ("+371 2612 3457") stays one. */
export const parseRecipientText = splitRecipientText;

export interface CsvRecipients {
  readonly numbers: string[];
  /** 0-based column the numbers were read from. */
  readonly column: number;
  /** The column's header when the first row is one. */
  readonly header: string | null;
  /** Rows without a value in that column. */
  readonly emptyRows: number;
}

function splitQuoted(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

function cellAt(line: string, delimiter: string, column: number): string {
  if (delimiter === '') return line;
  if (line.includes('"')) return splitQuoted(line, delimiter)[column] ?? '';
  let start = 0;
  for (let skipped = 0; skipped < column; skipped++) {
    const next = line.indexOf(delimiter, start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = line.indexOf(delimiter, start);
  return end < 0 ? line.slice(start) : line.slice(start, end);
}

function detectDelimiter(sample: readonly string[]): string {
  let best = '';
  let bestCount = 0;
  for (const delimiter of [',', ';', '\t', '|']) {
    let total = 0;
    for (const line of sample) total += line.split(delimiter).length - 1;
    if (total > bestCount) {
      best = delimiter;
      bestCount = total;
    }
  }
  return best;
}

const SAMPLE_ROWS = 200;

/**
 * Numbers from a CSV file: the first column whose cells look like phone numbers (the first column when none does),
 * skipping a header row. Other cells of that column are kept as written so that the price check reports them.
 */
export function parseRecipientCsv(text: string): CsvRecipients {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const sample: string[] = [];
  for (const line of lines) {
    if (line.trim() !== '') sample.push(line);
    if (sample.length >= SAMPLE_ROWS) break;
  }
  const delimiter = detectDelimiter(sample);
  const phoneCells: number[] = [];
  for (const line of sample) {
    const cells = delimiter === '' ? [line] : splitQuoted(line, delimiter);
    cells.forEach((cell, column) => {
      if (looksLikePhone(cell)) phoneCells[column] = (phoneCells[column] ?? 0) + 1;
    });
  }
  let column = 0;
  let best = 0;
  phoneCells.forEach((found, index) => {
    if (found > best) {
      best = found;
      column = index;
    }
  });
  const first = sample[0];
  const firstCell = first === undefined ? '' : cellAt(first, delimiter, column).trim();
  const header = first !== undefined && firstCell !== '' && !looksLikePhone(firstCell) ? firstCell : null;
  const numbers: string[] = [];
  let emptyRows = 0;
  let headerSkipped = header === null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (!headerSkipped) {
      headerSkipped = true;
      continue;
    }
    const cleaned = normaliseRecipient(cellAt(line, delimiter, column));
    if (cleaned === '') emptyRows++;
    else numbers.push(cleaned);
  }
  return { numbers, column, header, emptyRows };
}

export interface RecipientList {
  readonly numbers: string[];
  readonly duplicates: number;
}

/** The lists joined, each number once, in the order first seen. */
export function mergeRecipients(...lists: readonly (readonly string[])[]): RecipientList {
  const seen = new Set<string>();
  const numbers: string[] = [];
  let duplicates = 0;
  for (const list of lists) {
    for (const number of list) {
      if (seen.has(number)) duplicates++;
      else {
        seen.add(number);
        numbers.push(number);
      }
    }
  }
  return { numbers, duplicates };
}
