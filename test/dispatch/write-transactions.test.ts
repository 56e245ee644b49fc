// The write transactions the worker takes, counted on a real database: each one holds the write lock (SQLite's, which
// the API thread of the same process waits for) and makes the other connections read their pages again.
import { expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import type { ExecutedQuery } from '../../src/store/db.js';
import { leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports, countKeptReports } from '../../src/store/reports.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, RATE_MINOR, routerWith, sendingOf, statusOf, storedSending } from './support.js';

/** A statement that reads sending rows (settlement reads each sending it settles, with its callback URL). */
const READS_SENDINGS = /^\s*select .* from "sendings"/is;

/** A transaction that may write: SQLite's BEGIN IMMEDIATE, PostgreSQL's BEGIN (read-only ones say so). */
function beginsWrite(query: ExecutedQuery): boolean {
  const text = query.sql.trim().toLowerCase();
  return text === 'begin immediate' || text === 'begin' || text === 'start transaction';
}

describeEachEngine('write transactions of the dispatch worker', (engine) => {
  it('takes none in a round that finds nothing to do', async () => {
    const queries: ExecutedQuery[] = [];
    const db = await engine.open({ onQuery: (query) => queries.push(query) });
    const clock = fakeClock();
    // A sending handed over and finished first: the queue then holds history, but nothing due.
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0006')]);
    const dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');

    queries.length = 0;
    const round = await dispatcher.runOnce();
    expect(round).toEqual({ leased: 0, takenOver: 0, reports: 0, callbacks: 0, expired: 0 });
    expect(queries.filter(beginsWrite)).toEqual([]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await db.close();
  });

  it('hands a batch of one-recipient sendings over and applies their reports in five write transactions', async () => {
    const queries: ExecutedQuery[] = [];
    const db = await engine.open({ onQuery: (query) => queries.push(query) });
    const clock = fakeClock();
    const count = 20;
    const first = await storedSending(db, [numberEndingWith('0006', 0)], {
      extraBalanceMinor: (count - 1) * RATE_MINOR,
    });
    const sendings = [first.sending];
    for (let i = 1; i < count; i++) sendings.push(await sendingOf(db, first.accountId, [numberEndingWith('0006', i)]));
    const dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });

    queries.length = 0;
    await dispatcher.runUntilIdle();
    // The lease, the outcomes, the reports the sandbox gives when asked, and the first round's two maintenance sweeps
    // (kept reports, finished rows); the rounds' looks for expired leases, more due messages and callbacks write none.
    expect(queries.filter(beginsWrite)).toHaveLength(5);

    for (const sending of sendings) expect(await statusOf(db, first.accountId, sending.id)).toBe('Completed');
    expect(await getBalance(db, first.accountId)).toBe(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await db.close();
  });

  it('records a batch whose receipts came first in one transaction that settles each sending once', async () => {
    const queries: ExecutedQuery[] = [];
    const db = await engine.open({ onQuery: (query) => queries.push(query) });
    // Three one-recipient sendings with status callbacks, as the API stores them one request at a time.
    const options = { callbackUrl: 'https://example.test/status' };
    const first = await storedSending(db, [numberEndingWith('0006', 0)], {
      ...options,
      extraBalanceMinor: 2 * RATE_MINOR,
    });
    const others = [
      await sendingOf(db, first.accountId, [numberEndingWith('0006', 1)], options),
      await sendingOf(db, first.accountId, [numberEndingWith('0006', 2)], options),
    ];
    const sendings = [first.sending, ...others];
    const nowUs = db.nowUs();
    const lease = await leaseDueMessages(db, { workerId: 'w1', nowUs, leaseUs: 60_000 * US_PER_MS, limit: 10 }, () => ({
      provider: 'smsc',
      ruleId: null,
    }));
    expect(lease.messages).toHaveLength(3);
    // The SMSC's receipts come before its answers are stored: kept aside.
    const pid = (i: number) => `smsc-${i}`;
    const kept = await applyReports(
      db,
      nowUs,
      lease.messages.map((_, i) => ({ provider: 'smsc', providerMessageId: pid(i), status: 'delivered' as const })),
    );
    expect(kept).toEqual({ applied: 0, ignored: 0, kept: 3 });

    queries.length = 0;
    const recorded = await recordOutcomes(
      db,
      { workerId: 'w1', nowUs },
      { accepted: lease.messages.map((m, i) => ({ id: m.id, providerMessageId: pid(i), nextPollAtUs: nowUs })) },
    );
    expect(recorded).toEqual({ recorded: 3, notHeld: 0 });
    expect(queries.filter(beginsWrite)).toHaveLength(1);
    expect(queries.filter((q) => READS_SENDINGS.test(q.sql))).toHaveLength(1);

    // As ever: every message delivered, every sending Completed, each charged its one message, nothing kept.
    for (const sending of sendings) {
      expect(await statusOf(db, first.accountId, sending.id)).toBe('Completed');
      const messages = await listMessages(db, first.accountId, sending.id, { page: 1, perPage: 10 });
      expect(messages.map((m) => m.status)).toEqual(['delivered']);
    }
    expect(await countKeptReports(db)).toBe(0);
    expect(await getBalance(db, first.accountId)).toBe(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    // Each message's callbacks: the receipt's, then the hand-over's, as the outcomes recorded them.
    const callbacks = await db.kysely
      .selectFrom('callback_outbox')
      .select(['message_id', 'status'])
      .where(
        'sending_id',
        'in',
        sendings.map((s) => s.id),
      )
      .orderBy('id')
      .execute();
    const ids = lease.messages.map((m) => m.id);
    expect(callbacks.map((c) => [Number(c.message_id), c.status])).toEqual([
      ...ids.map((id) => [id, 'delivered']),
      ...ids.map((id) => [id, 'submitted']),
    ]);
    await db.close();
  });
});
