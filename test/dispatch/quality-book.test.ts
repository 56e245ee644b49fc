// Every worker sees the delivery quality of all of them: each reads it from the database again every 30 seconds of its
// clock, whichever process applied the reports.
import { expect, it } from 'vitest';
import { workerJobs } from '../../src/dispatch/worker/jobs.js';
import { BOOKS_REFRESH_MS } from '../../src/domain/margins.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, storedSending } from './support.js';

describeEachEngine('the workers’ delivery quality', (engine) => {
  it('is read from the database, kept for 30 s, then read again', async () => {
    const clock = fakeClock();
    const other = await engine.open();
    const { context } = workerJobs({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    const second = workerJobs({ db: other, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    expect((await context.qualityBook()).qualityOf('sandbox', '247')).toBeNull();

    // Handed over by the second worker; the sandbox (no delay) has reported them by the end of its round.
    await storedSending(
      engine.db,
      ['0006', '0001'].map((suffix) => numberEndingWith(suffix)),
    );
    await second.takeOver();
    const lease = await second.lease();
    await second.handOver(lease);
    await second.pollReports();

    // Still the book read before, until 30 s of the worker's clock have passed.
    expect((await context.qualityBook()).qualityOf('sandbox', '247')).toBeNull();
    clock.advanceMs(BOOKS_REFRESH_MS);
    const book = await context.qualityBook();
    expect(book.qualityOf('sandbox', '247')).toMatchObject({ reports: 2, delivered: 1 });
    // The second worker's first read is of now: it sees them at once.
    expect((await second.context.qualityBook()).qualityOf('sandbox', '247')).toMatchObject({ reports: 2 });
  });
});
