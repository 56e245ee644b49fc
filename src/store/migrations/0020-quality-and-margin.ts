// Delivery quality per provider and country, and each handed-over message's provider cost: the inputs of routing by
// quality and of the operator's margin.
import type { Kysely, Migration } from 'kysely';

/**
 * `delivery_quality`: per provider, MCC ('' when the network is unknown) and hour (UTC, the bucket's first
 * microsecond), how many final delivery reports came, how many said delivered, and the sum of their times from the
 * hand-over to the report in milliseconds. Written in the transaction that applies the reports, one row per group.
 *
 * On `messages`, what the provider charges for a handed-over message, written with its submit result: the cost in
 * the provider's currency (`provider_cost_minor`, `provider_cost_currency`), the same converted into the account's
 * currency, rounded up (`provider_cost_account_minor`), and the conversion rates used, each quoted from the platform's
 * base currency in millionths (`provider_cost_from_ppm` for the provider's currency, `provider_cost_to_ppm` for the
 * account's). Null when the cost is unknown (no cost list, or no conversion rate for the account cost and rates).
 *
 * `sendings_created` lets the margin report read the sendings of a date range alone.
 */
export function qualityAndMarginSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('delivery_quality')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('mcc', 'text', (c) => c.notNull())
        .addColumn('hour_us', 'bigint', (c) => c.notNull())
        .addColumn('reports', 'bigint', (c) => c.notNull())
        .addColumn('delivered', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('delivery_quality_key', ['provider', 'mcc', 'hour_us'])
        .execute();
      await db.schema.createIndex('delivery_quality_hour').on('delivery_quality').column('hour_us').execute();
      await db.schema.alterTable('messages').addColumn('provider_cost_minor', 'bigint').execute();
      await db.schema.alterTable('messages').addColumn('provider_cost_currency', 'text').execute();
      await db.schema.alterTable('messages').addColumn('provider_cost_account_minor', 'bigint').execute();
      await db.schema.alterTable('messages').addColumn('provider_cost_from_ppm', 'bigint').execute();
      await db.schema.alterTable('messages').addColumn('provider_cost_to_ppm', 'bigint').execute();
      await db.schema.createIndex('sendings_created').on('sendings').columns(['created_at_us', 'id']).execute();
    },
  };
}
