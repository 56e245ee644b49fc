// The write transactions the worker takes, counted on a real database: each one holds the write lock (SQLite's, which
// the API thread of the same process waits for) and makes the other connections read their pages again.
import { expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import type { ExecutedQuery } from '../../src/store/db.js';
import { auditLedger } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

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
});
