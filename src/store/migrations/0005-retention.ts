// Indexes for forgetting old rows: finished status callbacks and the sandbox provider's record of what it accepted.
import { type Kysely, type Migration, sql } from 'kysely';

export function retentionSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('callback_outbox_finished')
        .on('callback_outbox')
        .columns(['updated_at_us', 'id'])
        .where(sql.ref('state'), '<>', sql.lit('pending'))
        .execute();
      await db.schema
        .createIndex('sandbox_submissions_accepted')
        .on('sandbox_submissions')
        .column('accepted_at_us')
        .execute();
    },
  };
}
