// Rules for a sender name (the "from" a phone shows): alphanumeric up to 11 characters, or a number up to 16 digits.
import { SENDER_ALPHA_CHARS_MAX, SENDER_NUMERIC_DIGITS_MAX } from './limits.js';
import { renderText, SERVER_TEXTS } from './texts.js';

/** Null when the name can be used as an SMS sender, else why not. */
export function senderNameProblem(name: string): string | null {
  if (name.trim() === '') return SERVER_TEXTS.senderNameBlank;
  if (name !== name.trim()) return SERVER_TEXTS.senderNameSpaces;
  if (/^\+?\d+$/.test(name)) {
    const digits = name.replace('+', '').length;
    return digits <= SENDER_NUMERIC_DIGITS_MAX
      ? null
      : renderText('senderNumericDigits', { count: SENDER_NUMERIC_DIGITS_MAX });
  }
  if (!/^[A-Za-z0-9 .\-&_]+$/.test(name)) return SERVER_TEXTS.senderAlphaCharacters;
  if (!/[A-Za-z]/.test(name)) return SERVER_TEXTS.senderNeedsLetter;
  return name.length <= SENDER_ALPHA_CHARS_MAX
    ? null
    : renderText('senderAlphaLength', { count: SENDER_ALPHA_CHARS_MAX });
}
