// Security headers by path: a strict policy for the dashboard under /app, nosniff and no caching for every answer,
// HSTS only on requests that came over TLS.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/** Everything the dashboard serves (its pages, assets and /app/api) lives under this prefix. */
export const DASHBOARD_PREFIX = '/app';

/** The dashboard's Content-Security-Policy: its own origin only, no inline code, no framing, no plugins. */
export const DASHBOARD_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'object-src': ["'none'"],
});

/** One year, subdomains included; sent only on answers to requests that came over TLS. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function isDashboardPath(url: string): boolean {
  const path = pathOf(url);
  return path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`);
}

/**
 * Installs the headers as hooks on the root instance, by path, so that they cover every route whichever plugin
 * declares it. Install it before the routes.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  // helmet itself rather than its Fastify plugin: the plugin adds two hooks to every request (one of them async), which
  // cost API requests more than their own headers do, for headers only the dashboard gets.
  const dashboardHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(DASHBOARD_CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
    },
    xFrameOptions: { action: 'deny' },
    // Nothing leaves for other sites, while the dashboard's own POSTs keep a real Origin (under no-referrer a browser
    // sends `Origin: null`, which the sign-in origin check must refuse).
    referrerPolicy: { policy: 'same-origin' },
    // Decided per request from its protocol (see below): a plain-HTTP answer must not pin HTTPS.
    strictTransportSecurity: false,
  });

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (isDashboardPath(request.url)) {
      // Sets CSP, X-Frame-Options, Referrer-Policy, nosniff and helmet's other defaults on the raw response.
      dashboardHeaders(request.raw, reply.raw, () => {});
    } else {
      reply.header('x-content-type-options', 'nosniff');
    }
    // request.protocol honours X-Forwarded-Proto only from proxies trusted by the trustProxy setting.
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS_VALUE);
    done();
  });

  // Answers are per account and per moment: nothing is cached unless the route itself says how (static assets).
  app.addHook('onSend', (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
