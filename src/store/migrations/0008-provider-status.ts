// A message's last non-final word from its provider (Twilio's `sent`: handed to the carrier), shown beside `submitted`.
import type { Kysely, Migration } from 'kysely';

export function providerStatusSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('messages').addColumn('provider_status', 'text').execute();
      // A callback may come before the provider's id is stored: kept with the report, applied when the id arrives.
      await db.schema.alterTable('pending_reports').addColumn('provider_status', 'text').execute();
    },
  };
}
