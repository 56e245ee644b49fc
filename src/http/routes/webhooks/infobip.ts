// POST /webhooks/infobip: Infobip's delivery reports, checked against the notify URL's token, handed to the store.
import type { FastifyInstance } from 'fastify';
import { INFOBIP_PROVIDER } from '../../../dispatch/providers/infobip/adapter.js';
import { readInfobipWebhook } from '../../../dispatch/providers/infobip/webhook.js';
import { INFOBIP_WEBHOOK_PATH } from '../../../dispatch/providers/infobip/wire.js';
import type { WebhookDeps } from './deps.js';

export async function infobipWebhook(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.post(
    INFOBIP_WEBHOOK_PATH,
    // Reports come in bursts from a few addresses: the per-client API limit must not drop them.
    { config: { rateLimit: false }, schema: { hide: true } },
    async (request, reply) => {
      const config = deps.providers.infobip;
      if (!config) return reply.code(404).send({ message: 'Not found.' });
      const query = request.query as Record<string, unknown> | undefined;
      const outcome = readInfobipWebhook({ token: query?.token, body: request.body, apiKey: config.apiKey });
      if (!outcome.ok) {
        if (outcome.refusal === 'signature') {
          request.log.warn({ provider: INFOBIP_PROVIDER, reason: outcome.reason }, 'delivery report refused');
          return reply.code(401).send({ message: 'Invalid signature.' });
        }
        request.log.warn({ provider: INFOBIP_PROVIDER, reason: outcome.reason }, 'delivery report unreadable');
        return reply.code(400).send({ message: 'Invalid delivery report.' });
      }
      // Stored before answering: a failure answers 500 and Infobip sends the reports again later.
      if (outcome.reports.length > 0) await deps.ingest(INFOBIP_PROVIDER, outcome.reports);
      return reply.code(200).send({ received: outcome.reports.length + outcome.notFinal });
    },
  );
}
