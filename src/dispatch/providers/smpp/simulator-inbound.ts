// The simulated SMSC's messages from handsets (mobile originated): one text as the deliver_sm or data_sm PDUs an SMSC
// sends for it, whole or in parts numbered by UDH (8- or 16-bit reference) or by SAR TLVs.
import { splitParts } from '../../../domain/gsm.js';
import { DataCoding, EsmClass, encodeParts } from './encoding.js';
import type { Pdu, Tlvs } from './pdu.js';

export interface SimulatedInbound {
  /** The handset's number. */
  readonly from: string;
  /** The number or short code it was sent to. */
  readonly to: string;
  /**
   * source_addr_ton of `from` (default 1, international) and dest_addr_ton of `to` (default 0, unknown): an SMSC may
   * write either in national form (TON 2: the digits without the country code, e.g. "25550100" for +371 2555 0100).
   */
  readonly fromTon?: number;
  readonly toTon?: number;
  readonly text: string;
  /**
   * How a text of several parts is numbered: `udh` (IEI 0x00, 8-bit reference; the default), `udh16` (IEI 0x08,
   * 16-bit reference), `sar` (the TLVs sar_msg_ref_num, sar_total_segments, sar_segment_seqnum, no UDH).
   */
  readonly concat?: 'udh' | 'udh16' | 'sar';
  /** Latin-1 (data_coding 3) for a text that fits it; else GSM-7 or UCS-2 as GSM 03.38 picks. */
  readonly latin1?: boolean;
  /**
   * The handset's message class, passed on in data_coding as GSM 03.38 codes it (as some SMSCs do): 1111 00cc for
   * GSM-7 (SMPP 3.4 §5.2.19 message class control), 0001 10cc for UCS-2. Absent: data_coding 0 or 8.
   */
  readonly messageClass?: 0 | 1 | 2 | 3;
  /**
   * GSM-7 septets under data_coding 1 (IA5) instead of 0, as some SMSCs (and the npm smpp package by default) write
   * them; the receiver must not read an "@" (septet 0x00) as IA5's NUL.
   */
  readonly gsmAsIa5?: boolean;
  readonly command?: 'deliver_sm' | 'data_sm';
  readonly reference?: number;
  /** Send the parts last to first. */
  readonly reversed?: boolean;
}

interface Part {
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly octets: Buffer;
  readonly tlvs: Tlvs;
}

/**
 * data_coding 0 (GSM-7) or 8 (UCS-2) with the message class of `message`, if it has one (Latin-1 has none), or 1
 * for GSM-7 written as IA5.
 */
function withClass(dataCoding: number, message: SimulatedInbound): number {
  if (message.gsmAsIa5 && dataCoding === DataCoding.default) return DataCoding.ia5;
  if (message.messageClass === undefined || dataCoding === DataCoding.latin1) return dataCoding;
  return (dataCoding === DataCoding.ucs2 ? 0x18 : 0xf0) | message.messageClass;
}

function partsOf(message: SimulatedInbound): Part[] {
  return partsWithoutClass(message).map((part) => ({ ...part, dataCoding: withClass(part.dataCoding, message) }));
}

function partsWithoutClass(message: SimulatedInbound): Part[] {
  if (message.latin1) {
    return [{ dataCoding: DataCoding.latin1, esmClass: 0, octets: Buffer.from(message.text, 'latin1'), tlvs: {} }];
  }
  const { encoding, parts } = splitParts(message.text);
  const reference = message.reference ?? 0x42;
  const concat = message.concat ?? 'udh';
  if (parts.length === 1 || concat === 'udh') {
    const encoded = encodeParts(encoding, parts, reference & 0xff);
    return encoded.parts.map((octets) => ({
      dataCoding: encoded.dataCoding,
      esmClass: encoded.esmClass,
      octets,
      tlvs: {},
    }));
  }
  return parts.map((text, index) => {
    const single = encodeParts(encoding, [text], 0);
    const body = single.parts[0] as Buffer;
    if (concat === 'sar') {
      return {
        dataCoding: single.dataCoding,
        esmClass: 0,
        octets: body,
        tlvs: { sarMsgRefNum: reference, sarTotalSegments: parts.length, sarSegmentSeqnum: index + 1 },
      };
    }
    // TS 23.040 §9.2.3.24.8: UDHL 6, IEI 0x08, IEDL 4, reference (2 octets), total, sequence.
    const udh = Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, parts.length, index + 1]);
    return { dataCoding: single.dataCoding, esmClass: EsmClass.udhi, octets: Buffer.concat([udh, body]), tlvs: {} };
  });
}

/** The PDUs of one message from a handset, numbered from `nextSequence()`. */
export function inboundPdus(message: SimulatedInbound, nextSequence: () => number): Pdu[] {
  const parts = partsOf(message);
  if (message.reversed) parts.reverse();
  return parts.map((part) => {
    const common = {
      status: 0,
      sequence: nextSequence(),
      serviceType: '',
      sourceAddrTon: message.fromTon ?? 1,
      sourceAddrNpi: 1,
      sourceAddr: message.from,
      destAddrTon: message.toTon ?? 0,
      destAddrNpi: message.toTon === undefined ? 0 : 1,
      destinationAddr: message.to,
      esmClass: part.esmClass,
      registeredDelivery: 0,
      dataCoding: part.dataCoding,
    } as const;
    if (message.command === 'data_sm') {
      return { ...common, command: 'data_sm', tlvs: { ...part.tlvs, messagePayload: part.octets } };
    }
    return {
      ...common,
      command: 'deliver_sm',
      protocolId: 0,
      priorityFlag: 0,
      scheduleDeliveryTime: '',
      validityPeriod: '',
      replaceIfPresentFlag: 0,
      smDefaultMsgId: 0,
      shortMessage: part.octets,
      tlvs: part.tlvs,
    };
  });
}
