// Messages from handsets over SMPP (mobile originated): a deliver_sm or data_sm that is not a delivery receipt, its
// text decoded by data_coding and its parts put back together.
//
// Facts relied on:
// - SMPP 3.4 §4.6.1: deliver_sm carries both SMSC delivery receipts and messages from a handset to the ESME; the
//   message type bits 2..5 of esm_class (§5.2.12) tell them apart: 0 is a normal message, 0x04 a delivery receipt,
//   0x08/0x10/0x20 acknowledgements and intermediate notifications (all of which `isReceipt` treats as reports).
// - §5.2.12: esm_class bit 6 (0x40, UDHI) says short_message starts with a User Data Header.
// - §5.2.19 data_coding: 0 the SMSC default alphabet (GSM 03.38 here, one septet an octet), 1 IA5, 3 Latin-1, 8 UCS-2.
// - §5.3.2.22–24: a message in segments without a UDH numbers them with sar_msg_ref_num (16 bits), sar_total_segments
//   and sar_segment_seqnum (from 1).
// - 3GPP TS 23.040 §9.2.3.24.1 (IEI 0x00: 8-bit reference, total, sequence) and §9.2.3.24.8 (IEI 0x08: 16-bit
//   reference): concatenated short messages, reassembled by originator and reference.
// - §4.7.1: data_sm has no short_message; the text is in the message_payload TLV (§5.3.2.32).
import { createHash } from 'node:crypto';
import type { SenderFormat } from '../../../domain/inbound.js';
import { decodeShortMessage, type Ia5Reading } from './encoding.js';
import type { DeliverSmPdu } from './pdu.js';
import { isReceipt } from './receipt.js';

/** A whole message from a handset, as the client hands it on. */
export interface SmppInboundMessage {
  /**
   * SMPP gives a handset's message no id of its own: this one is derived from the sender, the recipient, the
   * concatenation reference, the text and the minute window it arrived in, so that the SMSC delivering it again
   * (after an error answer or a lost response) is recognised. Two identical texts from one number to one number in the
   * same INBOUND_DEDUP_WINDOW_MS are therefore taken as one.
   */
  readonly providerMessageId: string;
  /** The sender as the SMSC gave it (trimmed): the inbound service makes a number international digits. */
  readonly from: string;
  /** How source_addr_ton says `from` is written. */
  readonly senderFormat: SenderFormat;
  /** The number it was sent to as the SMSC gave it (trimmed): the inbound service reads it as one of our numbers. */
  readonly to: string;
  /** How dest_addr_ton says `to` is written. */
  readonly destinationFormat: SenderFormat;
  readonly text: string;
}

/** How long a repeat of the same message counts as a redelivery of it (see SmppInboundMessage). */
export const INBOUND_DEDUP_WINDOW_MS = 10 * 60_000;
/** Parts of an unfinished message are kept this long for the others. */
export const INBOUND_PARTS_HOLD_MS = 10 * 60_000;
/** Unfinished messages kept at most; the oldest is dropped beyond it. */
export const INBOUND_PARTS_MAX = 10_000;

export type InboundPartResult =
  | { readonly kind: 'complete'; readonly message: SmppInboundMessage; readonly key: string | null }
  | { readonly kind: 'partial' }
  | { readonly kind: 'malformed'; readonly reason: string };

interface Pending {
  readonly total: number;
  readonly parts: Map<number, string>;
  readonly firstAtMs: number;
}

/** Whether a deliver_sm (or a data_sm read as one) is a message from a handset rather than a receipt. */
export function isHandsetMessage(pdu: Pick<DeliverSmPdu, 'esmClass'>): boolean {
  return !isReceipt(pdu);
}

function addressOf(address: string): string {
  return address.trim().replace(/^\+/, '');
}

/** source_addr_ton and dest_addr_ton values (§5.2.5) read by senderFormatOf. */
const Ton = { international: 1, national: 2, alphanumeric: 5 } as const;

/**
 * How source_addr_ton or dest_addr_ton (§5.2.5) says an address is written: 1 international (country code first),
 * 2 national (without it: a sender is read as a number of the receiving number's country, a destination as one of the
 * route's country), 5 alphanumeric (kept as it is). 0 unknown and the rest (3 network specific, 4 subscriber number,
 * 6 abbreviated) tell nothing the digits do not: they are read by the inbound service's rule for addresses whose form
 * is not said (services/inbound-sender.ts, services/inbound-destination.ts). The NPI is not read: SMSCs send 0
 * (unknown) or 1 (E.164) with any TON, an alphanumeric sender included.
 */
export function senderFormatOf(ton: number): SenderFormat {
  if (ton === Ton.international) return 'international';
  if (ton === Ton.national) return 'national';
  return ton === Ton.alphanumeric ? 'alphanumeric' : 'unknown';
}

/** Collects the parts of messages from handsets until each is whole. */
export class InboundAssembler {
  readonly #pending = new Map<string, Pending>();
  readonly #ia5: Ia5Reading;

  /** `ia5`: how text under data_coding 1 is read (the route's `ia5=`, see Ia5Reading). */
  constructor(ia5: Ia5Reading = 'auto') {
    this.#ia5 = ia5;
  }

  /** Reads one part: the whole message once it is complete (call `forget(key)` once it is stored). */
  accept(pdu: DeliverSmPdu, nowMs: number): InboundPartResult {
    this.#expire(nowMs);
    const octets = pdu.shortMessage.length > 0 ? pdu.shortMessage : (pdu.tlvs.messagePayload ?? new Uint8Array(0));
    const decoded = decodeShortMessage(pdu.dataCoding, pdu.esmClass, octets, this.#ia5);
    if (!decoded.ok) return { kind: 'malformed', reason: decoded.reason };
    // The id is derived from the digits (as before the addresses were kept as written), the message carries the
    // addresses as the SMSC wrote them.
    const from = addressOf(pdu.sourceAddr);
    const to = addressOf(pdu.destinationAddr);
    const addresses = {
      from: pdu.sourceAddr.trim(),
      senderFormat: senderFormatOf(pdu.sourceAddrTon),
      to: pdu.destinationAddr.trim(),
      destinationFormat: senderFormatOf(pdu.destAddrTon),
    };
    const { sarMsgRefNum, sarTotalSegments, sarSegmentSeqnum } = pdu.tlvs;
    let concat = decoded.concat;
    let scheme = 'udh';
    if (concat === null && sarMsgRefNum !== undefined && sarTotalSegments !== undefined) {
      if (sarSegmentSeqnum === undefined || sarSegmentSeqnum < 1 || sarSegmentSeqnum > sarTotalSegments) {
        return { kind: 'malformed', reason: `sar_segment_seqnum ${sarSegmentSeqnum} of ${sarTotalSegments}` };
      }
      concat = { reference: sarMsgRefNum, total: sarTotalSegments, sequence: sarSegmentSeqnum };
      scheme = 'sar';
    }
    if (concat === null || concat.total <= 1) {
      return { kind: 'complete', message: message(from, to, decoded.text, '', nowMs, addresses), key: null };
    }
    const key = `${from}\u0000${to}\u0000${scheme}\u0000${concat.reference}\u0000${concat.total}`;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      if (this.#pending.size >= INBOUND_PARTS_MAX) {
        const oldest = this.#pending.keys().next().value;
        if (oldest !== undefined) this.#pending.delete(oldest);
      }
      pending = { total: concat.total, parts: new Map(), firstAtMs: nowMs };
      this.#pending.set(key, pending);
    }
    pending.parts.set(concat.sequence, decoded.text);
    if (pending.parts.size < pending.total) return { kind: 'partial' };
    let text = '';
    for (let sequence = 1; sequence <= pending.total; sequence++) text += pending.parts.get(sequence) ?? '';
    return {
      kind: 'complete',
      message: message(from, to, text, `${scheme}:${concat.reference}`, pending.firstAtMs, addresses),
      key,
    };
  }

  /** Drops a whole message's parts once it is stored (kept until then, so a redelivered last part completes it). */
  forget(key: string | null): void {
    if (key !== null) this.#pending.delete(key);
  }

  /** Unfinished messages held. */
  get pending(): number {
    return this.#pending.size;
  }

  #expire(nowMs: number): void {
    for (const [key, pending] of this.#pending) {
      if (nowMs - pending.firstAtMs < INBOUND_PARTS_HOLD_MS) break;
      this.#pending.delete(key);
    }
  }
}

function message(
  from: string,
  to: string,
  text: string,
  reference: string,
  atMs: number,
  addresses: Pick<SmppInboundMessage, 'from' | 'senderFormat' | 'to' | 'destinationFormat'>,
): SmppInboundMessage {
  const window = Math.floor(atMs / INBOUND_DEDUP_WINDOW_MS);
  const digest = createHash('sha256')
    .update(`${from}\u0000${to}\u0000${reference}\u0000${window}\u0000${text}`)
    .digest('hex')
    .slice(0, 32);
  return { providerMessageId: `mo-${digest}`, ...addresses, text };
}
