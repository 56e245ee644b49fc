// GSM 03.38 (3GPP TS 23.038) text rules: encoding detection, SMS part counting and splitting, septet conversion.

export type Encoding = 'GSM-7' | 'UCS-2';

export interface PartsInfo {
  readonly encoding: Encoding;
  /** Number of SMS parts. */
  readonly parts: number;
  /** Septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2). */
  readonly units: number;
  /** 160 or 153 (GSM-7), 70 or 67 (UCS-2), for the computed part count. */
  readonly unitsPerPart: number;
}

/** A single part carries 140 octets: 160 septets, or 70 UTF-16 code units. */
export const GSM7_SINGLE_PART_SEPTETS = 160;
/** A concatenated part loses 6 octets to the UDH (plus 1 fill bit in GSM-7): 153 septets. */
export const GSM7_MULTIPART_SEPTETS = 153;
export const UCS2_SINGLE_PART_UNITS = 70;
export const UCS2_MULTIPART_UNITS = 67;

const ESCAPE_SEPTET = 0x1b;

/**
 * The basic table of TS 23.038 §6.2.1, indexed by septet value. Position 0x1B is the escape to the extension
 * table, not a character, so it holds a placeholder that is skipped when the lookup tables are built.
 *
 * 0x09 is U+00C7 (capital Ç), as the glyph and character name in TS 23.038 give it. The Unicode consortium's
 * GSM0338.TXT maps it to small ç instead; we follow the 3GPP text, so "ç" forces UCS-2 and decoding 0x09 gives "Ç".
 * The Greek capitals are written as escapes because lookalikes (U+2206 increment, U+2126 ohm sign) are not GSM.
 */
const BASIC_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  '\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u0000ÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The default extension table of TS 23.038 §6.2.1.1 (reached by ESC): septet value after ESC, then character. */
const EXTENSION_TABLE: ReadonlyArray<readonly [septet: number, char: string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

const NOT_GSM = 0;
const BASIC = 1;
const EXTENSION = 2;

/**
 * Per UTF-16 code unit: 0 = not GSM, otherwise the septets it costs (1 basic, 2 extension). Surrogates are 0, so
 * an astral character is never GSM.
 */
const SEPTETS_PER_CODE_UNIT = new Uint8Array(65536);
/** Per UTF-16 code unit: its septet value (the one after ESC for extension characters). */
const SEPTET_VALUE = new Uint8Array(65536);
/** Septet value to character, for decoding. */
const BASIC_BY_SEPTET: string[] = [];
const EXTENSION_BY_SEPTET: (string | undefined)[] = new Array(128).fill(undefined);

if (BASIC_TABLE.length !== 128) throw new Error(`GSM basic table must have 128 entries, has ${BASIC_TABLE.length}`);
for (let septet = 0; septet < 128; septet++) {
  const char = BASIC_TABLE.charAt(septet);
  BASIC_BY_SEPTET.push(char);
  if (septet === ESCAPE_SEPTET) continue;
  SEPTETS_PER_CODE_UNIT[char.charCodeAt(0)] = BASIC;
  SEPTET_VALUE[char.charCodeAt(0)] = septet;
}
for (const [septet, char] of EXTENSION_TABLE) {
  EXTENSION_BY_SEPTET[septet] = char;
  SEPTETS_PER_CODE_UNIT[char.charCodeAt(0)] = EXTENSION;
  SEPTET_VALUE[char.charCodeAt(0)] = septet;
}

function isHighSurrogate(code: number): boolean {
  return (code & 0xfc00) === 0xd800;
}

function isLowSurrogate(code: number): boolean {
  return (code & 0xfc00) === 0xdc00;
}

/** Whether a valid surrogate pair starts at `index`: only such pairs are kept together, a lone surrogate is 1 unit. */
function isPairAt(text: string, index: number): boolean {
  return isHighSurrogate(text.charCodeAt(index)) && isLowSurrogate(text.charCodeAt(index + 1));
}

/**
 * Greedy packing of a multipart text into parts of `unitsPerPart`, keeping an extension character (GSM-7) or a
 * surrogate pair (UCS-2) whole. Records where each part ends in `partEnds` when given, so that counting and
 * splitting share one definition of the boundaries.
 */
function packParts(text: string, gsm7: boolean, unitsPerPart: number, partEnds: number[] | null): number {
  let parts = 1;
  let usedUnits = 0;
  const length = text.length;
  for (let index = 0; index < length; ) {
    let atomUnits: number;
    if (gsm7) atomUnits = SEPTETS_PER_CODE_UNIT[text.charCodeAt(index)] as number;
    else atomUnits = isPairAt(text, index) ? 2 : 1;
    if (usedUnits + atomUnits > unitsPerPart) {
      partEnds?.push(index);
      parts++;
      usedUnits = 0;
    }
    usedUnits += atomUnits;
    // A GSM-7 extension character is one code unit even though it costs two septets.
    index += gsm7 ? 1 : atomUnits;
  }
  partEnds?.push(length);
  return parts;
}

/**
 * Parts needed for `units` when atoms are at most 2 units: each boundary wastes at most 1 unit (an atom of 2 that
 * does not fit in the last free unit), so `ceil(units / unitsPerPart)` parts are enough whenever the text still fits
 * after losing one unit per boundary. Returns 0 when a boundary effect is possible and the text has to be walked.
 */
function partsWithoutWalk(units: number, unitsPerPart: number): number {
  const parts = Math.ceil(units / unitsPerPart);
  return units + (parts - 1) <= parts * unitsPerPart ? parts : 0;
}

function ucs2Parts(text: string, start: number): PartsInfo {
  const units = text.length;
  if (units <= UCS2_SINGLE_PART_UNITS) {
    return { encoding: 'UCS-2', parts: 1, units, unitsPerPart: UCS2_SINGLE_PART_UNITS };
  }
  // Characters before `start` are GSM, hence never surrogates.
  let hasPair = false;
  for (let index = start; index < units - 1; index++) {
    if (isPairAt(text, index)) {
      hasPair = true;
      break;
    }
  }
  let parts = Math.ceil(units / UCS2_MULTIPART_UNITS);
  if (hasPair) {
    parts = partsWithoutWalk(units, UCS2_MULTIPART_UNITS) || packParts(text, false, UCS2_MULTIPART_UNITS, null);
  }
  return { encoding: 'UCS-2', parts, units, unitsPerPart: UCS2_MULTIPART_UNITS };
}

/**
 * Encoding and number of SMS parts of `text`. An empty text is 1 GSM-7 part of 0 septets, as an empty SMS still
 * takes a part; the API rejects empty messages before pricing, so this only keeps the function total.
 */
export function countParts(text: string): PartsInfo {
  const length = text.length;
  let septets = 0;
  for (let index = 0; index < length; index++) {
    const charSeptets = SEPTETS_PER_CODE_UNIT[text.charCodeAt(index)] as number;
    if (charSeptets === NOT_GSM) return ucs2Parts(text, index);
    septets += charSeptets;
  }
  if (septets <= GSM7_SINGLE_PART_SEPTETS) {
    return { encoding: 'GSM-7', parts: 1, units: septets, unitsPerPart: GSM7_SINGLE_PART_SEPTETS };
  }
  // Without extension characters every atom is 1 septet, so no boundary can waste a septet.
  let parts = Math.ceil(septets / GSM7_MULTIPART_SEPTETS);
  if (septets !== length) {
    parts = partsWithoutWalk(septets, GSM7_MULTIPART_SEPTETS) || packParts(text, true, GSM7_MULTIPART_SEPTETS, null);
  }
  return { encoding: 'GSM-7', parts, units: septets, unitsPerPart: GSM7_MULTIPART_SEPTETS };
}

/** Whether every character of `text` is in the basic or extension table. */
export function isGsm7(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (SEPTETS_PER_CODE_UNIT[text.charCodeAt(index)] === NOT_GSM) return false;
  }
  return true;
}

export function detectEncoding(text: string): Encoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/**
 * The characters that force UCS-2, distinct, in order of first appearance, as whole code points (an emoji is one
 * entry; a lone surrogate is its own entry). Empty when the text is GSM-7.
 */
export function ucs2Characters(text: string): string[] {
  const found = new Set<string>();
  for (let index = 0; index < text.length; index++) {
    if (SEPTETS_PER_CODE_UNIT[text.charCodeAt(index)] !== NOT_GSM) continue;
    const codePointUnits = isPairAt(text, index) ? 2 : 1;
    found.add(text.slice(index, index + codePointUnits));
    index += codePointUnits - 1;
  }
  return [...found];
}

/**
 * The parts as they are sent: joining them gives `text` back, and their number is always `countParts(text).parts`.
 * A text that fits one part (including the empty text) is returned as that single part.
 */
export function splitParts(text: string): { readonly encoding: Encoding; readonly parts: readonly string[] } {
  const info = countParts(text);
  if (info.parts === 1) return { encoding: info.encoding, parts: [text] };
  const partEnds: number[] = [];
  packParts(text, info.encoding === 'GSM-7', info.unitsPerPart, partEnds);
  const parts: string[] = [];
  let partStart = 0;
  for (const partEnd of partEnds) {
    parts.push(text.slice(partStart, partEnd));
    partStart = partEnd;
  }
  return { encoding: info.encoding, parts };
}

function describeCodePoint(text: string, index: number): string {
  const codePoint = text.codePointAt(index) as number;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return `"${String.fromCodePoint(codePoint)}" (U+${hex}) at index ${index}`;
}

/**
 * Unpacked septets of a GSM-7 text, one byte each (0..127), an extension character as ESC (0x1B) then its code.
 * Throws a RangeError naming the first character outside the GSM 03.38 alphabet.
 */
export function toGsm7Septets(text: string): Uint8Array {
  let septetCount = 0;
  for (let index = 0; index < text.length; index++) {
    const charSeptets = SEPTETS_PER_CODE_UNIT[text.charCodeAt(index)] as number;
    if (charSeptets === NOT_GSM) {
      throw new RangeError(`${describeCodePoint(text, index)} is not in the GSM 03.38 alphabet`);
    }
    septetCount += charSeptets;
  }
  const septets = new Uint8Array(septetCount);
  let position = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (SEPTETS_PER_CODE_UNIT[code] === EXTENSION) septets[position++] = ESCAPE_SEPTET;
    septets[position++] = SEPTET_VALUE[code] as number;
  }
  return septets;
}

/**
 * Text of unpacked septets. Follows the receiving rules of TS 23.038 for codes it does not define: ESC followed by
 * a code absent from the extension table gives the basic-table character of that code, and ESC ESC (reserved for a
 * further extension table) gives a space. A value above 127 or a trailing ESC cannot come from a well-formed
 * message, so they throw a RangeError rather than guess.
 */
export function fromGsm7Septets(septets: Uint8Array): string {
  let text = '';
  for (let index = 0; index < septets.length; index++) {
    const septet = septets[index] as number;
    if (septet > 127) throw new RangeError(`Value ${septet} at index ${index} is not a septet`);
    if (septet !== ESCAPE_SEPTET) {
      text += BASIC_BY_SEPTET[septet];
      continue;
    }
    if (index + 1 >= septets.length) throw new RangeError(`Escape septet at index ${index} ends the text`);
    const escaped = septets[++index] as number;
    if (escaped > 127) throw new RangeError(`Value ${escaped} at index ${index} is not a septet`);
    if (escaped === ESCAPE_SEPTET) text += ' ';
    else text += EXTENSION_BY_SEPTET[escaped] ?? BASIC_BY_SEPTET[escaped];
  }
  return text;
}
