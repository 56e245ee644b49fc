// Received messages POSTed to the account's inbound_url through the status callbacks' outbox: the account's URL, what
// a received text did to the opt-out list, and outbox rows that name a received message instead of a sent one.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

/** SQLite cannot drop a NOT NULL: the outbox is rebuilt, rows, ids and indexes kept (nothing references it). */
async function rebuildSqliteOutbox(db: Kysely<unknown>): Promise<void> {
  await sql`create table "callback_outbox_0021" (
    "id" integer primary key autoincrement,
    "message_id" bigint references "messages" ("id"),
    "sending_id" bigint references "sendings" ("id"),
    "inbound_id" bigint references "inbound_messages" ("id"),
    "url" text,
    "status" text not null,
    "error" text,
    "event_at_us" bigint not null,
    "state" text default 'pending' not null check (state in ('pending', 'delivered', 'abandoned')),
    "attempts" integer default 0 not null,
    "next_attempt_at_us" bigint not null,
    "last_error" text,
    "created_at_us" bigint not null,
    "updated_at_us" bigint not null,
    constraint "callback_outbox_subject" check (
      (message_id is not null and sending_id is not null and inbound_id is null)
      or (message_id is null and sending_id is null and inbound_id is not null and url is not null)
    )
  )`.execute(db);
  await sql`insert into "callback_outbox_0021"
      (id, message_id, sending_id, status, error, event_at_us, state, attempts, next_attempt_at_us, last_error,
       created_at_us, updated_at_us)
    select id, message_id, sending_id, status, error, event_at_us, state, attempts, next_attempt_at_us, last_error,
       created_at_us, updated_at_us
    from "callback_outbox"`.execute(db);
  // The ids go on from where the old table's did, never giving again the id of a row deleted since (a receiver may
  // drop repeats by X-Smsgic-Delivery).
  await sql`delete from sqlite_sequence where name = 'callback_outbox_0021'`.execute(db);
  await sql`insert into sqlite_sequence (name, seq)
    select 'callback_outbox_0021', seq from sqlite_sequence where name = 'callback_outbox'`.execute(db);
  await sql`drop table "callback_outbox"`.execute(db);
  await sql`alter table "callback_outbox_0021" rename to "callback_outbox"`.execute(db);
  await sql`create index "callback_outbox_due" on "callback_outbox" ("next_attempt_at_us", "id") where "state" = 'pending'`.execute(
    db,
  );
  await sql`create index "callback_outbox_message" on "callback_outbox" ("message_id")`.execute(db);
  await sql`create index "callback_outbox_finished" on "callback_outbox" ("updated_at_us", "id") where "state" <> 'pending'`.execute(
    db,
  );
}

async function widenPostgresOutbox(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callback_outbox
    alter column message_id drop not null,
    alter column sending_id drop not null,
    add column inbound_id bigint references inbound_messages (id),
    add column url text,
    add constraint callback_outbox_subject check (
      (message_id is not null and sending_id is not null and inbound_id is null)
      or (message_id is null and sending_id is null and inbound_id is not null and url is not null)
    )`.execute(db);
}

export function inboundCallbacksSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Where the account's received messages are POSTed; null: nowhere.
      await db.schema.alterTable('accounts').addColumn('inbound_url', 'text').execute();
      // What the text did to the account's opt-out list: opt_out (STOP), opt_in (START), help; null: nothing.
      await db.schema.alterTable('inbound_messages').addColumn('keyword_effect', 'text').execute();
      // An outbox row is a sent message's status change (message_id, sending_id) or a received message (inbound_id,
      // POSTed to `url`, the account's inbound_url when it arrived).
      if (dialect === 'sqlite') await rebuildSqliteOutbox(db);
      else await widenPostgresOutbox(db);
      await db.schema.createIndex('callback_outbox_inbound').on('callback_outbox').column('inbound_id').execute();
    },
  };
}
