// Twilio as the platform sees it: TWILIO_* settings, the adapter with its StatusCallback at PUBLIC_URL, the webhook.
import { all, isLoopbackUrl, positiveInt, text } from '../../../env.js';
import { defineProvider, type ProviderContext, type WebhookAnswer, type WebhookRequest } from '../../descriptor.js';
import type { ProviderAdapter } from '../../provider.js';
import { createTwilioProvider, TWILIO_PROVIDER, type TwilioCredentials } from './adapter.js';
import { readTwilioWebhook, type TwilioParams, twilioStatusCallbackUrl } from './webhook.js';
import { TWILIO_DEFAULT_BASE_URL, TWILIO_SIGNATURE_HEADER, TWILIO_WEBHOOK_PATH } from './wire.js';

export interface TwilioConfig extends TwilioCredentials {
  readonly baseUrl: string;
  /** TWILIO_REPORT_WAIT_MS: how long a message waits for a final status (Twilio's `sent` is often the last). */
  readonly reportWaitMaxMs?: number;
}

/**
 * TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN enable it, at TWILIO_BASE_URL or else the public API host (twilio-node
 * `src/base/Domain.ts`: api.twilio.com).
 */
function readTwilioConfig(env: NodeJS.ProcessEnv): TwilioConfig | undefined {
  const credentials = all({
    baseUrl: text(env, 'TWILIO_BASE_URL') ?? TWILIO_DEFAULT_BASE_URL,
    accountSid: text(env, 'TWILIO_ACCOUNT_SID'),
    authToken: text(env, 'TWILIO_AUTH_TOKEN'),
  });
  // Read (and refused when bad) whether or not Twilio is enabled.
  const reportWaitMaxMs = text(env, 'TWILIO_REPORT_WAIT_MS') ? positiveInt(env, 'TWILIO_REPORT_WAIT_MS', 0) : undefined;
  return credentials && { ...credentials, ...(reportWaitMaxMs !== undefined && { reportWaitMaxMs }) };
}

/**
 * The adapter configured by TWILIO_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PUBLIC_URL; with a loopback (or
 * no) PUBLIC_URL, which Twilio could never call, statuses are fetched instead.
 */
function createConfiguredTwilio(config: TwilioConfig, context: ProviderContext): ProviderAdapter {
  const { reportWaitMaxMs, ...credentials } = config;
  const { clockUs, publicUrl } = context;
  return createTwilioProvider(credentials, {
    clockUs,
    ...(publicUrl !== undefined && { publicUrl }),
    ...((publicUrl === undefined || isLoopbackUrl(publicUrl)) && { pollStatuses: true }),
    ...(reportWaitMaxMs !== undefined && { reportWaitMaxMs }),
  });
}

/** The form fields as the body parser left them (strings, arrays of strings); anything else is not a form field. */
function formParams(body: unknown): TwilioParams {
  const params: Record<string, string | string[]> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return params;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') params[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) params[name] = value;
  }
  return params;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** POST /webhooks/twilio: status callbacks, X-Twilio-Signature checked against PUBLIC_URL, form fields read. */
function answerTwilioWebhook(request: WebhookRequest, config: TwilioConfig, publicUrl: string): WebhookAnswer {
  // Twilio signs the URL it was given (the StatusCallback), whatever a proxy in front of us rewrote.
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  const outcome = readTwilioWebhook({
    url: `${twilioStatusCallbackUrl(publicUrl)}${query}`,
    params: formParams(request.body),
    signature: request.headers[TWILIO_SIGNATURE_HEADER],
    authToken: config.authToken,
  });
  if (!outcome.ok) {
    return outcome.refusal === 'signature'
      ? {
          ok: false,
          status: 401,
          message: 'Invalid signature.',
          log: { fields: { reason: outcome.reason }, message: 'status callback refused' },
        }
      : {
          ok: false,
          status: 400,
          message: 'Invalid status callback.',
          log: { fields: { reason: outcome.reason }, message: 'status callback unreadable' },
        };
  }
  if (outcome.inbound !== undefined) {
    // An empty TwiML response: the message is taken and nothing is sent back.
    return {
      ok: true,
      reports: [],
      inbound: outcome.inbound,
      reply: EMPTY_TWIML,
      replyType: 'text/xml; charset=utf-8',
    };
  }
  // Twilio reads nothing of the answer to a status callback but its status.
  return { ok: true, reports: outcome.reports, reply: undefined };
}

export const twilioDescriptor = defineProvider({
  name: TWILIO_PROVIDER,
  sendingType: 'twilio',
  settings: { read: readTwilioConfig, required: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] },
  create: createConfiguredTwilio,
  webhook: { path: TWILIO_WEBHOOK_PATH, read: answerTwilioWebhook },
});
