// Per-provider throughput limits make work wait, never drop it; a graceful stop finishes calls and puts back the rest.
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, ProviderAdapter } from '../../src/dispatch/provider.js';
import { ProviderThrottle } from '../../src/dispatch/throttle.js';
import { createDispatcher, startWorker } from '../../src/dispatch/worker.js';
import { dispatchCounts } from '../../src/store/dispatch-queue.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { eventually, fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

/** A provider that records its calls (sizes, overlap) and accepts everything, optionally after a gate opens. */
function recordingProvider(name: string, submitBatchMax: number) {
  const state = { calls: [] as number[], active: 0, maxActive: 0, perReference: new Map<string, number>() };
  let openGate: () => void = () => {};
  let gate: Promise<void> | null = null;
  const adapter: ProviderAdapter = {
    name,
    submitBatchMax,
    async submit(batch: readonly OutgoingMessage[]) {
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      state.calls.push(batch.length);
      for (const m of batch) state.perReference.set(m.reference, (state.perReference.get(m.reference) ?? 0) + 1);
      try {
        if (gate) await gate;
        return batch.map((m) => ({ accepted: `${name}-${m.reference}` }));
      } finally {
        state.active--;
      }
    },
  };
  return {
    adapter,
    state,
    closeGate() {
      gate = new Promise<void>((resolve) => {
        openGate = resolve;
      });
    },
    openGate: () => openGate(),
  };
}

describe('provider throttle', () => {
  it('spreads messages over time at the configured rate, dropping nothing', async () => {
    const clock = fakeClock();
    const startUs = clock.clockUs();
    const throttle = new ProviderThrottle({ messagesPerSecond: 100 }, clock.clockUs, async (ms) => clock.advanceMs(ms));
    const releases = [];
    for (let i = 0; i < 5; i++) releases.push(await throttle.acquire(100));
    expect(releases.every((r) => r !== null)).toBe(true);
    // The first 100 go at once (a second's burst); each next 100 waits a second for its tokens.
    const elapsedMs = (clock.clockUs() - startUs) / US_PER_MS;
    expect(elapsedMs).toBeGreaterThanOrEqual(3_990);
    expect(elapsedMs).toBeLessThan(4_100);
    expect(throttle.batchMax).toBe(100);
  });

  it('holds requests beyond the concurrency cap until one finishes, and gives up when aborted', async () => {
    const clock = fakeClock();
    const throttle = new ProviderThrottle({ concurrentRequestsMax: 2 }, clock.clockUs);
    const first = await throttle.acquire(1);
    const second = await throttle.acquire(1);
    let thirdIn = false;
    const third = throttle.acquire(1).then((release) => {
      thirdIn = true;
      return release;
    });
    const abort = new AbortController();
    const fourth = throttle.acquire(1, abort.signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(thirdIn).toBe(false);
    first?.();
    expect(await third).not.toBeNull();
    abort.abort();
    expect(await fourth).toBeNull();
    second?.();
  });
});

describeEachEngine('throughput limits and graceful stop', (engine) => {
  it('keeps a provider to its rate and concurrency, and every message still goes out', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const startUs = clock.clockUs();
    const recorder = recordingProvider('metered', 1_000);
    const router = routerWith(clock.clockUs, {
      adapters: [recorder.adapter],
      table: { routes: [], defaultProviders: ['metered'] },
    });
    const recipients = Array.from({ length: 2_000 }, (_, i) => numberEndingWith('0009', i));
    const { accountId, sending } = await storedSending(db, recipients);
    const dispatcher = createDispatcher({
      db,
      router,
      clockUs: clock.clockUs,
      batchSize: 1_000,
      throttles: { metered: { messagesPerSecond: 500, concurrentRequestsMax: 1 } },
      sleep: async (ms) => clock.advanceMs(ms),
    });
    await dispatcher.runUntilIdle();

    expect(recorder.state.calls.every((size) => size <= 500)).toBe(true);
    expect(recorder.state.calls.reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(recorder.state.maxActive).toBe(1);
    // 500 at once, then 1,500 more at 500 a second.
    expect((clock.clockUs() - startUs) / US_PER_MS).toBeGreaterThanOrEqual(2_990);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ submitted: 2_000 });
    expect(await statusOf(db, accountId, sending.id)).toBe('Processing');
  });

  it('on stop, finishes the call in flight, records it, and puts back what it had not handed over', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const recorder = recordingProvider('gated', 10);
    recorder.closeGate();
    const router = routerWith(clockUs, {
      adapters: [recorder.adapter],
      table: { routes: [], defaultProviders: ['gated'] },
    });
    const recipients = Array.from({ length: 30 }, (_, i) => numberEndingWith('0009', i));
    const { accountId, sending } = await storedSending(db, recipients);
    const worker = startWorker({
      db,
      router,
      clockUs,
      batchSize: 100,
      pollIntervalMs: 10,
      throttles: { gated: { concurrentRequestsMax: 1 } },
    });
    await eventually(async () => recorder.state.calls.length === 1, 10_000, 'the first call');
    const stopped = worker.stop();
    recorder.openGate();
    await stopped;

    const counts = await dispatchCounts(db, sending.id);
    expect(counts.byStatus).toEqual({ submitted: 10, queued: 20 });
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 100 });
    for (const m of messages.filter((x) => x.status === 'queued')) expect(m.attempts).toBe(0);
    const leased = await db.kysely
      .selectFrom('messages')
      .select('id')
      .where('sending_id', '=', sending.id)
      .where('lease_owner', 'is not', null)
      .execute();
    expect(leased).toEqual([]);

    // Another worker picks up exactly what was put back; nothing is handed over twice.
    await createDispatcher({ db, router, clockUs }).runUntilIdle();
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ submitted: 30 });
    expect(recorder.state.perReference.size).toBe(30);
    expect([...recorder.state.perReference.values()].every((n) => n === 1)).toBe(true);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
