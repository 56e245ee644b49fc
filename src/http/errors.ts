// HTTP errors in the contract's shapes: typed errors routes throw, and the handlers that render every failure as JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_SUSPENDED_REASON, ruleText, TEXTS, type ValidationErrors } from '../domain/texts.js';
import { isDatabaseUnavailable } from '../services/availability.js';

/** The body of a 503: the database cannot be reached; Laravel's text for the status. */
export const SERVICE_UNAVAILABLE_TEXT = TEXTS.serviceUnavailable;
/** Seconds a client is told to wait before trying again after a 503. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

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
/** The contract's 401, with the reason a client can act on: the account, not the token, is refused. */
export const accountSuspended = () =>
  new HttpError(401, { message: TEXTS.unauthenticated, reason: ACCOUNT_SUSPENDED_REASON });
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

/** Texts of answers to requests that are not well-formed HTTP, given before any route could see them. */
export const PROTOCOL_TEXTS = Object.freeze({
  malformedRequest: 'Malformed HTTP request.',
  headersTooLarge: 'The request headers are too large.',
  requestTimeout: 'The request took too long to arrive.',
  expectationFailed: 'Only Expect: 100-continue is supported.',
});

/**
 * Node's HTTP parser refuses a request (CR or LF inside a header, NUL, a bad Content-Length, both Content-Length and
 * chunked, headers over the limit) before Fastify sees one: the answer is written to the socket here, in the API's
 * JSON shape, and the connection closed, as the parser cannot find the next request on it.
 */
export function renderClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', PROTOCOL_TEXTS.headersTooLarge]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', PROTOCOL_TEXTS.requestTimeout]
        : [400, 'Bad Request', PROTOCOL_TEXTS.malformedRequest];
  const body = JSON.stringify({ message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Two requests Node would answer itself with an empty body: an HTTP/1.1 request without Host (Node's own check is off,
 * see buildApp) and an Expect other than 100-continue. Both are answered here in the API's JSON shape.
 */
export function installProtocolChecks(app: FastifyInstance): void {
  // Callback style, as every per-request hook of the app: an async hook costs a promise and a microtask turn each.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      done(new HttpError(400, { message: PROTOCOL_TEXTS.malformedRequest }));
      return;
    }
    done();
  });
  app.server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    response
      .writeHead(417, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
      .end(JSON.stringify({ message: PROTOCOL_TEXTS.expectationFailed }));
  });
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
      // The rest of the body is never read: the connection closes after the answer instead of draining it.
      return reply.code(413).header('connection', 'close').send({ message: TEXTS.payloadTooLarge });
    }
    if (status === 429) return reply.code(429).send({ message: TEXTS.tooManyAttempts });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ message: TEXTS.unsupportedContentType });
    }
    if (status >= 400 && status < 500) {
      const json = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError';
      return reply.code(400).send({ message: json ? TEXTS.malformedJson : TEXTS.malformedBody });
    }
    if (isDatabaseUnavailable(error)) {
      // Not a bug: the database is down or overloaded. One line per request, without the stack.
      request.log.warn({ err: { message: error.message, code: error.code } }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
        .send({ message: SERVICE_UNAVAILABLE_TEXT });
    }
    // A fault of ours: the details go to the log under the request id, never to the client.
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ message: TEXTS.serverError });
  });
}
