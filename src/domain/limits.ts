// Every named maximum of the platform in one place, so that a limit is changed once and shows everywhere.

/** Per-recipient errors listed in one 422 response; the rest are not enumerated. */
export const RECIPIENT_ERRORS_MAX = 100;

/** A recipient: international digits without "+". */
export const RECIPIENT_DIGITS_MIN = 8;
export const RECIPIENT_DIGITS_MAX = 20;

/** Characters of one message text (UTF-16 code units, as the text is stored and counted). */
export const MESSAGE_CHARS_MAX = 20_000;

/** Parts of one message: concatenation with an 8-bit reference numbers parts 1..255. */
export const MESSAGE_PARTS_MAX = 255;

/** Sender names: an alphanumeric sender is at most 11 characters, a numeric one at most 16 digits. */
export const SENDER_ALPHA_CHARS_MAX = 11;
export const SENDER_NUMERIC_DIGITS_MAX = 16;

/** Page sizes of listings. */
export const PER_PAGE_DEFAULT = 100;
export const PER_PAGE_MAX = 1000;
