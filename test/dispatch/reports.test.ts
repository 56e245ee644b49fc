// Delivery reports: forward only, idempotent, kept until their id is stored; no report at all ends as expired.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { createDispatcher, NO_REPORT } from '../../src/dispatch/worker.js';
import { dispatchCounts, type LeaseRouting, leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports, countKeptReports, sweepKeptReports } from '../../src/store/reports.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { signal } from '../support/signal.js';
import { fakeClock, numberEndingWith, RATE_MINOR, routerWith, statusOf, storedSending } from './support.js';

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const HOUR_MS = 60 * 60 * 1000;

describeEachEngine('delivery reports', (engine) => {
  it('never moves a status back: duplicates, older and later-final reports change nothing', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)]);
    // The sandbox would report an hour later: these reports come first, as a webhook provider's would.
    const router = routerWith(clock.clockUs, { reportDelayMs: HOUR_MS });
    await createDispatcher({ db, router, clockUs: clock.clockUs }).runUntilIdle();
    const [first, second] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    const firstId = first?.providerMessageId ?? '';
    const secondId = second?.providerMessageId ?? '';
    expect(first?.status).toBe('submitted');

    const report = (providerMessageId: string, status: 'submitted' | 'delivered' | 'undelivered', atMs: number) => ({
      provider: 'sandbox',
      providerMessageId,
      status,
      reportedAtUs: clock.clockUs() + atMs * US_PER_MS,
    });
    expect(await applyReports(db, clock.clockUs(), [report(firstId, 'delivered', 5)])).toEqual({
      applied: 1,
      ignored: 0,
      kept: 0,
    });
    // In one batch the first final report of a message stands; the rest are ignored.
    expect(
      await applyReports(db, clock.clockUs(), [
        report(firstId, 'delivered', 5),
        report(firstId, 'submitted', 1),
        report(firstId, 'undelivered', 9),
        report(secondId, 'undelivered', 7),
        report(secondId, 'delivered', 8),
      ]),
    ).toEqual({ applied: 1, ignored: 4, kept: 0 });

    const after = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(after.map((m) => [m.status, m.finalAtUs])).toEqual([
      ['delivered', clock.clockUs() + 5 * US_PER_MS],
      ['undelivered', clock.clockUs() + 7 * US_PER_MS],
    ]);
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    // Reports change statuses, never money: both were accepted, both stay charged.
    expect(await getBalance(db, accountId)).toBe(0);
  });

  it('keeps a report that comes before its id is stored, and applies it when the id arrives', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const nowUs = clock.clockUs();
    const lease = await leaseDueMessages(
      db,
      { workerId: 'w1', nowUs, leaseUs: 30_000 * US_PER_MS, limit: 10 },
      SANDBOX_ONLY,
    );
    const messageId = lease.messages[0]?.id ?? 0;

    expect(
      await applyReports(db, nowUs, [{ provider: 'sandbox', providerMessageId: 'early-1', status: 'delivered' }]),
    ).toEqual({ applied: 0, ignored: 0, kept: 1 });
    expect(await countKeptReports(db)).toBe(1);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ submitting: 1 });

    await recordOutcomes(
      db,
      { workerId: 'w1', nowUs },
      { accepted: [{ id: messageId, providerMessageId: 'early-1', nextPollAtUs: nowUs + HOUR_MS * US_PER_MS }] },
    );
    expect(await countKeptReports(db)).toBe(0);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ delivered: 1 });
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
  });

  it.runIf(engine.name === 'postgres')(
    'applies at once a report that raced the transaction storing its id (no wait for the sweep)',
    async () => {
      const db = engine.db;
      const clock = fakeClock();
      const { sending } = await storedSending(db, [numberEndingWith('0009')]);
      const nowUs = clock.clockUs();
      const lease = await leaseDueMessages(db, { workerId: 'w9', nowUs, leaseUs: 1_000_000, limit: 10 }, SANDBOX_ONLY);
      const messageId = lease.messages[0]?.id ?? 0;
      // Another connection holds the sending's row: storing the id stops after its probe of the kept reports, before
      // it commits, as a settlement does when it is slower than the provider's receipt.
      const holder = await engine.open();
      const busy = async (pattern: string) => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like ${pattern}`.execute(
          holder.kysely,
        );
        return (rows[0]?.n ?? 0) > 0;
      };
      const released = signal();
      const held = signal();
      const holding = holder.transaction(async (trx) => {
        await sql`select id from sendings where id = ${sending.id} for update`.execute(trx);
        held.fire();
        await released.fired;
      });
      await held.fired;
      const storing = recordOutcomes(
        db,
        { workerId: 'w9', nowUs },
        { accepted: [{ id: messageId, providerMessageId: 'raced-1', nextPollAtUs: nowUs + HOUR_MS * US_PER_MS }] },
      );
      for (let i = 0; i < 500 && !(await busy('%from "sendings"%')); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await busy('%from "sendings"%')).toBe(true);
      // The receipt comes now: its id is stored but not committed.
      const reporting = applyReports(db, nowUs, [
        { provider: 'sandbox', providerMessageId: 'raced-1', status: 'delivered' },
      ]);
      let reported = false;
      void reporting.then(() => {
        reported = true;
      });
      for (let i = 0; i < 500 && !reported && !(await busy('%pg_advisory_xact_lock(%')); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      released.fire();
      await Promise.all([holding, storing, reporting]);
      await holder.close();
      expect(await countKeptReports(db)).toBe(0);
      expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ delivered: 1 });
    },
  );

  it("notes a provider's non-final word on a submitted message only, kept too until its id is stored", async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0019', 1), numberEndingWith('0019', 2)]);
    const nowUs = clock.clockUs();
    const lease = await leaseDueMessages(db, { workerId: 'w3', nowUs, leaseUs: 1_000_000, limit: 10 }, SANDBOX_ONLY);
    const [first, second] = lease.messages.map((m) => m.id);
    const word = (providerMessageId: string, providerStatus: string) => ({
      provider: 'sandbox',
      providerMessageId,
      status: 'submitted' as const,
      providerStatus,
    });
    // The second's `sent` comes before its id is stored: kept with its word.
    expect(await applyReports(db, nowUs, [word('pw-2', 'sent')])).toEqual({ applied: 0, ignored: 0, kept: 1 });
    await recordOutcomes(
      db,
      { workerId: 'w3', nowUs },
      {
        accepted: [
          { id: first ?? 0, providerMessageId: 'pw-1', nextPollAtUs: nowUs + 1e12 },
          { id: second ?? 0, providerMessageId: 'pw-2', nextPollAtUs: nowUs + 1e12 },
        ],
      },
    );
    await applyReports(db, nowUs, [word('pw-1', 'queued'), word('pw-1', 'sent')]);
    const shown = async () =>
      (await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 })).map((m) => [
        m.status,
        m.providerStatus,
      ]);
    expect(await shown()).toEqual([
      ['submitted', 'sent'],
      ['submitted', 'sent'],
    ]);
    // A final report ends it and keeps the last word; a later non-final one changes nothing.
    await applyReports(db, nowUs, [{ provider: 'sandbox', providerMessageId: 'pw-1', status: 'delivered' }]);
    expect(await applyReports(db, nowUs, [word('pw-1', 'queued')])).toEqual({ applied: 0, ignored: 1, kept: 0 });
    expect(await shown()).toEqual([
      ['delivered', 'sent'],
      ['submitted', 'sent'],
    ]);
  });

  it('sweeps up a kept report its id missed, and forgets reports for ids that never come', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const nowUs = clock.clockUs();
    const lease = await leaseDueMessages(db, { workerId: 'w2', nowUs, leaseUs: 1_000_000, limit: 10 }, SANDBOX_ONLY);
    await recordOutcomes(
      db,
      { workerId: 'w2', nowUs },
      { accepted: [{ id: lease.messages[0]?.id ?? 0, providerMessageId: 'late-1', nextPollAtUs: nowUs + 1e12 }] },
    );
    // As if kept by a transaction that ran alongside the one that stored the id, so neither saw the other.
    await db.transaction((trx) =>
      trx
        .insertInto('pending_reports')
        .values([
          {
            provider: 'sandbox',
            provider_message_id: 'late-1',
            status: 'expired',
            error: 'x',
            reported_at_us: nowUs,
            received_at_us: nowUs,
          },
          {
            provider: 'sandbox',
            provider_message_id: 'never',
            status: 'delivered',
            error: null,
            reported_at_us: 0,
            received_at_us: 0,
          },
        ])
        .execute(),
    );
    expect(await sweepKeptReports(db, nowUs, { keepUs: HOUR_MS * US_PER_MS, limit: 100 })).toEqual({
      applied: 1,
      dropped: 1,
    });
    expect(await countKeptReports(db)).toBe(0);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ expired: 1 });
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
  });

  it('marks expired, still charged, a message no report finishes within the wait', async () => {
    const db = engine.db;
    const clock = fakeClock();
    // A provider that accepts and never reports (one that calls back, whose callback never comes).
    const silent: ProviderAdapter = {
      name: 'silent',
      submitBatchMax: 100,
      submit: async (batch) => batch.map((m) => ({ accepted: `s-${m.reference}` })),
    };
    const router = routerWith(clock.clockUs, {
      adapters: [silent],
      table: { routes: [], defaultProviders: ['silent'] },
    });
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, reportWaitMaxMs: 10 * 60 * 1000 });
    await dispatcher.runUntilIdle();
    clock.advanceMs(10 * 60 * 1000 - 1);
    await dispatcher.runUntilIdle();
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ submitted: 1 });
    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.status, message?.error]).toEqual(['expired', NO_REPORT]);
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    expect(await getBalance(db, accountId)).toBe(0);
    expect(RATE_MINOR).toBeGreaterThan(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it("ends a message's wait for its report after its provider's own wait, not the platform's", async () => {
    const db = engine.db;
    const clock = fakeClock();
    // Like Twilio where carriers send no receipt: `sent` is its last word, so its messages wait a shorter time.
    const quiet: ProviderAdapter = {
      name: 'quiet',
      submitBatchMax: 100,
      reportWaitMaxMs: 60 * 60 * 1000,
      submit: async (batch) => batch.map((m) => ({ accepted: `q-${m.reference}` })),
    };
    const router = routerWith(clock.clockUs, { adapters: [quiet], table: { routes: [], defaultProviders: ['quiet'] } });
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0019')]);
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, reportWaitMaxMs: 72 * 60 * 60 * 1000 });
    await dispatcher.runUntilIdle();
    clock.advanceMs(60 * 60 * 1000 - 1);
    await dispatcher.runUntilIdle();
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ submitted: 1 });
    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.status, message?.error]).toEqual(['expired', NO_REPORT]);
  });
});
