// Scheduled sendings wait for their time; a cancelled sending is never handed over; cancel refuses once dispatch began.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { messageReference } from '../../src/dispatch/provider.js';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { dispatchCounts, type LeaseRouting, leaseDueMessages } from '../../src/store/dispatch-queue.js';
import { readInstallationId } from '../../src/store/installation.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { cancelSending } from '../../src/store/sending-cancel.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const HOUR_MS = 60 * 60 * 1000;

describeEachEngine('scheduling and cancel', (engine) => {
  it('leaves a scheduled sending alone until its time, then sends it', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const upstream = createMemorySandboxUpstream({ soleProcess: true });
    const scheduledAtUs = clock.clockUs() + HOUR_MS * US_PER_MS;
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)], {
      scheduledAtUs,
    });
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, { upstream }),
      clockUs: clock.clockUs,
    });

    await dispatcher.runUntilIdle();
    clock.advanceMs(HOUR_MS - 1);
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, accountId, sending.id)).toBe('Pending');
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ queued: 2 });
    expect(upstream.size).toBe(0);

    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    expect(upstream.size).toBe(2);
  });

  it('never hands over the messages of a cancelled sending, ends them cancelled, and refunds it in full', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const upstream = createMemorySandboxUpstream({ soleProcess: true });
    const { accountId, sending, totalMinor } = await storedSending(db, [numberEndingWith('0009')], { taxMinor: 77 });
    expect(await cancelSending(db, sending.id, accountId)).toEqual({ ok: true, refundedMinor: totalMinor, accountId });

    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, { upstream }),
      clockUs: clock.clockUs,
    });
    await dispatcher.runUntilIdle();
    clock.advanceMs(HOUR_MS);
    await dispatcher.runUntilIdle();
    expect(upstream.size).toBe(0);
    expect(await statusOf(db, accountId, sending.id)).toBe('Cancelled');
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ cancelled: 1 });
    expect(await getBalance(db, accountId)).toBe(totalMinor);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('refuses to cancel once a message has been leased, and the sending then completes', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)]);
    // A worker leases one message and dies before handing it over.
    const lease = await leaseDueMessages(
      db,
      { workerId: 'gone', nowUs: clock.clockUs(), leaseUs: 30_000 * US_PER_MS, limit: 1 },
      SANDBOX_ONLY,
    );
    expect(lease.messages).toHaveLength(1);
    expect(await cancelSending(db, sending.id, accountId)).toEqual({
      ok: false,
      reason: 'not_pending',
      status: 'Processing',
    });

    const upstream = createMemorySandboxUpstream({ soleProcess: true });
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, { upstream }),
      clockUs: clock.clockUs,
    });
    await dispatcher.runUntilIdle();
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ delivered: 1, submitting: 1 });
    // After the lease expires, the sandbox says it never got that message: it is queued again and sent once.
    clock.advanceMs(30_000);
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    const reference = messageReference(await readInstallationId(db), lease.messages[0]?.id ?? 0);
    expect(upstream.submitCalls(reference)).toBe(1);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ delivered: 2 });
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it.skipIf(engine.name !== 'postgres')(
    'leases nothing of a sending cancelled while the lease runs (the cancel committed first)',
    async () => {
      const db = engine.db;
      const other = await engine.open();
      const clock = fakeClock();
      const { sending } = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)]);
      let leased: Promise<number> | undefined;
      await other.transaction(async (trx) => {
        await trx.updateTable('sendings').set({ status: 'Cancelled' }).where('id', '=', sending.id).execute();
        // The lease reads the sending as Pending (the cancel is not committed), takes the messages, then waits on
        // the sending's row lock; when the cancel commits it finds the sending Cancelled and starts over.
        leased = leaseDueMessages(
          db,
          { workerId: 'racer', nowUs: clock.clockUs(), leaseUs: 30_000 * US_PER_MS, limit: 10 },
          SANDBOX_ONLY,
        ).then((lease) => lease.messages.length);
        await sleep(300);
      });
      expect(await leased).toBe(0);
      expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ queued: 2 });
    },
  );
});
