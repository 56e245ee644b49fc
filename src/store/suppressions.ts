// The opt-out list of each account: numbers never sent to, added and removed with a history, looked up per sending.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { PER_PAGE_MAX } from '../domain/limits.js';
import { type SuppressionMatch, type SuppressionSource, suppressionSourceFrom } from '../domain/opt-out.js';
import type { Db } from './db.js';
import { preparedRead } from './prepared-reads.js';
import { intFrom, pageWindow } from './values.js';

export interface Suppression {
  /** International digits without "+". */
  readonly phone: string;
  readonly source: SuppressionSource;
  readonly createdAtUs: number;
  /** The sender (a name, or a number's digits) whose sendings it applies to; '' for every sending of the account. */
  readonly sender: string;
}

export type { SuppressionMatch } from '../domain/opt-out.js';

export interface SuppressionChange {
  readonly phone: string;
  readonly action: 'add' | 'remove';
  readonly source: SuppressionSource;
  readonly actor: string | null;
  readonly atUs: number;
  /** The entry's sender; '' for the whole account. */
  readonly sender: string;
}

/** Who changes the list: the source recorded with a new suppression and in the history, and who it was. */
export interface SuppressionAuthor {
  readonly source: SuppressionSource;
  readonly actor?: string | null;
}

/** Numbers one lookup statement takes: bound as one parameter (an array, or JSON text), whatever the count. */
export const SUPPRESSION_LOOKUP_BATCH = 10_000;
/**
 * A long recipient list is checked against an account's whole suppression list read at once when that list has at
 * most this many numbers, or a tenth of the recipients if more (one statement), else a batch of recipients at a time.
 */
export const SUPPRESSION_LIST_READ_MAX = 10_000;
/** Numbers one insert statement writes: bound as one parameter (an array, or JSON text), whatever the count. */
const ROWS_PER_INSERT = 10_000;
/** Numbers one statement of an export reads. */
export const SUPPRESSION_EXPORT_BATCH = 5_000;

/** The numbers as a one-column table `phone`, bound as one parameter. */
function phonesTable(db: Db, phones: readonly string[]) {
  return db.dialect === 'postgres'
    ? sql`unnest(${phones}::text[]) as given(phone)`
    : sql`(select value as phone from json_each(${JSON.stringify(phones)})) as given`;
}

/** The numbers as one parameter: an array on PostgreSQL, JSON text on SQLite (`phoneAmong`). */
export function phonesValue(db: Db, phones: readonly string[]): readonly string[] | string {
  return db.dialect === 'postgres' ? phones : JSON.stringify(phones);
}

/** `column` holds one of the numbers `phonesValue` made into one parameter. */
function phoneAmong(db: Db, column: string, phones: unknown) {
  return db.dialect === 'postgres'
    ? sql<boolean>`${sql.ref(column)} = any(${phones}::text[])`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${phones}))`;
}

/**
 * The entries (rows of `alias`, an alias of `suppressions`) among the numbers (`phonesValue`) that apply to a sending
 * of the account from `sender`: the account-wide ones ('') and the sender's own ('' again when none is named).
 */
export function suppressionsApplying(db: Db, alias: string, accountId: unknown, phones: unknown, sender: unknown) {
  return sql<boolean>`${sql.ref(`${alias}.account_id`)} = ${accountId}
    and ${phoneAmong(db, `${alias}.phone`, phones)}
    and ${sql.ref(`${alias}.sender`)} in ('', ${sender})`;
}

/** Made for every sending: a prepared read. */
const readSuppressedAmong = preparedRead((db: Db, accountId: number, phones: unknown, sender: string) =>
  db.kysely
    .selectFrom('suppressions as s')
    .select(['s.phone', 's.source', 's.sender'])
    .where(suppressionsApplying(db, 's', accountId, phones, sender))
    .compile(),
);

/** Numbers for one sender's entries ('' for the account-wide ones), as a change of the list names them. */
export interface SuppressionGroup {
  readonly sender: string;
  readonly phones: readonly string[];
}

/**
 * Adds numbers to the account's list, for sendings from `sender` only, or for every sending ('', the default); an entry
 * already on it keeps its first source and time (adding is idempotent). Returns the numbers this call added, each
 * recorded in the history. All or none: one transaction whatever the count (a million numbers is one call),
 * ROWS_PER_INSERT numbers a statement with a turn of the event loop between them.
 */
export async function addSuppressions(
  db: Db,
  accountId: number,
  phones: readonly string[],
  author: SuppressionAuthor,
  sender = '',
): Promise<string[]> {
  const [added] = await addSuppressionGroups(db, accountId, [{ sender, phones }], author);
  return added?.phones.slice() ?? [];
}

/**
 * Adds the entries of several senders at once, as addSuppressions does one's, all in one transaction (a CSV file's
 * rows). Returns, for each group given, the numbers it added.
 */
export async function addSuppressionGroups(
  db: Db,
  accountId: number,
  groups: readonly SuppressionGroup[],
  author: SuppressionAuthor,
): Promise<SuppressionGroup[]> {
  const distinctGroups = groups.map((group) => ({ sender: group.sender, phones: [...new Set(group.phones)] }));
  if (distinctGroups.every((group) => group.phones.length === 0)) {
    return distinctGroups.map((group) => ({ sender: group.sender, phones: [] }));
  }
  return db.transaction(async (trx) => {
    const nowUs = db.nowUs();
    const result: SuppressionGroup[] = [];
    let statements = 0;
    for (const { sender, phones: distinct } of distinctGroups) {
      const added: string[] = [];
      for (let start = 0; start < distinct.length; start += ROWS_PER_INSERT) {
        if (statements++ > 0) await nextTurn();
        const batch = distinct.slice(start, start + ROWS_PER_INSERT);
        // `where true`: SQLite reads an upsert after `insert … select` only so (its parser's ambiguity with a join).
        const inserted = await sql<{ phone: string }>`
          insert into suppressions (account_id, phone, source, created_at_us, sender)
          select ${accountId}, phone, ${author.source}, ${nowUs}, ${sender} from ${phonesTable(db, batch)} where true
          on conflict (account_id, phone, sender) do nothing
          returning phone`.execute(trx);
        for (const row of inserted.rows) added.push(row.phone);
      }
      for (let start = 0; start < added.length; start += ROWS_PER_INSERT) {
        if (statements++ > 0) await nextTurn();
        await sql`
          insert into suppression_changes (account_id, phone, action, source, actor, at_us, sender)
          select ${accountId}, phone, 'add', ${author.source}, ${author.actor ?? null}, ${nowUs}, ${sender}
          from ${phonesTable(db, added.slice(start, start + ROWS_PER_INSERT))}`.execute(trx);
      }
      result.push({ sender, phones: added });
    }
    return result;
  });
}

/**
 * Takes a number off the account's list: its entry for `sender` ('' the account-wide one), or every entry of the
 * number when `sender` is undefined; false when there was none (nothing recorded then). Each entry taken away is
 * recorded in the history.
 */
export async function removeSuppression(
  db: Db,
  accountId: number,
  phone: string,
  author: SuppressionAuthor,
  sender?: string,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    let query = trx.deleteFrom('suppressions').where('account_id', '=', accountId).where('phone', '=', phone);
    if (sender !== undefined) query = query.where('sender', '=', sender);
    const removed = await query.returning('sender').execute();
    if (removed.length === 0) return false;
    const atUs = db.nowUs();
    await trx
      .insertInto('suppression_changes')
      .values(
        removed
          .map((row) => row.sender)
          .sort()
          .map((entrySender) => ({
            account_id: accountId,
            phone,
            action: 'remove',
            source: author.source,
            actor: author.actor ?? null,
            at_us: atUs,
            sender: entrySender,
          })),
      )
      .execute();
    return true;
  });
}

/** The senders whose entries apply to a sending from `sender`: the account-wide one ('') and the sender's own. */
function sendersApplying(sender: string): string[] {
  return sender === '' ? [''] : ['', sender];
}

/** Keeps the account-wide entry when a number has both it and the sender's own (it applies whatever the sender). */
function keepMatch(found: Map<string, SuppressionMatch>, phone: string, source: string, sender: string): void {
  const earlier = found.get(phone);
  if (earlier !== undefined && earlier.sender === '') return;
  found.set(phone, { source: suppressionSourceFrom(source), sender });
}

/** The entry each number matched, from rows read with `suppressionsApplying` (as `suppressedAmong` answers). */
export function suppressionMatches(
  rows: Iterable<{ readonly phone: string; readonly source: string; readonly sender: string }>,
): Map<string, SuppressionMatch> {
  const found = new Map<string, SuppressionMatch>();
  for (const row of rows) keepMatch(found, row.phone, row.source, row.sender);
  return found;
}

/**
 * Which of `phones` are on the account's list for a sending from `sender` (the account-wide entries, and those of the
 * sender; '' or none given: the account-wide ones alone), with the entry each matched. A list of up to SUPPRESSION_LOOKUP_BATCH
 * numbers is one indexed statement (an account with no suppressions pays that alone). A longer one first reads the
 * account's list, bounded: when it is short the recipients are matched in memory, else they are looked up a batch
 * per statement, each batch one parameter; the event loop gets a turn between batches either way.
 * `npx tsx test/support/measure-suppressions.ts` times it: 1,000,000 recipients took 5–10 ms against no suppressions,
 * some 80 ms against 5,000 and 0.2–0.4 s against 50,000 on a 2-core machine.
 */
export async function suppressedAmong(
  db: Db,
  accountId: number,
  phones: readonly string[],
  sender = '',
): Promise<Map<string, SuppressionMatch>> {
  const found = new Map<string, SuppressionMatch>();
  const senders = sendersApplying(sender);
  if (phones.length === 0) return found;
  if (phones.length > SUPPRESSION_LOOKUP_BATCH) {
    const readMax = Math.max(SUPPRESSION_LIST_READ_MAX, Math.floor(phones.length / 10));
    const list = await db.kysely
      .selectFrom('suppressions')
      .select(['phone', 'source', 'sender'])
      .where('account_id', '=', accountId)
      .where('sender', 'in', senders)
      .orderBy('phone')
      .limit(readMax + 1)
      .execute();
    if (list.length <= readMax) {
      if (list.length === 0) return found;
      const listed = new Map<string, SuppressionMatch>();
      for (const row of list) keepMatch(listed, row.phone, row.source, row.sender);
      for (let i = 0; i < phones.length; i++) {
        if (i > 0 && i % SUPPRESSION_LOOKUP_BATCH === 0) await nextTurn();
        const phone = phones[i] as string;
        const match = listed.get(phone);
        if (match !== undefined) found.set(phone, match);
      }
      return found;
    }
  }
  for (let start = 0; start < phones.length; start += SUPPRESSION_LOOKUP_BATCH) {
    if (start > 0) await nextTurn();
    const batch = phones.slice(start, start + SUPPRESSION_LOOKUP_BATCH);
    const rows = await readSuppressedAmong(db, accountId, phonesValue(db, batch), sender);
    for (const row of rows) keepMatch(found, row.phone, row.source, row.sender);
  }
  return found;
}

function suppressionFrom(row: {
  phone: string;
  source: string;
  created_at_us: number | string;
  sender: string;
}): Suppression {
  return {
    phone: row.phone,
    source: suppressionSourceFrom(row.source),
    createdAtUs: intFrom(row.created_at_us),
    sender: row.sender,
  };
}

const COLUMNS = ['phone', 'source', 'created_at_us', 'sender'] as const;

/**
 * One entry of the account's list, if the number is on it: the one for `sender` ('' the account-wide one); when
 * `sender` is undefined, the account-wide entry, else the number's first by sender.
 */
export async function findSuppression(
  db: Db,
  accountId: number,
  phone: string,
  sender?: string,
): Promise<Suppression | undefined> {
  let query = db.kysely
    .selectFrom('suppressions')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('phone', '=', phone);
  if (sender !== undefined) query = query.where('sender', '=', sender);
  const row = await query.orderBy('sender').limit(1).executeTakeFirst();
  return row && suppressionFrom(row);
}

/**
 * The account's list in number order (a number's entries by sender, the account-wide one first), a page at a time (`page` counts from 1); `prefix` keeps the numbers that start
 * with those digits, read as a range of the (account_id, phone) index.
 */
export async function listSuppressions(
  db: Db,
  accountId: number,
  options: { readonly page: number; readonly perPage: number; readonly prefix?: string },
): Promise<Suppression[]> {
  const { limit, offset } = pageWindow(options, PER_PAGE_MAX);
  let query = db.kysely.selectFrom('suppressions').select(COLUMNS).where('account_id', '=', accountId);
  const prefix = options.prefix ?? '';
  if (prefix !== '') {
    if (!/^\d+$/.test(prefix)) throw new RangeError('a suppression search is digits');
    // Every number starting with the digits sorts between them and them followed by ':' (the character after '9').
    query = query.where('phone', '>=', prefix).where('phone', '<', `${prefix}:`);
  }
  const rows = await query.orderBy('phone').orderBy('sender').limit(limit).offset(offset).execute();
  return rows.map(suppressionFrom);
}

/** How many entries the account's list holds; of those starting with `prefix` when given (an index range). */
export async function countSuppressions(db: Db, accountId: number, prefix = ''): Promise<number> {
  let query = db.kysely
    .selectFrom('suppressions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId);
  if (prefix !== '') {
    if (!/^\d+$/.test(prefix)) throw new RangeError('a suppression search is digits');
    query = query.where('phone', '>=', prefix).where('phone', '<', `${prefix}:`);
  }
  const row = await query.executeTakeFirstOrThrow();
  return intFrom(row.n as number | string);
}

/**
 * The account's whole list in number order (then sender), SUPPRESSION_EXPORT_BATCH entries a statement (each batch
 * starts after the last entry of the one before, an index range), so that a list of millions is never held at once.
 */
export async function* allSuppressions(db: Db, accountId: number): AsyncGenerator<Suppression[]> {
  let after: Suppression | null = null;
  for (;;) {
    let query = db.kysely.selectFrom('suppressions').select(COLUMNS).where('account_id', '=', accountId);
    if (after !== null) query = query.where(sql<boolean>`(phone, sender) > (${after.phone}, ${after.sender})`);
    const rows = await query.orderBy('phone').orderBy('sender').limit(SUPPRESSION_EXPORT_BATCH).execute();
    if (rows.length === 0) return;
    const batch = rows.map(suppressionFrom);
    yield batch;
    if (rows.length < SUPPRESSION_EXPORT_BATCH) return;
    after = batch.at(-1) as Suppression;
  }
}

/** The history of the account's list, newest first; of one number when `phone` is given. */
export async function suppressionHistory(
  db: Db,
  accountId: number,
  options: { readonly page: number; readonly perPage: number; readonly phone?: string },
): Promise<SuppressionChange[]> {
  const { limit, offset } = pageWindow(options, PER_PAGE_MAX);
  let query = db.kysely
    .selectFrom('suppression_changes')
    .select(['phone', 'action', 'source', 'actor', 'at_us', 'sender'])
    .where('account_id', '=', accountId);
  if (options.phone !== undefined) query = query.where('phone', '=', options.phone);
  const rows = await query.orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return rows.map((row) => ({
    phone: row.phone,
    action: row.action === 'remove' ? 'remove' : 'add',
    source: suppressionSourceFrom(row.source),
    actor: row.actor,
    atUs: intFrom(row.at_us),
    sender: row.sender,
  }));
}
