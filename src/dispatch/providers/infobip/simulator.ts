// A scriptable Infobip SMS API v3 on loopback for tests, benchmarks and development: send, logs, reports, faults.
import { randomUUID } from 'node:crypto';
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
  sendJson as send,
  sendStats,
  startLoopbackServer,
  type ThrottleRule,
} from '../http/simulator-server.js';
import { runAsProgram } from '../simulator-cli.js';
import {
  INFOBIP_LOGS_LIMIT_MAX,
  INFOBIP_LOGS_PATH,
  INFOBIP_REPORTS_PER_REQUEST_MAX,
  INFOBIP_SEND_PATH,
  INFOBIP_STATUSES,
  type InfobipApiError,
  type InfobipError,
  type InfobipLog,
  type InfobipReport,
  type InfobipStatus,
  type InfobipStatusName,
  infobipTime,
} from './wire.js';

export interface InfobipSimulatorOptions extends RecordingListenOptions {
  /** Reports of recipients the script does not name: delivered or UNDELIVERABLE at the profile's ratio. */
  readonly delivery?: DeliveryByDestination;
  /** The API key the simulated account accepts (`Authorization: App <key>`). */
  readonly apiKey?: string;
  /** From acceptance to the report POST; null sends none. Default 0. */
  readonly reportDelayMs?: number | null;
  /** A report POST that fails (not 2xx, no answer) is tried again this much later, up to `reportAttemptsMax`. */
  readonly reportRetryDelayMs?: number;
  readonly reportAttemptsMax?: number;
}

/** Faults and behaviours switched on at run time; each call replaces the fields it gives. */
export interface InfobipScript {
  readonly fail?: FailRule | null;
  readonly throttle?: ThrottleRule | null;
  /** The socket stays open until the client gives up, as when only the answer is lost. */
  readonly silence?: SilenceRule | null;
  /** Refuse recipients matching `recipient` in the send response (default status REJECTED_DESTINATION). */
  readonly reject?: { readonly recipient: RegExp; readonly status?: InfobipStatusName } | null;
  /** Final report statuses by recipient (first match wins); DELIVERED_TO_HANDSET otherwise. */
  readonly reportStatus?: readonly { readonly recipient: RegExp; readonly status: InfobipStatusName }[];
  /** Send every final report this many extra times. */
  readonly duplicateReports?: number;
  /** Send a PENDING_ENROUTE report after the final one, as a late, out-of-order report. */
  readonly outOfOrder?: boolean;
  readonly reportDelayMs?: number | null;
  /**
   * A message shows in `GET /sms/3/logs` only this long after it was taken: Infobip fills its logs asynchronously and
   * documents no bound on the lag. Default 0.
   */
  readonly logsLagMs?: number;
}

export type InfobipReceived = ReceivedRequest;

/** Destinations count as messages: taken, refused in the send response, taken per recipient. */
export interface InfobipSimulatorStats extends SendStats {
  /** Destinations taken per messageId we gave (our reference): "sent once" is 1 everywhere. */
  readonly acceptedByMessageId: Map<string, number>;
  logQueries: number;
  /** Report items delivered (2xx), report requests made, and requests that failed for good. */
  reportsDelivered: number;
  reportRequests: number;
  reportRequestsAbandoned: number;
}

/** `url` is INFOBIP_BASE_URL. */
export interface InfobipSimulator extends LoopbackSimulator<InfobipSimulatorStats, InfobipScript> {
  readonly apiKey: string;
  /** Message ids (our references) taken more than once. */
  duplicates(): string[];
  /** Resolves once every report due so far has been posted (or abandoned). */
  reportsSettled(): Promise<void>;
  /**
   * A handset's message to one of the account's numbers, forwarded as Infobip does (MO_JSON_2) to `url` (the number's
   * forwarding URL): tried again after a failure as reports are. `messageId` repeats a message already forwarded.
   */
  sendInbound(
    url: string,
    message: InfobipInboundScript,
  ): Promise<{ readonly messageId: string; readonly delivered: boolean }>;
}

export interface InfobipInboundScript {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly messageId?: string;
}

/** One received message as Infobip forwards it: the keyword is the text's first word, cleanText the rest. */
function inboundBody(message: InfobipInboundScript, messageId: string, receivedAtMs: number): string {
  const [keyword = '', ...rest] = message.text.trim().split(/\s+/u);
  return JSON.stringify({
    results: [
      {
        messageId,
        from: message.from,
        to: message.to,
        text: message.text,
        cleanText: rest.join(' '),
        keyword: keyword.toUpperCase(),
        receivedAt: infobipTime(receivedAtMs),
        smsCount: countParts(message.text).parts,
        price: { pricePerMessage: 0, currency: 'EUR' },
        callbackData: null,
      },
    ],
    messageCount: 1,
    pendingMessageCount: 0,
  });
}

export const INFOBIP_SIMULATOR_DEFAULTS = { apiKey: 'infobip-sim-key', reportRetryDelayMs: 200, reportAttemptsMax: 3 };

interface Taken {
  readonly messageId: string;
  readonly bulkId: string;
  readonly to: string;
  readonly sender: string;
  readonly text: string;
  readonly messageCount: number;
  readonly sentAtMs: number;
  readonly notifyUrl: string | null;
  readonly intermediateReport: boolean;
  status: InfobipStatus;
  error: InfobipError;
  doneAtMs: number | null;
}

/** Error details Infobip pairs with final statuses (illustrative, in the documented shape). */
const ERRORS: Readonly<Record<string, InfobipError>> = {
  OK: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false },
  UNDELIVERABLE: {
    groupId: 1,
    groupName: 'HANDSET_ERRORS',
    id: 27,
    name: 'EC_ABSENT_SUBSCRIBER',
    description: 'Absent Subscriber',
    permanent: false,
  },
  EXPIRED: {
    groupId: 1,
    groupName: 'HANDSET_ERRORS',
    id: 1,
    name: 'EC_UNKNOWN_SUBSCRIBER',
    description: 'Unknown Subscriber',
    permanent: true,
  },
  REJECTED: {
    groupId: 3,
    groupName: 'OPERATOR_ERRORS',
    id: 4000,
    name: 'EC_REJECTED_BY_NETWORK',
    description: 'Rejected by the network',
    permanent: true,
  },
};

const DESCRIPTIONS: Readonly<Partial<Record<InfobipStatusName, string>>> = {
  PENDING_ACCEPTED: 'Message sent to next instance',
  PENDING_ENROUTE: 'Message sent to next instance',
  DELIVERED_TO_HANDSET: 'Message delivered to handset',
  UNDELIVERABLE_NOT_DELIVERED: 'Message sent not delivered',
  EXPIRED_EXPIRED: 'Message expired',
  REJECTED_DESTINATION: 'Invalid destination address',
  REJECTED_NETWORK: 'Network is forbidden',
  REJECTED_NOT_ENOUGH_CREDITS: 'Not enough credits',
};

function statusOf(name: InfobipStatusName): InfobipStatus {
  const description = DESCRIPTIONS[name];
  return { ...INFOBIP_STATUSES[name], ...(description !== undefined && { description }) };
}

/** The v3 error body. Texts other than the documented 429 one are UNCONFIRMED, in the documented shape. */
function apiError(
  errorCode: string,
  description: string,
  action: string,
  violations: InfobipApiError['violations'] = [],
): InfobipApiError {
  return { errorCode, description, action, violations, resources: [] };
}

const UNAUTHORIZED = apiError('E401', 'Invalid login details', 'Check the API key and the Authorization header.');
const TOO_MANY = apiError('E429', 'Too many requests sent.', 'Slow down the rate of requests.');
const SERVER_ERROR = apiError('E500', 'Something went wrong. Please contact support.', 'Try again later.');
const NOT_FOUND = apiError('E404', 'Resource not found.', 'Check the request URL.');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Destination {
  readonly to: string;
  readonly messageId: string | undefined;
}

interface ParsedMessage {
  readonly sender: string;
  readonly text: string;
  readonly destinations: readonly Destination[];
  readonly notifyUrl: string | null;
  readonly intermediateReport: boolean;
}

/** Checks a send body as the service does; violations name the documented property paths. */
function parseSendBody(text: string): { messages: ParsedMessage[] } | { violations: InfobipApiError['violations'] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { violations: [{ property: '', violation: 'malformed JSON' }] };
  }
  if (!isObject(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
    return { violations: [{ property: 'messages', violation: 'must not be empty' }] };
  }
  const violations: { property: string; violation: string }[] = [];
  const messages: ParsedMessage[] = [];
  body.messages.forEach((raw: unknown, i: number) => {
    const at = `messages[${i}]`;
    if (!isObject(raw)) {
      violations.push({ property: at, violation: 'must be an object' });
      return;
    }
    const content = raw.content;
    if (!isObject(content) || typeof content.text !== 'string' || content.text.trim() === '') {
      violations.push({ property: `${at}.content.text`, violation: 'must not be blank' });
    }
    if (raw.sender !== undefined && (typeof raw.sender !== 'string' || raw.sender === '')) {
      violations.push({ property: `${at}.sender`, violation: 'must not be blank' });
    }
    if (!Array.isArray(raw.destinations) || raw.destinations.length === 0) {
      violations.push({ property: `${at}.destinations`, violation: 'must not be empty' });
      return;
    }
    const destinations: Destination[] = [];
    raw.destinations.forEach((d: unknown, j: number) => {
      if (!isObject(d) || typeof d.to !== 'string' || d.to.trim() === '') {
        violations.push({ property: `${at}.destinations[${j}].to`, violation: 'must not be blank' });
        return;
      }
      if (d.messageId !== undefined && (typeof d.messageId !== 'string' || d.messageId === '')) {
        violations.push({ property: `${at}.destinations[${j}].messageId`, violation: 'must not be blank' });
        return;
      }
      destinations.push({ to: d.to, messageId: d.messageId as string | undefined });
    });
    const webhooks = isObject(raw.webhooks) ? raw.webhooks : {};
    const delivery = isObject(webhooks.delivery) ? webhooks.delivery : {};
    let notifyUrl: string | null = null;
    if (delivery.url !== undefined) {
      if (typeof delivery.url !== 'string' || !URL.canParse(delivery.url)) {
        violations.push({ property: `${at}.webhooks.delivery.url`, violation: 'must be a valid URL' });
      } else {
        notifyUrl = delivery.url;
      }
    }
    messages.push({
      sender: typeof raw.sender === 'string' ? raw.sender : 'InfoSMS',
      text: isObject(content) && typeof content.text === 'string' ? content.text : '',
      destinations,
      notifyUrl,
      intermediateReport: delivery.intermediateReport === true,
    });
  });
  return violations.length > 0 ? { violations } : { messages };
}

/** What a script has set of how messages fare (the request faults are countdowns of their own). */
interface Scripted {
  reject: { recipient: RegExp; status: InfobipStatusName } | null;
  reportStatus: readonly { readonly recipient: RegExp; readonly status: InfobipStatusName }[];
  duplicateReports: number;
  outOfOrder: boolean;
  reportDelayMs: number | null;
  logsLagMs: number;
}

function applyScript(scripted: Scripted, script: InfobipScript): void {
  if (script.reject !== undefined) {
    scripted.reject = script.reject && {
      recipient: script.reject.recipient,
      status: script.reject.status ?? 'REJECTED_DESTINATION',
    };
  }
  if (script.reportStatus !== undefined) scripted.reportStatus = script.reportStatus;
  if (script.duplicateReports !== undefined) scripted.duplicateReports = script.duplicateReports;
  if (script.outOfOrder !== undefined) scripted.outOfOrder = script.outOfOrder;
  if (script.reportDelayMs !== undefined) scripted.reportDelayMs = script.reportDelayMs;
  if (script.logsLagMs !== undefined) scripted.logsLagMs = script.logsLagMs;
}

function infobipStats(): InfobipSimulatorStats {
  return {
    ...sendStats(),
    acceptedByMessageId: new Map(),
    logQueries: 0,
    reportsDelivered: 0,
    reportRequests: 0,
    reportRequestsAbandoned: 0,
  };
}

function reportItem(message: Taken, status: InfobipStatus, error: InfobipError, doneAtMs: number): InfobipReport {
  return {
    bulkId: message.bulkId,
    messageId: message.messageId,
    to: message.to,
    sender: message.sender,
    sentAt: infobipTime(message.sentAtMs),
    doneAt: infobipTime(doneAtMs),
    messageCount: message.messageCount,
    mccMnc: null,
    price: { pricePerMessage: 0.01, currency: 'EUR' },
    status,
    error,
    platform: { entityId: null, applicationId: null },
    campaignReferenceId: null,
  };
}

/**
 * The message reaches its final status (the script's for its recipient, else delivered); the report items that then
 * go to its notify URL, in order, or none without one.
 */
function finalReports(
  message: Taken,
  scripted: Scripted,
  delivery: DeliveryByDestination | undefined,
): InfobipReport[] {
  const finalName =
    scripted.reportStatus.find((r) => r.recipient.test(message.to))?.status ??
    (deliveryOutcome(delivery, message.to, message.messageId).delivered
      ? 'DELIVERED_TO_HANDSET'
      : 'UNDELIVERABLE_NOT_DELIVERED');
  const status = statusOf(finalName);
  const error = ERRORS[status.groupName] ?? (ERRORS.OK as InfobipError);
  const doneAtMs = Date.now();
  message.status = status;
  message.error = error;
  message.doneAtMs = doneAtMs;
  if (message.notifyUrl === null) return [];
  const final = reportItem(message, status, error, doneAtMs);
  const pending = reportItem(message, statusOf('PENDING_ENROUTE'), ERRORS.OK as InfobipError, doneAtMs);
  const items: InfobipReport[] = [];
  if (message.intermediateReport && !scripted.outOfOrder) items.push(pending);
  items.push(final);
  for (let i = 0; i < scripted.duplicateReports; i++) items.push(final);
  if (scripted.outOfOrder) items.push(pending);
  return items;
}

/** What taking messages reads and changes: the script's refusals, the counts, and the messages kept for the logs. */
interface Book {
  readonly scripted: Scripted;
  readonly stats: InfobipSimulatorStats;
  /** Every destination taken, by message id, for the logs (the latest when an id is taken again). */
  readonly taken: Map<string, Taken>;
  readonly logged: Map<string, Taken[]>;
}

/** Takes (or refuses) every destination of a send request: the answer's entries, and the messages to report on. */
function takeMessages(
  book: Book,
  messages: readonly ParsedMessage[],
): { bulkId: string; answer: unknown[]; toReport: Taken[] } {
  const { scripted, stats, taken, logged } = book;
  const bulkId = randomUUID();
  const answer: unknown[] = [];
  const nowMs = Date.now();
  const toReport: Taken[] = [];
  for (const message of messages) {
    const messageCount = countParts(message.text).parts;
    for (const destination of message.destinations) {
      const messageId = destination.messageId ?? randomUUID();
      const refusedAs = !/^\+?\d{6,20}$/.test(destination.to)
        ? 'REJECTED_DESTINATION'
        : scripted.reject?.recipient.test(destination.to)
          ? scripted.reject.status
          : null;
      if (refusedAs !== null) {
        stats.rejected++;
        answer.push({ messageId, status: statusOf(refusedAs), destination: destination.to, details: { messageCount } });
        continue;
      }
      const entry: Taken = {
        messageId,
        bulkId,
        to: destination.to,
        sender: message.sender,
        text: message.text,
        messageCount,
        sentAtMs: nowMs,
        notifyUrl: message.notifyUrl,
        intermediateReport: message.intermediateReport,
        status: statusOf('PENDING_ACCEPTED'),
        error: ERRORS.OK as InfobipError,
        doneAtMs: null,
      };
      taken.set(messageId, entry);
      // The logs keep every message under an id, as Infobip's do when two clients use the same one.
      logged.set(messageId, [...(logged.get(messageId) ?? []), entry]);
      stats.accepted++;
      countUp(stats.acceptedByMessageId, messageId);
      countUp(stats.acceptedByRecipient, destination.to);
      toReport.push(entry);
      answer.push({
        messageId,
        status: statusOf('PENDING_ACCEPTED'),
        destination: destination.to,
        details: { messageCount },
      });
    }
  }
  return { bulkId, answer, toReport };
}

function logEntry(message: Taken): InfobipLog & Record<string, unknown> {
  return {
    sender: message.sender,
    destination: message.to,
    bulkId: message.bulkId,
    messageId: message.messageId,
    sentAt: infobipTime(message.sentAtMs),
    ...(message.doneAtMs !== null && { doneAt: infobipTime(message.doneAtMs) }),
    messageCount: message.messageCount,
    price: { pricePerMessage: 0.01, currency: 'EUR' },
    status: message.status,
    error: message.error,
    platform: { entityId: null, applicationId: null },
    content: { text: message.text },
  };
}

/** GET /sms/3/logs: the messages asked about (all without `messageId`) that show already, up to `limit`. */
function answerLogs(res: ServerResponse, url: URL, logged: Map<string, Taken[]>, logsLagMs: number): void {
  // Repeated parameters (as the official clients send them) and comma-separated values alike.
  const ids = url.searchParams.getAll('messageId').flatMap((v) => v.split(','));
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, INFOBIP_LOGS_LIMIT_MAX);
  const visibleBeforeMs = Date.now() - logsLagMs;
  const found = (ids.length > 0 ? ids.flatMap((id) => logged.get(id) ?? []) : [...logged.values()].flat()).filter(
    (m) => m.sentAtMs <= visibleBeforeMs,
  );
  send(res, 200, { results: found.slice(0, limit).map(logEntry) });
}

/** Answers a send request with the next scripted failure, else the next throttling; false when neither is due. */
function answeredWithFault(
  res: ServerResponse,
  fail: Countdown<FailRule>,
  throttle: Countdown<ThrottleRule>,
  stats: InfobipSimulatorStats,
): boolean {
  const failing = fail.next();
  if (failing) {
    stats.failed++;
    send(res, failing.status ?? 500, SERVER_ERROR, retryAfterHeader(failing.retryAfterS));
    return true;
  }
  const throttling = throttle.next();
  if (throttling) {
    stats.throttled++;
    send(res, 429, TOO_MANY, retryAfterHeader(throttling.retryAfterS));
    return true;
  }
  return false;
}

function invalidRequest(violations: InfobipApiError['violations']): InfobipApiError {
  return apiError(
    'E400',
    'Request cannot be processed.',
    'Check the syntax, violations and adjust the request.',
    violations,
  );
}

/** Starts a simulated Infobip on loopback. */
export async function startInfobipSimulator(options: InfobipSimulatorOptions = {}): Promise<InfobipSimulator> {
  const apiKey = options.apiKey ?? INFOBIP_SIMULATOR_DEFAULTS.apiKey;
  const retryDelayMs = options.reportRetryDelayMs ?? INFOBIP_SIMULATOR_DEFAULTS.reportRetryDelayMs;
  const attemptsMax = options.reportAttemptsMax ?? INFOBIP_SIMULATOR_DEFAULTS.reportAttemptsMax;
  const record = options.record ?? false;
  const stats = infobipStats();
  const received: InfobipReceived[] = [];
  const scripted: Scripted = {
    reject: null,
    reportStatus: [],
    duplicateReports: 0,
    outOfOrder: false,
    reportDelayMs: options.reportDelayMs === undefined ? 0 : options.reportDelayMs,
    logsLagMs: 0,
  };
  const book: Book = { scripted, stats, taken: new Map(), logged: new Map() };
  /** Report items waiting to go, per notify URL. */
  const outbox = new Map<string, InfobipReport[]>();
  /** Report items handed to `post` and not yet delivered or abandoned. */
  let outstanding = 0;

  const fail = new Countdown<FailRule>();
  const throttle = new Countdown<ThrottleRule>();
  const silence = new Countdown<SilenceRule>();

  async function post(url: string, items: InfobipReport[]): Promise<void> {
    const { delivered, requests } = await deliverReport(
      url,
      {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ results: items }),
      },
      { attemptsMax, retryDelayMs, timeoutMs: 10_000, signal: loop.closing },
    );
    stats.reportRequests += requests;
    if (delivered) stats.reportsDelivered += items.length;
    else stats.reportRequestsAbandoned++;
    outstanding -= items.length;
  }

  function flush(url: string): void {
    const queue = outbox.get(url);
    if (!queue) return;
    outbox.delete(url);
    for (let i = 0; i < queue.length; i += INFOBIP_REPORTS_PER_REQUEST_MAX) {
      loop.track(post(url, queue.slice(i, i + INFOBIP_REPORTS_PER_REQUEST_MAX)));
    }
  }

  function enqueue(url: string, items: InfobipReport[]): void {
    if (items.length === 0) return;
    outstanding += items.length;
    const queue = outbox.get(url);
    if (queue) {
      queue.push(...items);
      return;
    }
    outbox.set(url, [...items]);
    // Reports falling due together travel together, up to the documented hundred per request.
    setImmediate(() => flush(url));
  }

  function finish(message: Taken): void {
    const items = finalReports(message, scripted, options.delivery);
    if (message.notifyUrl !== null) enqueue(message.notifyUrl, items);
  }

  function take(messages: readonly ParsedMessage[]): { bulkId: string; answer: unknown[] } {
    const { bulkId, answer, toReport } = takeMessages(book, messages);
    const { reportDelayMs } = scripted;
    if (reportDelayMs !== null && toReport.length > 0) {
      loop.later(() => {
        for (const entry of toReport) finish(entry);
      }, reportDelayMs);
    }
    return { bulkId, answer };
  }

  function handle(req: IncomingMessage, res: ServerResponse, text: string | null): void {
    const body = text ?? '';
    stats.requests++;
    if (record) received.push(receivedRequest(req, body));
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.headers.authorization !== `App ${apiKey}`) {
      stats.unauthorized++;
      send(res, 401, UNAUTHORIZED);
      return;
    }
    if (req.method === 'POST' && url.pathname === INFOBIP_SEND_PATH) {
      const silenced = silence.next();
      if (silenced) {
        stats.silenced++;
        if (silenced.process ?? true) {
          const parsed = parseSendBody(body);
          if ('messages' in parsed) take(parsed.messages);
        }
        return;
      }
      if (answeredWithFault(res, fail, throttle, stats)) return;
      const parsed = parseSendBody(body);
      if ('violations' in parsed) {
        stats.invalid++;
        send(res, 400, invalidRequest(parsed.violations));
        return;
      }
      const { bulkId, answer } = take(parsed.messages);
      send(res, 200, { bulkId, messages: answer });
      return;
    }
    if (req.method === 'GET' && url.pathname === INFOBIP_LOGS_PATH) {
      stats.logQueries++;
      answerLogs(res, url, book.logged, scripted.logsLagMs);
      return;
    }
    send(res, 404, NOT_FOUND);
  }

  const loop = await startLoopbackServer(handle, {
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.responseDelayMs !== undefined && { responseDelayMs: options.responseDelayMs }),
  });

  return {
    port: loop.port,
    url: loop.url,
    apiKey,
    stats,
    received,
    script(script) {
      fail.set(script.fail);
      throttle.set(script.throttle);
      silence.set(script.silence);
      applyScript(scripted, script);
    },
    duplicates() {
      return [...stats.acceptedByMessageId].filter(([, n]) => n > 1).map(([id]) => id);
    },
    reportsSettled() {
      return loop.settled(() => outstanding > 0 || outbox.size > 0);
    },
    async sendInbound(url, message) {
      const messageId = message.messageId ?? randomUUID();
      const { delivered } = await deliverReport(
        url,
        { headers: { 'content-type': 'application/json' }, body: inboundBody(message, messageId, Date.now()) },
        { attemptsMax, retryDelayMs, timeoutMs: 10_000, signal: loop.closing },
      );
      return { messageId, delivered };
    },
    close: loop.close,
  };
}

async function main(): Promise<InfobipSimulator> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8101' },
      'api-key': { type: 'string', default: INFOBIP_SIMULATOR_DEFAULTS.apiKey },
      'report-delay-ms': { type: 'string', default: '1000' },
      'no-reports': { type: 'boolean', default: false },
    },
  });
  const simulator = await startInfobipSimulator({
    host: values.host,
    port: Number(values.port),
    apiKey: values['api-key'],
    reportDelayMs: values['no-reports'] ? null : Number(values['report-delay-ms']),
  });
  process.stdout.write(`INFOBIP_BASE_URL=${simulator.url} INFOBIP_API_KEY=${simulator.apiKey}\n`);
  return simulator;
}

runAsProgram(import.meta.url, main);
