// A scriptable Twilio Messages API on loopback for tests, benchmarks and development: create, fetch, signed callbacks, faults.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { countParts } from '../../../domain/gsm.js';
import { type DeliveryByDestination, deliveryOutcome } from '../delivery-profile.js';
import {
  Countdown,
  countUp,
  deliverReport,
  type FailRule,
  type LoopbackSimulator,
  type ReceivedRequest,
  type RecordingListenOptions,
  receivedRequest,
  retryAfterHeader,
  type SendStats,
  type SilenceRule,
  sendJson,
  sendStats,
  startLoopbackServer,
  type ThrottleRule,
} from '../http/simulator-server.js';
import { runAsProgram } from '../simulator-cli.js';
import { twilioSignature } from './webhook.js';
import {
  TWILIO_API_VERSION,
  TWILIO_SIGNATURE_HEADER,
  type TwilioErrorBody,
  type TwilioMessageResource,
  type TwilioMessageStatus,
  twilioDate,
  twilioMoreInfo,
} from './wire.js';

export interface TwilioSimulatorOptions extends RecordingListenOptions {
  /** Callbacks of recipients the script does not name: delivered or undelivered at the profile's ratio. */
  readonly delivery?: DeliveryByDestination;
  readonly accountSid?: string;
  readonly authToken?: string;
  /** From creation to the first status callback; null sends none. Default 0. */
  readonly callbackDelayMs?: number | null;
}

export type TwilioFinalStatus = 'delivered' | 'undelivered' | 'failed' | 'read' | 'canceled' | 'partially_delivered';

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface TwilioScript {
  readonly fail?: FailRule | null;
  /** 429 with Twilio's error 20429. */
  readonly throttle?: ThrottleRule | null;
  readonly silence?: SilenceRule | null;
  /** Refuse recipients (To, with "+") matching `recipient` with this error (default 21211, invalid To). */
  readonly reject?: { readonly recipient: RegExp; readonly code?: 21211 | 21610 | 21408 | 21614 } | null;
  /** Final statuses by recipient (first match wins); delivered otherwise. */
  readonly finalStatus?: readonly {
    readonly recipient: RegExp;
    readonly status: TwilioFinalStatus;
    readonly errorCode?: number;
  }[];
  /** Send every final callback this many extra times. */
  readonly duplicateCallbacks?: number;
  /** Send the final callback before the `sent` one. */
  readonly outOfOrder?: boolean;
  /** Recipients (To without "+") whose message stops at this status, as where the carrier sends no receipt. */
  readonly holdAt?: readonly { readonly recipient: RegExp; readonly status: 'queued' | 'sending' | 'sent' }[];
  readonly callbackDelayMs?: number | null;
}

export type TwilioReceived = ReceivedRequest;

/** Refused: with a 4xx of the message's own; per recipient: To without "+". */
export interface TwilioSimulatorStats extends SendStats {
  /** Most create requests open at once (read, not yet answered): how parallel the client is. */
  maxInFlight: number;
  callbacksPosted: number;
  /** Callbacks not answered with 2xx (Twilio does not try them again). */
  callbacksFailed: number;
  /** GETs of one Message resource answered (found or not). */
  fetches: number;
}

/** `url` is TWILIO_BASE_URL. */
export interface TwilioSimulator extends LoopbackSimulator<TwilioSimulatorStats, TwilioScript> {
  readonly accountSid: string;
  readonly authToken: string;
  /** Recipients sent more than once. */
  duplicates(): string[];
  /** Resolves once every callback due so far has been posted. */
  callbacksSettled(): Promise<void>;
  /**
   * Moves the messages to recipients (To without "+") matching `recipient` to `status`, as a fetch then shows it, with
   * a callback where a StatusCallback was given. Returns how many moved.
   */
  advance(recipient: RegExp, status: TwilioMessageStatus, errorCode?: number): Promise<number>;
}

export const TWILIO_SIMULATOR_DEFAULTS = {
  accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  authToken: 'twilio-sim-token',
};

/** Texts of the errors the simulator gives (Twilio's wording where known; the codes are documented). */
const ERROR_TEXTS: Readonly<Record<number, string>> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'Internal Server Error',
  21211: "The 'To' number is not a valid phone number.",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  // UNCONFIRMED code for a malformed StatusCallback: the neighbour of the documented create errors.
  21609: 'Invalid StatusCallback',
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
};

function errorBody(status: number, code: number): TwilioErrorBody {
  return { code, message: ERROR_TEXTS[code] ?? 'Error', more_info: twilioMoreInfo(code), status };
}

interface Created {
  readonly resource: TwilioMessageResource;
  readonly statusCallback: string | null;
}

/** Messages whose standing is kept for fetches. */
const STANDING_KEPT_MAX = 200_000;

/** Where a message stands now, as a fetch shows it. */
interface Standing {
  readonly created: Created;
  status: TwilioMessageStatus;
  errorCode: number | null;
}

const FINAL_STATUSES: ReadonlySet<TwilioMessageStatus> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
  'partially_delivered',
]);

/** Twilio's texts of the error codes the simulator reports after creation (codes from twilio.com/docs/api/errors). */
const DELIVERY_ERROR_TEXTS: Readonly<Record<number, string>> = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30008: 'Unknown error',
};

/** What a script has set of how messages fare (the request faults are countdowns of their own). */
interface Scripted {
  holdAt: NonNullable<TwilioScript['holdAt']>;
  reject: { recipient: RegExp; code: number } | null;
  finalStatus: NonNullable<TwilioScript['finalStatus']>;
  duplicateCallbacks: number;
  outOfOrder: boolean;
  callbackDelayMs: number | null;
}

function applyScript(scripted: Scripted, script: TwilioScript): void {
  if (script.reject !== undefined) {
    scripted.reject = script.reject && { recipient: script.reject.recipient, code: script.reject.code ?? 21211 };
  }
  if (script.finalStatus !== undefined) scripted.finalStatus = script.finalStatus;
  if (script.duplicateCallbacks !== undefined) scripted.duplicateCallbacks = script.duplicateCallbacks;
  if (script.outOfOrder !== undefined) scripted.outOfOrder = script.outOfOrder;
  if (script.holdAt !== undefined) scripted.holdAt = script.holdAt;
  if (script.callbackDelayMs !== undefined) scripted.callbackDelayMs = script.callbackDelayMs;
}

/** The statuses a message's callbacks report, in order, and the error code of its final one. */
function callbackSequence(
  scripted: Scripted,
  digits: string,
  delivered: () => boolean,
): { readonly sequence: TwilioMessageStatus[]; readonly errorCode: number | undefined } {
  const held = scripted.holdAt.find((r) => r.recipient.test(digits));
  const rule = scripted.finalStatus.find((r) => r.recipient.test(digits));
  const final = rule?.status ?? (delivered() ? 'delivered' : 'undelivered');
  const errorCode = rule?.errorCode ?? (final === 'undelivered' ? 30003 : final === 'failed' ? 30008 : undefined);
  const sequence: TwilioMessageStatus[] = held
    ? held.status === 'queued'
      ? []
      : [held.status]
    : scripted.outOfOrder
      ? [final, 'sent']
      : ['sent', final];
  if (!held) for (let i = 0; i < scripted.duplicateCallbacks; i++) sequence.push(final);
  return { sequence, errorCode };
}

/** A status callback's form fields, as Twilio sends them. */
function callbackParams(
  resource: TwilioMessageResource,
  status: TwilioMessageStatus,
  errorCode: number | undefined,
): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: resource.sid,
    MessageStatus: status,
    SmsSid: resource.sid,
    SmsStatus: status,
    AccountSid: resource.account_sid,
    From: resource.from ?? '',
    To: resource.to,
    ApiVersion: TWILIO_API_VERSION,
  };
  if (resource.messaging_service_sid) params.MessagingServiceSid = resource.messaging_service_sid;
  if ((status === 'failed' || status === 'undelivered') && errorCode !== undefined) {
    params.ErrorCode = String(errorCode);
  }
  if (status === 'delivered' || status === 'undelivered') {
    params.RawDlrDoneDate = new Date().toISOString().replace(/[-T:]/g, '').slice(2, 12);
  }
  return params;
}

/** POSTs one callback, signed as Twilio signs it: over the StatusCallback URL and the sorted form fields. */
function postCallback(
  statusCallback: string,
  params: Record<string, string>,
  authToken: string,
  signal: AbortSignal,
): Promise<{ readonly delivered: boolean }> {
  // Twilio does not try a callback again.
  return deliverReport(
    statusCallback,
    {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [TWILIO_SIGNATURE_HEADER]: twilioSignature(authToken, statusCallback, params),
      },
      body: new URLSearchParams(params).toString(),
    },
    { attemptsMax: 1, retryDelayMs: 0, timeoutMs: 10_000, signal },
  );
}

/** The error code of a create request Twilio refuses for its fields alone; null when they are well formed. */
function invalidForm(form: URLSearchParams): number | null {
  const to = form.get('To') ?? '';
  const body = form.get('Body') ?? '';
  if (to === '') return 21604;
  if (!form.get('From') && !form.get('MessagingServiceSid')) return 21603;
  if (body === '' && !form.get('MediaUrl') && !form.get('ContentSid')) return 21602;
  if (!/^\+[1-9]\d{5,14}$/.test(to)) return 21211;
  return null;
}

/** The Message resource a well-formed create request makes, under a new SID. */
function messageResource(accountSid: string, form: URLSearchParams): TwilioMessageResource {
  const to = form.get('To') ?? '';
  const from = form.get('From');
  const service = form.get('MessagingServiceSid');
  const body = form.get('Body') ?? '';
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const now = twilioDate(Date.now());
  return {
    sid,
    account_sid: accountSid,
    messaging_service_sid: service,
    from: from ?? null,
    to,
    body,
    // With a Messaging Service the first status is `accepted` (a sender is chosen later), else `queued`.
    status: service ? 'accepted' : 'queued',
    num_segments: String(countParts(body).parts),
    num_media: '0',
    direction: 'outbound-api',
    api_version: TWILIO_API_VERSION,
    price: null,
    price_unit: 'USD',
    error_code: null,
    error_message: null,
    date_created: now,
    date_updated: now,
    date_sent: null,
    uri: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
    subresource_uris: {
      media: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json`,
      feedback: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Feedback.json`,
    },
  };
}

/** A Message resource as a fetch returns it: its standing now. */
function fetchedResource(entry: Standing): TwilioMessageResource {
  return {
    ...entry.created.resource,
    status: entry.status,
    error_code: entry.errorCode,
    error_message: entry.errorCode === null ? null : (DELIVERY_ERROR_TEXTS[entry.errorCode] ?? 'Error'),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { 'content-type': 'application/json; charset=utf-8', ...headers });
}

/** What a create request reads and changes: the script, the counts, the messages kept for fetches. */
interface Creating {
  readonly accountSid: string;
  readonly scripted: Scripted;
  readonly stats: TwilioSimulatorStats;
  readonly standing: Map<string, Standing>;
  readonly scheduleCallbacks: (created: Created) => void;
}

/** A create request's answer; a message it creates is kept for fetches and its callbacks scheduled. */
function createMessage(ctx: Creating, form: URLSearchParams): { status: number; body: unknown } {
  const { scripted, stats, standing } = ctx;
  const invalid = invalidForm(form);
  if (invalid !== null) return { status: 400, body: errorBody(400, invalid) };
  const to = form.get('To') ?? '';
  const digits = to.slice(1);
  const { reject } = scripted;
  if (reject?.recipient.test(digits)) {
    stats.rejected++;
    return { status: 400, body: errorBody(400, reject.code) };
  }
  const statusCallback = form.get('StatusCallback');
  if (statusCallback !== null && !URL.canParse(statusCallback)) {
    return { status: 400, body: errorBody(400, 21609) };
  }
  const resource = messageResource(ctx.accountSid, form);
  const { sid } = resource;
  stats.accepted++;
  countUp(stats.acceptedByRecipient, digits);
  const created = { resource, statusCallback };
  standing.set(sid, { created, status: resource.status, errorCode: null });
  // A benchmark's millions of messages are not all kept: the oldest are forgotten (fetched, they answer 404).
  if (standing.size > STANDING_KEPT_MAX) standing.delete(standing.keys().next().value as string);
  ctx.scheduleCallbacks(created);
  return { status: 201, body: resource };
}

function twilioStats(): TwilioSimulatorStats {
  return {
    ...sendStats(),
    maxInFlight: 0,
    callbacksPosted: 0,
    callbacksFailed: 0,
    fetches: 0,
  };
}

/** Answers a create request with the next scripted failure, else the next throttling; false when neither is due. */
function answeredWithFault(
  res: ServerResponse,
  fail: Countdown<FailRule>,
  throttle: Countdown<ThrottleRule>,
  stats: TwilioSimulatorStats,
): boolean {
  const failing = fail.next();
  if (failing) {
    stats.failed++;
    const status = failing.status ?? 500;
    send(res, status, errorBody(status, 20500), retryAfterHeader(failing.retryAfterS));
    return true;
  }
  const throttling = throttle.next();
  if (throttling) {
    stats.throttled++;
    send(res, 429, errorBody(429, 20429), retryAfterHeader(throttling.retryAfterS));
    return true;
  }
  return false;
}

/** Starts a simulated Twilio on loopback. */
export async function startTwilioSimulator(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
  const accountSid = options.accountSid ?? TWILIO_SIMULATOR_DEFAULTS.accountSid;
  const authToken = options.authToken ?? TWILIO_SIMULATOR_DEFAULTS.authToken;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64')}`;
  const messagesPath = `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages.json`;
  const messagePath = new RegExp(`^/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/(SM[0-9a-f]{32})\\.json$`);
  const record = options.record ?? false;
  const stats = twilioStats();
  const standing = new Map<string, Standing>();
  const received: TwilioReceived[] = [];
  const fail = new Countdown<FailRule>();
  const throttle = new Countdown<ThrottleRule>();
  const silence = new Countdown<SilenceRule>();
  const scripted: Scripted = {
    holdAt: [],
    reject: null,
    finalStatus: [],
    duplicateCallbacks: 0,
    outOfOrder: false,
    callbackDelayMs: options.callbackDelayMs === undefined ? 0 : options.callbackDelayMs,
  };

  /** One status callback, signed as Twilio signs it: over the StatusCallback URL and the sorted form fields. */
  async function callback(created: Created, status: TwilioMessageStatus, errorCode: number | undefined) {
    const { resource, statusCallback } = created;
    if (statusCallback === null) return;
    const params = callbackParams(resource, status, errorCode);
    const { delivered } = await postCallback(statusCallback, params, authToken, loop.closing);
    if (delivered) stats.callbacksPosted++;
    else stats.callbacksFailed++;
  }

  /** The message takes `status` (a final one stands, as in Twilio), then its callback goes, if it has a URL. */
  async function move(entry: Standing, status: TwilioMessageStatus, errorCode: number | undefined): Promise<void> {
    if (!FINAL_STATUSES.has(entry.status)) {
      entry.status = status;
      entry.errorCode = errorCode ?? null;
    }
    await callback(entry.created, status, errorCode);
  }

  function scheduleCallbacks(created: Created): void {
    const { callbackDelayMs } = scripted;
    if (callbackDelayMs === null) return;
    const entry = standing.get(created.resource.sid);
    if (entry === undefined) return;
    const digits = created.resource.to.replace(/^\+/, '');
    const { sequence, errorCode } = callbackSequence(
      scripted,
      digits,
      () => deliveryOutcome(options.delivery, digits, created.resource.sid).delivered,
    );
    loop.later(() => {
      // One after the other, as Twilio reports one message's changes.
      loop.track(
        (async () => {
          for (const status of sequence) {
            if (loop.closing.aborted) return;
            await move(entry, status, FINAL_STATUSES.has(status) ? errorCode : undefined);
          }
        })(),
      );
    }, callbackDelayMs);
  }

  const creating: Creating = { accountSid, scripted, stats, standing, scheduleCallbacks };
  const create = (form: URLSearchParams) => createMessage(creating, form);

  function handle(req: IncomingMessage, res: ServerResponse, text: string | null): void {
    const body = text ?? '';
    stats.requests++;
    if (record) received.push(receivedRequest(req, body));
    if (req.headers.authorization !== expectedAuth) {
      stats.unauthorized++;
      send(res, 401, errorBody(401, 20003), { 'www-authenticate': 'Basic realm="Twilio API"' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fetched = req.method === 'GET' ? messagePath.exec(path) : null;
    if (fetched) {
      stats.fetches++;
      const entry = standing.get(fetched[1] as string);
      if (entry) send(res, 200, fetchedResource(entry));
      else send(res, 404, errorBody(404, 20404));
      return;
    }
    if (req.method !== 'POST' || path !== messagesPath) {
      send(res, 404, errorBody(404, 20404));
      return;
    }
    const silenced = silence.next();
    if (silenced) {
      stats.silenced++;
      if (silenced.process ?? true) create(new URLSearchParams(body));
      return;
    }
    if (answeredWithFault(res, fail, throttle, stats)) return;
    const answer = create(new URLSearchParams(body));
    if (answer.status >= 400) stats.invalid++;
    send(res, answer.status, answer.body);
  }

  let inFlight = 0;
  const loop = await startLoopbackServer(handle, {
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.responseDelayMs !== undefined && { responseDelayMs: options.responseDelayMs }),
    onRequest: (_request, response) => {
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      response.once('close', () => inFlight--);
    },
  });

  return {
    port: loop.port,
    url: loop.url,
    accountSid,
    authToken,
    stats,
    received,
    script(script) {
      fail.set(script.fail);
      throttle.set(script.throttle);
      silence.set(script.silence);
      applyScript(scripted, script);
    },
    duplicates() {
      return [...stats.acceptedByRecipient].filter(([, n]) => n > 1).map(([recipient]) => recipient);
    },
    callbacksSettled() {
      return loop.settled();
    },
    async advance(recipient, status, errorCode) {
      const moving = [...standing.values()].filter((e) => recipient.test(e.created.resource.to.replace(/^\+/, '')));
      await Promise.all(moving.map((entry) => move(entry, status, errorCode)));
      return moving.length;
    },
    close: loop.close,
  };
}

async function main(): Promise<TwilioSimulator> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8102' },
      'account-sid': { type: 'string', default: TWILIO_SIMULATOR_DEFAULTS.accountSid },
      'auth-token': { type: 'string', default: TWILIO_SIMULATOR_DEFAULTS.authToken },
      'callback-delay-ms': { type: 'string', default: '1000' },
      'no-callbacks': { type: 'boolean', default: false },
    },
  });
  const simulator = await startTwilioSimulator({
    host: values.host,
    port: Number(values.port),
    accountSid: values['account-sid'],
    authToken: values['auth-token'],
    callbackDelayMs: values['no-callbacks'] ? null : Number(values['callback-delay-ms']),
  });
  process.stdout.write(
    `TWILIO_BASE_URL=${simulator.url} TWILIO_ACCOUNT_SID=${simulator.accountSid} TWILIO_AUTH_TOKEN=${simulator.authToken}\n`,
  );
  return simulator;
}

runAsProgram(import.meta.url, main);
