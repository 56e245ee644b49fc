// Smart encoding: a text whose only non-GSM characters have GSM look-alikes is sent as GSM-7, not UCS-2.
//
// One character outside GSM 03.38 makes a whole message UCS-2: 70 characters a part instead of 160, so a Latvian
// "Jūsu kods" costs two or three parts where its plain-letter spelling costs one. With smart encoding on, each
// character outside GSM 03.38 is replaced by its look-alike:
// - letters with diacritics by their base letter, from Unicode's decomposition (NFKD: "ā" is "a" followed by
//   U+0304 COMBINING MACRON; the combining marks, U+0300–U+036F, are dropped) — Latvian, Lithuanian, Polish, Czech,
//   Slovak, Romanian, Hungarian, Estonian, Croatian and Turkish letters alike;
// - letters with no decomposition (ł, đ, ı, ẞ, œ, þ, ð) and typographic punctuation (curly quotes, dashes, ellipsis,
//   special spaces), from the table below, built from the Unicode character names.
// Characters that are in GSM 03.38 are kept, even with diacritics (é, ü, ñ, Ä, Ø, à…), as are characters with no
// look-alike (Cyrillic, emoji). When any of those remains, the message stays UCS-2 whatever is replaced, so nothing is
// replaced and the text is sent as written: smart encoding never changes a text it cannot make cheaper.
import { countParts, type Encoding, isGsm7 } from './gsm.js';

/** Look-alikes that canonical decomposition does not give: letters without one, and typographic punctuation. */
const LOOK_ALIKES: Readonly<Record<string, string>> = Object.freeze({
  // Letters (Unicode names: LATIN SMALL LETTER L WITH STROKE, D WITH STROKE, DOTLESS I, SHARP S, LIGATURE OE, …).
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ẞ: 'SS',
  œ: 'oe',
  Œ: 'OE',
  þ: 'th',
  Þ: 'Th',
  ð: 'd',
  ħ: 'h',
  Ħ: 'H',
  ŀ: 'l',
  Ŀ: 'L',
  ĸ: 'k',
  // Quotation marks: LEFT/RIGHT SINGLE, SINGLE LOW-9, SINGLE HIGH-REVERSED-9, PRIME; and their double forms.
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u00b4': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2039': "'",
  '\u203a': "'",
  // Dashes and hyphens: HYPHEN, NON-BREAKING HYPHEN, FIGURE DASH, EN DASH, EM DASH, HORIZONTAL BAR, MINUS SIGN.
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  // HORIZONTAL ELLIPSIS, BULLET, MIDDLE DOT, FRACTION SLASH.
  '\u2026': '...',
  '\u2022': '-',
  '\u00b7': '.',
  '\u2044': '/',
  // Spaces: NO-BREAK, EN/EM and the other fixed-width spaces, NARROW NO-BREAK, MEDIUM MATHEMATICAL, IDEOGRAPHIC.
  '\u00a0': ' ',
  '\u2000': ' ',
  '\u2001': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2004': ' ',
  '\u2005': ' ',
  '\u2006': ' ',
  '\u2007': ' ',
  '\u2008': ' ',
  '\u2009': ' ',
  '\u200a': ' ',
  '\u202f': ' ',
  '\u205f': ' ',
  '\u3000': ' ',
  // Invisible: ZERO WIDTH SPACE, ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER, WORD JOINER, BYTE ORDER MARK, SOFT HYPHEN.
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': '',
  '\u00ad': '',
});

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** The GSM look-alike of one character outside GSM 03.38, or null when it has none. */
function lookAlike(char: string): string | null {
  const listed = LOOK_ALIKES[char];
  if (listed !== undefined) return listed;
  const base = char.normalize('NFKD').replace(COMBINING_MARKS, '');
  if (base !== char && base.length > 0 && isGsm7(base)) return base;
  return null;
}

/**
 * The text with every character outside GSM 03.38 replaced by its look-alike, when that makes it all GSM-7; the text
 * unchanged otherwise (already GSM-7, or holding a character with no look-alike).
 */
export function smartEncode(text: string): string {
  if (isGsm7(text)) return text;
  let out = '';
  for (const char of text) {
    if (isGsm7(char)) {
      out += char;
      continue;
    }
    const replacement = lookAlike(char);
    if (replacement === null) return text;
    out += replacement;
  }
  return out;
}

/** What smart encoding does to a text: the text to send and its parts, beside the text as written and its parts. */
export interface SmartEncodingEffect {
  readonly text: string;
  readonly encoding: Encoding;
  readonly parts: number;
  /** Whether any character was replaced. */
  readonly applied: boolean;
  readonly originalEncoding: Encoding;
  readonly originalParts: number;
}

export function smartEncodingEffect(original: string): SmartEncodingEffect {
  const text = smartEncode(original);
  const before = countParts(original);
  const after = text === original ? before : countParts(text);
  return {
    text,
    encoding: after.encoding,
    parts: after.parts,
    applied: text !== original,
    originalEncoding: before.encoding,
    originalParts: before.parts,
  };
}
