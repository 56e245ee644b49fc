// Validity at hand-over: messages leased before their sending's validity ended but handed over after it are never
// sent; they end expired and their price comes back, exactly.
import { expect, it } from 'vitest';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { workerJobs } from '../../src/dispatch/worker/jobs.js';
import { windowTexts } from '../../src/domain/texts.js';
import { dispatchCounts } from '../../src/store/dispatch-queue.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

describeEachEngine('validity at hand-over', (engine) => {
  it('a lease taken in time but handed over after the validity ends sends nothing and refunds it all', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const upstream = createMemorySandboxUpstream({ soleProcess: true });
    const { accountId, sending, totalMinor } = await storedSending(
      db,
      [numberEndingWith('0009', 1), numberEndingWith('0009', 2)],
      { taxMinor: 77, validityMinutes: 1 },
    );
    expect(await getBalance(db, accountId)).toBe(0);
    const jobs = workerJobs({ db, router: routerWith(clock.clockUs, { upstream }), clockUs: clock.clockUs });
    const lease = await jobs.lease();
    expect(lease.messages).toHaveLength(2);

    clock.advanceMs(60_000);
    await jobs.handOver(lease);
    expect(upstream.size).toBe(0);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ expired: 2 });
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(new Set(messages.map((m) => m.error))).toEqual(new Set([windowTexts.expiredBeforeHandOver]));
    expect(await statusOf(db, accountId, sending.id)).toBe('Failed');
    expect(await getBalance(db, accountId)).toBe(totalMinor);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
