// The numbers each account receives on: a whole number (long number or short code), or one keyword of a shared short
// code; each (number, keyword) has at most one owner.
import { foldKeyword, keywordOfText } from '../domain/inbound.js';
import type { Db } from './db.js';
import { intFrom } from './values.js';

export interface AssignedNumber {
  readonly id: number;
  readonly accountId: number;
  /** Digits. */
  readonly number: string;
  /** Upper case; null when the account has the whole number. */
  readonly keyword: string | null;
  readonly createdAtUs: number;
}

export type AssignResult =
  | { readonly ok: true; readonly number: AssignedNumber; readonly created: boolean }
  /** Another account has it, or has the whole number (or a keyword of it, when the whole number is asked for). */
  | { readonly ok: false; readonly reason: 'taken'; readonly ownerAccountId: number };

const COLUMNS = ['id', 'account_id', 'number', 'keyword', 'created_at_us'] as const;

function numberFrom(row: {
  id: number | string;
  account_id: number | string;
  number: string;
  keyword: string | null;
  created_at_us: number | string;
}): AssignedNumber {
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    number: row.number,
    keyword: row.keyword,
    createdAtUs: intFrom(row.created_at_us),
  };
}

/**
 * Gives the number (or one keyword of it) to the account. Assigning what the account already has answers it again;
 * a whole number and keywords of it never have different owners: a whole number is refused while any keyword of it is
 * assigned, and a keyword while the whole number is. The unique index settles two assignments racing for one key.
 */
export async function assignNumber(
  db: Db,
  accountId: number,
  number: string,
  keyword: string | null,
): Promise<AssignResult> {
  const folded = keyword === null ? null : foldKeyword(keyword);
  return db.transaction(async (trx) => {
    const existing = (
      await trx.selectFrom('numbers').select(COLUMNS).where('number', '=', number).orderBy('id').execute()
    ).map(numberFrom);
    const same = existing.find((n) => n.keyword === folded);
    if (same !== undefined) {
      return same.accountId === accountId
        ? { ok: true, number: same, created: false }
        : { ok: false, reason: 'taken', ownerAccountId: same.accountId };
    }
    const blocking = existing.find((n) => folded === null || n.keyword === null);
    if (blocking !== undefined) return { ok: false, reason: 'taken', ownerAccountId: blocking.accountId };
    const row = await trx
      .insertInto('numbers')
      .values({ number, keyword: folded, account_id: accountId, created_at_us: db.nowUs() })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { ok: true, number: numberFrom(row), created: true };
  });
}

/** Takes the number (or its keyword) back from whoever has it; the messages received on it stay theirs. */
export async function unassignNumber(db: Db, number: string, keyword: string | null): Promise<AssignedNumber | null> {
  const folded = keyword === null ? null : foldKeyword(keyword);
  return db.transaction(async (trx) => {
    let query = trx.deleteFrom('numbers').where('number', '=', number);
    query = folded === null ? query.where('keyword', 'is', null) : query.where('keyword', '=', folded);
    const row = await query.returning(COLUMNS).executeTakeFirst();
    return row === undefined ? null : numberFrom(row);
  });
}

/** The account's numbers in number then keyword order. */
export async function listAccountNumbers(db: Db, accountId: number): Promise<AssignedNumber[]> {
  const rows = await db.kysely
    .selectFrom('numbers')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .orderBy('number')
    .orderBy('keyword')
    .execute();
  return rows.map(numberFrom);
}

/** Whether the account has the number (whole, or a keyword of it). */
export async function receivesOn(db: Db, accountId: number, number: string): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('numbers')
    .select('id')
    .where('account_id', '=', accountId)
    .where('number', '=', number)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every assigned number, for the operator, in number then keyword order. */
export async function listAllNumbers(db: Db): Promise<AssignedNumber[]> {
  const rows = await db.kysely.selectFrom('numbers').select(COLUMNS).orderBy('number').orderBy('keyword').execute();
  return rows.map(numberFrom);
}

/**
 * Whose a message received on `toNumber` is: the owner of the whole number, else, on a shared short code, the owner
 * of the keyword the text starts with (any case); undefined when nobody's.
 */
export async function resolveReceivingNumber(
  db: Db,
  toNumber: string,
  text: string,
): Promise<AssignedNumber | undefined> {
  return (await resolveReceivingNumbers(db, [toNumber], text))[0];
}

/**
 * Each of `toNumbers` someone receives on, as resolveReceivingNumber answers it (the owner of the whole number, else
 * of the text's keyword), in the order given; read at once.
 */
export async function resolveReceivingNumbers(
  db: Db,
  toNumbers: readonly string[],
  text: string,
): Promise<AssignedNumber[]> {
  if (toNumbers.length === 0) return [];
  const keyword = keywordOfText(text);
  let query = db.kysely
    .selectFrom('numbers')
    .select(COLUMNS)
    .where('number', 'in', [...toNumbers]);
  query = query.where((eb) =>
    keyword === null ? eb('keyword', 'is', null) : eb.or([eb('keyword', 'is', null), eb('keyword', '=', keyword)]),
  );
  const rows = (await query.execute()).map(numberFrom);
  return [...new Set(toNumbers)].flatMap((number) => {
    const owners = rows.filter((n) => n.number === number);
    const owner = owners.find((n) => n.keyword === null) ?? owners[0];
    return owner === undefined ? [] : [owner];
  });
}
