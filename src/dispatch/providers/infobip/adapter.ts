// The Infobip provider adapter: a batch to one POST /sms/3/messages, an id per destination, recheck through the logs.
import type { ClockUs } from '../../../domain/time.js';
import { US_PER_MS } from '../../../domain/time.js';
import type {
  DeliveryReport,
  OutgoingMessage,
  ProviderAdapter,
  RecheckContext,
  RecheckResult,
  SubmitResult,
  SubmittedMessage,
} from '../../provider.js';
import { remember } from '../http/hand-overs.js';
import { describeFailure, exchange, type Fetch, fetchText, parseJson, retryableFailure } from '../http/transport.js';
import { infobipNotifyUrl } from './webhook.js';
import {
  INFOBIP_LOGS_LIMIT_MAX,
  INFOBIP_LOGS_MESSAGE_IDS_CHARS_MAX,
  INFOBIP_LOGS_PATH,
  INFOBIP_SEND_PATH,
  type InfobipApiError,
  type InfobipLog,
  type InfobipMessage,
  type InfobipSendRequest,
  type InfobipSendResponse,
  type InfobipStatus,
  infobipGroupOf,
  infobipReportStatus,
  infobipTimeUs,
} from './wire.js';

export const INFOBIP_PROVIDER = 'infobip';
/**
 * Messages one request carries. Infobip documents no maximum (UNCONFIRMED); a thousand 160-character texts make a
 * body of about 250 KB, and one lost answer then leaves at most a thousand messages to look up in the logs.
 */
export const INFOBIP_SUBMIT_BATCH_MAX = 1_000;
/** How long one call may take before its outcome is declared unknown (the worker's own deadline may be shorter). */
export const INFOBIP_TIMEOUT_MS = 15_000;
/**
 * How long after a hand-over a message missing from the logs is taken as never received (and sent again).
 *
 * Remaining duplicate risk, on purpose: Infobip's logs are filled asynchronously and it publishes no bound on their
 * lag (infobip.com/docs/api/channels/sms/logs-and-status-reports/get-outbound-sms-message-logs: "logs are available
 * for the last 48 hours"; nothing on how soon). A message that shows up later than this is sent twice. Infobip drops
 * the second copy only when idempotency on `messageId` is enabled for the account (an account setting, not a request
 * field; infobip.com/docs/essentials/api-essentials/idempotency), which we cannot see from here. Raise
 * INFOBIP_ABSENT_TRUSTED_AFTER_MS if the account shows longer lags; a lower value resends sooner and risks more.
 */
export const INFOBIP_ABSENT_TRUSTED_AFTER_MS = 5 * 60 * 1000;
/** Clocks differ: a log's `sentAt` up to this much before the earliest possible hand-over still matches. */
export const INFOBIP_CLOCK_SKEW_MS = 60 * 1000;
/** References first asked about by this process, for a hand-over time the worker does not know (after a crash). */
const FIRST_ASKED_KEPT_MAX = 100_000;

export type { Fetch };

export interface InfobipCredentials {
  /** INFOBIP_BASE_URL: the account's own host (`xxxxx.api.infobip.com`), with or without `https://`. */
  readonly baseUrl: string;
  readonly apiKey: string;
}

export interface InfobipProviderOptions {
  readonly clockUs: ClockUs;
  readonly fetch?: Fetch;
  readonly timeoutMs?: number;
  /** PUBLIC_URL: where Infobip sends reports. Without it no notify URL is given and no report reaches us. */
  readonly publicUrl?: string;
  /** Another name under which to register (tests). */
  readonly name?: string;
  /** INFOBIP_ABSENT_TRUSTED_AFTER_MS: see the constant's note on the duplicate risk. */
  readonly absentTrustedAfterMs?: number;
  /**
   * Ask the logs for final statuses (`poll`) instead of waiting for webhooks: for a PUBLIC_URL Infobip cannot reach.
   * No notify URL is then sent at all.
   */
  readonly pollLogs?: boolean;
}

/**
 * How often a polling Infobip adapter asks the logs about a message. The logs are documented for the last 48 hours
 * and rate-limited (infobip.com/docs/api/channels/sms/logs-and-status-reports/get-outbound-sms-message-logs); the
 * pull-once `GET /sms/3/reports` is not used, because a report it hands out is gone even if we fail to store it.
 */
export const INFOBIP_POLL_INTERVAL_MS = 60_000;

/** Thrown by `submit` when the request may have reached Infobip but its answer is missing or unreadable. */
export class InfobipOutcomeUnknownError extends Error {
  override name = 'InfobipOutcomeUnknownError';
  constructor(
    readonly references: readonly string[],
    detail: string,
  ) {
    super(`infobip: ${references.length} message(s) sent without a usable answer (${detail})`);
  }
}

/** INFOBIP_BASE_URL as an origin (and optional path prefix) without a trailing slash; https when no scheme is given. */
export function infobipBaseUrl(text: string): string {
  const url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

type Group = { readonly message: InfobipMessage; readonly indexes: readonly number[] };

/** Messages with the same sender, text and validity travel as one message object with several destinations. */
function groupBatch(batch: readonly OutgoingMessage[], notifyUrl: string | undefined): Group[] {
  const byKey = new Map<string, { sender: string; text: string; validity: number | undefined; indexes: number[] }>();
  batch.forEach((message, index) => {
    const key = `${message.sender}\u0000${message.text}\u0000${message.validitySeconds ?? ''}`;
    const group = byKey.get(key) ?? {
      sender: message.sender,
      text: message.text,
      validity: message.validitySeconds,
      indexes: [],
    };
    group.indexes.push(index);
    byKey.set(key, group);
  });
  return [...byKey.values()].map(({ sender, text, validity, indexes }) => ({
    indexes,
    message: {
      sender,
      // Our message id as Infobip's: reports then name it, and the logs find it after a lost answer.
      destinations: indexes.map((i) => ({
        to: (batch[i] as OutgoingMessage).recipient,
        messageId: batch[i]?.reference,
      })),
      content: { text },
      ...(validity !== undefined && { options: { validityPeriod: { amount: validity, timeUnit: 'SECONDS' } } }),
      ...(notifyUrl !== undefined && {
        webhooks: { delivery: { url: notifyUrl }, contentType: 'application/json' },
      }),
    },
  }));
}

function statusText(status: InfobipStatus): string {
  return `${status.name} (${status.groupName} ${status.id})${status.description ? `: ${status.description}` : ''}`;
}

/** A destination's status in the send response: accepted unless Infobip already refused it. */
function resultOfStatus(messageId: string, status: InfobipStatus): SubmitResult {
  const group = infobipGroupOf(status);
  if (group === 'REJECTED' || group === 'UNDELIVERABLE' || group === 'EXPIRED') {
    // Out of credit is the account's state, not the message's: later, or another provider, may take it.
    const retryable = status.name === 'REJECTED_NOT_ENOUGH_CREDITS';
    return { failed: true, retryable, error: `infobip: refused, ${statusText(status)}` };
  }
  return { accepted: messageId };
}

interface ErrorBody {
  readonly summary: string;
  /** Property paths with their complaints (v3 `violations`, v2 `validationErrors`). */
  readonly violations: readonly { readonly property: string; readonly violation: string }[];
}

/** Reads an error body in the v3 shape (`errorCode`, `description`, `violations`) or the legacy v2 `requestError`. */
export function infobipErrorBody(text: string): ErrorBody {
  const body = parseJson(text) as Partial<InfobipApiError> & {
    requestError?: {
      serviceException?: { messageId?: string; text?: string; validationErrors?: Record<string, string[]> };
    };
  };
  if (body && typeof body === 'object') {
    if (typeof body.errorCode === 'string' || typeof body.description === 'string') {
      const violations = Array.isArray(body.violations)
        ? body.violations.filter((v) => typeof v?.property === 'string')
        : [];
      return { summary: `${body.errorCode ?? ''} ${body.description ?? ''}`.trim(), violations };
    }
    const service = body.requestError?.serviceException;
    if (service) {
      const violations = Object.entries(service.validationErrors ?? {}).flatMap(([property, list]) =>
        (Array.isArray(list) ? list : [String(list)]).map((violation) => ({ property, violation: String(violation) })),
      );
      return { summary: `${service.messageId ?? ''} ${service.text ?? ''}`.trim(), violations };
    }
  }
  return { summary: text.slice(0, 200).trim(), violations: [] };
}

function describeError(status: number, error: ErrorBody): string {
  const violations = error.violations.map((v) => `${v.property} ${v.violation}`).join('; ');
  return `HTTP ${status}${error.summary ? ` ${error.summary}` : ''}${violations ? ` [${violations}]` : ''}`;
}

/**
 * The batch's messages named by a 400's violations (`messages[1].destinations[0].to`, `messages[1].content.text`):
 * null when none can be placed, so the whole request is at fault.
 */
function blamedIndexes(groups: readonly Group[], error: ErrorBody): Set<number> | null {
  const blamed = new Set<number>();
  for (const { property } of error.violations) {
    const match = /^messages\[(\d+)\](?:\.destinations\[(\d+)\])?/.exec(property);
    const group = match ? groups[Number(match[1])] : undefined;
    if (!match || !group) return null;
    if (match[2] === undefined) {
      for (const index of group.indexes) blamed.add(index);
    } else {
      const index = group.indexes[Number(match[2])];
      if (index === undefined) return null;
      blamed.add(index);
    }
  }
  return blamed.size > 0 ? blamed : null;
}

type Answer = InfobipSendResponse['messages'][number];

function isAnswer(entry: unknown): entry is Answer {
  const e = entry as Partial<Answer> | null;
  return typeof e?.messageId === 'string' && e.messageId !== '' && typeof e.status?.name === 'string';
}

/**
 * Each message's entry of the send answer: the one carrying our reference as its id; failing that (an id Infobip
 * chose itself), the entry at the message's place among the destinations sent, if it names the same number.
 */
function answersOf(
  batch: readonly OutgoingMessage[],
  groups: readonly Group[],
  answers: readonly unknown[],
): (Answer | undefined)[] {
  const byId = new Map<string, Answer>();
  for (const entry of answers) if (isAnswer(entry)) byId.set(entry.messageId, entry);
  const sentOrder = groups.flatMap((g) => g.indexes);
  const placeOf = new Map(sentOrder.map((index, place) => [index, place]));
  const digits = (text: unknown) => (typeof text === 'string' ? text.replace(/^\+/, '') : '');
  return batch.map((message, index) => {
    const own = byId.get(message.reference);
    if (own) return own;
    const atPlace = answers[placeOf.get(index) ?? -1];
    return isAnswer(atPlace) && digits(atPlace.destination) === message.recipient ? atPlace : undefined;
  });
}

export interface InfobipProvider extends ProviderAdapter {
  recheck(
    references: readonly string[],
    signal: AbortSignal,
    context?: readonly RecheckContext[],
  ): Promise<readonly RecheckResult[]>;
}

/** How the adapter reaches Infobip: the base URL, the fetch, the per-call timeout and the API key's header. */
interface Endpoint {
  readonly base: string;
  readonly fetchImpl: Fetch;
  readonly timeoutMs: number;
  readonly authorization: string;
}

/** The results of a 2xx answer; throws when it cannot say what became of every message. */
function acceptedResults(
  batch: readonly OutgoingMessage[],
  groups: readonly Group[],
  status: number,
  text: string,
): SubmitResult[] {
  const body = parseJson(text) as Partial<InfobipSendResponse> | undefined;
  if (!body || !Array.isArray(body.messages)) {
    throw new InfobipOutcomeUnknownError(
      batch.map((m) => m.reference),
      `HTTP ${status} without a messages list`,
    );
  }
  const entries = answersOf(batch, groups, body.messages);
  const missing = batch.filter((_, i) => !entries[i]);
  if (missing.length > 0) {
    throw new InfobipOutcomeUnknownError(
      missing.map((m) => m.reference),
      `HTTP ${status} answered ${batch.length - missing.length} of ${batch.length} messages`,
    );
  }
  return entries.map((entry) => {
    const answered = entry as InfobipSendResponse['messages'][number];
    return resultOfStatus(answered.messageId, answered.status);
  });
}

/** The results of an error answer; throws when it says nothing of whether Infobip took the request. */
function refusedResults(
  batch: readonly OutgoingMessage[],
  groups: readonly Group[],
  response: Response,
  text: string,
  nowMs: () => number,
): SubmitResult[] {
  const { status } = response;
  const all = (result: SubmitResult) => batch.map(() => result);
  const error = infobipErrorBody(text);
  const described = describeError(status, error);
  if (status === 401 || status === 403) {
    // Refused before anything was read (infobip.com/docs/essentials/api-essentials/api-authentication): nothing
    // was sent, so another provider may take the messages while this one is marked down.
    return all({
      failed: true,
      retryable: true,
      accountRefused: true,
      error: `infobip: the API key was refused (${described}); check INFOBIP_API_KEY`,
    });
  }
  if (status === 429 || status === 500 || status === 503) {
    // Refused before processing (throttled, failing, down): sending again later is safe and may work.
    return all(retryableFailure(`infobip: ${described}`, response.headers, nowMs()));
  }
  if (status >= 500) {
    // A gateway's 502/504 says nothing of whether Infobip behind it took the request.
    throw new InfobipOutcomeUnknownError(
      batch.map((m) => m.reference),
      described,
    );
  }
  if (status === 404) {
    return all({ failed: true, retryable: false, error: `infobip: ${described}; check INFOBIP_BASE_URL` });
  }
  if (status === 400) {
    const blamed = blamedIndexes(groups, error);
    if (blamed !== null) {
      // Only some messages are at fault: the others were not sent and can go again without them.
      return batch.map((_, i) =>
        blamed.has(i)
          ? { failed: true, retryable: false, error: `infobip: refused, ${described}` }
          : { failed: true, retryable: true, error: 'infobip: not sent, another message of the request was refused' },
      );
    }
  }
  return all({ failed: true, retryable: false, error: `infobip: refused, ${described}` });
}

/** The results of an answered request; throws when the answer cannot say what became of every message. */
function resultsOf(
  batch: readonly OutgoingMessage[],
  groups: readonly Group[],
  response: Response,
  text: string,
  nowMs: () => number,
): SubmitResult[] {
  const { status } = response;
  if (status >= 200 && status < 300) return acceptedResults(batch, groups, status, text);
  return refusedResults(batch, groups, response, text, nowMs);
}

/** One send request for the batch: its results, or a throw when its outcome is unknown. */
async function sendBatch(
  endpoint: Endpoint,
  batch: readonly OutgoingMessage[],
  signal: AbortSignal,
  notifyUrl: string | undefined,
  nowMs: () => number,
): Promise<readonly SubmitResult[]> {
  if (batch.length === 0) return [];
  if (batch.length > INFOBIP_SUBMIT_BATCH_MAX) {
    throw new RangeError(`infobip takes at most ${INFOBIP_SUBMIT_BATCH_MAX} messages per submit`);
  }
  if (new Set(batch.map((m) => m.reference)).size !== batch.length) {
    throw new Error('infobip: a batch names a reference twice');
  }
  if (signal.aborted) {
    return batch.map(() => ({ failed: true, retryable: true, error: 'infobip: not sent, no time left' }));
  }
  const groups = groupBatch(batch, notifyUrl);
  const request: InfobipSendRequest = { messages: groups.map((g) => g.message) };
  const headers = {
    authorization: endpoint.authorization,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const call = await exchange(
    endpoint.fetchImpl,
    `${endpoint.base}${INFOBIP_SEND_PATH}`,
    { method: 'POST', headers, body: JSON.stringify(request) },
    signal,
    endpoint.timeoutMs,
  );
  if ('notSent' in call) {
    const error = `infobip: not sent, ${describeFailure(call.notSent)}`;
    return batch.map(() => ({ failed: true, retryable: true, error }));
  }
  if (!('answered' in call)) {
    throw new InfobipOutcomeUnknownError(
      batch.map((m) => m.reference),
      'cut' in call
        ? `HTTP ${call.cut.status}, answer cut short: ${describeFailure(call.error)}`
        : describeFailure(call.lost),
    );
  }
  return resultsOf(batch, groups, call.answered, call.text, nowMs);
}

/** The log entries of these references (one request: within the limits of count and characters). */
async function lookUp(endpoint: Endpoint, references: readonly string[], signal: AbortSignal): Promise<InfobipLog[]> {
  const url = new URL(`${endpoint.base}${INFOBIP_LOGS_PATH}`);
  for (const reference of references) url.searchParams.append('messageId', reference);
  url.searchParams.set('limit', String(INFOBIP_LOGS_LIMIT_MAX));
  const { response, text } = await fetchText(
    endpoint.fetchImpl,
    url,
    { method: 'GET', headers: { authorization: endpoint.authorization, accept: 'application/json' } },
    signal,
    endpoint.timeoutMs,
  );
  if (response.status !== 200) {
    throw new Error(`infobip: logs answered ${describeError(response.status, infobipErrorBody(text))}`);
  }
  const body = parseJson(text) as { results?: InfobipLog[] } | undefined;
  if (!body || !Array.isArray(body.results)) throw new Error('infobip: logs answered without a results list');
  return body.results.filter((log): log is InfobipLog => typeof log?.messageId === 'string');
}

/**
 * Whether a log entry is this message: the same id, and where the worker says, the same destination, sent no
 * earlier than the message's sending was stored. An id alone could be another installation's, or a row id a restored
 * database hands out again.
 */
function isThisMessage(log: InfobipLog, context: RecheckContext | undefined): boolean {
  if (!context) return true;
  if (String(log.destination ?? '').replace(/^\+/, '') !== context.recipient) return false;
  const sentAtUs = infobipTimeUs(log.sentAt);
  return sentAtUs === null || sentAtUs >= context.notBeforeUs - INFOBIP_CLOCK_SKEW_MS * US_PER_MS;
}

/** Final statuses in the logs of the messages asked about, as reports; pending ones report nothing yet. */
async function pollLogs(
  endpoint: Endpoint,
  submitted: readonly SubmittedMessage[],
  signal: AbortSignal,
): Promise<DeliveryReport[]> {
  const wanted = new Map(submitted.map((m) => [m.providerMessageId, m]));
  const reports: DeliveryReport[] = [];
  const ids = [...wanted.keys()];
  for (let start = 0; start < ids.length; ) {
    const chunk: string[] = [];
    let chars = 0;
    while (start < ids.length && chunk.length < INFOBIP_LOGS_LIMIT_MAX) {
      const id = ids[start] as string;
      if (chunk.length > 0 && chars + id.length + 1 > INFOBIP_LOGS_MESSAGE_IDS_CHARS_MAX) break;
      chars += id.length + (chunk.length > 0 ? 1 : 0);
      chunk.push(id);
      start++;
    }
    for (const log of await lookUp(endpoint, chunk, signal)) {
      const message = wanted.get(log.messageId);
      if (!message || String(log.destination ?? '').replace(/^\+/, '') !== message.recipient) continue;
      const status = log.status ? infobipReportStatus(log.status) : null;
      if (status === null) continue;
      const failed = status !== 'delivered';
      reports.push({
        providerMessageId: log.messageId,
        status,
        error: failed ? `infobip: ${statusText(log.status)}` : null,
        reportedAtUs: infobipTimeUs(log.doneAt),
      });
    }
  }
  return reports;
}

/** The log entries of every reference, by id, looked up in as few requests as the limits allow. */
async function logsOf(
  endpoint: Endpoint,
  references: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, InfobipLog[]>> {
  const found = new Map<string, InfobipLog[]>();
  let chunk: string[] = [];
  let chars = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    for (const log of await lookUp(endpoint, chunk, signal))
      found.set(log.messageId, [...(found.get(log.messageId) ?? []), log]);
    chunk = [];
    chars = 0;
  };
  for (const reference of references) {
    const extra = reference.length + (chunk.length > 0 ? 1 : 0);
    if (chars + extra > INFOBIP_LOGS_MESSAGE_IDS_CHARS_MAX || chunk.length >= INFOBIP_LOGS_LIMIT_MAX) await flush();
    chunk.push(reference);
    chars += reference.length + (chunk.length > 1 ? 1 : 0);
  }
  await flush();
  return found;
}

/**
 * When a reference missing from the logs is trusted to be absent: INFOBIP_ABSENT_TRUSTED_AFTER_MS after its hand-over,
 * or after this process first asked about it when the worker does not know the hand-over's time (after a crash).
 */
class AbsenceClock {
  readonly #firstAskedUs = new Map<string, number>();

  constructor(
    private readonly clockUs: ClockUs,
    private readonly trustedAfterUs: number,
  ) {}

  /** Absent, or not yet trusted to be: the hand-over (or this process's first question) is too recent. */
  absentOrNotYet(reference: string, context: RecheckContext | undefined): RecheckResult {
    const nowUs = this.clockUs();
    let sinceUs = context?.handedOverAtUs;
    if (sinceUs === undefined) {
      sinceUs = this.#firstAskedUs.get(reference) ?? nowUs;
      if (!this.#firstAskedUs.has(reference)) remember(this.#firstAskedUs, reference, sinceUs, FIRST_ASKED_KEPT_MAX);
    }
    if (nowUs - sinceUs < this.trustedAfterUs) return { notYet: true };
    this.#firstAskedUs.delete(reference);
    return { absent: true };
  }

  /** Found: its first question is forgotten. */
  found(reference: string): void {
    this.#firstAskedUs.delete(reference);
  }
}

export function createInfobipProvider(
  credentials: InfobipCredentials,
  options: InfobipProviderOptions,
): InfobipProvider {
  const endpoint: Endpoint = {
    base: infobipBaseUrl(credentials.baseUrl),
    fetchImpl: options.fetch ?? fetch,
    timeoutMs: options.timeoutMs ?? INFOBIP_TIMEOUT_MS,
    authorization: `App ${credentials.apiKey}`,
  };
  const notifyUrl =
    options.publicUrl && !options.pollLogs ? infobipNotifyUrl(options.publicUrl, credentials.apiKey) : undefined;
  const nowMs = () => options.clockUs() / US_PER_MS;
  const absence = new AbsenceClock(
    options.clockUs,
    (options.absentTrustedAfterMs ?? INFOBIP_ABSENT_TRUSTED_AFTER_MS) * US_PER_MS,
  );

  return {
    name: options.name ?? INFOBIP_PROVIDER,
    submitBatchMax: INFOBIP_SUBMIT_BATCH_MAX,
    ...(options.pollLogs && {
      pollIntervalMs: INFOBIP_POLL_INTERVAL_MS,
      poll: (submitted: readonly SubmittedMessage[], signal: AbortSignal) => pollLogs(endpoint, submitted, signal),
    }),

    submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]> {
      return sendBatch(endpoint, batch, signal, notifyUrl, nowMs);
    },

    /**
     * Looks our references up in Infobip's logs (our reference is the message id Infobip keeps): found or absent.
     * Logs cover 48 hours, far longer than a lease, and a failed look-up throws, which the worker reads as "cannot tell".
     * A log counts only for the same destination, sent after the message's sending was stored (`isThisMessage`).
     * Missing from the logs is trusted only INFOBIP_ABSENT_TRUSTED_AFTER_MS after the hand-over (`notYet` before,
     * which the worker asks again later); the worker then sends it again under the same message id.
     */
    async recheck(
      references: readonly string[],
      signal: AbortSignal,
      context?: readonly RecheckContext[],
    ): Promise<readonly RecheckResult[]> {
      const found = await logsOf(endpoint, references, signal);
      return references.map((reference, i): RecheckResult => {
        const own = context?.[i]?.reference === reference ? context[i] : undefined;
        if ((found.get(reference) ?? []).some((log) => isThisMessage(log, own))) {
          absence.found(reference);
          return { found: reference };
        }
        return absence.absentOrNotYet(reference, own);
      });
    },
  };
}
