// GET /metrics in Prometheus text format: HTTP traffic by route, process metrics, and platform gauges from the database.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { MINOR_PER_UNIT } from '../domain/money.js';
import { type ClockUs, type MonotonicMs, systemClockUs, systemMonotonicMs } from '../domain/time.js';
import type { MetricsViews } from '../store/metrics-views.js';
import { RequestMetrics } from './request-metrics.js';

export interface MetricsOptions {
  /** Bearer token a scraper must send; unset: only loopback clients (not forwarded by a proxy) are served. */
  readonly token?: string | undefined;
  /** The platform aggregates (database-wide, so the same from every process); without them only HTTP and process. */
  readonly views?: () => Promise<MetricsViews>;
  /** How long one reading of the views serves scrapes: scraping stays cheap whatever the tables hold. */
  readonly viewsCacheMs?: number;
  /** The time the gauges' ages are counted to (the store's clock); the system clock unless given. */
  readonly clockUs?: ClockUs;
  /** Times the cache of the views and their reading; the process's monotonic clock unless given. */
  readonly monotonicMs?: MonotonicMs;
}

export const METRICS_PATH = '/metrics';
export const METRICS_VIEWS_CACHE_DEFAULT_MS = 10_000;
/** The route label of requests no route matched: the raw URL would make a series per scanner probe. */
export const UNMATCHED_ROUTE = 'unmatched';
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const OPEN_STATUSES = ['queued', 'submitting', 'submitted'] as const;
const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

let processRegistry: Registry | undefined;

/** Process metrics (CPU, memory, event loop, GC) are process-wide: collected once, whatever the number of apps. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return ip === '::1';
}

function sameSecret(given: string, expected: string): boolean {
  // Digests of equal length: the comparison takes the same time whatever the given token's length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether this request may read /metrics: the token when one is configured, else a direct loopback client. */
export function metricsAllowed(request: FastifyRequest, token: string | undefined): boolean {
  if (token !== undefined) {
    const header = request.headers.authorization;
    const given = header ? BEARER_RE.exec(header)?.[1] : undefined;
    return given !== undefined && sameSecret(given, token);
  }
  // Behind a reverse proxy on the same host every client looks like loopback: forwarded requests are refused.
  if (FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined)) return false;
  return isLoopback(request.socket.remoteAddress) && isLoopback(request.ip);
}

/** Minor units to currency units for a gauge; exact to the last digit for any real ledger. */
function unitsOf(amountMinor: bigint): number {
  const per = BigInt(MINOR_PER_UNIT);
  return Number(amountMinor / per) + Number(amountMinor % per) / MINOR_PER_UNIT;
}

class PlatformGauges {
  readonly #databaseUp: Gauge;
  readonly #messages: Gauge;
  readonly #queue: Gauge;
  readonly #queueLag: Gauge;
  readonly #sendings: Gauge;
  readonly #ledgerEntries: Gauge;
  readonly #ledgerAmount: Gauge;
  readonly #callbacks: Gauge;
  readonly #readSeconds: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#databaseUp = new Gauge({
      name: 'smsgic_database_up',
      help: 'Whether the last reading of the platform gauges reached the database (1) or not (0)',
      registers,
    });
    this.#messages = new Gauge({
      name: 'smsgic_messages',
      help: 'Messages by provider ("none" before routing) and status, database-wide',
      labelNames: ['provider', 'status'],
      registers,
    });
    this.#queue = new Gauge({
      name: 'smsgic_queue_depth',
      help: 'Messages not yet final: queued (waiting), submitting (being handed over), submitted (awaiting a report)',
      labelNames: ['status'],
      registers,
    });
    this.#queueLag = new Gauge({
      name: 'smsgic_queue_lag_seconds',
      help: 'How long the most overdue queued message has been due (0 when none is overdue)',
      registers,
    });
    this.#sendings = new Gauge({
      name: 'smsgic_sendings',
      help: 'Sendings by status, database-wide',
      labelNames: ['status'],
      registers,
    });
    this.#ledgerEntries = new Gauge({
      name: 'smsgic_ledger_entries',
      help: 'Ledger entries by kind and account currency',
      labelNames: ['kind', 'currency'],
      registers,
    });
    this.#ledgerAmount = new Gauge({
      name: 'smsgic_ledger_amount',
      help: 'Sum of ledger entries by kind, in units of the account currency (credits and refunds positive)',
      labelNames: ['kind', 'currency'],
      registers,
    });
    this.#callbacks = new Gauge({
      name: 'smsgic_callbacks',
      help: 'Customer status callbacks by state (pending, delivered, abandoned)',
      labelNames: ['state'],
      registers,
    });
    this.#readSeconds = new Gauge({
      name: 'smsgic_metrics_views_read_seconds',
      help: 'How long the last reading of the platform gauges from the database took',
      registers,
    });
  }

  #reset(): void {
    for (const gauge of [
      this.#messages,
      this.#queue,
      this.#queueLag,
      this.#sendings,
      this.#ledgerEntries,
      this.#ledgerAmount,
      this.#callbacks,
    ]) {
      gauge.reset();
    }
  }

  /** Old numbers are dropped rather than shown as current when the database cannot be read. */
  down(): void {
    this.#reset();
    this.#databaseUp.set(0);
  }

  show(views: MetricsViews, readSeconds: number, nowUs: number): void {
    this.#reset();
    this.#databaseUp.set(1);
    this.#readSeconds.set(readSeconds);
    const open = new Map<string, number>(OPEN_STATUSES.map((s) => [s, 0]));
    for (const m of views.messages) {
      this.#messages.inc({ provider: m.provider ?? 'none', status: m.status }, m.count);
      if (open.has(m.status)) open.set(m.status, (open.get(m.status) ?? 0) + m.count);
    }
    for (const [status, count] of open) this.#queue.set({ status }, count);
    this.#queueLag.set(
      views.oldestQueuedDueUs === null ? 0 : Math.max(0, (nowUs - views.oldestQueuedDueUs) / 1_000_000),
    );
    for (const s of views.sendings) this.#sendings.set({ status: s.status }, s.count);
    for (const l of views.ledger) {
      const labels = { kind: l.kind, currency: l.currency };
      this.#ledgerEntries.set(labels, l.entries);
      this.#ledgerAmount.set(labels, unitsOf(l.amountMinor));
    }
    for (const c of views.callbacks) this.#callbacks.set({ state: c.state }, c.count);
  }
}

/**
 * Counts every request by method, route pattern and status code with its latency, and serves GET /metrics. Install it
 * before the routes, so that its hook sees them all.
 */
export async function installMetrics(app: FastifyInstance, options: MetricsOptions): Promise<void> {
  const registry = new Registry();
  const requests = new RequestMetrics(LATENCY_BUCKETS_S);
  registry.registerMetric(
    requests.counter('smsgic_http_requests_total', 'HTTP requests answered, by method, route pattern and status code'),
  );
  registry.registerMetric(
    requests.histogram(
      'smsgic_http_request_duration_seconds',
      'Time from the request to the end of its answer, by method, route pattern and status code',
    ),
  );
  const gauges = options.views ? new PlatformGauges(registry) : undefined;
  const cacheMs = options.viewsCacheMs ?? METRICS_VIEWS_CACHE_DEFAULT_MS;
  const clockUs = options.clockUs ?? systemClockUs;
  const monotonicMs = options.monotonicMs ?? systemMonotonicMs;
  let readAtMs = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    const views = options.views;
    if (!gauges || !views || monotonicMs() - readAtMs < cacheMs) return Promise.resolve();
    // Scrapes that arrive together share one reading.
    reading ??= (async () => {
      const startedMs = monotonicMs();
      try {
        gauges.show(await views(), (monotonicMs() - startedMs) / 1_000, clockUs());
        readAtMs = monotonicMs();
      } catch (error) {
        gauges.down();
        app.log.warn({ err: { message: (error as Error).message } }, 'metrics: platform gauges unreadable');
      } finally {
        reading = null;
      }
    })();
    return reading;
  };

  // `/sendings/:id(^\\d+$)` is shown as `/sendings/:id`.
  const routeLabel = (pattern: string): string => pattern.replace(/:(\w+)\((?:[^()]|\([^()]*\))*\)/g, ':$1');

  const count = (route: string, request: FastifyRequest, reply: FastifyReply): void =>
    requests.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1_000);
  // Each route counts its own answers under its pattern, found once as the route is declared (reading it from the
  // request would build Fastify's route options anew for each one); the app's hook counts the answers of no route.
  app.addHook('onRoute', (route) => {
    const label = routeLabel(route.url);
    const counted = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      count(label, request, reply);
      done();
    };
    route.onResponse = [...(route.onResponse === undefined ? [] : [route.onResponse].flat()), counted];
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.is404) count(UNMATCHED_ROUTE, request, reply);
    done();
  });

  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAllowed(request, options.token)) {
      if (options.token !== undefined) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ message: 'Unauthenticated.' });
      }
      return reply.code(403).send({ message: 'Forbidden.' });
    }
    await refresh();
    const merged = Registry.merge([processMetrics(), registry]);
    return reply.header('content-type', merged.contentType).send(await merged.metrics());
  });
}
