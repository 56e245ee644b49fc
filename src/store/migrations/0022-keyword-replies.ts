// The inbox and keyword replies: one row per conversation (a handset's number and the number of ours it wrote to),
// the per-phone indexes of a conversation's messages, an account's HELP text and STOP/START confirmations, and what
// became of the automatic reply to a received keyword.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

function withId(dialect: DialectName, db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

const AUTO_REPLIES = sql`auto_reply is null or auto_reply in ('help', 'stop', 'start')`;

/**
 * `conversations`: one row per (account, handset number, our number), written with each received message, holding
 * the last one received; the inbox lists them newest first through (account_id, last_received_at_us, id) and finds a
 * number by prefix through the unique (account_id, phone, number) index, its `phone` compared byte by byte on both
 * engines as the suppressions' is. Filled from the messages already received.
 * `messages_recipient`: the messages sent to one number (a conversation's outbound side), joined to their sendings for
 * the account. `inbound_messages_account_from`: the messages one number sent to the account.
 * On `accounts`: `help_text` (the answer to HELP; none when null), `keyword_confirmations` (1: STOP and START are
 * confirmed by a reply), `stop_text` and `start_text` (those replies' texts; the platform's own when null).
 * On `inbound_messages`: the automatic reply the message asked for (`help`, `stop`, `start`), the sending that
 * carries it, or why none was sent (`auto_reply_refusal`).
 */
export function keywordRepliesSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(dialect, db, 'conversations')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('phone', 'text', (c) => {
          const column = c.notNull();
          return dialect === 'postgres' ? column.modifyFront(sql`collate "C"`) : column;
        })
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('last_inbound_id', 'bigint', (c) => c.notNull())
        .addColumn('last_received_at_us', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('conversations_account_phone_number', ['account_id', 'phone', 'number'])
        .execute();
      await db.schema
        .createIndex('conversations_account_received')
        .on('conversations')
        .columns(['account_id', 'last_received_at_us', 'id'])
        .execute();
      await sql`
        insert into conversations (account_id, phone, number, last_inbound_id, last_received_at_us)
        select account_id, from_phone, to_number, max(id), max(received_at_us)
        from inbound_messages group by account_id, from_phone, to_number`.execute(db);

      await db.schema.createIndex('messages_recipient').on('messages').columns(['recipient', 'sending_id']).execute();
      await db.schema
        .createIndex('inbound_messages_account_from')
        .on('inbound_messages')
        .columns(['account_id', 'from_phone', 'received_at_us', 'id'])
        .execute();

      await db.schema.alterTable('accounts').addColumn('help_text', 'text').execute();
      await db.schema
        .alterTable('accounts')
        .addColumn('keyword_confirmations', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('accounts').addColumn('stop_text', 'text').execute();
      await db.schema.alterTable('accounts').addColumn('start_text', 'text').execute();

      await db.schema
        .alterTable('inbound_messages')
        .addColumn('auto_reply', 'text', (c) => c.check(AUTO_REPLIES))
        .execute();
      await db.schema.alterTable('inbound_messages').addColumn('auto_reply_sending_id', 'bigint').execute();
      await db.schema.alterTable('inbound_messages').addColumn('auto_reply_refusal', 'text').execute();
    },
  };
}
