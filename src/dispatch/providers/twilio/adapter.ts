// The Twilio provider adapter: one form POST per message to the Messages resource, a few at a time; SIDs as ids.
import { setMaxListeners } from 'node:events';
import type { ProviderConfig } from '../../../config.js';
import type { ClockUs } from '../../../domain/time.js';
import { US_PER_MS } from '../../../domain/time.js';
import type { OutgoingMessage, ProviderAdapter, RecheckResult, SubmitResult } from '../../provider.js';
import { describeFailure, failedBeforeSending, retryAfterMs } from './transport.js';
import { twilioStatusCallbackUrl } from './webhook.js';
import {
  TWILIO_DEFAULT_BASE_URL,
  TWILIO_MISCONFIGURATION_CODES,
  TWILIO_RETRYABLE_CODES,
  type TwilioErrorBody,
  type TwilioMessageResource,
  twilioMessagesPath,
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

export type Fetch = typeof fetch;

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
  /** PUBLIC_URL: where Twilio sends status callbacks. Without it no StatusCallback is given and no report reaches us. */
  readonly publicUrl?: string;
  readonly requestsInFlightMax?: number;
  /** Another name under which to register (tests). */
  readonly name?: string;
}

/** Thrown by `submit` when some request may have reached Twilio without an answer; `results` has null for those. */
export class TwilioOutcomeUnknownError extends Error {
  override name = 'TwilioOutcomeUnknownError';
  constructor(
    readonly results: readonly (SubmitResult | null)[],
    readonly unknownReferences: readonly string[],
    firstDetail: string,
  ) {
    super(`twilio: ${unknownReferences.length} message(s) sent without a usable answer (${firstDetail})`);
  }
}

/** What this process knows of a reference it handed over, for `recheck`. */
type Known = { readonly found: string } | { readonly absent: true } | { readonly unknown: true };

type Outcome = { readonly result: SubmitResult } | { readonly unknown: string };

/** A counting gate: at most `max` holders; waiting ends early (false) when `signal` aborts. */
class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(max: number) {
    this.#free = max;
  }
  enter(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        const index = this.#waiting.indexOf(wake);
        if (index >= 0) this.#waiting.splice(index, 1);
        resolve(false);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.#waiting.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  leave(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorBodyOf(text: string): Partial<TwilioErrorBody> {
  const body = parseJson(text);
  return body && typeof body === 'object' ? (body as Partial<TwilioErrorBody>) : {};
}

function remember(map: Map<string, Known>, key: string, value: Known): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > TWILIO_OUTCOMES_KEPT_MAX) map.delete(map.keys().next().value as string);
}

export interface TwilioProvider extends ProviderAdapter {
  recheck(references: readonly string[], signal: AbortSignal): Promise<readonly RecheckResult[]>;
}

export function createTwilioProvider(credentials: TwilioCredentials, options: TwilioProviderOptions): TwilioProvider {
  const endpoint = `${twilioBaseUrl(credentials.baseUrl)}${twilioMessagesPath(credentials.accountSid)}`;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? TWILIO_TIMEOUT_MS;
  const statusCallback = options.publicUrl ? twilioStatusCallbackUrl(options.publicUrl) : undefined;
  const authorization = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`, 'utf8').toString('base64')}`;
  const gate = new Gate(options.requestsInFlightMax ?? TWILIO_REQUESTS_IN_FLIGHT_MAX);
  const known = new Map<string, Known>();
  const nowMs = () => options.clockUs() / US_PER_MS;

  function resultOf(response: Response, text: string): Outcome {
    const { status } = response;
    if (status === 200 || status === 201) {
      const body = parseJson(text) as Partial<TwilioMessageResource> | undefined;
      if (typeof body?.sid === 'string' && body.sid !== '') return { result: { accepted: body.sid } };
      return { unknown: `HTTP ${status} without a sid` };
    }
    const error = errorBodyOf(text);
    const code = typeof error.code === 'number' ? error.code : undefined;
    const described = `HTTP ${status}${code !== undefined ? ` ${code}` : ''}${error.message ? ` ${error.message}` : ''}`;
    if (status === 401 || code === 20003) {
      return {
        result: {
          failed: true,
          retryable: false,
          error: `twilio: the credentials were refused (${described}); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
        },
      };
    }
    if (
      status === 429 ||
      status === 500 ||
      status === 503 ||
      (code !== undefined && TWILIO_RETRYABLE_CODES.has(code))
    ) {
      // Not processed (throttled, failing, down, queue full): the same request later is safe and may work.
      const afterMs = retryAfterMs(response.headers.get('retry-after'), nowMs());
      return {
        result: {
          failed: true,
          retryable: true,
          error: `twilio: ${described}`,
          ...(afterMs !== undefined && { retryAfterMs: afterMs }),
        },
      };
    }
    // A gateway's 502/504 says nothing of whether Twilio behind it created the message.
    if (status >= 500) return { unknown: described };
    if (status === 404 || (code !== undefined && TWILIO_MISCONFIGURATION_CODES.has(code))) {
      return {
        result: {
          failed: true,
          retryable: false,
          error: `twilio: ${described}; check TWILIO_ACCOUNT_SID, TWILIO_BASE_URL and the sender`,
        },
      };
    }
    // 21211 invalid To, 21610 opted out, 21408 region not permitted…: this message stays refused.
    return { result: { failed: true, retryable: false, error: `twilio: refused, ${described}` } };
  }

  async function sendOne(message: OutgoingMessage, signal: AbortSignal): Promise<Outcome> {
    if (!(await gate.enter(signal))) {
      return { result: { failed: true, retryable: true, error: 'twilio: not sent, no time left' } };
    }
    try {
      const form = new URLSearchParams({
        To: `+${message.recipient}`,
        ...twilioSenderFields(message.sender),
        Body: message.text,
        ...(statusCallback !== undefined && { StatusCallback: statusCallback }),
      });
      let response: Response;
      try {
        response = await fetchImpl(endpoint, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        if (failedBeforeSending(error)) {
          return { result: { failed: true, retryable: true, error: `twilio: not sent, ${describeFailure(error)}` } };
        }
        return { unknown: describeFailure(error) };
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        return { unknown: `HTTP ${response.status}, answer cut short: ${describeFailure(error)}` };
      }
      return resultOf(response, text);
    } finally {
      gate.leave();
    }
  }

  return {
    name: options.name ?? TWILIO_PROVIDER,
    submitBatchMax: TWILIO_SUBMIT_BATCH_MAX,

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
      let outcomes: Outcome[];
      try {
        outcomes = await Promise.all(batch.map((message) => sendOne(message, batchAbort.signal)));
      } finally {
        signal.removeEventListener('abort', relay);
      }
      const results: (SubmitResult | null)[] = [];
      const unknown: string[] = [];
      let firstDetail = '';
      outcomes.forEach((outcome, i) => {
        const reference = (batch[i] as OutgoingMessage).reference;
        if ('unknown' in outcome) {
          remember(known, reference, { unknown: true });
          unknown.push(reference);
          firstDetail ||= outcome.unknown;
          results.push(null);
          return;
        }
        const { result } = outcome;
        remember(known, reference, 'accepted' in result ? { found: result.accepted } : { absent: true });
        results.push(result);
      });
      if (unknown.length > 0) throw new TwilioOutcomeUnknownError(results, unknown, firstDetail);
      return results as SubmitResult[];
    },

    /**
     * Twilio cannot be asked about our reference (a message carries none of ours), so only what this process saw
     * counts: the worker rechecks a batch right after an unknown outcome, and every message it answered is known here.
     */
    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      return references.map((reference): RecheckResult => known.get(reference) ?? { unknown: true });
    },
  };
}

/** For the registry: the adapter configured by TWILIO_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PUBLIC_URL. */
export function twilioProviderFromConfig(config: ProviderConfig, clockUs: ClockUs, publicUrl?: string): TwilioProvider {
  if (!config.twilio)
    throw new Error('twilio is not configured (TWILIO_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)');
  return createTwilioProvider(config.twilio, { clockUs, ...(publicUrl !== undefined && { publicUrl }) });
}
