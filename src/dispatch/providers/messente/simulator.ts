// A scriptable Messente Omnichannel API on loopback for tests, benchmarks and development: sends, statuses, signed DLRs.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import {
  Countdown,
  countUp,
  deliverReport,
  type ListenOptions,
  type LoopbackSimulator,
  type ReceivedRequest,
  receivedRequest,
  retryAfterHeader,
  sendJson,
  startLoopbackServer,
} from '../http/simulator-server.js';
import { runAsProgram } from '../simulator-cli.js';
import type { MessenteStatus } from './status.js';
import { MESSENTE_SIGNATURE_HEADER, messenteSignature } from './webhook.js';

export interface MessenteOutcomeRule {
  /** Matched against the recipient's digits (`to` without its "+"). */
  readonly to: RegExp;
  readonly status: MessenteStatus;
  readonly err?: number;
  readonly error?: string;
}

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface MessenteScript {
  /** Answer the next `requests` sends with `status` (a 5xx, or 429 with `retryAfterS`) and take nothing. */
  readonly fail?: { readonly requests: number; readonly status: number; readonly retryAfterS?: number };
  /**
   * Never answer the next `requests` sends (the client times out). `accept` (default true): the message is taken
   * and reported anyway, as when only the answer is lost.
   */
  readonly hang?: { readonly requests: number; readonly accept?: boolean };
  /** Refuse sends to matching recipients with 400 and code 105 (Invalid data at payload[to]); null clears it. */
  readonly rejectNumbers?: RegExp | null;
  /** Report outcomes by recipient, first match wins; DELIVRD with err 0 otherwise. */
  readonly outcomes?: readonly MessenteOutcomeRule[];
  /** POST each final report this many extra times. */
  readonly duplicateReports?: number;
  /** Report the final status first, then an intermediate ACK (out of order). */
  readonly outOfOrder?: boolean;
  /** Delay from acceptance to the report; null sends none (statuses are still answered by polling). */
  readonly dlrDelayMs?: number | null;
  /**
   * The account's autoconvert setting, applied when a message does not say (messente-api docs/SMS.md: `autoconvert`
   * on|full|off, "defaults to the account setting" when absent). Default `on`.
   */
  readonly accountAutoconvert?: MessenteAutoconvert;
}

export type MessenteAutoconvert = 'on' | 'full' | 'off';

export interface MessenteSimulatorOptions extends MessenteScript, ListenOptions {
  readonly username?: string;
  readonly password?: string;
  /** Keep the requests read (up to RECEIVED_KEPT_MAX) in `received`; default true. */
  readonly record?: boolean;
}

export type { ReceivedRequest };

export interface MessenteStats {
  /** POST /v1/omnimessage requests read. */
  sends: number;
  accepted: number;
  /** Refused by validation or a scripted rejection (400). */
  rejected: number;
  unauthorized: number;
  /** Answered with a scripted failure status. */
  failed: number;
  unanswered: number;
  statusQueries: number;
  reportsPosted: number;
  /** Report POSTs the webhook did not take (after the retries). */
  reportsFailed: number;
  /** Messages taken, by recipient digits: a test asserts "sent once" with it. */
  readonly acceptedByRecipient: Map<string, number>;
}

/** `url` is MESSENTE_BASE_URL. */
export interface MessenteSimulator extends LoopbackSimulator<MessenteStats, MessenteScript> {
  readonly username: string;
  readonly password: string;
  /** The messages taken, in order, with the ids the simulator gave them. */
  acceptedMessages(): {
    readonly messageId: string;
    readonly omnimessageId: string;
    readonly to: string;
    /** The conversion Messente applied: the message's own `autoconvert`, else the account's. */
    readonly autoconvert: MessenteAutoconvert;
  }[];
  /** Resolves once every report scheduled so far has been POSTed (or given up on). */
  reportsSettled(): Promise<void>;
}

export const MESSENTE_SIMULATOR_DEFAULTS = {
  username: 'smsgic',
  password: 'messente-secret',
  dlrDelayMs: 0,
  port: 9301,
} as const;

const RECEIVED_KEPT_MAX = 10_000;
const BODY_BYTES_MAX = 1024 * 1024;
/** Messente documents no retry policy for DLRs; the simulator tries a few times, as webhook senders do. */
const REPORT_TRIES_MAX = 3;
const REPORT_RETRY_MS = 100;
const E164_RE = /^\+?[1-9]\d{4,14}$/;

/** One error of Messente's error body (messente-api `ErrorItemOmnichannel`: title, detail, code, source). */
interface ErrorItem {
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly source: string | null;
}

const invalid = (source: string, detail: string): ErrorItem => ({ title: 'Invalid data', detail, code: '105', source });
const missing = (source: string, detail: string): ErrorItem => ({ title: 'Missing data', detail, code: '106', source });

interface Held {
  readonly messageId: string;
  readonly omnimessageId: string;
  readonly to: string;
  readonly sender: string;
  readonly autoconvert: MessenteAutoconvert;
  /** The latest delivery result: what the status endpoint answers. */
  current: Record<string, unknown>;
}

/** Messente's timestamp notation: UTC with microseconds and no zone ("2025-03-01T10:00:04.123456"). */
function timestampOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** What is wrong with one item of `messages`, if anything. */
function messageProblem(value: unknown, at: string): ErrorItem | null {
  if (typeof value !== 'object' || value === null) return invalid(at, 'A message must be an object');
  const message = value as Record<string, unknown>;
  if (message.channel !== 'sms') return invalid(`${at}[channel]`, 'Only the sms channel is simulated');
  if (typeof message.text !== 'string' || message.text === '') return missing(`${at}[text]`, 'SMS text is missing');
  if (message.sender !== undefined && typeof message.sender !== 'string') {
    return invalid(`${at}[sender]`, 'Sender must be a string');
  }
  if (message.autoconvert !== undefined && !['on', 'full', 'off'].includes(message.autoconvert as string)) {
    return invalid(`${at}[autoconvert]`, 'autoconvert must be on, full or off');
  }
  return null;
}

/** Validates an omnimessage body as Messente would; the errors, or the fields the simulator uses. */
function validate(
  body: string,
):
  | { errors: ErrorItem[] }
  | { to: string; sender: string; dlrUrl: string | null; autoconvert: MessenteAutoconvert | undefined } {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return { errors: [invalid('payload', 'The request body is not valid JSON')] };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { errors: [invalid('payload', 'The request body must be a JSON object')] };
  }
  const p = payload as Record<string, unknown>;
  const errors: ErrorItem[] = [];
  if (p.to === undefined || p.to === '') errors.push(missing('payload[to]', 'Recipient phone number is missing'));
  else if (typeof p.to !== 'string' || !E164_RE.test(p.to)) errors.push(invalid('payload[to]', 'Invalid phone number'));
  let sender = '';
  let autoconvert: MessenteAutoconvert | undefined;
  if (!Array.isArray(p.messages) || p.messages.length === 0) {
    errors.push(missing('payload[messages]', 'At least one message is required'));
  } else {
    p.messages.forEach((m: unknown, i) => {
      const problem = messageProblem(m, `payload[messages][${i}]`);
      if (problem) errors.push(problem);
      else if (i === 0) {
        sender = String((m as { sender?: unknown }).sender ?? '');
        autoconvert = (m as { autoconvert?: MessenteAutoconvert }).autoconvert;
      }
    });
  }
  let dlrUrl: string | null = null;
  if (p.dlr_url !== undefined && p.dlr_url !== null) {
    if (typeof p.dlr_url !== 'string' || !/^https?:\/\/\S+$/.test(p.dlr_url)) {
      errors.push(invalid('payload[dlr_url]', 'dlr_url must be an http(s) URL'));
    } else dlrUrl = p.dlr_url;
  }
  if (errors.length > 0) return { errors };
  return { to: p.to as string, sender, dlrUrl, autoconvert };
}

function messenteStats(): MessenteStats {
  return {
    sends: 0,
    accepted: 0,
    rejected: 0,
    unauthorized: 0,
    failed: 0,
    unanswered: 0,
    statusQueries: 0,
    reportsPosted: 0,
    reportsFailed: 0,
    acceptedByRecipient: new Map(),
  };
}

/** A DLR (and a status entry) of a message as Messente words it. */
function resultOf(message: Held, status: MessenteStatus | null, err: number | null, error: string | null) {
  return {
    status,
    sender: message.sender,
    err,
    message_id: message.messageId,
    to: message.to,
    channel: 'sms',
    error,
    omnimessage_id: message.omnimessageId,
    timestamp: timestampOf(Date.now()),
  };
}

/** POSTs one DLR to `url`, signed with the API password, retried as Messente does. */
async function postReport(
  url: string,
  result: Record<string, unknown>,
  password: string,
  signal: AbortSignal,
): Promise<{ readonly delivered: boolean }> {
  const body = JSON.stringify(result);
  const headers = {
    'content-type': 'application/json',
    [MESSENTE_SIGNATURE_HEADER]: messenteSignature(body, password),
  };
  return deliverReport(
    url,
    { headers, body },
    {
      attemptsMax: REPORT_TRIES_MAX,
      retryDelayMs: REPORT_RETRY_MS,
      timeoutMs: 5_000,
      signal,
      // Messente takes any 200–399 answer as received.
      taken: (status) => status >= 200 && status < 400,
    },
  );
}

/** The answer to GET /v1/omnimessage/{id}/status. */
function sendStatuses(response: ServerResponse, messages: readonly Held[] | undefined): void {
  if (!messages) {
    sendJson(response, 404, {
      errors: [{ title: 'Not found', detail: 'Omnimessage not found', code: '101', source: null }],
    });
    return;
  }
  const first = messages[0] as Held;
  sendJson(response, 200, {
    statuses: messages.map((m) => m.current),
    to: first.to,
    omnimessage_id: first.omnimessageId,
  });
}

/** The body of a scripted failure: 429 or a server error. */
function failureBody(status: number) {
  const title = status === 429 ? 'Too Many Requests' : 'Internal Server Error';
  const code = status === 429 ? '429' : '104';
  return { errors: [{ title, detail: title, code, source: null }] };
}

function methodNotAllowed(response: ServerResponse): void {
  sendJson(response, 405, {
    errors: [{ title: 'Method not allowed', detail: 'Method not allowed', code: '107', source: null }],
  });
}

/** Starts a Messente API on loopback. */
export async function startMessenteSimulator(options: MessenteSimulatorOptions = {}): Promise<MessenteSimulator> {
  const username = options.username ?? MESSENTE_SIMULATOR_DEFAULTS.username;
  const password = options.password ?? MESSENTE_SIMULATOR_DEFAULTS.password;
  const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  const record = options.record ?? true;
  const stats = messenteStats();
  const received: ReceivedRequest[] = [];
  const held = new Map<string, Held[]>();
  const fail = new Countdown<NonNullable<MessenteScript['fail']>>();
  const hang = new Countdown<NonNullable<MessenteScript['hang']>>();
  let rejectNumbers: RegExp | null = null;
  let outcomes: readonly MessenteOutcomeRule[] = [];
  let duplicateReports = 0;
  let outOfOrder = false;
  let dlrDelayMs: number | null = MESSENTE_SIMULATOR_DEFAULTS.dlrDelayMs;
  let accountAutoconvert: MessenteAutoconvert = 'on';

  function apply(script: MessenteScript): void {
    fail.set(script.fail);
    hang.set(script.hang);
    if (script.rejectNumbers !== undefined) rejectNumbers = script.rejectNumbers;
    if (script.outcomes !== undefined) outcomes = script.outcomes;
    if (script.duplicateReports !== undefined) duplicateReports = script.duplicateReports;
    if (script.outOfOrder !== undefined) outOfOrder = script.outOfOrder;
    if (script.dlrDelayMs !== undefined) dlrDelayMs = script.dlrDelayMs;
    if (script.accountAutoconvert !== undefined) accountAutoconvert = script.accountAutoconvert;
  }
  apply(options);

  function report(message: Held, dlrUrl: string | null): void {
    const rule = outcomes.find((r) => r.to.test(message.to.replace(/^\+/, '')));
    const status = rule?.status ?? 'DELIVRD';
    const err = rule?.err ?? (status === 'DELIVRD' ? 0 : 1);
    const final = resultOf(message, status, err, rule?.error ?? (err === 0 ? null : 'Delivery failure'));
    message.current = final;
    if (dlrUrl === null) return;
    const sequence = [final, ...Array.from({ length: duplicateReports }, () => final)];
    if (outOfOrder) sequence.push(resultOf(message, 'ACK', null, null));
    loop.track(
      (async () => {
        for (const result of sequence) {
          const { delivered } = await postReport(dlrUrl, result, password, loop.closing);
          if (delivered) stats.reportsPosted++;
          else stats.reportsFailed++;
        }
      })(),
    );
  }

  function accept(to: string, sender: string, dlrUrl: string | null, autoconvert: MessenteAutoconvert | undefined) {
    const message: Held = {
      messageId: randomUUID(),
      omnimessageId: randomUUID(),
      to,
      sender,
      autoconvert: autoconvert ?? accountAutoconvert,
      current: {},
    };
    message.current = resultOf(message, null, null, null);
    held.set(message.omnimessageId, [message]);
    const digits = to.replace(/^\+/, '');
    stats.accepted++;
    countUp(stats.acceptedByRecipient, digits);
    if (dlrDelayMs !== null) loop.later(() => report(message, dlrUrl), dlrDelayMs);
    return message;
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: string | null) {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (record && received.length < RECEIVED_KEPT_MAX) received.push(receivedRequest(request, body ?? ''));
    const isSend = path === '/v1/omnimessage';
    const statusMatch = /^\/v1\/omnimessage\/([^/]+)\/status$/.exec(path);
    if (!isSend && !statusMatch) {
      return sendJson(response, 404, {
        errors: [{ title: 'Not found', detail: 'Not found', code: '101', source: null }],
      });
    }
    if (isSend) stats.sends++;
    if (request.headers.authorization !== expectedAuth) {
      stats.unauthorized++;
      return sendJson(response, 401, {
        errors: [{ title: 'Unauthorized', detail: 'Invalid username or password', code: '103', source: null }],
      });
    }
    if (statusMatch) {
      if (request.method !== 'GET') return methodNotAllowed(response);
      stats.statusQueries++;
      return sendStatuses(response, held.get(decodeURIComponent(statusMatch[1] as string)));
    }
    if (request.method !== 'POST') return methodNotAllowed(response);
    if (body === null)
      return sendJson(response, 413, { errors: [invalid('payload', 'The request body is too large')] });
    const failing = fail.next();
    if (failing) {
      stats.failed++;
      return sendJson(response, failing.status, failureBody(failing.status), retryAfterHeader(failing.retryAfterS));
    }
    const checked = validate(body);
    if ('errors' in checked) {
      stats.rejected++;
      return sendJson(response, 400, { errors: checked.errors });
    }
    if (rejectNumbers?.test(checked.to.replace(/^\+/, ''))) {
      stats.rejected++;
      return sendJson(response, 400, { errors: [invalid('payload[to]', 'Invalid phone number')] });
    }
    const hanging = hang.next();
    if (hanging) {
      stats.unanswered++;
      if (hanging.accept ?? true) accept(checked.to, checked.sender, checked.dlrUrl, checked.autoconvert);
      return; // Never answered: the socket is destroyed at close.
    }
    const message = accept(checked.to, checked.sender, checked.dlrUrl, checked.autoconvert);
    return sendJson(response, 201, {
      messages: [{ channel: 'sms', message_id: message.messageId, sender: message.sender }],
      to: message.to,
      omnimessage_id: message.omnimessageId,
    });
  }

  const loop = await startLoopbackServer(handle, {
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    bodyBytesMax: BODY_BYTES_MAX,
    onError: (response, error) =>
      sendJson(response, 500, {
        errors: [{ title: 'Internal Server Error', detail: String(error), code: '104', source: null }],
      }),
  });

  return {
    url: loop.url,
    port: loop.port,
    username,
    password,
    stats,
    received,
    script: apply,
    acceptedMessages: () =>
      [...held.values()]
        .flat()
        .map(({ messageId, omnimessageId, to, autoconvert }) => ({ messageId, omnimessageId, to, autoconvert })),
    reportsSettled() {
      return loop.settled();
    },
    close: loop.close,
  };
}

async function main(): Promise<MessenteSimulator> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(MESSENTE_SIMULATOR_DEFAULTS.port) },
      username: { type: 'string', default: MESSENTE_SIMULATOR_DEFAULTS.username },
      password: { type: 'string', default: MESSENTE_SIMULATOR_DEFAULTS.password },
      'dlr-delay-ms': { type: 'string', default: '1000' },
      'no-reports': { type: 'boolean', default: false },
    },
  });
  const simulator = await startMessenteSimulator({
    host: values.host,
    port: Number(values.port),
    username: values.username,
    password: values.password,
    dlrDelayMs: values['no-reports'] ? null : Number(values['dlr-delay-ms']),
    record: false,
  });
  process.stdout.write(
    `Messente simulator: MESSENTE_BASE_URL=${simulator.url} MESSENTE_USERNAME=${simulator.username} ` +
      `MESSENTE_PASSWORD=${simulator.password}\n`,
  );
  return simulator;
}

runAsProgram(import.meta.url, main);
