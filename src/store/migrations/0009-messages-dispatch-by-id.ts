// The (status, sending_id) index of messages carries the id on PostgreSQL too, so a cancel's id range is an index range.
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

/**
 * A cancel ends a sending's queued messages one id range at a time (sending-cancel.ts). On SQLite the rowid closes
 * every index, so (status, sending_id) already narrows to (queued, the sending, the range). On PostgreSQL it did not,
 * and the planner, without statistics on a freshly inserted sending, walked the partial queued index by sending_id
 * alone: every remaining queued message of the sending read again for each batch. Same rows, one more column; SQLite
 * is left as it is.
 */
export function messagesDispatchByIdSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') return;
      await db.schema
        .createIndex('messages_dispatch_by_id')
        .on('messages')
        .columns(['status', 'sending_id', 'id'])
        .execute();
      await db.schema.dropIndex('messages_dispatch').execute();
    },
  };
}
