// Message text to SMPP short_message octets and back: GSM-7 unpacked septets or UCS-2, with concatenation UDH.
import { type Encoding, fromGsm7Septets, splitParts, toGsm7Septets } from '../../../domain/gsm.js';
import { storableText } from '../../../domain/inbound.js';
import { MESSAGE_PARTS_MAX } from '../../../domain/limits.js';

/** data_coding values (spec §5.2.19): 0 the SMSC default alphabet (GSM 03.38 here), 8 UCS-2 big-endian. */
export const DataCoding = { default: 0x00, ia5: 0x01, latin1: 0x03, binary: 0x04, ucs2: 0x08 } as const;

/** esm_class bits (spec §5.2.12). */
export const EsmClass = {
  /** The short_message starts with a User Data Header. */
  udhi: 0x40,
  /** Message type bits 2..5 of a deliver_sm: an SMSC delivery receipt. */
  deliveryReceipt: 0x04,
  /** Message type bits of an intermediate delivery notification. */
  intermediateNotification: 0x20,
  messageTypeMask: 0x3c,
} as const;

/** registered_delivery 1: a receipt on the final outcome, delivered or not. */
export const REGISTERED_DELIVERY_FINAL = 0x01;

/** The concatenation UDH with an 8-bit reference (TS 23.040 §9.2.3.24.1): UDHL 5, IEI 0, IEDL 3, ref, total, seq. */
export const CONCAT_UDH_OCTETS = 6;
const IEI_CONCAT_8BIT = 0x00;
const IEI_CONCAT_16BIT = 0x08;

export interface EncodedMessage {
  readonly dataCoding: number;
  /** esm_class of every part: UDHI when there is more than one. */
  readonly esmClass: number;
  /** short_message of each part, UDH included. */
  readonly parts: readonly Buffer[];
}

function ucs2Octets(text: string): Buffer {
  const octets = Buffer.from(text, 'utf16le');
  octets.swap16();
  return octets;
}

function partOctets(encoding: Encoding, text: string): Uint8Array {
  return encoding === 'GSM-7' ? toGsm7Septets(text) : ucs2Octets(text);
}

/**
 * The short_message octets of parts already cut per GSM 03.38 (`splitParts`): GSM-7 as one septet per octet with
 * data_coding 0, extension characters as ESC then their code; UCS-2 big-endian with data_coding 8. More than one part
 * gets the concatenation UDH `05 00 03 ref total seq`, the same 8-bit `reference` in every part. Throws a RangeError
 * on a character outside GSM 03.38 in a GSM-7 part, or on more parts than an 8-bit sequence can number (bugs: the
 * parts come from `splitParts`, and the API caps the parts of a message).
 */
export function encodeParts(encoding: Encoding, parts: readonly string[], reference: number): EncodedMessage {
  if (!(Number.isInteger(reference) && reference >= 0 && reference <= 0xff)) {
    throw new RangeError(`concatenation reference must be an octet, got ${reference}`);
  }
  if (parts.length === 0 || parts.length > MESSAGE_PARTS_MAX) {
    throw new RangeError(`a message has 1..${MESSAGE_PARTS_MAX} parts, got ${parts.length}`);
  }
  const dataCoding = encoding === 'GSM-7' ? DataCoding.default : DataCoding.ucs2;
  if (parts.length === 1) {
    return { dataCoding, esmClass: 0, parts: [Buffer.from(partOctets(encoding, parts[0] as string))] };
  }
  const total = parts.length;
  const encoded = parts.map((text, index) => {
    const body = partOctets(encoding, text);
    const octets = Buffer.allocUnsafe(CONCAT_UDH_OCTETS + body.length);
    octets[0] = 0x05;
    octets[1] = IEI_CONCAT_8BIT;
    octets[2] = 0x03;
    octets[3] = reference;
    octets[4] = total;
    octets[5] = index + 1;
    octets.set(body, CONCAT_UDH_OCTETS);
    return octets;
  });
  return { dataCoding, esmClass: EsmClass.udhi, parts: encoded };
}

/** `encodeParts` of a whole text, cut by the domain's `splitParts`. */
export function encodeText(text: string, reference: number): EncodedMessage & { readonly encoding: Encoding } {
  const { encoding, parts } = splitParts(text);
  return { encoding, ...encodeParts(encoding, parts, reference) };
}

export interface ConcatInfo {
  readonly reference: number;
  readonly total: number;
  readonly sequence: number;
}

export type DecodedShortMessage =
  | { readonly ok: true; readonly text: string; readonly concat: ConcatInfo | null }
  | { readonly ok: false; readonly reason: string };

/** The concatenation element of a UDH, if it has one; null when the UDH carries none; a reason when malformed. */
function readUdh(octets: Uint8Array): { headerOctets: number; concat: ConcatInfo | null } | string {
  if (octets.length < 1) return 'UDHI is set but short_message is empty';
  const udhl = octets[0] as number;
  if (1 + udhl > octets.length) return `UDH length ${udhl} runs past short_message`;
  let concat: ConcatInfo | null = null;
  for (let at = 1; at < 1 + udhl; ) {
    if (at + 2 > 1 + udhl) return 'UDH element header is cut short';
    const iei = octets[at] as number;
    const iedl = octets[at + 1] as number;
    if (at + 2 + iedl > 1 + udhl) return `UDH element 0x${iei.toString(16)} runs past the UDH`;
    const data = octets.subarray(at + 2, at + 2 + iedl);
    if (iei === IEI_CONCAT_8BIT && iedl === 3) {
      concat = { reference: data[0] as number, total: data[1] as number, sequence: data[2] as number };
    } else if (iei === IEI_CONCAT_16BIT && iedl === 4) {
      concat = {
        reference: ((data[0] as number) << 8) | (data[1] as number),
        total: data[2] as number,
        sequence: data[3] as number,
      };
    }
    at += 2 + iedl;
  }
  if (concat && (concat.total === 0 || concat.sequence === 0 || concat.sequence > concat.total)) {
    return `concatenation part ${concat.sequence} of ${concat.total} is out of range`;
  }
  return { headerOctets: 1 + udhl, concat };
}

type Alphabet = 'gsm' | 'latin1' | 'ucs2';

/**
 * The alphabet a data_coding names, or null for data that is not text. 0x00..0x0F are SMPP's own values (§5.2.19: 0
 * the SMSC default alphabet, 1 IA5, 3 Latin-1, 8 UCS-2). Above them an SMSC passes on the handset's GSM 03.38 data
 * coding scheme (§4): SMPP 3.4 names 1100xxxx and 1101xxxx (message waiting, default alphabet) and 1111xxxx (message
 * class, bit 2 set for 8-bit data); GSM 03.38 also gives 00xxxxxx and 01xxxxxx (bit 5 compressed, bits 3..2 the
 * alphabet: 00 default, 01 8-bit, 10 UCS-2) and 1110xxxx (message waiting in UCS-2).
 */
function alphabetOf(dataCoding: number): Alphabet | null {
  if (dataCoding < 0x10) {
    if (dataCoding === DataCoding.default) return 'gsm';
    if (dataCoding === DataCoding.ia5 || dataCoding === DataCoding.latin1) return 'latin1';
    return dataCoding === DataCoding.ucs2 ? 'ucs2' : null;
  }
  if (dataCoding < 0x80) {
    if ((dataCoding & 0x20) !== 0) return null;
    const bits = (dataCoding >> 2) & 0x03;
    return bits === 0 ? 'gsm' : bits === 2 ? 'ucs2' : null;
  }
  if (dataCoding < 0xc0) return null;
  if (dataCoding < 0xe0) return 'gsm';
  if (dataCoding < 0xf0) return 'ucs2';
  return (dataCoding & 0x04) === 0 ? 'gsm' : null;
}

/**
 * Whether IA5 octets are GSM 03.38 septets written one an octet: IA5 (T.50) has no character at 0x00..0x1F but the
 * line breaks LF and CR, where GSM 03.38 has @ £ $ ¥ è é ù ì ò Ç Ø ø Å å Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É and the escape
 * to [ ] { } ~ \ ^ | €. Some SMSCs (and the npm smpp package, whose "ASCII" is GSM 03.38) send such text under
 * data_coding 1. NUL octets closing the text (a C string) do not count.
 */
function isGsmAsIa5(octets: Uint8Array): boolean {
  let end = octets.length;
  while (end > 0 && octets[end - 1] === 0) end--;
  let control = false;
  for (let index = 0; index < end; index++) {
    const octet = octets[index] as number;
    if (octet > 0x7f) return false;
    if (octet < 0x20 && octet !== 0x0a && octet !== 0x0d) control = true;
  }
  return control;
}

/**
 * How text under data_coding 1 (IA5) is read, per route (SMPP_URL `ia5=`):
 * - `auto` (default): as GSM 03.38 septets when it holds a control octet no IA5 text has (isGsmAsIa5), else as IA5.
 *   Wrong for GSM text whose characters all lie in 0x20..0x7F: "Müller" (ü is 0x7E) reads "M~ller".
 * - `gsm`: always as GSM 03.38 septets, one an octet (SMSCs that, like the npm smpp package, send the default alphabet
 *   under data_coding 1); octets that cannot be (above 0x7F, an escape closing the text) are read as IA5.
 * - `ascii`: always as IA5 (T.50, ASCII): a TAB stays a TAB instead of GSM's Ç.
 */
export type Ia5Reading = 'auto' | 'gsm' | 'ascii';

export const IA5_READINGS: readonly Ia5Reading[] = ['auto', 'gsm', 'ascii'];

/**
 * The text of a short_message (as the simulated SMSC reads what it receives, and our side a handset's message): the
 * UDH (when esm_class has UDHI) is read for its concatenation element, the rest decoded by data_coding (see
 * alphabetOf; IA5 as `ia5` says, by default holding GSM 03.38 septets as GSM 03.38, see isGsmAsIa5). IA5, Latin-1 and UCS-2 text is made
 * storable by the domain's one rule (storableText: NULs closing it dropped, other controls read as U+FFFD); GSM 03.38
 * has no such character. A malformed message is a value, not a throw.
 */
export function decodeShortMessage(
  dataCoding: number,
  esmClass: number,
  octets: Uint8Array,
  ia5: Ia5Reading = 'auto',
): DecodedShortMessage {
  let body = octets;
  let concat: ConcatInfo | null = null;
  if ((esmClass & EsmClass.udhi) !== 0) {
    const udh = readUdh(octets);
    if (typeof udh === 'string') return { ok: false, reason: udh };
    body = octets.subarray(udh.headerOctets);
    concat = udh.concat;
  }
  if (dataCoding === DataCoding.ia5 && (ia5 === 'gsm' || (ia5 === 'auto' && isGsmAsIa5(body)))) {
    try {
      return { ok: true, text: fromGsm7Septets(body), concat };
    } catch {
      // An escape at the end: not GSM 03.38 after all; read as IA5 below.
    }
  }
  switch (alphabetOf(dataCoding)) {
    case 'gsm':
      try {
        return { ok: true, text: fromGsm7Septets(body), concat };
      } catch (error) {
        return { ok: false, reason: (error as Error).message };
      }
    case 'ucs2': {
      if (body.length % 2 !== 0) return { ok: false, reason: `UCS-2 text of odd length ${body.length}` };
      const swapped = Buffer.from(body);
      swapped.swap16();
      return { ok: true, text: storableText(swapped.toString('utf16le')), concat };
    }
    case 'latin1':
      return { ok: true, text: storableText(Buffer.from(body).toString('latin1')), concat };
    default:
      return { ok: false, reason: `data_coding 0x${dataCoding.toString(16)} is not text` };
  }
}
