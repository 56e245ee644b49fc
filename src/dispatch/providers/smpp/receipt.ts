// SMSC delivery receipts (deliver_sm with esm_class 0x04): read from TLVs or the Appendix B text, mapped to our statuses.
import type { ReportStatus } from '../../../domain/status.js';
import { EsmClass } from './encoding.js';
import type { DeliverSmPdu } from './pdu.js';

/** The receipt's word for the message's state: Appendix B `stat:` values, and the message_state TLV's names. */
export type ReceiptStat = 'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD' | 'ENROUTE';

/**
 * Our status for each receipt word; null when the message is not final yet.
 *
 * ACCEPTD is a final state in the spec's table (read on the subscriber's behalf by customer service), but SMSCs send
 * it as "accepted for delivery", with DELIVRD or a failure following; taking it as final would stop us at the wrong
 * word, so it is not final here. ENROUTE is not final by definition. UNKNOWN ("invalid state") is the SMSC giving up
 * on the message: final, undelivered. DELETED (removed by the SMSC or an operator) never reached the handset:
 * undelivered.
 */
export const STATUS_OF_STAT: Readonly<Record<ReceiptStat, ReportStatus | null>> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'undelivered',
  UNDELIV: 'undelivered',
  UNKNOWN: 'undelivered',
  REJECTD: 'rejected',
  ACCEPTD: null,
  ENROUTE: null,
};

/** message_state TLV values (spec §5.2.28) as receipt words. */
const STAT_OF_MESSAGE_STATE: Readonly<Record<number, ReceiptStat>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** Words some SMSCs print instead of the Appendix B abbreviations. */
const STAT_ALIASES: Readonly<Record<string, ReceiptStat>> = {
  DELIVERED: 'DELIVRD',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  FAILED: 'UNDELIV',
  REJECTED: 'REJECTD',
  ACCEPTED: 'ACCEPTD',
  ENROUTE: 'ENROUTE',
};

export interface Receipt {
  /** The SMSC's id of the message (as submit_sm_resp gave it, or in another notation: match with `messageIdKeys`). */
  readonly messageId: string;
  readonly stat: ReceiptStat;
  /** Our status when final, else null. */
  readonly status: ReportStatus | null;
  /** The SMSC's error code when it gave one (Appendix B `err:`, or network_error_code), null for none or 0. */
  readonly error: string | null;
  /** `done date` in microseconds (read as UTC: the receipt carries no zone), when present and valid. */
  readonly doneAtUs: number | null;
}

export type ReceiptResult =
  | { readonly ok: true; readonly receipt: Receipt }
  | { readonly ok: false; readonly reason: string };

/** Whether a deliver_sm is a delivery receipt (final or intermediate) rather than a message from a handset. */
export function isReceipt(pdu: Pick<DeliverSmPdu, 'esmClass'>): boolean {
  const type = pdu.esmClass & EsmClass.messageTypeMask;
  return type === EsmClass.deliveryReceipt || type === EsmClass.intermediateNotification;
}

function statFromWord(word: string): ReceiptStat | null {
  const upper = word.toUpperCase();
  if (upper in STATUS_OF_STAT) return upper as ReceiptStat;
  return STAT_ALIASES[upper] ?? null;
}

/** `YYMMDDhhmm` or `YYMMDDhhmmss`, as UTC microseconds; null when it is not a date. */
export function parseReceiptDate(text: string): number | null {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(text);
  if (!match) return null;
  const [, yy, mo, dd, hh, mi, ss] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, Number.isNaN(ss) ? 0 : ss);
  const date = new Date(ms);
  // Date.UTC rolls 31 February into March; such a date is not a date.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== dd || hh > 23 || mi > 59) return null;
  if (!Number.isNaN(ss) && ss > 59) return null;
  return ms * 1000;
}

/** The fields of an Appendix B text, keys lower-cased, `text:` (free text that may contain anything) left out. */
function appendixBFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const textAt = text.search(/(^|\s)text:/i);
  const head = textAt === -1 ? text : text.slice(0, textAt);
  const re = /(id|sub|dlvrd|submit date|done date|stat|err):(\S*)/gi;
  for (let match = re.exec(head); match !== null; match = re.exec(head)) {
    const key = (match[1] as string).toLowerCase();
    if (!fields.has(key)) fields.set(key, match[2] as string);
  }
  return fields;
}

/** An error code worth reporting: absent, empty and all zeros are no error. */
function errorOrNull(code: string | undefined): string | null {
  if (code === undefined || code === '' || /^0+$/.test(code)) return null;
  return code;
}

/**
 * Reads a delivery receipt. TLVs win where present (receipted_message_id, message_state, network_error_code); the
 * Appendix B text of short_message (or message_payload) fills in the rest. Vendor texts vary, so keys are matched
 * case-insensitively and in any order; what cannot yield an id and a state is a value explaining why.
 */
export function parseReceipt(pdu: DeliverSmPdu): ReceiptResult {
  if (!isReceipt(pdu)) return { ok: false, reason: `esm_class 0x${pdu.esmClass.toString(16)} is not a receipt` };
  const octets = pdu.tlvs.messagePayload ?? pdu.shortMessage;
  // Receipt texts are ASCII in practice; latin1 maps every octet, so nothing is lost or throws.
  const fields = appendixBFields(Buffer.from(octets).toString('latin1'));
  const messageId = (pdu.tlvs.receiptedMessageId ?? fields.get('id') ?? '').trim();
  if (messageId === '') return { ok: false, reason: 'no receipted_message_id and no id: in the text' };
  let stat: ReceiptStat | null = null;
  if (pdu.tlvs.messageState !== undefined) {
    stat = STAT_OF_MESSAGE_STATE[pdu.tlvs.messageState] ?? null;
    if (stat === null) return { ok: false, reason: `message_state ${pdu.tlvs.messageState} is not a state of 3.4` };
  } else {
    const word = fields.get('stat');
    if (word === undefined) return { ok: false, reason: 'no message_state and no stat: in the text' };
    stat = statFromWord(word);
    if (stat === null) return { ok: false, reason: `stat:${word} is not a receipt state` };
  }
  const network = pdu.tlvs.networkErrorCode;
  const error =
    network && network.errorCode !== 0
      ? `network ${network.networkType} error ${network.errorCode}`
      : errorOrNull(fields.get('err'));
  const doneDate = fields.get('done date');
  const doneAtUs = doneDate === undefined ? null : parseReceiptDate(doneDate);
  let status = STATUS_OF_STAT[stat];
  // An intermediate notification never ends a message, whatever word it carries.
  if ((pdu.esmClass & EsmClass.messageTypeMask) === EsmClass.intermediateNotification) status = null;
  return { ok: true, receipt: { messageId, stat, status, error, doneAtUs } };
}

/** The error text of a final receipt as we store it: `smpp UNDELIV err:001`. */
export function describeReceipt(receipt: Receipt): string | null {
  if (receipt.status === 'delivered') return null;
  return `smpp ${receipt.stat}${receipt.error ? ` err:${receipt.error}` : ''}`;
}

/** An id compared without case and without leading zeros (an all-zero id keeps one zero). */
function canonicalId(id: string): string {
  const lower = id.trim().toLowerCase();
  const stripped = lower.replace(/^0+/, '');
  return stripped === '' && lower !== '' ? '0' : stripped;
}

/** The id as it is indexed: submit_sm_resp's message_id, canonical. */
export function messageIdKey(id: string): string {
  return canonicalId(id);
}

/** Longest id converted between bases: beyond it, a hex or decimal reading is not a number anyone prints. */
const CONVERTIBLE_DIGITS_MAX = 40;

/**
 * The keys under which a receipt's id may have been indexed, best first: the id itself; read as hex, its decimal;
 * read as decimal, its hex. SMSCs print the receipt id in another base than submit_sm_resp's message_id (and pad or
 * change case), so a receipt is matched by trying each key.
 */
export function messageIdKeys(receiptId: string): string[] {
  const keys = [canonicalId(receiptId)];
  const id = receiptId.trim();
  if (id.length === 0 || id.length > CONVERTIBLE_DIGITS_MAX) return keys;
  if (/^[0-9a-f]+$/i.test(id)) {
    const decimal = BigInt(`0x${id}`).toString(10);
    if (!keys.includes(decimal)) keys.push(decimal);
  }
  if (/^[0-9]+$/.test(id)) {
    const hex = BigInt(id).toString(16);
    if (!keys.includes(hex)) keys.push(hex);
  }
  return keys;
}
