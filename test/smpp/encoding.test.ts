// Text to short_message octets: GSM-7 septets and UCS-2 bytes, the concatenation UDH, and reading them back.
import { afterEach, describe, expect, it } from 'vitest';
import { SmppClient } from '../../src/dispatch/providers/smpp/client.js';
import {
  DataCoding,
  decodeShortMessage,
  EsmClass,
  encodeParts,
  encodeText,
} from '../../src/dispatch/providers/smpp/encoding.js';
import { parseSmppUrl } from '../../src/dispatch/providers/smpp/session.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { splitParts, toGsm7Septets } from '../../src/domain/gsm.js';
import { hex } from './fixtures.js';

describe('GSM-7 and UCS-2 octets', () => {
  it('writes GSM-7 as one unpacked septet per octet, data_coding 0, extension characters as ESC + code', () => {
    const encoded = encodeText('@£$ Hi {€}', 7);
    expect(encoded.encoding).toBe('GSM-7');
    expect(encoded.dataCoding).toBe(DataCoding.default);
    expect(encoded.esmClass).toBe(0);
    expect(hex(encoded.parts[0] as Buffer)).toBe('000102' + '20' + '4869' + '20' + '1b28' + '1b65' + '1b29');
  });

  it('writes UCS-2 big-endian with data_coding 8, a surrogate pair as two code units', () => {
    const encoded = encodeText('Жа😀', 7);
    expect(encoded.encoding).toBe('UCS-2');
    expect(encoded.dataCoding).toBe(DataCoding.ucs2);
    expect(hex(encoded.parts[0] as Buffer)).toBe('0416' + '0430' + 'd83dde00');
  });

  it('gives a 3-part UCS-2 text three parts with one reference, total 3, seq 1..3, UDHI, ≤ 140 octets each', () => {
    const text = 'Ж'.repeat(67 * 2 + 10);
    const encoded = encodeText(text, 0xa7);
    expect(encoded.parts).toHaveLength(3);
    expect(encoded.esmClass & EsmClass.udhi).toBe(EsmClass.udhi);
    encoded.parts.forEach((part, index) => {
      expect(hex(part.subarray(0, 6))).toBe(`050003a703${(index + 1).toString(16).padStart(2, '0')}`);
      expect(part.length).toBeLessThanOrEqual(140);
    });
    expect(encoded.parts.map((p) => p.length)).toEqual([140, 140, 6 + 20]);
    const back = encoded.parts.map((part) => decodeShortMessage(encoded.dataCoding, encoded.esmClass, part));
    expect(back.map((b) => (b.ok ? b.text : '')).join('')).toBe(text);
    expect(back.map((b) => (b.ok ? b.concat : null))).toEqual(
      [1, 2, 3].map((sequence) => ({ reference: 0xa7, total: 3, sequence })),
    );
  });

  it('cuts long GSM-7 texts at 153 septets without splitting an escape', () => {
    const text = `${'a'.repeat(152)}€${'b'.repeat(10)}`;
    const encoded = encodeText(text, 1);
    expect(encoded.parts).toHaveLength(2);
    expect((encoded.parts[0] as Buffer).length).toBe(6 + 152);
    expect(hex((encoded.parts[1] as Buffer).subarray(6, 8))).toBe('1b65');
    const back = encoded.parts.map((part) => decodeShortMessage(0, encoded.esmClass, part));
    expect(back.map((b) => (b.ok ? b.text : '')).join('')).toBe(text);
  });

  it('reads malformed short messages as values, not exceptions', () => {
    expect(decodeShortMessage(0, EsmClass.udhi, Buffer.from([9, 0, 3]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(0, 0, Buffer.from([0x80]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(0, 0, Buffer.from([0x1b]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(8, 0, Buffer.from([0x04]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(4, 0, Buffer.from([0x04]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(0, EsmClass.udhi, Buffer.from([5, 0, 3, 1, 2, 3]))).toMatchObject({ ok: false });
    expect(decodeShortMessage(8, EsmClass.udhi, Buffer.from([6, 8, 4, 1, 2, 2, 1, 0, 0x41]))).toEqual({
      ok: true,
      text: 'A',
      concat: { reference: 0x0102, total: 2, sequence: 1 },
    });
  });

  it('reads the GSM 03.38 coding groups an SMSC passes on from a handset: message class and message waiting', () => {
    const gsm = Buffer.from([0x48, 0x00, 0x4c, 0x50]); // "H@LP" as unpacked septets
    const ucs2 = Buffer.from([0x04, 0x1f, 0x00, 0x21]); // "П!"
    const text = (dataCoding: number, octets: Buffer) => {
      const decoded = decodeShortMessage(dataCoding, 0, octets);
      return decoded.ok ? decoded.text : null;
    };
    // SMPP 3.4 §5.2.19: 1111xxxx message class control (bit 2: 0 default alphabet, 1 8-bit data); 1100xxxx and
    // 1101xxxx message waiting with the default alphabet.
    expect([0xf0, 0xf1, 0xf2, 0xf3, 0xf8, 0xc0, 0xc8, 0xd0, 0xdb].map((dc) => text(dc, gsm))).toEqual(
      Array(9).fill('H@LP'),
    );
    // GSM 03.38 §4, beyond what SMPP 3.4 names: 00xx xxxx and 01xx xxxx uncompressed (bit 5 clear) with the alphabet
    // in bits 3..2 (00 default, 10 UCS-2); 1110xxxx message waiting in UCS-2.
    expect([0x10, 0x11, 0x13, 0x40, 0x51].map((dc) => text(dc, gsm))).toEqual(Array(5).fill('H@LP'));
    expect([0x18, 0x19, 0x1a, 0x48, 0x59, 0xe0, 0xe8].map((dc) => text(dc, ucs2))).toEqual(Array(7).fill('П!'));
    // 8-bit data, compressed text and the reserved groups are no text.
    expect([0xf4, 0xf7, 0x14, 0x15, 0x1c, 0x30, 0x38, 0x70, 0x80, 0xbf, 0x0f].map((dc) => text(dc, gsm))).toEqual(
      Array(11).fill(null),
    );
    // The values SMPP gives 0x00..0x0F keep their SMPP meaning (1 is IA5, 8 UCS-2), not GSM 03.38's.
    expect([text(0x00, gsm), text(0x01, Buffer.from('H@LP')), text(0x08, ucs2)]).toEqual(['H@LP', 'H@LP', 'П!']);
  });

  it('reads IA5 that holds GSM 03.38 septets as GSM 03.38, and never gives a text with a NUL in it', () => {
    const text = (dataCoding: number, octets: number[]) => {
      const decoded = decodeShortMessage(dataCoding, 0, Buffer.from(octets));
      return decoded.ok ? decoded.text : null;
    };
    const septets = [...Buffer.from(toGsm7Septets('Mail a@b_c, $5, £3, é, [x]\n'))];
    // IA5 has no character at 0x00..0x1F but LF and CR: an SMSC that writes septets under data_coding 1 (the npm smpp
    // package does by default) is read as GSM 03.38.
    expect(text(DataCoding.ia5, septets)).toBe('Mail a@b_c, $5, £3, é, [x]\n');
    expect(text(DataCoding.ia5, [...Buffer.from('Line one\r\nA@b [x] ~')])).toBe('Line one\r\nA@b [x] ~');
    // NUL octets closing the text (a C string) are no part of it; any other NUL is no character a text can keep.
    expect(text(DataCoding.ia5, [...Buffer.from('HELP'), 0, 0])).toBe('HELP');
    expect(text(DataCoding.latin1, [...Buffer.from('Grüße', 'latin1'), 0])).toBe('Grüße');
    expect(text(DataCoding.latin1, [0x41, 0, 0x42])).toBe('A\uFFFDB');
    expect(text(DataCoding.ucs2, [0, 0x48, 0, 0x49, 0, 0])).toBe('HI');
    expect(text(DataCoding.ucs2, [0, 0x48, 0, 0, 0, 0x49])).toBe('H\uFFFDI');
    // Other controls no text holds (an ANSI escape) read as U+FFFD; TAB, LF, FF and CR stay.
    expect(text(DataCoding.latin1, [...Buffer.from('a\x1b[0m\tb\x0c', 'latin1')])).toBe('a\uFFFD[0m\tb\x0c');
  });

  it('reads data_coding 1 as the route says: auto (by control octets), always GSM 03.38, or always IA5', () => {
    const read = (ia5: 'auto' | 'gsm' | 'ascii', octets: number[]) => {
      const decoded = decodeShortMessage(DataCoding.ia5, 0, Uint8Array.from(octets), ia5);
      return decoded.ok ? decoded.text : null;
    };
    const muller = [...Buffer.from(toGsm7Septets('Müller'))];
    expect([read('auto', muller), read('gsm', muller), read('ascii', muller)]).toEqual(['M~ller', 'Müller', 'M~ller']);
    const tab = [...Buffer.from('a\tb', 'ascii')];
    expect([read('auto', tab), read('gsm', tab), read('ascii', tab)]).toEqual(['aÇb', 'aÇb', 'a\tb']);
    // An octet no septet has is read as IA5 (Latin-1) even under gsm, so that nothing is lost.
    expect(read('gsm', [0x43, 0x61, 0x66, 0xe9])).toBe('Café');
  });

  it('refuses parts that cannot be numbered or encoded (bugs of the caller)', () => {
    expect(() => encodeParts('GSM-7', ['ж'], 1)).toThrow(RangeError);
    expect(() => encodeParts('GSM-7', [], 1)).toThrow(RangeError);
    expect(() => encodeParts('GSM-7', ['a'], 256)).toThrow(RangeError);
  });
});

describe('parts on the wire', () => {
  let simulator: SmscSimulator | null = null;
  let client: SmppClient | null = null;
  afterEach(async () => {
    await client?.close();
    await simulator?.close();
  });

  it('sends a 3-part UCS-2 message as 3 submit_sm sharing one reference, with registered_delivery 1', async () => {
    simulator = await startSmscSimulator({ record: true });
    const url = parseSmppUrl(simulator.url);
    if (!url.ok) throw new Error(url.error);
    client = new SmppClient({ url: url.url });
    const text = 'Привет, мир! '.repeat(12);
    const { encoding, parts } = splitParts(text);
    expect(parts).toHaveLength(3);
    const outcome = await client.submit({ source: 'Acme', destination: '37250000001', encoding, parts });
    expect(outcome).toMatchObject({ kind: 'accepted' });
    const received = simulator.received;
    expect(received).toHaveLength(3);
    const reference = received[0]?.concat?.reference;
    received.forEach((submit, index) => {
      expect(submit.concat).toEqual({ reference, total: 3, sequence: index + 1 });
      expect(submit.esmClass & EsmClass.udhi).toBe(EsmClass.udhi);
      expect(submit.dataCoding).toBe(DataCoding.ucs2);
      expect(submit.registeredDelivery).toBe(1);
      expect(submit.shortMessageOctets).toBeLessThanOrEqual(140);
    });
    expect(received.map((r) => r.text).join('')).toBe(text);
  });
});
