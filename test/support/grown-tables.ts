// Fills a database with the history of a platform that has run for a while: many accounts, finished sendings and
// their messages, ledger entries, tokens, senders, rate lists and delivered callbacks, inserted in bulk by the engine
// itself (generate_series on PostgreSQL, a recursive series on SQLite), so that millions of rows take seconds.
//
// The rows are shaped like the store's own (mostly finished sendings with delivered, undelivered, failed or cancelled
// messages, a reservation per sending, a refund per cancelled one), but they are not a consistent ledger: balances are
// set, not earned, so auditLedger is not meant to run over them. Nothing of the accounts, sendings and messages is
// due before 2100: no lease, report poll or callback finds work among them.
import { sql } from 'kysely';
import type { Db } from '../../src/store/db.js';

export interface GrowOptions {
  /** Stored messages to add. */
  readonly messages: number;
  /** Sendings they are spread over (default: one per 100 messages, at least 1). */
  readonly sendings?: number;
  /** Accounts the sendings are spread over (default: one per 20 sendings, at least 1). */
  readonly accounts?: number;
  /** Distinguishes the rows of one call from another's (token hashes, provider ids); default a random tag. */
  readonly tag?: string;
  /**
   * Live sendings of each kind (Pending with queued messages, Processing with messages awaiting reports), at most; by
   * default one sending in fifty of each, so the live work grows with the history. A benchmark comparing sizes sets a
   * fixed number, so that only the history differs.
   */
  readonly liveSendings?: number;
  /** Messages per INSERT statement (default 1,000,000): bounds the memory and the length of one transaction. */
  readonly chunk?: number;
}

export interface GrownTables {
  readonly accounts: { readonly first: number; readonly last: number };
  readonly sendings: { readonly first: number; readonly last: number };
  readonly messages: number;
  /** Wall time of the inserts, ms. */
  readonly ms: number;
}

/**
 * Every tenth sending was cancelled, every twentieth failed (when not cancelled); one in fifty (up to `liveSendings`)
 * is still Pending, scheduled for 2100 with its messages queued, and one in fifty Processing, its messages accepted
 * and waiting for reports nobody will ask for before 2100: the live work a busy platform carries beside its history,
 * so that every status is a real share of the table. The others completed.
 */
function sendingStatus(pending: string, processing: string): string {
  return `case when j % 10 = 0 then 'Cancelled' when j % 20 = 5 then 'Failed' when ${pending} then 'Pending'
    when ${processing} then 'Processing' else 'Completed' end`;
}
/** 2100-01-01 UTC in microseconds: when the live sendings are due, and their reports. */
const FUTURE_US = 4_102_444_800_000_000;
const RATE_MINOR = 4_397;
/** When the history happened: 2020-01-01 UTC, in microseconds. */
const HISTORY_AT_US = 1_577_836_800_000_000;

/** `select … from <series 1..n as column>`: generate_series on PostgreSQL, a recursive series on SQLite. */
function series(db: Db, column: string, from: number, to: number): string {
  if (db.dialect === 'postgres') return `generate_series(${from}::bigint, ${to}::bigint) as g(${column})`;
  return `(with recursive s(${column}) as (select ${from} union all select ${column} + 1 from s where ${column} < ${to}) select ${column} from s) as g`;
}

async function run(db: Db, text: string): Promise<void> {
  await db.transaction((trx) => sql.raw(text).execute(trx));
}

async function maxId(db: Db, table: 'accounts' | 'sendings'): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The ids `table` gave the rows inserted after `before`: contiguous, since nothing else inserts meanwhile. */
async function insertedRange(db: Db, table: 'accounts' | 'sendings', before: number, expected: number) {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last'), eb.fn.countAll().as('n')])
    .where('id', '>', before)
    .executeTakeFirstOrThrow();
  const first = Number(row.first);
  const last = Number(row.last);
  if (Number(row.n) !== expected || last - first + 1 !== expected) {
    throw new Error(`${table}: expected ${expected} contiguous new ids, found ${row.n} in ${first}..${last}`);
  }
  return { first, last };
}

/** Adds the history `options` describes to `db` (migrated) and returns where its rows are. */
export async function growTables(db: Db, options: GrowOptions): Promise<GrownTables> {
  const started = performance.now();
  const n = options.messages;
  const sendings = options.sendings ?? Math.max(1, Math.floor(n / 100));
  const accounts = options.accounts ?? Math.max(1, Math.floor(sendings / 20));
  const chunk = options.chunk ?? 1_000_000;
  const tag = (options.tag ?? Math.random().toString(36).slice(2, 10)).replace(/[^a-z0-9]/gi, '');
  if (!(Number.isSafeInteger(n) && n >= 1 && sendings >= 1 && sendings <= n && accounts >= 1)) {
    throw new RangeError('messages ≥ sendings ≥ 1 and accounts ≥ 1');
  }
  const at = HISTORY_AT_US;
  const live = options.liveSendings ?? sendings;
  // Sending j (0-based) is live when it is one of the first `live` of its kind: one in fifty.
  const pendingOf = (j: string) => `(${j} % 50 = 27 and ${j} / 50 < ${live})`;
  const processingOf = (j: string) => `(${j} % 50 = 33 and ${j} / 50 < ${live})`;
  const concat = (...parts: string[]) => parts.join(' || ');

  // Accounts, each with a token, an approved sender, its opening credit; every tenth with a price list of its own.
  const accountsBefore = await maxId(db, 'accounts');
  await run(
    db,
    `insert into accounts (name, currency, tax_rate_ppm, balance_minor, webhook_secret, created_at_us, updated_at_us)
     select ${concat(`'grown-${tag}-'`, 'cast(a as text)')}, 'GBP', 0, 1000000000000, 'secret', ${at}, ${at}
     from ${series(db, 'a', 1, accounts)}`,
  );
  const acc = await insertedRange(db, 'accounts', accountsBefore, accounts);
  await run(
    db,
    `insert into api_tokens (account_id, name, prefix, token_sha256, created_at_us)
     select id, 'grown', 'grown', ${concat(`'grown-${tag}-'`, 'cast(id as text)')}, ${at}
     from accounts where id between ${acc.first} and ${acc.last}`,
  );
  await run(
    db,
    `insert into senders (account_id, name, status, created_at_us, updated_at_us)
     select id, 'Grown', 'approved', ${at}, ${at} from accounts where id between ${acc.first} and ${acc.last}`,
  );
  await run(
    db,
    `insert into ledger_entries (account_id, kind, amount_minor, balance_after_minor, note, created_at_us)
     select id, 'credit', 1000000000000, 1000000000000, 'grown', ${at}
     from accounts where id between ${acc.first} and ${acc.last}`,
  );
  for (const [mnc, rate] of [
    ["'01'", RATE_MINOR],
    ['null', RATE_MINOR + 500],
  ] as const) {
    await run(
      db,
      `insert into rates (account_id, mcc, mnc, rate_minor, currency, created_at_us)
       select id, '247', ${mnc}, ${rate}, currency, ${at} from accounts
       where id between ${acc.first} and ${acc.last} and id % 10 = 0`,
    );
  }
  await run(
    db,
    `insert into rate_lists (list_owner, currency, version, source)
     select id, currency, 1, 'imported' from accounts where id between ${acc.first} and ${acc.last} and id % 10 = 0`,
  );

  // Sendings, round the accounts, each finished; message k of the n goes to sending floor(k * sendings / n), so a
  // sending's messages have consecutive ids, as createSending stores them.
  const perSending = (j: string) => `((${j} + 1) * ${n} / ${sendings} - ${j} * ${n} / ${sendings})`;
  const sendingsBefore = await maxId(db, 'sendings');
  await run(
    db,
    `insert into sendings (account_id, text, sender, type, status, scheduled_at_us, created_at_us, updated_at_us,
       recipients_count, sms_parts_total, encoding, parts_per_message, subtotal_minor, tax_minor, total_minor,
       dispatch_settled_at_us, last_leased_at_us)
     select ${acc.first} + j % ${accounts}, 'Grown history', 'Grown', 'default', ${sendingStatus(pendingOf('j'), processingOf('j'))},
       case when ${pendingOf('j')} then ${FUTURE_US} else ${at} + j end, ${at} + j, ${at} + j,
       ${perSending('j')}, ${perSending('j')}, 'GSM-7', 1,
       ${perSending('j')} * ${RATE_MINOR}, 0, ${perSending('j')} * ${RATE_MINOR},
       case when ${pendingOf('j')} then null else ${at} + j end, case when ${pendingOf('j')} then 0 else ${at} + j end
     from ${series(db, 'j', 0, sendings - 1)}`,
  );
  const snd = await insertedRange(db, 'sendings', sendingsBefore, sendings);
  await run(
    db,
    `insert into ledger_entries (account_id, kind, amount_minor, balance_after_minor, sending_id, reference, created_at_us)
     select account_id, 'reservation', -total_minor, 1000000000000, id, ${concat(`'sending:'`, 'cast(id as text)')},
       created_at_us
     from sendings where id between ${snd.first} and ${snd.last}`,
  );
  await run(
    db,
    `insert into ledger_entries (account_id, kind, amount_minor, balance_after_minor, sending_id, settlement_key,
       reference, created_at_us)
     select account_id, 'refund', total_minor, 1000000000000, id, 'cancel', ${concat(`'sending:'`, 'cast(id as text)')},
       created_at_us
     from sendings where id between ${snd.first} and ${snd.last} and status = 'Cancelled' and total_minor > 0`,
  );

  // Messages, by chunks of the series: the status follows the sending's (every seventh of a completed one undelivered).
  const sendingOf = (k: string) => `(${k} * ${sendings} / ${n})`;
  const j = sendingOf('k');
  const queued = pendingOf(j);
  const awaiting = processingOf(j);
  const status = `case when ${j} % 10 = 0 then 'cancelled' when ${j} % 20 = 5 then 'failed'
    when ${queued} then 'queued' when ${awaiting} then 'submitted'
    when k % 7 = 3 then 'undelivered' else 'delivered' end`;
  const accepted = `${j} % 10 <> 0 and ${j} % 20 <> 5 and not (${queued})`;
  const final = `not (${queued}) and not (${awaiting})`;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk) - 1;
    await run(
      db,
      `insert into messages (sending_id, recipient, country_id, mcc, mnc, destination, parts, rate_minor, cost_minor,
         status, provider, provider_message_id, attempts, submitted_at_us, final_at_us, created_at_us, updated_at_us,
         next_attempt_at_us, next_poll_at_us)
       select ${snd.first} + ${j}, cast(37120000000 + k % 9000000 as text), 1, '247', '01', 'Latvia LMT',
         1, ${RATE_MINOR}, ${RATE_MINOR}, ${status}, case when ${accepted} then 'sandbox' end,
         case when ${accepted} then ${concat(`'grown-${tag}-'`, 'cast(k as text)')} end,
         case when ${queued} then 0 else 1 end, case when ${accepted} then ${at} + k end,
         case when ${final} then ${at} + k end, ${at} + k, ${at} + k,
         case when ${queued} then ${FUTURE_US} else ${at} + k end, case when ${awaiting} then ${FUTURE_US} end
       from ${series(db, 'k', from, to)}`,
    );
  }
  // A delivered status callback for every tenth accepted message.
  await run(
    db,
    `insert into callback_outbox (message_id, sending_id, status, event_at_us, state, attempts, next_attempt_at_us,
       created_at_us, updated_at_us)
     select id, sending_id, status, final_at_us, 'delivered', 1, final_at_us, final_at_us, final_at_us
     from messages
     where sending_id between ${snd.first} and ${snd.last} and id % 10 = 0 and final_at_us is not null
       and submitted_at_us is not null`,
  );
  // And one waiting to be posted, not before 2100, for every fifth message still waiting for its report.
  await run(
    db,
    `insert into callback_outbox (message_id, sending_id, status, event_at_us, state, attempts, next_attempt_at_us,
       created_at_us, updated_at_us)
     select id, sending_id, status, submitted_at_us, 'pending', 0, ${FUTURE_US}, submitted_at_us, submitted_at_us
     from messages
     where sending_id between ${snd.first} and ${snd.last} and id % 5 = 0 and status = 'submitted'
       and next_poll_at_us = ${FUTURE_US}`,
  );
  // PostgreSQL's planner then knows the tables' sizes and each status's share, as autovacuum would have told it.
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  return { accounts: acc, sendings: snd, messages: n, ms: performance.now() - started };
}
