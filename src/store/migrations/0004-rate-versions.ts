// Price list versions: one row per list that has ever been written, its version changed by every rewrite of the list.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

export function rateVersionsSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // list_owner is the list's account id, or 0 for the platform default (as coalesce(rates.account_id, 0) names
      // it); no foreign key, since 0 is no account. On SQLite an INTEGER PRIMARY KEY is the rowid itself.
      await db.schema
        .createTable('rate_list_versions')
        .addColumn('list_owner', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull().check(sql`version >= 1`))
        .execute();
      // The lists already stored start at version 1; a list without a row reads as version 0.
      await sql`
        insert into rate_list_versions (list_owner, version)
        select distinct coalesce(account_id, 0), 1 from rates`.execute(db);
    },
  };
}
