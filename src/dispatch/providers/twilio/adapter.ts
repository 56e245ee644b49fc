// The Twilio provider adapter: one form POST per message to the Messages resource, a few at a time; SIDs as ids.
import { setMaxListeners } from 'node:events';
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
import { RequestGate } from '../http/concurrency.js';
import { type Attempt, HandOverMemory, OutcomeUnknownError, pollEach, resultsOrThrow } from '../http/hand-overs.js';
import { describeFailure, exchange, type Fetch, fetchText, parseJson, retryableFailure } from '../http/transport.js';
import { twilioStatusCallbackUrl } from './webhook.js';
import {
  TWILIO_DEFAULT_BASE_URL,
  TWILIO_MISCONFIGURATION_CODES,
  TWILIO_RETRYABLE_CODES,
  type TwilioErrorBody,
  type TwilioMessageResource,
  twilioMessagePath,
  twilioMessagesPath,
  twilioPendingStatus,
  twilioReportStatus,
} from './wire.js';

export const TWILIO_PROVIDER = 'twilio';
/** Messages one `submit` takes: each is its own request, so a batch is as many as finish well inside a lease. */
export const TWILIO_SUBMIT_BATCH_MAX = 100;
/**
 * Requests in flight at once, over every submit of this adapter. Twilio limits concurrent API requests per account
 * (error 20429 beyond it); a small number keeps well under it and still fills a connection pool.
 */
export const TWILIO_REQUESTS_IN_FLIGHT_MAX = 16;
export const TWILIO_TIMEOUT_MS = 15_000;
/** Outcomes remembered for `recheck`; the oldest are forgotten beyond this. */
export const TWILIO_OUTCOMES_KEPT_MAX = 100_000;
/**
 * When no callback can reach us (a loopback PUBLIC_URL), each message is fetched: first this long after acceptance
 * (most reach a final status within seconds to minutes), then ever less often as it ages, up to
 * TWILIO_POLL_INTERVAL_MAX_MS, until final or TWILIO_REPORT_WAIT_MS.
 */
export const TWILIO_POLL_INTERVAL_MS = 30_000;
export const TWILIO_POLL_INTERVAL_MAX_MS = 30 * 60 * 1000;
/** Messages fetched per poll round at most: one request each, through the same gate as the creates. */
export const TWILIO_POLL_BATCH_MAX = 200;

export type { Fetch };

export interface TwilioCredentials {
  /** TWILIO_BASE_URL; https://api.twilio.com when empty. */
  readonly baseUrl?: string;
  readonly accountSid: string;
  readonly authToken: string;
}

export interface TwilioProviderOptions {
  readonly clockUs: ClockUs;
  readonly fetch?: Fetch;
  readonly timeoutMs?: number;
  /** PUBLIC_URL: where Twilio sends status callbacks. Without it no StatusCallback is given (see `pollStatuses`). */
  readonly publicUrl?: string;
  /**
   * No callback can reach us: no StatusCallback is given, and each unfinished message is fetched from the Message
   * resource instead (set when PUBLIC_URL is loopback or absent).
   */
  readonly pollStatuses?: boolean;
  /** With pollStatuses: see TWILIO_POLL_INTERVAL_MS, TWILIO_POLL_INTERVAL_MAX_MS and TWILIO_POLL_BATCH_MAX. */
  readonly pollIntervalMs?: number;
  readonly pollIntervalMaxMs?: number;
  readonly pollBatchMax?: number;
  readonly requestsInFlightMax?: number;
  /** Another name under which to register (tests). */
  readonly name?: string;
  /** TWILIO_REPORT_WAIT_MS: see TWILIO_REPORT_WAIT_DEFAULT_MS. */
  readonly reportWaitMaxMs?: number;
}

/**
 * How long a Twilio message waits for a final status before it is expired. Where carriers return no receipt, `sent`
 * is Twilio's last word ("Twilio has not received a delivery receipt": twilio.com/docs/messaging/guides/
 * outbound-message-status-in-status-callbacks), and such messages would otherwise sit `submitted` for the platform's
 * 72 hours. Twilio's own validity period defaults to 36 000 s (ValidityPeriod, message.ts), so no final status comes
 * later than that: ten hours, and a little more for a late callback.
 */
export const TWILIO_REPORT_WAIT_DEFAULT_MS = 11 * 60 * 60 * 1000;

/** Thrown by `submit` when some request may have reached Twilio without an answer; `results` has null for those. */
export class TwilioOutcomeUnknownError extends OutcomeUnknownError {
  override name = 'TwilioOutcomeUnknownError';
}

/** TWILIO_BASE_URL as an origin (and optional path prefix) without a trailing slash. */
export function twilioBaseUrl(text: string | undefined): string {
  const url = new URL(text && text.trim() !== '' ? text : TWILIO_DEFAULT_BASE_URL);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Our sender as Twilio's fields: a Messaging Service SID (MG…) goes as MessagingServiceSid; a phone number (7 digits
 * or more) in E.164 with "+"; a short code or an alphanumeric sender ID as it is.
 */
export function twilioSenderFields(sender: string): { MessagingServiceSid: string } | { From: string } {
  if (/^MG[0-9a-f]{32}$/i.test(sender)) return { MessagingServiceSid: sender };
  if (/^\+?\d{7,15}$/.test(sender)) return { From: `+${sender.replace(/^\+/, '')}` };
  return { From: sender };
}

/** The longest ValidityPeriod Twilio accepts, in seconds (10 hours). */
export const TWILIO_VALIDITY_SECONDS_MAX = 36_000;

function errorBodyOf(text: string): Partial<TwilioErrorBody> {
  const body = parseJson(text);
  return body && typeof body === 'object' ? (body as Partial<TwilioErrorBody>) : {};
}

/** What one create request's answer says of its message. */
function attemptOf(response: Response, text: string, nowMs: () => number): Attempt {
  const { status } = response;
  if (status === 200 || status === 201) {
    const body = parseJson(text) as Partial<TwilioMessageResource> | undefined;
    if (typeof body?.sid === 'string' && body.sid !== '') return { accepted: body.sid };
    return { unknown: `HTTP ${status} without a sid` };
  }
  const error = errorBodyOf(text);
  const code = typeof error.code === 'number' ? error.code : undefined;
  const described = `HTTP ${status}${code !== undefined ? ` ${code}` : ''}${error.message ? ` ${error.message}` : ''}`;
  if (status === 401 || code === 20003) {
    // 20003 "Authenticate" (twilio.com/docs/api/errors/20003): no message was created.
    return {
      failed: true,
      retryable: true,
      accountRefused: true,
      error: `twilio: the credentials were refused (${described}); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
    };
  }
  if (status === 429 || status === 500 || status === 503 || (code !== undefined && TWILIO_RETRYABLE_CODES.has(code))) {
    // Not processed (throttled, failing, down, queue full): the same request later is safe and may work.
    return retryableFailure(`twilio: ${described}`, response.headers, nowMs());
  }
  // A gateway's 502/504 says nothing of whether Twilio behind it created the message.
  if (status >= 500) return { unknown: described };
  if (status === 404 || (code !== undefined && TWILIO_MISCONFIGURATION_CODES.has(code))) {
    return {
      failed: true,
      retryable: false,
      error: `twilio: ${described}; check TWILIO_ACCOUNT_SID, TWILIO_BASE_URL and the sender`,
    };
  }
  // 21211 invalid To, 21610 opted out, 21408 region not permitted…: this message stays refused.
  return { failed: true, retryable: false, error: `twilio: refused, ${described}` };
}

/** What a fetched Message resource says of one message now: a final report, Twilio's word on its way, or nothing. */
function reportsOfResource(sid: string, response: Response, text: string): DeliveryReport[] {
  // 20404: Twilio keeps no such message (deleted from the account): nothing will ever be said; the wait ends it.
  if (response.status === 404) return [];
  if (!response.ok) {
    const error = errorBodyOf(text);
    throw new Error(`twilio: message fetch answered ${response.status}${error.code ? ` ${error.code}` : ''}`);
  }
  const body = parseJson(text) as Partial<TwilioMessageResource> | undefined;
  const word = body?.status;
  const status = twilioReportStatus(word);
  if (status !== null) {
    const code = typeof body?.error_code === 'number' ? body.error_code : undefined;
    const error =
      status === 'delivered' ? null : `twilio: ${String(word)}${code !== undefined ? ` (error ${code})` : ''}`;
    return [{ providerMessageId: sid, status, error }];
  }
  const pending = twilioPendingStatus(word);
  return pending === null ? [] : [{ providerMessageId: sid, status: 'submitted', providerStatus: pending }];
}

export interface TwilioProvider extends ProviderAdapter {
  recheck(references: readonly string[], signal: AbortSignal): Promise<readonly RecheckResult[]>;
}

export function createTwilioProvider(credentials: TwilioCredentials, options: TwilioProviderOptions): TwilioProvider {
  const base = twilioBaseUrl(credentials.baseUrl);
  const endpoint = `${base}${twilioMessagesPath(credentials.accountSid)}`;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? TWILIO_TIMEOUT_MS;
  const polled = options.pollStatuses === true;
  const statusCallback = options.publicUrl && !polled ? twilioStatusCallbackUrl(options.publicUrl) : undefined;
  const authorization = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`, 'utf8').toString('base64')}`;
  const gate = new RequestGate(options.requestsInFlightMax ?? TWILIO_REQUESTS_IN_FLIGHT_MAX);
  const known = new HandOverMemory(TWILIO_OUTCOMES_KEPT_MAX);
  const nowMs = () => options.clockUs() / US_PER_MS;

  async function sendOne(message: OutgoingMessage, signal: AbortSignal): Promise<Attempt> {
    if (!(await gate.enter(signal))) return { failed: true, retryable: true, error: 'twilio: not sent, no time left' };
    try {
      const form = new URLSearchParams({
        To: `+${message.recipient}`,
        ...twilioSenderFields(message.sender),
        Body: message.text,
        ...(statusCallback !== undefined && { StatusCallback: statusCallback }),
        // Seconds in Twilio's queue before it gives the message up: 1 to 36,000 (twilio.com/docs/api/errors/90007);
        // a longer rest of the validity is sent as the most Twilio takes.
        ...(message.validitySeconds !== undefined && {
          ValidityPeriod: String(Math.min(TWILIO_VALIDITY_SECONDS_MAX, message.validitySeconds)),
        }),
      });
      const call = await exchange(
        fetchImpl,
        endpoint,
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        },
        signal,
        timeoutMs,
      );
      if ('answered' in call) return attemptOf(call.answered, call.text, nowMs);
      if ('notSent' in call) {
        return { failed: true, retryable: true, error: `twilio: not sent, ${describeFailure(call.notSent)}` };
      }
      if ('cut' in call)
        return { unknown: `HTTP ${call.cut.status}, answer cut short: ${describeFailure(call.error)}` };
      return { unknown: describeFailure(call.lost) };
    } finally {
      gate.leave();
    }
  }

  /** What the Message resource says of one message now: a final report, Twilio's word on its way, or nothing. */
  async function fetchStatus(sid: string, signal: AbortSignal): Promise<DeliveryReport[]> {
    if (!(await gate.enter(signal))) return [];
    let answer: { readonly response: Response; readonly text: string };
    try {
      answer = await fetchText(
        fetchImpl,
        `${base}${twilioMessagePath(credentials.accountSid, sid)}`,
        { method: 'GET', headers: { authorization, accept: 'application/json' } },
        signal,
        timeoutMs,
      );
    } finally {
      gate.leave();
    }
    return reportsOfResource(sid, answer.response, answer.text);
  }

  return {
    name: options.name ?? TWILIO_PROVIDER,
    reportWaitMaxMs: options.reportWaitMaxMs ?? TWILIO_REPORT_WAIT_DEFAULT_MS,
    submitBatchMax: TWILIO_SUBMIT_BATCH_MAX,
    ...(polled && {
      pollIntervalMs: options.pollIntervalMs ?? TWILIO_POLL_INTERVAL_MS,
      pollIntervalMaxMs: options.pollIntervalMaxMs ?? TWILIO_POLL_INTERVAL_MAX_MS,
      pollBatchMax: options.pollBatchMax ?? TWILIO_POLL_BATCH_MAX,
      async poll(submitted: readonly SubmittedMessage[], signal: AbortSignal): Promise<readonly DeliveryReport[]> {
        return pollEach(
          submitted,
          options.requestsInFlightMax ?? TWILIO_REQUESTS_IN_FLIGHT_MAX,
          signal,
          (message) => fetchStatus(message.providerMessageId, signal),
          (count, first) => `twilio: ${count} message fetches failed (${first})`,
        );
      },
    }),

    async submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]> {
      if (batch.length > TWILIO_SUBMIT_BATCH_MAX) {
        throw new RangeError(`twilio takes at most ${TWILIO_SUBMIT_BATCH_MAX} messages per submit`);
      }
      // One listener on the caller's signal, relayed to every request of the batch (which may wait at the gate).
      const batchAbort = new AbortController();
      setMaxListeners(TWILIO_SUBMIT_BATCH_MAX * 2, batchAbort.signal);
      const relay = () => batchAbort.abort(signal.reason);
      if (signal.aborted) relay();
      else signal.addEventListener('abort', relay, { once: true });
      let attempts: Attempt[];
      try {
        attempts = await Promise.all(batch.map((message) => sendOne(message, batchAbort.signal)));
      } finally {
        signal.removeEventListener('abort', relay);
      }
      attempts.forEach((attempt, i) => {
        known.note((batch[i] as OutgoingMessage).reference, attempt);
      });
      return resultsOrThrow(
        batch,
        attempts,
        (results, references, detail) => new TwilioOutcomeUnknownError(TWILIO_PROVIDER, results, references, detail),
      );
    },

    /**
     * Twilio cannot be asked about our reference (a message carries none of ours), so only what this process saw
     * counts: the worker rechecks a batch right after an unknown outcome, and every message it answered is known here.
     */
    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      return known.recheck(references);
    },
  };
}
