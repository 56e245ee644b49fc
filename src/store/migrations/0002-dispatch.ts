// Dispatch: the message queue's lease columns, the settlement mark, reports kept aside, the callback outbox, the sandbox.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

function withId(dialect: DialectName, db: Kysely<unknown>, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

export function dispatchSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // A message is leased by one worker until lease_expires_at_us; a queued one is due from next_attempt_at_us (0:
      // as soon as its sending is due); an accepted one is looked at again from next_poll_at_us (its report asked of a
      // polling provider, or, past the wait for reports, marked expired).
      await db.schema.alterTable('messages').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('messages').addColumn('lease_expires_at_us', 'bigint').execute();
      await db.schema
        .alterTable('messages')
        .addColumn('next_attempt_at_us', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('messages').addColumn('next_poll_at_us', 'bigint').execute();
      // Set once, when no message of the sending is in flight any more and its dispatch refund has been written.
      await db.schema.alterTable('sendings').addColumn('dispatch_settled_at_us', 'bigint').execute();

      // The lease walks due sendings (few rows) and then each one's due queued messages; the partial indexes hold only
      // the rows in that state, so they shrink as a sending goes out.
      await db.schema
        .createIndex('sendings_dispatch_open')
        .on('sendings')
        .columns(['scheduled_at_us', 'id'])
        .where(sql<boolean>`status in ('Pending', 'Processing') and dispatch_settled_at_us is null`)
        .execute();
      await db.schema
        .createIndex('messages_queued_due')
        .on('messages')
        .columns(['sending_id', 'next_attempt_at_us'])
        .where(sql.ref('status'), '=', sql.lit('queued'))
        .execute();
      await db.schema
        .createIndex('messages_lease_expiry')
        .on('messages')
        .column('lease_expires_at_us')
        .where(sql.ref('status'), '=', sql.lit('submitting'))
        .execute();
      // Accepted messages waiting for their report, by when to look at them next: ask a polling provider, or give up
      // waiting (expired). One index for both: every index is written again by each of a message's status changes.
      await db.schema
        .createIndex('messages_awaiting_report')
        .on('messages')
        .columns(['provider', 'next_poll_at_us'])
        .where(sql.ref('status'), '=', sql.lit('submitted'))
        .execute();

      // Delivery reports for ids not stored yet (a webhook may beat the submit response): applied once the id is known.
      await withId(dialect, db, 'pending_reports')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('reported_at_us', 'bigint', (c) => c.notNull())
        .addColumn('received_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pending_reports_id')
        .on('pending_reports')
        .columns(['provider', 'provider_message_id'])
        .execute();
      await db.schema.createIndex('pending_reports_received').on('pending_reports').column('received_at_us').execute();

      // Per-message status changes for the customer's callback_url, written with the change, POSTed by a worker.
      await withId(dialect, db, 'callback_outbox')
        .addColumn('message_id', 'bigint', (c) => c.notNull().references('messages.id'))
        .addColumn('sending_id', 'bigint', (c) => c.notNull().references('sendings.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('event_at_us', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) =>
          c.notNull().defaultTo('pending').check(sql`state in ('pending', 'delivered', 'abandoned')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at_us', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('callback_outbox_due')
        .on('callback_outbox')
        .columns(['next_attempt_at_us', 'id'])
        .where(sql.ref('state'), '=', sql.lit('pending'))
        .execute();
      await db.schema.createIndex('callback_outbox_message').on('callback_outbox').column('message_id').execute();

      // The sandbox provider's own record of what it accepted, shared by every worker process on this database.
      await db.schema
        .createTable('sandbox_submissions')
        .addColumn('reference', 'text', (c) => c.primaryKey())
        .addColumn('provider_message_id', 'text', (c) => c.notNull().unique())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('accepted_at_us', 'bigint', (c) => c.notNull())
        .addColumn('submit_calls', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  };
}
