// Two-way messaging: how a received text names the keyword of a shared short code.

/** A keyword as stored and compared: upper case, NFC. */
export function foldKeyword(word: string): string {
  return word.normalize('NFC').toUpperCase();
}

/** The keyword a received text starts with (its first word, any case), or null for a blank text. */
export function keywordOfText(text: string): string | null {
  const first = text.normalize('NFC').trim().split(/\s+/u)[0] ?? '';
  return first === '' ? null : foldKeyword(first);
}

/** A keyword an operator assigns: one word of letters and digits, at most 20 characters. */
export function isKeyword(word: string): boolean {
  return /^[\p{L}\p{N}]{1,20}$/u.test(word);
}

/** A number that receives: a long number in international digits or a short code, 3 to 20 digits. */
export function receivingNumberOf(text: string): string | null {
  const digits = text.trim().replace(/^\+/, '');
  return /^\d{3,20}$/.test(digits) ? digits : null;
}

/**
 * C0 controls no stored text holds: every one but the four HTML reads as white space (TAB, LF, FF, CR). NUL is among
 * them because PostgreSQL refuses a text value holding it; the others show as nothing on the dashboard and say nothing
 * a reader could use.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
const UNSTORABLE_CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f]/g;

/**
 * A text that came from outside (a handset's message, its sender, a provider's id of it) as it is stored, shown and
 * compared: NULs closing it (a C string's end) dropped, any other C0 control but TAB, LF, FF and CR read as U+FFFD (a
 * character that could not be read). The one rule of every inbound path (webhooks, SMPP, the sandbox), so that no
 * provider's text can fail to be stored; applying it twice, or to each part of a long message, changes nothing more.
 * (Half of a surrogate pair is left: the drivers of both engines write it as U+FFFD, and a part of a long message may
 * end with the half the next part completes.)
 */
export function storableText(text: string): string {
  return text.replace(/\0+$/, '').replace(UNSTORABLE_CONTROLS, '\uFFFD');
}

/**
 * How a provider says a sender's address is written, when it says (SMPP's source_addr_ton): with its country code
 * ('international'), without it ('national'), a name ('alphanumeric'), or not said ('unknown', every webhook).
 */
export type SenderFormat = 'international' | 'national' | 'alphanumeric' | 'unknown';

/** A sender written as a number: digits with spaces, dashes, dots or brackets between them, maybe a leading "+". */
const WRITTEN_NUMBER = /^\+?[\d\s\-().]*\d[\d\s\-().]*$/;
const NUMBER_PUNCTUATION = /[\s\-().+]/g;

/**
 * A sender as written, read as a number: its digits, and whether it starts with "+" (its country code follows); null
 * when it is no number (a name such as "Shop", kept as it is).
 */
export function writtenNumber(sender: string): { readonly digits: string; readonly plus: boolean } | null {
  const text = sender.trim();
  if (!WRITTEN_NUMBER.test(text)) return null;
  return { digits: text.replace(NUMBER_PUNCTUATION, ''), plus: text.startsWith('+') };
}

/** International digits as written after "+" or an international prefix "00" (no country code starts with 0). */
export function withoutInternationalPrefix(digits: string): string {
  return digits.startsWith('00') ? digits.slice(2) : digits;
}
