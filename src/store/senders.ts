// Sender names: an account's own (approved, pending or rejected) and the platform-wide defaults every account may use.
import { type Selectable, sql } from 'kysely';
import type { Db } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import { preparedRead } from './prepared-reads.js';
import type { SendersTable } from './schema.js';
import { intFrom, intOrNull } from './values.js';

export type SenderStatus = 'approved' | 'pending' | 'rejected';

export interface Sender {
  readonly id: number;
  /** Null for a platform-wide default sender. */
  readonly accountId: number | null;
  readonly name: string;
  readonly status: SenderStatus;
  readonly createdAtUs: number;
}

const STATUSES: readonly SenderStatus[] = ['approved', 'pending', 'rejected'];

export function senderFromRow(row: Selectable<SendersTable>): Sender {
  const status = STATUSES.find((s) => s === row.status);
  if (status === undefined) throw new Error(`sender ${row.id} has unknown status ${row.status}`);
  return {
    id: intFrom(row.id),
    accountId: intOrNull(row.account_id),
    name: row.name,
    status,
    createdAtUs: intFrom(row.created_at_us),
  };
}

/**
 * The unique index is on coalesce(account_id, 0): querying the same expression lets both engines use it. Every read by
 * owner goes through it (`account_id = ?` has no index of its own: a read of the whole table).
 */
function ownerIs(accountId: number | null) {
  return sql<boolean>`coalesce(account_id, 0) = ${accountId ?? 0}`;
}

/**
 * Adds a sender to an account (null: a platform-wide default). A name the owner already has keeps its id and takes
 * the new status, so adding twice is harmless.
 */
export async function addSender(db: Db, accountId: number | null, name: string, status: SenderStatus): Promise<Sender> {
  if (name === '') throw new RangeError('sender name is empty');
  const write = () =>
    db.transaction(async (trx) => {
      const nowUs = db.nowUs();
      const updated = await trx
        .updateTable('senders')
        .set({ status, updated_at_us: nowUs })
        .where(ownerIs(accountId))
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (updated) return updated;
      return trx
        .insertInto('senders')
        .values({ account_id: accountId, name, status, created_at_us: nowUs, updated_at_us: nowUs })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  try {
    return senderFromRow(await write());
  } catch (error) {
    // Two first additions of one name raced (PostgreSQL); the second now finds the row and updates it.
    if (isUniqueViolation(error)) return senderFromRow(await write());
    throw error;
  }
}

/** The account's own approved senders (what GET /senders lists), oldest first. */
export async function listApprovedSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.kysely
    .selectFrom('senders')
    .selectAll()
    .where(ownerIs(accountId))
    .where('status', '=', 'approved')
    .orderBy('id')
    .execute();
  return rows.map(senderFromRow);
}

/**
 * Every sender a sending of the account may use (what GET /senders lists): its own approved ones, oldest first, then
 * the approved platform defaults whose name it has not taken for one of its own (findUsableSender prefers its own).
 */
export async function listUsableSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.kysely
    .selectFrom('senders')
    .selectAll()
    .where(sql<boolean>`coalesce(account_id, 0) in (${accountId}, 0)`)
    .where('status', '=', 'approved')
    .orderBy(sql`coalesce(account_id, 0)`, 'desc')
    .orderBy('id')
    .execute();
  const own = new Set(rows.filter((r) => r.account_id !== null).map((r) => r.name));
  return rows.filter((r) => r.account_id !== null || !own.has(r.name)).map(senderFromRow);
}

/** Every sender of the account whatever its status, oldest first (dashboard). */
export async function listSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.kysely.selectFrom('senders').selectAll().where(ownerIs(accountId)).orderBy('id').execute();
  return rows.map(senderFromRow);
}

/**
 * The rows of `alias` (an alias of `senders`) a sending of the account may use under `name`: its own approved sender of
 * that name, and an approved platform default of it.
 */
export function usableSenders(alias: string, accountId: unknown, name: unknown) {
  return sql<boolean>`coalesce(${sql.ref(`${alias}.account_id`)}, 0) in (${accountId}, 0)
    and ${sql.ref(`${alias}.name`)} = ${name} and ${sql.ref(`${alias}.status`)} = 'approved'`;
}

const readUsableSenders = preparedRead((db: Db, accountId: number, name: string) =>
  db.kysely
    .selectFrom('senders as s')
    .selectAll()
    .where(usableSenders('s', accountId, name))
    .compile(),
);

/**
 * The sender a sending may use under `name`: the account's approved one, else an approved platform default (read on
 * every sending: a prepared read).
 */
export async function findUsableSender(db: Db, accountId: number, name: string): Promise<Sender | undefined> {
  const rows = await readUsableSenders(db, accountId, name);
  const row = rows.find((r) => r.account_id !== null) ?? rows[0];
  return row && senderFromRow(row);
}
