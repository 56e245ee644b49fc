// The Messente provider adapter: one Omnichannel SMS omnimessage per recipient, DLRs by webhook, polling as a fallback.
import type { ProviderConfig } from '../../../config.js';
import type { ClockUs } from '../../../domain/time.js';
import { US_PER_MS } from '../../../domain/time.js';
import type {
  DeliveryReport,
  OutgoingMessage,
  ProviderAdapter,
  RecheckResult,
  SubmitResult,
  SubmittedMessage,
} from '../../provider.js';
import { messenteResultOf } from './status.js';

export const MESSENTE_PROVIDER = 'messente';
/** Where Messente is told to POST delivery reports, under PUBLIC_URL. */
export const MESSENTE_WEBHOOK_PATH = '/webhooks/messente';
/** Messages one `submit` takes: each is its own HTTP request, so a batch is sized to finish well inside a lease. */
export const MESSENTE_SUBMIT_BATCH_MAX = 200;
/** Requests in flight at once per submit (and per poll): Messente's rate limits are not documented, so few. */
export const MESSENTE_CONCURRENCY_DEFAULT = 16;
export const MESSENTE_TIMEOUT_MS = 10_000;
/**
 * Reports come by webhook; polling the status endpoint only catches those that never arrived (PUBLIC_URL unreachable,
 * as in development), so it is rare. It needs the omnimessage id, which only the process that sent the message knows.
 */
export const MESSENTE_POLL_INTERVAL_MS = 5 * 60 * 1000;
/** Submit outcomes (for `recheck`) and omnimessage ids (for `poll`) kept; the oldest are forgotten beyond this. */
export const MESSENTE_KEPT_MAX = 100_000;

export type MessenteConfig = NonNullable<ProviderConfig['messente']>;

export interface MessenteProviderOptions {
  readonly clockUs: ClockUs;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Per request, from sending it to reading the whole answer. */
  readonly timeoutMs?: number;
  /** PUBLIC_URL: DLRs are requested at `${publicUrl}/webhooks/messente`; without it, the account's default DLR URL. */
  readonly publicUrl?: string;
  readonly concurrency?: number;
  readonly submitBatchMax?: number;
  readonly pollIntervalMs?: number;
  readonly name?: string;
}

/** Thrown by `submit` when some message left without a readable answer; `results` has null for those. */
export class MessenteOutcomeUnknownError extends Error {
  override name = 'MessenteOutcomeUnknownError';
  constructor(
    readonly results: readonly (SubmitResult | null)[],
    readonly unknownReferences: readonly string[],
    firstError: string,
  ) {
    super(`messente: ${unknownReferences.length} message(s) sent without a readable answer (${firstError})`);
  }
}

/** One request's outcome: a submit result, or not knowing whether Messente took the message. */
type Attempt = SubmitResult | { readonly unknown: string };

/** Connection errors raised before a byte of the request can have reached Messente: sending again is safe. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) codes.push(...errors.flatMap(errorCodes));
    current = cause;
  }
  return codes;
}

function errorText(error: unknown): string {
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${message} (${codes[0]})` : message;
}

/** Whether a failed fetch certainly never reached the server (no connection was ever made). */
function neverSent(error: unknown): boolean {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code));
}

/** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMsOf(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  return Number.isFinite(atMs) ? Math.max(0, atMs - nowMs) : undefined;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}

/** What a later recheck says of a message after this attempt: a refusal means Messente does not hold it. */
function knownAfter(attempt: Attempt): RecheckResult {
  if ('accepted' in attempt) return { found: attempt.accepted };
  return 'unknown' in attempt ? { unknown: true } : { absent: true };
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/** `errors[]` of Messente's error body as one line: "105 Invalid data at payload[to]: …". */
function errorsText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors
        .map((item: { code?: unknown; title?: unknown; source?: unknown; detail?: unknown }) => {
          const head = [item.code, item.title].filter((v) => typeof v === 'string' && v !== '').join(' ');
          const at = typeof item.source === 'string' && item.source !== '' ? ` at ${item.source}` : '';
          const detail = typeof item.detail === 'string' && item.detail !== '' ? `: ${item.detail}` : '';
          return `${head}${at}${detail}`;
        })
        .join('; ');
    }
  } catch {
    // Not JSON (a proxy's page): its first characters say enough.
  }
  return body.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no body';
}

/** Base URL without trailing slashes and without the SDKs' `/v1`, so either spelling of MESSENTE_BASE_URL works. */
function apiRoot(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1`;
}

/** Builds the adapter. Each message is one omnimessage with one SMS: Omnichannel takes a single `to` per request. */
export function createMessenteProvider(config: MessenteConfig, options: MessenteProviderOptions): ProviderAdapter {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? MESSENTE_TIMEOUT_MS;
  const concurrency = options.concurrency ?? MESSENTE_CONCURRENCY_DEFAULT;
  const root = apiRoot(config.baseUrl);
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`, 'utf8').toString('base64')}`;
  const dlrUrl = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, '')}${MESSENTE_WEBHOOK_PATH}` : undefined;
  const nowMs = () => options.clockUs() / US_PER_MS;
  /** What this process knows of each reference it handed over. */
  const known = new Map<string, RecheckResult>();
  /** Omnimessage id by SMS message id: what the status endpoint is asked with. */
  const omnimessageOf = new Map<string, string>();

  function answerOutcome(status: number, headers: Headers, body: string): Attempt {
    if (status >= 200 && status < 300) {
      try {
        const parsed = JSON.parse(body) as { messages?: unknown; omnimessage_id?: unknown };
        const sms = Array.isArray(parsed.messages)
          ? parsed.messages.find((m: { channel?: unknown }) => m?.channel === 'sms')
          : undefined;
        if (sms && typeof sms.message_id === 'string' && sms.message_id !== '') {
          if (typeof parsed.omnimessage_id === 'string') {
            remember(omnimessageOf, sms.message_id, parsed.omnimessage_id, MESSENTE_KEPT_MAX);
          }
          return { accepted: sms.message_id };
        }
      } catch {
        // Falls through: taken (2xx), but without an id we can match reports to.
      }
      return { unknown: `messente: answered ${status} without an SMS message_id` };
    }
    const detail = errorsText(body);
    if (status === 429) {
      const retryAfterMs = retryAfterMsOf(headers.get('retry-after'), nowMs());
      return {
        failed: true,
        retryable: true,
        error: `messente: too many requests (429): ${detail}`,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    if (status >= 500 || status === 408) {
      const retryAfterMs = retryAfterMsOf(headers.get('retry-after'), nowMs());
      return {
        failed: true,
        retryable: true,
        error: `messente: server error (${status}): ${detail}`,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    if (status === 401) {
      return {
        failed: true,
        retryable: false,
        error: `messente: authentication refused (401): check MESSENTE_USERNAME and MESSENTE_PASSWORD (${detail})`,
      };
    }
    if (status === 403) {
      return {
        failed: true,
        retryable: false,
        error: `messente: forbidden (403): the API user may not send from here (IP whitelist?) (${detail})`,
      };
    }
    // 400 with codes 105 (invalid data) and 106 (missing data): the message itself is refused, as it would be again.
    return { failed: true, retryable: false, error: `messente: refused (${status}): ${detail}` };
  }

  async function send(message: OutgoingMessage, signal: AbortSignal): Promise<Attempt> {
    if (signal.aborted) {
      return { failed: true, retryable: true, error: 'messente: not sent, the time for this batch ran out' };
    }
    const body = JSON.stringify({
      to: `+${message.recipient}`,
      messages: [{ channel: 'sms', sender: message.sender, text: message.text }],
      ...(dlrUrl && { dlr_url: dlrUrl }),
    });
    let response: Response;
    try {
      response = await fetchFn(`${root}/omnimessage`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (error) {
      if (neverSent(error)) {
        return { failed: true, retryable: true, error: `messente: unreachable: ${errorText(error)}` };
      }
      return { unknown: `messente: no answer: ${errorText(error)}` };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The status line arrived: a refusal is still a refusal; a success without its body has no id to keep.
      if (response.ok) return { unknown: `messente: answer cut short: ${errorText(error)}` };
      text = '';
    }
    return answerOutcome(response.status, response.headers, text);
  }

  async function statusOf(messageId: string, omnimessageId: string, signal: AbortSignal): Promise<DeliveryReport[]> {
    const response = await fetchFn(`${root}/omnimessage/${encodeURIComponent(omnimessageId)}/status`, {
      method: 'GET',
      headers: { authorization, accept: 'application/json' },
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const text = await response.text();
    if (response.status === 404) {
      omnimessageOf.delete(messageId);
      return [];
    }
    if (!response.ok) throw new Error(`messente: status query answered ${response.status}: ${errorsText(text)}`);
    const parsed = JSON.parse(text) as { statuses?: unknown };
    if (!Array.isArray(parsed.statuses)) throw new Error('messente: status answer without statuses');
    const reports: DeliveryReport[] = [];
    for (const item of parsed.statuses) {
      const result = messenteResultOf(item);
      if ('report' in result && result.report.providerMessageId === messageId) reports.push(result.report);
    }
    return reports;
  }

  return {
    name: options.name ?? MESSENTE_PROVIDER,
    submitBatchMax: options.submitBatchMax ?? MESSENTE_SUBMIT_BATCH_MAX,
    pollIntervalMs: options.pollIntervalMs ?? MESSENTE_POLL_INTERVAL_MS,

    async submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]> {
      const attempts = new Array<Attempt>(batch.length);
      await eachLimited(batch, concurrency, async (message, i) => {
        const attempt = await send(message, signal);
        attempts[i] = attempt;
        remember(known, message.reference, knownAfter(attempt), MESSENTE_KEPT_MAX);
      });
      const unknown: string[] = [];
      let firstError = '';
      const results = attempts.map((attempt, i) => {
        if (!('unknown' in attempt)) return attempt;
        unknown.push((batch[i] as OutgoingMessage).reference);
        firstError ||= attempt.unknown;
        return null;
      });
      if (unknown.length > 0) throw new MessenteOutcomeUnknownError(results, unknown, firstError);
      return results as SubmitResult[];
    },

    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      // Omnichannel has no lookup by our reference: only what this process saw counts.
      return references.map((reference) => known.get(reference) ?? { unknown: true });
    },

    async poll(submitted: readonly SubmittedMessage[], signal: AbortSignal): Promise<readonly DeliveryReport[]> {
      const asked = submitted.filter((m) => omnimessageOf.has(m.providerMessageId));
      const reports: DeliveryReport[] = [];
      const failures: string[] = [];
      await eachLimited(asked, concurrency, async (message) => {
        const omnimessageId = omnimessageOf.get(message.providerMessageId);
        if (omnimessageId === undefined || signal.aborted) return;
        try {
          const found = await statusOf(message.providerMessageId, omnimessageId, signal);
          reports.push(...found);
          if (found.some((r) => r.status !== 'submitted')) omnimessageOf.delete(message.providerMessageId);
        } catch (error) {
          failures.push(errorText(error));
        }
      });
      // Some answers are worth keeping even when others failed; only a poll that learnt nothing is an error.
      if (reports.length === 0 && failures.length > 0) {
        throw new Error(`messente: ${failures.length} status queries failed (${failures[0]})`);
      }
      return reports;
    },
  };
}

/**
 * For the registry: the adapter configured by MESSENTE_BASE_URL, MESSENTE_USERNAME and MESSENTE_PASSWORD, with DLRs
 * requested at PUBLIC_URL when given (else at the account's default DLR URL, polling catching what never comes).
 */
export function messenteProviderFromConfig(
  config: ProviderConfig,
  clockUs: ClockUs,
  publicUrl?: string,
): ProviderAdapter {
  if (!config.messente)
    throw new Error('messente is not configured (MESSENTE_BASE_URL, MESSENTE_USERNAME, MESSENTE_PASSWORD)');
  return createMessenteProvider(config.messente, { clockUs, ...(publicUrl && { publicUrl }) });
}
