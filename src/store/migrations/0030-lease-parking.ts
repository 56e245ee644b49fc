// Sendings waiting for a retry out of the lease's way: the lease reads the due ones only, however many wait.
import { type Kysely, type Migration, sql } from 'kysely';

const OPEN = "status in ('Pending', 'Processing') and dispatch_settled_at_us is null";

/**
 * `next_due_at_us`: 0 while a sending may have a due queued message (a lease looks at it), else a time no earlier than
 * when its first queued message is next due (`messages.next_attempt_at_us`), or the largest safe integer when none is
 * queued (its messages are being handed over): the sending is parked. A lease parks the sendings it took the due
 * messages of, an outcome that queues a message again parks or wakes its sending, and a lease first wakes (sets to 0)
 * the parked sendings whose time has come.
 *
 * `sendings_lease_due` replaces `sendings_lease_turn`: the same turn order, of the open sendings not parked, so that a
 * lease never walks past the thousands of one-time codes waiting for a retry during a provider's outage.
 * `sendings_lease_parked` holds the parked open sendings by when they are due again: a lease reads its front only.
 */
export function leaseParkingSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('sendings')
        .addColumn('next_due_at_us', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('sendings_lease_due')
        .on('sendings')
        .columns(['last_leased_at_us', 'scheduled_at_us', 'id'])
        .where(sql<boolean>`${sql.raw(OPEN)} and next_due_at_us = 0`)
        .execute();
      await db.schema
        .createIndex('sendings_lease_parked')
        .on('sendings')
        .columns(['next_due_at_us', 'id'])
        .where(sql<boolean>`${sql.raw(OPEN)} and next_due_at_us > 0`)
        .execute();
      await db.schema.dropIndex('sendings_lease_turn').execute();
    },
  };
}
