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
