// Migration 0026 gives each suppression a sender: the entries made before it become account-wide ones (still applied
// to every sending, ids and history kept), accounts keep the scope `account`, and a number may then hold one entry per
// sender but never two for the same one.
import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { createDb } from '../../src/store/db.js';
import { readKeywordSettings } from '../../src/store/keyword-settings.js';
import { migrate, migrationsFor } from '../../src/store/migrations/migrate.js';
import { addSuppressions, findSuppression, suppressedAmong, suppressionHistory } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { scratchDatabase } from '../support/scratch-db.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('migration 0026', (engine) => {
  it('keeps the entries made before it as account-wide ones, and the scope account', async () => {
    const scratch = await scratchDatabase(engine.name);
    const db = await createDb(scratch.url);
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => migrationsFor(db.dialect) },
      });
      expect((await migrator.migrateTo('0025-opt-out-words')).error).toBeUndefined();
      const accountId = await fundedAccount(db, 0);
      const nowUs = db.nowUs();
      for (const phone of ['37120000001', '37120000002']) {
        await sql`insert into suppressions (account_id, phone, source, created_at_us)
          values (${accountId}, ${phone}, 'stop_message', ${nowUs})`.execute(db.kysely);
        await sql`insert into suppression_changes (account_id, phone, action, source, actor, at_us)
          values (${accountId}, ${phone}, 'add', 'stop_message', 'smpp', ${nowUs})`.execute(db.kysely);
      }
      const before = await sql<{ id: number | string }>`select id from suppressions order by id`.execute(db.kysely);

      expect(await migrate(db)).toContain('0026-opt-out-scope');
      const after = await sql<{ id: number | string }>`select id from suppressions order by id`.execute(db.kysely);
      expect(after.rows.map((r) => Number(r.id))).toEqual(before.rows.map((r) => Number(r.id)));
      expect(await findSuppression(db, accountId, '37120000001', '')).toMatchObject({ source: 'stop_message' });
      expect([...(await suppressedAmong(db, accountId, ['37120000002', '37120000003'], 'MegaShop')).keys()]).toEqual([
        '37120000002',
      ]);
      expect((await suppressionHistory(db, accountId, { page: 1, perPage: 10 })).map((c) => c.sender)).toEqual([
        '',
        '',
      ]);
      expect((await readKeywordSettings(db, accountId))?.optOutScope).toBe('account');

      // One entry per sender: a second for the same sender is refused by the unique index, another sender's taken.
      expect(await addSuppressions(db, accountId, ['37120000001'], { source: 'api' }, 'MegaShop')).toEqual([
        '37120000001',
      ]);
      await expect(
        sql`insert into suppressions (account_id, phone, source, created_at_us, sender)
          values (${accountId}, '37120000001', 'api', ${nowUs}, 'MegaShop')`.execute(db.kysely),
      ).rejects.toThrow();
      await expect(
        sql`update accounts set opt_out_scope = 'everyone' where id = ${accountId}`.execute(db.kysely),
      ).rejects.toThrow();
    } finally {
      await db.close();
      await scratch.dispose();
    }
  });
});
