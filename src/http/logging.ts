// The logger's guard rails: secrets (credentials, cookies, CSRF tokens, passwords, API keys) never reach a log line.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

export const REDACTED = '[Redacted]';

/** Field names whose values are secrets wherever they appear in a logged object (headers, bodies, configs, errors). */
export const SECRET_FIELDS: readonly string[] = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-csrf-token',
  'X-CSRF-Token',
  'x-smsgic-signature',
  'password',
  'current_password',
  'new_password',
  'password_confirmation',
  'passwordHash',
  'password_hash',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'csrfToken',
  'csrf_token',
  'apiKey',
  'api_key',
  'authToken',
  'auth_token',
  'secret',
  'webhookSecret',
  'webhook_secret',
  'smppUrl',
];

/** How deep below the logged object's top a secret field is still found (req.headers.authorization is depth 2). */
const SECRET_DEPTH_MAX = 3;

function accessor(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
}

/** pino redact paths for every secret field at the top level and up to SECRET_DEPTH_MAX levels below. */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => {
  const tail = accessor(field);
  const paths = [tail.startsWith('.') ? field : tail];
  for (let depth = 1; depth <= SECRET_DEPTH_MAX; depth++) paths.push(`${'*.'.repeat(depth).slice(0, -1)}${tail}`);
  return paths;
});

const SECRET_QUERY_RE = /pass|token|secret|key|signature|session|auth/i;

/** The URL with the values of secret-looking query parameters replaced (`?token=…` links, misused API keys). */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name: string;
      try {
        name = decodeURIComponent(pair.slice(0, eq).replaceAll('+', ' '));
      } catch {
        name = pair.slice(0, eq);
      }
      return SECRET_QUERY_RE.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

/**
 * What a log line says of a request (a Fastify request, or whatever code logged under `req`): method, URL with secret
 * query values replaced, host and client address; never its headers or its body.
 */
export function serializeRequest(request: unknown): unknown {
  if (request === null || typeof request !== 'object') return request;
  const r = request as Partial<FastifyRequest> & { readonly socket?: { remoteAddress?: string; remotePort?: number } };
  return {
    method: r.method,
    url: typeof r.url === 'string' ? redactUrl(r.url) : undefined,
    host: typeof r.host === 'string' ? r.host : undefined,
    remoteAddress: r.ip ?? r.socket?.remoteAddress,
    remotePort: r.socket?.remotePort,
  };
}

type LoggerOption = FastifyServerOptions['logger'];

/** The given logger options with the redaction paths and the request serializer added; false stays false. */
export function withLogRedaction(logger: LoggerOption): LoggerOption {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  const given = base.redact;
  const extra = Array.isArray(given) ? given : (given?.paths ?? []);
  return {
    ...base,
    redact: {
      paths: [...REDACT_PATHS, ...extra],
      censor: REDACTED,
    },
    serializers: { ...base.serializers, req: serializeRequest as never },
  };
}
