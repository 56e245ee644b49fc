// Requests a minute per account (per client address without one), counted in process or through Redis.
import { createRequire } from 'node:module';
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preParsingHookHandler } from 'fastify';
import type { Redis } from 'ioredis';

export interface RateLimitOptions {
  /** Requests a minute on every route without a limit of its own (config.rateLimit). */
  readonly perMinute: number;
  /** Shared counters; in-process counters when absent. */
  readonly redis?: Redis | undefined;
}

const WINDOW_MS = 60_000;
/** The prefix of the counters' keys in Redis, the same in every process and release. */
const REDIS_NAMESPACE = 'smsgic-rl:';

type StoreCtor = {
  new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]): FastifyRateLimitStore;
};
// The plugin's own stores (the same counting and, in Redis, the same keys and script), for the app-wide limit below.
const requireFromHere = createRequire(import.meta.url);
const LocalStore = requireFromHere('@fastify/rate-limit/store/LocalStore.js') as StoreCtor;
const RedisStore = requireFromHere('@fastify/rate-limit/store/RedisStore.js') as StoreCtor;

/** The counters' keys of accounts, made once each: a key built per request is a new string to hash per request. */
const accountKeys = new Map<number, string>();
const ACCOUNT_KEYS_KEPT_MAX = 10_000;

function accountKey(id: number): string {
  let key = accountKeys.get(id);
  if (key === undefined) {
    if (accountKeys.size >= ACCOUNT_KEYS_KEPT_MAX) accountKeys.clear();
    key = `account:${id}`;
    accountKeys.set(id, key);
  }
  return key;
}

/** Limits are per account; requests without an account (status, bad tokens) count per client address. */
const keyOf = (request: FastifyRequest): string =>
  request.account ? accountKey(request.account.id) : `ip:${request.ip}`;

/** The 429 answer, whichever limit is reached. */
const tooManyAttempts = (ttl: number) => ({ statusCode: 429, message: 'Too Many Attempts.', ttl });

/**
 * @fastify/rate-limit for `app.rateLimit()` and the routes' own limits (config.rateLimit), and the app-wide limit of
 * every other route: one callback-style hook per route, where the plugin's is an async function awaiting two more
 * promises on every request. It answers as the plugin does: the limit and what remains of it on every answer, and
 * past the limit a 429 with Retry-After. While Redis is unreachable requests pass (the server logs it).
 */
export async function installRateLimits(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    hook: 'preParsing',
    max: options.perMinute,
    timeWindow: WINDOW_MS,
    ...(options.redis && { redis: options.redis, nameSpace: REDIS_NAMESPACE }),
    // Shared counters are a safeguard, not a dependency: while Redis is unreachable requests pass (and it is logged).
    skipOnError: true,
    keyGenerator: keyOf,
    errorResponseBuilder: (_request, context) => tooManyAttempts(context.ttl),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': false },
    addHeaders: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': false,
      'retry-after': true,
    },
  });

  const max = options.perMinute;
  const store = options.redis
    ? new RedisStore(false, false, options.redis, REDIS_NAMESPACE)
    : new LocalStore(false, false);
  const limit: preParsingHookHandler = (request, reply, payload, done) => {
    store.incr(
      keyOf(request),
      (error, result) => {
        // Skipped on error, as the plugin's skipOnError: nothing counted, the whole allowance shown.
        const current = error || !result ? 0 : result.current;
        if (current <= max) {
          reply.header('x-ratelimit-limit', max).header('x-ratelimit-remaining', max - current);
          done(null, payload);
          return;
        }
        const ttl = result?.ttl ?? 0;
        reply
          .header('x-ratelimit-limit', max)
          .header('x-ratelimit-remaining', 0)
          .header('retry-after', Math.ceil(ttl / 1000));
        done(tooManyAttempts(ttl) as unknown as Error, payload);
      },
      WINDOW_MS,
      max,
    );
  };
  // Every route declared from here on, but those with a limit of their own or none (config.rateLimit).
  app.addHook('onRoute', (route) => {
    if (route.config?.rateLimit != null) return;
    route.preParsing = [...(route.preParsing === undefined ? [] : [route.preParsing].flat()), limit];
  });
}
