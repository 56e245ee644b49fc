// POST /webhooks/twilio: Twilio's status callbacks, X-Twilio-Signature checked against PUBLIC_URL, handed to the store.
import type { FastifyInstance } from 'fastify';
import { TWILIO_PROVIDER } from '../../../dispatch/providers/twilio/adapter.js';
import {
  readTwilioWebhook,
  type TwilioParams,
  twilioStatusCallbackUrl,
} from '../../../dispatch/providers/twilio/webhook.js';
import { TWILIO_SIGNATURE_HEADER, TWILIO_WEBHOOK_PATH } from '../../../dispatch/providers/twilio/wire.js';
import type { WebhookDeps } from './deps.js';

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

export async function twilioWebhook(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.post(
    TWILIO_WEBHOOK_PATH,
    // Callbacks come in bursts from a few addresses: the per-client API limit must not drop them.
    { config: { rateLimit: false }, schema: { hide: true } },
    async (request, reply) => {
      const config = deps.providers.twilio;
      if (!config) return reply.code(404).send({ message: 'Not found.' });
      // Twilio signs the URL it was given (the StatusCallback), whatever a proxy in front of us rewrote.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const outcome = readTwilioWebhook({
        url: `${twilioStatusCallbackUrl(deps.publicUrl)}${query}`,
        params: formParams(request.body),
        signature: request.headers[TWILIO_SIGNATURE_HEADER],
        authToken: config.authToken,
      });
      if (!outcome.ok) {
        if (outcome.refusal === 'signature') {
          request.log.warn({ provider: TWILIO_PROVIDER, reason: outcome.reason }, 'status callback refused');
          return reply.code(401).send({ message: 'Invalid signature.' });
        }
        request.log.warn({ provider: TWILIO_PROVIDER, reason: outcome.reason }, 'status callback unreadable');
        return reply.code(400).send({ message: 'Invalid status callback.' });
      }
      if (outcome.reports.length > 0) await deps.ingest(TWILIO_PROVIDER, outcome.reports);
      // Twilio reads nothing of the answer to a status callback but its status.
      return reply.code(200).send();
    },
  );
}
