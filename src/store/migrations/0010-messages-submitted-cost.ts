// An index of the messages a provider accepted, so a refund's guard sums those alone rather than a whole sending.

import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * postRefund (ledger.ts) refuses to give back what a provider accepted: it sums cost_minor of the sending's messages
 * with submitted_at_us set. Without an index that read every message of the sending inside the refund's transaction
 * (about 130 ms for a million on SQLite, the event loop held throughout). The partial index holds only accepted
 * messages, which a Pending sending being cancelled has none of.
 */
export function messagesSubmittedCostSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('messages_submitted_cost')
        .on('messages')
        .columns(['sending_id', 'cost_minor'])
        .where(sql.ref('submitted_at_us'), 'is not', null)
        .execute();
    },
  };
}
