// The environment, parsed once into a frozen configuration with an explicit default for every setting.

export interface ProviderConfig {
  readonly infobip?: {
    readonly baseUrl: string;
    readonly apiKey: string;
    /** INFOBIP_ABSENT_TRUSTED_AFTER_MS: how long after a lost answer a message missing from the logs is resent. */
    readonly absentTrustedAfterMs?: number;
  };
  readonly twilio?: {
    readonly baseUrl: string;
    readonly accountSid: string;
    readonly authToken: string;
    /** TWILIO_REPORT_WAIT_MS: how long a message waits for a final status (Twilio's `sent` is often the last). */
    readonly reportWaitMaxMs?: number;
  };
  readonly messente?: { readonly baseUrl: string; readonly username: string; readonly password: string };
  readonly trumpia?: { readonly baseUrl: string; readonly username: string; readonly apiKey: string };
  readonly smppUrl?: string;
}

/**
 * The public API hosts used when a *_BASE_URL is unset, so that credentials alone enable a provider.
 * Twilio: twilio-node `src/base/Domain.ts` (api.twilio.com). Messente: messente-api `configuration.py`
 * (https://api.messente.com/v1; the adapter adds /v1). Trumpia: trumpia.com/api/docs/rest (api.trumpia.com; its
 * pages print http://, https is UNCONFIRMED but chosen so the API key never travels in clear text).
 * Infobip has no such default: each account has its own base URL (infobip.com/docs/essentials/base-url).
 */
export const PROVIDER_DEFAULT_BASE_URLS = Object.freeze({
  twilio: 'https://api.twilio.com',
  messente: 'https://api.messente.com',
  trumpia: 'https://api.trumpia.com',
});

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
  /** Providers given some of their required settings but not all (not enabled), with what is unset. */
  readonly providersMissing: readonly { readonly name: string; readonly unset: readonly string[] }[];
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
    baseUrl: text(env, 'TWILIO_BASE_URL') ?? PROVIDER_DEFAULT_BASE_URLS.twilio,
    accountSid: text(env, 'TWILIO_ACCOUNT_SID'),
    authToken: text(env, 'TWILIO_AUTH_TOKEN'),
  });
  const messente = all({
    baseUrl: text(env, 'MESSENTE_BASE_URL') ?? PROVIDER_DEFAULT_BASE_URLS.messente,
    username: text(env, 'MESSENTE_USERNAME'),
    password: text(env, 'MESSENTE_PASSWORD'),
  });
  const trumpia = all({
    baseUrl: text(env, 'TRUMPIA_BASE_URL') ?? PROVIDER_DEFAULT_BASE_URLS.trumpia,
    username: text(env, 'TRUMPIA_USERNAME'),
    apiKey: text(env, 'TRUMPIA_API_KEY'),
  });
  const smppUrl = text(env, 'SMPP_URL');
  const twilioReportWaitMs = text(env, 'TWILIO_REPORT_WAIT_MS')
    ? positiveInt(env, 'TWILIO_REPORT_WAIT_MS', 0)
    : undefined;
  const absentTrustedAfterMs = text(env, 'INFOBIP_ABSENT_TRUSTED_AFTER_MS')
    ? positiveInt(env, 'INFOBIP_ABSENT_TRUSTED_AFTER_MS', 0)
    : undefined;
  const missing = PROVIDER_SETTINGS.flatMap(({ name, variables }) => {
    const unset = variables.filter((v) => text(env, v) === undefined);
    return unset.length > 0 && unset.length < variables.length ? [{ name, unset }] : [];
  });
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
    providersMissing: Object.freeze(missing),
    providers: Object.freeze({
      ...(infobip && { infobip: { ...infobip, ...(absentTrustedAfterMs !== undefined && { absentTrustedAfterMs }) } }),
      ...(twilio && {
        twilio: { ...twilio, ...(twilioReportWaitMs !== undefined && { reportWaitMaxMs: twilioReportWaitMs }) },
      }),
      ...(messente && { messente }),
      ...(trumpia && { trumpia }),
      ...(smppUrl && { smppUrl }),
    }),
  });
}

/** The settings each HTTP provider needs; a *_BASE_URL with a default is not among them. */
const PROVIDER_SETTINGS = [
  { name: 'infobip', variables: ['INFOBIP_BASE_URL', 'INFOBIP_API_KEY'] },
  { name: 'twilio', variables: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] },
  { name: 'messente', variables: ['MESSENTE_USERNAME', 'MESSENTE_PASSWORD'] },
  { name: 'trumpia', variables: ['TRUMPIA_USERNAME', 'TRUMPIA_API_KEY'] },
] as const;

/** Providers that push delivery reports to PUBLIC_URL (Trumpia and SMPP do not: they are polled or bound). */
export const REPORT_PUSHING_PROVIDERS = ['infobip', 'twilio', 'messente'] as const;

/** Whether a URL's host is a loopback name or address, which no provider can reach. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  // 0.0.0.0 and :: (HOST's "every interface", copied into the default PUBLIC_URL) reach no one from outside either.
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::'
  );
}

export interface ProviderNotes {
  /** Real providers enabled by the configuration, SMPP included. */
  readonly enabled: readonly string[];
  /** Providers enabled that push reports to PUBLIC_URL although it is loopback (their reports cannot arrive). */
  readonly unreachable: readonly string[];
  readonly publicUrlLoopback: boolean;
  /** What an operator must hear at start: partial settings, an unreachable PUBLIC_URL. */
  readonly warnings: readonly string[];
}

/** What the start log says of providers: which are enabled, and what stops the others or loses their reports. */
export function providerNotes(config: Config): ProviderNotes {
  const providers = config.providers;
  const enabled = [
    ...PROVIDER_SETTINGS.map((p) => p.name).filter((name) => providers[name] !== undefined),
    ...(providers.smppUrl !== undefined ? ['smpp'] : []),
  ];
  const warnings = config.providersMissing.map(({ name, unset }) => {
    const why =
      name === 'infobip' && unset.includes('INFOBIP_BASE_URL') ? ' (each Infobip account has its own base URL)' : '';
    return `${name} is not enabled: ${unset.join(', ')} ${unset.length > 1 ? 'are' : 'is'} missing${why}`;
  });
  const loopback = isLoopbackUrl(config.publicUrl);
  const unreachable = loopback ? REPORT_PUSHING_PROVIDERS.filter((name) => providers[name] !== undefined) : [];
  if (unreachable.length > 0) {
    // Every report-pushing provider is asked instead: reports come later, at the cost of requests.
    const names = unreachable.join(', ');
    warnings.push(
      `PUBLIC_URL is ${config.publicUrl}, a loopback address: ${names} cannot reach it, so ${names} ` +
        `${unreachable.length > 1 ? 'are' : 'is'} polled for reports instead; set PUBLIC_URL to an address the ` +
        'providers can reach',
    );
  }
  return { enabled, unreachable, publicUrlLoopback: unreachable.length > 0, warnings };
}
