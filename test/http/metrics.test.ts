// GET /metrics: Prometheus text with HTTP traffic by route pattern, process metrics and the platform's gauges read from
// the database; served to loopback clients, or to holders of METRICS_TOKEN, and to nobody else.
import { beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { buildApp } from '../../src/http/app.js';
import type { MetricsOptions } from '../../src/http/metrics.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createDb, type Db } from '../../src/store/db.js';
import { readMetricsViews } from '../../src/store/metrics-views.js';
import { routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, openAccount } from '../support/http-app.js';

const plan = loadNumberingPlan();

async function appWith(db: Db, metrics: MetricsOptions) {
  const app = await buildApp({
    services: createApiServices({ db, plan, availableTypes: new Set(['default']) }),
    rateLimitPerMinute: 100_000,
    calculateRateLimitPerMinute: 100_000,
    bodyLimitBytes: 1024 * 1024,
    metrics,
  });
  await app.ready();
  return app;
}

/** The value of one sample line (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeEachEngine('GET /metrics', (engine) => {
  let customer: ApiAccount;

  beforeAll(async () => {
    await bootstrap(engine.db, plan);
    customer = await openAccount(engine.db, { balance: '100', currency: 'EUR' });
  });

  it('counts requests by route pattern and status, never by raw URL, with latency histograms and process metrics', async () => {
    const app = await appWith(engine.db, {});
    try {
      await app.inject({ method: 'GET', url: '/status' });
      await app.inject({ method: 'GET', url: '/sendings/987654', headers: customer.headers });
      await app.inject({ method: 'GET', url: '/sendings/123456', headers: customer.headers });
      await app.inject({ method: 'GET', url: '/wp-admin/secret-probe?x=1' });
      await app.inject({ method: 'GET', url: '/balance' });
      await app.inject({ method: 'HEAD', url: '/status' });

      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(sample(text, 'smsgic_http_requests_total{method="GET",route="/status",status_code="200"}')).toBe(1);
      expect(sample(text, 'smsgic_http_requests_total{method="GET",route="/sendings/:id",status_code="404"}')).toBe(2);
      expect(sample(text, 'smsgic_http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBe(1);
      expect(sample(text, 'smsgic_http_requests_total{method="GET",route="/balance",status_code="401"}')).toBe(1);
      expect(sample(text, 'smsgic_http_requests_total{method="HEAD",route="/status",status_code="200"}')).toBe(1);
      expect(
        sample(
          text,
          'smsgic_http_request_duration_seconds_count{method="GET",route="/sendings/:id",status_code="404"}',
        ),
      ).toBe(2);
      expect(text).toContain('smsgic_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/status"');
      for (const raw of ['987654', '123456', 'wp-admin', 'secret-probe']) expect(text).not.toContain(raw);
      // Process metrics (collectDefaultMetrics).
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      // Without views, no platform gauges.
      expect(text).not.toContain('smsgic_queue_depth');
    } finally {
      await app.close();
    }
  });

  it('reports queue depth, messages by provider and status, sendings and ledger totals from the database', async () => {
    const app = await appWith(engine.db, { views: () => readMetricsViews(engine.db), viewsCacheMs: 0 });
    try {
      const account = await openAccount(engine.db, { balance: '50', currency: 'USD' });
      const before = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const created = await app.inject({
        method: 'POST',
        url: '/sendings',
        headers: account.headers,
        payload: { message: 'Your code is 1', recipients: ['37126123456', '37126120004'], sender: account.sender },
      });
      expect(created.statusCode).toBe(200);

      const queued = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(queued, 'smsgic_database_up')).toBe(1);
      const queuedBefore = sample(before, 'smsgic_queue_depth{status="queued"}') ?? 0;
      expect(sample(queued, 'smsgic_queue_depth{status="queued"}')).toBe(queuedBefore + 2);
      expect(sample(queued, 'smsgic_messages{provider="none",status="queued"}')).toBeGreaterThanOrEqual(2);
      expect(sample(queued, 'smsgic_ledger_entries{kind="credit",currency="USD"}')).toBe(1);
      expect(sample(queued, 'smsgic_ledger_amount{kind="credit",currency="USD"}')).toBe(50);
      expect(sample(queued, 'smsgic_ledger_entries{kind="reservation",currency="USD"}')).toBe(1);
      expect(sample(queued, 'smsgic_ledger_amount{kind="reservation",currency="USD"}')).toBeLessThan(0);
      expect(sample(queued, 'smsgic_sendings{status="Pending"}')).toBeGreaterThanOrEqual(1);

      // Dispatched through the sandbox: one delivered, one (…0004) refused at submission and refunded.
      const dispatcher = createDispatcher({ db: engine.db, router: routerWith(() => engine.db.nowUs()) });
      await dispatcher.runUntilIdle();
      const done = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(done, 'smsgic_queue_depth{status="queued"}')).toBe(queuedBefore);
      expect(sample(done, 'smsgic_queue_depth{status="submitting"}')).toBe(0);
      expect(sample(done, 'smsgic_messages{provider="sandbox",status="delivered"}')).toBeGreaterThanOrEqual(1);
      expect(sample(done, 'smsgic_messages{provider="sandbox",status="rejected"}')).toBeGreaterThanOrEqual(1);
      expect(sample(done, 'smsgic_ledger_entries{kind="refund",currency="USD"}')).toBe(1);
      expect(sample(done, 'smsgic_sendings{status="Completed"}')).toBeGreaterThanOrEqual(1);
      expect(sample(done, 'smsgic_queue_lag_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      await app.close();
    }
  });

  it('reads the database at most once per cache period, however often it is scraped', async () => {
    let reads = 0;
    const app = await appWith(engine.db, {
      views: () => {
        reads++;
        return readMetricsViews(engine.db);
      },
      viewsCacheMs: 60_000,
    });
    try {
      const scrapes = await Promise.all(
        Array.from({ length: 5 }, () => app.inject({ method: 'GET', url: '/metrics' })),
      );
      for (const s of scrapes) expect(s.statusCode).toBe(200);
      await app.inject({ method: 'GET', url: '/metrics' });
      expect(reads).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('says the database is down, and drops the stale gauges, when the aggregates cannot be read', async () => {
    // A database nothing listens for: every query is refused.
    const unreachable = await createDb('postgres://postgres@127.0.0.1:1/nowhere', { connectTimeoutMs: 500 });
    const app = await appWith(engine.db, { views: () => readMetricsViews(unreachable), viewsCacheMs: 0 });
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(sample(res.body, 'smsgic_database_up')).toBe(0);
      expect(res.body).not.toMatch(/^smsgic_queue_depth\{/m);
    } finally {
      await app.close();
      await unreachable.close();
    }
  });

  it('without METRICS_TOKEN, serves loopback clients only, and not requests a proxy forwarded', async () => {
    const app = await appWith(engine.db, {});
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
      const outside = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
      expect(outside.statusCode).toBe(403);
      expect(outside.json()).toEqual({ message: 'Forbidden.' });
      expect(outside.body).not.toContain('smsgic_');
      const forwarded = await app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(forwarded.statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('with METRICS_TOKEN, serves exactly the holders of that bearer token, wherever they are', async () => {
    const app = await appWith(engine.db, { token: 'scrape-secret-7f3a' });
    try {
      const none = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ message: 'Unauthenticated.' });
      const wrong = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret-7f3b' },
      });
      expect(wrong.statusCode).toBe(401);
      // An API token of an account is not the metrics token.
      const apiToken = await app.inject({ method: 'GET', url: '/metrics', headers: customer.headers });
      expect(apiToken.statusCode).toBe(401);
      const right = await app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '198.51.100.20',
        headers: { authorization: 'Bearer scrape-secret-7f3a' },
      });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('smsgic_http_requests_total');
    } finally {
      await app.close();
    }
  });
});
