// A stored sending goes out through the sandbox: statuses per number, settlement, and the ledger after dispatch.
import { expect, it } from 'vitest';
import { SANDBOX_ERRORS } from '../../src/dispatch/providers/sandbox/adapter.js';
import { createDispatcher, startWorker } from '../../src/dispatch/worker.js';
import { dispatchRefundMinor } from '../../src/domain/status.js';
import { dispatchCounts } from '../../src/store/dispatch-queue.js';
import { DISPATCH_SETTLEMENT_KEY } from '../../src/store/dispatch-settlement.js';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { createSending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending, recipientOf, sendingTotalMinor } from '../support/store-fixtures.js';
import { eventually, fakeClock, numberEndingWith, RATE_MINOR, routerWith, statusOf, storedSending } from './support.js';

describeEachEngine('dispatch through the sandbox', (engine) => {
  it('takes a 10,000-recipient sending to Completed with every message final and the ledger exact', async () => {
    const db = engine.db;
    const shape = { recipients: 10_000, rateMinor: RATE_MINOR };
    const accountId = await fundedAccount(db, sendingTotalMinor(shape));
    const created = await createSending(db, newSending(accountId, shape));
    if (!created.ok) throw new Error(created.reason);
    const sendingId = created.sending.id;

    const clockUs = () => db.nowUs();
    const worker = startWorker({
      db,
      router: routerWith(clockUs),
      clockUs,
      batchSize: 1_000,
      pollIntervalMs: 20,
      retry: { backoffBaseMs: 1 },
    });
    try {
      await eventually(async () => (await statusOf(db, accountId, sendingId)) === 'Completed', 60_000, 'Completed');
    } finally {
      await worker.stop();
    }

    // recipientOf(i) = 37120000000 + i: i = 1..5 carry the sandbox's scripted suffixes 0001..0005.
    const counts = await dispatchCounts(db, sendingId);
    expect(counts.byStatus).toEqual({ delivered: 9_996, undelivered: 1, expired: 1, rejected: 2 });
    expect(counts.accepted).toBe(9_999);
    expect(counts.acceptedCostMinor).toBe(9_999 * RATE_MINOR);
    expect(recipientOf(4).endsWith('0004')).toBe(true);

    // Charged exactly the accepted messages; the one refused at submission came back in one dispatch refund.
    expect(await getBalance(db, accountId)).toBe(RATE_MINOR);
    const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([[DISPATCH_SETTLEMENT_KEY, RATE_MINOR]]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('gives each number suffix its scripted status, charge and refund', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const recipients = ['0001', '0002', '0003', '0004', '0005', '0006'].map((suffix) => numberEndingWith(suffix));
    const { accountId, sending } = await storedSending(db, recipients);
    const dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });

    await dispatcher.runUntilIdle();
    // 0005 was refused as retryable on its first attempt and waits for its backoff.
    expect(await statusOf(db, accountId, sending.id)).toBe('Processing');
    clock.advanceMs(60_000);
    await dispatcher.runUntilIdle();

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 100 });
    const bySuffix = Object.fromEntries(
      messages.map((m) => [
        m.recipient.slice(-4),
        { status: m.status, error: m.error, attempts: m.attempts, charged: m.submittedAtUs !== null },
      ]),
    );
    expect(bySuffix).toEqual({
      '0001': { status: 'undelivered', error: SANDBOX_ERRORS.undelivered, attempts: 1, charged: true },
      '0002': { status: 'expired', error: SANDBOX_ERRORS.expired, attempts: 1, charged: true },
      '0003': { status: 'rejected', error: SANDBOX_ERRORS.rejected, attempts: 1, charged: true },
      '0004': { status: 'rejected', error: SANDBOX_ERRORS.refused, attempts: 1, charged: false },
      // The retry's error is cleared once a provider accepts the message.
      '0005': { status: 'delivered', error: null, attempts: 2, charged: true },
      '0006': { status: 'delivered', error: null, attempts: 1, charged: true },
    });
    for (const m of messages) {
      expect(m.provider).toBe('sandbox');
      expect(m.finalAtUs).not.toBeNull();
      expect(m.providerMessageId === null).toBe(m.recipient.endsWith('0004'));
    }
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    expect(await getBalance(db, accountId)).toBe(RATE_MINOR);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('fails a sending no provider accepted and refunds all of it, tax included', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const recipients = [1, 2, 3].map((i) => numberEndingWith('0004', i));
    const { accountId, sending, totalMinor } = await storedSending(db, recipients, { taxMinor: 2_638 });
    expect(await getBalance(db, accountId)).toBe(0);
    await createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs }).runUntilIdle();

    expect(await statusOf(db, accountId, sending.id)).toBe('Failed');
    expect(await getBalance(db, accountId)).toBe(totalMinor);
    const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([[DISPATCH_SETTLEMENT_KEY, totalMinor]]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('refunds what was refused with its share of the tax, once, and keeps the rest charged', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const recipients = [numberEndingWith('0004', 1), numberEndingWith('0009', 2), numberEndingWith('0009', 3)];
    const taxMinor = 2_639;
    const { accountId, sending, totalMinor } = await storedSending(db, recipients, { taxMinor, parts: 2 });
    const dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    await dispatcher.runUntilIdle();

    const expected = dispatchRefundMinor({
      subtotalMinor: 3 * 2 * RATE_MINOR,
      taxMinor,
      acceptedCostMinor: 2 * 2 * RATE_MINOR,
    });
    // One third of the messages refused: its cost and a third of the tax (879.67, rounded half-up to 880).
    expect(expected).toBe(2 * RATE_MINOR + 880);
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    expect(await getBalance(db, accountId)).toBe(expected);
    const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds).toHaveLength(1);
    expect(totalMinor - expected).toBe(2 * 2 * RATE_MINOR + (taxMinor - 880));
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('waits for a report for the configured delay, then applies it', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, { reportDelayMs: 1_000 }),
      clockUs: clock.clockUs,
    });
    await dispatcher.runUntilIdle();
    const [accepted] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect(accepted?.status).toBe('submitted');
    expect(await statusOf(db, accountId, sending.id)).toBe('Processing');

    clock.advanceMs(999);
    await dispatcher.runUntilIdle();
    expect((await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 }))[0]?.status).toBe('submitted');
    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    const [delivered] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect(delivered?.status).toBe('delivered');
    expect(delivered?.finalAtUs).toBe((accepted?.submittedAtUs ?? 0) + 1_000 * US_PER_MS);
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
  });
});
