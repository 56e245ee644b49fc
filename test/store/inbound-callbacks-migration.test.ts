// Migration 0021 widens the callback outbox to received messages: on SQLite by rebuilding the table, so a status
// callback queued before it keeps its id, its attempts and its place, and is still claimed and POSTed as before.
import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { claimCallbacks } from '../../src/store/callbacks.js';
import { createDb } from '../../src/store/db.js';
import { migrate, migrationsFor } from '../../src/store/migrations/migrate.js';
import { numberEndingWith, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { scratchDatabase } from '../support/scratch-db.js';

describeEachEngine('migration 0021', (engine) => {
  it('keeps the status callbacks queued before it, and their ids', async () => {
    const scratch = await scratchDatabase(engine.name);
    const db = await createDb(scratch.url);
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => migrationsFor(db.dialect) },
      });
      expect((await migrator.migrateTo('0017-money-controls')).error).toBeUndefined();
      const { sending } = await storedSending(db, [numberEndingWith('0009')], {
        callbackUrl: 'https://hooks.example/s',
      });
      const nowUs = db.nowUs();
      await sql`insert into callback_outbox
          (message_id, sending_id, status, error, event_at_us, attempts, next_attempt_at_us, created_at_us, updated_at_us)
        select id, sending_id, 'submitted', null, ${nowUs}, 2, ${nowUs}, ${nowUs}, ${nowUs}
        from messages where sending_id = ${sending.id}`.execute(db.kysely);
      await sql`insert into callback_outbox
          (message_id, sending_id, status, error, event_at_us, attempts, next_attempt_at_us, created_at_us, updated_at_us)
        select id, sending_id, 'delivered', null, ${nowUs}, 1, ${nowUs}, ${nowUs}, ${nowUs}
        from messages where sending_id = ${sending.id}`.execute(db.kysely);
      await sql`delete from callback_outbox where status = 'delivered'`.execute(db.kysely);

      expect(await migrate(db)).toContain('0021-inbound-callbacks');
      const claimed = await claimCallbacks(db, { nowUs: nowUs + 1, limit: 10, claimUs: 1_000_000 });
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({
        id: 1,
        attempt: 3,
        url: 'https://hooks.example/s',
        sendingId: sending.id,
        status: 'submitted',
      });
      // A row queued after the rebuild takes the next id, never one already given (2, deleted).
      await sql`insert into callback_outbox
          (message_id, sending_id, status, event_at_us, next_attempt_at_us, created_at_us, updated_at_us)
        select id, sending_id, 'delivered', ${nowUs}, ${nowUs}, ${nowUs}, ${nowUs}
        from messages where sending_id = ${sending.id}`.execute(db.kysely);
      const ids = await sql<{ id: number | string }>`select id from callback_outbox order by id`.execute(db.kysely);
      expect(ids.rows.map((r) => Number(r.id))).toEqual([1, 3]);
      // A row naming neither a message nor a received message is refused.
      await expect(
        sql`insert into callback_outbox (status, event_at_us, next_attempt_at_us, created_at_us, updated_at_us)
          values ('received', 1, 1, 1, 1)`.execute(db.kysely),
      ).rejects.toThrow();
    } finally {
      await db.close();
      await scratch.dispose();
    }
  });
});
