// The environment, parsed once into a frozen configuration with an explicit default for every setting.

import { readFileSync } from 'node:fs';
import { type DeliveryProfile, parseDeliveryProfileCsv } from './dispatch/providers/delivery-profile.js';
import {
  PROVIDERS,
  type ProviderConfig,
  providerCatalog,
  providerDescriptor,
  providersMissing,
  REAL_PROVIDERS,
  readProviderConfig,
  settingsOf,
  WEBHOOK_PROVIDERS,
} from './dispatch/registry.js';
import type { SendingType } from './domain/sending.js';
import { ConfigError, isLoopbackUrl, positiveInt, text } from './env.js';

export type { ProviderConfig };
export { ConfigError, isLoopbackUrl };

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
  /** SANDBOX_DELIVERY_FILE: the sandbox's delivery ratios and report delays by destination; unset: all delivered. */
  readonly sandboxDelivery: DeliveryProfile | undefined;
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

function sandboxDelivery(path: string | undefined): DeliveryProfile | undefined {
  if (path === undefined) return undefined;
  let csv: string;
  try {
    csv = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SANDBOX_DELIVERY_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = parseDeliveryProfileCsv(csv);
  if (!parsed.ok) throw new ConfigError(`SANDBOX_DELIVERY_FILE ${path}: ${parsed.errors.join('; ')}`);
  return parsed.profile;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = positiveInt(env, 'PORT', 3000);
  if (port > 65535) throw new ConfigError(`PORT must be at most 65535, got ${port}`);
  const host = text(env, 'HOST') ?? '127.0.0.1';
  // Each provider reads its own settings (src/dispatch/providers/<name>/index.ts).
  const providers = readProviderConfig(env);
  const missing = providersMissing((variable) => text(env, variable) !== undefined);
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
    sandboxDelivery: sandboxDelivery(text(env, 'SANDBOX_DELIVERY_FILE')),
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
    providers: Object.freeze(providers),
  });
}

/** Providers that push reports to PUBLIC_URL (the others are polled, or bound). */
export const REPORT_PUSHING_PROVIDERS: readonly string[] = WEBHOOK_PROVIDERS.map((descriptor) => descriptor.name);

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
  const enabled = REAL_PROVIDERS.filter((name) => settingsOf(providers, name) !== undefined);
  const warnings = config.providersMissing.map(({ name, unset }) => {
    const why = providerDescriptor(name)?.settings.why?.(unset) ?? '';
    return `${name} is not enabled: ${unset.join(', ')} ${unset.length > 1 ? 'are' : 'is'} missing${why}`;
  });
  const loopback = isLoopbackUrl(config.publicUrl);
  const unreachable = loopback
    ? REPORT_PUSHING_PROVIDERS.filter((name) => settingsOf(providers, name) !== undefined)
    : [];
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

/** What the API's and the dashboard's services are told of the configuration. */
export function serviceSettings(config: Config): {
  readonly availableTypes: ReadonlySet<SendingType>;
  readonly providers: ReturnType<typeof providerCatalog>;
  readonly allowPrivateCallbacks: boolean;
} {
  return {
    availableTypes: availableTypes(config),
    providers: providerCatalog(config.providers),
    allowPrivateCallbacks: config.callbackAllowPrivate,
  };
}

/** Sending types with a provider behind them: `default` always (the platform routes it), others when configured. */
export function availableTypes(config: Config): ReadonlySet<SendingType> {
  const types = new Set<SendingType>(['default']);
  for (const { name, sendingType } of PROVIDERS) {
    if (sendingType !== undefined && settingsOf(config.providers, name) !== undefined) types.add(sendingType);
  }
  return types;
}
