// A scriptable Trumpia REST API on loopback for tests, benchmarks and development: direct SMS and its polled reports.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import {
  Countdown,
  countUp,
  type ListenOptions,
  type LoopbackSimulator,
  type ReceivedRequest,
  receivedRequest,
  retryAfterHeader,
  sendJson,
  startLoopbackServer,
} from '../http/simulator-server.js';
import { runAsProgram } from '../simulator-cli.js';
import { TRUMPIA_US_CA_BYTES_MAX, trumpiaTextBytes } from './status.js';

/** What the report of a matching message finally says. */
export type TrumpiaOutcome =
  | { readonly sent: true }
  /** `{"status":"failed","blocked_mobile":{"number":…}}`. */
  | { readonly blocked: true }
  /** `{"status":"failed"}` without more. */
  | { readonly failed: true }
  /** `{"status_code": code}`, e.g. MRME1054 (too long). */
  | { readonly statusCode: string };

export interface TrumpiaOutcomeRule {
  /** Matched against the recipient's international digits ("1" + the 10 digits for country_code 1). */
  readonly mobile: RegExp;
  readonly outcome: TrumpiaOutcome;
}

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface TrumpiaScript {
  /** Answer the next `requests` sends with HTTP `status` and take nothing: a 5xx, or 429 with `retryAfterS`. */
  readonly fail?: {
    readonly requests: number;
    readonly status: number;
    readonly retryAfterS?: number;
    /** The body's status_code; default MPCE0301 (temporary fault) for a 5xx, none for a 429. */
    readonly statusCode?: string | null;
  };
  /** Never answer the next `requests` sends; `accept` (default true): the message is taken anyway. */
  readonly hang?: { readonly requests: number; readonly accept?: boolean };
  /** Answer the next `requests` report queries with HTTP `status` and MPCE0301. */
  readonly failReports?: { readonly requests: number; readonly status: number };
  /** Refuse sends to matching recipients at once with MRME2001 (incorrectly formatted); null clears it. */
  readonly rejectNumbers?: RegExp | null;
  /**
   * Answer sends to matching recipients 200 `{"status":"failed","blocked_mobile":{"number":…}}`, without a
   * request_id: Trumpia's answer for a blocked mobile (functions/report.php, sample-java `ResultResolver`); null clears.
   */
  readonly blockNumbers?: RegExp | null;
  /** Report outcomes by recipient, first match wins; "sent" otherwise. */
  readonly outcomes?: readonly TrumpiaOutcomeRule[];
  /** How long a report stays "in progress" (MPCE4001) after acceptance. */
  readonly reportDelayMs?: number;
  /** Answer the first N report queries of each message "in progress" (MPCE4001), however long it has waited. */
  readonly inProgressQueries?: number;
  /** After a final answer, answer MPCE4001 once more before the final one again (an out-of-order report). */
  readonly regressOnce?: boolean;
}

export interface TrumpiaSimulatorOptions extends TrumpiaScript, ListenOptions {
  readonly username?: string;
  readonly apiKey?: string;
  /** Keep the requests read (up to RECEIVED_KEPT_MAX) in `received`; default true. */
  readonly record?: boolean;
}

export type { ReceivedRequest };

export interface TrumpiaStats {
  sends: number;
  accepted: number;
  rejected: number;
  unauthorized: number;
  failed: number;
  unanswered: number;
  reportQueries: number;
  /** Report queries answered MPCE4001. */
  inProgressAnswers: number;
  /** Report queries answered with a final outcome. */
  finalAnswers: number;
  /** Messages taken, by international digits: a test asserts "sent once" with it. */
  readonly acceptedByRecipient: Map<string, number>;
}

/** `url` is TRUMPIA_BASE_URL. */
export interface TrumpiaSimulator extends LoopbackSimulator<TrumpiaStats, TrumpiaScript> {
  readonly username: string;
  readonly apiKey: string;
  /** The requests taken, in order, with the ids the simulator gave them. */
  acceptedRequests(): { readonly requestId: string; readonly smsId: number; readonly recipient: string }[];
}

export const TRUMPIA_SIMULATOR_DEFAULTS = {
  username: 'smsgic',
  apiKey: 'trumpia-api-key',
  reportDelayMs: 0,
  port: 9302,
} as const;

const RECEIVED_KEPT_MAX = 10_000;
const BODY_BYTES_MAX = 1024 * 1024;
/** Longest text the simulator passes outside North America; longer is reported as MRME1054 (UNCONFIRMED there). */
const MESSAGE_CHARS_MAX = 1_600;

interface Held {
  readonly requestId: string;
  readonly smsId: number;
  /** International digits. */
  readonly recipient: string;
  readonly acceptedAtMs: number;
  readonly outcome: TrumpiaOutcome;
  finalAnswers: number;
  /** Report queries asked of it so far. */
  queries: number;
  regressed: boolean;
}

/**
 * Checks a direct-SMS body as Trumpia documents it; a status_code refusing it, or the recipient's international
 * digits. HTTP 400 for these refusals is the simulator's choice (UNCONFIRMED): Trumpia's clients read the body's code.
 */
function validate(body: string): { code: string } | { recipient: string; mobile: string; text: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return { code: 'MPCE0801' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { code: 'MPCE0801' };
  const p = payload as Record<string, unknown>;
  if (p.mobile_number === undefined || p.mobile_number === '') return { code: 'MRME2152' };
  if (p.message === undefined || p.message === '') return { code: 'MRME2151' };
  if (typeof p.message !== 'string') return { code: 'MPCE0801' };
  const countryCode = p.country_code === undefined ? 1 : Number(p.country_code);
  if (!Number.isSafeInteger(countryCode) || countryCode < 0) return { code: 'MRME2251' };
  const mobile = String(p.mobile_number);
  if (p.sender !== undefined && !/^\d{3,15}$/.test(String(p.sender))) return { code: 'MRME2552' };
  if (countryCode === 1) {
    if (!/^\d+$/.test(mobile)) return { code: 'MRME1052' };
    if (mobile.length !== 10) return { code: 'MRME1051' };
    if (/^[01]/.test(mobile)) return { code: 'MRME1053' };
    if (trumpiaTextBytes(p.message) > TRUMPIA_US_CA_BYTES_MAX) return { code: 'MRME1054' };
    return { recipient: `1${mobile}`, mobile, text: p.message };
  }
  if (countryCode === 0) {
    // Country read from the number: E.164 with its "+".
    if (!/^\+[1-9]\d{4,19}$/.test(mobile)) return { code: 'MRME2001' };
    return { recipient: mobile.slice(1), mobile, text: p.message };
  }
  if (!/^\d{1,20}$/.test(mobile)) return { code: 'MRME1051' };
  if (mobile.startsWith('0')) return { code: 'MRME1053' };
  return { recipient: `${countryCode}${mobile}`, mobile, text: p.message };
}

function finalAnswer(held: Held): Record<string, unknown> {
  const { outcome } = held;
  if ('sent' in outcome) return { status: 'sent', request_id: held.requestId, sms_id: held.smsId };
  if ('blocked' in outcome) return { status: 'failed', blocked_mobile: { number: held.recipient } };
  if ('failed' in outcome) return { status: 'failed', request_id: held.requestId };
  return { status_code: outcome.statusCode };
}

function trumpiaStats(): TrumpiaStats {
  return {
    sends: 0,
    accepted: 0,
    rejected: 0,
    unauthorized: 0,
    failed: 0,
    unanswered: 0,
    reportQueries: 0,
    inProgressAnswers: 0,
    finalAnswers: 0,
    acceptedByRecipient: new Map(),
  };
}

/** The body of a scripted failure: MPCE0301 (temporary fault) for a 5xx unless the script names another code or none. */
function failureAnswer(failing: NonNullable<TrumpiaScript['fail']>): Record<string, string> {
  const statusCode = failing.statusCode !== undefined ? failing.statusCode : failing.status >= 500 ? 'MPCE0301' : null;
  return statusCode ? { status_code: statusCode } : {};
}

/** Starts a Trumpia API on loopback. */
export async function startTrumpiaSimulator(options: TrumpiaSimulatorOptions = {}): Promise<TrumpiaSimulator> {
  const username = options.username ?? TRUMPIA_SIMULATOR_DEFAULTS.username;
  const apiKey = options.apiKey ?? TRUMPIA_SIMULATOR_DEFAULTS.apiKey;
  const record = options.record ?? true;
  const stats = trumpiaStats();
  const received: ReceivedRequest[] = [];
  const held = new Map<string, Held>();
  let nextSmsId = 987_000_000;

  const fail = new Countdown<NonNullable<TrumpiaScript['fail']>>();
  const hang = new Countdown<NonNullable<TrumpiaScript['hang']>>();
  const failReports = new Countdown<NonNullable<TrumpiaScript['failReports']>>();
  let rejectNumbers: RegExp | null = null;
  let blockNumbers: RegExp | null = null;
  let outcomes: readonly TrumpiaOutcomeRule[] = [];
  let reportDelayMs: number = TRUMPIA_SIMULATOR_DEFAULTS.reportDelayMs;
  let regressOnce = false;
  let inProgressQueries = 0;

  function apply(script: TrumpiaScript): void {
    fail.set(script.fail);
    hang.set(script.hang);
    failReports.set(script.failReports);
    if (script.rejectNumbers !== undefined) rejectNumbers = script.rejectNumbers;
    if (script.blockNumbers !== undefined) blockNumbers = script.blockNumbers;
    if (script.outcomes !== undefined) outcomes = script.outcomes;
    if (script.reportDelayMs !== undefined) reportDelayMs = script.reportDelayMs;
    if (script.regressOnce !== undefined) regressOnce = script.regressOnce;
    if (script.inProgressQueries !== undefined) inProgressQueries = script.inProgressQueries;
  }
  apply(options);

  function accept(recipient: string, text: string): Held {
    const rule = outcomes.find((r) => r.mobile.test(recipient));
    const outcome: TrumpiaOutcome =
      text.length > MESSAGE_CHARS_MAX ? { statusCode: 'MRME1054' } : (rule?.outcome ?? { sent: true });
    const message: Held = {
      requestId: randomBytes(10).toString('hex'),
      smsId: nextSmsId++,
      recipient,
      acceptedAtMs: Date.now(),
      outcome,
      finalAnswers: 0,
      queries: 0,
      regressed: false,
    };
    held.set(message.requestId, message);
    stats.accepted++;
    countUp(stats.acceptedByRecipient, recipient);
    return message;
  }

  function answerReport(response: ServerResponse, requestId: string): void {
    stats.reportQueries++;
    const failing = failReports.next();
    if (failing) {
      sendJson(response, failing.status, { status_code: 'MPCE0301' });
      return;
    }
    const message = held.get(requestId);
    if (!message) {
      sendJson(response, 400, { status_code: 'MPRE2301' });
      return;
    }
    message.queries++;
    const due = Date.now() - message.acceptedAtMs >= reportDelayMs && message.queries > inProgressQueries;
    const regress = regressOnce && message.finalAnswers > 0 && !message.regressed;
    if (!due || regress) {
      if (regress) message.regressed = true;
      stats.inProgressAnswers++;
      sendJson(response, 200, { status_code: 'MPCE4001' });
      return;
    }
    message.finalAnswers++;
    stats.finalAnswers++;
    sendJson(response, 200, finalAnswer(message));
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: string | null) {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (record && received.length < RECEIVED_KEPT_MAX) received.push(receivedRequest(request, body ?? ''));
    const match = /^\/rest\/v1\/([^/]+)\/(sms|report\/([^/]+))$/.exec(path);
    if (!match) return sendJson(response, 404, { status_code: 'MPCE0801' });
    const isSend = match[2] === 'sms';
    if (isSend) stats.sends++;
    if (decodeURIComponent(match[1] as string) !== username || request.headers['x-apikey'] !== apiKey) {
      stats.unauthorized++;
      return sendJson(response, 401, { status_code: 'MPCE0101' });
    }
    if (!isSend) {
      if (request.method !== 'GET') return sendJson(response, 405, { status_code: 'MPCE0801' });
      return answerReport(response, decodeURIComponent(match[3] as string));
    }
    if (request.method !== 'PUT') return sendJson(response, 405, { status_code: 'MPCE0801' });
    if (body === null) return sendJson(response, 413, { status_code: 'MPCE0801' });
    const failing = fail.next();
    if (failing) {
      stats.failed++;
      return sendJson(response, failing.status, failureAnswer(failing), retryAfterHeader(failing.retryAfterS));
    }
    const checked = validate(body);
    if ('code' in checked) {
      stats.rejected++;
      return sendJson(response, 400, { status_code: checked.code });
    }
    if (rejectNumbers?.test(checked.recipient)) {
      stats.rejected++;
      return sendJson(response, 400, { status_code: 'MRME2001' });
    }
    if (blockNumbers?.test(checked.recipient)) {
      stats.rejected++;
      return sendJson(response, 200, { status: 'failed', blocked_mobile: { number: checked.mobile } });
    }
    const hanging = hang.next();
    if (hanging) {
      stats.unanswered++;
      if (hanging.accept ?? true) accept(checked.recipient, checked.text);
      return; // Never answered: the socket is destroyed at close.
    }
    const message = accept(checked.recipient, checked.text);
    return sendJson(response, 200, { request_id: message.requestId, sms_id: message.smsId });
  }

  const loop = await startLoopbackServer(handle, {
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    bodyBytesMax: BODY_BYTES_MAX,
    onError: (response) => sendJson(response, 500, { status_code: 'MPCE4002' }),
  });

  return {
    url: loop.url,
    port: loop.port,
    username,
    apiKey,
    stats,
    received,
    script: apply,
    acceptedRequests: () =>
      [...held.values()].map(({ requestId, smsId, recipient }) => ({ requestId, smsId, recipient })),
    close: loop.close,
  };
}

async function main(): Promise<TrumpiaSimulator> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(TRUMPIA_SIMULATOR_DEFAULTS.port) },
      username: { type: 'string', default: TRUMPIA_SIMULATOR_DEFAULTS.username },
      'api-key': { type: 'string', default: TRUMPIA_SIMULATOR_DEFAULTS.apiKey },
      'report-delay-ms': { type: 'string', default: '2000' },
    },
  });
  const simulator = await startTrumpiaSimulator({
    host: values.host,
    port: Number(values.port),
    username: values.username,
    apiKey: values['api-key'],
    reportDelayMs: Number(values['report-delay-ms']),
    record: false,
  });
  process.stdout.write(
    `Trumpia simulator: TRUMPIA_BASE_URL=${simulator.url} TRUMPIA_USERNAME=${simulator.username} ` +
      `TRUMPIA_API_KEY=${simulator.apiKey}\n`,
  );
  return simulator;
}

runAsProgram(import.meta.url, main);
