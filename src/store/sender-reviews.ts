// Sender names customers ask for (pending until an operator approves or rejects them) and the operator's review list.
import { type Selectable, sql } from 'kysely';
import type { Db } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import type { SendersTable } from './schema.js';
import { type Sender, type SenderStatus, senderFromRow } from './senders.js';
import { intFrom, pageWindow } from './values.js';

export interface ReviewedSender extends Sender {
  readonly accountName: string | null;
}

export type RequestSenderResult =
  | { readonly ok: true; readonly sender: Sender }
  | { readonly ok: false; readonly reason: 'taken' };

/**
 * Asks for a sender name for the account: stored pending, not usable until approved. A name the account already has
 * (whatever its status) or that a platform default sender carries is taken.
 */
export async function requestSender(db: Db, accountId: number, name: string): Promise<RequestSenderResult> {
  if (name === '') throw new RangeError('sender name is empty');
  try {
    return await db.transaction(async (trx): Promise<RequestSenderResult> => {
      const existing = await trx
        .selectFrom('senders')
        .select('id')
        .where('name', '=', name)
        .where((eb) =>
          eb.or([
            eb('account_id', '=', accountId),
            eb.and([eb('account_id', 'is', null), eb('status', '=', 'approved')]),
          ]),
        )
        .executeTakeFirst();
      if (existing) return { ok: false, reason: 'taken' };
      const nowUs = db.nowUs();
      const row = await trx
        .insertInto('senders')
        .values({ account_id: accountId, name, status: 'pending', created_at_us: nowUs, updated_at_us: nowUs })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ok: true, sender: senderFromRow(row) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'taken' };
    throw error;
  }
}

/** The account's own senders (every status) and the platform's approved ones: platform first, then by age. */
export async function listAccountSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.kysely
    .selectFrom('senders')
    .selectAll()
    .where((eb) =>
      eb.or([eb('account_id', '=', accountId), eb.and([eb('account_id', 'is', null), eb('status', '=', 'approved')])]),
    )
    .orderBy(sql`case when account_id is null then 0 else 1 end`)
    .orderBy('id')
    .execute();
  return rows.map(senderFromRow);
}

const reviewColumns = [
  's.id',
  's.account_id',
  's.name',
  's.status',
  's.created_at_us',
  's.updated_at_us',
  'a.name as account_name',
] as const;

function reviewedFromRow(row: Selectable<SendersTable> & { account_name: string | null }): ReviewedSender {
  return { ...senderFromRow(row), accountName: row.account_name };
}

/** Every sender, optionally of one status, oldest first (pending requests in the order they came). */
export async function listSendersForReview(
  db: Db,
  options: {
    readonly page: number;
    readonly perPage: number;
    readonly perPageMax: number;
    readonly status?: SenderStatus;
  },
): Promise<{ readonly rows: ReviewedSender[]; readonly total: number }> {
  const { limit, offset } = pageWindow(options, options.perPageMax);
  let base = db.kysely.selectFrom('senders as s').leftJoin('accounts as a', 'a.id', 's.account_id');
  if (options.status !== undefined) base = base.where('s.status', '=', options.status);
  const [rows, total] = await Promise.all([
    base.select(reviewColumns).orderBy('s.id').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(reviewedFromRow), total: intFrom(total.n) };
}

/** Approves or rejects a sender; undefined when there is no such sender. */
export async function reviewSender(
  db: Db,
  senderId: number,
  status: 'approved' | 'rejected',
): Promise<ReviewedSender | undefined> {
  return db.transaction(async (trx) => {
    await trx.updateTable('senders').set({ status, updated_at_us: db.nowUs() }).where('id', '=', senderId).execute();
    const row = await trx
      .selectFrom('senders as s')
      .leftJoin('accounts as a', 'a.id', 's.account_id')
      .select(reviewColumns)
      .where('s.id', '=', senderId)
      .executeTakeFirst();
    return row && reviewedFromRow(row);
  });
}
