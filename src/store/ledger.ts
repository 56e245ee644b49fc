// The ledger: append-only entries whose sum is the account balance, which never goes below zero.
import { type Insertable, type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import { LEDGER_KINDS, type LedgerKind } from '../domain/ledger.js';
import { PER_PAGE_MAX } from '../domain/limits.js';
import { MINOR_MAX, minorFrom } from '../domain/money.js';
import type { Db, DialectName } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import type { LedgerEntriesTable, Schema } from './schema.js';
import { assertInt, intFrom, intOrNull, pageWindow } from './values.js';

/** credit and refund add money; debit (an operator correction) and reservation (a sending's cost) take it. */

export interface LedgerEntry {
  readonly id: number;
  readonly accountId: number;
  readonly kind: LedgerKind;
  /** Signed: positive for credit and refund, negative for debit and reservation. */
  readonly amountMinor: number;
  readonly balanceAfterMinor: number;
  readonly sendingId: number | null;
  readonly settlementKey: string | null;
  /** What the entry is about, e.g. "sending:458". */
  readonly reference: string | null;
  readonly note: string | null;
  readonly createdAtUs: number;
}

export type AccountNotFound = { readonly ok: false; readonly reason: 'account_not_found' };
export type InvalidAmount = { readonly ok: false; readonly reason: 'invalid_amount' };
export interface InsufficientBalance {
  readonly ok: false;
  readonly reason: 'insufficient_balance';
  readonly balanceMinor: number;
  readonly requiredMinor: number;
}
export type Posted = { readonly ok: true; readonly entry: LedgerEntry; readonly balanceMinor: number };

/** A credit that would take the balance past MINOR_MAX, the largest amount kept exactly. */
export interface BalanceCeiling {
  readonly ok: false;
  readonly reason: 'balance_ceiling';
  readonly balanceMinor: number;
  readonly ceilingMinor: number;
}
export type CreditResult = Posted | AccountNotFound | InvalidAmount | BalanceCeiling;
export type DebitResult = Posted | AccountNotFound | InvalidAmount | InsufficientBalance;
export type RefundResult =
  | Posted
  | { readonly ok: false; readonly reason: 'already_refunded'; readonly entry: LedgerEntry }
  | { readonly ok: false; readonly reason: 'sending_not_found' };

const SENDING_REFERENCE_PREFIX = 'sending:';

export function sendingReference(sendingId: number): string {
  return `${SENDING_REFERENCE_PREFIX}${sendingId}`;
}

/** `sendingReference` of the sending ids in `id`, written by the database (a statement inserting many entries). */
export function sendingReferenceOf(id: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`${sql.lit(SENDING_REFERENCE_PREFIX)} || ${id}`;
}

export function entryFromRow(row: Selectable<LedgerEntriesTable>): LedgerEntry {
  const kind = LEDGER_KINDS.find((k) => k === row.kind);
  if (kind === undefined) throw new Error(`ledger entry ${row.id} has unknown kind ${row.kind}`);
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    kind,
    amountMinor: minorFrom(row.amount_minor),
    balanceAfterMinor: minorFrom(row.balance_after_minor),
    sendingId: intOrNull(row.sending_id),
    settlementKey: row.settlement_key,
    reference: row.reference,
    note: row.note,
    createdAtUs: intFrom(row.created_at_us),
  };
}

export interface EntryToPost {
  readonly accountId: number;
  readonly kind: LedgerKind;
  /** Signed as the entry is: negative takes money from the balance. */
  readonly amountMinor: number;
  readonly sendingId?: number | null;
  readonly settlementKey?: string | null;
  readonly reference?: string | null;
  readonly note?: string | null;
}

/**
 * Locks the account row until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the whole
 * database). False when there is no such account.
 */
export async function lockAccount(trx: Transaction<Schema>, dialect: DialectName, accountId: number): Promise<boolean> {
  let select = trx.selectFrom('accounts').select('id').where('id', '=', accountId);
  // The lock an UPDATE of the balance takes: rows that merely reference the account (a new sending) are not held up.
  if (dialect === 'postgres') select = select.forNoKeyUpdate();
  return (await select.executeTakeFirst()) !== undefined;
}

/**
 * Moves an account's balance by `deltaMinor` inside the caller's transaction; the first half of posting an entry.
 * Money out is a conditional update (`balance >= amount`), so the balance cannot go below zero whatever runs
 * concurrently (on PostgreSQL the row lock makes a second writer re-check the condition on the committed balance).
 * Returns the new balance, or null, having changed nothing, when the account does not exist, cannot pay, or would go
 * past MINOR_MAX.
 */
export async function moveBalance(
  trx: Transaction<Schema>,
  nowUs: number,
  accountId: number,
  deltaMinor: number,
): Promise<number | null> {
  assertInt(deltaMinor, 'deltaMinor');
  let update = trx
    .updateTable('accounts')
    .set({ balance_minor: sql`balance_minor + ${deltaMinor}`, updated_at_us: nowUs })
    .where('id', '=', accountId);
  if (deltaMinor < 0) update = update.where('balance_minor', '>=', -deltaMinor);
  // Past MINOR_MAX the balance could no longer be read back exactly: such a move is refused like one below zero.
  else update = update.where('balance_minor', '<=', MINOR_MAX - deltaMinor);
  const account = await update.returning('balance_minor').executeTakeFirst();
  return account ? minorFrom(account.balance_minor) : null;
}

/**
 * Appends the entry of a balance move made by `moveBalance` in the same transaction. The balance is always moved
 * first: the row lock it takes orders an account's entries the way its balance changed, which the audit relies on.
 */
export async function appendEntry(
  trx: Transaction<Schema>,
  nowUs: number,
  entry: EntryToPost,
  balanceAfterMinor: number,
): Promise<LedgerEntry> {
  const row = await trx
    .insertInto('ledger_entries')
    .values(entryRow(nowUs, entry, balanceAfterMinor))
    .returningAll()
    .executeTakeFirstOrThrow();
  return entryFromRow(row);
}

/** The row of an entry, for `appendEntry` and for inserts of many entries at once (their balances moved as one). */
export function entryRow(nowUs: number, entry: EntryToPost, balanceAfterMinor: number): Insertable<LedgerEntriesTable> {
  return {
    account_id: entry.accountId,
    kind: entry.kind,
    amount_minor: entry.amountMinor,
    balance_after_minor: balanceAfterMinor,
    sending_id: entry.sendingId ?? null,
    settlement_key: entry.settlementKey ?? null,
    reference: entry.reference ?? null,
    note: entry.note ?? null,
    created_at_us: nowUs,
  };
}

/** Moves the balance and appends the entry; null, with nothing written, when the account is missing or cannot pay. */
export async function postEntry(trx: Transaction<Schema>, nowUs: number, entry: EntryToPost): Promise<Posted | null> {
  if (entry.amountMinor === 0) throw new RangeError('a credit, debit or refund moves a non-zero amount');
  const balanceMinor = await moveBalance(trx, nowUs, entry.accountId, entry.amountMinor);
  if (balanceMinor === null) return null;
  return { ok: true, entry: await appendEntry(trx, nowUs, entry, balanceMinor), balanceMinor };
}

async function balanceIn(trx: Transaction<Schema>, accountId: number): Promise<number | undefined> {
  const row = await trx.selectFrom('accounts').select('balance_minor').where('id', '=', accountId).executeTakeFirst();
  return row && minorFrom(row.balance_minor);
}

/** Adds money to the account (a payment, a goodwill credit). */
export async function credit(db: Db, accountId: number, amountMinor: number, note?: string): Promise<CreditResult> {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return { ok: false, reason: 'invalid_amount' };
  return db.transaction(async (trx) => {
    const posted = await postEntry(trx, db.nowUs(), { accountId, kind: 'credit', amountMinor, note: note ?? null });
    if (posted) return posted;
    const balanceMinor = await balanceIn(trx, accountId);
    if (balanceMinor === undefined) return { ok: false, reason: 'account_not_found' };
    return { ok: false, reason: 'balance_ceiling', balanceMinor, ceilingMinor: MINOR_MAX };
  });
}

/** Takes money from the account (an operator correction); refused, with nothing written, below zero. */
export async function debit(db: Db, accountId: number, amountMinor: number, note?: string): Promise<DebitResult> {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return { ok: false, reason: 'invalid_amount' };
  return db.transaction(async (trx) => {
    const nowUs = db.nowUs();
    const posted = await postEntry(trx, nowUs, {
      accountId,
      kind: 'debit',
      amountMinor: -amountMinor,
      note: note ?? null,
    });
    if (posted) return posted;
    const balanceMinor = await balanceIn(trx, accountId);
    if (balanceMinor === undefined) return { ok: false, reason: 'account_not_found' };
    return { ok: false, reason: 'insufficient_balance', balanceMinor, requiredMinor: amountMinor };
  });
}

export interface Refund {
  readonly accountId: number;
  readonly sendingId: number;
  /** Names the settlement (e.g. "cancel", "dispatch:2024-05-01T10:00"): a key refunds at most once. */
  readonly settlementKey: string;
  readonly amountMinor: number;
  readonly note?: string | null;
}

/**
 * The one way money goes back to a customer for a sending, inside the caller's transaction: settlement of what no
 * provider accepted, a cancel, and the tests' direct refunds all come here. Locks the sending row (a no-op when the
 * caller already holds it; never after an account row, see LOCK_ORDER) so that concurrent settlements of one sending
 * are added up one after the other. Writing the same settlement key twice returns `already_refunded` with the first
 * entry and changes nothing. A refund that would bring the sending's refunds past its reservation, or past what its
 * messages no provider accepted cost, is a bug: it throws, and the caller's transaction rolls back.
 */
export async function postRefund(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  refund: Refund,
): Promise<RefundResult> {
  assertInt(refund.amountMinor, 'amountMinor', 1);
  let sending = trx
    .selectFrom('sendings')
    .select('id')
    .where('id', '=', refund.sendingId)
    .where('account_id', '=', refund.accountId);
  if (dialect === 'postgres') sending = sending.forUpdate();
  if (!(await sending.executeTakeFirst())) return { ok: false, reason: 'sending_not_found' };
  const first = await existingRefund(trx, refund);
  if (first) return first;
  const moved = await trx
    .selectFrom('ledger_entries')
    .select((eb) => [
      eb.fn.sum<string | number>(sql`case when kind = 'reservation' then -amount_minor else 0 end`).as('reserved'),
      eb.fn.sum<string | number>(sql`case when kind = 'refund' then amount_minor else 0 end`).as('refunded'),
    ])
    .where('sending_id', '=', refund.sendingId)
    .executeTakeFirstOrThrow();
  const reservedMinor = minorFrom(moved.reserved ?? 0);
  const refundedMinor = minorFrom(moved.refunded ?? 0);
  if (refundedMinor + refund.amountMinor > reservedMinor) {
    throw new Error(
      `refund of ${refund.amountMinor} for sending ${refund.sendingId} exceeds what remains reserved (${reservedMinor - refundedMinor})`,
    );
  }
  const accepted = await trx
    .selectFrom('messages')
    .select((eb) => eb.fn.sum<string | number>('cost_minor').as('cost'))
    .where('sending_id', '=', refund.sendingId)
    .where('submitted_at_us', 'is not', null)
    .executeTakeFirstOrThrow();
  const acceptedMinor = minorFrom(accepted.cost ?? 0);
  if (refundedMinor + refund.amountMinor + acceptedMinor > reservedMinor) {
    throw new Error(
      `refund of ${refund.amountMinor} for sending ${refund.sendingId} would give back messages a provider accepted ` +
        `(reserved ${reservedMinor}, refunded ${refundedMinor}, accepted ${acceptedMinor})`,
    );
  }
  const posted = await postEntry(trx, nowUs, {
    accountId: refund.accountId,
    kind: 'refund',
    amountMinor: refund.amountMinor,
    sendingId: refund.sendingId,
    settlementKey: refund.settlementKey,
    reference: sendingReference(refund.sendingId),
    note: refund.note ?? null,
  });
  if (!posted) throw new Error(`account ${refund.accountId} vanished during a refund of sending ${refund.sendingId}`);
  return posted;
}

/** The refund already written under the settlement key. Inside a transaction it must read through `trx`. */
async function existingRefund(q: Kysely<Schema>, refund: Refund): Promise<RefundResult | undefined> {
  const row = await q
    .selectFrom('ledger_entries')
    .selectAll()
    .where('kind', '=', 'refund')
    .where('sending_id', '=', refund.sendingId)
    .where('settlement_key', '=', refund.settlementKey)
    .where('account_id', '=', refund.accountId)
    .executeTakeFirst();
  return row && { ok: false, reason: 'already_refunded', entry: entryFromRow(row) };
}

/** `postRefund` in a transaction of its own. */
export async function refundSending(db: Db, refund: Refund): Promise<RefundResult> {
  try {
    return await db.transaction((trx) => postRefund(trx, db.dialect, db.nowUs(), refund));
  } catch (error) {
    // SQLite serializes writers, but a PostgreSQL race between two first writes of one key ends here.
    if (isUniqueViolation(error)) {
      const first = await existingRefund(db.kysely, refund);
      if (first) return first;
    }
    throw error;
  }
}

export async function getBalance(db: Db, accountId: number): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select('balance_minor')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row && minorFrom(row.balance_minor);
}

/** The account's entries, newest first. */
export async function listEntries(
  db: Db,
  accountId: number,
  page: { readonly page: number; readonly perPage: number } = { page: 1, perPage: 100 },
): Promise<LedgerEntry[]> {
  const { limit, offset } = pageWindow(page, PER_PAGE_MAX);
  const rows = await db.kysely
    .selectFrom('ledger_entries')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(entryFromRow);
}

export type LedgerProblem = 'balance' | 'chain' | 'reservation' | 'over_refund' | 'suppressed_charged';

export interface LedgerMismatch {
  readonly problem: LedgerProblem;
  readonly accountId: number;
  readonly detail: string;
}

export interface LedgerAudit {
  readonly accounts: number;
  readonly entries: number;
  readonly mismatches: readonly LedgerMismatch[];
}

/**
 * Re-derives every balance from the entries and checks what must hold: the entries of an account add up to its
 * balance; each entry's balance_after is the previous one plus its amount; every sending but a Draft has exactly one
 * reservation of its total; no sending got back more than it reserved, nor any of what its accepted messages cost.
 * Reads one consistent snapshot.
 */
export async function auditLedger(db: Db): Promise<LedgerAudit> {
  return db.transaction(
    async (trx) => {
      const mismatches: LedgerMismatch[] = [];
      const sums = await trx
        .selectFrom('accounts as a')
        .leftJoin('ledger_entries as e', 'e.account_id', 'a.id')
        .select((eb) => [
          'a.id',
          'a.balance_minor',
          eb.fn.coalesce(eb.fn.sum<string | number>('e.amount_minor'), sql<number>`0`).as('sum_minor'),
          eb.fn.count<string | number>('e.id').as('entries'),
        ])
        .groupBy(['a.id', 'a.balance_minor'])
        .execute();
      let entries = 0;
      for (const row of sums) {
        entries += intFrom(row.entries);
        const balanceMinor = minorFrom(row.balance_minor);
        const sumMinor = minorFrom(row.sum_minor);
        if (balanceMinor !== sumMinor) {
          mismatches.push({
            problem: 'balance',
            accountId: intFrom(row.id),
            detail: `balance ${balanceMinor} but entries add up to ${sumMinor}`,
          });
        }
      }

      const broken = await trx
        .selectFrom((eb) =>
          eb
            .selectFrom('ledger_entries')
            .select([
              'id',
              'account_id',
              'amount_minor',
              'balance_after_minor',
              sql<string | number | null>`lag(balance_after_minor) over (partition by account_id order by id)`.as(
                'previous_minor',
              ),
            ])
            .as('chained'),
        )
        .selectAll()
        .where(sql<boolean>`balance_after_minor <> coalesce(previous_minor, 0) + amount_minor`)
        .execute();
      for (const row of broken) {
        mismatches.push({
          problem: 'chain',
          accountId: intFrom(row.account_id),
          detail: `entry ${row.id}: balance after ${row.balance_after_minor}, previous ${row.previous_minor ?? 0}, amount ${row.amount_minor}`,
        });
      }

      const reservations = await trx
        .selectFrom('sendings as s')
        .leftJoin('ledger_entries as e', (join) =>
          join.onRef('e.sending_id', '=', 's.id').on('e.kind', '=', 'reservation'),
        )
        .select((eb) => [
          's.id',
          's.account_id',
          's.total_minor',
          eb.fn.count<string | number>('e.id').as('reservations'),
          eb.fn.coalesce(eb.fn.sum<string | number>('e.amount_minor'), sql<number>`0`).as('reserved_minor'),
        ])
        // A Draft reserves nothing until it is sent.
        .where('s.status', '<>', 'Draft')
        .groupBy(['s.id', 's.account_id', 's.total_minor'])
        .having(sql<boolean>`count(e.id) <> 1 or coalesce(sum(e.amount_minor), 0) <> -s.total_minor`)
        .execute();
      for (const row of reservations) {
        mismatches.push({
          problem: 'reservation',
          accountId: intFrom(row.account_id),
          detail: `sending ${row.id}: total ${row.total_minor}, ${row.reservations} reservation(s) of ${row.reserved_minor}`,
        });
      }

      // What a sending got back plus what its accepted messages cost never exceeds what it reserved (refunds that
      // add up past the reservation, or give back a message a provider accepted); grouped by account as well, so a
      // refund posted to another account than the reservation shows too.
      const overRefunded = await sql<{
        sending_id: number | string;
        account_id: number | string;
        net_minor: number | string;
        accepted_minor: number | string;
      }>`
        select e.sending_id, e.account_id, sum(e.amount_minor) as net_minor, coalesce(a.cost_minor, 0) as accepted_minor
        from ledger_entries e
        left join (
          select sending_id, sum(cost_minor) as cost_minor from messages
          where submitted_at_us is not null group by sending_id
        ) a on a.sending_id = e.sending_id
        where e.sending_id is not null
        group by e.sending_id, e.account_id, a.cost_minor
        having sum(e.amount_minor) + coalesce(a.cost_minor, 0) > 0
        order by e.sending_id, e.account_id`.execute(trx);
      for (const row of overRefunded.rows) {
        const acceptedMinor = minorFrom(row.accepted_minor);
        mismatches.push({
          problem: 'over_refund',
          accountId: intFrom(row.account_id),
          detail:
            acceptedMinor === 0
              ? `sending ${row.sending_id} got back ${minorFrom(row.net_minor)} more than it reserved`
              : `sending ${row.sending_id} got back more than it reserved less ${acceptedMinor} its accepted messages cost`,
        });
      }
      // A suppressed recipient is never reserved, handed over or charged: its message costs nothing, accepted by none.
      const charged = await sql<{ id: number | string; sending_id: number | string; account_id: number | string }>`
        select m.id, m.sending_id, s.account_id from messages m join sendings s on s.id = m.sending_id
        where m.status = 'suppressed' and (m.cost_minor <> 0 or m.submitted_at_us is not null)
        order by m.id`.execute(trx);
      for (const row of charged.rows) {
        mismatches.push({
          problem: 'suppressed_charged',
          accountId: intFrom(row.account_id),
          detail: `sending ${row.sending_id}: suppressed message ${row.id} has a cost or was handed over`,
        });
      }
      return { accounts: sums.length, entries, mismatches };
    },
    { readOnly: true, snapshot: true },
  );
}
