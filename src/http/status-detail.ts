// GET /status/detail: what GET /status sums up (["OK"] or 503 ["DOWN"]), dependency by dependency.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

export type DependencyState = 'up' | 'down' | 'not configured';

export interface StatusDetail {
  /** The contract's GET /status word: the database decides it alone. */
  readonly status: 'OK' | 'DOWN';
  readonly database: DependencyState;
  /** Shared rate-limit counters; while Redis is down requests pass unlimited, so it never makes the service DOWN. */
  readonly redis: DependencyState;
  /** Providers enabled by the configuration, and what an operator must hear (a PUBLIC_URL no provider can reach). */
  readonly providers: ProvidersStatus;
}

export interface ProvidersStatus {
  readonly enabled: readonly string[];
  readonly warnings: readonly string[];
}

/** A dependency that has not answered after this is reported down. */
export const STATUS_PROBE_TIMEOUT_MS = 2_000;

function withTimeout(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([probe.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

export async function statusDetailRoute(
  app: FastifyInstance,
  deps: {
    readonly databaseReachable: () => Promise<boolean>;
    readonly redis?: Redis | undefined;
    readonly providers?: ProvidersStatus | undefined;
  },
): Promise<void> {
  const { redis } = deps;
  app.get('/status/detail', { schema: { hide: true } }, async (_request, reply) => {
    const [database, redisUp] = await Promise.all([
      withTimeout(deps.databaseReachable(), STATUS_PROBE_TIMEOUT_MS),
      redis
        ? withTimeout(
            redis.ping().then((answer) => answer === 'PONG'),
            STATUS_PROBE_TIMEOUT_MS,
          )
        : undefined,
    ]);
    const detail: StatusDetail = {
      status: database ? 'OK' : 'DOWN',
      database: database ? 'up' : 'down',
      redis: redisUp === undefined ? 'not configured' : redisUp ? 'up' : 'down',
      providers: { enabled: deps.providers?.enabled ?? [], warnings: deps.providers?.warnings ?? [] },
    };
    return reply.code(database ? 200 : 503).send(detail);
  });
}
