// Two-way messaging: the numbers (or keywords on a shared short code) each account receives on, and the messages
// received on them.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

function withId(dialect: DialectName, db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

export function inboundSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // A long number or a short code in digits; `keyword` (upper case) when it is one keyword of a shared short
      // code, null when the account has the whole number.
      await withId(dialect, db, 'numbers')
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('keyword', 'text')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .execute();
      // At most one owner per (number, keyword), the whole number (no keyword) included: NULLs would be distinct in
      // a plain unique index on both engines, so the index is over the keyword or ''.
      await sql`create unique index numbers_number_keyword on numbers (number, coalesce(keyword, ''))`.execute(db);
      await db.schema.createIndex('numbers_account').on('numbers').columns(['account_id', 'number']).execute();

      await withId(dialect, db, 'inbound_messages')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        // The assignment it arrived through; null once that assignment is removed (the message stays the account's).
        .addColumn('number_id', 'bigint', (c) => c.references('numbers.id').onDelete('set null'))
        .addColumn('from_phone', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_message_id', 'text', (c) => c.notNull())
        .addColumn('received_at_us', 'bigint', (c) => c.notNull())
        // A provider's retry of the same message is stored once.
        .addUniqueConstraint('inbound_messages_provider_id', ['provider', 'provider_message_id'])
        .execute();
      await db.schema
        .createIndex('inbound_messages_account_received')
        .on('inbound_messages')
        .columns(['account_id', 'received_at_us', 'id'])
        .execute();
      await db.schema
        .createIndex('inbound_messages_account_to_received')
        .on('inbound_messages')
        .columns(['account_id', 'to_number', 'received_at_us', 'id'])
        .execute();
      await db.schema.createIndex('inbound_messages_number').on('inbound_messages').column('number_id').execute();
    },
  };
}
