// Group commit of small sendings: concurrent creates in one process share one transaction, each decided as if alone.
import { type Selectable, sql, type Transaction } from 'kysely';
import { addMoney, minorFrom } from '../domain/money.js';
import type { Db } from './db.js';
import { inIds } from './dispatch-sql.js';
import { entryRow, sendingReferenceOf } from './ledger.js';
import { insertMessageChunk } from './message-insert.js';
import { type MessageChunk, messageChunks } from './message-rows.js';
import { onNextTurn } from './next-turn.js';
import { insufficientBalance, reservationAmountMinor, reservationEntry } from './reservations.js';
import type { Schema, SendingsTable } from './schema.js';
import {
  accountKeyList,
  type CreateSendingResult,
  checkNewSending,
  createSending,
  forgetExpiredKeys,
  type NewSending,
  pendingColumns,
  type Sending,
  sendingFromRow,
  storeSending,
  winnerOfKeyRace,
} from './sendings.js';
import { type SpendState, spendStateOf, takeSpend } from './spend-limits.js';

/** Sendings of at most this many recipients are grouped; larger ones keep their own transaction (and its yields). */
export const GROUPED_RECIPIENTS_MAX = 100;
/** Creates committed by one transaction at most. */
export const GROUP_CREATES_MAX = 256;
/**
 * Group transactions in flight at once: SQLite has one connection (one at a time anyway); on PostgreSQL a few, so a
 * group's round trips overlap with another's commit, and groups of different accounts do not wait on each other.
 */
const GROUPS_IN_FLIGHT = { sqlite: 1, postgres: 4 } as const;

interface Waiting {
  readonly input: NewSending;
  /** The rows of its messages, all of them (a grouped sending is small). */
  readonly rows: MessageChunk;
  readonly resolve: (result: CreateSendingResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly result: CreateSendingResult } | { readonly error: unknown };

class Grouper {
  readonly #db: Db;
  readonly #inFlightMax: number;
  #queue: Waiting[] = [];
  #inFlight = 0;
  readonly #accountsInFlight = new Set<number>();
  /** The creates that arrive in one turn of the event loop go in one group. */
  readonly #pumpNextTurn = onNextTurn(() => this.#pump());

  constructor(db: Db) {
    this.#db = db;
    this.#inFlightMax = GROUPS_IN_FLIGHT[db.dialect];
  }

  add(input: NewSending, rows: MessageChunk): Promise<CreateSendingResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, rows, resolve, reject });
      this.#pumpNextTurn();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#inFlightMax && this.#queue.length > 0) {
      // An account in a group in flight is left for a later group: two groups of one account would only wait for each
      // other's commit on its lock, each holding a pooled connection meanwhile. Arrival order is kept per account.
      const group: Waiting[] = [];
      const rest: Waiting[] = [];
      for (const waiting of this.#queue) {
        if (group.length < GROUP_CREATES_MAX && !this.#accountsInFlight.has(waiting.input.accountId))
          group.push(waiting);
        else rest.push(waiting);
      }
      if (group.length === 0) return;
      this.#queue = rest;
      const accounts = new Set(group.map((w) => w.input.accountId));
      for (const id of accounts) this.#accountsInFlight.add(id);
      this.#inFlight++;
      void this.#commit(group).finally(() => {
        for (const id of accounts) this.#accountsInFlight.delete(id);
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #commit(group: readonly Waiting[]): Promise<void> {
    const db = this.#db;
    let outcomes: Outcome[] | null;
    try {
      // Rerun whole on a deadlock or serialization failure (db.transaction): outcomes are those of the last run.
      outcomes = await db.transaction(async (trx) => {
        const nowUs = db.nowUs();
        const accounts = await lockAccounts(trx, db, nowUs, group);
        try {
          return await storeGroup(trx, db, nowUs, group, accounts);
        } catch (error) {
          // The whole transaction is rolled back: no savepoint is needed (its round trips on PostgreSQL) to undo it.
          throw new GroupFailed(error);
        }
      });
    } catch (error) {
      if (!(error instanceof GroupFailed)) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
      outcomes = null;
    }
    if (outcomes === null) {
      try {
        // A create failed and the group's transaction was undone: each create runs alone in its own savepoint.
        outcomes = await db.transaction(async (trx) => {
          const nowUs = db.nowUs();
          await lockAccounts(trx, db, nowUs, group);
          const done: Outcome[] = [];
          for (const { input } of group) {
            // Each create is all or nothing on its own: a refusal or an error rolls back to its savepoint only.
            await sql`savepoint sending_create`.execute(trx);
            try {
              const result = await storeSending(trx, db.dialect, nowUs, input, false);
              if (!result.ok) await sql`rollback to savepoint sending_create`.execute(trx);
              done.push({ result });
            } catch (error) {
              await sql`rollback to savepoint sending_create`.execute(trx);
              done.push({ error });
            }
            await sql`release savepoint sending_create`.execute(trx);
          }
          return done;
        });
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
    }
    for (let i = 0; i < group.length; i++) {
      const waiting = group[i] as Waiting;
      const outcome = outcomes[i] as Outcome;
      if ('result' in outcome) {
        waiting.resolve(outcome.result);
        continue;
      }
      // Another process's request with the same new key committed first (PostgreSQL): this one answers with it.
      winnerOfKeyRace(db, waiting.input, outcome.error).then(
        (first) => (first ? waiting.resolve(first) : waiting.reject(outcome.error)),
        () => waiting.reject(outcome.error),
      );
    }
  }
}

/** The group's transaction undone: its creates then run one savepoint each. */
class GroupFailed extends Error {
  constructor(cause: unknown) {
    super('the group of creates failed', { cause });
  }
}

type Decision =
  | { readonly kind: 'done'; readonly result: CreateSendingResult }
  | { readonly kind: 'create'; readonly balanceAfter: number }
  | { readonly kind: 'same key'; readonly first: number };

/** Each create's decision, in arrival order, and the indexes of those to create. */
interface Decisions {
  readonly decisions: readonly Decision[];
  readonly created: readonly number[];
}

interface AccountRow {
  readonly id: number | string;
  readonly balance_minor: number | string;
  readonly daily_spend_limit_minor: number | string | null;
  readonly monthly_spend_limit_minor: number | string | null;
}

/**
 * The group's expired keys forgotten, then its accounts read with their balances and caps — on PostgreSQL locked by
 * the same statement, in ascending id order (db.ts: sendings rows, an expired key's old sending, before accounts
 * rows). Nothing else changes them until the commit, so what is read here holds for the whole transaction.
 */
async function lockAccounts(
  trx: Transaction<Schema>,
  db: Db,
  nowUs: number,
  group: readonly Waiting[],
): Promise<readonly AccountRow[]> {
  await forgetExpiredKeys(trx, db.dialect, nowUs, keysOf(group));
  const ids = [...new Set(group.map((w) => w.input.accountId))].sort((a, b) => a - b);
  return trx
    .selectFrom('accounts')
    .select(['id', 'balance_minor', 'daily_spend_limit_minor', 'monthly_spend_limit_minor'])
    .where(sql<boolean>`id ${inIds(db.dialect, ids)}`)
    .orderBy('id')
    .$if(db.dialect === 'postgres', (q) => q.forNoKeyUpdate())
    .execute();
}

/**
 * A whole group in a few statements (the round trips of one create each, on PostgreSQL, were what limited a group):
 * the spend of the accounts with caps summed, earlier sendings under the keys looked up, then each create decided in
 * arrival order — key already used (before or earlier in the group), balance short, or accepted with the balance
 * after it — and the accepted ones written together: sendings, ledger entries, messages, balances (one statement on
 * PostgreSQL). Any error throws, and the caller then undoes all of it and runs the creates one savepoint each.
 */
async function storeGroup(
  trx: Transaction<Schema>,
  db: Db,
  nowUs: number,
  group: readonly Waiting[],
  accounts: readonly AccountRow[],
): Promise<Outcome[]> {
  const balances = new Map<number, number>();
  const spends = new Map<number, SpendState>();
  for (const a of accounts) {
    balances.set(Number(a.id), minorFrom(a.balance_minor));
    spends.set(Number(a.id), await spendStateOf(trx, nowUs, Number(a.id), a));
  }
  const earlier = await readEarlierSendings(trx, db, group);
  const { decisions, created } = decideCreates(group, balances, spends, earlier);
  if (created.length === 0) return decisions.map((d) => ({ result: (d as { result: CreateSendingResult }).result }));
  for (const i of created) {
    const { input, rows } = group[i] as Waiting;
    checkRows(input, rows, i);
  }
  let sendingOf: Map<number, Sending>;
  if (db.dialect === 'postgres') {
    sendingOf = await writeGroup(trx, nowUs, group, { decisions, created }, balances);
  } else {
    // In-process statements (SQLite): one per table, or per sending for the messages, cost no round trip.
    sendingOf = await insertSendings(trx, nowUs, group, created);
    await insertReservations(trx, nowUs, group, { decisions, created }, sendingOf);
    await insertMessages(trx, nowUs, group, created, sendingOf);
    await takeBalances(trx, nowUs, group, created, balances);
  }
  return decisions.map((d, i): Outcome => {
    if (d.kind === 'done') return { result: d.result };
    if (d.kind === 'same key') {
      return { result: { ok: false, reason: 'idempotency_key_used', sending: sendingOf.get(d.first) as Sending } };
    }
    return { result: { ok: true, sending: sendingOf.get(i) as Sending, balanceMinor: d.balanceAfter } };
  });
}

/** The group's idempotency keys with their accounts, each pair once. */
function keysOf(group: readonly Waiting[]): { accountId: number; key: string }[] {
  const pairs = new Map<string, { accountId: number; key: string }>();
  for (const { input } of group) {
    const key = input.idempotency?.key;
    if (key !== undefined) pairs.set(JSON.stringify([input.accountId, key]), { accountId: input.accountId, key });
  }
  return [...pairs.values()];
}

/** The sendings already stored under the group's idempotency keys, by `accountId:key` (one read for all keys). */
async function readEarlierSendings(
  trx: Transaction<Schema>,
  db: Db,
  group: readonly Waiting[],
): Promise<Map<string, Sending>> {
  const earlier = new Map<string, Sending>();
  const pairs = keysOf(group);
  if (pairs.length === 0) return earlier;
  const rows = await trx
    .selectFrom('sendings')
    .selectAll()
    .where(sql<boolean>`(account_id, idempotency_key) in ${accountKeyList(db.dialect, pairs)}`)
    .execute();
  for (const row of rows) {
    const sending = sendingFromRow(row);
    earlier.set(`${sending.accountId}:${row.idempotency_key}`, sending);
  }
  return earlier;
}

/** Decides each create in arrival order; `balances` ends with each account's balance after the group. */
function decideCreates(
  group: readonly Waiting[],
  balances: Map<number, number>,
  spends: ReadonlyMap<number, SpendState>,
  earlier: ReadonlyMap<string, Sending>,
): Decisions {
  const decisions: Decision[] = [];
  const claimed = new Map<string, number>();
  const created: number[] = [];
  for (let i = 0; i < group.length; i++) {
    const { input } = group[i] as Waiting;
    const key = input.idempotency?.key;
    const keyOf = `${input.accountId}:${key}`;
    const balance = balances.get(input.accountId);
    const first = key === undefined ? undefined : earlier.get(keyOf);
    const claimedBy = key === undefined ? undefined : claimed.get(keyOf);
    if (first) decisions.push({ kind: 'done', result: { ok: false, reason: 'idempotency_key_used', sending: first } });
    else if (claimedBy !== undefined) decisions.push({ kind: 'same key', first: claimedBy });
    else if (balance === undefined)
      decisions.push({ kind: 'done', result: { ok: false, reason: 'account_not_found' } });
    else if (balance < input.totalMinor) {
      decisions.push({ kind: 'done', result: insufficientBalance(balance, input.totalMinor) });
    } else {
      const overLimit = takeSpend(spends.get(input.accountId) as SpendState, input.totalMinor);
      if (overLimit) {
        decisions.push({ kind: 'done', result: overLimit });
        continue;
      }
      const balanceAfter = balance - input.totalMinor;
      balances.set(input.accountId, balanceAfter);
      if (key !== undefined) claimed.set(keyOf, i);
      decisions.push({ kind: 'create', balanceAfter });
      created.push(i);
    }
  }
  return { decisions, created };
}

/** The rows of the sendings to create, in arrival order. */
function sendingRows(nowUs: number, group: readonly Waiting[], created: readonly number[]) {
  return created.map((i) => {
    const { input } = group[i] as Waiting;
    return {
      account_id: input.accountId,
      text: input.text,
      sender: input.sender,
      type: input.type,
      ...pendingColumns(input, nowUs),
      idempotency_key: input.idempotency?.key ?? null,
      request_sha256: input.idempotency?.requestSha256 ?? null,
      callback_url: input.callbackUrl ?? null,
    };
  });
}

/**
 * The inserted sendings by index in the group: their ids come out ascending in arrival order. Throws unless they are
 * as many as the creates and each one is of its create's account and total.
 */
function sendingsByIndex(
  inserted: readonly Selectable<SendingsTable>[],
  group: readonly Waiting[],
  created: readonly number[],
): Map<number, Sending> {
  const sendings = inserted.map(sendingFromRow).sort((a, b) => a.id - b.id);
  if (sendings.length !== created.length) throw new Error('group insert returned another number of sendings');
  const sendingOf = new Map<number, Sending>();
  created.forEach((i, n) => {
    const sending = sendings[n] as Sending;
    const { input } = group[i] as Waiting;
    if (sending.accountId !== input.accountId || sending.totalMinor !== input.totalMinor) {
      throw new Error('group insert returned its sendings out of order');
    }
    sendingOf.set(i, sending);
  });
  return sendingOf;
}

/** The sendings, in arrival order. Returns them by index in the group. */
async function insertSendings(
  trx: Transaction<Schema>,
  nowUs: number,
  group: readonly Waiting[],
  created: readonly number[],
): Promise<Map<number, Sending>> {
  const inserted = await trx
    .insertInto('sendings')
    .values(sendingRows(nowUs, group, created))
    .returningAll()
    .execute();
  return sendingsByIndex(inserted, group, created);
}

/** Each account's reservations of the group added up, by account id. */
function takenByAccount(group: readonly Waiting[], created: readonly number[]): Map<number, number> {
  const taken = new Map<number, number>();
  for (const i of created) {
    const { input } = group[i] as Waiting;
    taken.set(input.accountId, addMoney(taken.get(input.accountId) ?? 0, input.totalMinor));
  }
  return taken;
}

/**
 * PostgreSQL: the group's writes in one statement (one round trip) of data-modifying CTEs — the sendings inserted in
 * arrival order, their ids ranked to find each one's reservation entry (with the balance after it) and messages
 * (inserted in their order), and each account's balance moved by the group's total only where it is still the one
 * read under the lock. Throws, as the statements one by one would, unless every account moved and the sendings
 * came back as created.
 */
async function writeGroup(
  trx: Transaction<Schema>,
  nowUs: number,
  group: readonly Waiting[],
  { decisions, created }: Decisions,
  balancesAfter: ReadonlyMap<number, number>,
): Promise<Map<number, Sending>> {
  const entries = { accountId: [] as number[], amount: [] as number[], balanceAfter: [] as number[] };
  const messages = {
    n: [] as number[],
    recipient: [] as string[],
    countryId: [] as (number | null)[],
    mcc: [] as (string | null)[],
    mnc: [] as (string | null)[],
    destination: [] as string[],
    parts: [] as number[],
    rateMinor: [] as number[],
    costMinor: [] as number[],
  };
  created.forEach((i, n) => {
    const { input, rows } = group[i] as Waiting;
    entries.accountId.push(input.accountId);
    entries.amount.push(reservationAmountMinor(input.totalMinor));
    entries.balanceAfter.push((decisions[i] as { balanceAfter: number }).balanceAfter);
    for (let r = 0; r < rows.recipient.length; r++) {
      messages.n.push(n + 1);
      messages.recipient.push(rows.recipient[r] as string);
      messages.countryId.push(rows.countryId[r] ?? null);
      messages.mcc.push(rows.mcc[r] ?? null);
      messages.mnc.push(rows.mnc[r] ?? null);
      messages.destination.push(rows.destination[r] as string);
      messages.parts.push(rows.parts[r] as number);
      messages.rateMinor.push(rows.rateMinor[r] as number);
      messages.costMinor.push(rows.costMinor[r] as number);
    }
  });
  const taken = takenByAccount(group, created);
  const moves = { id: [...taken.keys()], amount: [...taken.values()], after: [] as number[] };
  for (const id of moves.id) moves.after.push(balancesAfter.get(id) as number);
  const insertSendings = trx
    .insertInto('sendings')
    .values(sendingRows(nowUs, group, created))
    .returningAll();
  const { rows } = await sql<Selectable<SendingsTable> & { accounts_moved: string | number }>`
    with s as (${insertSendings}),
    ranked as (select s.id, row_number() over (order by s.id) as n from s),
    l as (
      insert into ledger_entries (account_id, kind, amount_minor, balance_after_minor, sending_id, reference,
                                  created_at_us)
      select e.account_id, 'reservation', e.amount_minor, e.balance_after_minor, ranked.id,
             ${sendingReferenceOf(sql.ref('ranked.id'))},
             ${nowUs}::int8
      from unnest(${entries.accountId}::int8[], ${entries.amount}::int8[], ${entries.balanceAfter}::int8[])
             with ordinality as e(account_id, amount_minor, balance_after_minor, n)
      join ranked on ranked.n = e.n
      order by e.n),
    m as (
      insert into messages (sending_id, created_at_us, updated_at_us, recipient, country_id, mcc, mnc, destination,
                            parts, rate_minor, cost_minor)
      select ranked.id, ${nowUs}::int8, ${nowUs}::int8, u.recipient, u.country_id, u.mcc, u.mnc, u.destination,
             u.parts, u.rate_minor, u.cost_minor
      from unnest(${messages.n}::int8[], ${messages.recipient}::text[], ${messages.countryId}::int4[],
                  ${messages.mcc}::text[], ${messages.mnc}::text[], ${messages.destination}::text[],
                  ${messages.parts}::int4[], ${messages.rateMinor}::int8[], ${messages.costMinor}::int8[])
             with ordinality as u(n, recipient, country_id, mcc, mnc, destination, parts, rate_minor, cost_minor, o)
      join ranked on ranked.n = u.n
      order by u.o),
    b as (
      update accounts set balance_minor = accounts.balance_minor - t.amount, updated_at_us = ${nowUs}::int8
      from unnest(${moves.id}::int8[], ${moves.amount}::int8[], ${moves.after}::int8[]) as t(id, amount, after)
      where accounts.id = t.id and accounts.balance_minor >= t.amount and accounts.balance_minor - t.amount = t.after
      returning accounts.id)
    select s.*, (select count(*) from b) as accounts_moved from s order by s.id`.execute(trx);
  if (rows.length > 0 && Number(rows[0]?.accounts_moved) !== moves.id.length) {
    throw new Error("an account's balance moved under the group's lock");
  }
  return sendingsByIndex(rows, group, created);
}

/** Each created sending's reservation in the ledger, with the balance after it. */
async function insertReservations(
  trx: Transaction<Schema>,
  nowUs: number,
  group: readonly Waiting[],
  { decisions, created }: Decisions,
  sendingOf: ReadonlyMap<number, Sending>,
): Promise<void> {
  await trx
    .insertInto('ledger_entries')
    .values(
      created.map((i) => {
        const { input } = group[i] as Waiting;
        const sending = sendingOf.get(i) as Sending;
        const { balanceAfter } = decisions[i] as { balanceAfter: number };
        return entryRow(nowUs, reservationEntry(input.accountId, sending.id, input.totalMinor), balanceAfter);
      }),
    )
    .execute();
}

/** Throws unless a sending's rows add up to its totals, as createSending checks them. */
function checkRows(input: NewSending, rows: MessageChunk, index: number): void {
  let parts = 0;
  let cost = 0;
  for (let r = 0; r < rows.recipient.length; r++) {
    const rowParts = rows.parts[r] as number;
    const rowCost = rows.costMinor[r] as number;
    if (!Number.isSafeInteger(rowParts) || !Number.isSafeInteger(rowCost) || !Number.isSafeInteger(rows.rateMinor[r]))
      throw new Error('message row values are not integers');
    parts += rowParts;
    cost = addMoney(cost, rowCost);
  }
  if (rows.recipient.length !== input.recipients || parts !== input.smsCount || cost !== input.subtotalMinor) {
    throw new Error(`sending rows do not match its totals (create ${index} of the group)`);
  }
}

/** Messages (SQLite): one insert per sending, reusing the insert's text per row count. */
async function insertMessages(
  trx: Transaction<Schema>,
  nowUs: number,
  group: readonly Waiting[],
  created: readonly number[],
  sendingOf: ReadonlyMap<number, Sending>,
): Promise<void> {
  for (const i of created) {
    const { rows } = group[i] as Waiting;
    await insertMessageChunk(trx, 'sqlite', (sendingOf.get(i) as Sending).id, nowUs, rows);
  }
}

/** The balances: each account's reservations of the group in one move, checked against what was read under the lock. */
async function takeBalances(
  trx: Transaction<Schema>,
  nowUs: number,
  group: readonly Waiting[],
  created: readonly number[],
  balancesAfter: ReadonlyMap<number, number>,
): Promise<void> {
  for (const [accountId, amount] of takenByAccount(group, created)) {
    const moved = await trx
      .updateTable('accounts')
      .set({ balance_minor: sql`balance_minor - ${amount}`, updated_at_us: nowUs })
      .where('id', '=', accountId)
      .where('balance_minor', '>=', amount)
      .returning('balance_minor')
      .executeTakeFirst();
    if (!moved || minorFrom(moved.balance_minor) !== balancesAfter.get(accountId)) {
      throw new Error(`account ${accountId} balance moved under the group's lock`);
    }
  }
}

const groupers = new WeakMap<Db, Grouper>();

/**
 * `createSending` with the same answers, for many concurrent requests at the cost of few transactions: a small
 * sending, validated and priced before by the caller, joins the group that commits next (started on the event loop's
 * next turn with every create that arrived meanwhile; those arriving while groups are in flight wait for the next).
 * In the group's transaction the accounts are locked in ascending id order (PostgreSQL) and read, then each create is
 * decided in arrival order — the key looked up under the lock, the balance and caps checked and reserved — so one
 * refused (insufficient balance, spend cap, key already used) writes nothing, and the others commit together; should
 * the group's writes fail, its transaction is undone and each create runs again in a savepoint of its own, so one
 * failing rolls back alone. A large sending, one with suppressed recipients to record, or one with a send window (its
 * messages held until it opens), keeps a transaction of its own.
 */
export function createSendingGrouped(db: Db, input: NewSending): Promise<CreateSendingResult> {
  if (
    input.recipients > GROUPED_RECIPIENTS_MAX ||
    (input.suppressed?.length ?? 0) > 0 ||
    (input.sendWindow ?? null) !== null
  ) {
    return createSending(db, input);
  }
  checkNewSending(input);
  let grouper = groupers.get(db);
  if (!grouper) {
    grouper = new Grouper(db);
    groupers.set(db, grouper);
  }
  // Read into an array once: a rerun of the group (a deadlock) reads the rows again.
  const messages = Symbol.iterator in input.messages ? [...input.messages] : input.messages;
  const rows = messageChunks(messages, GROUPED_RECIPIENTS_MAX).next().value ?? messageChunks([], 1).next().value;
  return grouper.add({ ...input, messages }, rows as MessageChunk);
}
