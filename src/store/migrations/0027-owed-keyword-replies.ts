// Keyword answers owed: a received HELP (or STOP/START to be confirmed) records, with the message itself, that an
// answer is owed, so that one lost to a crash before it was sent is sent later, once.
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * On `inbound_messages`: `auto_reply_owed_at_us`, when a keyword answer became owed (the store's clock), null once it
 * was sent, refused or found unnecessary. `inbound_messages_reply_owed` holds only the messages still owed one, so the
 * worker's sweep for answers left behind reads those and nothing else.
 */
export function owedKeywordRepliesSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('inbound_messages').addColumn('auto_reply_owed_at_us', 'bigint').execute();
      await db.schema
        .createIndex('inbound_messages_reply_owed')
        .on('inbound_messages')
        .columns(['auto_reply_owed_at_us', 'id'])
        .where(sql.ref('auto_reply_owed_at_us'), 'is not', null)
        .execute();
    },
  };
}
