// HTTP errors in the contract's shapes: typed errors routes throw, and the handlers that render every failure as JSON.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ruleText, TEXTS, type ValidationErrors } from '../domain/texts.js';

/** An error a client caused, with the exact body the contract gives it. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly body: unknown;
  constructor(statusCode: number, body: unknown) {
    super(typeof body === 'object' && body && 'message' in body ? String(body.message) : `HTTP ${statusCode}`);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

export const unauthenticated = () => new HttpError(401, { message: TEXTS.unauthenticated });
export const notFoundModel = (id: string | number) => new HttpError(404, { message: ruleText.notFoundModel(id) });
export const unprocessable = (errors: ValidationErrors) => new HttpError(422, errors.toJSON());

/** Patterns of the registered routes with their methods, to tell a wrong method (405) from an unknown path (404). */
interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

function routePattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // `:id(^\\d+$)` keeps its own pattern, without anchors; a bare `:id` is any one segment.
      const own = /^:\w+\((.*)\)$/.exec(segment)?.[1];
      return own ? `(?:${own.replace(/^\^/, '').replace(/\$$/, '')})` : '[^/]+';
    })
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** Errors the router raises before any route or hook runs; the request id header is set here, as no hook ran. */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.code(404).send({ message: TEXTS.notFound });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  reply.code(500).send({ message: TEXTS.serverError });
}

export function installErrorHandling(app: FastifyInstance): void {
  const known = new Map<string, KnownRoute>();
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url.includes('*')) return;
    const entry = known.get(route.url) ?? { pattern: routePattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) entry.methods.add(method);
    known.set(route.url, entry);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = new Set<string>();
    for (const route of known.values()) {
      if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    }
    if (allowed.size > 0 && !allowed.has(request.method)) {
      // Laravel lists GET routes as "GET, HEAD"; Fastify serves HEAD for every GET route too.
      const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => allowed.has(m));
      return reply
        .code(405)
        .header('allow', methods.join(', '))
        .send({ message: ruleText.methodNotAllowed(request.method, path.replace(/^\/+|\/+$/g, ''), methods) });
    }
    return reply.code(404).send({ message: TEXTS.notFound });
  });

  app.setErrorHandler((error: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(error.body);
    const status = error.statusCode ?? 500;
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ message: TEXTS.payloadTooLarge });
    }
    if (status === 429) return reply.code(429).send({ message: TEXTS.tooManyAttempts });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ message: 'Unsupported Content-Type.' });
    }
    if (status >= 400 && status < 500) {
      const json = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError';
      return reply.code(400).send({ message: json ? TEXTS.malformedJson : TEXTS.malformedBody });
    }
    // A fault of ours: the details go to the log under the request id, never to the client.
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ message: TEXTS.serverError });
  });
}
