// Numbers as people write them ("+371 2612 3457", "0037126123458", "(371) 2612-3457") read as the API takes them:
// digits only, with the country code. One home for the dashboard's typed and pasted numbers, its CSV import, and the
// public API's hint beside its strict 422. Written for a million numbers: plain loops, few regular expressions.

/** What the API takes: 8 to 20 digits, international format without "+". */
const RECIPIENT_RE = /^\d{8,20}$/;
/** A number written with spaces, dashes, dots, brackets or a leading "+". */
const PHONE_LIKE = /^\+?[\d\s\-().]+$/;
const PUNCTUATION = /[\s\-().+]/g;
/** Where a number written in a list starts: "+", "00", possibly inside a bracket. */
const INTERNATIONAL_START = /^\(?(\+|00)/;
/** What separates numbers in typed or pasted text, besides spaces (which may also be inside one number). */
const LIST_SEPARATORS = /[\r\n\t,;|]+/;
const SPACES = /\s+/;

export function isRecipientNumber(text: string): boolean {
  return RECIPIENT_RE.test(text);
}

/**
 * The token as the API should see it: surrounding quotes dropped, and a phone-looking token reduced to its digits,
 * without the "00" international prefix. Anything else is kept as written, so that it is reported as it was typed.
 */
export function normaliseRecipient(token: string): string {
  let value = token.trim();
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    value = value.slice(1, -1).trim();
  }
  if (value === '') return '';
  let digits: string;
  if (/^\d+$/.test(value)) digits = value;
  else if (PHONE_LIKE.test(value)) digits = value.replace(PUNCTUATION, '');
  else return value;
  // No country code starts with 0: a leading "00" is the international prefix, as "+" is.
  return digits.startsWith('00') ? digits.slice(2) : digits;
}

/**
 * One piece of text between list separators, in which spaces may separate numbers or group the digits of one:
 * numbers each written whole stay apart; else the piece is read as numbers each starting with "+" or "00" (a single
 * number when none does) if every one of them is then a valid number; else each word is taken on its own, so that
 * the ones that are not numbers are reported.
 */
function numbersOfPiece(piece: string, out: string[]): void {
  const words = piece.trim().split(SPACES);
  if (words.length === 1) {
    const only = normaliseRecipient(words[0] as string);
    if (only !== '') out.push(only);
    return;
  }
  const each = words.map(normaliseRecipient).filter((word) => word !== '');
  if (each.every(isRecipientNumber)) {
    out.push(...each);
    return;
  }
  const groups: string[] = [];
  for (const word of words) {
    if (groups.length === 0 || INTERNATIONAL_START.test(word)) groups.push(word);
    else groups[groups.length - 1] += ` ${word}`;
  }
  const joined = groups.map(normaliseRecipient);
  out.push(...(joined.every(isRecipientNumber) ? joined : each));
}

/** Numbers typed or pasted: one a line, or separated by commas, semicolons, tabs, bars or spaces. */
export function splitRecipientText(text: string): string[] {
  const numbers: string[] = [];
  for (const piece of text.split(LIST_SEPARATORS)) {
    if (piece.trim() === '') continue;
    numbersOfPiece(piece, numbers);
  }
  return numbers;
}

// --- Numbers in a CSV file (Compose's upload, the opt-out list's import) ------------------------------------------

function looksLikePhone(cell: string): boolean {
  return isRecipientNumber(normaliseRecipient(cell));
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

/** The cell of `column` in one line of the file (quotes as spreadsheets write them); '' when the line is shorter. */
export function recipientCsvCell(line: string, delimiter: string, column: number): string {
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

/** The file's lines (line n of the file is index n − 1), without a byte order mark. */
export function recipientCsvLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/);
}

export interface RecipientCsvLayout {
  /** ',', ';', tab or '|'; '' for a file of one column. */
  readonly delimiter: string;
  /** 0-based column the numbers are read from. */
  readonly column: number;
  /** The column's header when the first row is one (its first non-empty line is then skipped). */
  readonly header: string | null;
}

/**
 * Where the numbers of a CSV file are, from its first rows: the first column whose cells look like phone numbers
 * (the first column when none does), and whether the first row is a header (its cell there is not a number).
 */
export function recipientCsvLayout(lines: readonly string[]): RecipientCsvLayout {
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
  const firstCell = first === undefined ? '' : recipientCsvCell(first, delimiter, column).trim();
  const header = first !== undefined && firstCell !== '' && !looksLikePhone(firstCell) ? firstCell : null;
  return { delimiter, column, header };
}
