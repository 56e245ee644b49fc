// The lease's turn order as an index: open sendings by when they were last leased from, then by when they were due.
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `sendings_lease_turn` holds the open sendings (Pending or Processing, not settled) in the order leases serve them:
 * never leased from (`last_leased_at_us` 0) first, the one due longest ago first, then the others by when they were
 * last leased from. A lease reads it from the front and stops once it has its batch, so what it costs is the batch,
 * not the backlog of queued sendings. It takes the place of `sendings_dispatch_open` (open sendings by due time), which
 * no statement reads any more.
 */
export function leaseTurnsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('sendings_lease_turn')
        .on('sendings')
        .columns(['last_leased_at_us', 'scheduled_at_us', 'id'])
        .where(sql<boolean>`status in ('Pending', 'Processing') and dispatch_settled_at_us is null`)
        .execute();
      await db.schema.dropIndex('sendings_dispatch_open').execute();
    },
  };
}
