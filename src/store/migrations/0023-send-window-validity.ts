// Quiet hours and validity per sending: when its messages may go in their recipients' local time, and how long they may
// wait before they are handed over.
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `send_window`: `HH:MM-HH:MM` in each recipient's local time, null for any time. `validity_minutes`: how long after
 * it was due a message may still be handed over, null for no limit; `expires_at_us` is that instant, kept for the
 * sweep that ends the messages still queued then as `expired` (refunded). `sendings_expiring` holds only the open
 * (Pending or Processing, not settled) sendings with a validity, so that sweep reads the ones due and nothing else.
 */
export function sendWindowValiditySchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sendings').addColumn('send_window', 'text').execute();
      await db.schema.alterTable('sendings').addColumn('validity_minutes', 'integer').execute();
      await db.schema.alterTable('sendings').addColumn('expires_at_us', 'bigint').execute();
      await db.schema
        .createIndex('sendings_expiring')
        .on('sendings')
        .columns(['expires_at_us', 'id'])
        .where(
          sql<boolean>`expires_at_us is not null and status in ('Pending', 'Processing') and dispatch_settled_at_us is null`,
        )
        .execute();
    },
  };
}
