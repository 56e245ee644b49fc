// The message queue in the database: leases of due messages, outcomes of hand-overs, take-over of expired leases.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { MessageProviderCost } from '../domain/margins.js';
import { minorFrom } from '../domain/money.js';
import { SENDING_TYPES, type SendingType } from '../domain/sending.js';
import { messageStatusFrom } from '../domain/status.js';
import { enqueueCallbacks } from './callbacks.js';
import type { Db, DialectName } from './db.js';
import { QualityTally } from './delivery-quality.js';
import { type MessageNow, settleSendings } from './dispatch-settlement.js';
import { acceptedCostSum, inBatch, inIds, keyList, listRelation, notInIds } from './dispatch-sql.js';
import { applyKeptReportsFor, applyStatusChanges, callbackEvents, type StatusChange } from './reports.js';
import type { Schema } from './schema.js';
import { assertInt, intFrom, intOrNull } from './values.js';

/** What a hand-over needs of a sending, read once per lease. */
export interface DispatchSending {
  readonly id: number;
  readonly accountId: number;
  readonly text: string;
  readonly sender: string;
  readonly type: SendingType;
  /** When the sending was stored: none of its messages can have been handed over before. */
  readonly createdAtUs: number;
  /** The account's currency: what it is charged in, and what a provider's cost is converted into. */
  readonly currency: string;
  /** When its validity ends (null: none): a message not handed over by then ends `expired`. */
  readonly expiresAtUs: number | null;
}

export interface LeasedMessage {
  readonly id: number;
  readonly sendingId: number;
  readonly recipient: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly parts: number;
  readonly costMinor: number;
  /** This attempt's number, counted from 1. */
  readonly attempt: number;
  /** The provider this attempt goes to (recorded before the call), null when no route has one. */
  readonly provider: string | null;
}

export interface Lease {
  readonly workerId: string;
  readonly expiresAtUs: number;
  readonly messages: readonly LeasedMessage[];
  readonly sendings: ReadonlyMap<number, DispatchSending>;
}

/** The provider a lease records for a message's attempt (null: none serves it), and the route rule that chose it. */
export interface RouteChoice {
  readonly provider: string | null;
  readonly ruleId: number | null;
}

/** Decides a leased message's provider for its attempt (`message.attempt`, already counted); the router's `choose`. */
export type LeaseRouting = (message: LeasedMessage, sending: DispatchSending) => RouteChoice;

export interface LeaseRequest {
  readonly workerId: string;
  readonly nowUs: number;
  readonly leaseUs: number;
  readonly limit: number;
}

interface MessageRow {
  id: number | string;
  sending_id: number | string;
  recipient: string;
  mcc: string | null;
  mnc: string | null;
  parts: number;
  cost_minor: number | string;
  attempts: number;
  provider: string | null;
}

const RETURNED_COLUMNS = ['id', 'sending_id', 'recipient', 'mcc', 'mnc', 'parts', 'cost_minor', 'attempts', 'provider'];
const RETURNED = sql.raw(RETURNED_COLUMNS.join(', '));

function leasedFrom(row: MessageRow): LeasedMessage {
  return {
    id: intFrom(row.id),
    sendingId: intFrom(row.sending_id),
    recipient: row.recipient,
    mcc: row.mcc,
    mnc: row.mnc,
    parts: row.parts,
    costMinor: minorFrom(row.cost_minor),
    attempt: row.attempts,
    provider: row.provider,
  };
}

/** Thrown inside a lease transaction to roll it back: a sending was cancelled while its messages were being leased. */
class LeaseRaceWithCancel extends Error {}

async function readSendings(
  trx: Transaction<Schema>,
  dialect: DialectName,
  ids: readonly number[],
): Promise<Map<number, DispatchSending & { status: string }>> {
  const rows = await trx
    .selectFrom('sendings as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select([
      's.id',
      's.account_id',
      's.text',
      's.sender',
      's.type',
      's.status',
      's.created_at_us',
      's.expires_at_us',
      'a.currency',
    ])
    .where(sql<boolean>`s.id ${inIds(dialect, ids)}`)
    .execute();
  const sendings = new Map<number, DispatchSending & { status: string }>();
  for (const row of rows) {
    const type = SENDING_TYPES.find((t) => t === row.type);
    if (type === undefined) throw new Error(`sending ${row.id} has unknown type ${row.type}`);
    const id = intFrom(row.id);
    sendings.set(id, {
      id,
      accountId: intFrom(row.account_id),
      text: row.text,
      sender: row.sender,
      type,
      createdAtUs: intFrom(row.created_at_us),
      currency: row.currency,
      expiresAtUs: intOrNull(row.expires_at_us),
      status: row.status,
    });
  }
  return sendings;
}

/**
 * Asks `route` for each message picked for a lease (attempt already counted) and writes the lease: `submitting`, lease
 * owner and expiry, attempts + 1, and the provider and route rule of this attempt. One statement per (provider, rule)
 * of the lease (usually one), each row written once. Returns the messages with their provider.
 */
async function writeLease(
  trx: Transaction<Schema>,
  dialect: DialectName,
  picked: readonly LeasedMessage[],
  sendings: ReadonlyMap<number, DispatchSending>,
  route: LeaseRouting,
  lease: { readonly workerId: string; readonly expiresAtUs: number; readonly nowUs: number },
): Promise<LeasedMessage[]> {
  const groups = new Map<string, { choice: RouteChoice; ids: number[] }>();
  const messages = picked.map((message): LeasedMessage => {
    const sending = sendings.get(message.sendingId);
    if (sending === undefined) throw new Error(`leased message ${message.id} has no sending`);
    const choice = route(message, sending);
    const key = `${choice.provider ?? ''}\u0000${choice.ruleId ?? ''}`;
    const group = groups.get(key);
    if (group) group.ids.push(message.id);
    else groups.set(key, { choice, ids: [message.id] });
    return { ...message, provider: choice.provider };
  });
  for (const { choice, ids } of groups.values()) {
    await sql`
      update messages
      set status = 'submitting', lease_owner = ${lease.workerId}, lease_expires_at_us = ${lease.expiresAtUs},
          attempts = attempts + 1, updated_at_us = ${lease.nowUs}, provider = ${choice.provider},
          route_rule_id = ${choice.ruleId}
      where id ${inIds(dialect, ids)}`.execute(trx);
  }
  return messages;
}

function skipLocked(dialect: DialectName, alias: string): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`for update of ${sql.raw(alias)} skip locked` : sql``;
}

/**
 * A lease draws from the due sending served longest ago (`last_leased_at_us`), one never served before any other (of
 * those, the one due longest ago), so leases take turns and a small sending (a one-time code) is served within a lease
 * or two of a million-message campaign's, not after it. When the
 * remaining messages of that one are all held by other workers' leases (PostgreSQL, SKIP LOCKED), it draws from the
 * next few instead of finding nothing.
 *
 * What that sending leaves of the lease's limit is filled from the next due sendings of at most `limit` recipients,
 * in the same order (served longest ago first): a thousand one-time codes go out in one lease, not in a thousand.
 * Only sendings that small, so that filling reads at most a lease's worth of rows per sending and never walks the
 * queued messages of a large one (a large one waits for its own turn as the first sending of a lease).
 */
const LEASE_SENDINGS_MAX = 4;

/** A lease wakes up to this many parked sendings for each message it may take (`limit`). */
const WAKE_PER_LEASE = 4;

/** `next_due_at_us` of a parked sending none of whose messages is queued: only an outcome queueing one wakes it. */
export const PARKED_WITH_NONE_QUEUED = Number.MAX_SAFE_INTEGER;

/**
 * The parked open sendings whose time has come, up to `max`, those due longest ago first: what a lease wakes. When
 * more came due since the last lease than it wakes (a worker back after a long pause), the next leases wake the
 * others, those due longest ago first.
 */
/**
 * A sending in `sendings_lease_due` whose time has come at `nowUs`: open, not settled, not parked, never leased from
 * (`served` false) or served before; the index's own condition, so that SQLite's planner may read it.
 */
function inLeaseTurn(alias: string, served: boolean, nowUs: number): RawBuilder<unknown> {
  const t = sql.raw(alias);
  return sql`${t}.status in ('Pending', 'Processing') and ${t}.dispatch_settled_at_us is null and ${t}.next_due_at_us = 0
      and ${served ? sql`${t}.last_leased_at_us > 0` : sql`${t}.last_leased_at_us = 0`} and ${t}.scheduled_at_us <= ${nowUs}`;
}

/** A sending in `sendings_lease_parked` whose time to be looked at again has come at `nowUs`. */
function parkedAndDue(alias: string, nowUs: number): RawBuilder<unknown> {
  const p = sql.raw(alias);
  return sql`${p}.status in ('Pending', 'Processing') and ${p}.dispatch_settled_at_us is null and ${p}.next_due_at_us > 0
      and ${p}.next_due_at_us <= ${nowUs}`;
}

async function parkedDue(executor: Kysely<Schema>, dialect: DialectName, nowUs: number, max: number) {
  const { rows } = await sql<{ id: number | string }>`
    select p.id from sendings p ${dialect === 'sqlite' ? sql`indexed by sendings_lease_parked` : sql``}
    where ${parkedAndDue('p', nowUs)}
    order by p.next_due_at_us, p.id
    limit ${max}`.execute(executor);
  return rows.map((row) => intFrom(row.id));
}

/**
 * Wakes the sendings `ids` (`next_due_at_us` = 0: back into `sendings_lease_due`) that are still parked with their
 * time come. Lowering the mark is always safe: it only lets a lease look at the sending. On PostgreSQL a row another
 * transaction holds is left for the next lease: waking never waits.
 */
async function wake(executor: Kysely<Schema>, dialect: DialectName, ids: readonly number[], nowUs: number) {
  if (ids.length === 0) return;
  // Each row found by its key (`inBatch`): when thousands come due at once (a send window opening), a semi-join
  // would be planned as a walk of the whole table.
  await sql`
    update sendings set next_due_at_us = 0
    where id ${inBatch(
      dialect,
      sql`select w.id from sendings w
        where w.id ${inBatch(dialect, keyList(dialect, ids))} and w.next_due_at_us > 0 and w.next_due_at_us <= ${nowUs}
        ${skipLocked(dialect, 'w')}`,
    )}`.execute(executor);
}

/**
 * Sets `next_due_at_us` of each of the sendings `ids` from its queued messages: 0 when one is due at `nowUs`, else
 * when the first one is next due (`PARKED_WITH_NONE_QUEUED` when none is queued). The caller's transaction must hold
 * the sending rows already (PostgreSQL: locked by an earlier statement), so that this statement, run after the lock
 * was taken, sees every message a transaction that held them queued, and one that takes them later (an outcome
 * queueing a message, which parks its sending in turn) sets the mark after this one: a mark raised here is never
 * later than a queued message's time. Each sending's first queued message is read from `messages_queued_due`.
 */
export async function parkSendings(
  trx: Transaction<Schema>,
  dialect: DialectName,
  ids: readonly number[],
  nowUs: number,
): Promise<void> {
  if (ids.length === 0) return;
  const first = sql`(select m.next_attempt_at_us from messages m
      where m.sending_id = t.id and m.status = 'queued' order by m.next_attempt_at_us limit 1)`;
  const target = dialect === 'postgres' ? sql`s` : sql`sendings`;
  await sql`
    update sendings ${dialect === 'postgres' ? sql`as s` : sql``}
    set next_due_at_us = x.next_due
    from (select f.id,
            case when f.next_at <= ${nowUs} then 0 else coalesce(f.next_at, ${PARKED_WITH_NONE_QUEUED}) end as next_due
          from (select t.id, ${first} as next_at from sendings t where t.id ${inIds(dialect, ids)}) as f) as x
    where ${target}.id = x.id and ${target}.next_due_at_us <> x.next_due`.execute(trx);
}

/**
 * Whether a lease on SQLite at `nowUs` may find something: a sending at the front of `sendings_lease_due` whose time
 * has come (never leased, or served before), or a parked one due again. One index entry read of each, none of their
 * messages: a sending found may still have none due.
 */
async function mayHaveDueOnSqlite(db: Db, nowUs: number): Promise<boolean> {
  const front = (served: boolean) => sql`
    select t.id from sendings t indexed by sendings_lease_due where ${inLeaseTurn('t', served, nowUs)} limit 1`;
  const parked = sql`
    select p.id from sendings p indexed by sendings_lease_parked where ${parkedAndDue('p', nowUs)} limit 1`;
  const { rows } = await sql<{ id: number | string }>`
    select id from (${front(false)}) as never_served
    union all select id from (${front(true)}) as served
    union all select id from (${parked}) as parked`.execute(db.kysely);
  return rows.length > 0;
}

/**
 * Leases up to `limit` due messages for `workerId` in one transaction: queued, due, of a Pending or Processing sending
 * whose time has come (never a Cancelled one). The due rows are picked (and, on PostgreSQL, locked), `route` decides
 * each one's provider for this attempt, and one statement writes the hand-over intent: `submitting`, lease owner and
 * expiry, attempts + 1, provider and route rule (one statement per provider and rule), so that the provider recorded
 * at lease is the one a take-over asks about and each row is written once. A Pending sending becomes
 * Processing in the same transaction, which is what makes a later cancel refuse. PostgreSQL takes the rows with
 * FOR UPDATE SKIP LOCKED, so several workers lease disjoint batches without waiting for each other; SQLite's
 * transaction holds the write lock throughout.
 */
export async function leaseDueMessages(db: Db, request: LeaseRequest, route: LeaseRouting): Promise<Lease> {
  assertInt(request.limit, 'limit', 1);
  assertInt(request.leaseUs, 'leaseUs', 1);
  const { workerId, nowUs } = request;
  const expiresAtUs = nowUs + request.leaseUs;
  const empty: Lease = { workerId, expiresAtUs, messages: [], sendings: new Map() };
  // The due sendings in turn order, at most `sendingsMax` of them (and only those `narrower` lets through): read from
  // the front of `sendings_lease_due`, those never leased from first (the one due longest ago first), then the others,
  // served longest ago first. Each part stops at `sendingsMax` sendings with a due queued message, so a lease reads
  // about as many sendings as it takes, whatever the backlog behind them. The index leaves out the parked sendings
  // (`next_due_at_us` > 0: every queued message waits for a retry, or none is queued), however many wait during a
  // provider's outage. A sending passed over on the way is one that has no due message now although not parked: all
  // held by other workers' leases, or waiting for its send window. `sendingsMax` is a parameter, so that the
  // statement's text, prepared once, is the same whatever is left of the lease to fill.
  const sqlite = db.dialect === 'sqlite';
  const turns = (sendingsMax: number, narrower: RawBuilder<unknown>, served: boolean) => sql`
    select t.id, t.last_leased_at_us, t.scheduled_at_us
    from sendings t ${sqlite ? sql`indexed by sendings_lease_due` : sql``}
    where ${inLeaseTurn('t', served, nowUs)}
      ${narrower}
      and (select 1 from messages d
           where d.sending_id = t.id and d.status = 'queued' and d.next_attempt_at_us <= ${nowUs}
           order by d.next_attempt_at_us limit 1) is not null
    order by t.last_leased_at_us, t.scheduled_at_us, t.id
    limit ${sendingsMax}`;
  const dueSendings = (sendingsMax: number, narrower: RawBuilder<unknown> = sql``) => sql`
    select id, last_leased_at_us, scheduled_at_us from (${turns(sendingsMax, narrower, false)}) as never_served
    union all
    select id, last_leased_at_us, scheduled_at_us from (${turns(sendingsMax, narrower, true)}) as served`;
  const picked = sql.join(RETURNED_COLUMNS.map((column) => sql`q.${sql.raw(column)}`));
  // The due messages of the sending whose turn it is (or of the first `sendingsMax`), locked for this lease. On
  // PostgreSQL in the order of `messages_queued_due` (as SQLite reads them), so that it reads that index from the
  // sending's first due message: by id it would walk past the messages waiting for a retry (those leased first, in
  // an outage), which the planner may not expect. The probe for a due message above likewise.
  const pick = (sendingsMax: number) => sql<MessageRow>`
    select ${picked} from messages q
    where q.sending_id ${inBatch(
      db.dialect,
      sql`select turn.id from (${dueSendings(sendingsMax)}) as turn
        order by turn.last_leased_at_us, turn.scheduled_at_us, turn.id
        limit ${sendingsMax}`,
    )}
      and q.status = 'queued' and q.next_attempt_at_us <= ${nowUs}
    ${sqlite ? sql`` : sql`order by q.sending_id, q.next_attempt_at_us`}
    limit ${request.limit}
    ${skipLocked(db.dialect, 'q')}`;
  // The due messages of the next small sendings, in turn order, other than the `taken` sendings (picked already: what
  // they have left is held by other leases, or was picked). SQLite, not knowing how few sendings the parameter lets
  // through, would rather walk every queued message and look each one's sending up: CROSS JOIN keeps it to the
  // sendings first, then their messages.
  const fillSendings = (limit: number, taken: readonly number[]) => sql`
        select turn.id, turn.last_leased_at_us, turn.scheduled_at_us
        from (${dueSendings(
          limit,
          sql`and t.recipients_count <= ${request.limit}
            ${taken.length > 0 ? sql`and t.id ${notInIds(db.dialect, taken)}` : sql``}`,
        )}) as turn
        order by turn.last_leased_at_us, turn.scheduled_at_us, turn.id
        limit ${limit}`;
  // PostgreSQL takes the sendings first as an array (`inBatch`) and then their queued messages by index: planned on
  // the statistics of tables that grew since they were last analysed, a join of the two may walk every queued message
  // for each sending.
  const fill = (limit: number, taken: readonly number[]) =>
    sqlite
      ? sql<MessageRow>`
    select ${picked}
    from (${fillSendings(limit, taken)}) as due
    cross join messages q on q.sending_id = due.id
    where q.status = 'queued' and q.next_attempt_at_us <= ${nowUs}
    order by due.last_leased_at_us, due.scheduled_at_us, due.id
    limit ${limit}`
      : sql<MessageRow>`
    with due as materialized (${fillSendings(limit, taken)})
    select ${picked}
    from messages q join due on due.id = q.sending_id
    where q.sending_id ${inBatch(db.dialect, sql`select id from due`)}
      and q.status = 'queued' and q.next_attempt_at_us <= ${nowUs}
    order by due.last_leased_at_us, due.scheduled_at_us, due.id
    limit ${limit}
    ${skipLocked(db.dialect, 'q')}`;
  const dueProbe = sql`select id from (${dueSendings(1)}) as turn limit 1`;
  const wakeMax = request.limit * WAKE_PER_LEASE;
  // PostgreSQL wakes in a transaction of its own, so that the lease holds no sending row before its messages
  // (LOCK_ORDER); a lease with none to wake writes nothing for it.
  if (!sqlite) {
    const due = await parkedDue(db.kysely, db.dialect, nowUs, wakeMax);
    if (due.length > 0) await db.transaction((trx) => wake(trx, db.dialect, due, nowUs));
  }
  // A worker's rounds end with a lease that finds nothing due: the fronts of the lease indexes say so first, without
  // taking the write lock. Only a hint: a sending found there may have nothing due after all (the lease then finds
  // none), and what becomes due after this read wakes the worker for another round.
  // PostgreSQL reads the turn order itself (its planner may take another index for a bare look at the front).
  if (sqlite ? !(await mayHaveDueOnSqlite(db, nowUs)) : (await dueProbe.execute(db.kysely)).rows.length === 0) {
    return empty;
  }
  for (;;) {
    try {
      return await db.transaction(async (trx): Promise<Lease> => {
        if (sqlite) await wake(trx, db.dialect, await parkedDue(trx, db.dialect, nowUs, wakeMax), nowUs);
        let { rows } = await pick(1).execute(trx);
        // The sending served longest ago had nothing left that other workers' leases do not hold: the next few.
        const pickedFromFew = rows.length === 0 && db.dialect === 'postgres';
        if (pickedFromFew) ({ rows } = await pick(LEASE_SENDINGS_MAX).execute(trx));
        if (rows.length < request.limit) {
          const taken = [...new Set(rows.map((row) => intFrom(row.sending_id)))];
          rows = rows.concat((await fill(request.limit - rows.length, taken).execute(trx)).rows);
        }
        if (rows.length === 0) return empty;
        // This attempt's number: the lease counts it.
        const leased = rows.map((row) => leasedFrom({ ...row, attempts: row.attempts + 1 }));
        const sendingIds = [...new Set(leased.map((message) => message.sendingId))];
        // A cancel running now either committed first (this update then finds the sending Cancelled and the lease
        // rolls back) or waits for this transaction and then finds the sending Processing. Marked served now in the
        // same write: the next lease prefers the due sendings served longest ago. SQLite would walk every Pending
        // sending (scheduled ones included) through the status index and test each against the list; kept off it
        // (`+status`), the statement finds each listed sending by its id.
        // Parked in the same write when nothing of it is left due (a one-time code: its one message is leased now):
        // a Pending sending has no message another transaction may queue again (none was ever leased), so what this
        // statement reads of its messages, less those this lease takes, is all there is.
        const takenIds = leased.map((message) => message.id);
        const started = await sql<{ id: number | string }>`
            update sendings set status = 'Processing', updated_at_us = ${nowUs}, last_leased_at_us = ${nowUs},
              next_due_at_us = coalesce(
                (select case when m.next_attempt_at_us <= ${nowUs} then 0 else m.next_attempt_at_us end
                 from messages m
                 where m.sending_id = sendings.id and m.status = 'queued' and m.id ${notInIds(db.dialect, takenIds)}
                 order by m.next_attempt_at_us limit 1),
                ${PARKED_WITH_NONE_QUEUED})
            where id ${inIds(db.dialect, sendingIds)}
              and ${db.dialect === 'sqlite' ? sql`+status` : sql`status`} = 'Pending'
            returning id`.execute(trx);
        // Those already Processing are marked served as well (one-recipient sendings never are: they were Pending). A
        // row another worker's lease holds is skipped (that lease marks it), so leases of one sending never wait on
        // each other here.
        const startedIds = new Set(started.rows.map((row) => intFrom(row.id)));
        const served = sendingIds.filter((id) => !startedIds.has(id));
        // The served sending rows this transaction holds: parked once the lease is written, unless the lease may have
        // left some of their messages due (it took as many as it could, the last sending it took from may have more).
        const held: number[] = [];
        if (served.length > 0) {
          const marked = await sql<{ id: number | string }>`
              update sendings set last_leased_at_us = ${nowUs}
              where id in (select id from sendings where id ${inIds(db.dialect, served)}
                ${skipLocked(db.dialect, 'sendings')})
              returning id`.execute(trx);
          for (const row of marked.rows) held.push(intFrom(row.id));
        }
        const sendings = await readSendings(trx, db.dialect, sendingIds);
        for (const sending of sendings.values()) {
          if (sending.status !== 'Processing') throw new LeaseRaceWithCancel();
        }
        // The message rows are locked by this transaction since they were picked: writing them after the sendings
        // waits for no lock, so LOCK_ORDER holds.
        const messages = await writeLease(trx, db.dialect, leased, sendings, route, { workerId, expiresAtUs, nowUs });
        const full = leased.length === request.limit;
        const mayHaveMore = new Set(full ? [leased[leased.length - 1]?.sendingId] : []);
        if (full && pickedFromFew) for (const message of leased) mayHaveMore.add(message.sendingId);
        await parkSendings(
          trx,
          db.dialect,
          held.filter((id) => !mayHaveMore.has(id)),
          nowUs,
        );
        return { workerId, expiresAtUs, messages, sendings };
      });
    } catch (error) {
      // Rolled back: the cancelled sending is no longer due, so the next try leases around it.
      if (error instanceof LeaseRaceWithCancel) continue;
      throw error;
    }
  }
}

/**
 * Leases, for `workerId`, messages another worker left `submitting` with an expired lease (it died or lost its
 * database mid-batch). Nothing about them changes but the lease: the provider and the attempt stay those of the
 * hand-over that may or may not have happened, which the caller now asks the provider about (recheck).
 */
export async function takeOverExpiredLeases(db: Db, request: LeaseRequest): Promise<Lease> {
  assertInt(request.limit, 'limit', 1);
  const { workerId, nowUs } = request;
  const expiresAtUs = nowUs + request.leaseUs;
  // Nearly always none has expired: one read of the lease index says so, without taking the write lock (every round).
  const { rows: expired } = await sql<{ id: number | string }>`
    select id from messages where status = 'submitting' and lease_expires_at_us <= ${nowUs} limit 1`.execute(db.kysely);
  if (expired.length === 0) return { workerId, expiresAtUs, messages: [], sendings: new Map() };
  return db.transaction(async (trx): Promise<Lease> => {
    const { rows } = await sql<MessageRow>`
        update messages
        set lease_owner = ${workerId}, lease_expires_at_us = ${expiresAtUs}, updated_at_us = ${nowUs}
        where id in (
          select q.id from messages q
          where q.status = 'submitting' and q.lease_expires_at_us <= ${nowUs}
          order by q.lease_expires_at_us
          limit ${request.limit}
          ${skipLocked(db.dialect, 'q')})
        returning ${RETURNED}`.execute(trx);
    const messages = rows.map(leasedFrom);
    if (messages.length === 0) return { workerId, expiresAtUs, messages, sendings: new Map() };
    const sendings = await readSendings(trx, db.dialect, [...new Set(messages.map((m) => m.sendingId))]);
    return { workerId, expiresAtUs, messages, sendings };
  });
}

/** A provider accepted the message: its id (null when the hand-over happened but its id is unknown). */
export interface AcceptedOutcome {
  readonly id: number;
  readonly providerMessageId: string | null;
  /** When to look at it next: ask a polling provider for its report, or (others) stop waiting for one. */
  readonly nextPollAtUs: number;
  /** Kept as the message's error text, e.g. why the hand-over could not be confirmed. */
  readonly note?: string | null;
  /** What the provider charges for it (`messageProviderCost`); absent or null: unknown, stored as null. */
  readonly providerCost?: MessageProviderCost | null;
}

export interface RetryOutcome {
  readonly id: number;
  readonly nextAttemptAtUs: number;
  readonly error: string;
}

export interface FinalOutcome {
  readonly id: number;
  /**
   * `rejected`: a provider refused it at submission; `failed`: no attempt or route got it accepted; `expired`: its
   * sending's validity ended before it was handed over (refunded as a failed one is).
   */
  readonly status: 'failed' | 'rejected' | 'expired';
  readonly error: string;
  /**
   * Parts of the message the provider took before it refused the rest for good (SMPP sends each part itself): the
   * message is then charged those parts only (`rate_minor` × parts taken, how the quote priced each part), counted as
   * accepted, and settlement refunds the other parts with their tax share. Absent: nothing was taken.
   */
  readonly partsTaken?: number;
  /** The provider's id of what it took (its first part's), so that its late receipts find the message. */
  readonly providerMessageId?: string | null;
  /** With `partsTaken`: what the provider charges for the parts it took; stored only with them. */
  readonly providerCost?: MessageProviderCost | null;
}

export interface DispatchOutcomes {
  readonly accepted?: readonly AcceptedOutcome[];
  readonly retry?: readonly RetryOutcome[];
  readonly final?: readonly FinalOutcome[];
  /** Never handed over (the worker stops, or its lease ran short before the call): queued again, attempt not counted. */
  readonly released?: readonly number[];
}

export interface OutcomesRecorded {
  readonly recorded: number;
  /** Outcomes for messages this worker no longer holds (its lease expired and another worker took them over). */
  readonly notHeld: number;
}

interface UpdatedRow {
  id: number | string;
  sending_id: number | string;
  status: string;
  error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  submitted_at_us: number | string | null;
  cost_minor: number | string;
}

function messageNow(row: UpdatedRow): MessageNow {
  return {
    sendingId: intFrom(row.sending_id),
    status: row.status,
    accepted: row.submitted_at_us !== null,
    costMinor: minorFrom(row.cost_minor),
  };
}

/**
 * The provider cost of each outcome as list columns (null where unknown), for `PROVIDER_COST_SET`; none for an empty
 * list (the statement then leaves the cost columns as they are: null, since the message was never taken before).
 */
function providerCostColumns(outcomes: readonly { readonly providerCost?: MessageProviderCost | null }[]) {
  if (outcomes.length === 0) return [];
  const cost = outcomes.map((o) => o.providerCost ?? null);
  return [
    { name: 'pc', kind: 'int8', values: cost.map((c) => c?.amountMinor ?? null) },
    { name: 'pc_currency', kind: 'text', values: cost.map((c) => c?.currency ?? null) },
    { name: 'pc_account', kind: 'int8', values: cost.map((c) => c?.accountAmountMinor ?? null) },
    { name: 'pc_from', kind: 'int8', values: cost.map((c) => c?.fromRatePpm ?? null) },
    { name: 'pc_to', kind: 'int8', values: cost.map((c) => c?.toRatePpm ?? null) },
  ] as const;
}

/** Writes the provider cost a hand-over's outcome carries, in the statement that records the outcome. */
const PROVIDER_COST_SET = sql`, provider_cost_minor = u.pc, provider_cost_currency = u.pc_currency,
            provider_cost_account_minor = u.pc_account, provider_cost_from_ppm = u.pc_from,
            provider_cost_to_ppm = u.pc_to`;

/** `update messages … from <rows> where id matches and the lease is still ours`, in each dialect's spelling. */
function updateHeld(
  dialect: DialectName,
  workerId: string,
  rows: RawBuilder<unknown>,
  set: (m: RawBuilder<unknown>) => RawBuilder<unknown>,
): RawBuilder<UpdatedRow> {
  const m = dialect === 'postgres' ? sql`m` : sql`messages`;
  // SQLite's planner would otherwise walk the status index and scan the whole list for each row it finds; the unary
  // `+` keeps the status test off the index, so it reads the list once and finds each row by its id.
  const unindexed = dialect === 'sqlite' ? sql`+` : sql``;
  return sql<UpdatedRow>`
    update messages ${dialect === 'postgres' ? sql`as m` : sql``}
    set ${set(m)}
    from ${rows}
    where ${m}.id = u.id and ${unindexed}${m}.status = 'submitting' and ${m}.lease_owner = ${workerId}
    returning ${m}.id, ${m}.sending_id, ${m}.status, ${m}.error, ${m}.provider, ${m}.provider_message_id,
      ${m}.submitted_at_us, ${m}.cost_minor`;
}

/**
 * Records what became of leased messages, in one transaction: accepted → `submitted` with the provider's id;
 * retryable refusal → `queued` again at a later time; final refusal → `rejected`/`failed`; released → `queued` with the
 * attempt not counted. Only rows this worker still holds change. Then kept reports for the new ids are applied, the
 * sendings concerned settled (the dispatch refund once none of their messages is in flight) and callbacks queued.
 */
export async function recordOutcomes(
  db: Db,
  lease: { readonly workerId: string; readonly nowUs: number },
  outcomes: DispatchOutcomes,
): Promise<OutcomesRecorded> {
  const { workerId, nowUs } = lease;
  const dialect = db.dialect;
  const accepted = outcomes.accepted ?? [];
  const retry = outcomes.retry ?? [];
  const final = outcomes.final ?? [];
  const released = outcomes.released ?? [];
  const expected = accepted.length + retry.length + final.length + released.length;
  if (expected === 0) return { recorded: 0, notHeld: 0 };
  return db.transaction(async (trx): Promise<OutcomesRecorded> => {
    const changed: UpdatedRow[] = [];
    const quality = new QualityTally();
    // The cost columns only when some outcome has a cost: a batch without (no cost list) writes none of them.
    const acceptedCosts = accepted.some((a) => a.providerCost) ? accepted : [];
    const finalCosts = final.some((f) => f.partsTaken !== undefined && f.providerCost)
      ? final.map((f) => (f.partsTaken === undefined ? {} : f))
      : [];
    if (accepted.length > 0) {
      const rows = listRelation(dialect, 'u', [
        { name: 'id', kind: 'int8', values: accepted.map((a) => a.id) },
        { name: 'pid', kind: 'text', values: accepted.map((a) => a.providerMessageId) },
        { name: 'poll_at', kind: 'int8', values: accepted.map((a) => a.nextPollAtUs) },
        { name: 'note', kind: 'text', values: accepted.map((a) => a.note ?? null) },
        ...providerCostColumns(acceptedCosts),
      ]);
      const { rows: updated } = await updateHeld(
        dialect,
        workerId,
        rows,
        () => sql`status = 'submitted', provider_message_id = u.pid, next_poll_at_us = u.poll_at, error = u.note,
            submitted_at_us = ${nowUs}, lease_owner = null, lease_expires_at_us = null, updated_at_us = ${nowUs}
            ${acceptedCosts.length > 0 ? PROVIDER_COST_SET : sql``}`,
      ).execute(trx);
      changed.push(...updated);
    }
    if (final.length > 0) {
      for (const f of final) {
        if (f.partsTaken !== undefined) assertInt(f.partsTaken, 'partsTaken', 1);
      }
      const rows = listRelation(dialect, 'u', [
        { name: 'id', kind: 'int8', values: final.map((f) => f.id) },
        { name: 'status', kind: 'text', values: final.map((f) => f.status) },
        { name: 'error', kind: 'text', values: final.map((f) => f.error) },
        { name: 'taken', kind: 'int8', values: final.map((f) => f.partsTaken ?? null) },
        { name: 'pid', kind: 'text', values: final.map((f) => f.providerMessageId ?? null) },
        ...providerCostColumns(finalCosts),
      ]);
      // Parts taken: charged for those alone, never more than the message was priced at (a part count past the
      // message's own keeps its price), and accepted now, which is what settlement and the ledger's guard count.
      const { rows: updated } = await updateHeld(
        dialect,
        workerId,
        rows,
        (m) => sql`status = u.status, error = u.error, final_at_us = ${nowUs}, lease_owner = null,
            lease_expires_at_us = null, updated_at_us = ${nowUs},
            provider_message_id = coalesce(u.pid, ${m}.provider_message_id),
            submitted_at_us = case when u.taken is null then ${m}.submitted_at_us else ${nowUs} end,
            cost_minor = case when u.taken is null or u.taken >= ${m}.parts then ${m}.cost_minor
              else ${m}.rate_minor * u.taken end
            ${finalCosts.length > 0 ? PROVIDER_COST_SET : sql``}`,
      ).execute(trx);
      changed.push(...updated);
    }
    let requeued = 0;
    // The sendings of messages queued again: parked until the retry's time, or woken (a released message is due).
    const requeuedSendings = new Set<number>();
    if (retry.length > 0) {
      const rows = listRelation(dialect, 'u', [
        { name: 'id', kind: 'int8', values: retry.map((r) => r.id) },
        { name: 'next_at', kind: 'int8', values: retry.map((r) => r.nextAttemptAtUs) },
        { name: 'error', kind: 'text', values: retry.map((r) => r.error) },
      ]);
      const { rows: updated } = await updateHeld(
        dialect,
        workerId,
        rows,
        () => sql`status = 'queued', next_attempt_at_us = u.next_at, error = u.error, lease_owner = null,
            lease_expires_at_us = null, updated_at_us = ${nowUs}`,
      ).execute(trx);
      requeued += updated.length;
      for (const row of updated) requeuedSendings.add(intFrom(row.sending_id));
    }
    if (released.length > 0) {
      const rows = listRelation(dialect, 'u', [{ name: 'id', kind: 'int8', values: released }]);
      const { rows: updated } = await updateHeld(
        dialect,
        workerId,
        rows,
        (m) => sql`status = 'queued', attempts = ${m}.attempts - 1, lease_owner = null, lease_expires_at_us = null,
            updated_at_us = ${nowUs}`,
      ).execute(trx);
      requeued += updated.length;
      for (const row of updated) requeuedSendings.add(intFrom(row.sending_id));
    }
    if (requeuedSendings.size > 0) {
      // Every sending row this transaction writes, locked first by ascending id (LOCK_ORDER; settlement below then
      // takes none it does not hold), and only then their parking read from the messages as they stand now.
      if (dialect === 'postgres') {
        const locked = [...new Set([...requeuedSendings, ...changed.map((row) => intFrom(row.sending_id))])];
        await sql`
          select id from sendings where id ${inIds(dialect, locked)} order by id for update`.execute(trx);
      }
      await parkSendings(trx, dialect, [...requeuedSendings], nowUs);
    }
    if (changed.length > 0) {
      const kept = await applyKeptReportsFor(
        trx,
        dialect,
        nowUs,
        changed.flatMap((row) =>
          row.provider !== null && row.provider_message_id !== null
            ? [{ provider: row.provider, providerMessageId: row.provider_message_id }]
            : [],
        ),
        quality,
      );
      // The rows as this transaction left them: as the outcomes wrote them, then as kept reports moved them. Their
      // sendings settled once, for the outcomes and the reports together.
      const known = new Map<number, MessageNow>(changed.map((row) => [intFrom(row.id), messageNow(row)]));
      for (const message of kept.messages) known.set(message.id, message);
      const sendings = await settleSendings(
        trx,
        dialect,
        nowUs,
        [...changed.map((row) => intFrom(row.sending_id)), ...kept.moved.map((change) => change.sendingId)],
        [...known.values()],
      );
      // The kept reports' callbacks first, then the outcomes' (each message's in the order the reports came).
      const events = callbackEvents(kept.moved, sendings);
      for (const row of changed) {
        const sendingId = intFrom(row.sending_id);
        if (!sendings.get(sendingId)?.hasCallback) continue;
        events.push({
          messageId: intFrom(row.id),
          sendingId,
          status: messageStatusFrom(row.status),
          error: row.error,
        });
      }
      await enqueueCallbacks(trx, dialect, nowUs, events);
      await quality.flush(trx, dialect);
    }
    const recorded = changed.length + requeued;
    return { recorded, notHeld: expected - recorded };
  });
}

/** An accepted message whose report is due to be asked for, or whose wait for a report may be over. */
export interface AwaitingReport {
  readonly id: number;
  /** Null when the hand-over could not be confirmed: there is nothing to ask the provider about. */
  readonly providerMessageId: string | null;
  readonly recipient: string;
  readonly submittedAtUs: number;
}

/** What the caller made of the due messages: status changes, by our id; the others are looked at again later. */
export type AwaitingVerdict = readonly StatusChange[];

/**
 * Looks at up to `limit` accepted messages of `provider` that are due (next_poll_at_us): `judge` (the worker asking
 * a polling provider, or finding that the wait for a report is over) returns status changes, which are applied;
 * the messages still `submitted` after them (said nothing of, or only a non-final word) are looked at again at
 * `nextPollAtUs(message)`. On PostgreSQL the rows stay locked (SKIP
 * LOCKED) from the read to the end, so workers never ask about one message at once, and no row is written just to
 * claim it; SQLite runs one worker, which reads, asks, then writes (its write lock is not held while asking).
 */
export async function lookAtAwaitingReports(
  db: Db,
  request: {
    readonly provider: string;
    readonly nowUs: number;
    readonly nextPollAtUs: (message: AwaitingReport) => number;
    readonly limit: number;
  },
  judge: (due: readonly AwaitingReport[]) => Promise<AwaitingVerdict>,
): Promise<number> {
  assertInt(request.limit, 'limit', 1);
  const read = (trx: Transaction<Schema>) =>
    sql<{
      id: number | string;
      provider_message_id: string | null;
      recipient: string;
      submitted_at_us: number | string | null;
    }>`
      select id, provider_message_id, recipient, submitted_at_us from messages
      where status = 'submitted' and provider = ${request.provider} and next_poll_at_us <= ${request.nowUs}
      order by next_poll_at_us
      limit ${request.limit}
      ${db.dialect === 'postgres' ? sql`for update skip locked` : sql``}`
      .execute(trx)
      .then(({ rows }) =>
        rows.map(
          (row): AwaitingReport => ({
            id: intFrom(row.id),
            providerMessageId: row.provider_message_id,
            recipient: row.recipient,
            submittedAtUs: intOrNull(row.submitted_at_us) ?? request.nowUs,
          }),
        ),
      );
  const write = async (trx: Transaction<Schema>, due: readonly AwaitingReport[], verdict: AwaitingVerdict) => {
    const quality = new QualityTally();
    const applied = await applyStatusChanges(trx, db.dialect, request.nowUs, verdict, quality);
    // Those a change ended are no longer `submitted` (and have no next poll); every other one is asked again later,
    // a non-final word included, so that no message is asked about every round.
    const rows = listRelation(db.dialect, 'u', [
      { name: 'id', kind: 'int8', values: due.map((m) => m.id) },
      { name: 'next_poll', kind: 'int8', values: due.map((m) => Math.round(request.nextPollAtUs(m))) },
    ]);
    const target = db.dialect === 'postgres' ? sql`m` : sql`messages`;
    // On SQLite the status test stays off the status index (unary `+`), which would read every message awaiting a
    // report: each row is found by its id.
    const unindexed = db.dialect === 'sqlite' ? sql`+` : sql``;
    await sql`
      update messages ${db.dialect === 'postgres' ? sql`as m` : sql``}
      set next_poll_at_us = u.next_poll
      from ${rows} where ${target}.id = u.id and ${unindexed}${target}.status = 'submitted'`.execute(trx);
    await quality.flush(trx, db.dialect);
    return applied;
  };
  if (db.dialect === 'postgres') {
    // Most rounds find none due: one read says so, without a transaction that would lock what it finds.
    const { rows: any } = await sql`
      select id from messages
      where status = 'submitted' and provider = ${request.provider} and next_poll_at_us <= ${request.nowUs}
      limit 1`.execute(db.kysely);
    if (any.length === 0) return 0;
    return db.transaction(async (trx) => {
      const due = await read(trx);
      if (due.length === 0) return 0;
      return write(trx, due, await judge(due));
    });
  }
  const due = await db.transaction((trx) => read(trx), { readOnly: true });
  if (due.length === 0) return 0;
  const verdict = await judge(due);
  return db.transaction((trx) => write(trx, due, verdict));
}

export interface QueueCounts {
  readonly byStatus: Readonly<Record<string, number>>;
  /** Messages of the sending a provider accepted, and their cost. */
  readonly accepted: number;
  readonly acceptedCostMinor: number;
}

/** How the messages of one sending stand (for the operator, the tests and the benchmark). */
export async function dispatchCounts(db: Db, sendingId: number): Promise<QueueCounts> {
  const rows = await db.kysely
    .selectFrom('messages')
    .select((eb) => [
      'status',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.count<number | string>('submitted_at_us').as('accepted'),
      acceptedCostSum().as('accepted_cost'),
    ])
    .where('sending_id', '=', sendingId)
    .groupBy('status')
    .execute();
  const byStatus: Record<string, number> = {};
  let accepted = 0;
  let acceptedCostMinor = 0;
  for (const row of rows) {
    byStatus[row.status] = intFrom(row.n);
    accepted += intFrom(row.accepted);
    acceptedCostMinor += minorFrom(row.accepted_cost);
  }
  return { byStatus, accepted, acceptedCostMinor };
}
