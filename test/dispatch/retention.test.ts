// Tables that only grow are kept bounded: finished status callbacks and sandbox submissions are deleted once past
// their keeping time, pending callbacks never.
import { expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { FINISHED_ROWS_KEEP_MS } from '../../src/domain/limits.js';
import type { Db } from '../../src/store/db.js';
import { listMessages } from '../../src/store/messages.js';
import { pruneFinishedRows } from '../../src/store/retention.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, storedSending } from './support.js';

const KEEP_US = FINISHED_ROWS_KEEP_MS * US_PER_MS;

async function callbackStates(db: Db, sendingId: number): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('callback_outbox')
    .select('state')
    .where('sending_id', '=', sendingId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.state);
}

async function addCallbacks(db: Db, accountId: number, sendingId: number, updatedAtUs: number): Promise<void> {
  const [message] = await listMessages(db, accountId, sendingId, { page: 1, perPage: 1 });
  if (!message) throw new Error('no message');
  await db.transaction((trx) =>
    trx
      .insertInto('callback_outbox')
      .values(
        ['delivered', 'abandoned', 'pending'].map((state) => ({
          message_id: message.id,
          sending_id: sendingId,
          status: 'delivered',
          error: null,
          event_at_us: updatedAtUs,
          state,
          // The pending one is not due for years: the worker's rounds leave it alone.
          next_attempt_at_us: state === 'pending' ? updatedAtUs + 1_000 * KEEP_US : updatedAtUs,
          last_error: null,
          created_at_us: updatedAtUs,
          updated_at_us: updatedAtUs,
        })),
      )
      .execute(),
  );
}

async function submissions(db: Db): Promise<string[]> {
  const rows = await db.kysely.selectFrom('sandbox_submissions').select('reference').orderBy('reference').execute();
  return rows.map((r) => r.reference);
}

describeEachEngine('retention of finished rows', (engine) => {
  it('deletes finished callbacks and sandbox submissions past keeping, in batches, and never a pending callback', async () => {
    const db = engine.db;
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const nowUs = Date.now() * US_PER_MS;
    await addCallbacks(db, accountId, sending.id, nowUs - KEEP_US - 1);
    await db.transaction((trx) =>
      trx
        .insertInto('sandbox_submissions')
        .values([
          { reference: 'old-1', provider_message_id: 'sb-old-1', recipient: '1', accepted_at_us: nowUs - KEEP_US - 2 },
          { reference: 'old-2', provider_message_id: 'sb-old-2', recipient: '1', accepted_at_us: nowUs - KEEP_US - 1 },
          { reference: 'recent', provider_message_id: 'sb-recent', recipient: '1', accepted_at_us: nowUs - KEEP_US },
        ])
        .execute(),
    );
    const beforeUs = nowUs - KEEP_US;

    expect(await pruneFinishedRows(db, { beforeUs, limit: 1 })).toEqual({ callbacks: 1, sandboxSubmissions: 1 });
    expect(await pruneFinishedRows(db, { beforeUs, limit: 10 })).toEqual({ callbacks: 1, sandboxSubmissions: 1 });
    expect(await pruneFinishedRows(db, { beforeUs, limit: 10 })).toEqual({ callbacks: 0, sandboxSubmissions: 0 });
    expect(await callbackStates(db, sending.id)).toEqual(['pending']);
    expect(await submissions(db)).toContain('recent');
    expect(await submissions(db)).not.toContain('old-1');
    expect(await submissions(db)).not.toContain('old-2');
  });

  it('is done by the worker as part of its maintenance, keeping what is younger than the keeping time', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    await addCallbacks(db, accountId, sending.id, clock.clockUs());
    const dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });

    clock.advanceMs(FINISHED_ROWS_KEEP_MS);
    await dispatcher.runOnce();
    expect(await callbackStates(db, sending.id)).toEqual(['delivered', 'abandoned', 'pending']);

    clock.advanceMs(24 * 60 * 60 * 1000);
    await dispatcher.runOnce();
    expect(await callbackStates(db, sending.id)).toEqual(['pending']);
  });
});
