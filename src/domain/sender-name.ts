// Rules for a sender name (the "from" a phone shows): alphanumeric up to 11 characters, or a number up to 16 digits.
import { SENDER_ALPHA_CHARS_MAX, SENDER_NUMERIC_DIGITS_MAX } from './limits.js';

/** Null when the name can be used as an SMS sender, else why not. */
export function senderNameProblem(name: string): string | null {
  if (name.trim() === '') return 'a sender name is required';
  if (name !== name.trim()) return 'a sender name cannot start or end with spaces';
  if (/^\+?\d+$/.test(name)) {
    const digits = name.replace('+', '').length;
    return digits <= SENDER_NUMERIC_DIGITS_MAX
      ? null
      : `a numeric sender has at most ${SENDER_NUMERIC_DIGITS_MAX} digits`;
  }
  if (!/^[A-Za-z0-9 .\-&_]+$/.test(name)) return 'an alphanumeric sender uses only A-Z, a-z, 0-9, space and . - & _';
  if (!/[A-Za-z]/.test(name)) return 'an alphanumeric sender needs at least one letter';
  return name.length <= SENDER_ALPHA_CHARS_MAX
    ? null
    : `an alphanumeric sender has at most ${SENDER_ALPHA_CHARS_MAX} characters`;
}
