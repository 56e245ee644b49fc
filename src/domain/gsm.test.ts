// Tests of the GSM 03.38 rules (encoding, parts, septets), including a comparison with Twilio's segment calculator.
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/support/random.js';
import {
  countParts,
  detectEncoding,
  type Encoding,
  fromGsm7Septets,
  isGsm7,
  splitParts,
  toGsm7Septets,
  ucs2Characters,
} from './gsm.js';

/** TS 23.038 basic table by septet value; 0x1B is the escape, written here as U+001B and never a character. */
const BASIC_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  '\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';
const BASIC_CHARS = [...BASIC_TABLE].filter((char) => char !== '\u001b');
const EXTENSION_CHARS: ReadonlyArray<readonly [char: string, septet: number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

const basic = (count: number) => 'a'.repeat(count);
const cyrillic = (count: number) => 'ж'.repeat(count);
const EURO = '€';
const EMOJI = '😀';

/** Septets of a GSM-7 text or UTF-16 code units of a UCS-2 text, computed independently of the module. */
function unitsOf(text: string, encoding: Encoding): number {
  if (encoding === 'UCS-2') return text.length;
  let septets = 0;
  for (const char of text) septets += EXTENSION_CHARS.some(([extension]) => extension === char) ? 2 : 1;
  return septets;
}

describe('encoding detection', () => {
  it('treats every character of the basic table, CR and LF included, as one septet of GSM-7', () => {
    expect(BASIC_CHARS).toHaveLength(127);
    for (const char of BASIC_CHARS) {
      expect({ char, info: countParts(char) }).toEqual({
        char,
        info: { encoding: 'GSM-7', parts: 1, units: 1, unitsPerPart: 160 },
      });
    }
  });

  it.each(EXTENSION_CHARS)('treats extension character %j as two septets of GSM-7', (char) => {
    expect(countParts(char)).toEqual({ encoding: 'GSM-7', parts: 1, units: 2, unitsPerPart: 160 });
    expect(isGsm7(`x${char}y`)).toBe(true);
  });

  it.each([
    ['small c cedilla (0x09 is capital Ç in TS 23.038)', 'ç'],
    ['backtick', '`'],
    ['right single quotation mark', '’'],
    ['left double quotation mark', '“'],
    ['en dash', '–'],
    ['em dash', '—'],
    ['ellipsis', '…'],
    ['emoji', EMOJI],
    ['Cyrillic', 'ж'],
    ['tab', '\t'],
    ['the escape control character itself', '\u001b'],
    ['NUL (GSM 0x00 is "@", not NUL)', '\u0000'],
    ['increment sign, a lookalike of Δ', '\u2206'],
    ['ohm sign, a lookalike of Ω', '\u2126'],
    ['no-break space', '\u00a0'],
    ['A with acute', 'Á'],
    ['lone high surrogate', '\ud83d'],
  ])('forces UCS-2 for a %s', (_name, char) => {
    expect(detectEncoding(`Hello ${char}`)).toBe('UCS-2');
    expect(countParts(`Hello ${char}`).encoding).toBe('UCS-2');
  });
});

interface PartsCase {
  readonly name: string;
  readonly text: string;
  readonly parts: number;
  readonly units: number;
  readonly unitsPerPart: number;
}

const gsmCases: PartsCase[] = [
  { name: 'empty text is one part of 0 septets', text: '', parts: 1, units: 0, unitsPerPart: 160 },
  { name: '160 basic chars fit one part', text: basic(160), parts: 1, units: 160, unitsPerPart: 160 },
  { name: '161 basic chars need 2 parts of 153', text: basic(161), parts: 2, units: 161, unitsPerPart: 153 },
  { name: '153×2 basic chars fill 2 parts', text: basic(306), parts: 2, units: 306, unitsPerPart: 153 },
  { name: '153×2+1 basic chars need 3 parts', text: basic(307), parts: 3, units: 307, unitsPerPart: 153 },
  { name: '153×3 basic chars fill 3 parts', text: basic(459), parts: 3, units: 459, unitsPerPart: 153 },
  { name: '153×3+1 basic chars need 4 parts', text: basic(460), parts: 4, units: 460, unitsPerPart: 153 },
  { name: '153×6 basic chars fill 6 parts', text: basic(918), parts: 6, units: 918, unitsPerPart: 153 },
  { name: '153×6+1 basic chars need 7 parts', text: basic(919), parts: 7, units: 919, unitsPerPart: 153 },
  { name: '158 basic + € is exactly 160 septets', text: basic(158) + EURO, parts: 1, units: 160, unitsPerPart: 160 },
  { name: '159 basic + € is 161 septets', text: basic(159) + EURO, parts: 2, units: 161, unitsPerPart: 153 },
  { name: '80 € are exactly 160 septets', text: EURO.repeat(80), parts: 1, units: 160, unitsPerPart: 160 },
  {
    name: '€ at septets 152-153 ends part 1 exactly',
    text: basic(151) + EURO + basic(152),
    parts: 2,
    units: 305,
    unitsPerPart: 153,
  },
  {
    name: '€ at septets 153-154 is not split: it moves to part 2, so 306 septets need 3 parts',
    text: basic(152) + EURO + basic(152),
    parts: 3,
    units: 306,
    unitsPerPart: 153,
  },
  {
    name: '€ at septets 154-155 starts part 2',
    text: basic(153) + EURO + basic(151),
    parts: 2,
    units: 306,
    unitsPerPart: 153,
  },
  {
    name: '€ at septets 305-306 ends part 2 exactly',
    text: basic(304) + EURO + basic(153),
    parts: 3,
    units: 459,
    unitsPerPart: 153,
  },
  {
    name: '€ at septets 306-307 is not split: it moves to part 3, so 459 septets need 4 parts',
    text: basic(305) + EURO + basic(152),
    parts: 4,
    units: 459,
    unitsPerPart: 153,
  },
  {
    name: '€ at septets 307-308 starts part 3',
    text: basic(306) + EURO + basic(151),
    parts: 3,
    units: 459,
    unitsPerPart: 153,
  },
  {
    name: '153 € hold 76 per part (1 septet lost each), so 306 septets need 3 parts',
    text: EURO.repeat(153),
    parts: 3,
    units: 306,
    unitsPerPart: 153,
  },
  {
    name: 'extension chars far from any boundary change nothing',
    text: `${EURO}{}${basic(300)}`,
    parts: 2,
    units: 306,
    unitsPerPart: 153,
  },
];

const ucs2Cases: PartsCase[] = [
  { name: '70 UCS-2 units fit one part', text: cyrillic(70), parts: 1, units: 70, unitsPerPart: 70 },
  { name: '71 UCS-2 units need 2 parts of 67', text: cyrillic(71), parts: 2, units: 71, unitsPerPart: 67 },
  { name: '67×2 units fill 2 parts', text: cyrillic(134), parts: 2, units: 134, unitsPerPart: 67 },
  { name: '67×2+1 units need 3 parts', text: cyrillic(135), parts: 3, units: 135, unitsPerPart: 67 },
  { name: '67×3 units fill 3 parts', text: cyrillic(201), parts: 3, units: 201, unitsPerPart: 67 },
  { name: '67×15 units fill 15 parts', text: cyrillic(1005), parts: 15, units: 1005, unitsPerPart: 67 },
  { name: '67×15+1 units need 16 parts', text: cyrillic(1006), parts: 16, units: 1006, unitsPerPart: 67 },
  {
    name: 'GSM chars, extension ones included, cost 1 unit in a UCS-2 text',
    text: `ç${EURO.repeat(34)}${basic(35)}`,
    parts: 1,
    units: 70,
    unitsPerPart: 70,
  },
  {
    name: 'an emoji is 2 units: 68 + emoji fit one part',
    text: cyrillic(68) + EMOJI,
    parts: 1,
    units: 70,
    unitsPerPart: 70,
  },
  { name: '69 + emoji are 71 units', text: cyrillic(69) + EMOJI, parts: 2, units: 71, unitsPerPart: 67 },
  {
    name: 'surrogate pair at units 66-67 ends part 1 exactly',
    text: cyrillic(65) + EMOJI + cyrillic(67),
    parts: 2,
    units: 134,
    unitsPerPart: 67,
  },
  {
    name: 'surrogate pair at units 67-68 is not split: it moves to part 2, so 134 units need 3 parts',
    text: cyrillic(66) + EMOJI + cyrillic(66),
    parts: 3,
    units: 134,
    unitsPerPart: 67,
  },
  {
    name: 'surrogate pair at units 68-69 starts part 2',
    text: cyrillic(67) + EMOJI + cyrillic(65),
    parts: 2,
    units: 134,
    unitsPerPart: 67,
  },
  {
    name: '67 emoji hold 33 per part (1 unit lost each), so 134 units need 3 parts',
    text: EMOJI.repeat(67),
    parts: 3,
    units: 134,
    unitsPerPart: 67,
  },
  {
    name: 'a lone surrogate is a single unit and may end a part',
    text: `${cyrillic(66)}\ud83d${cyrillic(67)}`,
    parts: 2,
    units: 134,
    unitsPerPart: 67,
  },
];

const mixedCases: ReadonlyArray<PartsCase & { readonly encoding: Encoding }> = [
  {
    name: 'plain English',
    text: 'Hello, your code is 1234.',
    encoding: 'GSM-7',
    parts: 1,
    units: 25,
    unitsPerPart: 160,
  },
  {
    name: 'price with € and brackets',
    text: 'Price: 5€ [promo] {code}',
    encoding: 'GSM-7',
    parts: 1,
    units: 29,
    unitsPerPart: 160,
  },
  { name: 'CR LF are basic characters', text: 'a\r\nb', encoding: 'GSM-7', parts: 1, units: 4, unitsPerPart: 160 },
  {
    name: 'Greek capitals of the table',
    text: 'ΔΦΓΛΩΠΨΣΘΞ',
    encoding: 'GSM-7',
    parts: 1,
    units: 10,
    unitsPerPart: 160,
  },
  { name: 'Cyrillic', text: 'Привет, мир!', encoding: 'UCS-2', parts: 1, units: 12, unitsPerPart: 70 },
  { name: 'one curly apostrophe', text: 'It’s here', encoding: 'UCS-2', parts: 1, units: 9, unitsPerPart: 70 },
  {
    name: 'long Latvian text',
    text: 'Sveiki! Jūsu pasūtījums ir nosūtīts. '.repeat(4),
    encoding: 'UCS-2',
    parts: 3,
    units: 148,
    unitsPerPart: 67,
  },
];

describe('countParts', () => {
  it.each(gsmCases)('GSM-7: $name', ({ text, parts, units, unitsPerPart }) => {
    expect(countParts(text)).toEqual({ encoding: 'GSM-7', parts, units, unitsPerPart });
    expect(splitParts(text).parts).toHaveLength(parts);
  });

  it.each(ucs2Cases)('UCS-2: $name', ({ text, parts, units, unitsPerPart }) => {
    expect(countParts(text)).toEqual({ encoding: 'UCS-2', parts, units, unitsPerPart });
    expect(splitParts(text).parts).toHaveLength(parts);
  });

  it.each(mixedCases)('mixed: $name', ({ text, encoding, parts, units, unitsPerPart }) => {
    expect(countParts(text)).toEqual({ encoding, parts, units, unitsPerPart });
  });
});

describe('ucs2Characters', () => {
  it.each([
    ['nothing for a GSM-7 text', 'Hello {world} €5 ÇÅ', []],
    ['nothing for the empty text', '', []],
    [
      'distinct, in order of first appearance',
      'Ça va? ça va! It’s “fine” – 😀😀 ok ç’',
      ['ç', '’', '“', '”', '–', EMOJI],
    ],
    ['an emoji as one entry', `${EMOJI}a${EMOJI}`, [EMOJI]],
    ['a flag as its two regional indicators', 'Latvija 🇱🇻', ['\u{1f1f1}', '\u{1f1fb}']],
    ['only the combining mark of a decomposed é', 'Café\u0301', ['\u0301']],
    ['the non-GSM code points of a keycap', '1\ufe0f\u20e3', ['\ufe0f', '\u20e3']],
    ['a lone surrogate as its own entry', 'x\ud83dy', ['\ud83d']],
    ['the backtick', 'a`b', ['`']],
  ])('gives %s', (_name, text, expected) => {
    expect(ucs2Characters(text)).toEqual(expected);
  });
});

describe('splitParts', () => {
  it('keeps a single-part text, the empty one included, as it is', () => {
    expect(splitParts('')).toEqual({ encoding: 'GSM-7', parts: [''] });
    expect(splitParts(basic(160))).toEqual({ encoding: 'GSM-7', parts: [basic(160)] });
    expect(splitParts(cyrillic(70))).toEqual({ encoding: 'UCS-2', parts: [cyrillic(70)] });
  });

  it('moves an extension char that would straddle a boundary to the next part', () => {
    expect(splitParts(basic(152) + EURO + basic(152)).parts).toEqual([basic(152), EURO + basic(151), basic(1)]);
    expect(splitParts(basic(151) + EURO + basic(152)).parts).toEqual([basic(151) + EURO, basic(152)]);
  });

  it('moves a surrogate pair that would straddle a boundary to the next part', () => {
    expect(splitParts(cyrillic(66) + EMOJI + cyrillic(66)).parts).toEqual([
      cyrillic(66),
      EMOJI + cyrillic(65),
      cyrillic(1),
    ]);
  });

  it('splits grapheme clusters between code points, as only surrogate pairs are kept whole', () => {
    expect(splitParts(`${cyrillic(66)}e\u0301${cyrillic(66)}`).parts).toEqual([
      `${cyrillic(66)}e`,
      `\u0301${cyrillic(66)}`,
    ]);
    expect(splitParts(`${cyrillic(65)}🇱🇻${cyrillic(65)}`).parts).toEqual([
      `${cyrillic(65)}\u{1f1f1}`,
      `\u{1f1fb}${cyrillic(65)}`,
    ]);
  });
});

describe('septets', () => {
  it('encodes basic and extension characters, the latter behind ESC', () => {
    expect([...toGsm7Septets('A@€\n$')]).toEqual([0x41, 0x00, 0x1b, 0x65, 0x0a, 0x02]);
    expect(toGsm7Septets('')).toEqual(new Uint8Array(0));
  });

  it('gives every basic character its table position and every extension character ESC + its code', () => {
    [...BASIC_TABLE].forEach((char, septet) => {
      if (septet !== 0x1b) expect([char, [...toGsm7Septets(char)]]).toEqual([char, [septet]]);
    });
    for (const [char, septet] of EXTENSION_CHARS) {
      expect([char, [...toGsm7Septets(char)]]).toEqual([char, [0x1b, septet]]);
    }
  });

  it('rejects a character outside the alphabet, naming it', () => {
    expect(() => toGsm7Septets('abç')).toThrow(RangeError);
    expect(() => toGsm7Septets('abç')).toThrow('"ç" (U+00E7) at index 2');
    expect(() => toGsm7Septets(`a${EMOJI}`)).toThrow('(U+1F600) at index 1');
  });

  it('decodes 0x09 as capital Ç and follows the receiving rules for undefined escapes', () => {
    expect(fromGsm7Septets(Uint8Array.of(0x09))).toBe('Ç');
    expect(fromGsm7Septets(Uint8Array.of(0x1b, 0x1b, 0x41))).toBe(' A');
    expect(fromGsm7Septets(Uint8Array.of(0x1b, 0x41))).toBe('A');
  });

  it('rejects values above 127 and a trailing ESC', () => {
    expect(() => fromGsm7Septets(Uint8Array.of(0x41, 0x80))).toThrow(RangeError);
    expect(() => fromGsm7Septets(Uint8Array.of(0x1b, 0xc1))).toThrow(RangeError);
    expect(() => fromGsm7Septets(Uint8Array.of(0x41, 0x1b))).toThrow('ends the text');
  });
});

const UCS2_BMP = [...'çжЖщ中文字’‘“”–—…ёÁâ`\tğşİąłœ\u00a0'];
const ASTRAL = ['😀', '😂', '👍', '🎉', '🚀', '𝄞', '🙂', '𠜎'];
/** Several code points forming one grapheme cluster. */
const CLUSTERS = ['e\u0301', '🇱🇻', '👍🏽', '👨\u200d👩\u200d👧', '1\ufe0f\u20e3', 'a\u0308\u0304', 'ж\u0301'];
const EXTENSION_ONLY = EXTENSION_CHARS.map(([char]) => char);

/**
 * Texts mixing GSM basic and extension chars, UCS-2 BMP chars, astral chars and multi-code-point clusters, most of
 * them sized within a few units of a part boundary so that straddling atoms are common.
 */
function generateTexts(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const texts: string[] = [];
  for (let n = 0; n < count; n++) {
    const gsmOnly = random() < 0.4;
    const boundaries = gsmOnly ? [160, 306, 459, 612, 765, 918] : [70, 134, 201, 268, 335, 402, 469, 536, 603, 670];
    const targetUnits = random() < 0.8 ? pick(boundaries) + Math.floor(random() * 9) - 4 : Math.floor(random() * 1000);
    const extensionShare = pick([0, 0.05, 0.3, 1]);
    const ucs2Share = gsmOnly ? 0 : pick([0.02, 0.3, 1]);
    const astralShare = gsmOnly ? 0 : pick([0, 0.1, 0.5]);
    const clusterShare = !gsmOnly && random() < 0.3 ? 0.03 : 0;
    let text = '';
    let units = 0;
    while (units < targetUnits) {
      let atom: string;
      if (random() < clusterShare) atom = pick(CLUSTERS);
      else if (random() < ucs2Share) atom = random() < astralShare ? pick(ASTRAL) : pick(UCS2_BMP);
      else atom = random() < extensionShare ? pick(EXTENSION_ONLY) : pick(BASIC_CHARS);
      text += atom;
      units += unitsOf(atom, gsmOnly ? 'GSM-7' : 'UCS-2');
    }
    texts.push(text);
  }
  return texts;
}

const GENERATED = generateTexts(3000, 0x5eed);

describe('round trips over generated texts', () => {
  it('joins the parts back into the text, each within its limit, as many as countParts says', () => {
    for (const text of GENERATED) {
      const info = countParts(text);
      const split = splitParts(text);
      expect(split.parts.join('')).toBe(text);
      expect(split.encoding).toBe(info.encoding);
      expect(split.parts).toHaveLength(info.parts);
      expect(info.units).toBe(unitsOf(text, info.encoding));
      for (const part of split.parts) {
        if (info.parts > 1) expect(part.length).toBeGreaterThan(0);
        expect(unitsOf(part, info.encoding)).toBeLessThanOrEqual(info.unitsPerPart);
      }
      for (let i = 1; i < split.parts.length; i++) {
        const before = split.parts[i - 1] as string;
        const after = split.parts[i] as string;
        const pairSplit = /[\ud800-\udbff]$/.test(before) && /^[\udc00-\udfff]/.test(after);
        expect(pairSplit).toBe(false);
      }
    }
  });

  it('decodes the septets of every GSM-7 text back into it', () => {
    let gsmTexts = 0;
    for (const text of GENERATED) {
      if (!isGsm7(text)) continue;
      gsmTexts++;
      const septets = toGsm7Septets(text);
      expect(septets.length).toBe(countParts(text).units);
      expect(fromGsm7Septets(septets)).toBe(text);
    }
    expect(gsmTexts).toBeGreaterThan(1000);
  });
});

/**
 * Comparison with Twilio's sms-segments-calculator (smart encoding off: it would replace characters such as "’"
 * by GSM ones before counting). Reading its source shows that its character table is the TS 23.038 one (0x09 as
 * "Ç" included, checked over the whole BMP below), that it never splits an extension character (an encoded char is
 * placed whole, 14 bits) nor a surrogate pair, and that its segments hold 160/153 septets or 70/67 units. It
 * deliberately differs from the standard where it works on grapheme clusters (grapheme-splitter) instead of code
 * points:
 *  1. In UCS-2 it never splits a cluster of several code points (an accented letter written with a combining mark,
 *     a flag, a ZWJ emoji sequence, a keycap) across segments, so such a cluster straddling a boundary moves whole
 *     to the next segment, where TS 23.038 concatenation only cares about code units and we keep only surrogate
 *     pairs whole. A cluster longer than a segment is even put whole into one segment above 67 units. Texts where a
 *     multi-code-point cluster straddles one of our boundaries are left out of the part comparison, and the tests
 *     under "differences from the oracle" pin our behaviour.
 *  2. Its `getNonGsmCharacters()` lists clusters, repeated on each occurrence, where `ucs2Characters` lists
 *     distinct code points; the lists are compared after expanding its clusters into non-GSM code points.
 *  3. Its `numberOfCharacters` counts clusters in UCS-2 where `units` counts UTF-16 code units; units are compared
 *     through its message size in bits, which counts code units.
 * A lone surrogate is a grapheme of its own for it, as it is one unit for us, so lone surrogates need no exclusion.
 */
function oracle(text: string) {
  const message = new SegmentedMessage(text, 'auto', false);
  const bitsPerUnit = message.encodingName === 'GSM-7' ? 7 : 16;
  return {
    encoding: message.encodingName,
    parts: message.segmentsCount,
    units: message.messageSize / bitsPerUnit,
    unitsPerSegment: message.segments.map((segment) => segment.messageSizeInBits() / bitsPerUnit),
    graphemes: message.graphemes,
    nonGsmGraphemes: message.getNonGsmCharacters(),
  };
}

/** Whether a cluster of several code points has one of our part boundaries strictly inside it. */
function clusterStraddlesBoundary(graphemes: readonly string[], parts: readonly string[]): boolean {
  const boundaries = new Set<number>();
  let offset = 0;
  for (const part of parts.slice(0, -1)) {
    offset += part.length;
    boundaries.add(offset);
  }
  let start = 0;
  for (const grapheme of graphemes) {
    if ([...grapheme].length > 1) {
      for (let inside = start + 1; inside < start + grapheme.length; inside++) {
        if (boundaries.has(inside)) return true;
      }
    }
    start += grapheme.length;
  }
  return false;
}

describe('comparison with sms-segments-calculator', () => {
  it('agrees on which BMP characters are GSM and on their septets', () => {
    const disagreements: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      const message = new SegmentedMessage(char, 'auto', false);
      const ours = isGsm7(char) ? [...toGsm7Septets(char)] : null;
      const theirs = message.encodingName === 'GSM-7' ? (message.encodedChars[0]?.codeUnits ?? []) : null;
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) disagreements.push(char);
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees on encoding, units, part sizes and UCS-2 characters over generated texts', () => {
    let compared = 0;
    let excluded = 0;
    let excludedThatDiffer = 0;
    const naiveArithmeticWrong = { 'GSM-7': 0, 'UCS-2': 0 };
    for (const text of GENERATED) {
      const theirs = oracle(text);
      const ours = countParts(text);
      const split = splitParts(text);
      expect({ text, encoding: ours.encoding, units: ours.units }).toEqual({
        text,
        encoding: theirs.encoding,
        units: theirs.units,
      });
      const theirNonGsm = [...new Set(theirs.nonGsmGraphemes.flatMap((grapheme) => [...grapheme]))].filter(
        (codePoint) => !isGsm7(codePoint),
      );
      expect({ text, characters: ucs2Characters(text) }).toEqual({ text, characters: theirNonGsm });

      const ourUnitsPerPart = split.parts.map((part) => unitsOf(part, ours.encoding));
      if (clusterStraddlesBoundary(theirs.graphemes, split.parts)) {
        excluded++;
        if (JSON.stringify(ourUnitsPerPart) !== JSON.stringify(theirs.unitsPerSegment)) excludedThatDiffer++;
        continue;
      }
      compared++;
      expect({ text, parts: ours.parts, unitsPerPart: ourUnitsPerPart }).toEqual({
        text,
        parts: theirs.parts,
        unitsPerPart: theirs.unitsPerSegment,
      });
      const singlePart = ours.encoding === 'GSM-7' ? 160 : 70;
      const multipart = ours.encoding === 'GSM-7' ? 153 : 67;
      const naiveParts = ours.units <= singlePart ? 1 : Math.ceil(ours.units / multipart);
      if (naiveParts !== theirs.parts) naiveArithmeticWrong[ours.encoding]++;
    }
    // The texts must exercise both the comparison and the boundary effects, or agreeing would prove little.
    expect(compared).toBeGreaterThan(GENERATED.length * 0.9);
    expect(excluded).toBeGreaterThan(0);
    expect(excludedThatDiffer).toBeGreaterThan(0);
    expect(naiveArithmeticWrong['GSM-7']).toBeGreaterThan(20);
    expect(naiveArithmeticWrong['UCS-2']).toBeGreaterThan(20);
  });

  describe('differences from the oracle, pinned to the standard behaviour', () => {
    it('splits a combining sequence straddling a UCS-2 boundary where the oracle moves it whole', () => {
      const text = `${cyrillic(66)}e\u0301${cyrillic(66)}`;
      expect(countParts(text)).toEqual({ encoding: 'UCS-2', parts: 2, units: 134, unitsPerPart: 67 });
      expect(oracle(text).unitsPerSegment).toEqual([66, 67, 1]);
    });

    it('splits a flag between its regional indicators where the oracle moves it whole', () => {
      const text = `${cyrillic(65)}🇱🇻${cyrillic(65)}`;
      expect(countParts(text).parts).toBe(2);
      expect(oracle(text).unitsPerSegment).toEqual([65, 67, 2]);
    });

    it('splits a cluster longer than a part where the oracle puts it whole into one oversized segment', () => {
      const text = `${cyrillic(60)}e${'\u0301'.repeat(80)}${cyrillic(60)}`;
      expect(splitParts(text).parts.map((part) => part.length)).toEqual([67, 67, 67]);
      expect(oracle(text).unitsPerSegment).toEqual([60, 81, 60]);
    });

    it('lists distinct code points where the oracle lists each cluster occurrence', () => {
      const text = 'ж 1\ufe0f\u20e3 ж';
      expect(ucs2Characters(text)).toEqual(['ж', '\ufe0f', '\u20e3']);
      expect(oracle(text).nonGsmGraphemes).toEqual(['ж', '1\ufe0f\u20e3', 'ж']);
    });

    it('counts UTF-16 units where the oracle counts clusters as characters', () => {
      const text = `${EMOJI}e\u0301`;
      expect(countParts(text).units).toBe(4);
      expect(new SegmentedMessage(text, 'auto', false).numberOfCharacters).toBe(2);
    });
  });
});
