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
