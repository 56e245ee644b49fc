// One ESME transceiver bind over TCP or TLS: window, response timeouts, keep-alive, throttling, reconnect, unbind.
import { isIP, Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { type ClockUs, systemClockUs, US_PER_MS } from '../../../domain/time.js';
import {
  answerFor,
  CommandStatus,
  type DataSmPdu,
  type DeliverSmPdu,
  decodePdu,
  describeStatus,
  encodePdu,
  FIELD_CHARS_MAX,
  INTERFACE_VERSION_34,
  isResponseId,
  type Pdu,
  PduFrameSplitter,
  SEQUENCE_MAX,
  type ShortMessageFields,
} from './pdu.js';

export const SMPP_PORT_DEFAULT = 2775;
/** IANA's port for SMPP over TLS ("ssmpp"). */
export const SMPPS_PORT_DEFAULT = 3550;

export const SESSION_DEFAULTS = {
  /** submit_sm sent and not yet answered, at most. SMPP sets no number; 10 is the common default of SMSCs. */
  windowSize: 10,
  responseTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  /** enquire_link after this long without hearing from the SMSC. */
  enquireLinkIntervalMs: 30_000,
  reconnectBaseMs: 500,
  reconnectCapMs: 30_000,
  /** First pause after ESME_RTHROTTLED / ESME_RMSGQFUL, doubling while they continue. */
  throttleBackoffBaseMs: 50,
  throttleBackoffCapMs: 2_000,
  /** A throttled submit_sm is sent again (it was certainly not taken) at most this many times before it fails. */
  throttleResendsMax: 8,
  /** A submit_sm waiting for a free window slot (or a bind) gives up after this long: it never left, so it is safe. */
  queueWaitMaxMs: 60_000,
  unbindTimeoutMs: 2_000,
  /**
   * What becomes of submit_sm sent on a connection that ended before their submit_sm_resp came: 'resend' puts them
   * first in line for the next bind (up to `lostResendsMax` times each), 'unknown' settles them as unknown at once.
   */
  onLost: 'resend',
  lostResendsMax: 3,
} as const;

export type LostPolicy = 'resend' | 'unknown';

/** Sequence numbers of unanswered submits kept so a late submit_sm_resp can still be reported. */
const ABANDONED_KEPT_MAX = 10_000;
/** How often timers not tied to one request look at the session: keep-alive, and queued requests waiting too long. */
const HOUSEKEEPING_INTERVAL_MS = 250;

// ---------------------------------------------------------------------------------------------------------------
// Connection URL

export interface SmppUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  /** The query string, for settings read by the client and adapter (binds, window, …). */
  readonly params: URLSearchParams;
}

export type SmppUrlResult =
  | { readonly ok: true; readonly url: SmppUrl }
  | { readonly ok: false; readonly error: string };

/** `smpp://system_id:password@host:port?…` (or `smpps://` for TLS), with percent-escapes in the credentials decoded. */
export function parseSmppUrl(text: string): SmppUrlResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: 'SMPP URL is not a URL (expected smpp://system_id:password@host:port)' };
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'smpps:') {
    return { ok: false, error: `SMPP URL scheme must be smpp: or smpps:, got ${url.protocol}` };
  }
  const tls = url.protocol === 'smpps:';
  let systemId: string;
  let password: string;
  try {
    systemId = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    return { ok: false, error: 'SMPP URL credentials have a broken percent-escape' };
  }
  if (systemId === '') return { ok: false, error: 'SMPP URL has no system_id (smpp://system_id:password@host:port)' };
  if (systemId.length > FIELD_CHARS_MAX.system_id) {
    return { ok: false, error: `SMPP system_id is at most ${FIELD_CHARS_MAX.system_id} characters` };
  }
  if (password.length > FIELD_CHARS_MAX.password) {
    return { ok: false, error: `SMPP password is at most ${FIELD_CHARS_MAX.password} characters` };
  }
  if (/[^\x20-\x7e]/.test(systemId + password)) {
    return { ok: false, error: 'SMPP system_id and password must be printable ASCII' };
  }
  // Brackets of an IPv6 literal are URL syntax, not part of the address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { ok: false, error: 'SMPP URL has no host' };
  const port = url.port === '' ? (tls ? SMPPS_PORT_DEFAULT : SMPP_PORT_DEFAULT) : Number(url.port);
  return { ok: true, url: { tls, host, port, systemId, password, params: url.searchParams } };
}

// ---------------------------------------------------------------------------------------------------------------
// Outcomes

/** What became of one submit_sm. Everything a peer or the network can cause is one of these, never a throw. */
export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string }
  /** The SMSC answered with an error: certainly not taken. `retryable`: trying later may help (a link or load problem). */
  | { readonly kind: 'refused'; readonly status: number; readonly retryable: boolean; readonly error: string }
  /** It left and no answer came (timeout, connection lost, abandoned): the SMSC may have taken it. Never resend blindly. */
  | { readonly kind: 'unknown'; readonly error: string }
  /** It never left (closed, bind refused, aborted, waited too long): sending it again is safe. */
  | { readonly kind: 'unsent'; readonly error: string };

export type BindOutcome =
  | { readonly ok: true; readonly systemId: string }
  /**
   * `fatal`: the SMSC refused these credentials (or the session is closed). A refused bind is still tried again at
   * the backoff (a password changed at the SMSC, an account re-enabled), but meanwhile every submit is refused at once
   * as unsent, so its route can fail over rather than queue.
   */
  | { readonly ok: false; readonly status: number | null; readonly fatal: boolean; readonly error: string };

export type SessionState = 'idle' | 'connecting' | 'binding' | 'bound' | 'waiting' | 'closing' | 'closed' | 'failed';

/** Refusals after which the same message may be taken later: the SMSC's load or state, not the message. */
const RETRYABLE_STATUSES = new Set<number>([
  CommandStatus.ESME_RMSGQFUL,
  CommandStatus.ESME_RTHROTTLED,
  CommandStatus.ESME_RSYSERR,
  CommandStatus.ESME_RX_T_APPN,
  CommandStatus.ESME_RINVBNDSTS,
]);

const THROTTLE_STATUSES = new Set<number>([CommandStatus.ESME_RTHROTTLED, CommandStatus.ESME_RMSGQFUL]);

/** Bind refusals that retrying with the same configuration cannot fix. */
const FATAL_BIND_STATUSES = new Set<number>([
  CommandStatus.ESME_RINVPASWD,
  CommandStatus.ESME_RINVSYSID,
  CommandStatus.ESME_RINVSYSTYP,
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

// ---------------------------------------------------------------------------------------------------------------
// Session

export interface SessionOptions {
  readonly url: SmppUrl;
  readonly systemType?: string;
  readonly windowSize?: number;
  readonly responseTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly enquireLinkIntervalMs?: number;
  readonly reconnectBaseMs?: number;
  readonly reconnectCapMs?: number;
  readonly throttleBackoffBaseMs?: number;
  readonly throttleBackoffCapMs?: number;
  readonly throttleResendsMax?: number;
  readonly queueWaitMaxMs?: number;
  readonly unbindTimeoutMs?: number;
  /** Extra TLS settings for smpps:// (a private CA, client certificates…). */
  readonly tls?: ConnectionOptions;
  /**
   * A deliver_sm from the SMSC (receipt or handset message). It is answered once this settles: ESME_ROK, or
   * ESME_RX_T_APPN when it rejects, so the SMSC delivers it again later rather than it being lost.
   */
  readonly onDeliver?: (pdu: DeliverSmPdu) => void | Promise<void>;
  /** A submit_sm_resp that came after its request had been given up as unknown (timeout or abort). */
  readonly onLateResponse?: (context: unknown, outcome: SubmitOutcome) => void;
  readonly onStateChange?: (state: SessionState, detail: string | null) => void;
  /** A bind refused, called once per change of refusal (not on every retry); null once a bind is accepted again. */
  readonly onBindRefusal?: (error: string | null) => void;
  /** See SESSION_DEFAULTS.onLost. */
  readonly onLost?: LostPolicy;
  readonly lostResendsMax?: number;
  /**
   * The clock the session's waits are measured on (queue wait, keep-alive, throttling pauses); the system clock unless
   * given. The timers themselves are the runtime's.
   */
  readonly clockUs?: ClockUs;
}

export interface SubmitOptions {
  readonly signal?: AbortSignal;
  /** Handed back with a late response. */
  readonly context?: unknown;
}

interface SubmitRequest {
  /** The encoded submit_sm; its sequence number is written when it is sent. */
  readonly octets: Buffer;
  readonly context: unknown;
  readonly resolve: (outcome: SubmitOutcome) => void;
  readonly queuedAtMs: number;
  sequence: number;
  /** Order of sending, to tell throttles that answer one burst from a new one. */
  sentSerial: number;
  timer: NodeJS.Timeout | null;
  throttleResends: number;
  /** Times sent again after a connection that carried it ended unanswered. */
  lostResends: number;
  settled: boolean;
  sent: boolean;
  cleanup: (() => void) | null;
}

interface ControlRequest {
  readonly resolve: (pdu: Pdu | null) => void;
  readonly timer: NodeJS.Timeout;
}

/** A FIFO that does not shift arrays: requests waiting for the window can be many thousands. */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}

function positiveInt(value: number, name: string): number {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * An ESME transceiver session that keeps itself bound: it connects, binds (interface_version 0x34), keeps the link
 * alive with enquire_link, and reconnects with exponential backoff until closed. `submit` queues a submit_sm; at most
 * `windowSize` are unanswered at once, the rest wait in order. Throttling answers shrink the window and pause sending,
 * which then recovers step by step.
 */
export class SmppSession {
  readonly #url: SmppUrl;
  readonly #systemType: string;
  readonly #windowMax: number;
  readonly #responseTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #enquireLinkIntervalMs: number;
  readonly #reconnectBaseMs: number;
  readonly #reconnectCapMs: number;
  readonly #throttleBaseMs: number;
  readonly #throttleCapMs: number;
  readonly #throttleResendsMax: number;
  readonly #queueWaitMaxMs: number;
  readonly #unbindTimeoutMs: number;
  readonly #tls: ConnectionOptions | undefined;
  readonly #onDeliver: SessionOptions['onDeliver'];
  readonly #onLateResponse: SessionOptions['onLateResponse'];
  readonly #onStateChange: SessionOptions['onStateChange'];
  readonly #onBindRefusal: SessionOptions['onBindRefusal'];
  readonly #onLost: LostPolicy;
  readonly #lostResendsMax: number;
  readonly #clockUs: ClockUs;
  /** The last bind refusal told to `onBindRefusal`, so a refusal repeated on every retry is told once. */
  #toldRefusal: string | null = null;

  #state: SessionState = 'idle';
  #socket: Socket | null = null;
  #splitter = new PduFrameSplitter();
  #corked = false;
  #sequence = 0;
  #lastError: string | null = null;
  #lastReceivedMs = 0;
  #reconnectAttempts = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #housekeeping: NodeJS.Timeout | null = null;
  #bindWaiters: ((outcome: BindOutcome) => void)[] = [];
  #lastBind: BindOutcome | null = null;

  readonly #queue = new Queue<SubmitRequest>();
  readonly #inFlight = new Map<number, SubmitRequest>();
  readonly #abandoned = new Map<number, SubmitRequest>();
  readonly #control = new Map<number, ControlRequest>();
  #enquireOutstanding = false;
  /** The connection is ending: nothing new is sent on it. */
  #draining = false;
  #pendingDelivers = 0;
  #deliverWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #closePromise: Promise<void> | null = null;

  // Throttling: the effective window shrinks and sending pauses; successes grow the window back.
  #window: number;
  #windowCredit = 0;
  #pausedUntilMs = 0;
  #resumeTimer: NodeJS.Timeout | null = null;
  #consecutiveThrottles = 0;
  #sentSerial = 0;
  #lastThrottleReactionSerial = 0;
  #throttledCount = 0;

  constructor(options: SessionOptions) {
    this.#url = options.url;
    this.#systemType = options.systemType ?? '';
    if (this.#systemType.length > FIELD_CHARS_MAX.system_type) throw new RangeError('system_type is too long');
    this.#windowMax = positiveInt(options.windowSize ?? SESSION_DEFAULTS.windowSize, 'windowSize');
    this.#window = this.#windowMax;
    this.#responseTimeoutMs = positiveInt(options.responseTimeoutMs ?? SESSION_DEFAULTS.responseTimeoutMs, 'timeout');
    this.#connectTimeoutMs = positiveInt(options.connectTimeoutMs ?? SESSION_DEFAULTS.connectTimeoutMs, 'connect');
    this.#enquireLinkIntervalMs = positiveInt(
      options.enquireLinkIntervalMs ?? SESSION_DEFAULTS.enquireLinkIntervalMs,
      'enquireLinkIntervalMs',
    );
    this.#reconnectBaseMs = positiveInt(options.reconnectBaseMs ?? SESSION_DEFAULTS.reconnectBaseMs, 'reconnectBaseMs');
    this.#reconnectCapMs = positiveInt(options.reconnectCapMs ?? SESSION_DEFAULTS.reconnectCapMs, 'reconnectCapMs');
    this.#throttleBaseMs = positiveInt(options.throttleBackoffBaseMs ?? SESSION_DEFAULTS.throttleBackoffBaseMs, 'base');
    this.#throttleCapMs = positiveInt(options.throttleBackoffCapMs ?? SESSION_DEFAULTS.throttleBackoffCapMs, 'cap');
    this.#throttleResendsMax = options.throttleResendsMax ?? SESSION_DEFAULTS.throttleResendsMax;
    this.#queueWaitMaxMs = positiveInt(options.queueWaitMaxMs ?? SESSION_DEFAULTS.queueWaitMaxMs, 'queueWaitMaxMs');
    this.#unbindTimeoutMs = positiveInt(options.unbindTimeoutMs ?? SESSION_DEFAULTS.unbindTimeoutMs, 'unbind');
    this.#tls = options.tls;
    this.#onDeliver = options.onDeliver;
    this.#onLateResponse = options.onLateResponse;
    this.#onStateChange = options.onStateChange;
    this.#onBindRefusal = options.onBindRefusal;
    this.#onLost = options.onLost ?? SESSION_DEFAULTS.onLost;
    this.#lostResendsMax = options.lostResendsMax ?? SESSION_DEFAULTS.lostResendsMax;
    this.#clockUs = options.clockUs ?? systemClockUs;
  }

  #nowMs(): number {
    return this.#clockUs() / US_PER_MS;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** submit_sm sent and not answered. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** submit_sm waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Everything this session still owes an answer for: the measure for least-outstanding balancing. */
  get outstanding(): number {
    return this.#inFlight.size + this.#queue.length;
  }

  /** The window in force now: the configured one, or less while recovering from throttling. */
  get window(): number {
    return this.#window;
  }

  get throttledCount(): number {
    return this.#throttledCount;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /**
   * Starts connecting (once) and resolves with the first bind's outcome. A refused bind with bad credentials stops the
   * session; any other failure (refused connection, timeout) is retried in the background with backoff.
   */
  open(): Promise<BindOutcome> {
    if (this.#state === 'failed' && this.#lastBind) return Promise.resolve(this.#lastBind);
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.resolve({ ok: false, status: null, fatal: true, error: 'smpp session is closed' });
    }
    if (this.#state === 'bound' && this.#lastBind) return Promise.resolve(this.#lastBind);
    const outcome = new Promise<BindOutcome>((resolve) => this.#bindWaiters.push(resolve));
    if (this.#state === 'idle') {
      this.#housekeeping = setInterval(() => this.#tick(), HOUSEKEEPING_INTERVAL_MS);
      this.#housekeeping.unref();
      this.#connect();
    }
    return outcome;
  }

  /**
   * Queues one submit_sm (a message part). Resolves with what became of it; never rejects for anything the SMSC or
   * the network does. Throws a RangeError when a field does not fit the PDU (a bug of the caller).
   */
  submit(fields: ShortMessageFields, options: SubmitOptions = {}): Promise<SubmitOutcome> {
    const octets = encodePdu({ command: 'submit_sm', status: 0, sequence: 0, ...fields });
    if (this.#state === 'idle') void this.open();
    if (this.#state === 'closing' || this.#state === 'closed' || this.#state === 'failed') {
      return Promise.resolve({ kind: 'unsent', error: `smpp session is ${this.#state}${this.#detail()}` });
    }
    if (this.#credentialsRefused()) {
      return Promise.resolve({ kind: 'unsent', error: (this.#lastBind as { error: string }).error });
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve({ kind: 'unsent', error: 'aborted before sending' });
    return new Promise<SubmitOutcome>((resolve) => {
      const request: SubmitRequest = {
        octets,
        context: options.context,
        resolve,
        queuedAtMs: this.#nowMs(),
        sequence: 0,
        sentSerial: 0,
        timer: null,
        throttleResends: 0,
        lostResends: 0,
        settled: false,
        sent: false,
        cleanup: null,
      };
      if (signal) {
        const onAbort = () => this.#abort(request);
        signal.addEventListener('abort', onAbort, { once: true });
        request.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queue.push(request);
      this.#pump();
    });
  }

  /**
   * Stops: queued submits resolve as unsent, unanswered ones get their answer or time out, then unbind and disconnect.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    const wasBound = this.#state === 'bound';
    this.#setState('closing', null);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    for (const request of this.#queue.drain()) this.#settleUnsent(request, 'smpp session closed');
    if (this.#inFlight.size > 0) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    const socket = this.#socket;
    if (socket && wasBound && !socket.destroyed) {
      await this.#request({ command: 'unbind', status: 0, sequence: this.#nextSequence() }, this.#unbindTimeoutMs);
    }
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => socket.destroy(), this.#unbindTimeoutMs);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
    this.#stopTimers();
    this.#setState('closed', null);
    this.#resolveBindWaiters({ ok: false, status: null, fatal: true, error: 'smpp session closed' });
  }

  // ------------------------------------------------------------------------------------------------- connection

  /** The last bind was refused for its credentials and none has been accepted since. */
  #credentialsRefused(): boolean {
    return this.#state !== 'bound' && this.#lastBind !== null && !this.#lastBind.ok && this.#lastBind.fatal;
  }

  #detail(): string {
    return this.#lastError ? ` (${this.#lastError})` : '';
  }

  #setState(state: SessionState, detail: string | null): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onStateChange?.(state, detail);
  }

  #connect(): void {
    this.#setState('connecting', null);
    const { host, port } = this.#url;
    let socket: Socket;
    if (this.#url.tls) {
      socket = tlsConnect({ host, port, ...(isIP(host) === 0 && { servername: host }), ...this.#tls });
    } else {
      socket = new Socket();
      socket.connect({ host, port });
    }
    this.#socket = socket;
    this.#draining = false;
    this.#splitter = new PduFrameSplitter();
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => {
      this.#lastError = `connect to ${host}:${port} timed out after ${this.#connectTimeoutMs} ms`;
      socket.destroy();
    }, this.#connectTimeoutMs);
    socket.once(this.#url.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      void this.#bind(socket);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('error', (error) => {
      this.#lastError = error.message;
    });
    socket.once('close', () => {
      clearTimeout(connectTimer);
      this.#onClose(socket);
    });
  }

  async #bind(socket: Socket): Promise<void> {
    this.#setState('binding', null);
    const response = await this.#request(
      {
        command: 'bind_transceiver',
        status: 0,
        sequence: this.#nextSequence(),
        systemId: this.#url.systemId,
        password: this.#url.password,
        systemType: this.#systemType,
        interfaceVersion: INTERFACE_VERSION_34,
        addrTon: 0,
        addrNpi: 0,
        addressRange: '',
      },
      this.#responseTimeoutMs,
    );
    if (socket !== this.#socket || this.#state !== 'binding') return;
    let outcome: BindOutcome;
    if (response === null) {
      outcome = { ok: false, status: null, fatal: false, error: `no bind_transceiver_resp${this.#detail()}` };
    } else if (response.status === CommandStatus.ESME_ROK && response.command === 'bind_transceiver_resp') {
      outcome = { ok: true, systemId: response.systemId };
    } else {
      const fatal = FATAL_BIND_STATUSES.has(response.status);
      const what = fatal ? 'the SMSC refused the credentials' : 'bind refused';
      outcome = {
        ok: false,
        status: response.status,
        fatal,
        error: `smpp bind as "${this.#url.systemId}": ${what}: ${describeStatus(response.status)}`,
      };
    }
    this.#lastBind = outcome;
    const refusal = outcome.ok ? null : outcome.error;
    if (refusal !== this.#toldRefusal && (refusal !== null || this.#toldRefusal !== null)) {
      this.#toldRefusal = refusal;
      this.#onBindRefusal?.(refusal);
    }
    if (outcome.ok) {
      this.#reconnectAttempts = 0;
      this.#lastError = null;
      this.#lastReceivedMs = this.#nowMs();
      this.#setState('bound', null);
      this.#resolveBindWaiters(outcome);
      this.#pump();
      return;
    }
    this.#lastError = outcome.error;
    if (outcome.fatal) {
      // Refused credentials: what waits would wait for a change at the SMSC, so it goes back to be routed elsewhere.
      // The bind is tried again at the reconnect backoff (capped), for as long as the session is open.
      for (const request of this.#queue.drain()) this.#settleUnsent(request, outcome.error);
    }
    this.#resolveBindWaiters(outcome);
    socket.destroy();
  }

  #resolveBindWaiters(outcome: BindOutcome): void {
    const waiters = this.#bindWaiters;
    this.#bindWaiters = [];
    for (const resolve of waiters) resolve(outcome);
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#corked = false;
    this.#enquireOutstanding = false;
    const reason = this.#lastError ?? 'connection closed';
    for (const [sequence, control] of this.#control) {
      clearTimeout(control.timer);
      this.#control.delete(sequence);
      control.resolve(null);
    }
    // The SMSC may have taken what it did not answer, and SMPP has no way to ask it by our reference (query_sm needs
    // its id). With 'resend' they go again on the next bind, in their order, before anything new: the recipient may
    // get one twice (the SMSC took it and its answer was lost), which is the price of no message staying in doubt.
    // With 'unknown' they settle as unknown now.
    const lost = [...this.#inFlight.values()].sort((a, b) => a.sentSerial - b.sentSerial);
    this.#inFlight.clear();
    const resend = this.#onLost === 'resend' && this.#state !== 'closing' && this.#state !== 'closed';
    for (const request of lost.reverse()) {
      if (request.timer) clearTimeout(request.timer);
      request.timer = null;
      if (resend && request.lostResends < this.#lostResendsMax && !request.settled) {
        request.lostResends++;
        this.#queue.unshift(request);
        continue;
      }
      this.#settle(request, {
        kind: 'unknown',
        error: `connection lost before submit_sm_resp (${reason}); outcome unknown`,
      });
    }
    this.#abandoned.clear();
    this.#checkDrained();
    if (this.#state === 'binding' || this.#state === 'connecting') {
      this.#resolveBindWaiters({ ok: false, status: null, fatal: false, error: `smpp connect/bind failed: ${reason}` });
    }
    if (this.#state === 'closing' || this.#state === 'closed' || this.#state === 'failed') return;
    const delayMs = Math.min(this.#reconnectCapMs, this.#reconnectBaseMs * 2 ** Math.min(this.#reconnectAttempts, 20));
    this.#reconnectAttempts++;
    // Jitter, so binds of one pool do not reconnect in lockstep.
    const jitteredMs = Math.round(delayMs * (0.5 + Math.random() / 2));
    this.#setState('waiting', reason);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#state === 'waiting') this.#connect();
    }, jitteredMs);
  }

  #stopTimers(): void {
    if (this.#housekeeping) clearInterval(this.#housekeeping);
    this.#housekeeping = null;
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = null;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  /** Cuts the connection (it reconnects unless closing): the link is unusable. */
  #drop(reason: string): void {
    this.#lastError = reason;
    this.#socket?.destroy();
  }

  /** Ends the connection once what was written has gone out (a last answer), cutting it if the peer lingers. */
  #endAfterWrites(reason: string): void {
    this.#lastError = reason;
    const socket = this.#socket;
    if (!socket) return;
    this.#draining = true;
    if (this.#corked) {
      this.#corked = false;
      socket.uncork();
    }
    socket.end();
    setTimeout(() => socket.destroy(), this.#unbindTimeoutMs).unref();
  }

  #tick(): void {
    const nowMs = this.#nowMs();
    while (this.#queue.length > 0) {
      const head = this.#queue.peek() as SubmitRequest;
      if (head.settled) {
        this.#queue.shift();
        continue;
      }
      if (nowMs - head.queuedAtMs < this.#queueWaitMaxMs) break;
      this.#queue.shift();
      this.#settleUnsent(head, `not sent within ${this.#queueWaitMaxMs} ms (session ${this.#state}${this.#detail()})`);
    }
    if (this.#state === 'bound' && !this.#enquireOutstanding) {
      if (nowMs - this.#lastReceivedMs >= this.#enquireLinkIntervalMs) this.#probe();
    }
  }

  /** enquire_link; no answer within the response timeout means the link is dead. */
  #probe(): void {
    if (this.#enquireOutstanding || this.#state !== 'bound') return;
    this.#enquireOutstanding = true;
    const socket = this.#socket;
    void this.#request(
      { command: 'enquire_link', status: 0, sequence: this.#nextSequence() },
      this.#responseTimeoutMs,
    ).then((response) => {
      this.#enquireOutstanding = false;
      if (response === null && socket === this.#socket && this.#state === 'bound') {
        this.#drop(`enquire_link unanswered within ${this.#responseTimeoutMs} ms`);
      }
    });
  }

  // ------------------------------------------------------------------------------------------------------ wire

  #nextSequence(): number {
    this.#sequence = this.#sequence >= SEQUENCE_MAX ? 1 : this.#sequence + 1;
    return this.#sequence;
  }

  /** Writes, coalescing the writes of one tick into one segment where the kernel allows. */
  #write(octets: Buffer): boolean {
    const socket = this.#socket;
    if (!socket || socket.destroyed || !socket.writable) return false;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    socket.write(octets);
    return true;
  }

  /** A request outside the window (bind, enquire_link, unbind); resolves with its response, or null. */
  #request(pdu: Pdu, timeoutMs: number): Promise<Pdu | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#control.delete(pdu.sequence);
        resolve(null);
      }, timeoutMs);
      this.#control.set(pdu.sequence, { resolve, timer });
      if (!this.#write(encodePdu(pdu))) {
        clearTimeout(timer);
        this.#control.delete(pdu.sequence);
        resolve(null);
      }
    });
  }

  #answer(pdu: Pdu): void {
    this.#write(encodePdu(pdu));
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    this.#lastReceivedMs = this.#nowMs();
    const error = this.#splitter.push(chunk, (frame) => this.#onFrame(frame));
    if (error) {
      this.#answer({ command: 'generic_nack', status: error.status, sequence: error.sequence });
      this.#endAfterWrites(`framing error from the SMSC: ${error.reason}`);
    }
  }

  #onFrame(frame: Buffer): void {
    const decoded = decodePdu(frame);
    if (!decoded.ok) {
      const { error } = decoded;
      const answer = answerFor(error);
      if (answer) this.#answer(answer);
      // A response we cannot read still settles its request: by its header status, or as unknown.
      if (isResponseId(error.commandId)) {
        const request = this.#inFlight.get(error.sequence);
        const status = frame.length >= 12 ? frame.readUInt32BE(8) : CommandStatus.ESME_ROK;
        if (request) {
          this.#inFlight.delete(error.sequence);
          const outcome: SubmitOutcome =
            status === CommandStatus.ESME_ROK
              ? { kind: 'unknown', error: `unreadable submit_sm_resp: ${error.reason}` }
              : { kind: 'refused', status, retryable: isRetryableStatus(status), error: describeStatus(status) };
          this.#settle(request, outcome);
          this.#afterResponse();
        }
      }
      return;
    }
    const pdu = decoded.pdu;
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.#onSubmitResponse(pdu.sequence, pdu.status, pdu.messageId);
        return;
      case 'generic_nack':
        // A generic_nack says the request could not be read (spec §4.3.1), so it was not taken, whatever status it
        // carries: one with ESME_ROK is a peer's bug and counts as ESME_RUNKNOWNERR, never as an acceptance.
        if (this.#inFlight.has(pdu.sequence) || this.#abandoned.has(pdu.sequence)) {
          const status = pdu.status === CommandStatus.ESME_ROK ? CommandStatus.ESME_RUNKNOWNERR : pdu.status;
          this.#onSubmitResponse(pdu.sequence, status, '');
        } else this.#resolveControl(pdu);
        return;
      case 'deliver_sm':
        this.#onDeliverSm(pdu, 'deliver_sm_resp');
        return;
      case 'data_sm':
        // An SMSC may send receipts as data_sm (spec §4.7, §2.11): read like deliver_sm, answered with data_sm_resp.
        this.#onDeliverSm(deliverSmOf(pdu), 'data_sm_resp');
        return;
      case 'enquire_link':
        this.#answer({ command: 'enquire_link_resp', status: CommandStatus.ESME_ROK, sequence: pdu.sequence });
        return;
      case 'unbind': {
        // Nothing new goes out. The SMSC may still answer submit_sm it had read (spec §4.2: unbind_resp is sent once
        // outstanding operations are done), so their answers are awaited, at most one response timeout, as are
        // receipts being handled; then the unbind is answered.
        this.#draining = true;
        const socket = this.#socket;
        void Promise.all([
          this.#inFlightSettled(this.#responseTimeoutMs),
          this.#deliversSettled(this.#unbindTimeoutMs),
        ]).then(() => {
          if (socket !== this.#socket) return;
          this.#answer({ command: 'unbind_resp', status: CommandStatus.ESME_ROK, sequence: pdu.sequence });
          this.#endAfterWrites('the SMSC unbound');
        });
        return;
      }
      case 'bind_transceiver_resp':
      case 'bind_transmitter_resp':
      case 'bind_receiver_resp':
      case 'enquire_link_resp':
      case 'unbind_resp':
        this.#resolveControl(pdu);
        return;
      case 'deliver_sm_resp':
      case 'data_sm_resp':
        // This side never sends deliver_sm or data_sm: nothing waits for them.
        return;
      default: {
        // Requests only an SMSC takes (bind, submit_sm) are refused.
        const answer = answerFor({
          status: CommandStatus.ESME_RINVCMDID,
          answer: 'response',
          commandId: frame.readUInt32BE(4),
          sequence: pdu.sequence,
          reason: '',
        });
        if (answer) this.#answer(answer);
      }
    }
  }

  #resolveControl(pdu: Pdu): void {
    const control = this.#control.get(pdu.sequence);
    if (!control) return;
    clearTimeout(control.timer);
    this.#control.delete(pdu.sequence);
    control.resolve(pdu);
  }

  #onDeliverSm(pdu: DeliverSmPdu, answer: 'deliver_sm_resp' | 'data_sm_resp'): void {
    const handler = this.#onDeliver;
    const socket = this.#socket;
    const respond = (status: number) => {
      if (socket === this.#socket) this.#answer({ command: answer, status, sequence: pdu.sequence, messageId: '' });
    };
    if (!handler) {
      respond(CommandStatus.ESME_ROK);
      return;
    }
    this.#pendingDelivers++;
    Promise.resolve()
      .then(() => handler(pdu))
      .then(
        () => respond(CommandStatus.ESME_ROK),
        () => respond(CommandStatus.ESME_RX_T_APPN),
      )
      .finally(() => {
        this.#pendingDelivers--;
        if (this.#pendingDelivers > 0) return;
        const waiters = this.#deliverWaiters;
        this.#deliverWaiters = [];
        for (const resolve of waiters) resolve();
      });
  }

  /** Resolves once no submit_sm awaits its answer, or after `timeoutMs`. */
  #inFlightSettled(timeoutMs: number): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves once no deliver_sm handler is running, or after `timeoutMs`. */
  #deliversSettled(timeoutMs: number): Promise<void> {
    if (this.#pendingDelivers === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#deliverWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // -------------------------------------------------------------------------------------------------- submits

  #pump(): void {
    if (this.#state !== 'bound' || this.#draining) return;
    const nowMs = this.#nowMs();
    if (nowMs < this.#pausedUntilMs) {
      if (!this.#resumeTimer) {
        this.#resumeTimer = setTimeout(() => {
          this.#resumeTimer = null;
          this.#pump();
        }, this.#pausedUntilMs - nowMs);
      }
      return;
    }
    while (this.#inFlight.size < this.#window && this.#queue.length > 0) {
      const request = this.#queue.shift() as SubmitRequest;
      if (request.settled) continue;
      if (!this.#send(request)) {
        // The socket is going away: the request stays first in line for the next connection.
        this.#queue.unshift(request);
        return;
      }
    }
  }

  /** Sends a queued submit_sm; false when the socket cannot take it (then nothing left). */
  #send(request: SubmitRequest): boolean {
    const socket = this.#socket;
    if (!socket || socket.destroyed || !socket.writable) return false;
    const sequence = this.#nextSequence();
    // A resend gets its own buffer: the first may still sit in the socket's queue.
    const octets = request.sent ? Buffer.from(request.octets) : request.octets;
    octets.writeUInt32BE(sequence, 12);
    request.sequence = sequence;
    request.sent = true;
    request.sentSerial = ++this.#sentSerial;
    this.#inFlight.set(sequence, request);
    request.timer = setTimeout(() => this.#onResponseTimeout(request), this.#responseTimeoutMs);
    this.#write(octets);
    return true;
  }

  #onResponseTimeout(request: SubmitRequest): void {
    request.timer = null;
    if (this.#inFlight.get(request.sequence) !== request) return;
    this.#inFlight.delete(request.sequence);
    this.#keepAbandoned(request);
    this.#settle(request, {
      kind: 'unknown',
      error: `no submit_sm_resp within ${this.#responseTimeoutMs} ms; outcome unknown`,
    });
    // Silence may be a dead link: ask it.
    this.#probe();
    this.#afterResponse();
  }

  #abort(request: SubmitRequest): void {
    if (request.settled) return;
    if (!request.sent || this.#inFlight.get(request.sequence) !== request) {
      // Still queued (or between throttled sends): it is not at the SMSC, unless a lost connection had carried it.
      this.#settleUnsent(request, 'aborted before sending');
      return;
    }
    this.#inFlight.delete(request.sequence);
    this.#keepAbandoned(request);
    this.#settle(request, { kind: 'unknown', error: 'aborted while awaiting submit_sm_resp; outcome unknown' });
    this.#afterResponse();
  }

  #keepAbandoned(request: SubmitRequest): void {
    this.#abandoned.set(request.sequence, request);
    if (this.#abandoned.size > ABANDONED_KEPT_MAX) {
      const oldest = this.#abandoned.keys().next().value as number;
      this.#abandoned.delete(oldest);
    }
  }

  #onSubmitResponse(sequence: number, status: number, messageId: string): void {
    const request = this.#inFlight.get(sequence);
    if (!request) {
      const abandoned = this.#abandoned.get(sequence);
      if (abandoned) {
        this.#abandoned.delete(sequence);
        this.#onLateResponse?.(abandoned.context, this.#outcomeOf(status, messageId));
      }
      return;
    }
    this.#inFlight.delete(sequence);
    if (request.timer) clearTimeout(request.timer);
    request.timer = null;
    if (status === CommandStatus.ESME_ROK) {
      this.#onAccepted();
    } else if (THROTTLE_STATUSES.has(status)) {
      this.#onThrottled(request);
      if (request.throttleResends < this.#throttleResendsMax && this.#state === 'bound') {
        // Certainly not taken: it goes again, first in line, once the pause is over.
        request.throttleResends++;
        this.#queue.unshift(request);
        this.#afterResponse();
        return;
      }
    }
    this.#settle(request, this.#outcomeOf(status, messageId));
    this.#afterResponse();
  }

  #outcomeOf(status: number, messageId: string): SubmitOutcome {
    if (status === CommandStatus.ESME_ROK) return { kind: 'accepted', messageId };
    return {
      kind: 'refused',
      status,
      retryable: isRetryableStatus(status),
      error: `smpp submit_sm refused: ${describeStatus(status)}`,
    };
  }

  #onAccepted(): void {
    this.#consecutiveThrottles = 0;
    if (this.#window < this.#windowMax) {
      // Additive increase: one more slot per window's worth of accepted submits.
      this.#windowCredit += 1 / this.#window;
      if (this.#windowCredit >= 1) {
        this.#windowCredit -= 1;
        this.#window++;
      }
    }
  }

  #onThrottled(request: SubmitRequest): void {
    this.#throttledCount++;
    // One burst of throttles (answers to submits sent before the last reaction) counts once.
    if (request.sentSerial <= this.#lastThrottleReactionSerial) return;
    this.#lastThrottleReactionSerial = this.#sentSerial;
    this.#consecutiveThrottles++;
    this.#window = Math.max(1, Math.floor(this.#window / 2));
    this.#windowCredit = 0;
    const pauseMs = Math.min(
      this.#throttleCapMs,
      this.#throttleBaseMs * 2 ** Math.min(this.#consecutiveThrottles - 1, 20),
    );
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#nowMs() + pauseMs);
  }

  #afterResponse(): void {
    this.#checkDrained();
    this.#pump();
  }

  #checkDrained(): void {
    if (this.#inFlight.size > 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Settles a request that waits in the queue: unsent, or unknown when a connection that ended had carried it. */
  #settleUnsent(request: SubmitRequest, error: string): void {
    if (request.lostResends > 0) {
      this.#settle(request, {
        kind: 'unknown',
        error: `${error}, after a connection lost its answer; outcome unknown`,
      });
    } else {
      this.#settle(request, { kind: 'unsent', error });
    }
  }

  #settle(request: SubmitRequest, outcome: SubmitOutcome): void {
    if (request.settled) return;
    request.settled = true;
    if (request.timer) clearTimeout(request.timer);
    request.timer = null;
    request.cleanup?.();
    request.resolve(outcome);
  }
}

/** A data_sm in the shape of a deliver_sm (no short_message; its content is in message_payload), for one reader. */
function deliverSmOf(pdu: DataSmPdu): DeliverSmPdu {
  return {
    command: 'deliver_sm',
    status: pdu.status,
    sequence: pdu.sequence,
    serviceType: pdu.serviceType,
    sourceAddrTon: pdu.sourceAddrTon,
    sourceAddrNpi: pdu.sourceAddrNpi,
    sourceAddr: pdu.sourceAddr,
    destAddrTon: pdu.destAddrTon,
    destAddrNpi: pdu.destAddrNpi,
    destinationAddr: pdu.destinationAddr,
    esmClass: pdu.esmClass,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: pdu.registeredDelivery,
    replaceIfPresentFlag: 0,
    dataCoding: pdu.dataCoding,
    smDefaultMsgId: 0,
    shortMessage: new Uint8Array(0),
    tlvs: pdu.tlvs,
  };
}
