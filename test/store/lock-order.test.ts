// Transactions that lock the same rows: a deadlock is run again whole by the transaction helper, and settlement,
// cancel, leasing and new reservations on one account never reach the caller as a failure.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { TRANSACTION_CONFLICT_RETRIES } from '../../src/store/db.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { auditLedger } from '../../src/store/ledger.js';
import { cancelSending } from '../../src/store/sending-cancel.js';
import { createSending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { numberEndingWith, sendingTo } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const LEASE_US = 60_000 * US_PER_MS;
/** Rounds of the race below: the orders the transactions interleave in differ from round to round. */
const ROUNDS = 25;

/** Resolves once `parties` callers have arrived: each transaction holds its first lock when the other asks. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived >= parties) open();
    return opened;
  };
}

describeEachEngine('lock order and conflict retries', (engine) => {
  it.skipIf(engine.name !== 'postgres')(
    'runs a transaction again after a deadlock, so both of two opposite lockers succeed',
    async () => {
      const other = await engine.open();
      const a = await fundedAccount(engine.db, 0, 'first-row');
      const b = await fundedAccount(engine.db, 0, 'second-row');
      const bothHoldOne = barrier(2);
      let attempts = 0;
      const lockBoth = (db: typeof other, n: 0 | 1, firstId: number, secondId: number) =>
        db.transaction(async (trx) => {
          attempts += 1;
          await trx.selectFrom('accounts').select('id').where('id', '=', firstId).forUpdate().execute();
          await bothHoldOne();
          await trx.selectFrom('accounts').select('id').where('id', '=', secondId).forUpdate().execute();
          await trx
            .updateTable('accounts')
            .set({ name: `locked by ${n}` })
            .where('id', '=', firstId)
            .execute();
          return n;
        });
      expect(await Promise.all([lockBoth(engine.db, 0, a, b), lockBoth(other, 1, b, a)])).toEqual([0, 1]);
      // PostgreSQL broke the cycle by failing one of them (40P01); that one ran again after the other committed.
      expect(attempts).toBe(3);
    },
  );

  it.skipIf(engine.name !== 'postgres')('gives up after a bounded number of serialization failures', async () => {
    const a = await fundedAccount(engine.db, 0, 'contended');
    let attempts = 0;
    const failing = engine.db.transaction(async (trx) => {
      attempts += 1;
      // A serialization failure the server raises on every attempt.
      await sql`select id from accounts where id = ${a}`.execute(trx);
      await sql`do $$ begin raise exception 'conflict' using errcode = '40001'; end $$`.execute(trx);
    });
    await expect(failing).rejects.toMatchObject({ code: '40001' });
    expect(attempts).toBe(1 + TRANSACTION_CONFLICT_RETRIES);
  });

  it(`settles, cancels, leases and reserves on one account at once for ${ROUNDS} rounds without a failure`, async () => {
    const other = await engine.open();
    for (let round = 0; round < ROUNDS; round++) {
      const accountId = await fundedAccount(engine.db, 100_000_000, `busy-${round}`);
      const recipients = (first: number, n: number) =>
        Array.from({ length: n }, (_, i) => numberEndingWith('0009', first + i));
      // Two sendings a worker leased; their outcomes settle both (and refund both) in one transaction.
      const dispatched = [];
      for (const first of [0, 10]) {
        const created = await createSending(engine.db, sendingTo(accountId, recipients(first, 3)));
        if (!created.ok) throw new Error(created.reason);
        dispatched.push(created.sending);
      }
      const leased = [];
      for (;;) {
        const lease = await leaseDueMessages(
          engine.db,
          { workerId: `w${round}`, nowUs: engine.db.nowUs(), leaseUs: LEASE_US, limit: 100 },
          SANDBOX_ONLY,
        );
        if (lease.messages.length === 0) break;
        leased.push(...lease.messages);
      }
      // A sending an earlier round's lease took from under its cancel may still have queued messages: they are leased
      // here too, and settled below with the others.
      const ownIds = new Set(dispatched.map((sending) => sending.id));
      expect(leased.filter((m) => ownIds.has(m.sendingId))).toHaveLength(6);
      // Due now: one transaction cancels it while another worker tries to lease it.
      const cancelled = await createSending(engine.db, sendingTo(accountId, recipients(20, 40)));
      if (!cancelled.ok) throw new Error(cancelled.reason);

      // New reservations are scheduled a day ahead, so that the next rounds' leases do not find them.
      const later = { scheduledAtUs: engine.db.nowUs() + 24 * 3600 * 1_000_000 };
      const results = await Promise.allSettled([
        recordOutcomes(
          engine.db,
          { workerId: `w${round}`, nowUs: engine.db.nowUs() },
          { final: leased.map((m) => ({ id: m.id, status: 'failed' as const, error: 'no route' })) },
        ),
        cancelSending(other, cancelled.sending.id, accountId),
        leaseDueMessages(
          other,
          { workerId: `x${round}`, nowUs: other.nowUs(), leaseUs: LEASE_US, limit: 100 },
          SANDBOX_ONLY,
        ),
        createSending(engine.db, sendingTo(accountId, recipients(100, 5), later)),
        createSending(other, sendingTo(accountId, recipients(200, 5), later)),
        sleep(round % 3).then(() => cancelSending(engine.db, cancelled.sending.id, accountId)),
      ]);
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(failures).toEqual([]);
      const refunds = await engine.db.kysely
        .selectFrom('ledger_entries')
        .select(['sending_id', 'amount_minor'])
        .where('account_id', '=', accountId)
        .where('kind', '=', 'refund')
        .execute();
      for (const sending of dispatched) {
        expect(refunds.filter((r) => Number(r.sending_id) === sending.id).map((r) => Number(r.amount_minor))).toEqual([
          sending.totalMinor,
        ]);
      }
      expect(refunds.filter((r) => Number(r.sending_id) === cancelled.sending.id).length).toBeLessThanOrEqual(1);
    }
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });
});
