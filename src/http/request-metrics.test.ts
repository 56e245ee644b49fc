// The HTTP metrics print exactly as prom-client's own Counter and Histogram print the same answers.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const COUNTER = ['smsgic_http_requests_total', 'HTTP requests answered'] as const;
const HISTOGRAM = ['smsgic_http_request_duration_seconds', 'Time to answer'] as const;

/** Answers as [method, route, status, seconds]: bounds hit exactly, values past the last bound, odd route text. */
const ANSWERS: [string, string, number, number][] = [
  ['GET', '/balance', 200, 0.0004],
  ['GET', '/balance', 200, 0.005],
  ['GET', '/balance', 401, 0.0021],
  ['HEAD', '/status', 200, 0],
  ['POST', '/sendings', 200, 0.3],
  ['GET', '/balance', 200, 31.5],
  ['POST', '/sendings', 422, 0.049999],
  ['GET', 'unmatched', 404, 0.001],
  ['GET', '/a "quoted" \\ route\nline', 200, 0.26],
  ['POST', '/sendings', 200, 10],
];

function ours(): Registry {
  const registry = new Registry();
  const metrics = new RequestMetrics(BUCKETS);
  registry.registerMetric(metrics.counter(...COUNTER));
  registry.registerMetric(metrics.histogram(...HISTOGRAM));
  for (const [method, route, status, seconds] of ANSWERS) metrics.observe(method, route, status, seconds);
  return registry;
}

function promClients(): Registry {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status_code'];
  const counter = new Counter({ name: COUNTER[0], help: COUNTER[1], labelNames, registers: [registry] });
  const histogram = new Histogram({
    name: HISTOGRAM[0],
    help: HISTOGRAM[1],
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of ANSWERS) {
    const labels = { method, route, status_code: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
  }
  return registry;
}

describe('HTTP request metrics', () => {
  it('print the same Prometheus text as prom-client, merged with other registries too', async () => {
    const text = await ours().metrics();
    expect(text).toBe(await promClients().metrics());
    expect(text).toContain(
      'smsgic_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/balance",status_code="200"} 2',
    );
    expect(text).toContain('smsgic_http_requests_total{method="POST",route="/sendings",status_code="200"} 2');
    const other = new Registry();
    expect(await Registry.merge([other, ours()]).metrics()).toBe(
      await Registry.merge([other, promClients()]).metrics(),
    );
  });

  it('read as the same JSON as prom-client, but for its exemplars (which are off)', async () => {
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, exemplar: undefined })) }));
    expect(withoutExemplars(await ours().getMetricsAsJSON())).toEqual(
      withoutExemplars(await promClients().getMetricsAsJSON()),
    );
  });
});
