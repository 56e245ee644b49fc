// Recipients from what a user types, pastes or uploads: split, cleaned of phone punctuation (by the one rule of
// src/domain/recipient-text.ts, also behind the public API's hint), deduplicated.
// Written for a million numbers: plain loops and string slices, no regular expression per number where avoidable.
import {
  normaliseRecipient,
  recipientCsvCell,
  recipientCsvLayout,
  recipientCsvLines,
  splitRecipientText,
} from '../../src/domain/recipient-text.js';

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

/**
 * Numbers from a CSV file: the first column whose cells look like phone numbers (the first column when none does),
 * skipping a header row. Other cells of that column are kept as written so that the price check reports them.
 */
export function parseRecipientCsv(text: string): CsvRecipients {
  const lines = recipientCsvLines(text);
  const { delimiter, column, header } = recipientCsvLayout(lines);
  const numbers: string[] = [];
  let emptyRows = 0;
  let headerSkipped = header === null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (!headerSkipped) {
      headerSkipped = true;
      continue;
    }
    const cleaned = normaliseRecipient(recipientCsvCell(line, delimiter, column));
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
