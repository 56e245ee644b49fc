// Every price list has a currency: one default list per currency, an account's own list in the account's currency.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

/**
 * `rate_lists` replaces `rate_list_versions`: a list is named by its owner (an account id, 0 for the platform's default
 * lists) and its currency, and records where its rates came from: `imported` as they are, or `converted` from the base
 * default list at `conversion_rate_ppm` (millionths: 1 base unit = rate / 10^6 units of the list's currency), quoted on
 * `rate_date`. `rates` gets the currency of the list each row belongs to, and its unique index takes it in.
 *
 * The lists stored before: the default one is in GBP, the currency its sample prices were written in (the platform's
 * base currency when this migration shipped); an account's own list is in its account's currency.
 */
export function rateListCurrencySchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rate_lists')
        .addColumn('list_owner', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull().check(sql`length(currency) = 3`))
        .addColumn('version', 'bigint', (c) => c.notNull().check(sql`version >= 1`))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('base_currency', 'text')
        .addColumn('conversion_rate_ppm', 'bigint')
        .addColumn('rate_date', 'text')
        .addPrimaryKeyConstraint('rate_lists_pk', ['list_owner', 'currency'])
        .addCheckConstraint(
          'rate_lists_source',
          sql`(source = 'imported' and base_currency is null and conversion_rate_ppm is null and rate_date is null)
            or (source = 'converted' and list_owner = 0 and length(base_currency) = 3 and conversion_rate_ppm > 0
              and length(rate_date) = 10)`,
        )
        .execute();
      await sql`
        insert into rate_lists (list_owner, currency, version, source)
        select v.list_owner,
          case when v.list_owner = 0 then 'GBP'
            else coalesce((select a.currency from accounts a where a.id = v.list_owner), 'GBP') end,
          v.version, 'imported'
        from rate_list_versions v`.execute(db);
      await db.schema.dropTable('rate_list_versions').execute();

      // A column added with a default is cheap on both engines; the default is dropped where the engine allows it
      // (PostgreSQL), and every writer names the currency.
      await sql`alter table rates add column currency text not null default 'GBP' check (length(currency) = 3)`.execute(
        db,
      );
      await sql`
        update rates set currency = (select a.currency from accounts a where a.id = rates.account_id)
        where account_id is not null`.execute(db);
      if (dialect === 'postgres') await sql`alter table rates alter column currency drop default`.execute(db);
      await db.schema.dropIndex('rates_network').execute();
      // One rate per (price list, network); the country-wide row (mnc NULL) counts once too.
      await sql`
        create unique index rates_list_network
        on rates ((coalesce(account_id, 0)), currency, mcc, (coalesce(mnc, '')))`.execute(db);
    },
  };
}
