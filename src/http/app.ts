// Builds the HTTP server (no listen): parsers, request ids, rate limits, error shapes, the public API and its OpenAPI.
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from '../config.js';
import type { ApiServices } from '../services/ports.js';
import { installBodyParsers } from './body.js';
import { type DashboardDeps, registerDashboard } from './dashboard/plugin.js';
import { installErrorHandling, installProtocolChecks, renderClientError, renderFrameworkError } from './errors.js';
import { lazyRequestLogger, redactUrl, withLogRedaction } from './logging.js';
import { installMetrics, type MetricsOptions } from './metrics.js';
import { postmanRoute } from './postman.js';
import { installRateLimits } from './rate-limit.js';
import { apiRoutes } from './routes/api.js';
import { inboundRoutes } from './routes/inbound.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { providerWebhooks, type WebhookDeps } from './routes/webhooks/provider.js';
import { installSecurityHeaders } from './security-headers.js';
import { type ProvidersStatus, statusDetailRoute } from './status-detail.js';
import { apiValidatorCompiler } from './validation.js';

export interface AppOptions {
  readonly services: ApiServices;
  /** For GET /status/detail: the enabled providers and the configuration's warnings about them. */
  readonly providers?: ProvidersStatus;
  readonly rateLimitPerMinute: number;
  readonly calculateRateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
  /** Shared rate-limit counters; in-process counters when absent. */
  readonly redis?: Redis;
  readonly logger?: FastifyServerOptions['logger'];
  /** Where providers' delivery reports go; without it the webhooks are not served. */
  readonly webhooks?: WebhookDeps;
  /** The dashboard: its JSON API under /app/api and the web client under /app; not served when absent. */
  readonly dashboard?: DashboardDeps;
  /** GET /metrics: who may read it and the platform gauges; HTTP and process metrics only, loopback only, without. */
  readonly metrics?: MetricsOptions;
  /** Fastify's trustProxy (TRUST_PROXY): whose X-Forwarded-For / -Proto / -Host are believed. */
  readonly trustProxy?: boolean | number | readonly string[];
  /** Limits on slow and idle clients; HTTP_TIMEOUT_DEFAULTS for what is not given. */
  readonly timeouts?: Partial<HttpTimeouts>;
}

/** How often Node looks for requests past their headers or request timeout: a fraction of the headers timeout. */
function timeoutCheckIntervalMs(headersTimeoutMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
}

const REQUEST_ID_RE = /^[\w.:-]{1,128}$/;
/** The field of a log line that names its request. */
const REQUEST_ID_LOG_LABEL = 'request_id';

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const timeouts = { ...HTTP_TIMEOUT_DEFAULTS, ...options.timeouts };
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeoutMs = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  const trustProxy = options.trustProxy ?? false;
  const logger = withLogRedaction(options.logger ?? false);
  const app = Fastify({
    logger,
    // A request's own logger is made when it first logs (the request id bound), not for every request.
    ...(logger !== false && { childLoggerFactory: lazyRequestLogger }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy:
      typeof trustProxy === 'number'
        ? (_address: string, hop: number) => hop < trustProxy
        : typeof trustProxy === 'object'
          ? [...trustProxy]
          : trustProxy,
    // A client that trickles its headers is cut off after headersTimeout, one that trickles its body after
    // requestTimeout; a silent socket after connectionTimeout; an idle keep-alive connection after keepAliveTimeout.
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // A caller's own request id is kept when it is sane, so logs can be matched across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_LABEL, disableRequestLogging: true }),
    // URLs the router cannot even decode (`/%ZZ`) or whose parameter is absurdly long: answered in the API's shapes.
    frameworkErrors: renderFrameworkError,
    // Requests Node's parser refuses, and HTTP/1.1 ones without Host, are answered in the API's JSON shape.
    clientErrorHandler: renderClientError,
    http: {
      requireHostHeader: false,
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: timeoutCheckIntervalMs(headersTimeoutMs),
    },
    return503OnClosing: true,
    exposeHeadRoutes: true,
  });

  // Per-request hooks are callback style throughout: an async hook costs a promise and a microtask turn each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // One line per request, when it is answered (Fastify's own logging writes two: on arrival and on completion). It is
  // written by the app's logger with the request id among its fields, the line a request's own logger would write
  // (see lazyRequestLogger), without making that logger.
  if ((app.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info')) {
    app.addHook('onResponse', (request, reply, done) => {
      app.log.info(
        {
          request_id: request.id, // REQUEST_ID_LOG_LABEL
          method: request.method,
          url: redactUrl(request.url),
          status_code: reply.statusCode,
          response_time_ms: reply.elapsedTime,
          remote_address: request.ip,
        },
        'request completed',
      );
      done();
    });
  }
  installErrorHandling(app);
  installProtocolChecks(app);
  // Before every route, so that their hooks cover all of them (the dashboard's included).
  await installSecurityHeaders(app);
  await installMetrics(app, options.metrics ?? {});
  // Route schemas are the API's OpenAPI description; Fastify validates what they can decide alone (validation.ts).
  app.setValidatorCompiler(apiValidatorCompiler());
  await installBodyParsers(app, options.bodyLimitBytes);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'SMSgic API', version: '1.0.0', description: 'Send SMS, price sendings, read balance and rates.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  await installRateLimits(app, { perMinute: options.rateLimitPerMinute, redis: options.redis });

  await statusDetailRoute(app, {
    databaseReachable: () => options.services.databaseReachable(),
    redis: options.redis,
    providers: options.providers,
  });
  await apiRoutes(app, options.services, {
    perMinute: options.rateLimitPerMinute,
    calculatePerMinute: options.calculateRateLimitPerMinute,
  });
  // Behind the same bearer-token hook as the routes above (apiRoutes adds it to the whole app).
  await suppressionRoutes(app, options.services);
  await inboundRoutes(app, options.services);
  if (options.webhooks) {
    await providerWebhooks(app, options.webhooks);
  }
  if (options.dashboard) await registerDashboard(app, options.dashboard);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  postmanRoute(app);
  return app;
}
