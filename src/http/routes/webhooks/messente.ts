// POST /webhooks/messente: Messente's signed delivery reports, checked against the raw body and handed to the store.
import type { FastifyInstance } from 'fastify';
import { MESSENTE_PROVIDER, MESSENTE_WEBHOOK_PATH } from '../../../dispatch/providers/messente/adapter.js';
import { MESSENTE_SIGNATURE_HEADER, readMessenteWebhook } from '../../../dispatch/providers/messente/webhook.js';
import type { WebhookDeps } from './deps.js';

/** One DLR is a small JSON object; anything far larger is not one. */
const REPORT_BYTES_MAX = 64 * 1024;

/**
 * Registers the route in its own encapsulated scope: the signature covers the exact bytes Messente sent, so this scope
 * replaces the app's body parsers with one that keeps the body as a Buffer, and the rest of the app is unaffected.
 */
export async function messenteWebhook(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Any content type: the signature, not the header, says whether the body is Messente's.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: REPORT_BYTES_MAX }, (_request, body, done) => {
      done(null, body);
    });

    scope.post(
      MESSENTE_WEBHOOK_PATH,
      // Reports arrive one per status change of every message: a per-client request limit would drop them.
      { config: { rateLimit: false }, schema: { hide: true } },
      async (request, reply) => {
        const password = deps.providers.messente?.password;
        if (password === undefined) return reply.code(404).send({ message: 'Not found.' });
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const read = readMessenteWebhook(raw, request.headers[MESSENTE_SIGNATURE_HEADER], password);
        if (!read.ok) {
          if (read.refusal === 'malformed') {
            request.log.warn({ provider: MESSENTE_PROVIDER, detail: read.detail }, 'unreadable delivery report');
            return reply.code(400).send({ message: 'Malformed delivery report.' });
          }
          request.log.warn(
            { provider: MESSENTE_PROVIDER, refusal: read.refusal, detail: read.detail, ip: request.ip },
            'delivery report refused: invalid signature',
          );
          return reply.code(401).send({ message: 'Invalid signature.' });
        }
        if (read.skipped) request.log.info({ provider: MESSENTE_PROVIDER, skipped: read.skipped }, 'report skipped');
        // Idempotent, and ids not stored yet are kept by the store, so a report may come before its submit's answer.
        if (read.reports.length > 0) await deps.ingest(MESSENTE_PROVIDER, read.reports);
        return reply.code(200).send({ received: read.reports.length });
      },
    );
  });
}
