// Messages per second the Infobip and Twilio adapters hand over to their loopback simulators.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { OutgoingMessage, ProviderAdapter } from '../src/dispatch/provider.js';
import { createInfobipProvider } from '../src/dispatch/providers/infobip/adapter.js';
import { startInfobipSimulator } from '../src/dispatch/providers/infobip/simulator.js';
import { createTwilioProvider, TWILIO_REQUESTS_IN_FLIGHT_MAX } from '../src/dispatch/providers/twilio/adapter.js';
import { startTwilioSimulator } from '../src/dispatch/providers/twilio/simulator.js';
import { DISPATCH_CONCURRENCY_DEFAULT } from '../src/domain/limits.js';
import { systemClockUs } from '../src/domain/time.js';
import { type BenchRow, formatRate } from './harness.js';

const MESSAGES = 20_000;
const LATENCY_MESSAGES = 2_000;
const LATENCY_MS = 20;
/** Reports are off in the simulators; the URL only has to be well formed, as it travels in every request. */
const PUBLIC_URL = 'http://127.0.0.1:9';

function messages(count: number, first: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    reference: String(first + i),
    recipient: `3712${String(first + i).padStart(7, '0')}`,
    sender: 'SMSgic',
    text: 'Your code is 1234',
    encoding: 'GSM-7',
    parts: ['Your code is 1234'],
    attempt: 1,
  }));
}

/** Submits `all` in the adapter's batches, `concurrency` batches at a time (as the worker's leases do). */
async function handOver(
  adapter: ProviderAdapter,
  all: readonly OutgoingMessage[],
  concurrency: number,
): Promise<number> {
  const batches: OutgoingMessage[][] = [];
  for (let i = 0; i < all.length; i += adapter.submitBatchMax) batches.push(all.slice(i, i + adapter.submitBatchMax));
  let accepted = 0;
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as OutgoingMessage[];
      const results = await adapter.submit(batch, AbortSignal.timeout(60_000));
      accepted += results.filter((r) => 'accepted' in r).length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return accepted;
}

async function measure(
  adapter: ProviderAdapter,
  count: number,
): Promise<{ perSecond: number; accepted: number; elapsedMs: number }> {
  // Warm-up: connections opened, code paths compiled.
  await handOver(
    adapter,
    messages(adapter.submitBatchMax * DISPATCH_CONCURRENCY_DEFAULT, 1),
    DISPATCH_CONCURRENCY_DEFAULT,
  );
  const start = performance.now();
  const accepted = await handOver(adapter, messages(count, 10_000_000), DISPATCH_CONCURRENCY_DEFAULT);
  const elapsedMs = performance.now() - start;
  return { perSecond: (accepted / elapsedMs) * 1000, accepted, elapsedMs };
}

function row(
  name: string,
  result: { perSecond: number; accepted: number; elapsedMs: number },
  notes: string,
): BenchRow {
  return {
    name,
    result: formatRate(result.perSecond, 'messages/s'),
    target: '',
    notes: `${result.accepted.toLocaleString('en-US')} accepted in ${Math.round(result.elapsedMs).toLocaleString('en-US')} ms; ${notes}`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const infobip = await startInfobipSimulator({ reportDelayMs: null });
  try {
    const adapter = createInfobipProvider(
      { baseUrl: infobip.url, apiKey: infobip.apiKey },
      { clockUs: systemClockUs, publicUrl: PUBLIC_URL },
    );
    const result = await measure(adapter, MESSAGES);
    rows.push(
      row(
        `Infobip adapter → simulator, ${MESSAGES.toLocaleString('en-US')} messages`,
        result,
        `${adapter.submitBatchMax} per request, ${DISPATCH_CONCURRENCY_DEFAULT} requests at once; simulator in the same process`,
      ),
    );
  } finally {
    await infobip.close();
  }

  for (const latencyMs of [0, LATENCY_MS]) {
    const twilio = await startTwilioSimulator({ callbackDelayMs: null, responseDelayMs: latencyMs });
    try {
      const adapter = createTwilioProvider(
        { baseUrl: twilio.url, accountSid: twilio.accountSid, authToken: twilio.authToken },
        { clockUs: systemClockUs, publicUrl: PUBLIC_URL },
      );
      const count = latencyMs === 0 ? MESSAGES : LATENCY_MESSAGES;
      const result = await measure(adapter, count);
      rows.push(
        row(
          `Twilio adapter → simulator, ${count.toLocaleString('en-US')} messages${latencyMs ? `, ${latencyMs} ms per answer` : ''}`,
          result,
          `one request per message, ${TWILIO_REQUESTS_IN_FLIGHT_MAX} in flight; simulator in the same process`,
        ),
      );
    } finally {
      await twilio.close();
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) process.stdout.write(`${r.name}: ${r.result} (${r.notes})\n`);
}
