// Builds the HTTP server (no listen): parsers, request ids, rate limits, error shapes, the public API and its OpenAPI.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import { installBodyParsers } from './body.js';
import { installErrorHandling, renderFrameworkError } from './errors.js';
import type { ApiServices } from './ports.js';
import { apiRoutes } from './routes/api.js';
import type { WebhookDeps } from './routes/webhooks/deps.js';
import { infobipWebhook } from './routes/webhooks/infobip.js';
import { messenteWebhook } from './routes/webhooks/messente.js';
import { twilioWebhook } from './routes/webhooks/twilio.js';

export interface AppOptions {
  readonly services: ApiServices;
  readonly rateLimitPerMinute: number;
  readonly calculateRateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
  /** Shared rate-limit counters; in-process counters when absent. */
  readonly redis?: Redis;
  readonly logger?: FastifyServerOptions['logger'];
  /** Where providers' delivery reports go; without it the webhooks are not served. */
  readonly webhooks?: WebhookDeps;
}

const REQUEST_ID_RE = /^[\w.:-]{1,128}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes,
    // A caller's own request id is kept when it is sane, so logs can be matched across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: false }),
    // URLs the router cannot even decode (`/%ZZ`) or whose parameter is absurdly long: answered in the API's shapes.
    frameworkErrors: renderFrameworkError,
    return503OnClosing: true,
    exposeHeadRoutes: true,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  // Route schemas describe the API (OpenAPI); the handlers check input themselves, with the contract's texts.
  app.setValidatorCompiler(() => () => true);
  await installBodyParsers(app, options.bodyLimitBytes);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'SMSgic API', version: '1.0.0', description: 'Send SMS, price sendings, read balance and rates.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    ...(options.redis && { redis: options.redis, nameSpace: 'smsgic-rl:' }),
    // Shared counters are a safeguard, not a dependency: while Redis is unreachable requests pass (and it is logged).
    skipOnError: true,
    // Limits are per account; requests without an account (status, bad tokens) count per client address.
    keyGenerator: (request) => (request.account ? `account:${request.account.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, message: 'Too Many Attempts.', ttl: context.ttl }),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': false },
    addHeaders: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': false,
      'retry-after': true,
    },
  });

  await apiRoutes(app, options.services, {
    perMinute: options.rateLimitPerMinute,
    calculatePerMinute: options.calculateRateLimitPerMinute,
  });
  if (options.webhooks) {
    await infobipWebhook(app, options.webhooks);
    await twilioWebhook(app, options.webhooks);
    await messenteWebhook(app, options.webhooks);
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
