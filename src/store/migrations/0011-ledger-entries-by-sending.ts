// An index of the ledger entries by sending, so that what a sending holds is read from its own entries alone.
import type { Kysely, Migration } from 'kysely';

/**
 * A cancel reads what the sending's reservation still holds, and postRefund (ledger.ts), run by every cancel and every
 * settlement, sums the sending's reservation and refunds. The unique indexes of 0001 are partial (reservations alone,
 * refunds alone), so a sum over both kinds could use neither and read the whole ledger: a cost that grew with every
 * entry ever posted, inside the transaction that holds the account's row. The index also serves the foreign key from
 * ledger_entries to sendings.
 */
export function ledgerEntriesBySendingSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('ledger_entries_by_sending').on('ledger_entries').column('sending_id').execute();
    },
  };
}
