// A scriptable SMSC on loopback for tests, benchmarks and development: binds, windows, message ids, receipts, faults.
import { createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { type DeliveryByDestination, deliveryOutcome } from '../delivery-profile.js';
import { runAsProgram } from '../simulator-cli.js';
import { type ConcatInfo, DataCoding, decodeShortMessage, EsmClass } from './encoding.js';
import {
  answerFor,
  CommandStatus,
  decodePdu,
  encodePdu,
  type Pdu,
  PduFrameSplitter,
  SEQUENCE_MAX,
  type SubmitSmPdu,
} from './pdu.js';
import type { ReceiptStat } from './receipt.js';
import { inboundPdus, type SimulatedInbound } from './simulator-inbound.js';

export type { SimulatedInbound } from './simulator-inbound.js';

export interface SmscSimulatorOptions {
  /** Receipts of destinations the script does not name: DELIVRD or UNDELIV at the profile's ratio. */
  readonly delivery?: DeliveryByDestination;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) lets the system choose; see `port` of the result. */
  readonly port?: number;
  readonly systemId?: string;
  readonly password?: string;
  /** Unanswered submit_sm per connection beyond which the SMSC refuses with `windowExceededStatus`. */
  readonly windowMax?: number;
  readonly windowExceededStatus?: number;
  /** Delay before each submit_sm_resp; 0 answers everything read in one go together, right after. */
  readonly responseDelayMs?: number;
  /** Delay from acceptance to the receipt; null sends none. */
  readonly receiptDelayMs?: number | null;
  /** Receipts as TLVs (receipted_message_id, message_state), Appendix B text, or both. */
  readonly receiptFormat?: 'tlv' | 'text' | 'both';
  /** message_id notation in submit_sm_resp. */
  readonly messageIdStyle?: 'hex' | 'decimal';
  /** The id's notation inside receipts: as in submit_sm_resp, or converted (padded with zeros, as some SMSCs do). */
  readonly receiptIdStyle?: 'same' | 'hex' | 'decimal';
  /** Keep every submit_sm read (decoded) in `received`, for tests that inspect them. */
  readonly record?: boolean;
}

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface SmscScript {
  /** Refuse the next `submits` submit_sm with `status` (default ESME_RTHROTTLED). */
  readonly throttle?: { readonly submits: number; readonly status?: number };
  /** Refuse destinations matching `destination` with `status` (default ESME_RINVDSTADR); null clears it. */
  readonly reject?: { readonly destination: RegExp; readonly status?: number } | null;
  /**
   * Cut the connection on the `afterSubmits`-th submit_sm from now: 'after' answering it (and everything before it),
   * or 'before' answering it (it and every other unanswered one stay unanswered). Later bytes on it are ignored.
   */
  readonly drop?: { readonly afterSubmits: number; readonly answer: 'before' | 'after' } | null;
  /** Never answer the next `submits` submit_sm. */
  readonly silence?: { readonly submits: number };
  /** Send each receipt before the submit_sm_resp it belongs to. */
  readonly receiptBeforeResponse?: boolean;
  /** Send each receipt this many extra times. */
  readonly duplicateReceipts?: number;
  /** Receipt words by destination (first match wins); DELIVRD otherwise. */
  readonly receiptStat?: readonly { readonly destination: RegExp; readonly stat: ReceiptStat }[];
  readonly receiptDelayMs?: number | null;
  /** Send receipts as deliver_sm (the default) or as data_sm (spec §4.7), as some SMSCs do. */
  readonly receiptCommand?: 'deliver_sm' | 'data_sm';
  /** Follow each successful submit_sm_resp's message_id with optional parameters, a vendor one among them (§5.3). */
  readonly respTlvs?: boolean;
  /** Answer the next `submits` submit_sm with generic_nack carrying `status` (0 by default, as a buggy SMSC does). */
  readonly nack?: { readonly submits: number; readonly status?: number };
  /** Refuse the next `binds` binds with `status` (default ESME_RINVPASWD), whatever the credentials. */
  readonly refuseBinds?: { readonly binds: number; readonly status?: number };
  /**
   * Refuse part `sequence` of concatenated messages with `status` (default ESME_RSYSERR, a passing error; a final one
   * such as ESME_RSUBMITFAIL refuses it for good), `times` times in all; only to a matching `destination` when given.
   */
  readonly failPart?: {
    readonly sequence: number;
    readonly status?: number;
    readonly times: number;
    readonly destination?: RegExp;
  } | null;
  /**
   * On the `afterSubmits`-th submit_sm from now, send unbind before answering the submits it holds, answer them
   * after `answerAfterMs`, and close once unbind_resp comes (spec §4.2).
   */
  readonly unbind?: { readonly afterSubmits: number; readonly answerAfterMs?: number } | null;
}

export interface ReceivedSubmit {
  readonly sourceAddr: string;
  readonly destinationAddr: string;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  readonly shortMessageOctets: number;
  /** Octets of message_payload (0 when the text is in short_message). */
  readonly payloadOctets: number;
  /** validity_period as sent (SMPP 3.4 §7.1.1 time format; empty for none). */
  readonly validityPeriod: string;
  readonly text: string | null;
  readonly concat: ConcatInfo | null;
  readonly status: number | null;
  readonly messageId: string | null;
}

export interface SmscStats {
  connections: number;
  bindsAccepted: number;
  bindsRefused: number;
  submitSm: number;
  accepted: number;
  /** Refused by a scripted rejection. */
  rejected: number;
  /** Refused by the window or a scripted throttle. */
  throttled: number;
  /** Read but never answered (silenced, or cut off by a drop). */
  unanswered: number;
  /** Arrived on a connection already being dropped: never read as submits. */
  ignoredAfterDrop: number;
  receiptsSent: number;
  deliverSmResp: number;
  enquireLinks: number;
  unbinds: number;
  malformed: number;
  /** data_sm_resp read (receipts sent as data_sm). */
  dataSmResp: number;
  /** generic_nack sent for submits by the `nack` script. */
  nacked: number;
  /** unbind_resp read after an unbind of the SMSC's, and how many submit_sm_resp had gone out before it. */
  unbindResps: number;
  /** When a scripted drop last cut a connection (ms since the epoch), or null. */
  lastDropAtMs: number | null;
  /** Highest number of unanswered submit_sm on one connection. */
  maxOutstanding: number;
  /**
   * submit_sm the SMSC may hold (accepted, or read and never answered) per message part: recipient, part
   * number/total and part text. The concatenation reference is left out, so a message sent again under a new
   * reference still counts as the same part; refused submits are not counted, as sending those again is fine.
   */
  readonly partCounts: Map<string, number>;
}

export interface SmscSimulator {
  readonly port: number;
  /** smpp://system_id:password@127.0.0.1:port */
  readonly url: string;
  readonly stats: SmscStats;
  readonly received: readonly ReceivedSubmit[];
  script(script: SmscScript): void;
  /**
   * Sends a message from a handset to the bound ESME (deliver_sm, or data_sm, per part); the number of PDUs sent.
   * Throws when no ESME is bound. Their answers are counted in `stats.deliverSmResp` / `stats.dataSmResp`.
   */
  sendInbound(message: SimulatedInbound): number;
  /** Parts read more than once. */
  duplicateParts(): string[];
  /** Closes every connection and the listener. */
  close(): Promise<void>;
}

export const SIMULATOR_DEFAULTS = {
  systemId: 'smsgic',
  password: 'secret',
  windowMax: 1_000,
  receiptDelayMs: 0,
} as const;

/** The system_id the simulated SMSC answers binds with. */
const SMSC_SYSTEM_ID = 'smsc-sim';
/** Message ids start here, so they have several digits in either notation. */
const FIRST_MESSAGE_ID = 0x10000;
const RECEIPT_TEXT_CHARS = 20;
/** message_state TLV values (spec §5.2.28). */
const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

interface Accepted {
  readonly messageId: string;
  readonly number: number;
  readonly source: string;
  readonly destination: string;
  readonly text: string;
  readonly submittedAtMs: number;
}

interface Connection {
  readonly socket: Socket;
  readonly splitter: PduFrameSplitter;
  bound: boolean;
  dropping: boolean;
  /** The SMSC sent unbind and waits for unbind_resp. */
  unbinding: boolean;
  outstanding: number;
  sequence: number;
  /** Answers (and receipts sent before them) waiting for the end of this read. */
  batch: (() => void)[];
  batchScheduled: boolean;
}

function yymmddhhmm(ms: number): string {
  return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(2, 12);
}

/** What a script has set: faults counted down per submit or bind, and how receipts go. */
interface Scripted {
  throttleLeft: number;
  throttleStatus: number;
  reject: { destination: RegExp; status: number } | null;
  drop: { left: number; answer: 'before' | 'after' } | null;
  silenceLeft: number;
  receiptBeforeResponse: boolean;
  duplicateReceipts: number;
  receiptStat: readonly { readonly destination: RegExp; readonly stat: ReceiptStat }[];
  receiptCommand: 'deliver_sm' | 'data_sm';
  respTlvs: boolean;
  nackLeft: number;
  nackStatus: number;
  refuseBindsLeft: number;
  refuseBindStatus: number;
  failPart: { sequence: number; status: number; left: number; destination: RegExp | null } | null;
  unbind: { left: number; answerAfterMs: number } | null;
  receiptDelayMs: number | null;
}

function scriptedDefaults(receiptDelayMs: number | null): Scripted {
  return {
    throttleLeft: 0,
    throttleStatus: CommandStatus.ESME_RTHROTTLED,
    reject: null,
    drop: null,
    silenceLeft: 0,
    receiptBeforeResponse: false,
    duplicateReceipts: 0,
    receiptStat: [],
    receiptCommand: 'deliver_sm',
    respTlvs: false,
    nackLeft: 0,
    nackStatus: 0,
    refuseBindsLeft: 0,
    refuseBindStatus: CommandStatus.ESME_RINVPASWD,
    failPart: null,
    unbind: null,
    receiptDelayMs,
  };
}

/** The request faults of a script: each replaces what it gives. */
function applyFaults(scripted: Scripted, script: SmscScript): void {
  if (script.throttle) {
    scripted.throttleLeft = script.throttle.submits;
    scripted.throttleStatus = script.throttle.status ?? CommandStatus.ESME_RTHROTTLED;
  }
  if (script.reject !== undefined) {
    scripted.reject = script.reject && {
      destination: script.reject.destination,
      status: script.reject.status ?? CommandStatus.ESME_RINVDSTADR,
    };
  }
  if (script.drop !== undefined)
    scripted.drop = script.drop && { left: script.drop.afterSubmits, answer: script.drop.answer };
  if (script.silence) scripted.silenceLeft = script.silence.submits;
  if (script.nack) {
    scripted.nackLeft = script.nack.submits;
    scripted.nackStatus = script.nack.status ?? 0;
  }
  if (script.refuseBinds) {
    scripted.refuseBindsLeft = script.refuseBinds.binds;
    scripted.refuseBindStatus = script.refuseBinds.status ?? CommandStatus.ESME_RINVPASWD;
  }
  if (script.failPart !== undefined) {
    scripted.failPart = script.failPart && {
      sequence: script.failPart.sequence,
      status: script.failPart.status ?? CommandStatus.ESME_RSYSERR,
      left: script.failPart.times,
      destination: script.failPart.destination ?? null,
    };
  }
  if (script.unbind !== undefined) {
    scripted.unbind = script.unbind && {
      left: script.unbind.afterSubmits,
      answerAfterMs: script.unbind.answerAfterMs ?? 50,
    };
  }
}

/** What a script says of receipts and answers: each replaces what it gives. */
function applyReceiptScript(scripted: Scripted, script: SmscScript): void {
  if (script.receiptBeforeResponse !== undefined) scripted.receiptBeforeResponse = script.receiptBeforeResponse;
  if (script.duplicateReceipts !== undefined) scripted.duplicateReceipts = script.duplicateReceipts;
  if (script.receiptStat !== undefined) scripted.receiptStat = script.receiptStat;
  if (script.receiptDelayMs !== undefined) scripted.receiptDelayMs = script.receiptDelayMs;
  if (script.receiptCommand !== undefined) scripted.receiptCommand = script.receiptCommand;
  if (script.respTlvs !== undefined) scripted.respTlvs = script.respTlvs;
}

function smscStats(): SmscStats {
  return {
    connections: 0,
    bindsAccepted: 0,
    bindsRefused: 0,
    submitSm: 0,
    accepted: 0,
    rejected: 0,
    throttled: 0,
    unanswered: 0,
    ignoredAfterDrop: 0,
    receiptsSent: 0,
    deliverSmResp: 0,
    dataSmResp: 0,
    nacked: 0,
    unbindResps: 0,
    lastDropAtMs: null,
    enquireLinks: 0,
    unbinds: 0,
    malformed: 0,
    maxOutstanding: 0,
    partCounts: new Map(),
  };
}

/** The options a simulator keeps, with their defaults applied. */
interface Settings {
  readonly systemId: string;
  readonly password: string;
  readonly windowMax: number;
  readonly windowExceededStatus: number;
  readonly responseDelayMs: number;
  readonly receiptFormat: 'tlv' | 'text' | 'both';
  readonly messageIdStyle: 'hex' | 'decimal';
  readonly receiptIdStyle: 'same' | 'hex' | 'decimal';
  readonly record: boolean;
}

/** One simulated SMSC: its settings, its script, its counts, its connections and what it still owes. */
interface Smsc {
  readonly settings: Settings;
  readonly delivery: DeliveryByDestination | undefined;
  readonly scripted: Scripted;
  readonly stats: SmscStats;
  readonly received: ReceivedSubmit[];
  readonly connections: Set<Connection>;
  readonly timers: Set<NodeJS.Timeout>;
  /** Receipts with no bound connection to go to, sent on the next bind. */
  readonly undeliveredReceipts: Accepted[];
  nextMessageNumber: number;
}

function later(smsc: Smsc, fn: () => void, ms: number): void {
  const timer = setTimeout(() => {
    smsc.timers.delete(timer);
    fn();
  }, ms);
  smsc.timers.add(timer);
}

function write(connection: Connection, pdu: Pdu): void {
  if (!connection.socket.destroyed && connection.socket.writable) connection.socket.write(encodePdu(pdu));
}

/** A successful submit_sm_resp followed by TLVs: one this codec knows and one of a vendor's range (§5.3.2). */
function writeRespWithTlvs(connection: Connection, sequence: number, id: string): void {
  const head = encodePdu({ command: 'submit_sm_resp', status: 0, sequence, messageId: id });
  const tlvs = Buffer.from([0x04, 0x23, 0x00, 0x03, 0x03, 0x00, 0x00, 0x14, 0x01, 0x00, 0x02, 0x65, 0x75]);
  const octets = Buffer.concat([head, tlvs]);
  octets.writeUInt32BE(octets.length, 0);
  if (!connection.socket.destroyed && connection.socket.writable) connection.socket.write(octets);
}

function nextSequence(connection: Connection): number {
  connection.sequence = connection.sequence >= SEQUENCE_MAX ? 1 : connection.sequence + 1;
  return connection.sequence;
}

function schedule(smsc: Smsc, connection: Connection, action: () => void): void {
  if (smsc.settings.responseDelayMs > 0) {
    later(smsc, action, smsc.settings.responseDelayMs);
    return;
  }
  connection.batch.push(action);
  if (connection.batchScheduled) return;
  connection.batchScheduled = true;
  setImmediate(() => flush(connection));
}

function flush(connection: Connection): void {
  connection.batchScheduled = false;
  const batch = connection.batch;
  connection.batch = [];
  if (batch.length === 0 || connection.socket.destroyed) return;
  connection.socket.cork();
  for (const action of batch) action();
  connection.socket.uncork();
}

function messageIdOf(settings: Settings, number: number): string {
  return settings.messageIdStyle === 'hex' ? number.toString(16).toUpperCase() : String(number);
}

function receiptId(settings: Settings, accepted: Accepted): string {
  if (settings.receiptIdStyle === 'same') return accepted.messageId;
  if (settings.receiptIdStyle === 'hex') return accepted.number.toString(16).padStart(10, '0');
  return String(accepted.number).padStart(12, '0');
}

function statFor(smsc: Smsc, accepted: Accepted): ReceiptStat {
  const scripted = smsc.scripted.receiptStat.find((rule) => rule.destination.test(accepted.destination))?.stat;
  if (scripted !== undefined) return scripted;
  return deliveryOutcome(smsc.delivery, accepted.destination, accepted.messageId).delivered ? 'DELIVRD' : 'UNDELIV';
}

function receiptPdu(smsc: Smsc, connection: Connection, accepted: Accepted): Pdu {
  const stat = statFor(smsc, accepted);
  const id = receiptId(smsc.settings, accepted);
  const delivered = stat === 'DELIVRD';
  const doneDate = yymmddhhmm(Date.now());
  const text =
    `id:${id} sub:001 dlvrd:${delivered ? '001' : '000'} submit date:${yymmddhhmm(accepted.submittedAtMs)} ` +
    `done date:${doneDate} stat:${stat} err:${delivered ? '000' : '001'} ` +
    `text:${accepted.text.slice(0, RECEIPT_TEXT_CHARS).replace(/[^\x20-\x7e]/g, '?')}`;
  const withText = smsc.settings.receiptFormat !== 'tlv';
  const withTlvs = smsc.settings.receiptFormat !== 'text';
  // The fields a receipt has whichever PDU carries it: from the handset back to the sender.
  const receipt = {
    status: 0,
    sequence: nextSequence(connection),
    serviceType: '',
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    sourceAddr: accepted.destination,
    destAddrTon: 0,
    destAddrNpi: 0,
    destinationAddr: accepted.source,
    esmClass: EsmClass.deliveryReceipt,
    registeredDelivery: 0,
    dataCoding: DataCoding.default,
  } as const;
  const receiptTlvs = withTlvs ? { receiptedMessageId: id, messageState: MESSAGE_STATE[stat] } : {};
  if (smsc.scripted.receiptCommand === 'data_sm') {
    // data_sm has no short_message: the text, if any, goes in message_payload (§4.7.1, §5.3.2.32).
    return {
      ...receipt,
      command: 'data_sm',
      tlvs: { ...receiptTlvs, ...(withText && { messagePayload: Buffer.from(text, 'latin1') }) },
    };
  }
  return {
    ...receipt,
    command: 'deliver_sm',
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    replaceIfPresentFlag: 0,
    smDefaultMsgId: 0,
    shortMessage: withText ? Buffer.from(text, 'latin1') : Buffer.alloc(0),
    tlvs: receiptTlvs,
  };
}

/** Sends the receipt(s) of an accepted part on `preferred` if bound, else on any bound connection, else later. */
function sendReceipt(smsc: Smsc, accepted: Accepted, preferred: Connection | null): void {
  let connection = preferred?.bound && !preferred.dropping ? preferred : null;
  if (!connection) {
    for (const other of smsc.connections) {
      if (other.bound && !other.dropping) {
        connection = other;
        break;
      }
    }
  }
  if (!connection) {
    smsc.undeliveredReceipts.push(accepted);
    return;
  }
  for (let copy = 0; copy <= smsc.scripted.duplicateReceipts; copy++) {
    write(connection, receiptPdu(smsc, connection, accepted));
    smsc.stats.receiptsSent++;
  }
}

function scheduleReceipt(smsc: Smsc, accepted: Accepted, connection: Connection): void {
  const { receiptDelayMs } = smsc.scripted;
  if (receiptDelayMs === null) return;
  if (receiptDelayMs === 0) setImmediate(() => sendReceipt(smsc, accepted, connection));
  else later(smsc, () => sendReceipt(smsc, accepted, connection), receiptDelayMs);
}

/** The part's identity: recipient, part number/total and text (not the reference, which a resend changes). */
function partOf(pdu: SubmitSmPdu): { key: string; text: string | null; concat: ConcatInfo | null } {
  // The text is in short_message, or in message_payload with sm_length 0 (§5.3.2.32).
  const content = pdu.shortMessage.length > 0 ? pdu.shortMessage : (pdu.tlvs.messagePayload ?? pdu.shortMessage);
  const decoded = decodeShortMessage(pdu.dataCoding, pdu.esmClass, content);
  const text = decoded.ok ? decoded.text : null;
  const { sarMsgRefNum, sarTotalSegments, sarSegmentSeqnum } = pdu.tlvs;
  // Concatenation by the UDH, or by the SAR TLVs (§5.3.2.22–24) when the ESME leaves the UDH to the SMSC.
  const sar =
    sarMsgRefNum !== undefined && sarTotalSegments !== undefined && sarSegmentSeqnum !== undefined
      ? { reference: sarMsgRefNum, total: sarTotalSegments, sequence: sarSegmentSeqnum }
      : null;
  const concat = decoded.ok ? (decoded.concat ?? sar) : null;
  const part = concat ? `${concat.sequence}/${concat.total}` : '1/1';
  const key = `${pdu.destinationAddr}|${part}|${text ?? Buffer.from(pdu.shortMessage).toString('hex')}`;
  return { key, text, concat };
}

function countPart(stats: SmscStats, key: string): void {
  stats.partCounts.set(key, (stats.partCounts.get(key) ?? 0) + 1);
}

/** Counts a scripted drop down: 'before' or 'after' when this submit is the one to cut the connection on. */
function dropDue(scripted: Scripted): 'before' | 'after' | null {
  const { drop } = scripted;
  if (!drop) return null;
  drop.left--;
  if (drop.left > 0) return null;
  scripted.drop = null;
  return drop.answer;
}

/** The refusal a submit meets (the window, a scripted throttle, rejection or failing part), counted down; or null. */
function refusalOf(
  smsc: Smsc,
  connection: Connection,
  pdu: SubmitSmPdu,
  concat: ConcatInfo | null,
): { readonly status: number; readonly as: 'throttled' | 'rejected' } | null {
  const { scripted, settings } = smsc;
  const { failPart } = scripted;
  if (connection.outstanding >= settings.windowMax) return { status: settings.windowExceededStatus, as: 'throttled' };
  if (scripted.throttleLeft > 0) {
    scripted.throttleLeft--;
    return { status: scripted.throttleStatus, as: 'throttled' };
  }
  if (scripted.reject?.destination.test(pdu.destinationAddr)) return { status: scripted.reject.status, as: 'rejected' };
  if (
    failPart &&
    failPart.left > 0 &&
    concat?.sequence === failPart.sequence &&
    (failPart.destination?.test(pdu.destinationAddr) ?? true)
  ) {
    failPart.left--;
    return { status: failPart.status, as: 'rejected' };
  }
  return null;
}

/**
 * A submit the script answers otherwise than as the SMSC would (not bound, cut before its answer, nacked, silenced):
 * true when it did.
 */
function answeredAsScripted(
  smsc: Smsc,
  connection: Connection,
  pdu: SubmitSmPdu,
  key: string,
  dropNow: 'before' | 'after' | null,
  recordAs: (status: number | null, id: string | null) => void,
): boolean {
  const { scripted, stats } = smsc;
  if (dropNow === 'before') {
    countPart(stats, key);
    recordAs(null, null);
    stats.unanswered += connection.outstanding + 1;
    dropConnection(smsc, connection, false);
    return true;
  }
  if (scripted.nackLeft > 0) {
    scripted.nackLeft--;
    stats.nacked++;
    recordAs(scripted.nackStatus, null);
    write(connection, { command: 'generic_nack', status: scripted.nackStatus, sequence: pdu.sequence });
    return true;
  }
  if (scripted.silenceLeft > 0) {
    scripted.silenceLeft--;
    countPart(stats, key);
    stats.unanswered++;
    recordAs(null, null);
    return true;
  }
  return false;
}

/** Keeps the submit as read (with what the SMSC did with it: a status, or null when it never answered). */
function recorder(smsc: Smsc, pdu: SubmitSmPdu, text: string | null, concat: ConcatInfo | null) {
  return (status: number | null, id: string | null): void => {
    if (!smsc.settings.record) return;
    smsc.received.push({
      sourceAddr: pdu.sourceAddr,
      destinationAddr: pdu.destinationAddr,
      dataCoding: pdu.dataCoding,
      esmClass: pdu.esmClass,
      registeredDelivery: pdu.registeredDelivery,
      shortMessageOctets: pdu.shortMessage.length,
      payloadOctets: pdu.tlvs.messagePayload?.length ?? 0,
      validityPeriod: pdu.validityPeriod,
      text,
      concat,
      status,
      messageId: id,
    });
  };
}

function onSubmit(smsc: Smsc, connection: Connection, pdu: SubmitSmPdu): void {
  const { stats } = smsc;
  stats.submitSm++;
  const { key, text, concat } = partOf(pdu);
  const recordAs = recorder(smsc, pdu, text, concat);
  if (!connection.bound) {
    recordAs(CommandStatus.ESME_RINVBNDSTS, null);
    write(connection, {
      command: 'submit_sm_resp',
      status: CommandStatus.ESME_RINVBNDSTS,
      sequence: pdu.sequence,
      messageId: '',
    });
    return;
  }
  const dropNow = dropDue(smsc.scripted);
  if (answeredAsScripted(smsc, connection, pdu, key, dropNow, recordAs)) return;
  const refusal = refusalOf(smsc, connection, pdu, concat);
  if (refusal !== null) {
    const { status } = refusal;
    stats[refusal.as]++;
    recordAs(status, null);
    write(connection, { command: 'submit_sm_resp', status, sequence: pdu.sequence, messageId: '' });
    if (dropNow === 'after') {
      flush(connection);
      dropConnection(smsc, connection, true);
    }
    return;
  }
  const number = smsc.nextMessageNumber++;
  const accepted: Accepted = {
    messageId: messageIdOf(smsc.settings, number),
    number,
    source: pdu.sourceAddr,
    destination: pdu.destinationAddr,
    text: text ?? '',
    submittedAtMs: Date.now(),
  };
  countPart(stats, key);
  recordAs(CommandStatus.ESME_ROK, accepted.messageId);
  connection.outstanding++;
  stats.maxOutstanding = Math.max(stats.maxOutstanding, connection.outstanding);
  const respond = () => respondAccepted(smsc, connection, pdu, accepted);
  if (dropNow === 'after') {
    // Answer everything read so far, this one included, then cut.
    flush(connection);
    respond();
    dropConnection(smsc, connection, true);
    return;
  }
  if (unbindsNow(smsc, connection, respond)) return;
  schedule(smsc, connection, respond);
}

/** Answers an accepted submit (unless its connection is being dropped), with its receipt before or after. */
function respondAccepted(smsc: Smsc, connection: Connection, pdu: SubmitSmPdu, accepted: Accepted): void {
  const { scripted, stats } = smsc;
  connection.outstanding--;
  if (connection.dropping) return;
  stats.accepted++;
  if (scripted.receiptBeforeResponse) sendReceipt(smsc, accepted, connection);
  if (scripted.respTlvs) writeRespWithTlvs(connection, pdu.sequence, accepted.messageId);
  else
    write(connection, {
      command: 'submit_sm_resp',
      status: CommandStatus.ESME_ROK,
      sequence: pdu.sequence,
      messageId: accepted.messageId,
    });
  if (!scripted.receiptBeforeResponse) scheduleReceipt(smsc, accepted, connection);
}

/**
 * Counts a scripted unbind down; when due, the SMSC unbinds first, then answers what it holds (`respond` last): the
 * ESME must still read those answers. True when it did.
 */
function unbindsNow(smsc: Smsc, connection: Connection, respond: () => void): boolean {
  const { unbind } = smsc.scripted;
  if (!unbind) return false;
  unbind.left--;
  if (unbind.left > 0) return false;
  const answerAfterMs = unbind.answerAfterMs;
  smsc.scripted.unbind = null;
  connection.batch.push(respond);
  const held = connection.batch;
  connection.batch = [];
  write(connection, { command: 'unbind', status: 0, sequence: nextSequence(connection) });
  connection.unbinding = true;
  later(
    smsc,
    () => {
      connection.socket.cork();
      for (const action of held) action();
      connection.socket.uncork();
    },
    answerAfterMs,
  );
  return true;
}

/** Cuts a connection; `flushFirst`: after writing what is already answered. */
function dropConnection(smsc: Smsc, connection: Connection, flushFirst: boolean): void {
  smsc.stats.lastDropAtMs = Date.now();
  connection.dropping = true;
  connection.bound = false;
  if (!flushFirst) {
    // Unanswered submits die with the connection.
    connection.batch = [];
    connection.socket.destroy();
    return;
  }
  connection.socket.end();
  const timer = setTimeout(() => connection.socket.destroy(), 200);
  connection.socket.once('close', () => clearTimeout(timer));
}

type BindPdu = Extract<Pdu, { command: 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver' }>;

function onBind(smsc: Smsc, connection: Connection, pdu: BindPdu): void {
  const { scripted, settings, stats } = smsc;
  let status: number = CommandStatus.ESME_ROK;
  if (connection.bound) status = CommandStatus.ESME_RALYBND;
  else if (scripted.refuseBindsLeft > 0) {
    scripted.refuseBindsLeft--;
    status = scripted.refuseBindStatus;
  } else if (pdu.systemId !== settings.systemId) status = CommandStatus.ESME_RINVSYSID;
  else if (pdu.password !== settings.password) status = CommandStatus.ESME_RINVPASWD;
  const ok = status === CommandStatus.ESME_ROK;
  if (ok) stats.bindsAccepted++;
  else if (status !== CommandStatus.ESME_RALYBND) stats.bindsRefused++;
  write(connection, {
    command: `${pdu.command}_resp`,
    status,
    sequence: pdu.sequence,
    systemId: ok ? SMSC_SYSTEM_ID : '',
    tlvs: {},
  });
  if (ok) {
    connection.bound = true;
    const waiting = smsc.undeliveredReceipts.splice(0);
    for (const accepted of waiting) sendReceipt(smsc, accepted, connection);
  }
}

function onPdu(smsc: Smsc, connection: Connection, frame: Buffer): void {
  const { stats } = smsc;
  const decoded = decodePdu(frame);
  if (!decoded.ok) {
    stats.malformed++;
    const answer = answerFor(decoded.error);
    if (answer) write(connection, answer);
    return;
  }
  const pdu = decoded.pdu;
  switch (pdu.command) {
    case 'bind_transceiver':
    case 'bind_transmitter':
    case 'bind_receiver':
      onBind(smsc, connection, pdu);
      return;
    case 'submit_sm':
      onSubmit(smsc, connection, pdu);
      return;
    case 'deliver_sm_resp':
      stats.deliverSmResp++;
      return;
    case 'data_sm_resp':
      stats.dataSmResp++;
      return;
    case 'enquire_link':
      stats.enquireLinks++;
      write(connection, { command: 'enquire_link_resp', status: CommandStatus.ESME_ROK, sequence: pdu.sequence });
      return;
    case 'unbind':
      stats.unbinds++;
      connection.bound = false;
      write(connection, { command: 'unbind_resp', status: CommandStatus.ESME_ROK, sequence: pdu.sequence });
      connection.socket.end();
      return;
    case 'unbind_resp':
      if (connection.unbinding) {
        stats.unbindResps++;
        connection.bound = false;
        connection.socket.end();
      }
      return;
    case 'enquire_link_resp':
    case 'generic_nack':
      return;
    case 'deliver_sm':
      write(connection, {
        command: 'deliver_sm_resp',
        status: CommandStatus.ESME_RINVCMDID,
        sequence: pdu.sequence,
        messageId: '',
      });
      return;
    default:
      write(connection, { command: 'generic_nack', status: CommandStatus.ESME_RINVCMDID, sequence: pdu.sequence });
  }
}

/** A new client connection: its PDUs read as they arrive, until it closes. */
function connect(smsc: Smsc, socket: Socket): void {
  const { stats } = smsc;
  socket.setNoDelay(true);
  const connection: Connection = {
    socket,
    splitter: new PduFrameSplitter(),
    bound: false,
    dropping: false,
    unbinding: false,
    outstanding: 0,
    sequence: 0,
    batch: [],
    batchScheduled: false,
  };
  smsc.connections.add(connection);
  stats.connections++;
  socket.on('data', (chunk: Buffer) => {
    if (connection.dropping) {
      stats.ignoredAfterDrop += chunk.length > 0 ? 1 : 0;
      return;
    }
    const error = connection.splitter.push(chunk, (frame) => {
      if (connection.dropping) stats.ignoredAfterDrop++;
      else onPdu(smsc, connection, frame);
    });
    if (error) {
      stats.malformed++;
      write(connection, { command: 'generic_nack', status: error.status, sequence: error.sequence });
      dropConnection(smsc, connection, true);
    }
  });
  socket.on('error', () => {
    // A client going away mid-write is normal for an SMSC; the close handler tidies up.
  });
  socket.on('close', () => {
    smsc.connections.delete(connection);
    stats.connections--;
  });
}

/** Starts an SMSC on loopback. */
export async function startSmscSimulator(options: SmscSimulatorOptions = {}): Promise<SmscSimulator> {
  const host = options.host ?? '127.0.0.1';
  const settings: Settings = {
    systemId: options.systemId ?? SIMULATOR_DEFAULTS.systemId,
    password: options.password ?? SIMULATOR_DEFAULTS.password,
    windowMax: options.windowMax ?? SIMULATOR_DEFAULTS.windowMax,
    windowExceededStatus: options.windowExceededStatus ?? CommandStatus.ESME_RTHROTTLED,
    responseDelayMs: options.responseDelayMs ?? 0,
    receiptFormat: options.receiptFormat ?? 'both',
    messageIdStyle: options.messageIdStyle ?? 'hex',
    receiptIdStyle: options.receiptIdStyle ?? 'same',
    record: options.record ?? false,
  };
  const smsc: Smsc = {
    settings,
    delivery: options.delivery,
    scripted: scriptedDefaults(
      options.receiptDelayMs === undefined ? SIMULATOR_DEFAULTS.receiptDelayMs : options.receiptDelayMs,
    ),
    stats: smscStats(),
    received: [],
    connections: new Set(),
    timers: new Set(),
    undeliveredReceipts: [],
    nextMessageNumber: FIRST_MESSAGE_ID,
  };
  const { stats, timers, connections } = smsc;
  const server: Server = createServer((socket) => connect(smsc, socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator has no TCP address');
  const port = address.port;
  const { systemId, password } = settings;
  const url = `smpp://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@${host}:${port}`;

  return {
    port,
    url,
    stats,
    received: smsc.received,
    script(script: SmscScript): void {
      applyFaults(smsc.scripted, script);
      applyReceiptScript(smsc.scripted, script);
    },
    sendInbound(message: SimulatedInbound): number {
      const connection = [...connections].find((c) => c.bound && !c.dropping);
      if (connection === undefined) throw new Error('no ESME is bound to send a message to');
      const pdus = inboundPdus(message, () => nextSequence(connection));
      for (const pdu of pdus) write(connection, pdu);
      return pdus.length;
    },
    duplicateParts(): string[] {
      return [...stats.partCounts].filter(([, count]) => count > 1).map(([key]) => key);
    },
    async close(): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.socket.destroy();
      await closed;
    },
  };
}

async function main(): Promise<SmscSimulator> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '2775' },
      'system-id': { type: 'string', default: SIMULATOR_DEFAULTS.systemId },
      password: { type: 'string', default: SIMULATOR_DEFAULTS.password },
      window: { type: 'string', default: String(SIMULATOR_DEFAULTS.windowMax) },
      'receipt-delay-ms': { type: 'string', default: String(SIMULATOR_DEFAULTS.receiptDelayMs) },
      'no-receipts': { type: 'boolean', default: false },
      'message-id-style': { type: 'string', default: 'hex' },
    },
  });
  const style = values['message-id-style'];
  if (style !== 'hex' && style !== 'decimal') throw new Error('--message-id-style is hex or decimal');
  const simulator = await startSmscSimulator({
    host: values.host,
    port: Number(values.port),
    systemId: values['system-id'],
    password: values.password,
    windowMax: Number(values.window),
    receiptDelayMs: values['no-receipts'] ? null : Number(values['receipt-delay-ms']),
    messageIdStyle: style,
  });
  process.stdout.write(`${simulator.url}\n`);
  return simulator;
}

runAsProgram(import.meta.url, main);
