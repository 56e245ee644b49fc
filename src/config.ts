// The environment, parsed once into a frozen configuration with an explicit default for every setting.

export interface ProviderConfig {
  readonly infobip?: { readonly baseUrl: string; readonly apiKey: string };
  readonly twilio?: { readonly baseUrl: string; readonly accountSid: string; readonly authToken: string };
  readonly messente?: { readonly baseUrl: string; readonly username: string; readonly password: string };
  readonly trumpia?: { readonly baseUrl: string; readonly username: string; readonly apiKey: string };
  readonly smppUrl?: string;
}

export interface Config {
  /** Unset: SQLite at ./data/smsgic.db; `sqlite:PATH`; or `postgres://…`. */
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly redisUrl: string | undefined;
  /** Per-account requests a minute on every endpoint but calculate. */
  readonly rateLimitPerMinute: number;
  /** Per-account requests a minute on `POST /sendings/calculate`, as the published page promises. */
  readonly calculateRateLimitPerMinute: number;
  /** Largest accepted request body; must carry at least 1,000,000 recipients. */
  readonly bodyLimitBytes: number;
  readonly publicUrl: string;
  readonly logLevel: string;
  readonly providers: ProviderConfig;
  /** How long the built-in sandbox provider takes to report a delivery. */
  readonly sandboxReportDelayMs: number;
  /** Bearer token of GET /metrics; unset: /metrics answers loopback clients only. */
  readonly metricsToken: string | undefined;
  /** Fastify's trustProxy: false, true, a hop count, or the proxies' addresses/CIDRs (X-Forwarded-* honoured from them). */
  readonly trustProxy: boolean | number | readonly string[];
  readonly http: HttpTimeouts;
  /** PostgreSQL: how long opening a connection and one statement may take before the request answers 503. */
  readonly dbConnectTimeoutMs: number;
  readonly dbStatementTimeoutMs: number;
  /** Lets callback_url point at private, loopback and link-local addresses (local development, tests). */
  readonly callbackAllowPrivate: boolean;
}

/** Limits on slow or idle clients; every value in milliseconds. */
export interface HttpTimeouts {
  /** Until a request's headers are complete (slow-header clients are cut off then). */
  readonly headersTimeoutMs: number;
  /** Until a whole request, body included, has arrived. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this. */
  readonly connectionTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = Object.freeze({
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
  connectionTimeoutMs: 150_000,
});
export const DB_CONNECT_TIMEOUT_DEFAULT_MS = 5_000;
export const DB_STATEMENT_TIMEOUT_DEFAULT_MS = 60_000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  }
  return Number(raw);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** TRUST_PROXY: unset or false, true (every hop), a hop count, or comma-separated proxy addresses / CIDRs. */
function trustProxy(env: NodeJS.ProcessEnv): boolean | number | readonly string[] {
  const raw = env.TRUST_PROXY?.trim() ?? '';
  if (raw === '' || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return Object.freeze(
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
}

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function all<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]: string } | undefined {
  return Object.values(values).every((v) => v !== undefined) ? (values as { [K in keyof T]: string }) : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = positiveInt(env, 'PORT', 3000);
  if (port > 65535) throw new ConfigError(`PORT must be at most 65535, got ${port}`);
  const host = text(env, 'HOST') ?? '127.0.0.1';
  const infobip = all({ baseUrl: text(env, 'INFOBIP_BASE_URL'), apiKey: text(env, 'INFOBIP_API_KEY') });
  const twilio = all({
    baseUrl: text(env, 'TWILIO_BASE_URL'),
    accountSid: text(env, 'TWILIO_ACCOUNT_SID'),
    authToken: text(env, 'TWILIO_AUTH_TOKEN'),
  });
  const messente = all({
    baseUrl: text(env, 'MESSENTE_BASE_URL'),
    username: text(env, 'MESSENTE_USERNAME'),
    password: text(env, 'MESSENTE_PASSWORD'),
  });
  const trumpia = all({
    baseUrl: text(env, 'TRUMPIA_BASE_URL'),
    username: text(env, 'TRUMPIA_USERNAME'),
    apiKey: text(env, 'TRUMPIA_API_KEY'),
  });
  const smppUrl = text(env, 'SMPP_URL');
  return Object.freeze({
    databaseUrl: text(env, 'DATABASE_URL'),
    host,
    port,
    redisUrl: text(env, 'REDIS_URL'),
    rateLimitPerMinute: positiveInt(env, 'RATE_LIMIT_PER_MINUTE', 3000),
    calculateRateLimitPerMinute: 3000,
    bodyLimitBytes: positiveInt(env, 'BODY_LIMIT_BYTES', 64 * 1024 * 1024),
    publicUrl: text(env, 'PUBLIC_URL') ?? `http://${host}:${port}`,
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    sandboxReportDelayMs: nonNegativeInt(env, 'SANDBOX_REPORT_DELAY_MS', 1000),
    metricsToken: text(env, 'METRICS_TOKEN'),
    trustProxy: trustProxy(env),
    http: Object.freeze({
      headersTimeoutMs: positiveInt(env, 'HTTP_HEADERS_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs),
      requestTimeoutMs: positiveInt(env, 'HTTP_REQUEST_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs),
      keepAliveTimeoutMs: positiveInt(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs),
      connectionTimeoutMs: positiveInt(env, 'HTTP_CONNECTION_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.connectionTimeoutMs),
    }),
    dbConnectTimeoutMs: positiveInt(env, 'DB_CONNECT_TIMEOUT_MS', DB_CONNECT_TIMEOUT_DEFAULT_MS),
    dbStatementTimeoutMs: positiveInt(env, 'DB_STATEMENT_TIMEOUT_MS', DB_STATEMENT_TIMEOUT_DEFAULT_MS),
    callbackAllowPrivate: flag(env, 'CALLBACK_ALLOW_PRIVATE'),
    providers: Object.freeze({
      ...(infobip && { infobip }),
      ...(twilio && { twilio }),
      ...(messente && { messente }),
      ...(trumpia && { trumpia }),
      ...(smppUrl && { smppUrl }),
    }),
  });
}
