// The Trumpia provider adapter: one REST direct-SMS PUT per recipient; outcomes found by polling the request's report.
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
import {
  type Attempt,
  attemptOf,
  HandOverMemory,
  OutcomeUnknownError,
  pollEach,
  submitEach,
} from '../http/hand-overs.js';
import { exchange, fetchText, retryableFailure } from '../http/transport.js';
import {
  TRUMPIA_MESSAGE_CODES,
  TRUMPIA_SEND_CODES,
  TRUMPIA_US_CA_BYTES_MAX,
  trumpiaBlockedRefusal,
  trumpiaReportOutcome,
  trumpiaTextBytes,
} from './status.js';

export const TRUMPIA_PROVIDER = 'trumpia';
/** Messages one `submit` takes: each is its own HTTP request, so a batch is sized to finish well inside a lease. */
export const TRUMPIA_SUBMIT_BATCH_MAX = 200;
/** Requests in flight at once per submit (and per poll): Trumpia's rate limits are not documented, so few. */
export const TRUMPIA_CONCURRENCY_DEFAULT = 16;
export const TRUMPIA_TIMEOUT_MS = 10_000;
/** Trumpia only reports when asked; its own sample asks again every second while a request is in progress. */
export const TRUMPIA_POLL_INTERVAL_MS = 10_000;
/** Submit outcomes kept for `recheck`; the oldest are forgotten beyond this. */
export const TRUMPIA_KEPT_MAX = 100_000;

/** TRUMPIA_BASE_URL, TRUMPIA_USERNAME and TRUMPIA_API_KEY. */
export interface TrumpiaConfig {
  readonly baseUrl: string;
  readonly username: string;
  readonly apiKey: string;
}

export interface TrumpiaProviderOptions {
  readonly clockUs: ClockUs;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Per request, from sending it to reading the whole answer. */
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  readonly submitBatchMax?: number;
  readonly pollIntervalMs?: number;
  readonly name?: string;
}

/** Thrown by `submit` when some message left without a usable answer; `results` has null for those. */
export class TrumpiaOutcomeUnknownError extends OutcomeUnknownError {
  override name = 'TrumpiaOutcomeUnknownError';
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Trumpia's number fields for our international digits: a North American number (country code 1, then 10 digits) as
 * its 10 digits with `country_code: 1`; any other as E.164 with "+" and `country_code: 0`, which tells Trumpia to read
 * the country from the number (direct-sms.php).
 */
export function trumpiaNumber(recipient: string): { mobile_number: string; country_code: 0 | 1 } {
  if (/^1\d{10}$/.test(recipient)) return { mobile_number: recipient.slice(1), country_code: 1 };
  return { mobile_number: `+${recipient}`, country_code: 0 };
}

/**
 * Trumpia's `sender` is a short code or a landline number of the account (direct-sms.php `sender`; an alphanumeric one
 * is refused with MRME2552): the digits of a numeric sender, undefined for any other, which is then not sent at all.
 */
export function trumpiaSender(sender: string): string | undefined {
  const digits = sender.replace(/^\+/, '');
  return /^\d{3,15}$/.test(digits) ? digits : undefined;
}

/** Why Trumpia cannot take a message as it is, before anything is sent; null when it can. */
export function trumpiaRefusal(message: OutgoingMessage): string | null {
  if (trumpiaSender(message.sender) === undefined) {
    // Sending without it would go out from the account's default number: another sender than the customer chose.
    return `trumpia: not sent, the sender "${message.sender}" is no short code or landline number Trumpia can send from`;
  }
  if (trumpiaNumber(message.recipient).country_code === 1) {
    const bytes = trumpiaTextBytes(message.text);
    if (bytes > TRUMPIA_US_CA_BYTES_MAX) {
      // Not split into several requests: each would be its own request_id, report and charge on Trumpia's side.
      return `trumpia: not sent, the text takes ${bytes} bytes and Trumpia takes at most ${TRUMPIA_US_CA_BYTES_MAX} to the US and Canada`;
    }
  }
  return null;
}

/** Builds the adapter. */
export function createTrumpiaProvider(config: TrumpiaConfig, options: TrumpiaProviderOptions): ProviderAdapter {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? TRUMPIA_TIMEOUT_MS;
  const concurrency = options.concurrency ?? TRUMPIA_CONCURRENCY_DEFAULT;
  const root = `${config.baseUrl.replace(/\/+$/, '')}/rest/v1/${encodeURIComponent(config.username)}`;
  const nowMs = () => options.clockUs() / US_PER_MS;
  const known = new HandOverMemory(TRUMPIA_KEPT_MAX);

  function answerOutcome(status: number, headers: Headers, text: string): Attempt {
    const body = parsed(text);
    const requestId = body?.request_id;
    if (typeof requestId === 'string' && requestId !== '') return { accepted: requestId };
    if (typeof requestId === 'number') return { accepted: String(requestId) };
    const blocked = body ? trumpiaBlockedRefusal(body) : null;
    if (blocked !== null) return { failed: true, retryable: false, error: blocked };
    const code = typeof body?.status_code === 'string' ? body.status_code : null;
    if (code !== null) {
      const account = TRUMPIA_SEND_CODES[code];
      if (account?.verdict === 'config') {
        const hint = code.endsWith('0101') || code === 'MRCE0401' ? ': check TRUMPIA_USERNAME and TRUMPIA_API_KEY' : '';
        // The account, not the message (TrumpiaLibrary.php): nothing was sent; marked down until an operator acts.
        return {
          failed: true,
          retryable: true,
          accountRefused: true,
          error: `trumpia: ${code} ${account.text}${hint}`,
        };
      }
      if (account?.verdict === 'retry') return retryableFailure(`trumpia: ${code} ${account.text}`, headers, nowMs());
      if (account) return { failed: true, retryable: false, error: `trumpia: ${code} ${account.text}` };
      const message = TRUMPIA_MESSAGE_CODES[code];
      if (message) return { failed: true, retryable: false, error: `trumpia: ${code} ${message}` };
    }
    const detail = code ?? (text.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no body');
    if (status === 429) return retryableFailure(`trumpia: too many requests (429): ${detail}`, headers, nowMs());
    if (status >= 500 || status === 408) {
      return retryableFailure(`trumpia: server error (${status}): ${detail}`, headers, nowMs());
    }
    if (status === 401 || status === 403) {
      return {
        failed: true,
        retryable: true,
        accountRefused: true,
        error: `trumpia: authentication refused (${status}): check TRUMPIA_USERNAME and TRUMPIA_API_KEY (${detail})`,
      };
    }
    if (status >= 200 && status < 300) {
      // A success without a request_id: taken, perhaps, but with nothing to ask the report about.
      return { unknown: `trumpia: answered ${status} without a request_id: ${detail}` };
    }
    return { failed: true, retryable: false, error: `trumpia: refused (${status}): ${detail}` };
  }

  async function send(message: OutgoingMessage, signal: AbortSignal): Promise<Attempt> {
    if (signal.aborted) {
      return { failed: true, retryable: true, error: 'trumpia: not sent, the time for this batch ran out' };
    }
    const refusal = trumpiaRefusal(message);
    if (refusal !== null) return { failed: true, retryable: false, error: refusal };
    const sender = trumpiaSender(message.sender);
    // Trumpia's direct SMS documents no validity field (trumpia.com/api/docs/rest/functions/direct-sms.php): a
    // message's `validitySeconds` is not passed, and Trumpia delivers it under its own rules once handed over.
    const body = JSON.stringify({
      ...trumpiaNumber(message.recipient),
      message: message.text,
      ...(sender !== undefined && { sender }),
    });
    const call = await exchange(
      fetchFn,
      `${root}/sms`,
      {
        method: 'PUT',
        headers: { 'x-apikey': config.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body,
      },
      signal,
      timeoutMs,
    );
    return attemptOf(TRUMPIA_PROVIDER, call, answerOutcome);
  }

  /** One report: a delivery report, null while in progress; throws when the answer is about the account. */
  async function reportOf(message: SubmittedMessage, signal: AbortSignal): Promise<DeliveryReport | null> {
    const { response, text } = await fetchText(
      fetchFn,
      `${root}/report/${encodeURIComponent(message.providerMessageId)}`,
      {
        method: 'GET',
        headers: { 'x-apikey': config.apiKey, accept: 'application/json' },
      },
      signal,
      timeoutMs,
    );
    const body = parsed(text);
    if (body === null) throw new Error(`trumpia: report answered ${response.status}: ${text.slice(0, 200)}`);
    const outcome = trumpiaReportOutcome(body);
    if ('trouble' in outcome) throw new Error(`${outcome.trouble} (HTTP ${response.status})`);
    if ('pending' in outcome) return null;
    // Trumpia's report carries no time of its own: the store takes the time it learns of it.
    return { providerMessageId: message.providerMessageId, status: outcome.status, error: outcome.error };
  }

  return {
    name: options.name ?? TRUMPIA_PROVIDER,
    submitBatchMax: options.submitBatchMax ?? TRUMPIA_SUBMIT_BATCH_MAX,
    pollIntervalMs: options.pollIntervalMs ?? TRUMPIA_POLL_INTERVAL_MS,

    async submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]> {
      return submitEach(
        batch,
        concurrency,
        (message) => send(message, signal),
        known,
        (results, references, detail) => new TrumpiaOutcomeUnknownError(TRUMPIA_PROVIDER, results, references, detail),
      );
    },

    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      // Trumpia has no lookup by our reference: only what this process saw counts.
      return known.recheck(references);
    },

    async poll(submitted: readonly SubmittedMessage[], signal: AbortSignal): Promise<readonly DeliveryReport[]> {
      return pollEach(
        submitted,
        concurrency,
        signal,
        async (message) => {
          const report = await reportOf(message, signal);
          return report ? [report] : [];
        },
        (count, first) => `trumpia: ${count} report queries failed (${first})`,
      );
    },
  };
}
