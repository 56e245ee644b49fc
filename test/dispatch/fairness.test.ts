// Leases take turns among due sendings: a small sending is not held back behind a large one created before it.
import { expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { leaseDueMessages, type RoutePlan } from '../../src/store/dispatch-queue.js';
import { auditLedger } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

const SANDBOX_ONLY: RoutePlan = { byType: new Map(), byNetwork: [], byCountry: [], defaults: ['sandbox'] };
const BATCH = 50;

function numbers(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => numberEndingWith('0009', offset + i));
}

describeEachEngine('fair leasing', (engine) => {
  it('hands the small sending over in the first batches, before most of the large one', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const batches: string[][] = [];
    const recording: ProviderAdapter = {
      name: 'recording',
      submitBatchMax: BATCH,
      submit: async (batch) => {
        batches.push(batch.map((m) => m.recipient));
        return batch.map((m) => ({ accepted: `r-${m.reference}` }));
      },
    };
    const large = await storedSending(db, numbers(20 * BATCH, 200_000));
    const smallNumbers = numbers(3, 300_000);
    const small = await storedSending(db, smallNumbers);
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, {
        adapters: [recording],
        table: { routes: [], defaultProviders: ['recording'] },
      }),
      clockUs: clock.clockUs,
      batchSize: BATCH,
      concurrency: 1,
      reportWaitMaxMs: 1,
    });
    await dispatcher.runUntilIdle();
    const smallBatch = batches.findIndex((batch) => batch.some((recipient) => smallNumbers.includes(recipient)));
    expect(batches.flat()).toHaveLength(20 * BATCH + 3);
    expect(batches.length).toBeGreaterThanOrEqual(21);
    expect(smallBatch).toBeGreaterThanOrEqual(0);
    expect(smallBatch).toBeLessThanOrEqual(1);
    expect(batches[smallBatch]?.filter((r) => smallNumbers.includes(r))).toHaveLength(3);
    expect(await statusOf(db, large.accountId, large.sending.id)).toBe('Processing');
    clock.advanceMs(10);
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, small.accountId, small.sending.id)).toBe('Completed');
    expect(await statusOf(db, large.accountId, large.sending.id)).toBe('Completed');
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
  it('serves a sending created after a large one within the next lease, not after the large one', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const large = await storedSending(db, numbers(10 * BATCH, 0));
    const small = await storedSending(db, numbers(1, 100_000));
    const leasedFrom = new Set<number>();
    for (let i = 0; i < 2; i++) {
      const lease = await leaseDueMessages(
        db,
        { workerId: `w${i}`, nowUs: clock.clockUs(), leaseUs: 60_000_000, limit: BATCH },
        SANDBOX_ONLY,
      );
      for (const message of lease.messages) leasedFrom.add(message.sendingId);
      clock.advanceMs(1);
    }
    expect(leasedFrom).toContain(small.sending.id);
    expect(leasedFrom).toContain(large.sending.id);
  });
});
