// A scriptable Twilio Messages API on loopback for tests, benchmarks and development: create, signed callbacks, faults.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { countParts } from '../../../domain/gsm.js';
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

export interface TwilioSimulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) lets the system choose. */
  readonly port?: number;
  readonly accountSid?: string;
  readonly authToken?: string;
  /** From creation to the first status callback; null sends none. Default 0. */
  readonly callbackDelayMs?: number | null;
  /** Delay before each answer, as a network and service would add. Default 0. */
  readonly responseDelayMs?: number;
  /** Keep every request read in `received`, for tests that pin them. */
  readonly record?: boolean;
}

export type TwilioFinalStatus = 'delivered' | 'undelivered' | 'failed' | 'read' | 'canceled' | 'partially_delivered';

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface TwilioScript {
  /** Answer the next `requests` creates with this 5xx (default 500), creating nothing. */
  readonly fail?: { readonly requests: number; readonly status?: number; readonly retryAfterS?: number } | null;
  /** Answer the next `requests` creates with 429 / 20429 and, when given, `Retry-After`. */
  readonly throttle?: { readonly requests: number; readonly retryAfterS?: number } | null;
  /** Never answer the next `requests` creates; with `process` (the default) the message is created first. */
  readonly silence?: { readonly requests: number; readonly process?: boolean } | null;
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
  readonly callbackDelayMs?: number | null;
}

export interface TwilioReceived {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface TwilioSimulatorStats {
  requests: number;
  unauthorized: number;
  invalid: number;
  failed: number;
  throttled: number;
  silenced: number;
  /** Messages created, and refused with a 4xx of the message's own. */
  accepted: number;
  rejected: number;
  /** Messages created per recipient (To without "+"): "sent once" is 1 everywhere. */
  readonly acceptedByRecipient: Map<string, number>;
  /** Most create requests open at once (read, not yet answered): how parallel the client is. */
  maxInFlight: number;
  callbacksPosted: number;
  /** Callbacks not answered with 2xx (Twilio does not try them again). */
  callbacksFailed: number;
}

export interface TwilioSimulator {
  readonly port: number;
  /** Base URL to give as TWILIO_BASE_URL. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly stats: TwilioSimulatorStats;
  readonly received: readonly TwilioReceived[];
  script(script: TwilioScript): void;
  /** Recipients sent more than once. */
  duplicates(): string[];
  /** Resolves once every callback due so far has been posted. */
  callbacksSettled(): Promise<void>;
  close(): Promise<void>;
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

/** Starts a simulated Twilio on loopback. */
export async function startTwilioSimulator(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
  const accountSid = options.accountSid ?? TWILIO_SIMULATOR_DEFAULTS.accountSid;
  const authToken = options.authToken ?? TWILIO_SIMULATOR_DEFAULTS.authToken;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64')}`;
  const messagesPath = `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages.json`;
  const record = options.record ?? false;
  const responseDelayMs = options.responseDelayMs ?? 0;
  const stats: TwilioSimulatorStats = {
    requests: 0,
    unauthorized: 0,
    invalid: 0,
    failed: 0,
    throttled: 0,
    silenced: 0,
    accepted: 0,
    rejected: 0,
    acceptedByRecipient: new Map(),
    maxInFlight: 0,
    callbacksPosted: 0,
    callbacksFailed: 0,
  };
  const received: TwilioReceived[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const posts = new Set<Promise<void>>();
  const closing = new AbortController();

  let fail: { left: number; status: number; retryAfterS?: number } | null = null;
  let throttle: { left: number; retryAfterS?: number } | null = null;
  let silence: { left: number; process: boolean } | null = null;
  let reject: { recipient: RegExp; code: number } | null = null;
  let finalStatus: NonNullable<TwilioScript['finalStatus']> = [];
  let duplicateCallbacks = 0;
  let outOfOrder = false;
  let callbackDelayMs: number | null = options.callbackDelayMs === undefined ? 0 : options.callbackDelayMs;

  function later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  /** One status callback, signed as Twilio signs it: over the StatusCallback URL and the sorted form fields. */
  async function callback(created: Created, status: TwilioMessageStatus, errorCode: number | undefined) {
    const { resource, statusCallback } = created;
    if (statusCallback === null) return;
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
    try {
      const response = await fetch(statusCallback, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          [TWILIO_SIGNATURE_HEADER]: twilioSignature(authToken, statusCallback, params),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(10_000)]),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) stats.callbacksPosted++;
      else stats.callbacksFailed++;
    } catch {
      stats.callbacksFailed++;
    }
  }

  function track(promise: Promise<void>): void {
    posts.add(promise);
    void promise.finally(() => posts.delete(promise));
  }

  function scheduleCallbacks(created: Created): void {
    if (callbackDelayMs === null || created.statusCallback === null) return;
    const rule = finalStatus.find((r) => r.recipient.test(created.resource.to.replace(/^\+/, '')));
    const final = rule?.status ?? 'delivered';
    const errorCode = rule?.errorCode ?? (final === 'undelivered' ? 30003 : final === 'failed' ? 30008 : undefined);
    const sequence: TwilioMessageStatus[] = outOfOrder ? [final, 'sent'] : ['sent', final];
    for (let i = 0; i < duplicateCallbacks; i++) sequence.push(final);
    later(() => {
      // One after the other, as Twilio reports one message's changes.
      track(
        (async () => {
          for (const status of sequence) {
            if (closing.signal.aborted) return;
            await callback(created, status, errorCode);
          }
        })(),
      );
    }, callbackDelayMs);
  }

  function create(form: URLSearchParams): { status: number; body: unknown } {
    const to = form.get('To') ?? '';
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    if (to === '') return { status: 400, body: errorBody(400, 21604) };
    if (!from && !service) return { status: 400, body: errorBody(400, 21603) };
    if (body === '' && !form.get('MediaUrl') && !form.get('ContentSid'))
      return { status: 400, body: errorBody(400, 21602) };
    if (!/^\+[1-9]\d{5,14}$/.test(to)) return { status: 400, body: errorBody(400, 21211) };
    const digits = to.slice(1);
    if (reject?.recipient.test(digits)) {
      stats.rejected++;
      return { status: 400, body: errorBody(400, reject.code) };
    }
    const statusCallback = form.get('StatusCallback');
    if (statusCallback !== null && !URL.canParse(statusCallback)) {
      return { status: 400, body: errorBody(400, 21609) };
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = twilioDate(Date.now());
    const resource: TwilioMessageResource = {
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
    stats.accepted++;
    stats.acceptedByRecipient.set(digits, (stats.acceptedByRecipient.get(digits) ?? 0) + 1);
    scheduleCallbacks({ resource, statusCallback });
    return { status: 201, body: resource };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    stats.requests++;
    if (record) received.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
    if (req.headers.authorization !== expectedAuth) {
      stats.unauthorized++;
      send(res, 401, errorBody(401, 20003), { 'www-authenticate': 'Basic realm="Twilio API"' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== messagesPath) {
      send(res, 404, errorBody(404, 20404));
      return;
    }
    if (silence && silence.left > 0) {
      silence.left--;
      stats.silenced++;
      if (silence.process) create(new URLSearchParams(body));
      return;
    }
    if (fail && fail.left > 0) {
      fail.left--;
      stats.failed++;
      const headers: Record<string, string> =
        fail.retryAfterS !== undefined ? { 'retry-after': String(fail.retryAfterS) } : {};
      send(res, fail.status, errorBody(fail.status, 20500), headers);
      return;
    }
    if (throttle && throttle.left > 0) {
      throttle.left--;
      stats.throttled++;
      const headers: Record<string, string> =
        throttle.retryAfterS !== undefined ? { 'retry-after': String(throttle.retryAfterS) } : {};
      send(res, 429, errorBody(429, 20429), headers);
      return;
    }
    const answer = create(new URLSearchParams(body));
    if (answer.status >= 400) stats.invalid++;
    send(res, answer.status, answer.body);
  }

  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (responseDelayMs > 0) later(() => handle(req, res, body), responseDelayMs);
      else handle(req, res, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;

  return {
    port,
    url: `http://${address}:${port}`,
    accountSid,
    authToken,
    stats,
    received,
    script(script) {
      if (script.fail !== undefined) {
        fail = script.fail && {
          left: script.fail.requests,
          status: script.fail.status ?? 500,
          ...(script.fail.retryAfterS !== undefined && { retryAfterS: script.fail.retryAfterS }),
        };
      }
      if (script.throttle !== undefined) {
        throttle = script.throttle && {
          left: script.throttle.requests,
          ...(script.throttle.retryAfterS !== undefined && { retryAfterS: script.throttle.retryAfterS }),
        };
      }
      if (script.silence !== undefined) {
        silence = script.silence && { left: script.silence.requests, process: script.silence.process ?? true };
      }
      if (script.reject !== undefined) {
        reject = script.reject && { recipient: script.reject.recipient, code: script.reject.code ?? 21211 };
      }
      if (script.finalStatus !== undefined) finalStatus = script.finalStatus;
      if (script.duplicateCallbacks !== undefined) duplicateCallbacks = script.duplicateCallbacks;
      if (script.outOfOrder !== undefined) outOfOrder = script.outOfOrder;
      if (script.callbackDelayMs !== undefined) callbackDelayMs = script.callbackDelayMs;
    },
    duplicates() {
      return [...stats.acceptedByRecipient].filter(([, n]) => n > 1).map(([recipient]) => recipient);
    },
    async callbacksSettled() {
      while (timers.size > 0 || posts.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...posts]);
    },
  };
}

async function main(): Promise<void> {
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
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
