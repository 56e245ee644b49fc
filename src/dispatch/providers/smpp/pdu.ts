// SMPP 3.4 PDU codec for a transceiver (and the simulated SMSC): strict decoding to values, encoding, stream framing.

/** command_id values (spec §5.1.2). A response id is its request id with the top bit set. */
export const CommandId = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type CommandName = keyof typeof CommandId;

const COMMAND_BY_ID = new Map<number, CommandName>(
  (Object.entries(CommandId) as [CommandName, number][]).map(([name, id]) => [id, name]),
);

/** command_status values (spec §5.1.3) this codec, the session and the simulator produce or act on. */
export const CommandStatus = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSYSTYP: 0x53,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RX_T_APPN: 0x64,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_RINVPARLEN: 0xc2,
  ESME_RUNKNOWNERR: 0xff,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(CommandStatus).map(([name, code]) => [code, name]));

/** "ESME_RTHROTTLED (0x58)", or the hex code alone for a status this table does not name. */
export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  const name = STATUS_NAMES.get(status);
  return name ? `${name} (${hex})` : `command_status ${hex}`;
}

/** Optional parameter tags (spec §5.3.2). */
export const TlvTag = {
  receipted_message_id: 0x001e,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

export const HEADER_OCTETS = 16;
/**
 * The largest PDU accepted from a peer: a message_payload TLV (at most 65,535 octets, its length being 16 bits) plus
 * every mandatory field at its maximum and some other TLVs. Anything longer is a framing error, not a big message.
 */
export const COMMAND_LENGTH_MAX = 70_000;
/** short_message is at most 254 octets (sm_length is one octet, 255 is reserved). */
export const SHORT_MESSAGE_OCTETS_MAX = 254;
/** interface_version of SMPP 3.4. */
export const INTERFACE_VERSION_34 = 0x34;
/** Sequence numbers run 1..0x7FFFFFFF (spec §3.2). */
export const SEQUENCE_MAX = 0x7fffffff;

/**
 * C-octet string sizes in octets including the terminating NUL (spec §4), and the status that answers a field too
 * long for its size. A string of `octetsMax` holds `octetsMax − 1` characters.
 */
const FIELD = {
  system_id: { octetsMax: 16, status: CommandStatus.ESME_RINVSYSID },
  password: { octetsMax: 9, status: CommandStatus.ESME_RINVPASWD },
  system_type: { octetsMax: 13, status: CommandStatus.ESME_RINVSYSTYP },
  address_range: { octetsMax: 41, status: CommandStatus.ESME_RINVSRCADR },
  service_type: { octetsMax: 6, status: CommandStatus.ESME_RINVSERTYP },
  source_addr: { octetsMax: 21, status: CommandStatus.ESME_RINVSRCADR },
  destination_addr: { octetsMax: 21, status: CommandStatus.ESME_RINVDSTADR },
  schedule_delivery_time: { octetsMax: 17, status: CommandStatus.ESME_RINVSCHED },
  validity_period: { octetsMax: 17, status: CommandStatus.ESME_RINVEXPIRY },
  message_id: { octetsMax: 65, status: CommandStatus.ESME_RINVMSGID },
} as const;

type FieldName = keyof typeof FIELD;

/** Characters a C-octet string field holds at most (its size less the NUL). */
export const FIELD_CHARS_MAX: Readonly<Record<FieldName, number>> = Object.fromEntries(
  Object.entries(FIELD).map(([name, spec]) => [name, spec.octetsMax - 1]),
) as Record<FieldName, number>;

/** The network_error_code TLV: network type (1 ANSI-136, 2 IS-95, 3 GSM, …) and that network's error code. */
export interface NetworkErrorCode {
  readonly networkType: number;
  readonly errorCode: number;
}

export interface RawTlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

/** Optional parameters: the ones a transceiver reads by name, the others kept as they came, in order. */
export interface Tlvs {
  readonly messagePayload?: Uint8Array;
  readonly receiptedMessageId?: string;
  readonly messageState?: number;
  readonly networkErrorCode?: NetworkErrorCode;
  readonly sarMsgRefNum?: number;
  readonly sarTotalSegments?: number;
  readonly sarSegmentSeqnum?: number;
  readonly unknown?: readonly RawTlv[];
}

export interface BindFields {
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly interfaceVersion: number;
  readonly addrTon: number;
  readonly addrNpi: number;
  readonly addressRange: string;
}

/** The body of submit_sm and deliver_sm, which share one layout (spec §4.4.1, §4.6.1). */
export interface ShortMessageFields {
  readonly serviceType: string;
  readonly sourceAddrTon: number;
  readonly sourceAddrNpi: number;
  readonly sourceAddr: string;
  readonly destAddrTon: number;
  readonly destAddrNpi: number;
  readonly destinationAddr: string;
  readonly esmClass: number;
  readonly protocolId: number;
  readonly priorityFlag: number;
  readonly scheduleDeliveryTime: string;
  readonly validityPeriod: string;
  readonly registeredDelivery: number;
  readonly replaceIfPresentFlag: number;
  readonly dataCoding: number;
  readonly smDefaultMsgId: number;
  /** sm_length is its length. */
  readonly shortMessage: Uint8Array;
  readonly tlvs: Tlvs;
}

interface Header<C extends CommandName> {
  readonly command: C;
  readonly status: number;
  readonly sequence: number;
}

export type BindCommand = 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver';
export type BindRespCommand = `${BindCommand}_resp`;
export type BindPdu = Header<BindCommand> & BindFields;
export type BindRespPdu = Header<BindRespCommand> & { readonly systemId: string; readonly tlvs: Tlvs };
export type SubmitSmPdu = Header<'submit_sm'> & ShortMessageFields;
export type SubmitSmRespPdu = Header<'submit_sm_resp'> & { readonly messageId: string };
export type DeliverSmPdu = Header<'deliver_sm'> & ShortMessageFields;
export type DeliverSmRespPdu = Header<'deliver_sm_resp'> & { readonly messageId: string };
/** data_sm (spec §4.7.1): the fields of submit_sm less those about a short_message, all content in TLVs. */
export interface DataSmFields {
  readonly serviceType: string;
  readonly sourceAddrTon: number;
  readonly sourceAddrNpi: number;
  readonly sourceAddr: string;
  readonly destAddrTon: number;
  readonly destAddrNpi: number;
  readonly destinationAddr: string;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  readonly dataCoding: number;
  readonly tlvs: Tlvs;
}
export type DataSmPdu = Header<'data_sm'> & DataSmFields;
export type DataSmRespPdu = Header<'data_sm_resp'> & { readonly messageId: string };
export type EmptyCommand = 'enquire_link' | 'enquire_link_resp' | 'unbind' | 'unbind_resp' | 'generic_nack';
export type EmptyPdu = Header<EmptyCommand>;

export type Pdu =
  | BindPdu
  | BindRespPdu
  | SubmitSmPdu
  | SubmitSmRespPdu
  | DeliverSmPdu
  | DeliverSmRespPdu
  | DataSmPdu
  | DataSmRespPdu
  | EmptyPdu;

/** How a malformed PDU is answered. */
export type DecodeAnswer =
  /** With the request's own response, carrying `status` and no body. */
  | 'response'
  /** With generic_nack carrying `status`: the header is unusable, or the PDU was a response. */
  | 'generic_nack'
  /** Not at all: it was itself a generic_nack, and nacking a nack could loop between two peers. */
  | 'none';

/** Why a PDU could not be read, and what to answer. A value, never thrown. */
export interface PduError {
  readonly status: number;
  readonly answer: DecodeAnswer;
  /** The header's fields when they could be read (0 otherwise), to address the answer. */
  readonly commandId: number;
  readonly sequence: number;
  readonly reason: string;
}

export type DecodeResult = { readonly ok: true; readonly pdu: Pdu } | { readonly ok: false; readonly error: PduError };

export function isResponseId(commandId: number): boolean {
  return (commandId & 0x80000000) !== 0;
}

/** The response to a malformed PDU, or null when none is due. */
export function answerFor(error: PduError): Pdu | null {
  if (error.answer === 'none') return null;
  if (error.answer === 'generic_nack')
    return { command: 'generic_nack', status: error.status, sequence: error.sequence };
  const request = COMMAND_BY_ID.get(error.commandId);
  switch (request) {
    case 'bind_transceiver':
    case 'bind_transmitter':
    case 'bind_receiver':
      return { command: `${request}_resp`, status: error.status, sequence: error.sequence, systemId: '', tlvs: {} };
    case 'submit_sm':
    case 'deliver_sm':
    case 'data_sm':
      return { command: `${request}_resp`, status: error.status, sequence: error.sequence, messageId: '' };
    case 'enquire_link':
    case 'unbind':
      return { command: `${request}_resp`, status: error.status, sequence: error.sequence };
    default:
      return { command: 'generic_nack', status: error.status, sequence: error.sequence };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding. Our own PDUs: a string that does not fit its field is a bug of the caller, so it throws.

function assertOctet(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff)
    throw new RangeError(`${name} must be an octet, got ${value}`);
}

function assertLatin1(text: string, name: string): void {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0xff) throw new RangeError(`${name} has a character outside one octet at ${index}`);
  }
}

function cStringOctets(text: string, field: FieldName): number {
  const max = FIELD[field].octetsMax;
  if (text.length + 1 > max) throw new RangeError(`${field} is ${text.length} characters, at most ${max - 1} fit`);
  assertLatin1(text, field);
  return text.length + 1;
}

/**
 * A duration as an SMPP 3.4 relative time (§7.1.1): `YYMMDDhhmmsstnnR`, here years and months 00, the days, hours,
 * minutes and seconds of `seconds` (at least 1, at most 99 days), tenths 0 and nn 00: "000000013000000R" is 1 h 30 min.
 * The SMSC counts it from when it takes the submit_sm.
 */
export function relativeSmppTime(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds >= 100 * 86_400) {
    throw new RangeError(`${seconds} s is not a relative SMPP time`);
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return `0000${two(days)}${two(hours)}${two(minutes)}${two(seconds % 60)}000R`;
}

function timeOctets(text: string, field: 'schedule_delivery_time' | 'validity_period'): number {
  if (text.length !== 0 && text.length !== 16) throw new RangeError(`${field} must be empty or 16 characters`);
  return cStringOctets(text, field);
}

const KNOWN_TLV_TAGS = new Set<number>(Object.values(TlvTag));

function tlvsOctets(tlvs: Tlvs): number {
  let octets = 0;
  if (tlvs.sarMsgRefNum !== undefined) octets += 4 + 2;
  if (tlvs.sarTotalSegments !== undefined) octets += 4 + 1;
  if (tlvs.sarSegmentSeqnum !== undefined) octets += 4 + 1;
  if (tlvs.messagePayload !== undefined) {
    if (tlvs.messagePayload.length > 0xffff) throw new RangeError('message_payload exceeds 65,535 octets');
    octets += 4 + tlvs.messagePayload.length;
  }
  if (tlvs.receiptedMessageId !== undefined) octets += 4 + cStringOctets(tlvs.receiptedMessageId, 'message_id');
  if (tlvs.messageState !== undefined) octets += 4 + 1;
  if (tlvs.networkErrorCode !== undefined) octets += 4 + 3;
  for (const raw of tlvs.unknown ?? []) {
    if (KNOWN_TLV_TAGS.has(raw.tag)) throw new RangeError(`TLV 0x${raw.tag.toString(16)} must be given by name`);
    if (!Number.isInteger(raw.tag) || raw.tag < 0 || raw.tag > 0xffff) throw new RangeError('TLV tag out of range');
    if (raw.value.length > 0xffff) throw new RangeError('TLV value exceeds 65,535 octets');
    octets += 4 + raw.value.length;
  }
  return octets;
}

/** A cursor over the output buffer. */
class Writer {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  u8(value: number): void {
    this.buffer[this.offset++] = value;
  }

  u16(value: number): void {
    this.buffer.writeUInt16BE(value, this.offset);
    this.offset += 2;
  }

  u32(value: number): void {
    this.buffer.writeUInt32BE(value >>> 0, this.offset);
    this.offset += 4;
  }

  cString(text: string): void {
    this.offset += this.buffer.write(text, this.offset, 'latin1');
    this.buffer[this.offset++] = 0;
  }

  bytes(value: Uint8Array): void {
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  tlv(tag: number, value: Uint8Array): void {
    this.u16(tag);
    this.u16(value.length);
    this.bytes(value);
  }

  tlvU8(tag: number, value: number): void {
    this.u16(tag);
    this.u16(1);
    this.u8(value);
  }
}

function writeTlvs(w: Writer, tlvs: Tlvs): void {
  if (tlvs.sarMsgRefNum !== undefined) {
    w.u16(TlvTag.sar_msg_ref_num);
    w.u16(2);
    w.u16(tlvs.sarMsgRefNum);
  }
  if (tlvs.sarTotalSegments !== undefined) w.tlvU8(TlvTag.sar_total_segments, tlvs.sarTotalSegments);
  if (tlvs.sarSegmentSeqnum !== undefined) w.tlvU8(TlvTag.sar_segment_seqnum, tlvs.sarSegmentSeqnum);
  if (tlvs.messagePayload !== undefined) w.tlv(TlvTag.message_payload, tlvs.messagePayload);
  if (tlvs.receiptedMessageId !== undefined) {
    w.u16(TlvTag.receipted_message_id);
    w.u16(tlvs.receiptedMessageId.length + 1);
    w.cString(tlvs.receiptedMessageId);
  }
  if (tlvs.messageState !== undefined) w.tlvU8(TlvTag.message_state, tlvs.messageState);
  if (tlvs.networkErrorCode !== undefined) {
    w.u16(TlvTag.network_error_code);
    w.u16(3);
    w.u8(tlvs.networkErrorCode.networkType);
    w.u16(tlvs.networkErrorCode.errorCode);
  }
  for (const raw of tlvs.unknown ?? []) w.tlv(raw.tag, raw.value);
}

function assertTlvValues(tlvs: Tlvs): void {
  if (tlvs.sarMsgRefNum !== undefined && !(Number.isInteger(tlvs.sarMsgRefNum) && tlvs.sarMsgRefNum >= 0)) {
    throw new RangeError('sar_msg_ref_num must be an integer');
  }
  if (tlvs.sarMsgRefNum !== undefined && tlvs.sarMsgRefNum > 0xffff) throw new RangeError('sar_msg_ref_num > 65535');
  if (tlvs.sarTotalSegments !== undefined) assertOctet(tlvs.sarTotalSegments, 'sar_total_segments');
  if (tlvs.sarSegmentSeqnum !== undefined) assertOctet(tlvs.sarSegmentSeqnum, 'sar_segment_seqnum');
  if (tlvs.messageState !== undefined) assertOctet(tlvs.messageState, 'message_state');
  if (tlvs.networkErrorCode !== undefined) {
    assertOctet(tlvs.networkErrorCode.networkType, 'network_error_code type');
    const code = tlvs.networkErrorCode.errorCode;
    if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new RangeError('network_error_code out of range');
  }
}

function bodyOctets(pdu: Pdu): number {
  switch (pdu.command) {
    case 'bind_transceiver':
    case 'bind_transmitter':
    case 'bind_receiver':
      assertOctet(pdu.interfaceVersion, 'interface_version');
      assertOctet(pdu.addrTon, 'addr_ton');
      assertOctet(pdu.addrNpi, 'addr_npi');
      return (
        cStringOctets(pdu.systemId, 'system_id') +
        cStringOctets(pdu.password, 'password') +
        cStringOctets(pdu.systemType, 'system_type') +
        3 +
        cStringOctets(pdu.addressRange, 'address_range')
      );
    case 'bind_transceiver_resp':
    case 'bind_transmitter_resp':
    case 'bind_receiver_resp':
      assertTlvValues(pdu.tlvs);
      if (respIsBodyless(pdu.status, pdu.systemId) && tlvsOctets(pdu.tlvs) === 0) return 0;
      return cStringOctets(pdu.systemId, 'system_id') + tlvsOctets(pdu.tlvs);
    case 'submit_sm':
    case 'deliver_sm': {
      for (const name of [
        'sourceAddrTon',
        'sourceAddrNpi',
        'destAddrTon',
        'destAddrNpi',
        'esmClass',
        'protocolId',
        'priorityFlag',
        'registeredDelivery',
        'replaceIfPresentFlag',
        'dataCoding',
        'smDefaultMsgId',
      ] as const) {
        assertOctet(pdu[name], name);
      }
      if (pdu.shortMessage.length > SHORT_MESSAGE_OCTETS_MAX) {
        throw new RangeError(`short_message is ${pdu.shortMessage.length} octets, at most 254`);
      }
      assertTlvValues(pdu.tlvs);
      return (
        cStringOctets(pdu.serviceType, 'service_type') +
        2 +
        cStringOctets(pdu.sourceAddr, 'source_addr') +
        2 +
        cStringOctets(pdu.destinationAddr, 'destination_addr') +
        3 +
        timeOctets(pdu.scheduleDeliveryTime, 'schedule_delivery_time') +
        timeOctets(pdu.validityPeriod, 'validity_period') +
        5 +
        pdu.shortMessage.length +
        tlvsOctets(pdu.tlvs)
      );
    }
    case 'data_sm':
      for (const name of [
        'sourceAddrTon',
        'sourceAddrNpi',
        'destAddrTon',
        'destAddrNpi',
        'esmClass',
        'registeredDelivery',
        'dataCoding',
      ] as const) {
        assertOctet(pdu[name], name);
      }
      assertTlvValues(pdu.tlvs);
      return (
        cStringOctets(pdu.serviceType, 'service_type') +
        2 +
        cStringOctets(pdu.sourceAddr, 'source_addr') +
        2 +
        cStringOctets(pdu.destinationAddr, 'destination_addr') +
        3 +
        tlvsOctets(pdu.tlvs)
      );
    case 'submit_sm_resp':
    case 'deliver_sm_resp':
    case 'data_sm_resp':
      // deliver_sm_resp's message_id is unused: a lone NUL when it succeeds.
      if (respIsBodyless(pdu.status, pdu.messageId)) return 0;
      return cStringOctets(pdu.messageId, 'message_id');
    default:
      return 0;
  }
}

/** A failed response leaves its body out (spec §4.1.2, §4.4.2), unless it was given something to carry. */
function respIsBodyless(status: number, text: string): boolean {
  return status !== CommandStatus.ESME_ROK && text === '';
}

/** The PDU's bytes, header included. Throws a RangeError when a field does not fit its size (a bug of the caller). */
export function encodePdu(pdu: Pdu): Buffer {
  if (!Number.isInteger(pdu.sequence) || pdu.sequence < 0 || pdu.sequence > 0xffffffff) {
    throw new RangeError(`sequence_number out of range: ${pdu.sequence}`);
  }
  if (!Number.isInteger(pdu.status) || pdu.status < 0 || pdu.status > 0xffffffff) {
    throw new RangeError(`command_status out of range: ${pdu.status}`);
  }
  const length = HEADER_OCTETS + bodyOctets(pdu);
  const w = new Writer(Buffer.allocUnsafe(length));
  w.u32(length);
  w.u32(CommandId[pdu.command]);
  w.u32(pdu.status);
  w.u32(pdu.sequence);
  switch (pdu.command) {
    case 'bind_transceiver':
    case 'bind_transmitter':
    case 'bind_receiver':
      w.cString(pdu.systemId);
      w.cString(pdu.password);
      w.cString(pdu.systemType);
      w.u8(pdu.interfaceVersion);
      w.u8(pdu.addrTon);
      w.u8(pdu.addrNpi);
      w.cString(pdu.addressRange);
      break;
    case 'bind_transceiver_resp':
    case 'bind_transmitter_resp':
    case 'bind_receiver_resp':
      if (length === HEADER_OCTETS) break;
      w.cString(pdu.systemId);
      writeTlvs(w, pdu.tlvs);
      break;
    case 'submit_sm':
    case 'deliver_sm':
      w.cString(pdu.serviceType);
      w.u8(pdu.sourceAddrTon);
      w.u8(pdu.sourceAddrNpi);
      w.cString(pdu.sourceAddr);
      w.u8(pdu.destAddrTon);
      w.u8(pdu.destAddrNpi);
      w.cString(pdu.destinationAddr);
      w.u8(pdu.esmClass);
      w.u8(pdu.protocolId);
      w.u8(pdu.priorityFlag);
      w.cString(pdu.scheduleDeliveryTime);
      w.cString(pdu.validityPeriod);
      w.u8(pdu.registeredDelivery);
      w.u8(pdu.replaceIfPresentFlag);
      w.u8(pdu.dataCoding);
      w.u8(pdu.smDefaultMsgId);
      w.u8(pdu.shortMessage.length);
      w.bytes(pdu.shortMessage);
      writeTlvs(w, pdu.tlvs);
      break;
    case 'data_sm':
      w.cString(pdu.serviceType);
      w.u8(pdu.sourceAddrTon);
      w.u8(pdu.sourceAddrNpi);
      w.cString(pdu.sourceAddr);
      w.u8(pdu.destAddrTon);
      w.u8(pdu.destAddrNpi);
      w.cString(pdu.destinationAddr);
      w.u8(pdu.esmClass);
      w.u8(pdu.registeredDelivery);
      w.u8(pdu.dataCoding);
      writeTlvs(w, pdu.tlvs);
      break;
    case 'submit_sm_resp':
    case 'deliver_sm_resp':
    case 'data_sm_resp':
      if (length === HEADER_OCTETS) break;
      w.cString(pdu.messageId);
      break;
    default:
      break;
  }
  if (w.offset !== length) throw new Error(`encoded ${w.offset} octets of a ${length}-octet ${pdu.command}`);
  return w.buffer;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding. A peer's bytes: every defect becomes a PduError value.

/** Raised inside the decoder only, and always caught by `decodePdu`. */
class Malformed {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

class Reader {
  offset = HEADER_OCTETS;
  constructor(
    readonly buffer: Buffer,
    readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.offset;
  }

  need(octets: number, what: string): void {
    if (this.offset + octets > this.end) {
      throw new Malformed(CommandStatus.ESME_RINVCMDLEN, `${what} runs past command_length`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buffer[this.offset++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  bytes(octets: number, what: string): Buffer {
    this.need(octets, what);
    // A copy, so a decoded PDU never pins (or sees later changes to) the receive buffer.
    const value = Buffer.from(this.buffer.subarray(this.offset, this.offset + octets));
    this.offset += octets;
    return value;
  }

  /** A NUL-terminated field of at most `octetsMax` octets with the NUL. */
  cString(field: FieldName): string {
    const { octetsMax, status } = FIELD[field];
    const searchEnd = Math.min(this.end, this.offset + octetsMax);
    const nul = this.buffer.indexOf(0, this.offset);
    if (nul === -1 || nul >= searchEnd) {
      if (searchEnd === this.end && this.end - this.offset < octetsMax) {
        throw new Malformed(CommandStatus.ESME_RINVCMDLEN, `${field} has no NUL before command_length`);
      }
      throw new Malformed(status, `${field} is longer than ${octetsMax - 1} characters`);
    }
    const text = this.buffer.toString('latin1', this.offset, nul);
    this.offset = nul + 1;
    return text;
  }

  time(field: 'schedule_delivery_time' | 'validity_period'): string {
    const text = this.cString(field);
    if (text.length !== 0 && text.length !== 16) {
      throw new Malformed(FIELD[field].status, `${field} must be empty or 16 characters`);
    }
    return text;
  }
}

function readTlvs(r: Reader): Tlvs {
  if (r.remaining === 0) return {};
  const tlvs: {
    -readonly [K in keyof Tlvs]: Tlvs[K];
  } = {};
  const unknown: RawTlv[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 4) throw new Malformed(CommandStatus.ESME_RINVOPTPARSTREAM, 'a TLV header is cut short');
    const tag = r.u16('TLV tag');
    const length = r.u16('TLV length');
    if (length > r.remaining) {
      throw new Malformed(CommandStatus.ESME_RINVOPTPARSTREAM, `TLV 0x${tag.toString(16)} runs past command_length`);
    }
    const valueAt = r.offset;
    const wrongLength = (expected: number) => {
      if (length !== expected) {
        throw new Malformed(CommandStatus.ESME_RINVPARLEN, `TLV 0x${tag.toString(16)} must be ${expected} octets`);
      }
    };
    switch (tag) {
      case TlvTag.message_payload:
        tlvs.messagePayload = r.bytes(length, 'message_payload');
        break;
      case TlvTag.receipted_message_id: {
        if (length > FIELD.message_id.octetsMax) {
          throw new Malformed(CommandStatus.ESME_RINVPARLEN, 'receipted_message_id is longer than 65 octets');
        }
        // Leniency: some SMSCs leave out the NUL; an embedded NUL ends the id.
        const value = r.buffer.toString('latin1', valueAt, valueAt + length);
        const nul = value.indexOf('\0');
        const id = nul === -1 ? value : value.slice(0, nul);
        if (id.length > FIELD_CHARS_MAX.message_id) {
          throw new Malformed(CommandStatus.ESME_RINVPARLEN, 'receipted_message_id is longer than 64 characters');
        }
        tlvs.receiptedMessageId = id;
        r.offset += length;
        break;
      }
      case TlvTag.message_state:
        wrongLength(1);
        tlvs.messageState = r.u8('message_state');
        break;
      case TlvTag.network_error_code:
        wrongLength(3);
        tlvs.networkErrorCode = { networkType: r.u8('network type'), errorCode: r.u16('network error code') };
        break;
      case TlvTag.sar_msg_ref_num:
        wrongLength(2);
        tlvs.sarMsgRefNum = r.u16('sar_msg_ref_num');
        break;
      case TlvTag.sar_total_segments:
        wrongLength(1);
        tlvs.sarTotalSegments = r.u8('sar_total_segments');
        break;
      case TlvTag.sar_segment_seqnum:
        wrongLength(1);
        tlvs.sarSegmentSeqnum = r.u8('sar_segment_seqnum');
        break;
      default:
        unknown.push({ tag, value: r.bytes(length, 'TLV value') });
    }
  }
  if (unknown.length > 0) tlvs.unknown = unknown;
  return tlvs;
}

function readShortMessageFields(r: Reader): ShortMessageFields {
  const serviceType = r.cString('service_type');
  const sourceAddrTon = r.u8('source_addr_ton');
  const sourceAddrNpi = r.u8('source_addr_npi');
  const sourceAddr = r.cString('source_addr');
  const destAddrTon = r.u8('dest_addr_ton');
  const destAddrNpi = r.u8('dest_addr_npi');
  const destinationAddr = r.cString('destination_addr');
  const esmClass = r.u8('esm_class');
  const protocolId = r.u8('protocol_id');
  const priorityFlag = r.u8('priority_flag');
  const scheduleDeliveryTime = r.time('schedule_delivery_time');
  const validityPeriod = r.time('validity_period');
  const registeredDelivery = r.u8('registered_delivery');
  const replaceIfPresentFlag = r.u8('replace_if_present_flag');
  const dataCoding = r.u8('data_coding');
  const smDefaultMsgId = r.u8('sm_default_msg_id');
  const smLength = r.u8('sm_length');
  if (smLength > SHORT_MESSAGE_OCTETS_MAX) throw new Malformed(CommandStatus.ESME_RINVMSGLEN, 'sm_length is 255');
  if (smLength > r.remaining) throw new Malformed(CommandStatus.ESME_RINVMSGLEN, 'sm_length runs past command_length');
  const shortMessage = r.bytes(smLength, 'short_message');
  const tlvs = readTlvs(r);
  if (smLength > 0 && tlvs.messagePayload !== undefined) {
    // Spec §5.3.2.32: message_payload may only be used with sm_length 0.
    throw new Malformed(CommandStatus.ESME_RINVMSGLEN, 'short_message and message_payload are both present');
  }
  return {
    serviceType,
    sourceAddrTon,
    sourceAddrNpi,
    sourceAddr,
    destAddrTon,
    destAddrNpi,
    destinationAddr,
    esmClass,
    protocolId,
    priorityFlag,
    scheduleDeliveryTime,
    validityPeriod,
    registeredDelivery,
    replaceIfPresentFlag,
    dataCoding,
    smDefaultMsgId,
    shortMessage,
    tlvs,
  };
}

function readBody(command: CommandName, status: number, sequence: number, r: Reader): Pdu {
  switch (command) {
    case 'bind_transceiver':
    case 'bind_transmitter':
    case 'bind_receiver': {
      const systemId = r.cString('system_id');
      const password = r.cString('password');
      const systemType = r.cString('system_type');
      const interfaceVersion = r.u8('interface_version');
      const addrTon = r.u8('addr_ton');
      const addrNpi = r.u8('addr_npi');
      const addressRange = r.cString('address_range');
      // Bind PDUs carry no TLVs in 3.4.
      if (r.remaining > 0) throw new Malformed(CommandStatus.ESME_RINVCMDLEN, `${command} has octets after its body`);
      return {
        command,
        status,
        sequence,
        systemId,
        password,
        systemType,
        interfaceVersion,
        addrTon,
        addrNpi,
        addressRange,
      };
    }
    case 'bind_transceiver_resp':
    case 'bind_transmitter_resp':
    case 'bind_receiver_resp':
      if (r.remaining === 0 && status !== CommandStatus.ESME_ROK)
        return { command, status, sequence, systemId: '', tlvs: {} };
      return { command, status, sequence, systemId: r.cString('system_id'), tlvs: readTlvs(r) };
    case 'submit_sm':
    case 'deliver_sm':
      return { command, status, sequence, ...readShortMessageFields(r) };
    case 'data_sm':
      return {
        command,
        status,
        sequence,
        serviceType: r.cString('service_type'),
        sourceAddrTon: r.u8('source_addr_ton'),
        sourceAddrNpi: r.u8('source_addr_npi'),
        sourceAddr: r.cString('source_addr'),
        destAddrTon: r.u8('dest_addr_ton'),
        destAddrNpi: r.u8('dest_addr_npi'),
        destinationAddr: r.cString('destination_addr'),
        esmClass: r.u8('esm_class'),
        registeredDelivery: r.u8('registered_delivery'),
        dataCoding: r.u8('data_coding'),
        tlvs: readTlvs(r),
      };
    case 'submit_sm_resp':
    case 'deliver_sm_resp':
    case 'data_sm_resp': {
      // deliver_sm_resp's message_id is unused, so an SMSC-side peer that leaves it out is tolerated.
      if (r.remaining === 0 && (status !== CommandStatus.ESME_ROK || command !== 'submit_sm_resp')) {
        return { command, status, sequence, messageId: '' };
      }
      const messageId = r.cString('message_id');
      // Optional parameters may follow (vendor ones, or ones of a later version): a receiver ignores those it does
      // not know (spec §5.3, §3.3 compatibility guidelines), so they are read past, never refused.
      readTlvs(r);
      return { command, status, sequence, messageId };
    }
    default:
      if (r.remaining > 0) throw new Malformed(CommandStatus.ESME_RINVCMDLEN, `${command} must have no body`);
      return { command, status, sequence };
  }
}

/**
 * Reads one whole PDU (header included). Never throws on a peer's bytes: a defect yields a PduError saying what
 * command_status to answer with, and whether with the request's response, generic_nack, or nothing.
 */
export function decodePdu(frame: Uint8Array): DecodeResult {
  const buffer = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buffer.length < HEADER_OCTETS) {
    return fail(CommandStatus.ESME_RINVCMDLEN, 'generic_nack', 0, 0, `a PDU of ${buffer.length} octets has no header`);
  }
  const commandLength = buffer.readUInt32BE(0);
  const commandId = buffer.readUInt32BE(4);
  const status = buffer.readUInt32BE(8);
  const sequence = buffer.readUInt32BE(12);
  if (commandLength !== buffer.length) {
    const reason = `command_length ${commandLength} but the PDU has ${buffer.length} octets`;
    return fail(CommandStatus.ESME_RINVCMDLEN, 'generic_nack', commandId, sequence, reason);
  }
  const command = COMMAND_BY_ID.get(commandId);
  if (command === undefined) {
    const reason = `unknown command_id 0x${commandId.toString(16).padStart(8, '0')}`;
    return fail(CommandStatus.ESME_RINVCMDID, 'generic_nack', commandId, sequence, reason);
  }
  try {
    return { ok: true, pdu: readBody(command, status, sequence, new Reader(buffer, buffer.length)) };
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    let answer: DecodeAnswer = 'response';
    if (command === 'generic_nack') answer = 'none';
    else if (isResponseId(commandId)) answer = 'generic_nack';
    return fail(error.status, answer, commandId, sequence, `${command}: ${error.reason}`);
  }
}

function fail(status: number, answer: DecodeAnswer, commandId: number, sequence: number, reason: string): DecodeResult {
  return { ok: false, error: { status, answer, commandId, sequence, reason } };
}

// ---------------------------------------------------------------------------------------------------------------
// Framing of a TCP stream.

/** A stream that cannot be cut into PDUs any more: answer generic_nack with `status`, then close. */
export interface FramingError {
  readonly status: number;
  readonly commandLength: number;
  /** The sequence number of the bad header when it had arrived, else 0. */
  readonly sequence: number;
  readonly reason: string;
}

/**
 * Cuts a byte stream into whole PDUs, however the stream was chunked (partial and coalesced frames). A frame that
 * arrives in pieces is gathered into one buffer of its announced length, so a slow peer costs no repeated copying.
 * After a framing error (command_length below 16 or above the maximum) nothing more is read: the stream has lost its
 * place.
 */
export class PduFrameSplitter {
  readonly #commandLengthMax: number;
  /** Fewer than 4 octets of the next header. */
  #head: Buffer | null = null;
  /** A frame whose length is known, being filled. */
  #partial: Buffer | null = null;
  #filledOctets = 0;
  #failed: FramingError | null = null;

  constructor(commandLengthMax: number = COMMAND_LENGTH_MAX) {
    if (!(Number.isInteger(commandLengthMax) && commandLengthMax >= HEADER_OCTETS)) {
      throw new RangeError('commandLengthMax must be at least 16');
    }
    this.#commandLengthMax = commandLengthMax;
  }

  /** Octets received but not yet a whole PDU. */
  get bufferedOctets(): number {
    return this.#partial ? this.#filledOctets : (this.#head?.length ?? 0);
  }

  /** Calls `onFrame` for each whole PDU in order; returns the framing error that stops the stream, or null. */
  push(chunk: Uint8Array, onFrame: (frame: Buffer) => void): FramingError | null {
    if (this.#failed) return this.#failed;
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    if (this.#partial) {
      const partial = this.#partial;
      const taken = Math.min(partial.length - this.#filledOctets, data.length);
      data.copy(partial, this.#filledOctets, 0, taken);
      this.#filledOctets += taken;
      offset = taken;
      if (this.#filledOctets < partial.length) return null;
      this.#partial = null;
      onFrame(partial);
    } else if (this.#head) {
      // At most 3 octets wait here, so joining them to the chunk is cheap.
      data = Buffer.concat([this.#head, data]);
      this.#head = null;
    }
    while (data.length - offset >= 4) {
      const commandLength = data.readUInt32BE(offset);
      if (commandLength < HEADER_OCTETS || commandLength > this.#commandLengthMax) {
        const sequence = data.length - offset >= HEADER_OCTETS ? data.readUInt32BE(offset + 12) : 0;
        const reason =
          commandLength < HEADER_OCTETS
            ? `command_length ${commandLength} is shorter than a header`
            : `command_length ${commandLength} exceeds the maximum of ${this.#commandLengthMax}`;
        this.#failed = { status: CommandStatus.ESME_RINVCMDLEN, commandLength, sequence, reason };
        return this.#failed;
      }
      if (data.length - offset < commandLength) {
        this.#partial = Buffer.allocUnsafe(commandLength);
        this.#filledOctets = data.copy(this.#partial, 0, offset);
        return null;
      }
      onFrame(data.subarray(offset, offset + commandLength));
      offset += commandLength;
    }
    if (offset < data.length) this.#head = Buffer.from(data.subarray(offset));
    return null;
  }
}
