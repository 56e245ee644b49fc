// The SMPP codec: round trips of every PDU, hand-checked bytes, strict errors, and a seeded fuzz of decoder and framer.
import { describe, expect, it } from 'vitest';
import {
  answerFor,
  COMMAND_LENGTH_MAX,
  CommandId,
  type CommandName,
  CommandStatus,
  decodePdu,
  encodePdu,
  FIELD_CHARS_MAX,
  type Pdu,
  PduFrameSplitter,
  TlvTag,
} from '../../src/dispatch/providers/smpp/pdu.js';
import { seededRandom } from '../support/random.js';
import { hex, shortMessageFields, submitSm } from './fixtures.js';

const MAX_ID = 'x'.repeat(FIELD_CHARS_MAX.message_id);

const SAMPLES: readonly Pdu[] = [
  {
    command: 'bind_transceiver',
    status: 0,
    sequence: 1,
    systemId: 'smsgic',
    password: 'secret',
    systemType: '',
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: '',
  },
  {
    command: 'bind_transmitter',
    status: 0,
    sequence: 2,
    systemId: 's'.repeat(FIELD_CHARS_MAX.system_id),
    password: 'p'.repeat(FIELD_CHARS_MAX.password),
    systemType: 't'.repeat(FIELD_CHARS_MAX.system_type),
    interfaceVersion: 0x34,
    addrTon: 1,
    addrNpi: 1,
    addressRange: 'r'.repeat(FIELD_CHARS_MAX.address_range),
  },
  {
    command: 'bind_receiver',
    status: 0,
    sequence: 3,
    systemId: 'a',
    password: '',
    systemType: 'VMA',
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: '',
  },
  { command: 'bind_transceiver_resp', status: 0, sequence: 1, systemId: 'smsc', tlvs: {} },
  {
    command: 'bind_transceiver_resp',
    status: 0,
    sequence: 1,
    systemId: 'smsc',
    tlvs: { unknown: [{ tag: 0x0210, value: Buffer.from([0x34]) }] },
  },
  { command: 'bind_transceiver_resp', status: CommandStatus.ESME_RINVPASWD, sequence: 9, systemId: '', tlvs: {} },
  { command: 'bind_transmitter_resp', status: 0, sequence: 4, systemId: 'x', tlvs: {} },
  { command: 'bind_receiver_resp', status: 0, sequence: 5, systemId: 'y', tlvs: {} },
  submitSm(6),
  submitSm(7, {
    serviceType: 'CMT',
    sourceAddr: '1'.repeat(FIELD_CHARS_MAX.source_addr),
    destinationAddr: '2'.repeat(FIELD_CHARS_MAX.destination_addr),
    scheduleDeliveryTime: '250301100000000+',
    validityPeriod: '000001000000000R',
    shortMessage: Buffer.alloc(254, 0x41),
    tlvs: { sarMsgRefNum: 0xbeef, sarTotalSegments: 3, sarSegmentSeqnum: 2 },
  }),
  submitSm(8, { shortMessage: Buffer.alloc(0), tlvs: { messagePayload: Buffer.alloc(1000, 0x42) } }),
  submitSm(0x7fffffff, { shortMessage: Buffer.alloc(0) }),
  { command: 'submit_sm_resp', status: 0, sequence: 6, messageId: 'AB12' },
  { command: 'submit_sm_resp', status: 0, sequence: 6, messageId: MAX_ID },
  { command: 'submit_sm_resp', status: CommandStatus.ESME_RTHROTTLED, sequence: 6, messageId: '' },
  {
    command: 'deliver_sm',
    status: 0,
    sequence: 10,
    ...shortMessageFields({
      esmClass: 0x04,
      shortMessage: Buffer.from(
        'id:1 sub:001 dlvrd:001 submit date:2503011000 done date:2503011001 stat:DELIVRD err:000',
      ),
      tlvs: {
        receiptedMessageId: MAX_ID,
        messageState: 2,
        networkErrorCode: { networkType: 3, errorCode: 0x1234 },
        unknown: [
          { tag: 0x1400, value: Buffer.from('vendor') },
          { tag: 0x1401, value: Buffer.alloc(0) },
        ],
      },
    }),
  },
  { command: 'deliver_sm_resp', status: 0, sequence: 10, messageId: '' },
  { command: 'deliver_sm_resp', status: CommandStatus.ESME_RX_T_APPN, sequence: 11, messageId: '' },
  {
    command: 'data_sm',
    status: 0,
    sequence: 15,
    serviceType: '',
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    sourceAddr: '37250000001',
    destAddrTon: 5,
    destAddrNpi: 0,
    destinationAddr: 'Acme',
    esmClass: 0x04,
    registeredDelivery: 0,
    dataCoding: 0,
    tlvs: { receiptedMessageId: 'AB12', messageState: 2, messagePayload: Buffer.from('id:AB12 stat:DELIVRD') },
  },
  { command: 'data_sm_resp', status: 0, sequence: 15, messageId: '' },
  { command: 'enquire_link', status: 0, sequence: 12 },
  { command: 'enquire_link_resp', status: 0, sequence: 12 },
  { command: 'unbind', status: 0, sequence: 13 },
  { command: 'unbind_resp', status: 0, sequence: 13 },
  { command: 'generic_nack', status: CommandStatus.ESME_RINVCMDID, sequence: 14 },
];

function decodeOk(octets: Uint8Array): Pdu {
  const result = decodePdu(octets);
  if (!result.ok) throw new Error(`decode failed: ${result.error.reason}`);
  return result.pdu;
}

describe('PDU codec', () => {
  it('reads a submit_sm_resp followed by optional parameters, and ignores those it does not know (§5.3)', () => {
    const resp = encodePdu({ command: 'submit_sm_resp', status: 0, sequence: 6, messageId: 'AB12' });
    const tlvs = Buffer.from([0x00, 0x1d, 0x00, 0x03, 0x6f, 0x6b, 0x00, 0x14, 0x01, 0x00, 0x02, 0x65, 0x75]);
    const octets = Buffer.concat([resp, tlvs]);
    octets.writeUInt32BE(octets.length, 0);
    expect(decodeOk(octets)).toEqual({ command: 'submit_sm_resp', status: 0, sequence: 6, messageId: 'AB12' });
  });

  it('round-trips every PDU a transceiver needs, TLVs and maximum-length strings included', () => {
    const covered = new Set<CommandName>();
    for (const pdu of SAMPLES) {
      const octets = encodePdu(pdu);
      expect(octets.readUInt32BE(0)).toBe(octets.length);
      expect(octets.readUInt32BE(4)).toBe(CommandId[pdu.command]);
      expect(decodeOk(octets)).toEqual(pdu);
      covered.add(pdu.command);
    }
    expect([...covered].sort()).toEqual(Object.keys(CommandId).sort());
  });

  it('encodes bind_transceiver with interface_version 0x34 byte for byte', () => {
    const octets = encodePdu(SAMPLES[0] as Pdu);
    expect(hex(octets)).toBe(
      ['00000023', '00000009', '00000000', '00000001', '736d7367696300', '73656372657400', '00', '340000', '00'].join(
        '',
      ),
    );
  });

  it('encodes a submit_sm with a concatenation UDH byte for byte', () => {
    const pdu = submitSm(2, {
      esmClass: 0x40,
      dataCoding: 0x08,
      shortMessage: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x04, 0x16]),
    });
    expect(hex(encodePdu(pdu))).toBe(
      [
        '00000038',
        '00000004',
        '00000000',
        '00000002',
        '00', // service_type
        '0500', // source TON alphanumeric, NPI unknown
        '41636d6500', // "Acme"
        '0101', // destination TON international, NPI E.164
        '333732353030303030303100', // "37250000001"
        '400000', // esm_class UDHI, protocol_id, priority_flag
        '0000', // schedule_delivery_time, validity_period
        '01000800', // registered_delivery 1, replace_if_present, data_coding UCS-2, sm_default_msg_id
        '08', // sm_length
        '0500032a0201', // UDH: ref 0x2a, 2 parts, part 1
        '0416', // "Ж"
      ].join(''),
    );
  });

  it('refuses to encode a string longer than its field (a bug of the caller)', () => {
    expect(() => encodePdu(submitSm(1, { destinationAddr: '1'.repeat(21) }))).toThrow(RangeError);
    expect(() => encodePdu({ command: 'submit_sm_resp', status: 0, sequence: 1, messageId: `${MAX_ID}x` })).toThrow(
      RangeError,
    );
    expect(() => encodePdu(submitSm(1, { shortMessage: Buffer.alloc(255) }))).toThrow(RangeError);
    expect(() => encodePdu(submitSm(1, { validityPeriod: '1' }))).toThrow(RangeError);
  });

  it('answers malformed PDUs with the status the spec names for each defect', () => {
    const cases: { name: string; octets: Buffer; status: number; answer: string }[] = [];
    const bind = encodePdu(SAMPLES[0] as Pdu);
    // command_length says more than arrived.
    const short = Buffer.from(bind);
    short.writeUInt32BE(bind.length + 1, 0);
    cases.push({
      name: 'length mismatch',
      octets: short,
      status: CommandStatus.ESME_RINVCMDLEN,
      answer: 'generic_nack',
    });
    const unknownId = Buffer.from(encodePdu({ command: 'enquire_link', status: 0, sequence: 3 }));
    unknownId.writeUInt32BE(0x00000008, 4); // cancel_sm: not taken by a transceiver here
    cases.push({ name: 'unknown id', octets: unknownId, status: CommandStatus.ESME_RINVCMDID, answer: 'generic_nack' });
    // A body on enquire_link.
    const withBody = Buffer.concat([encodePdu({ command: 'enquire_link', status: 0, sequence: 3 }), Buffer.from([0])]);
    withBody.writeUInt32BE(withBody.length, 0);
    cases.push({
      name: 'body on enquire_link',
      octets: withBody,
      status: CommandStatus.ESME_RINVCMDLEN,
      answer: 'response',
    });
    // A destination without its NUL within 21 octets.
    const longDestination = Buffer.from(encodePdu(submitSm(4, { destinationAddr: '1'.repeat(20) })));
    const at = longDestination.indexOf(Buffer.from('1'.repeat(20)));
    longDestination[at + 20] = 0x31; // the NUL becomes a digit
    cases.push({
      name: 'destination',
      octets: longDestination,
      status: CommandStatus.ESME_RINVDSTADR,
      answer: 'response',
    });
    // sm_length beyond the PDU.
    const smLength = Buffer.from(encodePdu(submitSm(5)));
    smLength[smLength.length - 6] = 200;
    cases.push({ name: 'sm_length', octets: smLength, status: CommandStatus.ESME_RINVMSGLEN, answer: 'response' });
    // A TLV cut short.
    const cutTlv = Buffer.concat([encodePdu(submitSm(6)), Buffer.from([0x04, 0x24, 0x00])]);
    cutTlv.writeUInt32BE(cutTlv.length, 0);
    cases.push({ name: 'cut TLV', octets: cutTlv, status: CommandStatus.ESME_RINVOPTPARSTREAM, answer: 'response' });
    // message_state of two octets.
    const badTlv = Buffer.concat([encodePdu(submitSm(7)), Buffer.from([0x04, 0x27, 0x00, 0x02, 0x00, 0x02])]);
    badTlv.writeUInt32BE(badTlv.length, 0);
    cases.push({ name: 'TLV length', octets: badTlv, status: CommandStatus.ESME_RINVPARLEN, answer: 'response' });
    // A validity period of 3 characters.
    // Header 16 + service_type 1 + TON/NPI 2 + "Acme" 5 + TON/NPI 2 + destination 12 + 3 octets + schedule 1 = 42.
    const validity = encodePdu(submitSm(8));
    const badValidity = Buffer.concat([validity.subarray(0, 42), Buffer.from('123\0'), validity.subarray(43)]);
    badValidity.writeUInt32BE(badValidity.length, 0);
    cases.push({ name: 'validity', octets: badValidity, status: CommandStatus.ESME_RINVEXPIRY, answer: 'response' });
    // A malformed response gets generic_nack; a malformed generic_nack gets nothing.
    const resp = Buffer.concat([
      encodePdu({ command: 'submit_sm_resp', status: 0, sequence: 9, messageId: 'A' }),
      Buffer.from([1]),
    ]);
    resp.writeUInt32BE(resp.length, 0);
    // The stray octet is where optional parameters may follow (§5.3), so it is a cut-short TLV stream.
    cases.push({ name: 'response', octets: resp, status: CommandStatus.ESME_RINVOPTPARSTREAM, answer: 'generic_nack' });
    const nack = Buffer.concat([encodePdu({ command: 'generic_nack', status: 0, sequence: 9 }), Buffer.from([1])]);
    nack.writeUInt32BE(nack.length, 0);
    cases.push({ name: 'nack', octets: nack, status: CommandStatus.ESME_RINVCMDLEN, answer: 'none' });
    cases.push({
      name: 'tiny',
      octets: Buffer.from([0, 0, 0]),
      status: CommandStatus.ESME_RINVCMDLEN,
      answer: 'generic_nack',
    });

    for (const { name, octets, status, answer } of cases) {
      const result = decodePdu(octets);
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect({ name, status: result.error.status, answer: result.error.answer }).toEqual({ name, status, answer });
    }
  });

  it('answers a malformed request with its own response carrying the status, and no body', () => {
    const octets = Buffer.from(encodePdu(submitSm(77, { destinationAddr: '1'.repeat(20) })));
    octets[octets.indexOf(Buffer.from('1'.repeat(20))) + 20] = 0x31;
    const result = decodePdu(octets);
    if (result.ok) throw new Error('expected a decode error');
    const answer = answerFor(result.error) as Pdu;
    expect(answer).toEqual({
      command: 'submit_sm_resp',
      status: CommandStatus.ESME_RINVDSTADR,
      sequence: 77,
      messageId: '',
    });
    expect(encodePdu(answer).length).toBe(16);
  });
});

describe('frame splitter', () => {
  const frames = SAMPLES.map((pdu) => encodePdu(pdu));
  const stream = Buffer.concat(frames);

  it('cuts a stream into the same frames however it is chunked (partial and coalesced)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 100; round++) {
      const splitter = new PduFrameSplitter();
      const out: Buffer[] = [];
      for (let offset = 0; offset < stream.length; ) {
        const size = round === 0 ? 1 : 1 + Math.floor(random() * 300);
        const error = splitter.push(stream.subarray(offset, offset + size), (frame) => out.push(Buffer.from(frame)));
        if (error) throw new Error(error.reason);
        offset += size;
      }
      expect(out).toEqual(frames);
      expect(splitter.bufferedOctets).toBe(0);
    }
  });

  it('stops at a command_length below 16 or above the maximum, naming RINVCMDLEN', () => {
    for (const length of [0, 15, COMMAND_LENGTH_MAX + 1, 0xffffffff]) {
      const splitter = new PduFrameSplitter();
      const bad = Buffer.alloc(16);
      bad.writeUInt32BE(length, 0);
      bad.writeUInt32BE(42, 12);
      const seen: Buffer[] = [];
      const error = splitter.push(Buffer.concat([frames[0] as Buffer, bad]), (frame) => seen.push(frame));
      expect(seen).toHaveLength(1);
      expect(error).toMatchObject({ status: CommandStatus.ESME_RINVCMDLEN, commandLength: length, sequence: 42 });
      // Nothing more is read once the stream has lost its place.
      expect(splitter.push(frames[1] as Buffer, (frame) => seen.push(frame))).toBe(error);
      expect(seen).toHaveLength(1);
    }
  });
});

describe('fuzz', () => {
  const VALID_STATUSES = new Set<number>(Object.values(CommandStatus));

  function mutate(octets: Buffer, random: () => number): Buffer {
    const copy = Buffer.from(octets);
    switch (Math.floor(random() * 6)) {
      case 0: {
        // Flip a few bytes of the body, keeping the header so the body parser is exercised.
        const flips = 1 + Math.floor(random() * 4);
        for (let i = 0; i < flips && copy.length > 16; i++) {
          copy[16 + Math.floor(random() * (copy.length - 16))] = Math.floor(random() * 256);
        }
        return copy;
      }
      case 1: {
        // Truncate, with a consistent command_length.
        const cut = copy.subarray(0, Math.max(16, Math.floor(random() * copy.length)));
        cut.writeUInt32BE(cut.length, 0);
        return cut;
      }
      case 2: {
        // Append random bytes, with a consistent command_length.
        const extra = Buffer.from(
          Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 256)),
        );
        const longer = Buffer.concat([copy, extra]);
        longer.writeUInt32BE(longer.length, 0);
        return longer;
      }
      case 3:
        copy.writeUInt32BE(Math.floor(random() * 0x100000000), Math.floor(random() * 4) * 4);
        return copy;
      case 4: {
        // Any byte anywhere, header included.
        copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
        return copy;
      }
      default: {
        // A random body under a known command id.
        const ids = Object.values(CommandId);
        const body = Buffer.from(Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)));
        const header = Buffer.alloc(16);
        header.writeUInt32BE(16 + body.length, 0);
        header.writeUInt32BE(ids[Math.floor(random() * ids.length)] as number, 4);
        header.writeUInt32BE(Math.floor(random() * 3), 8);
        header.writeUInt32BE(Math.floor(random() * 0x80000000), 12);
        return Buffer.concat([header, body]);
      }
    }
  }

  it('never throws on thousands of mutated PDUs, and maps every defect to an answer', () => {
    const random = seededRandom(20_250_301);
    const originals = SAMPLES.map((pdu) => encodePdu(pdu));
    let decoded = 0;
    let rejected = 0;
    for (let round = 0; round < 30_000; round++) {
      const octets = mutate(originals[round % originals.length] as Buffer, random);
      const result = decodePdu(octets);
      if (result.ok) {
        decoded++;
        // Whatever decodes re-encodes, and reads back to the same bytes.
        const encoded = encodePdu(result.pdu);
        const again = decodePdu(encoded);
        if (!again.ok || !encodePdu(again.pdu).equals(encoded)) throw new Error(`round ${round}: not idempotent`);
      } else {
        rejected++;
        const { error } = result;
        if (!VALID_STATUSES.has(error.status)) throw new Error(`round ${round}: status ${error.status}`);
        const answer = answerFor(error);
        if ((error.answer === 'none') !== (answer === null)) throw new Error(`round ${round}: answer ${error.answer}`);
        if (answer && encodePdu(answer).length !== 16) throw new Error(`round ${round}: answer has a body`);
      }
    }
    expect(decoded).toBeGreaterThan(1_000);
    expect(rejected).toBeGreaterThan(1_000);
  });

  it('never throws or stalls on random streams: every byte is either framed or stops at a framing error', () => {
    const random = seededRandom(99);
    const originals = SAMPLES.map((pdu) => encodePdu(pdu));
    for (let round = 0; round < 2_000; round++) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        const original = originals[Math.floor(random() * originals.length)] as Buffer;
        pieces.push(random() < 0.3 ? mutate(original, random) : original);
      }
      const stream = Buffer.concat(pieces);
      const splitter = new PduFrameSplitter();
      let framedOctets = 0;
      let stopped = false;
      for (let offset = 0; offset < stream.length && !stopped; ) {
        const size = 1 + Math.floor(random() * 64);
        const error = splitter.push(stream.subarray(offset, offset + size), (frame) => {
          framedOctets += frame.length;
          const result = decodePdu(frame);
          if (!result.ok) expect(VALID_STATUSES.has(result.error.status)).toBe(true);
        });
        if (error) {
          expect(error.status).toBe(CommandStatus.ESME_RINVCMDLEN);
          stopped = true;
        }
        offset += size;
      }
      if (!stopped) expect(framedOctets + splitter.bufferedOctets).toBe(stream.length);
    }
  });

  it('reads TLVs of known tags by name and keeps unknown ones raw, in order', () => {
    const pdu = decodeOk(
      encodePdu({
        command: 'deliver_sm',
        status: 0,
        sequence: 1,
        ...shortMessageFields({
          shortMessage: Buffer.alloc(0),
          tlvs: {
            unknown: [
              { tag: 0x1501, value: Buffer.from([1, 2]) },
              { tag: 0x1500, value: Buffer.from([3]) },
            ],
            receiptedMessageId: 'abc',
          },
        }),
      }),
    );
    expect(pdu).toMatchObject({ tlvs: { receiptedMessageId: 'abc' } });
    if (pdu.command !== 'deliver_sm') throw new Error('not deliver_sm');
    expect(pdu.tlvs.unknown?.map((t) => t.tag)).toEqual([0x1501, 0x1500]);
    expect(TlvTag.receipted_message_id).toBe(0x001e);
  });
});
