// The Messente provider adapter: one Omnichannel SMS omnimessage per recipient, DLRs by webhook, polling as a fallback.
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
  remember,
  submitEach,
} from '../http/hand-overs.js';
import { exchange, fetchText, retryableFailure } from '../http/transport.js';
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
/** How often the status endpoint is asked when no DLR can reach us (a loopback PUBLIC_URL): the only way reports come. */
export const MESSENTE_LOOPBACK_POLL_INTERVAL_MS = 60_000;
/** Submit outcomes (for `recheck`) and omnimessage ids (for `poll`) kept; the oldest are forgotten beyond this. */
export const MESSENTE_KEPT_MAX = 100_000;

/** MESSENTE_BASE_URL (the adapter adds /v1), MESSENTE_USERNAME and MESSENTE_PASSWORD (the API password). */
export interface MessenteConfig {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
}

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

/** Thrown by `submit` when some message left without a usable answer; `results` has null for those. */
export class MessenteOutcomeUnknownError extends OutcomeUnknownError {
  override name = 'MessenteOutcomeUnknownError';
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
  const known = new HandOverMemory(MESSENTE_KEPT_MAX);
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
    if (status === 429) return retryableFailure(`messente: too many requests (429): ${detail}`, headers, nowMs());
    if (status >= 500 || status === 408) {
      return retryableFailure(`messente: server error (${status}): ${detail}`, headers, nowMs());
    }
    // 401/403 (messente-api docs/ErrorCodeOmnichannelMachine.md 103 Unauthorized, 102 Forbidden): no omnimessage was
    // created, so the message may go elsewhere while Messente is marked down.
    if (status === 401) {
      return {
        failed: true,
        retryable: true,
        accountRefused: true,
        error: `messente: authentication refused (401): check MESSENTE_USERNAME and MESSENTE_PASSWORD (${detail})`,
      };
    }
    if (status === 403) {
      return {
        failed: true,
        retryable: true,
        accountRefused: true,
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
      // `autoconvert` absent means the account's setting (messente-api docs/SMS.md), which may rewrite the text into
      // another encoding and part count than we priced: off sends exactly what was quoted.
      // `ttl`: seconds after which the SMS channel is given up (messente-api docs/SMS.md; `validity` is the same in
      // minutes, and only one of them may be given).
      messages: [
        {
          channel: 'sms',
          sender: message.sender,
          text: message.text,
          autoconvert: 'off',
          ...(message.validitySeconds !== undefined && { ttl: message.validitySeconds }),
        },
      ],
      ...(dlrUrl && { dlr_url: dlrUrl }),
    });
    const call = await exchange(
      fetchFn,
      `${root}/omnimessage`,
      {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body,
      },
      signal,
      timeoutMs,
    );
    return attemptOf(MESSENTE_PROVIDER, call, answerOutcome);
  }

  async function statusOf(messageId: string, omnimessageId: string, signal: AbortSignal): Promise<DeliveryReport[]> {
    const { response, text } = await fetchText(
      fetchFn,
      `${root}/omnimessage/${encodeURIComponent(omnimessageId)}/status`,
      {
        method: 'GET',
        headers: { authorization, accept: 'application/json' },
      },
      signal,
      timeoutMs,
    );
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
      return submitEach(
        batch,
        concurrency,
        (message) => send(message, signal),
        known,
        (results, references, detail) =>
          new MessenteOutcomeUnknownError(MESSENTE_PROVIDER, results, references, detail),
      );
    },

    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      // Omnichannel has no lookup by our reference: only what this process saw counts.
      return known.recheck(references);
    },

    async poll(submitted: readonly SubmittedMessage[], signal: AbortSignal): Promise<readonly DeliveryReport[]> {
      const asked = submitted.filter((m) => omnimessageOf.has(m.providerMessageId));
      return pollEach(
        asked,
        concurrency,
        signal,
        async (message) => {
          const omnimessageId = omnimessageOf.get(message.providerMessageId);
          if (omnimessageId === undefined) return [];
          const found = await statusOf(message.providerMessageId, omnimessageId, signal);
          if (found.some((r) => r.status !== 'submitted')) omnimessageOf.delete(message.providerMessageId);
          return found;
        },
        (count, first) => `messente: ${count} status queries failed (${first})`,
      );
    },
  };
}
