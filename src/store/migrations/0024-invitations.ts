// Invitations: a link the operator gives the owner of an account it opened, with which the owner chooses a password
// and becomes the account's first user.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

export function invitationsSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const builder = db.schema.createTable('invitations');
      await (dialect === 'sqlite'
        ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      )
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        // SHA-256 of the link's token, hex; the token itself is shown once and never stored.
        .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('email', 'text', (c) => c.notNull())
        // Who made it: an operator's email, or "cli".
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('expires_at_us', 'bigint', (c) => c.notNull())
        // Set once: when the owner chose a password (the user made), or when a newer invitation replaced it.
        .addColumn('ended_at_us', 'bigint')
        .addColumn('outcome', 'text', (c) => c.check(sql`outcome is null or outcome in ('accepted', 'replaced')`))
        .execute();
      await db.schema.createIndex('invitations_account').on('invitations').columns(['account_id', 'id']).execute();
    },
  };
}
