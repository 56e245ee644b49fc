// Sendings: stored with all their messages and the reservation of their cost in one transaction, read back per account.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { Encoding } from '../domain/gsm.js';
import { PER_PAGE_MAX } from '../domain/limits.js';
import { addMoney, minorFrom } from '../domain/money.js';
import { nextWindowOpeningUs, parseSendWindow } from '../domain/send-window.js';
import { SENDING_STATUSES, SENDING_TYPES, type SendingStatus, type SendingType } from '../domain/sending.js';
import type { Db, DialectName } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import { parkSendings } from './dispatch-queue.js';
import { inIds } from './dispatch-sql.js';
import { type AccountNotFound, type InsufficientBalance, lockAccount } from './ledger.js';
import { insertMessageChunk, insertSuppressedMessages, MESSAGE_ROWS_PER_INSERT } from './message-insert.js';
import { type MessageRow, type MessageRows, messageChunks } from './message-rows.js';
import { reserveForSending } from './reservations.js';
import type { Schema, SendingsTable } from './schema.js';
import type { SpendLimitExceeded } from './spend-limits.js';
import { US_PER_MS } from './time.js';
import { assertInt, intFrom, intOrNull, pageWindow } from './values.js';

export type { InsufficientBalance } from './ledger.js';
export type { MessageColumns, MessageRow, MessageRows } from './message-rows.js';

/** How long an Idempotency-Key is remembered: after that the same key starts a new sending. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

const US_PER_MINUTE = 60_000_000;

export interface Sending {
  readonly id: number;
  readonly accountId: number;
  readonly text: string;
  readonly sender: string;
  readonly type: SendingType;
  readonly status: SendingStatus;
  readonly scheduledAtUs: number;
  readonly createdAtUs: number;
  readonly updatedAtUs: number;
  readonly recipients: number;
  /** SMS parts over all recipients (`total_sms`). */
  readonly smsCount: number;
  readonly encoding: Encoding;
  readonly partsPerMessage: number;
  readonly subtotalMinor: number;
  readonly taxMinor: number;
  readonly totalMinor: number;
  readonly idempotencyKey: string | null;
  /** Hash of the request that used the key, to tell a replay from a different body under the same key. */
  readonly requestSha256: string | null;
  readonly callbackUrl: string | null;
  /** `HH:MM-HH:MM` in each recipient's local time; null: any time. */
  readonly sendWindow: string | null;
  readonly validityMinutes: number | null;
  /** When the validity ends (the sending's due time + validity): messages still queued then end `expired`. */
  readonly expiresAtUs: number | null;
}

/** A send window as the store applies it: its text, the sending's countries, and the zone each reads it in. */
export interface SendWindowHold {
  readonly text: string;
  /** The distinct countries of the sending's priced recipients (null: a number of no known country). */
  readonly countryIds: readonly (number | null)[];
  readonly zoneOfCountry: (countryId: number | null) => string;
}

export interface NewSending {
  readonly accountId: number;
  readonly text: string;
  readonly sender: string;
  readonly type: SendingType;
  /** When to send; null or absent means now. */
  readonly scheduledAtUs?: number | null;
  readonly encoding: Encoding;
  readonly partsPerMessage: number;
  /** Distinct recipients: the number of message rows. */
  readonly recipients: number;
  /** Parts over all recipients: the sum of the rows' parts. */
  readonly smsCount: number;
  /** The sum of the rows' costs. */
  readonly subtotalMinor: number;
  readonly taxMinor: number;
  /** subtotal + tax: what is reserved. */
  readonly totalMinor: number;
  readonly idempotency?: { readonly key: string; readonly requestSha256: string } | null;
  readonly callbackUrl?: string | null;
  /** Messages wait, each until the window opens in its recipient's local time; absent: any time. */
  readonly sendWindow?: SendWindowHold | null;
  /** Messages not handed over within this many minutes of the sending's due time end `expired` (refunded). */
  readonly validityMinutes?: number | null;
  readonly messages: MessageRows;
  /**
   * Recipients on the account's suppression list: stored as `suppressed` messages, final at once, costing nothing,
   * outside the counts, the subtotal and the reservation.
   */
  readonly suppressed?: readonly MessageRow[];
}

/** What a sending's priced totals and schedule are: a new sending's, a grouped one's and a sent draft's. */
export type PricedSending = Pick<
  NewSending,
  | 'scheduledAtUs'
  | 'encoding'
  | 'partsPerMessage'
  | 'recipients'
  | 'smsCount'
  | 'subtotalMinor'
  | 'taxMinor'
  | 'totalMinor'
  | 'sendWindow'
  | 'validityMinutes'
>;

/**
 * The columns of a sending that becomes `Pending` now with its priced totals: one definition for a new sending, one
 * stored in a group and a draft being sent.
 */
export function pendingColumns(input: PricedSending, nowUs: number) {
  const dueAtUs = input.scheduledAtUs ?? nowUs;
  const validity = input.validityMinutes ?? null;
  return {
    status: 'Pending' as const,
    scheduled_at_us: dueAtUs,
    // Written only when given (the columns' default is null), so that a sending without them is stored the same on a
    // schema from before them (the migration tests store sendings on older schemas).
    ...(input.sendWindow && { send_window: input.sendWindow.text }),
    ...(validity !== null && { validity_minutes: validity, expires_at_us: dueAtUs + validity * US_PER_MINUTE }),
    created_at_us: nowUs,
    updated_at_us: nowUs,
    recipients_count: input.recipients,
    sms_parts_total: input.smsCount,
    encoding: input.encoding,
    parts_per_message: input.partsPerMessage,
    subtotal_minor: input.subtotalMinor,
    tax_minor: input.taxMinor,
    total_minor: input.totalMinor,
  };
}

export type CreateSendingResult =
  | { readonly ok: true; readonly sending: Sending; readonly balanceMinor: number }
  | InsufficientBalance
  | SpendLimitExceeded
  | AccountNotFound
  /** The key was used within IDEMPOTENCY_KEY_TTL_MS: nothing was created; `sending` is the first one. */
  | { readonly ok: false; readonly reason: 'idempotency_key_used'; readonly sending: Sending };

const ENCODINGS: readonly Encoding[] = ['GSM-7', 'UCS-2'];

function oneOf<T extends string>(values: readonly T[], value: string, what: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) throw new Error(`unknown ${what} ${value}`);
  return found;
}

export function sendingFromRow(row: Selectable<SendingsTable>): Sending {
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    text: row.text,
    sender: row.sender,
    type: oneOf(SENDING_TYPES, row.type, 'sending type'),
    status: oneOf(SENDING_STATUSES, row.status, 'sending status'),
    scheduledAtUs: intFrom(row.scheduled_at_us),
    createdAtUs: intFrom(row.created_at_us),
    updatedAtUs: intFrom(row.updated_at_us),
    recipients: intFrom(row.recipients_count),
    smsCount: intFrom(row.sms_parts_total),
    encoding: oneOf(ENCODINGS, row.encoding, 'encoding'),
    partsPerMessage: row.parts_per_message,
    subtotalMinor: minorFrom(row.subtotal_minor),
    taxMinor: minorFrom(row.tax_minor),
    totalMinor: minorFrom(row.total_minor),
    idempotencyKey: row.idempotency_key,
    requestSha256: row.request_sha256,
    callbackUrl: row.callback_url,
    // Rows read through a schema before 0023 have no such columns.
    sendWindow: row.send_window ?? null,
    validityMinutes: row.validity_minutes ?? null,
    expiresAtUs: intOrNull(row.expires_at_us ?? null),
  };
}

export function checkNewSending(
  input: Pick<
    NewSending,
    'recipients' | 'smsCount' | 'partsPerMessage' | 'subtotalMinor' | 'taxMinor' | 'totalMinor' | 'scheduledAtUs'
  >,
): void {
  assertInt(input.recipients, 'recipients', 1);
  assertInt(input.smsCount, 'smsCount', input.recipients);
  assertInt(input.partsPerMessage, 'partsPerMessage', 1);
  assertInt(input.subtotalMinor, 'subtotalMinor', 0);
  assertInt(input.taxMinor, 'taxMinor', 0);
  assertInt(input.totalMinor, 'totalMinor', 0);
  if (addMoney(input.subtotalMinor, input.taxMinor) !== input.totalMinor) {
    throw new Error(`total ${input.totalMinor} is not subtotal ${input.subtotalMinor} + tax ${input.taxMinor}`);
  }
  if (input.scheduledAtUs !== undefined && input.scheduledAtUs !== null)
    assertInt(input.scheduledAtUs, 'scheduledAtUs', 0);
}

/**
 * Inserts a sending's message rows in chunks inside the caller's transaction and checks that they add up to the
 * declared counts and subtotal: a mismatch is a bug, and throwing rolls the transaction back. Its suppressed
 * recipients follow, outside those totals.
 *
 * The event loop gets a turn after every chunk (a few milliseconds of work), so a million recipients do not freeze
 * the process for seconds: better-sqlite3 runs each statement synchronously, and its promise resolves at once. The
 * transaction stays open meanwhile. On SQLite it holds the process's one connection: Kysely's SQLite driver lends that
 * connection to one transaction or query at a time (a mutex in `acquireConnection`), so other requests' statements
 * wait for the commit and never run inside this transaction. On PostgreSQL they run on other pooled connections.
 */
export async function insertSendingMessages(
  trx: Transaction<Schema>,
  dialect: DialectName,
  sendingId: number,
  nowUs: number,
  input: Pick<NewSending, 'recipients' | 'smsCount' | 'subtotalMinor' | 'messages' | 'suppressed'>,
  yieldBetweenChunks = true,
): Promise<void> {
  let rows = 0;
  let parts = 0;
  let costMinor = 0;
  for (const chunk of messageChunks(input.messages, MESSAGE_ROWS_PER_INSERT[dialect])) {
    for (let i = 0; i < chunk.recipient.length; i++) {
      // Ranges are the schema's CHECKs; here only that the values are exact integers, which SQLite would let by.
      const rowParts = chunk.parts[i] ?? Number.NaN;
      const rowCost = chunk.costMinor[i] ?? Number.NaN;
      assertInt(rowParts, 'message parts');
      assertInt(rowCost, 'message costMinor');
      assertInt(chunk.rateMinor[i] ?? Number.NaN, 'message rateMinor');
      parts += rowParts;
      costMinor = addMoney(costMinor, rowCost);
    }
    rows += chunk.recipient.length;
    await insertMessageChunk(trx, dialect, sendingId, nowUs, chunk);
    if (yieldBetweenChunks) await nextTurn();
  }
  if (rows !== input.recipients || parts !== input.smsCount || costMinor !== input.subtotalMinor) {
    throw new Error(
      `sending rows do not match its totals: ${rows} rows, ${parts} parts, cost ${costMinor}; declared ` +
        `${input.recipients} recipients, ${input.smsCount} parts, subtotal ${input.subtotalMinor}`,
    );
  }
  await insertSuppressedMessages(trx, sendingId, nowUs, input.suppressed ?? []);
}

/**
 * Stores a sending, Pending, with one message row per recipient, and reserves its total from the balance: one
 * transaction, so either all of it is written or nothing is. Not enough balance → `insufficient_balance`, nothing
 * written. The rows are consumed in chunks, so a million recipients never exist as a million objects here; that they
 * add up to the declared counts and subtotal is checked before commit (a mismatch is a bug and rolls back).
 */
export async function createSending(db: Db, input: NewSending): Promise<CreateSendingResult> {
  checkNewSending(input);
  const key = input.idempotency?.key ?? null;
  try {
    return await db.transaction(async (trx): Promise<CreateSendingResult> => {
      const nowUs = db.nowUs();
      if (key !== null) await forgetExpiredKeys(trx, db.dialect, nowUs, [{ accountId: input.accountId, key }]);
      return await storeSending(trx, db.dialect, nowUs, input, true);
    });
  } catch (error) {
    // Two requests with one new key raced (PostgreSQL): the loser rolled back and answers with the winner's sending.
    const first = await winnerOfKeyRace(db, input, error);
    if (first) return first;
    throw error;
  }
}

/** The answer of a request that lost the race for a new Idempotency-Key to another transaction, if that is the error. */
export async function winnerOfKeyRace(
  db: Db,
  input: NewSending,
  error: unknown,
): Promise<CreateSendingResult | undefined> {
  const key = input.idempotency?.key ?? null;
  if (key === null || !isUniqueViolation(error)) return undefined;
  const first = await findByIdempotencyKey(db, input.accountId, key);
  return first && { ok: false, reason: 'idempotency_key_used', sending: first };
}

/** Pairs of an account and an idempotency key, as a subquery of two columns: `(account_id, idempotency_key) in …`. */
export function accountKeyList(
  dialect: DialectName,
  pairs: readonly { readonly accountId: number; readonly key: string }[],
): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`(select * from unnest(${pairs.map((p) => p.accountId)}::int8[], ${pairs.map((p) => p.key)}::text[]))`
    : sql`(select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(${JSON.stringify(
        pairs.map((p) => [p.accountId, p.key]),
      )}))`;
}

/** Keys older than the window are forgotten, so that they may name new sendings: those of many creates at once. */
export async function forgetExpiredKeys(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  pairs: readonly { readonly accountId: number; readonly key: string }[],
): Promise<void> {
  if (pairs.length === 0) return;
  await trx
    .updateTable('sendings')
    .set({ idempotency_key: null })
    .where(sql<boolean>`(account_id, idempotency_key) in ${accountKeyList(dialect, pairs)}`)
    .where('created_at_us', '<=', nowUs - IDEMPOTENCY_KEY_TTL_MS * US_PER_MS)
    .execute();
}

/**
 * The body of `createSending` inside the caller's transaction (expired keys already forgotten): the key looked up
 * under the account's lock, the reservation, the sending, its ledger entry and its messages. A refusal writes nothing.
 */
export async function storeSending(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  input: NewSending,
  yieldBetweenChunks: boolean,
): Promise<CreateSendingResult> {
  const key = input.idempotency?.key ?? null;
  if (key !== null) {
    // The account row is locked before the key is looked up: a request with the same key that got there first
    // has then committed (or rolled back), so its sending is found here, never mistaken for a refusal of this
    // one (insufficient balance once its reservation is taken). The key is claimed under the same lock.
    if (!(await lockAccount(trx, dialect, input.accountId))) return { ok: false, reason: 'account_not_found' };
    const first = await trx
      .selectFrom('sendings')
      .selectAll()
      .where('account_id', '=', input.accountId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (first) return { ok: false, reason: 'idempotency_key_used', sending: sendingFromRow(first) };
  }

  const reserved = await reserveForSending(trx, dialect, nowUs, input.accountId, input.totalMinor, async () => {
    const row = await trx
      .insertInto('sendings')
      .values({
        account_id: input.accountId,
        text: input.text,
        sender: input.sender,
        type: input.type,
        ...pendingColumns(input, nowUs),
        idempotency_key: key,
        request_sha256: input.idempotency?.requestSha256 ?? null,
        callback_url: input.callbackUrl ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return sendingFromRow(row);
  });
  if (!reserved.ok) return reserved;
  await insertSendingMessages(trx, dialect, reserved.sending.id, nowUs, input, yieldBetweenChunks);
  await holdUntilWindowOpens(trx, dialect, nowUs, reserved.sending, input.sendWindow ?? null);
  return reserved;
}

/**
 * A sending with a send window: its messages whose recipients' local time at the sending's due time is outside the
 * window wait until it opens (`next_attempt_at_us`), one statement per distinct opening over the sending's
 * countries (read through the (sending_id, next_attempt_at_us) index, never another sending's rows). Money is
 * untouched: the reservation stands as for any queued message.
 *
 * A sending none of whose messages is due at `nowUs` then is parked until the first window opens (`parkSendings`),
 * as one waiting for a retry: notifications sent overnight with a daytime window, thousands of them, stay out of
 * every lease's way until their window opens. The caller's transaction holds the sending row (it has just written it).
 */
export async function holdUntilWindowOpens(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  sending: Pick<Sending, 'id' | 'scheduledAtUs'>,
  hold: SendWindowHold | null,
): Promise<void> {
  if (hold === null) return;
  const window = parseSendWindow(hold.text);
  if (window === null) throw new Error(`sending ${sending.id} has an unreadable send window ${hold.text}`);
  const byOpening = new Map<number, number[]>();
  let unknownCountryOpening: number | null = null;
  for (const countryId of hold.countryIds) {
    const opening = nextWindowOpeningUs(window, hold.zoneOfCountry(countryId), sending.scheduledAtUs);
    if (opening <= sending.scheduledAtUs) continue;
    if (countryId === null) unknownCountryOpening = opening;
    else byOpening.set(opening, [...(byOpening.get(opening) ?? []), countryId]);
  }
  for (const [opening, countryIds] of byOpening) {
    await sql`
      update messages set next_attempt_at_us = ${opening}
      where sending_id = ${sending.id} and status = 'queued' and country_id ${inIds(dialect, countryIds)}`.execute(trx);
  }
  if (unknownCountryOpening !== null) {
    await sql`
      update messages set next_attempt_at_us = ${unknownCountryOpening}
      where sending_id = ${sending.id} and status = 'queued' and country_id is null`.execute(trx);
  }
  if (byOpening.size > 0 || unknownCountryOpening !== null) await parkSendings(trx, dialect, [sending.id], nowUs);
}

/** One of the account's sendings; another account's is not found. */
export async function getSending(db: Db, accountId: number, sendingId: number): Promise<Sending | undefined> {
  const row = await db.kysely
    .selectFrom('sendings')
    .selectAll()
    .where('id', '=', sendingId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row && sendingFromRow(row);
}

/** The account's sendings, newest first; `page` counts from 1. */
export async function listSendings(
  db: Db,
  accountId: number,
  page: { readonly page: number; readonly perPage: number },
): Promise<Sending[]> {
  const { limit, offset } = pageWindow(page, PER_PAGE_MAX);
  const rows = await db.kysely
    .selectFrom('sendings')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(sendingFromRow);
}

/** How many sendings the account has (what `listSendings` pages through), counted on its (account_id, id) index. */
export async function countSendings(db: Db, accountId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('sendings')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return intFrom(row.n);
}

/** The sending created under this Idempotency-Key within IDEMPOTENCY_KEY_TTL_MS, if any. */
export async function findByIdempotencyKey(db: Db, accountId: number, key: string): Promise<Sending | undefined> {
  const row = await db.kysely
    .selectFrom('sendings')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('idempotency_key', '=', key)
    .where('created_at_us', '>', db.nowUs() - IDEMPOTENCY_KEY_TTL_MS * US_PER_MS)
    .executeTakeFirst();
  return row && sendingFromRow(row);
}
