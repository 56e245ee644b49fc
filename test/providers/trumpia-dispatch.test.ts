// A sending over Trumpia end to end: dispatcher → adapter → simulator, outcomes found by the dispatcher's polls.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTrumpiaProvider } from '../../src/dispatch/providers/trumpia/adapter.js';
import { startTrumpiaSimulator, type TrumpiaSimulator } from '../../src/dispatch/providers/trumpia/simulator.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { DISPATCH_SETTLEMENT_KEY } from '../../src/store/dispatch-settlement.js';
import { auditLedger, listEntries } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { numberEndingWith, RATE_MINOR, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { dispatchUntilCompleted, routerOver } from './support.js';

describeEachEngine('sendings over Trumpia with reports by polling', (engine) => {
  let sim: TrumpiaSimulator;

  beforeAll(async () => {
    sim = await startTrumpiaSimulator({
      // In progress for a while, so the first polls find nothing; then each report once final, once in progress
      // again (out of order), then final again on every later poll.
      inProgressQueries: 1,
      regressOnce: true,
      rejectNumbers: /0004$/,
      outcomes: [
        { mobile: /0001$/, outcome: { failed: true } },
        { mobile: /0003$/, outcome: { blocked: true } },
        { mobile: /0005$/, outcome: { statusCode: 'MRME1054' } },
      ],
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('hands each message over once, polls until every report is final, and completes', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const adapter = createTrumpiaProvider(
      { baseUrl: sim.url, username: sim.username, apiKey: sim.apiKey },
      { clockUs, pollIntervalMs: 50 },
    );
    const { router } = routerOver(adapter, clockUs);
    const suffixes = ['7000', '0001', '0003', '0004', '0005'];
    const recipients = Array.from({ length: 40 }, (_, i) => numberEndingWith(suffixes[i % 5] as string, i));
    const { accountId, sending } = await storedSending(db, recipients, { sender: '15550001' });
    sim.script({ fail: { requests: 2, status: 429, retryAfterS: 0 } });
    const dispatcher = createDispatcher({
      db,
      router,
      pollIntervalMs: 50,
      retry: { backoffBaseMs: 10, backoffCapMs: 50 },
    });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      20_000,
      'the sending to complete over Trumpia',
    );

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    const expected: Record<string, [string, string | null]> = {
      '7000': ['delivered', null],
      '0001': ['undelivered', 'trumpia: failed'],
      '0003': ['rejected', expect.stringContaining('blocked mobile')],
      '0004': ['rejected', 'trumpia: MRME2001 the mobile number is incorrectly formatted'],
      '0005': ['rejected', 'trumpia: MRME1054 the message is too long'],
    };
    for (const m of messages) {
      expect([m.recipient, m.status, m.error]).toEqual([m.recipient, ...(expected[m.recipient.slice(-4)] ?? [])]);
    }
    for (const r of recipients) {
      expect(sim.stats.acceptedByRecipient.get(r)).toBe(r.endsWith('0004') ? undefined : 1);
    }
    expect(sim.stats.failed).toBe(2);
    // The dispatcher asked before the reports were ready, and stopped asking once each was final.
    expect(sim.stats.inProgressAnswers).toBeGreaterThan(0);
    expect(sim.stats.finalAnswers).toBe(32);

    // Asked again: first an out-of-order "in progress" (nothing to report), then the same outcomes again, which the
    // store takes as the duplicates they are.
    const accepted = messages
      .filter((m) => m.providerMessageId !== null)
      .map((m) => ({
        reference: String(m.id),
        providerMessageId: m.providerMessageId as string,
        recipient: m.recipient,
        submittedAtUs: m.submittedAtUs ?? 0,
      }));
    expect(accepted).toHaveLength(32);
    const signal = new AbortController().signal;
    expect(await adapter.poll?.(accepted, signal)).toEqual([]);
    const repeated = (await adapter.poll?.(accepted, signal)) ?? [];
    expect(repeated).toHaveLength(32);
    const applied = await applyReports(
      db,
      db.nowUs(),
      repeated.map((report) => ({ provider: 'trumpia', ...report })),
    );
    expect(applied).toEqual({ applied: 0, ignored: 32, kept: 0 });
    const after = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    expect(after.map((m) => m.status)).toEqual(messages.map((m) => m.status));
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('rejects and refunds at once a number Trumpia answers blocked, instead of charging it as unconfirmed', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const adapter = createTrumpiaProvider(
      { baseUrl: sim.url, username: sim.username, apiKey: sim.apiKey },
      { clockUs, pollIntervalMs: 50 },
    );
    const { router } = routerOver(adapter, clockUs);
    sim.script({ blockNumbers: /0009$/ });
    const blocked = numberEndingWith('0009', 90);
    const fine = numberEndingWith('7000', 91);
    const { accountId, sending } = await storedSending(db, [blocked, fine], { sender: '15550001' });
    const dispatcher = createDispatcher({
      db,
      router,
      pollIntervalMs: 50,
      retry: { backoffBaseMs: 10, backoffCapMs: 50 },
    });
    try {
      await dispatchUntilCompleted(
        dispatcher,
        db,
        { accountId, sendingId: sending.id },
        20_000,
        'the sending to complete',
      );
    } finally {
      sim.script({ blockNumbers: null });
    }
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    const byRecipient = Object.fromEntries(messages.map((m) => [m.recipient, [m.status, m.error]]));
    expect(byRecipient).toEqual({
      [blocked]: ['rejected', expect.stringContaining('blocked mobile')],
      [fine]: ['delivered', null],
    });
    const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([[DISPATCH_SETTLEMENT_KEY, RATE_MINOR]]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
