// An account's own opt-out (stop) and opt-in (start) words, beside the built-in keywords.
import type { Kysely, Migration } from 'kysely';

/**
 * On `accounts`: `stop_words` and `start_words`, the account's own words in upper case (NFC), separated by one space
 * (each word is letters and digits only); '' when none.
 */
export function optOutWordsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('accounts')
        .addColumn('stop_words', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('accounts')
        .addColumn('start_words', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
    },
  };
}
