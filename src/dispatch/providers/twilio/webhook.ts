// Twilio status callbacks as they reach our webhook: X-Twilio-Signature checked, form fields to our delivery reports.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryReport, InboundText } from '../../provider.js';
import { TWILIO_WEBHOOK_PATH, twilioPendingStatus, twilioReportStatus } from './wire.js';

/** Form fields as our body parser gives them: strings, or arrays of strings for repeated bracketed names. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/** The StatusCallback Twilio is given: PUBLIC_URL + /webhooks/twilio. It is also the URL Twilio signs. */
export function twilioStatusCallbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${TWILIO_WEBHOOK_PATH}`;
}

/**
 * X-Twilio-Signature of a form POST: the full URL, then every parameter sorted by name as name+value (an array gives
 * name+value for each of its distinct values, sorted), HMAC-SHA1 under the auth token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (typeof value === 'string') {
      data += name + value;
    } else if (value !== undefined) {
      for (const item of [...new Set(value)].sort()) data += name + item;
    }
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The URL as given, and with and without its port (the default one added when absent), as Twilio's validator does. */
export function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  const rest = `${parsed.pathname}${parsed.search}`;
  const withPort = `${parsed.protocol}//${auth}${parsed.hostname}:${parsed.port || defaultPort}${rest}`;
  const withoutPort = `${parsed.protocol}//${auth}${parsed.hostname}${rest}`;
  return [...new Set([url, withPort, withoutPort])];
}

/** Whether `signature` is the header Twilio computes for this request, compared in constant time. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
  signature: unknown,
): boolean {
  if (typeof signature !== 'string' || signature === '') return false;
  const given = Buffer.from(signature, 'utf8');
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

export type TwilioWebhookOutcome =
  | {
      readonly ok: true;
      /** The callback's report: a final status, or `submitted` with Twilio's word (sent, queued…); none for inbound. */
      readonly reports: readonly DeliveryReport[];
      readonly notFinal: number;
      /** A message from a handset (an incoming-message request: SmsStatus `received`, with From, To and Body). */
      readonly inbound?: readonly Omit<InboundText, 'receivedAtUs'>[];
    }
  | { readonly ok: false; readonly refusal: 'signature' | 'payload'; readonly reason: string };

function field(params: TwilioParams, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * Reads one status callback. The time is left to the store (when the report arrived): RawDlrDoneDate carries no time
 * zone (UNCONFIRMED which), so it is not trusted as a time.
 */
export function parseTwilioStatusCallback(params: TwilioParams): TwilioWebhookOutcome {
  const sid = field(params, 'MessageSid', 'SmsSid');
  const word = field(params, 'MessageStatus', 'SmsStatus');
  if (sid === undefined || word === undefined) {
    return { ok: false, refusal: 'payload', reason: 'MessageSid or MessageStatus is missing' };
  }
  const from = field(params, 'From');
  const to = field(params, 'To');
  const body = params.Body;
  if (word === 'received' && from !== undefined && to !== undefined && typeof body === 'string') {
    // An incoming message to one of our Twilio numbers (twilio.com/docs/messaging/guides/webhook-request: MessageSid,
    // From, To, Body, SmsStatus=received), when the number's "a message comes in" URL is this webhook. A `received`
    // status without them tells nothing, as before.
    const digits = (number: string) => number.trim().replace(/^\+/, '');
    return {
      ok: true,
      reports: [],
      notFinal: 0,
      // The sender as Twilio wrote it (E.164 with "+"): the inbound service reads it, one rule for all providers.
      inbound: [{ providerMessageId: sid, from: from.trim(), to: digits(to), text: body }],
    };
  }
  const status = twilioReportStatus(word);
  if (status === null) {
    // `sent` and the like change no status of ours, but are shown beside `submitted`; inbound words say nothing.
    const pending = twilioPendingStatus(word);
    return {
      ok: true,
      reports: pending === null ? [] : [{ providerMessageId: sid, status: 'submitted', providerStatus: pending }],
      notFinal: 1,
    };
  }
  const code = field(params, 'ErrorCode');
  return {
    ok: true,
    reports: [
      {
        providerMessageId: sid,
        status,
        error: status === 'delivered' ? null : `twilio: ${word}${code !== undefined ? ` (error ${code})` : ''}`,
      },
    ],
    notFinal: 0,
  };
}

/** Verifies then reads one callback: the URL Twilio called, its form fields and its X-Twilio-Signature. */
export function readTwilioWebhook(request: {
  readonly url: string;
  readonly params: TwilioParams;
  readonly signature: unknown;
  readonly authToken: string;
}): TwilioWebhookOutcome {
  if (!verifyTwilioSignature(request.authToken, request.url, request.params, request.signature)) {
    return { ok: false, refusal: 'signature', reason: 'X-Twilio-Signature does not match' };
  }
  return parseTwilioStatusCallback(request.params);
}
