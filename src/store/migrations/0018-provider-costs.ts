// What each upstream provider charges per part: one cost list per provider, in one currency, by network or country.
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `provider_cost_lists`: one row per provider that has a list (its name as the registry spells it), the list's
 * currency, its version (moved on by every replacement, in the replacement's transaction) and when it was replaced.
 * `provider_costs`: the list's rows, the cost of one part in 1/10000 of the list's currency, for an MCC + MNC or, with
 * no MNC, country-wide; one row per (provider, network), the country row counting once, as `rates` does.
 */
export function providerCostsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('provider_cost_lists')
        .addColumn('provider', 'text', (c) => c.primaryKey())
        .addColumn('currency', 'text', (c) => c.notNull().check(sql`length(currency) = 3`))
        .addColumn('version', 'bigint', (c) => c.notNull().check(sql`version >= 1`))
        .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('provider_costs')
        .addColumn('provider', 'text', (c) => c.notNull().references('provider_cost_lists.provider'))
        .addColumn('mcc', 'text', (c) => c.notNull())
        .addColumn('mnc', 'text')
        .addColumn('cost_minor', 'bigint', (c) => c.notNull().check(sql`cost_minor >= 0`))
        .execute();
      await sql`
        create unique index provider_costs_network
        on provider_costs (provider, mcc, (coalesce(mnc, '')))`.execute(db);
    },
  };
}
