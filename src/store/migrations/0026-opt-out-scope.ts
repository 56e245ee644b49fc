// Opt-out per sender: an account chooses whether a STOP suppresses the number for the whole account (as before) or
// only for sendings from the sender it answered; an entry of the list names its sender, '' for the whole account.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

/** SQLite cannot change a table's unique constraint: the list is rebuilt, rows and ids kept (nothing references it). */
async function rebuildSqliteSuppressions(db: Kysely<unknown>): Promise<void> {
  await sql`create table "suppressions_0026" (
    "id" integer primary key autoincrement,
    "account_id" bigint not null references "accounts" ("id"),
    "phone" text not null,
    "source" text not null check (source in ('api', 'dashboard', 'operator', 'stop_message')),
    "created_at_us" bigint not null,
    "sender" text default '' not null,
    constraint "suppressions_account_phone_sender" unique ("account_id", "phone", "sender")
  )`.execute(db);
  await sql`insert into "suppressions_0026" (id, account_id, phone, source, created_at_us, sender)
    select id, account_id, phone, source, created_at_us, '' from "suppressions"`.execute(db);
  await sql`delete from sqlite_sequence where name = 'suppressions_0026'`.execute(db);
  await sql`insert into sqlite_sequence (name, seq)
    select 'suppressions_0026', seq from sqlite_sequence where name = 'suppressions'`.execute(db);
  await sql`drop table "suppressions"`.execute(db);
  await sql`alter table "suppressions_0026" rename to "suppressions"`.execute(db);
}

async function widenPostgresSuppressions(db: Kysely<unknown>): Promise<void> {
  await sql`alter table suppressions
    add column sender text collate "C" not null default '',
    drop constraint suppressions_account_phone,
    add constraint suppressions_account_phone_sender unique (account_id, phone, sender)`.execute(db);
}

export function optOutScopeSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // 'account': a STOP suppresses the number for every sending of the account; 'sender': only for sendings from
      // the sender (name or number) the STOP answered.
      await db.schema
        .alterTable('accounts')
        .addColumn('opt_out_scope', 'text', (c) =>
          c.notNull().defaultTo('account').check(sql`opt_out_scope in ('account', 'sender')`),
        )
        .execute();
      // An entry applies to sendings from `sender` only; '' to every sending of the account. The unique
      // (account_id, phone, sender) index serves every read: a sending's recipients are probed by (account_id, phone)
      // with the sender among the index's columns, and the list in number order with a prefix is a range of it.
      if (dialect === 'sqlite') await rebuildSqliteSuppressions(db);
      else await widenPostgresSuppressions(db);
      await db.schema
        .alterTable('suppression_changes')
        .addColumn('sender', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
    },
  };
}
