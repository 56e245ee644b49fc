// Several binds to one SMSC as one sender of whole messages: parts, balancing, and receipts rolled up per message.
import type { Encoding } from '../../../domain/gsm.js';
import type { ReportStatus } from '../../../domain/status.js';
import { type ClockUs, systemClockUs, US_PER_MS } from '../../../domain/time.js';
import { CONCAT_UDH_OCTETS, encodeParts, type Ia5Reading, REGISTERED_DELIVERY_FINAL } from './encoding.js';
import { InboundAssembler, type SmppInboundMessage } from './inbound.js';
import { CommandStatus, type DeliverSmPdu, FIELD_CHARS_MAX, type ShortMessageFields } from './pdu.js';
import { describeReceipt, isReceipt, messageIdKey, messageIdKeys, parseReceipt, type Receipt } from './receipt.js';
import {
  type BindOutcome,
  isRetryableStatus,
  type SessionOptions,
  type SessionState,
  SmppSession,
  type SubmitOutcome,
} from './session.js';

export const CLIENT_DEFAULTS = {
  binds: 1,
  /** Messages whose part ids are kept for matching receipts; the oldest are forgotten beyond it. */
  trackedMessagesMax: 200_000,
  /** A receipt whose id matches no part yet waits this long for its submit_sm_resp (it may overtake it). */
  unmatchedReceiptHoldMs: 10_000,
  /** Receipts waiting for their submit_sm_resp, at most. */
  heldReceiptsMax: 10_000,
  /**
   * A later part refused with a transient status (or not sent) is sent again this many times, the first after
   * `partRetryBaseMs`, doubling up to `partRetryCapMs`: its earlier parts are at the SMSC, so giving up would leave
   * the recipient half a text.
   */
  partRetriesMax: 6,
  partRetryBaseMs: 250,
  partRetryCapMs: 5_000,
} as const;

/** Binds of one client, at most: each is a TCP connection the SMSC has to allow. */
export const CLIENT_BINDS_MAX = 64;

/** TON/NPI (spec §5.2.5, §5.2.6). */
const TON = { unknown: 0, international: 1, alphanumeric: 5 } as const;
const NPI = { unknown: 0, e164: 1 } as const;
/** A numeric sender this short or shorter is a short code, not an international number. */
const SHORT_CODE_DIGITS_MAX = 8;

export interface SmsToSend {
  /** Alphanumeric name or digits. */
  readonly source: string;
  /** International digits without "+". */
  readonly destination: string;
  readonly encoding: Encoding;
  /** The text cut into parts (`splitParts`). */
  readonly parts: readonly string[];
  /** validity_period of every part (SMPP 3.4 §7.1.1 time format); absent: the client's own, else none. */
  readonly validityPeriod?: string;
}

/** What became of a whole message. */
export type MessageOutcome =
  /** Every part was taken. `messageId` is the first part's id; receipts of any part map back through `partIds`. */
  | { readonly kind: 'accepted'; readonly messageId: string; readonly partIds: readonly string[] }
  /**
   * Refused. Retryable only when no part was taken: a message some of whose parts the SMSC holds is never sent again
   * (the recipient would get those parts twice).
   */
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly retryable: boolean;
      readonly error: string;
      readonly acceptedPartIds: readonly string[];
    }
  /** Some part left without an answer: the SMSC may hold it. Never resend blindly. */
  | { readonly kind: 'unknown'; readonly error: string; readonly acceptedPartIds: readonly string[] }
  /** Nothing left: safe to send again. */
  | { readonly kind: 'unsent'; readonly error: string };

/** One message's final outcome, from the receipts of all its parts. */
export interface MessageReport {
  /** The first part's id, as submit_sm_resp gave it (or the receipt's id, for a message this client never sent). */
  readonly messageId: string;
  readonly partIds: readonly string[];
  readonly status: ReportStatus;
  readonly error: string | null;
  readonly doneAtUs: number | null;
}

export interface SubmitMessageOptions {
  /** Aborts while the first part has not been taken; once it has, the other parts go regardless. */
  readonly signal?: AbortSignal;
  /** Handed back to `onLateAcceptance`. */
  readonly context?: unknown;
}

export interface ClientOptions
  extends Omit<SessionOptions, 'onDeliver' | 'onLateResponse' | 'onStateChange' | 'windowSize'> {
  readonly binds?: number;
  /** Window of each bind. */
  readonly windowSize?: number;
  /**
   * A message's final status (all parts delivered, or the first final failure). Called once per message; when it
   * rejects, the receipt is answered ESME_RX_T_APPN so the SMSC delivers it again.
   */
  readonly onReport?: (report: MessageReport) => void | Promise<void>;
  /**
   * A whole message from a handset (a deliver_sm or data_sm that is no receipt, its parts put together). When it
   * rejects, the part that completed it is answered ESME_RX_T_APPN so the SMSC delivers it again. Without it such
   * messages are acknowledged and dropped.
   */
  readonly onInbound?: (message: SmppInboundMessage) => void | Promise<void>;
  /** A part that had been given up as unknown turned out accepted (a late submit_sm_resp). */
  readonly onLateAcceptance?: (context: unknown, partIndex: number, partId: string) => void;
  readonly onStateChange?: (bind: number, state: SessionState, detail: string | null) => void;
  readonly trackedMessagesMax?: number;
  readonly unmatchedReceiptHoldMs?: number;
  readonly heldReceiptsMax?: number;
  /** validity_period of every part (`YYMMDDhhmmsstnnp` absolute or relative), empty for the SMSC's default. */
  readonly validityPeriod?: string;
  readonly partRetriesMax?: number;
  readonly partRetryBaseMs?: number;
  readonly partRetryCapMs?: number;
  /** How a text of several parts is sent; see `LongMessageMode`. */
  readonly longMessages?: LongMessageMode;
  /** How a handset's text under data_coding 1 (IA5) is read; see `Ia5Reading` (default `auto`). */
  readonly ia5?: Ia5Reading;
}

/**
 * How a text of several parts goes to the SMSC (spec §2.10 names all three):
 * - `udh` (default): one submit_sm per part, each with the concatenation UDH and UDHI set in esm_class.
 * - `sar`: one submit_sm per part without a UDH, numbered by the TLVs sar_msg_ref_num, sar_total_segments and
 *   sar_segment_seqnum (§5.3.2.22–24); the SMSC builds the UDH. For SMSCs that refuse a UDH from the ESME.
 * - `payload`: the whole text in one submit_sm, in message_payload with sm_length 0 (§5.3.2.32); the SMSC cuts it.
 */
export type LongMessageMode = 'udh' | 'sar' | 'payload';

/** A message whose parts are matched to receipts. */
interface Tracked {
  readonly serial: number;
  readonly partIds: (string | undefined)[];
  readonly partStatus: (ReportStatus | null)[];
  readonly partReceipt: (Receipt | null)[];
  /** Our own words for a part that failed without a receipt (refused after earlier parts were taken). */
  readonly partNote: (string | null)[];
  reported: boolean;
}

interface PartContext {
  readonly tracked: Tracked;
  readonly index: number;
  readonly user: unknown;
}

interface HeldReceipt {
  readonly receipt: Receipt;
  readonly keys: readonly string[];
  readonly expiresAtMs: number;
  done: boolean;
}

export interface ClientStats {
  readonly binds: readonly {
    readonly state: SessionState;
    readonly inFlight: number;
    readonly queued: number;
    readonly window: number;
    readonly throttled: number;
    readonly lastError: string | null;
  }[];
  readonly receipts: number;
  readonly malformedReceipts: number;
  readonly unmatchedReceipts: number;
  /** Final receipts that changed nothing: repeats, or parts of a message already reported. */
  readonly redundantReceipts: number;
  readonly trackedMessages: number;
  /** Whole messages from handsets handed on, those that could not be read, and unfinished ones held. */
  readonly inboundMessages: number;
  readonly malformedInbound: number;
  readonly pendingInboundParts: number;
}

function isAsciiPrintable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Sessions to one SMSC, least-outstanding first (round robin among equals); a message's parts share one bind. */
export class SmppClient {
  readonly #sessions: SmppSession[];
  readonly #onReport: ClientOptions['onReport'];
  readonly #onInbound: ClientOptions['onInbound'];
  readonly #inbound: InboundAssembler;
  #inboundMessages = 0;
  #malformedInbound = 0;
  readonly #onLateAcceptance: ClientOptions['onLateAcceptance'];
  readonly #trackedMax: number;
  readonly #holdMs: number;
  readonly #heldMax: number;
  readonly #validityPeriod: string;
  readonly #partRetriesMax: number;
  readonly #partRetryBaseMs: number;
  readonly #partRetryCapMs: number;
  readonly #longMessages: LongMessageMode;
  readonly #clockUs: ClockUs;
  #roundRobin = 0;
  #sarReference = Math.floor(Math.random() * 0x10000);
  #reference = Math.floor(Math.random() * 256);
  #serial = 0;
  readonly #tracked = new Map<number, Tracked>();
  readonly #byPartKey = new Map<string, { tracked: Tracked; index: number }>();
  readonly #held = new Map<string, HeldReceipt[]>();
  #heldOrder: HeldReceipt[] = [];
  #heldCount = 0;
  #holdTimer: NodeJS.Timeout | null = null;
  #closing = false;
  #active = 0;
  #idleWaiters: (() => void)[] = [];
  #receipts = 0;
  #malformedReceipts = 0;
  #unmatchedReceipts = 0;
  #redundantReceipts = 0;

  constructor(options: ClientOptions) {
    const binds = options.binds ?? CLIENT_DEFAULTS.binds;
    if (!(Number.isSafeInteger(binds) && binds >= 1 && binds <= CLIENT_BINDS_MAX)) {
      throw new RangeError(`binds must be 1..${CLIENT_BINDS_MAX}`);
    }
    this.#onReport = options.onReport;
    this.#onInbound = options.onInbound;
    this.#inbound = new InboundAssembler(options.ia5);
    this.#onLateAcceptance = options.onLateAcceptance;
    this.#trackedMax = options.trackedMessagesMax ?? CLIENT_DEFAULTS.trackedMessagesMax;
    this.#holdMs = options.unmatchedReceiptHoldMs ?? CLIENT_DEFAULTS.unmatchedReceiptHoldMs;
    this.#heldMax = options.heldReceiptsMax ?? CLIENT_DEFAULTS.heldReceiptsMax;
    this.#validityPeriod = options.validityPeriod ?? '';
    this.#partRetriesMax = options.partRetriesMax ?? CLIENT_DEFAULTS.partRetriesMax;
    this.#partRetryBaseMs = options.partRetryBaseMs ?? CLIENT_DEFAULTS.partRetryBaseMs;
    this.#partRetryCapMs = options.partRetryCapMs ?? CLIENT_DEFAULTS.partRetryCapMs;
    this.#longMessages = options.longMessages ?? 'udh';
    this.#clockUs = options.clockUs ?? systemClockUs;
    const { onStateChange, binds: _binds, onInbound: _onInbound, ia5: _ia5, ...sessionOptions } = options;
    this.#sessions = Array.from(
      { length: binds },
      (_, bind) =>
        new SmppSession({
          ...sessionOptions,
          onDeliver: (pdu) => this.#onDeliver(pdu),
          onLateResponse: (context, outcome) => this.#onLateResponse(context as PartContext, outcome),
          ...(onStateChange && { onStateChange: (state, detail) => onStateChange(bind, state, detail) }),
        }),
    );
  }

  #nowMs(): number {
    return this.#clockUs() / US_PER_MS;
  }

  /** Binds every session; resolves with each bind's first outcome (failed binds other than credentials keep retrying). */
  open(): Promise<BindOutcome[]> {
    return Promise.all(this.#sessions.map((session) => session.open()));
  }

  stats(): ClientStats {
    return {
      binds: this.#sessions.map((s) => ({
        state: s.state,
        inFlight: s.inFlight,
        queued: s.queued,
        window: s.window,
        throttled: s.throttledCount,
        lastError: s.lastError,
      })),
      receipts: this.#receipts,
      malformedReceipts: this.#malformedReceipts,
      unmatchedReceipts: this.#unmatchedReceipts,
      redundantReceipts: this.#redundantReceipts,
      trackedMessages: this.#tracked.size,
      inboundMessages: this.#inboundMessages,
      malformedInbound: this.#malformedInbound,
      pendingInboundParts: this.#inbound.pending,
    };
  }

  /** Waits for messages being sent, then unbinds every session. Later submits are unsent. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#active > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await Promise.all(this.#sessions.map((session) => session.close()));
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    this.#expireHeld(Number.POSITIVE_INFINITY);
  }

  /**
   * Sends every part of one message over one bind: the first alone (a refused destination is refused there, before
   * anything else goes), then the others together. Resolves with the message's outcome; never rejects for anything
   * the SMSC or the network does.
   */
  async submit(message: SmsToSend, options: SubmitMessageOptions = {}): Promise<MessageOutcome> {
    if (this.#closing) return { kind: 'unsent', error: 'smpp client closed' };
    const invalid = this.#checkAddresses(message);
    if (invalid) return { kind: 'refused', retryable: false, acceptedPartIds: [], ...invalid };
    this.#active++;
    try {
      return await this.#submit(message, options);
    } finally {
      this.#active--;
      if (this.#active === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  #checkAddresses(message: SmsToSend): { status: number; error: string } | null {
    const { source, destination } = message;
    if (source.length === 0 || source.length > FIELD_CHARS_MAX.source_addr || !isAsciiPrintable(source)) {
      return { status: CommandStatus.ESME_RINVSRCADR, error: `smpp: sender "${source}" cannot be a source_addr` };
    }
    if (!/^\d+$/.test(destination) || destination.length > FIELD_CHARS_MAX.destination_addr) {
      return { status: CommandStatus.ESME_RINVDSTADR, error: `smpp: "${destination}" is not international digits` };
    }
    return null;
  }

  async #submit(message: SmsToSend, options: SubmitMessageOptions): Promise<MessageOutcome> {
    const session = this.#pick();
    this.#reference = (this.#reference + 1) & 0xff;
    const encoded = this.#encode(message);
    const numeric = /^\d+$/.test(message.source);
    const base = {
      serviceType: '',
      sourceAddrTon: numeric
        ? message.source.length > SHORT_CODE_DIGITS_MAX
          ? TON.international
          : TON.unknown
        : TON.alphanumeric,
      sourceAddrNpi: numeric ? NPI.e164 : NPI.unknown,
      sourceAddr: message.source,
      destAddrTon: TON.international,
      destAddrNpi: NPI.e164,
      destinationAddr: message.destination,
      esmClass: encoded.esmClass,
      protocolId: 0,
      priorityFlag: 0,
      scheduleDeliveryTime: '',
      validityPeriod: message.validityPeriod ?? this.#validityPeriod,
      registeredDelivery: REGISTERED_DELIVERY_FINAL,
      replaceIfPresentFlag: 0,
      dataCoding: encoded.dataCoding,
      smDefaultMsgId: 0,
      tlvs: {},
    } satisfies Omit<ShortMessageFields, 'shortMessage'>;
    const total = encoded.parts.length;
    const tracked = this.#track(total);
    const send = (index: number, signal?: AbortSignal) =>
      session.submit(
        { ...base, shortMessage: encoded.parts[index] as Buffer, tlvs: encoded.tlvs[index] ?? {} },
        { ...(signal && { signal }), context: { tracked, index, user: options.context } satisfies PartContext },
      );

    const first = await send(0, options.signal);
    if (first.kind !== 'accepted') {
      this.#untrack(tracked);
      if (first.kind === 'refused') return { ...first, acceptedPartIds: [] };
      if (first.kind === 'unknown') return { ...first, acceptedPartIds: [] };
      return first;
    }
    this.#setPartId(tracked, 0, first.messageId);
    if (total === 1) return { kind: 'accepted', messageId: first.messageId, partIds: [first.messageId] };

    // The message is under way: the rest goes without the abort signal, so it is never left half sent on purpose.
    // A part refused for a passing reason (ESME_RSYSERR, ESME_RX_T_APPN, ESME_RINVBNDSTS, throttling: spec §5.1.3),
    // or not sent, goes again as the same octets, so with the same UDH reference and number: the handset joins it
    // to the parts it already has.
    const sendPart = async (index: number): Promise<SubmitOutcome> => {
      let outcome = await send(index);
      for (let retry = 0; retry < this.#partRetriesMax; retry++) {
        const transient =
          outcome.kind === 'unsent' || (outcome.kind === 'refused' && isRetryableStatus(outcome.status));
        if (!transient || this.#closing) break;
        const delayMs = Math.min(this.#partRetryCapMs, this.#partRetryBaseMs * 2 ** retry);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        outcome = await send(index);
      }
      return outcome;
    };
    const rest = await Promise.all(Array.from({ length: total - 1 }, (_, i) => sendPart(i + 1)));
    const partIds = [first.messageId];
    let unknown: string | null = null;
    let refusal: { status: number; error: string } | null = null;
    for (const [i, outcome] of rest.entries()) {
      const index = i + 1;
      if (outcome.kind === 'accepted') {
        partIds.push(outcome.messageId);
        this.#setPartId(tracked, index, outcome.messageId);
      } else if (outcome.kind === 'unknown') {
        unknown ??= `part ${index + 1}/${total}: ${outcome.error}`;
      } else if (outcome.kind === 'refused') {
        refusal ??= { status: outcome.status, error: outcome.error };
      } else {
        refusal ??= {
          status: CommandStatus.ESME_RSYSERR,
          error: `part ${index + 1}/${total} not sent: ${outcome.error}`,
        };
      }
    }
    if (partIds.length === total) return { kind: 'accepted', messageId: first.messageId, partIds };
    if (unknown !== null) return { kind: 'unknown', error: unknown, acceptedPartIds: partIds };
    if (refusal === null) throw new Error('a part was neither accepted, refused, unsent nor unknown');
    const { status, error } = refusal;
    const accepted = `${partIds.length} of ${total} parts accepted`;
    const outcome: MessageOutcome = {
      kind: 'refused',
      status,
      retryable: false,
      error: `${error} (${accepted})`,
      acceptedPartIds: partIds,
    };
    // The recipient will never get the whole text: the message's report says so, under its first part's id.
    this.#failMissingParts(tracked, first.messageId, outcome.error);
    return outcome;
  }

  /** The submit_sm contents of a message: each part's short_message and TLVs, as the route sends long texts. */
  #encode(message: SmsToSend): {
    dataCoding: number;
    esmClass: number;
    parts: readonly Buffer[];
    tlvs: readonly ShortMessageFields['tlvs'][];
  } {
    const udh = encodeParts(message.encoding, message.parts, this.#reference);
    const total = udh.parts.length;
    if (total === 1 || this.#longMessages === 'udh') return { ...udh, tlvs: [] };
    const bodies = udh.parts.map((part) => part.subarray(CONCAT_UDH_OCTETS));
    if (this.#longMessages === 'payload') {
      return {
        dataCoding: udh.dataCoding,
        esmClass: 0,
        parts: [Buffer.alloc(0)],
        tlvs: [{ messagePayload: Buffer.concat(bodies) }],
      };
    }
    this.#sarReference = (this.#sarReference + 1) & 0xffff;
    const reference = this.#sarReference;
    return {
      dataCoding: udh.dataCoding,
      esmClass: 0,
      parts: bodies,
      tlvs: bodies.map((_, i) => ({ sarMsgRefNum: reference, sarTotalSegments: total, sarSegmentSeqnum: i + 1 })),
    };
  }

  #failMissingParts(tracked: Tracked, messageId: string, error: string): void {
    const index = tracked.partIds.indexOf(undefined);
    if (index === -1) return;
    const receipt: Receipt = { messageId, stat: 'REJECTD', status: 'rejected', error: null, doneAtUs: null };
    tracked.partNote[index] = `smpp: ${error}`;
    void this.#applyToPart(tracked, index, receipt).catch(() => {
      // A sink failure loses this report only; the message then expires unreported.
    });
  }

  #pick(): SmppSession {
    const count = this.#sessions.length;
    let best: SmppSession | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const session = this.#sessions[(this.#roundRobin + i) % count] as SmppSession;
      if (session.state === 'failed' || session.state === 'closed' || session.state === 'closing') continue;
      // A bind that is down still queues, but only after every bound one is busier than it could ever catch up with.
      const score = session.outstanding + (session.state === 'bound' ? 0 : 1_000_000);
      if (score < bestScore) {
        best = session;
        bestScore = score;
      }
    }
    this.#roundRobin = (this.#roundRobin + 1) % count;
    return best ?? (this.#sessions[0] as SmppSession);
  }

  // ------------------------------------------------------------------------------------------------- tracking

  #track(parts: number): Tracked {
    const tracked: Tracked = {
      serial: ++this.#serial,
      partIds: new Array<string | undefined>(parts).fill(undefined),
      partStatus: new Array<ReportStatus | null>(parts).fill(null),
      partReceipt: new Array<Receipt | null>(parts).fill(null),
      partNote: new Array<string | null>(parts).fill(null),
      reported: false,
    };
    this.#tracked.set(tracked.serial, tracked);
    if (this.#tracked.size > this.#trackedMax) {
      const oldest = this.#tracked.values().next().value as Tracked;
      this.#untrack(oldest);
    }
    return tracked;
  }

  #untrack(tracked: Tracked): void {
    this.#tracked.delete(tracked.serial);
    for (const id of tracked.partIds) {
      if (id === undefined) continue;
      const key = messageIdKey(id);
      if (this.#byPartKey.get(key)?.tracked === tracked) this.#byPartKey.delete(key);
    }
  }

  #setPartId(tracked: Tracked, index: number, id: string): void {
    if (!this.#tracked.has(tracked.serial)) return;
    tracked.partIds[index] = id;
    const key = messageIdKey(id);
    this.#byPartKey.set(key, { tracked, index });
    const held = this.#held.get(key);
    if (held) {
      for (const entry of held) {
        if (entry.done) continue;
        entry.done = true;
        this.#heldCount--;
        for (const other of entry.keys) if (other !== key) this.#dropHeldKey(other, entry);
        void this.#applyToPart(tracked, index, entry.receipt).catch(() => {
          // The report sink failed for a receipt already answered; the SMSC will not send it again. Nothing to do
          // here but not crash: the message then expires without a report, as any unreported message does.
        });
      }
      this.#held.delete(key);
    }
  }

  #dropHeldKey(key: string, entry: HeldReceipt): void {
    const list = this.#held.get(key)?.filter((other) => other !== entry);
    if (list && list.length > 0) this.#held.set(key, list);
    else this.#held.delete(key);
  }

  #onLateResponse(context: PartContext, outcome: SubmitOutcome): void {
    if (outcome.kind !== 'accepted') return;
    if (!this.#tracked.has(context.tracked.serial)) this.#tracked.set(context.tracked.serial, context.tracked);
    this.#setPartId(context.tracked, context.index, outcome.messageId);
    this.#onLateAcceptance?.(context.user, context.index, outcome.messageId);
  }

  // ------------------------------------------------------------------------------------------------- receipts

  async #onDeliver(pdu: DeliverSmPdu): Promise<void> {
    if (!isReceipt(pdu)) {
      await this.#onHandsetMessage(pdu);
      return;
    }
    this.#receipts++;
    const parsed = parseReceipt(pdu);
    if (!parsed.ok) {
      // Answered ESME_ROK all the same: sent again, it would be just as unreadable.
      this.#malformedReceipts++;
      return;
    }
    const match = this.#lookup(parsed.receipt.messageId);
    if (match) await this.#applyToPart(match.tracked, match.index, parsed.receipt);
    else this.#hold(parsed.receipt);
  }

  /** A message from a handset, or one part of it: handed on once whole; dropped when nobody takes them. */
  async #onHandsetMessage(pdu: DeliverSmPdu): Promise<void> {
    const onInbound = this.#onInbound;
    if (onInbound === undefined) return;
    const read = this.#inbound.accept(pdu, this.#nowMs());
    if (read.kind === 'malformed') {
      // Answered ESME_ROK all the same: sent again, it would be just as unreadable.
      this.#malformedInbound++;
      return;
    }
    if (read.kind === 'partial') return;
    await onInbound(read.message);
    this.#inbound.forget(read.key);
    this.#inboundMessages++;
  }

  #lookup(receiptId: string): { tracked: Tracked; index: number } | null {
    for (const key of messageIdKeys(receiptId)) {
      const match = this.#byPartKey.get(key);
      if (match) return match;
    }
    return null;
  }

  async #applyToPart(tracked: Tracked, index: number, receipt: Receipt): Promise<void> {
    if (receipt.status === null) return;
    if (tracked.partStatus[index] !== null || tracked.reported) {
      this.#redundantReceipts++;
      return;
    }
    tracked.partStatus[index] = receipt.status;
    tracked.partReceipt[index] = receipt;
    const report = this.#rollUp(tracked);
    if (!report) return;
    tracked.reported = true;
    try {
      await this.#onReport?.(report);
    } catch (error) {
      // Not recorded: forget this receipt so the SMSC's next delivery of it is taken afresh.
      tracked.reported = false;
      tracked.partStatus[index] = null;
      tracked.partReceipt[index] = null;
      throw error;
    }
  }

  /** The message's status once it has one: the first final failure of any part, or delivered when all parts are. */
  #rollUp(tracked: Tracked): MessageReport | null {
    const messageId = tracked.partIds[0];
    if (messageId === undefined) return null;
    const partIds = tracked.partIds.filter((id): id is string => id !== undefined);
    const failed = tracked.partStatus.findIndex((status) => status !== null && status !== 'delivered');
    const pick = failed !== -1 ? failed : tracked.partStatus.every((status) => status === 'delivered') ? 0 : -1;
    if (pick === -1) return null;
    const receipt = tracked.partReceipt[pick] as Receipt;
    let doneAtUs: number | null = null;
    for (const r of tracked.partReceipt) {
      if (r?.doneAtUs != null && (doneAtUs === null || r.doneAtUs > doneAtUs)) doneAtUs = r.doneAtUs;
    }
    return {
      messageId,
      partIds,
      status: tracked.partStatus[pick] as ReportStatus,
      error: tracked.partNote[pick] ?? describeReceipt(receipt),
      doneAtUs,
    };
  }

  /** A receipt that overtook its submit_sm_resp (or belongs to a message this process never sent) waits a while. */
  #hold(receipt: Receipt): void {
    if (receipt.status === null) return;
    const entry: HeldReceipt = {
      receipt,
      keys: messageIdKeys(receipt.messageId),
      expiresAtMs: this.#nowMs() + this.#holdMs,
      done: false,
    };
    for (const key of entry.keys) {
      const list = this.#held.get(key);
      if (list) list.push(entry);
      else this.#held.set(key, [entry]);
    }
    this.#heldOrder.push(entry);
    this.#heldCount++;
    // Over the maximum, the oldest go out early rather than memory growing.
    while (this.#heldCount > this.#heldMax) this.#release(this.#heldOrder.shift() as HeldReceipt);
    this.#scheduleExpiry();
  }

  #scheduleExpiry(): void {
    if (this.#holdTimer) return;
    while (this.#heldOrder.length > 0 && (this.#heldOrder[0] as HeldReceipt).done) this.#heldOrder.shift();
    const next = this.#heldOrder[0];
    if (!next) return;
    this.#holdTimer = setTimeout(
      () => {
        this.#holdTimer = null;
        this.#expireHeld(this.#nowMs());
      },
      Math.max(1, next.expiresAtMs - this.#nowMs()),
    );
    this.#holdTimer.unref();
  }

  /** Held receipts are in expiry order (the hold time is one constant), so the expired ones are a prefix. */
  #expireHeld(nowMs: number): void {
    while (this.#heldOrder.length > 0) {
      const entry = this.#heldOrder[0] as HeldReceipt;
      if (!entry.done && entry.expiresAtMs > nowMs) break;
      this.#heldOrder.shift();
      this.#release(entry);
    }
    this.#scheduleExpiry();
  }

  /**
   * A held receipt that found no part is reported under its own id: after a restart, a single-part message's (or a
   * first part's) receipt still finds its message in the store that way.
   */
  #release(entry: HeldReceipt): void {
    if (entry.done) return;
    entry.done = true;
    this.#heldCount--;
    for (const key of entry.keys) this.#dropHeldKey(key, entry);
    this.#unmatchedReceipts++;
    const { receipt } = entry;
    const report: MessageReport = {
      messageId: receipt.messageId,
      partIds: [receipt.messageId],
      status: receipt.status as ReportStatus,
      error: describeReceipt(receipt),
      doneAtUs: receipt.doneAtUs,
    };
    void Promise.resolve()
      .then(() => this.#onReport?.(report))
      .catch(() => {
        // Already answered to the SMSC; a sink failure here loses only a report for an unknown message.
      });
  }
}
