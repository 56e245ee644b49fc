// Three worker processes on one PostgreSQL sending, one killed mid-batch: every message handed over exactly once.

import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { dispatchCounts } from '../../src/store/dispatch-queue.js';
import { DISPATCH_SETTLEMENT_KEY } from '../../src/store/dispatch-settlement.js';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { sandboxTotals } from '../../src/store/sandbox-upstream.js';
import { createSending } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../support/store-fixtures.js';
import { spawnWorker, type WorkerChild } from './processes.js';
import { eventually, RATE_MINOR, statusOf } from './support.js';

const RECIPIENTS = 4_000;
/**
 * Longer than it takes to start the two survivors on a busy machine: were the victim's lease to expire before it is
 * killed, the victim's own take-over would settle its first batch and the survivors would find nothing of it.
 */
const LEASE_MS = 8_000;

describeEachEngine('worker processes that crash', (engine) => {
  const children: WorkerChild[] = [];
  afterEach(async () => {
    for (const c of children.splice(0))
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });

  // On SQLite one in-process worker runs; several processes sharing one database is the PostgreSQL deployment.
  it.skipIf(engine.name !== 'postgres')(
    'lose nothing and send nothing twice when one is killed after handing a batch over',
    { timeout: 120_000 },
    async () => {
      const db = engine.db;
      const shape = { recipients: RECIPIENTS, rateMinor: RATE_MINOR };
      const accountId = await fundedAccount(db, sendingTotalMinor(shape));
      const created = await createSending(db, newSending(accountId, shape));
      if (!created.ok) throw new Error(created.reason);
      const sendingId = created.sending.id;

      const common = ['--lease-ms', String(LEASE_MS), '--batch', '200', '--concurrency', '2', '--upstream', 'table'];
      // The victim hands its first batch to the sandbox and never records the outcome; its second lease waits for
      // the one request slot, so it holds messages it never handed over as well.
      const victim = spawnWorker(engine.url, 'victim', [
        ...common,
        '--hang-after-submit',
        '--concurrent-requests',
        '1',
      ]);
      children.push(victim);
      await victim.waitFor('submitted');
      const survivors = [spawnWorker(engine.url, 'survivor-1', common), spawnWorker(engine.url, 'survivor-2', common)];
      children.push(...survivors);
      await Promise.all(survivors.map((s) => s.waitFor('ready')));
      victim.child.kill('SIGKILL');
      await victim.exited;
      const heldByVictim = await db.kysely
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('lease_owner', '=', 'victim')
        .executeTakeFirstOrThrow();
      expect(Number(heldByVictim.n)).toBeGreaterThanOrEqual(200);

      await eventually(async () => (await statusOf(db, accountId, sendingId)) === 'Completed', 60_000, 'Completed');
      const stopped = await Promise.all(survivors.map((s) => s.stop()));

      const takenOver = stopped.map((e) => e.takenOver as Record<string, number>);
      const sum = (key: string) => takenOver.reduce((n, t) => n + (t[key] ?? 0), 0);
      // What the victim held: found at the sandbox (its first batch, but the numbers the sandbox refused), or never
      // handed over (the rest), which went back to the queue; nothing left unconfirmed.
      // (A survivor may take over the victim's first batch before the kill, if its lease expired by then.)
      expect(sum('messages')).toBeGreaterThanOrEqual(Number(heldByVictim.n));
      expect(sum('found')).toBeGreaterThan(100);
      expect(sum('requeued')).toBeGreaterThan(0);
      expect(sum('found') + sum('requeued')).toBe(sum('messages'));
      expect(sum('unconfirmed')).toBe(0);

      // Handed over exactly once: one sandbox row per accepted message (all but the 0004 number), one call each.
      expect(await sandboxTotals(db)).toEqual({
        references: RECIPIENTS - 1,
        submitCalls: RECIPIENTS - 1,
        maxCallsPerReference: 1,
      });
      const { rows: mismatched } = await sql<{ n: string }>`
        select count(*) as n from messages m
        left join sandbox_submissions s
          on s.reference = (select installation_id from installation) || '-' || m.id::text
        where m.sending_id = ${sendingId}
          and (m.submitted_at_us is null) <> (s.reference is null)
          or (s.reference is not null and m.provider_message_id is distinct from s.provider_message_id)`.execute(
        db.kysely,
      );
      expect(Number(mismatched[0]?.n)).toBe(0);

      const counts = await dispatchCounts(db, sendingId);
      expect(counts.byStatus).toEqual({ delivered: RECIPIENTS - 4, undelivered: 1, expired: 1, rejected: 2 });
      expect(await getBalance(db, accountId)).toBe(RATE_MINOR);
      const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
      expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([[DISPATCH_SETTLEMENT_KEY, RATE_MINOR]]);
      expect((await auditLedger(db)).mismatches).toEqual([]);
    },
  );
});
