// The HTTP requests counter and latency histogram, counted per request without prom-client's per-call label work.
import type { Metric } from 'prom-client';

/** The labels of one series: method, route pattern and status code, in this order in the text. */
export interface RequestLabels {
  readonly method: string;
  readonly route: string;
  readonly status_code: string;
}

/** One line of the text: its own labels (a bucket's `le`) and, after them, those of its series. */
interface Sample {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly sharedLabels?: Record<string, string>;
  readonly value: number;
}

interface Series {
  readonly labels: RequestLabels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative): the first bound at or above each value; above all of them, none. */
  readonly buckets: number[];
}

/**
 * Requests by method, route pattern and status code, with their latency: what prom-client's Counter and Histogram
 * would hold and print, but each request finds its series with one map lookup. prom-client's own metrics validate,
 * hash and copy the labels on every call, which costs an API request more than a few percent of its time.
 */
export class RequestMetrics {
  readonly #bounds: readonly number[];
  /** By route, then by method, then by status code: keys whose hashes are known, no string built per answer. */
  readonly #byRoute = new Map<string, Map<string, Map<number, Series>>>();
  /** In the order they were first seen, as prom-client lists its series. */
  readonly #series: Series[] = [];

  constructor(bucketBoundsSeconds: readonly number[]) {
    this.#bounds = [...bucketBoundsSeconds].sort((a, b) => a - b);
  }

  /** Counts one answer of `route` and how long it took. */
  observe(method: string, route: string, statusCode: number, seconds: number): void {
    let ofRoute = this.#byRoute.get(route);
    if (ofRoute === undefined) {
      ofRoute = new Map();
      this.#byRoute.set(route, ofRoute);
    }
    let ofMethod = ofRoute.get(method);
    if (ofMethod === undefined) {
      ofMethod = new Map();
      ofRoute.set(method, ofMethod);
    }
    let series = ofMethod.get(statusCode);
    if (series === undefined) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        count: 0,
        sum: 0,
        buckets: this.#bounds.map(() => 0),
      };
      ofMethod.set(statusCode, series);
      this.#series.push(series);
    }
    series.count += 1;
    series.sum += seconds;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        (series.buckets[i] as number) += 1;
        break;
      }
    }
  }

  /** The counter of answers, for a prom-client Registry. */
  counter(name: string, help: string): Metric {
    const values = (): Sample[] => this.#series.map((s) => ({ labels: { ...s.labels }, value: s.count }));
    return registrable(name, help, 'counter', values);
  }

  /** The latency histogram (seconds), for a prom-client Registry: buckets, +Inf, sum and count of each series. */
  histogram(name: string, help: string): Metric {
    const values = (): Sample[] =>
      this.#series.flatMap((s) => {
        const sharedLabels = { ...s.labels };
        let cumulative = 0;
        const lines: Sample[] = this.#bounds.map((le, i) => {
          cumulative += s.buckets[i] as number;
          return { metricName: `${name}_bucket`, labels: { le }, sharedLabels, value: cumulative };
        });
        lines.push(
          { metricName: `${name}_bucket`, labels: { le: '+Inf' }, sharedLabels, value: s.count },
          { metricName: `${name}_sum`, labels: {}, sharedLabels, value: s.sum },
          { metricName: `${name}_count`, labels: {}, sharedLabels, value: s.count },
        );
        return lines;
      });
    return registrable(name, help, 'histogram', values);
  }
}

/**
 * What a prom-client Registry reads of a metric (registerMetric, merge, metrics, getMetricsAsJSON): its name, help and
 * type, and its samples from getForPromString (a series' labels apart, as its own metrics give them) or get (merged).
 * The Registry's types name its own metric classes only.
 */
function registrable(name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]): Metric {
  const metric = (values: Sample[]) => ({ name, help, type, aggregator: 'sum', values });
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    getForPromString: async () => metric(samples()),
    get: async () =>
      metric(
        samples().map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })),
      ),
  } as unknown as Metric;
}
