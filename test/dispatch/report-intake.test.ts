// Pushed delivery reports (SMPP receipts, webhook posts) arriving together are applied together: a burst costs a few
// transactions, each caller is answered once its reports are committed, and one caller's bad report fails no other.
import { expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { listMessages } from '../../src/store/messages.js';
import { createReportIntake, REPORTS_PER_TRANSACTION_MAX } from '../../src/store/report-intake.js';
import type { ProviderReport } from '../../src/store/reports.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

const HOUR_MS = 60 * 60 * 1000;
/** The statement that finds the messages a group of reports names: one per transaction applying reports. */
const MATCH = /join messages m on m\.provider = k\.provider/;

describeEachEngine('pushed delivery reports', (engine) => {
  async function submittedMessages(count: number) {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const clock = fakeClock();
    const recipients = Array.from({ length: count }, (_, i) => numberEndingWith(String(2000 + i), i));
    const { accountId, sending } = await storedSending(db, recipients);
    // The sandbox would report an hour later: the reports below come first, as an SMSC's receipts would.
    await createDispatcher({
      db,
      router: routerWith(clock.clockUs, { reportDelayMs: HOUR_MS }),
      clockUs: clock.clockUs,
    }).runUntilIdle();
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: count });
    expect(messages.every((m) => m.status === 'submitted')).toBe(true);
    const reportOf = (i: number, status: ProviderReport['status'] = 'delivered'): ProviderReport => ({
      provider: 'sandbox',
      providerMessageId: messages[i]?.providerMessageId ?? '',
      status,
    });
    const statuses = async () =>
      (await listMessages(db, accountId, sending.id, { page: 1, perPage: count })).map((m) => m.status);
    return { db, statements, accountId, sending, reportOf, statuses };
  }

  it('applies a burst of receipts in a few transactions, answering each caller once its receipt is stored', async () => {
    const burst = 120;
    const { db, statements, accountId, sending, reportOf, statuses } = await submittedMessages(burst);
    const intake = createReportIntake(db);
    statements.length = 0;
    const answered: boolean[] = [];
    await Promise.all(
      Array.from({ length: burst }, (_, i) => intake.apply([reportOf(i)]).then(() => answered.push(true))),
    );
    expect(answered).toHaveLength(burst);
    expect(await statuses()).toEqual(Array.from({ length: burst }, () => 'delivered'));
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    // One at a time, the burst took one transaction per receipt; now those of one turn go together.
    const transactions = statements.filter((text) => MATCH.test(text)).length;
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(engine.name === 'postgres' ? 4 : 2);
    await db.close();
  });

  it('keeps each group within its bound, and a caller bigger than the bound goes alone', async () => {
    const count = REPORTS_PER_TRANSACTION_MAX + 20;
    const { db, statements, reportOf, statuses } = await submittedMessages(count);
    const intake = createReportIntake(db);
    statements.length = 0;
    const all = Array.from({ length: count }, (_, i) => reportOf(i));
    await Promise.all([intake.apply(all.slice(0, 10)), intake.apply(all.slice(10)), intake.apply(all.slice(0, 1))]);
    expect(new Set(await statuses())).toEqual(new Set(['delivered']));
    // The first caller (the big one would take the group over the bound), the big one alone, then the last one.
    expect(statements.filter((text) => MATCH.test(text))).toHaveLength(3);
    await db.close();
  });

  it('applies in one transaction the receipts that arrive in one turn, each from its own callback', async () => {
    // As receipts read from several binds, or webhook posts read from several sockets, in one poll: each caller runs
    // in its own callback, and the first one's transaction, on SQLite, would otherwise commit before the next ran.
    const burst = 30;
    const { db, statements, reportOf, statuses } = await submittedMessages(burst);
    const intake = createReportIntake(db);
    statements.length = 0;
    await new Promise<void>((done, fail) => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < burst; i++) {
        setImmediate(() => {
          pending.push(intake.apply([reportOf(i)]));
          if (pending.length === burst) Promise.all(pending).then(() => done(), fail);
        });
      }
    });
    expect(await statuses()).toEqual(Array.from({ length: burst }, () => 'delivered'));
    expect(statements.filter((text) => MATCH.test(text))).toHaveLength(1);
    await db.close();
  });

  it("refuses only the caller whose report cannot be stored; the others' are applied", async () => {
    const { db, reportOf, statuses } = await submittedMessages(6);
    const intake = createReportIntake(db);
    // A time that is not a number: no column takes it, on either engine.
    const unreadable: ProviderReport = { ...reportOf(3), reportedAtUs: Number.NaN };
    const results = await Promise.allSettled([
      intake.apply([reportOf(0)]),
      intake.apply([reportOf(1)]),
      intake.apply([reportOf(2), unreadable]),
      intake.apply([reportOf(4, 'undelivered')]),
      intake.apply([reportOf(5)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    // The refused caller's reports are not half-applied: the provider delivers them again.
    expect(await statuses()).toEqual(['delivered', 'delivered', 'submitted', 'submitted', 'undelivered', 'delivered']);
    await db.close();
  });
});
