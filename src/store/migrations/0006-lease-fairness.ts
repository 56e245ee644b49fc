// Fair leasing: when each open sending was last leased from, so that leases take turns among the due sendings.
import type { Kysely, Migration } from 'kysely';

export function leaseFairnessSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('sendings')
        .addColumn('last_leased_at_us', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
