// Fewer index entries written by each status change of a message or a sending.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

/**
 * A message changes status three or four times in its life (queued, submitting, submitted, final), and each change
 * writes a new entry into every index holding `status`: the old (status, sending_id[, id]) index held every message
 * ever stored, although its one reader, a cancel ending a sending's queued messages one id range at a time
 * (sending-cancel.ts), asks for queued ones only. `messages_queued_by_id` holds the queued messages alone, so the
 * lease, the outcome and the receipt of a message write nothing into it.
 *
 * `sendings_due` (status, scheduled_at_us) had no reader left: the lease walks `sendings_dispatch_open`.
 */
export function slimmerStatusIndexesSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('messages_queued_by_id')
        .on('messages')
        .columns(['sending_id', 'id'])
        .where(sql.ref('status'), '=', sql.lit('queued'))
        .execute();
      await db.schema.dropIndex(dialect === 'postgres' ? 'messages_dispatch_by_id' : 'messages_dispatch').execute();
      await db.schema.dropIndex('sendings_due').execute();
    },
  };
}
