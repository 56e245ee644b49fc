// The opt-out list: numbers an account never sends to (a STOP reply, or added by the customer or the operator),
// and the history of every addition and removal.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

function withId(dialect: DialectName, db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

const SOURCES = sql`source in ('api', 'dashboard', 'operator', 'stop_message')`;

export function suppressionsSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per suppressed number of an account. The unique (account_id, phone) index serves every read: the
      // lookup of a sending's recipients, one number, and the list in number order with a prefix as a range.
      await withId(dialect, db, 'suppressions')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        // Compared byte by byte on both engines (SQLite's BINARY; "C" on PostgreSQL whatever the database's locale),
        // so that a prefix is the range [prefix, prefix + ':') of the index.
        .addColumn('phone', 'text', (c) => {
          const column = c.notNull();
          return dialect === 'postgres' ? column.modifyFront(sql`collate "C"`) : column;
        })
        .addColumn('source', 'text', (c) => c.notNull().check(SOURCES))
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('suppressions_account_phone', ['account_id', 'phone'])
        .execute();

      await withId(dialect, db, 'suppression_changes')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('add', 'remove')`))
        .addColumn('source', 'text', (c) => c.notNull().check(SOURCES))
        // Who: a token's name, a user's email, "operator", or the provider a STOP reply came through.
        .addColumn('actor', 'text')
        .addColumn('at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('suppression_changes_account_phone')
        .on('suppression_changes')
        .columns(['account_id', 'phone', 'id'])
        .execute();
      await db.schema
        .createIndex('suppression_changes_account')
        .on('suppression_changes')
        .columns(['account_id', 'id'])
        .execute();
    },
  };
}
