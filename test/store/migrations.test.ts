// The schema migrations: idempotent, and safe when several processes start on one database at once.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createDb, type DialectName } from '../../src/store/db.js';
import { migrate, migrationsFor } from '../../src/store/migrations/migrate.js';
import { describeEachEngine } from '../support/databases.js';
import { runStoreWorker } from '../support/processes.js';
import { scratchDatabase } from '../support/scratch-db.js';

const TABLES = [
  'accounts',
  'api_tokens',
  'callback_outbox',
  'conversations',
  'countries',
  'country_mccs',
  'delivery_quality',
  'inbound_messages',
  'installation',
  'invitations',
  'ledger_entries',
  'login_failures',
  'messages',
  'numbers',
  'pending_reports',
  'provider_cost_lists',
  'provider_costs',
  'rate_lists',
  'rates',
  'route_rules',
  'route_table',
  'sandbox_submissions',
  'senders',
  'sending_drafts',
  'sendings',
  'sessions',
  'suppression_changes',
  'suppressions',
  'users',
];

/** One process migrating: a child process on SQLite (its own connection), a separate pool on PostgreSQL. */
async function migrateElsewhere(dialect: DialectName, url: string): Promise<string[]> {
  if (dialect === 'sqlite') return (await runStoreWorker<{ applied: string[] }>(['migrate', url])).applied;
  const db = await createDb(url);
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}

describeEachEngine(
  'migrations',
  (engine) => {
    it('apply once, then a second run applies nothing and keeps the data', async () => {
      const db = engine.db;
      expect(await migrate(db)).toEqual(Object.keys(migrationsFor(db.dialect)));
      const nowUs = db.nowUs();
      await db.kysely
        .insertInto('accounts')
        .values({
          name: 'kept',
          currency: 'EUR',
          tax_rate_ppm: 0,
          balance_minor: 0,
          webhook_secret: 's',
          created_at_us: nowUs,
          updated_at_us: nowUs,
        })
        .execute();
      expect(await migrate(db)).toEqual([]);
      const tables = await db.kysely.introspection.getTables();
      expect(tables.map((t) => t.name).sort()).toEqual(TABLES);
      expect(await db.kysely.selectFrom('accounts').select('name').execute()).toEqual([{ name: 'kept' }]);
    });

    it('started by three processes at once, apply each migration exactly once', async () => {
      const scratch = await scratchDatabase(engine.name);
      try {
        const applied = await Promise.all([1, 2, 3].map(() => migrateElsewhere(engine.name, scratch.url)));
        expect(applied.flat().sort()).toEqual(Object.keys(migrationsFor(engine.name)));
        const db = await createDb(scratch.url);
        try {
          const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
            db.kysely,
          );
          expect(rows.map((r) => r.name)).toEqual(Object.keys(migrationsFor(engine.name)));
        } finally {
          await db.close();
        }
      } finally {
        await scratch.dispose();
      }
    });
  },
  { migrate: false },
);
