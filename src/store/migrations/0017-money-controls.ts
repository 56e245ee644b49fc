// Controls on what an account may spend its money on: the countries it sends to and its daily and monthly spend.
import type { Kysely, Migration } from 'kysely';

/**
 * `allowed_countries`: the countries the operator lets the account send to, ISO 3166 alpha-2 codes separated by
 * commas ("EE,LV"), null for every country; `chosen_countries`: the customer's own choice among those, null for all
 * the operator allows. `daily_spend_limit_minor` / `monthly_spend_limit_minor`: caps on what the account's sendings
 * may reserve per UTC day and month, less what they got back, in the account's minor units; null for no cap.
 * `ledger_entries_account_time` lets the sum of an account's reservations and refunds since a time read only the
 * entries of that period.
 */
export function moneyControlsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('accounts').addColumn('allowed_countries', 'text').execute();
      await db.schema.alterTable('accounts').addColumn('chosen_countries', 'text').execute();
      await db.schema.alterTable('accounts').addColumn('daily_spend_limit_minor', 'bigint').execute();
      await db.schema.alterTable('accounts').addColumn('monthly_spend_limit_minor', 'bigint').execute();
      await db.schema
        .createIndex('ledger_entries_account_time')
        .on('ledger_entries')
        .columns(['account_id', 'created_at_us'])
        .execute();
    },
  };
}
