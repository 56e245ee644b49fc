// Polled reports at a bounded rate: a batch per round, each message asked ever less often up to a cap, expired on time.
import { expect, it } from 'vitest';
import type { DeliveryReport, ProviderAdapter, SubmittedMessage } from '../../src/dispatch/provider.js';
import { createDispatcher, NO_REPORT } from '../../src/dispatch/worker.js';
import { US_PER_MS } from '../../src/domain/time.js';
import { listMessages } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, storedSending } from './support.js';

const SECOND_MS = 1_000;

describeEachEngine('polled delivery reports', (engine) => {
  it('asks in bounded batches, ever less often up to the cap, notes a non-final word and expires on time', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const startUs = clock.clockUs();
    const asks: { atMs: number; ids: string[] }[] = [];
    let accepted = 0;
    // A provider at the boundary: accepts everything, and answers every poll with its own non-final word.
    const polled: ProviderAdapter = {
      name: 'polled',
      submitBatchMax: 10,
      pollIntervalMs: SECOND_MS,
      pollIntervalMaxMs: 8 * SECOND_MS,
      pollBatchMax: 2,
      reportWaitMaxMs: 60 * SECOND_MS,
      async submit(batch) {
        return batch.map(() => ({ accepted: `P${++accepted}` }));
      },
      async poll(submitted: readonly SubmittedMessage[]): Promise<readonly DeliveryReport[]> {
        asks.push({ atMs: (clock.clockUs() - startUs) / US_PER_MS, ids: submitted.map((m) => m.providerMessageId) });
        return submitted.map((m) => ({
          providerMessageId: m.providerMessageId,
          status: 'submitted',
          providerStatus: 'sent',
        }));
      },
    };
    const recipients = Array.from({ length: 3 }, (_, i) => numberEndingWith('8100', i));
    const { accountId, sending } = await storedSending(db, recipients);
    const router = routerWith(clock.clockUs, {
      adapters: [polled],
      table: { routes: [], defaultProviders: ['polled'] },
    });
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, pollIntervalMs: 100 });
    await dispatcher.runOnce();
    for (let t = 0; t < 70_000; t += 100) {
      clock.advanceMs(100);
      await dispatcher.runOnce();
    }

    // Never more than the batch per round.
    expect(asks.length).toBeGreaterThan(0);
    for (const ask of asks) expect(ask.ids.length).toBeLessThanOrEqual(2);
    const first = asks.filter((a) => a.ids.includes('P1')).map((a) => a.atMs);
    expect(first[0]).toBeGreaterThanOrEqual(SECOND_MS);
    const gaps = first.slice(1).map((at, i) => at - (first[i] as number));
    // Apart by at least the interval, growing, never more than the cap (and a poll round) apart.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(SECOND_MS);
      expect(gap).toBeLessThanOrEqual(8 * SECOND_MS + 100);
    }
    expect(Math.max(...gaps)).toBeGreaterThan(4 * SECOND_MS);
    // Far fewer asks than one per round: the non-final answer does not make a message due again at once.
    expect(first.length).toBeLessThan(20);

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    for (const m of messages) {
      expect(m).toMatchObject({ status: 'expired', error: NO_REPORT, providerStatus: 'sent' });
      // Expired at the end of its wait, not a whole backoff step later.
      expect(((m.finalAtUs as number) - (m.submittedAtUs as number)) / US_PER_MS).toBeLessThanOrEqual(
        60 * SECOND_MS + 200,
      );
    }
  });
});
