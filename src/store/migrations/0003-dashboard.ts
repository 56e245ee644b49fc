// The dashboard: users and their sessions, failed logins (rate limiting), account suspension, draft recipients.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

function withId(dialect: DialectName, db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

export function dashboardSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('accounts').addColumn('suspended_at_us', 'bigint').execute();

      await withId(dialect, db, 'users')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_folded', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('customer', 'admin')`))
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_account').on('users').columns(['account_id', 'id']).execute();

      await withId(dialect, db, 'sessions')
        .addColumn('session_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at_us', 'bigint', (c) => c.notNull())
        .addColumn('expires_at_us', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at_us', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      // Only failures are kept, for a sliding window per email and per client address; old rows are swept.
      await withId(dialect, db, 'login_failures')
        .addColumn('email_folded', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('attempted_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('login_failures_email')
        .on('login_failures')
        .columns(['email_folded', 'attempted_at_us'])
        .execute();
      await db.schema
        .createIndex('login_failures_ip')
        .on('login_failures')
        .columns(['ip', 'attempted_at_us'])
        .execute();
      await db.schema.createIndex('login_failures_age').on('login_failures').column('attempted_at_us').execute();

      // A Draft sending has no messages yet: its recipients wait here until it is sent (then the row goes).
      await db.schema
        .createTable('sending_drafts')
        .addColumn('sending_id', 'bigint', (c) => c.primaryKey().references('sendings.id').onDelete('cascade'))
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
