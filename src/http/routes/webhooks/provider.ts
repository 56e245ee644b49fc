// POST /webhooks/<provider>: every provider's delivery reports, read by its descriptor's webhook, handed to the store.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderWebhook } from '../../../dispatch/descriptor.js';
import type { DeliveryReport, InboundText } from '../../../dispatch/provider.js';
import { type ProviderConfig, providerDescriptor, settingsOf, WEBHOOK_PROVIDERS } from '../../../dispatch/registry.js';

/** What a provider's delivery-report webhook needs: where reports go, the provider settings, and the public base URL. */
export interface WebhookDeps {
  /** Stores reports (matched by the provider's message id; idempotent; unknown ids kept until the id is stored). */
  ingest(provider: string, reports: readonly DeliveryReport[]): Promise<void>;
  /**
   * Takes messages from handsets a webhook carries (routed to the number's account, stored once per provider id);
   * absent: they are refused with 503 so the provider tries again later rather than them being lost.
   */
  receive?(provider: string, messages: readonly Omit<InboundText, 'receivedAtUs'>[]): Promise<void>;
  readonly providers: ProviderConfig;
  /** The base URL providers were given (PUBLIC_URL): signature schemes that sign the URL need it. */
  readonly publicUrl: string;
}

/** The answer to one report request to provider `name`'s webhook: 404 while the provider is not configured. */
async function answer(
  name: string,
  deps: WebhookDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const webhook = providerDescriptor(name)?.webhook;
  const config = settingsOf(deps.providers, name);
  if (webhook === undefined || config === undefined) return reply.code(404).send({ message: 'Not found.' });
  const outcome = webhook.read(
    { url: request.url, query: request.query, headers: request.headers, body: request.body, ip: request.ip },
    config,
    deps.publicUrl,
  );
  if (!outcome.ok) {
    request.log.warn({ provider: name, ...outcome.log.fields }, outcome.log.message);
    return reply.code(outcome.status).send({ message: outcome.message });
  }
  if (outcome.note) request.log.info({ provider: name, ...outcome.note.fields }, outcome.note.message);
  // Stored before answering: a failure answers 500 and the provider sends the reports again later.
  if (outcome.reports.length > 0) await deps.ingest(name, outcome.reports);
  if (outcome.inbound !== undefined && outcome.inbound.length > 0) {
    if (deps.receive === undefined) return reply.code(503).send({ message: 'Service Unavailable.' });
    await deps.receive(name, outcome.inbound);
  }
  if (outcome.replyType !== undefined) reply.type(outcome.replyType);
  return reply.code(200).send(outcome.reply);
}

function route(app: FastifyInstance, name: string, webhook: ProviderWebhook<unknown>, deps: WebhookDeps): void {
  app.post(
    webhook.path,
    // Reports come in bursts from a few addresses: the per-client API limit must not drop them.
    { config: { rateLimit: false }, schema: { hide: true } },
    (request, reply) => answer(name, deps, request, reply),
  );
}

/**
 * Registers the webhook of provider `name`. One whose signature covers the exact bytes sent gets its own encapsulated
 * scope whose only body parser keeps the body as a Buffer, whatever its content type; the rest of the app is
 * unaffected.
 */
export function providerWebhook(name: string): (app: FastifyInstance, deps: WebhookDeps) => Promise<void> {
  const webhook = providerDescriptor(name)?.webhook;
  if (webhook === undefined) throw new Error(`provider ${name} has no webhook`);
  return async (app, deps) => {
    const bytesMax = webhook.rawBodyMax;
    if (bytesMax === undefined) {
      route(app, name, webhook, deps);
      return;
    }
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bytesMax }, (_request, body, done) => {
        done(null, body);
      });
      route(scope, name, webhook, deps);
    });
  };
}

/** Every provider's webhook, at the paths the providers are given. */
export async function providerWebhooks(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  for (const { name } of WEBHOOK_PROVIDERS) await providerWebhook(name)(app, deps);
}
