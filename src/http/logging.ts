// The logger's guard rails: secrets (credentials, cookies, CSRF tokens, passwords, API keys) never reach a log line.
import type { FastifyBaseLogger, FastifyRequest, FastifyServerOptions } from 'fastify';

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

const SECRET_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS.map((field) => field.toLowerCase()));

function isSecretName(key: string): boolean {
  return SECRET_NAMES.has(key.toLowerCase());
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with the values of secret-named fields replaced, at the top and up to SECRET_DEPTH_MAX levels below, in
 * plain objects, arrays and errors (other class instances are left to their serializers). Copy on write: an object
 * without secrets is returned as it is. Errors are copied with their prototype, so the error serializer still sees an
 * error (message, stack, cause).
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > SECRET_DEPTH_MAX) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const redacted = redactSecrets(value[i], depth + 1);
      if (redacted !== value[i]) {
        copy ??= [...value];
        copy[i] = redacted;
      }
    }
    return (copy ?? value) as T;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const field = source[key];
    const redacted = isSecretName(key) && field !== undefined ? REDACTED : redactSecrets(field, depth + 1);
    if (redacted !== field) {
      copy ??= isError
        ? Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value))
        : { ...source };
      (copy as Record<string, unknown>)[key] = redacted;
    }
  }
  return (copy ?? value) as T;
}

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

/**
 * The given logger options with secrets redacted and the request serializer added; false stays false. Redaction runs
 * when a line is written (pino's log and bindings formatters), not through pino's `redact` paths: those would also
 * run over the bindings of the child logger every request gets, logged or not, which costs more than the request.
 */
export function withLogRedaction(logger: LoggerOption): LoggerOption {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  const formatters = base.formatters ?? {};
  const givenLog = formatters.log;
  const givenBindings = formatters.bindings;
  return {
    ...base,
    formatters: {
      ...formatters,
      log: (object: Record<string, unknown>) => redactSecrets(givenLog ? givenLog(object) : object),
      bindings: (bindings: Record<string, unknown>) =>
        redactSecrets(givenBindings ? givenBindings(bindings) : bindings),
    },
    serializers: { ...base.serializers, req: serializeRequest as never },
  };
}

type LogArgs = Parameters<FastifyBaseLogger['info']>;
type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
/** What Fastify's logger is at run time (pino): its type names only the logging methods. */
type PinoLogger = FastifyBaseLogger & {
  isLevelEnabled(level: string): boolean;
  bindings(): Record<string, unknown>;
};

/**
 * A request's logger whose pino child (with the request id bound) is made on its first line at an enabled level: most
 * requests log nothing of their own, and making the child costs about as much as a small request's own work.
 */
class RequestLogger {
  readonly #parent: PinoLogger;
  readonly #bindings: Record<string, unknown>;
  #child: PinoLogger | undefined;

  constructor(parent: PinoLogger, bindings: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #logger(): PinoLogger {
    this.#child ??= this.#parent.child(this.#bindings) as PinoLogger;
    return this.#child;
  }

  #write(level: LevelName, args: LogArgs): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    const logger = this.#logger();
    (logger[level] as (...a: LogArgs) => void).apply(logger, args);
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }

  bindings(): Record<string, unknown> {
    return this.#logger().bindings();
  }

  child(...args: Parameters<FastifyBaseLogger['child']>): FastifyBaseLogger {
    return this.#logger().child(...args);
  }

  fatal(...args: LogArgs): void {
    this.#write('fatal', args);
  }

  error(...args: LogArgs): void {
    this.#write('error', args);
  }

  warn(...args: LogArgs): void {
    this.#write('warn', args);
  }

  info(...args: LogArgs): void {
    this.#write('info', args);
  }

  debug(...args: LogArgs): void {
    this.#write('debug', args);
  }

  trace(...args: LogArgs): void {
    this.#write('trace', args);
  }

  silent(): void {}
}

/**
 * Fastify's childLoggerFactory: each request's logger binds its id as pino's child would, but the child is made only
 * when the request logs a line (see RequestLogger). A route with its own log level or serializers gets its child at
 * once.
 */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options);
  return new RequestLogger(logger as PinoLogger, bindings) as unknown as FastifyBaseLogger;
};

/** Where log lines go: anything with a write of a string (standard output, a file stream, a test's sink). */
export interface LineSink {
  write(chunk: string): unknown;
}

/**
 * The server's log destination: lines written in one turn of the event loop reach `out` in one write at its end, and
 * whatever is pending at exit before the process ends. pino's own destination hands each write to a thread of libuv's
 * pool and waits for its answer, which on a busy API costs about as much as the request that logged the line. On Linux
 * Node writes standard output synchronously (to a file, a pipe or a terminal), so a chunk handed over is written.
 */
export class BatchedLines implements LineSink {
  readonly #out: LineSink;
  #pending = '';
  #scheduled = false;
  #closed = false;

  constructor(out: LineSink) {
    this.#out = out;
  }

  write(line: string): boolean {
    if (this.#closed) return true;
    this.#pending += line;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushNow);
    }
    return true;
  }

  /** Writes what is pending now (pino calls it on logger.flush(); the server at exit). */
  flush(done?: (error?: Error) => void): void {
    this.#flushNow();
    done?.();
  }

  /** Drops what is pending and every later line (the output's reader went away). */
  close(): void {
    this.#closed = true;
    this.#pending = '';
  }

  readonly #flushNow = (): void => {
    this.#scheduled = false;
    if (this.#pending === '' || this.#closed) return;
    const chunk = this.#pending;
    this.#pending = '';
    this.#out.write(chunk);
  };
}
