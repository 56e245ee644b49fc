// The first schema: accounts, tokens, the ledger, senders, rates, the country catalog, sendings and their messages.
import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';
import { digitsCheck } from '../dialect-sql.js';

// Conventions: money is BIGINT minor units (1/10000 of the currency unit, `_minor`); time is BIGINT microseconds since
// the Unix epoch in UTC (`_at_us`), the one representation that round-trips exactly and compares the same on both.

function withId<T extends string>(dialect: DialectName, table: CreateTableBuilder<T, never>) {
  // SQLite: a rowid alias; AUTOINCREMENT so that an id is never handed out twice, even after a delete.
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

const SENDING_STATUSES = ['Draft', 'Pending', 'Processing', 'Completed', 'Cancelled', 'Failed'];
const SENDING_TYPES = ['default', 'infobip', 'twilio', 'messente', 'trumpia'];

function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

async function appendOnly(db: Kysely<unknown>, dialect: DialectName, table: string): Promise<void> {
  const message = `${table} is append-only`;
  if (dialect === 'sqlite') {
    const raise = `select raise(abort, '${message}');`;
    for (const event of ['update', 'delete']) {
      await sql.raw(`create trigger ${table}_no_${event} before ${event} on ${table} begin ${raise} end`).execute(db);
    }
    return;
  }
  await sql
    .raw(
      `create function ${table}_append_only() returns trigger language plpgsql as $$ ` +
        `begin raise exception '${message}'; end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger ${table}_append_only before update or delete on ${table} ` +
        `for each row execute function ${table}_append_only()`,
    )
    .execute(db);
}

/** accounts: who sends and pays, and its balance. */
async function createAccounts(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('accounts'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`length(currency) = 3`))
    .addColumn('tax_rate_ppm', 'integer', (c) =>
      c.notNull().defaultTo(0).check(sql`tax_rate_ppm between 0 and 1000000`),
    )
    .addColumn('balance_minor', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`balance_minor >= 0`))
    .addColumn('webhook_secret', 'text', (c) => c.notNull())
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
    .execute();
}

/** api_tokens: the keys of the public API (their hashes). */
async function createApiTokens(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('api_tokens'))
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at_us', 'bigint')
    .addColumn('revoked_at_us', 'bigint')
    .addColumn('expires_at_us', 'bigint')
    .execute();
  await db.schema.createIndex('api_tokens_account').on('api_tokens').columns(['account_id', 'id']).execute();
}

/** sendings: one request to send a text, priced and reserved. */
async function createSendings(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('sendings'))
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(oneOf('type', SENDING_TYPES)))
    .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', SENDING_STATUSES)))
    .addColumn('scheduled_at_us', 'bigint', (c) => c.notNull())
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
    .addColumn('recipients_count', 'bigint', (c) => c.notNull().check(sql`recipients_count >= 1`))
    .addColumn('sms_parts_total', 'bigint', (c) => c.notNull().check(sql`sms_parts_total >= recipients_count`))
    .addColumn('encoding', 'text', (c) => c.notNull().check(oneOf('encoding', ['GSM-7', 'UCS-2'])))
    .addColumn('parts_per_message', 'integer', (c) => c.notNull().check(sql`parts_per_message >= 1`))
    .addColumn('subtotal_minor', 'bigint', (c) => c.notNull().check(sql`subtotal_minor >= 0`))
    .addColumn('tax_minor', 'bigint', (c) => c.notNull().check(sql`tax_minor >= 0`))
    .addColumn('total_minor', 'bigint', (c) => c.notNull().check(sql`total_minor = subtotal_minor + tax_minor`))
    .addColumn('idempotency_key', 'text')
    .addColumn('request_sha256', 'text')
    .addColumn('callback_url', 'text')
    .execute();
  await db.schema.createIndex('sendings_account').on('sendings').columns(['account_id', 'id']).execute();
  // NULL keys are distinct on both engines, so sendings without a key never collide.
  await db.schema
    .createIndex('sendings_idempotency_key')
    .unique()
    .on('sendings')
    .columns(['account_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('sendings_due').on('sendings').columns(['status', 'scheduled_at_us']).execute();
}

/** ledger_entries: every move of money, append-only. */
async function createLedgerEntries(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('ledger_entries'))
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['credit', 'debit', 'reservation', 'refund'])))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('balance_after_minor', 'bigint', (c) => c.notNull().check(sql`balance_after_minor >= 0`))
    .addColumn('sending_id', 'bigint', (c) => c.references('sendings.id'))
    .addColumn('settlement_key', 'text')
    .addColumn('reference', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    // Money in is positive, money out negative (a sending priced at zero still has its reservation, of zero);
    // reservations and refunds always name their sending.
    .addCheckConstraint(
      'ledger_entries_sign',
      sql`(kind in ('credit', 'refund') and amount_minor > 0) or (kind = 'debit' and amount_minor < 0)
            or (kind = 'reservation' and amount_minor <= 0)`,
    )
    .addCheckConstraint(
      'ledger_entries_sending',
      sql`(kind = 'reservation' and sending_id is not null and settlement_key is null)
            or (kind = 'refund' and sending_id is not null and settlement_key is not null)
            or (kind in ('credit', 'debit') and sending_id is null and settlement_key is null)`,
    )
    .execute();
  await db.schema.createIndex('ledger_entries_account').on('ledger_entries').columns(['account_id', 'id']).execute();
  // One reservation per sending, one refund per (sending, settlement): a retried write cannot charge or pay twice.
  await db.schema
    .createIndex('ledger_entries_one_reservation')
    .unique()
    .on('ledger_entries')
    .column('sending_id')
    .where(sql.ref('kind'), '=', sql.lit('reservation'))
    .execute();
  await db.schema
    .createIndex('ledger_entries_one_refund')
    .unique()
    .on('ledger_entries')
    .columns(['sending_id', 'settlement_key'])
    .where(sql.ref('kind'), '=', sql.lit('refund'))
    .execute();
  await appendOnly(db, dialect, 'ledger_entries');
}

/** senders: the names an account may send as. */
async function createSenders(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('senders'))
    .addColumn('account_id', 'bigint', (c) => c.references('accounts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', ['approved', 'pending', 'rejected'])))
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
    .execute();
  // NULL (the platform-wide defaults) would be distinct in a plain unique index; 0 is never an account id.
  await sql`create unique index senders_name on senders ((coalesce(account_id, 0)), name)`.execute(db);
}

/** rates: the price per message of a network, per price list. */
async function createRates(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(dialect, db.schema.createTable('rates'))
    .addColumn('account_id', 'bigint', (c) => c.references('accounts.id'))
    .addColumn('mcc', 'text', (c) => c.notNull().check(digitsCheck(dialect, 'mcc', 3, 3)))
    .addColumn('mnc', 'text', (c) => c.check(digitsCheck(dialect, 'mnc', 1, 3)))
    .addColumn('rate_minor', 'bigint', (c) => c.notNull().check(sql`rate_minor >= 0`))
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .execute();
  // One rate per (price list, network); the country-wide row (mnc NULL) counts once too.
  await sql`
        create unique index rates_network on rates ((coalesce(account_id, 0)), mcc, (coalesce(mnc, '')))`.execute(db);
}

/** countries and country_mccs: the catalog a rate and a message name their country by. */
async function createCountries(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('countries')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('iso', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_folded', 'text', (c) => c.notNull())
    .addColumn('dial_code', 'text', (c) => c.notNull())
    .addColumn('mcc', 'text')
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
    .execute();
  // Which countries use an MCC, rank 0 being the one whose name a rate of that MCC shows.
  await db.schema
    .createTable('country_mccs')
    .addColumn('mcc', 'text', (c) => c.notNull())
    .addColumn('country_id', 'integer', (c) => c.notNull().references('countries.id').onDelete('cascade'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('country_mccs_pk', ['mcc', 'country_id'])
    .addUniqueConstraint('country_mccs_rank', ['mcc', 'rank'])
    .execute();
  await db.schema.createIndex('country_mccs_country').on('country_mccs').column('country_id').execute();
}

/** messages: one per recipient of a sending, and its dispatch. */
async function createMessages(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  // The country is a catalog id kept as a snapshot (no foreign key): a message stays as it was priced.
  await withId(dialect, db.schema.createTable('messages'))
    .addColumn('sending_id', 'bigint', (c) => c.notNull().references('sendings.id'))
    .addColumn('recipient', 'text', (c) => c.notNull().check(digitsCheck(dialect, 'recipient', 8, 20)))
    .addColumn('country_id', 'integer')
    .addColumn('mcc', 'text')
    .addColumn('mnc', 'text')
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('parts', 'integer', (c) => c.notNull().check(sql`parts between 1 and 255`))
    .addColumn('rate_minor', 'bigint', (c) => c.notNull().check(sql`rate_minor >= 0`))
    .addColumn('cost_minor', 'bigint', (c) => c.notNull().check(sql`cost_minor >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at_us', 'bigint')
    .addColumn('final_at_us', 'bigint')
    .addColumn('created_at_us', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_dispatch').on('messages').columns(['status', 'sending_id']).execute();
  await db.schema.createIndex('messages_sending').on('messages').columns(['sending_id', 'id']).execute();
  // Delivery reports arrive with the provider's id; most rows have none yet, so the index skips them.
  await db.schema
    .createIndex('messages_provider_id')
    .on('messages')
    .columns(['provider', 'provider_message_id'])
    .where(sql.ref('provider_message_id'), 'is not', null)
    .execute();
}

export function initialSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await createAccounts(db, dialect);
      await createApiTokens(db, dialect);
      await createSendings(db, dialect);
      await createLedgerEntries(db, dialect);
      await createSenders(db, dialect);
      await createRates(db, dialect);
      await createCountries(db);
      await createMessages(db, dialect);
    },
  };
}
