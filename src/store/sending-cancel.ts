// Cancelling a Pending sending: its status and the refund in one short transaction, then its messages ended in batches.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { Db } from './db.js';
import { inBatch } from './dispatch-sql.js';
import { postRefund } from './ledger.js';
import { assertInt, intFrom } from './values.js';

export type CancelResult =
  | { readonly ok: true; readonly refundedMinor: number; readonly accountId: number }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_pending'; readonly status: string };

/** The refund of a cancellation is written once per sending under this settlement key. */
export const CANCEL_SETTLEMENT_KEY = 'cancel';

/**
 * Messages ended per transaction after a cancel: a few milliseconds of work, so that a million-message sending never
 * holds the event loop (better-sqlite3 runs a statement synchronously) nor SQLite's one connection for long.
 */
export const CANCEL_MESSAGES_PER_BATCH = 5_000;

/** Cancelled sendings whose messages are looked for and ended per call of `finishInterruptedCancels`. */
const INTERRUPTED_CANCELS_PER_SWEEP = 10;

/**
 * Cancels sending `sendingId` if it is still Pending (scoped to `accountId` when given; the operator passes none).
 * Nothing of a Pending sending has been handed to a provider, so all that remains reserved is refunded, and its
 * messages end `cancelled`.
 *
 * The money moves once: the status and the whole refund commit together in one short transaction, after which no
 * lease takes the sending's messages (leases take only Pending and Processing sendings) and a second cancel finds it
 * not Pending. Its queued messages are then ended a batch at a time, each batch its own transaction with a turn of the
 * event loop between them; they move no money. Should the process die between batches, the worker's maintenance
 * (`finishInterruptedCancels`, also at its start) ends the rest.
 *
 * The transaction locks the sending, then the account (LOCK_ORDER, db.ts) and no message: a lease that holds some of
 * the messages finds the sending Cancelled when it updates it, and rolls back.
 */
export async function cancelSending(db: Db, sendingId: number, accountId?: number): Promise<CancelResult> {
  const cancelled = await db.transaction(
    async (
      trx,
    ): Promise<
      CancelResult | { readonly ok: true; refundedMinor: number; accountId: number; cancelledAtUs: number }
    > => {
      const nowUs = db.nowUs();
      let update = trx
        .updateTable('sendings')
        .set({ status: 'Cancelled', updated_at_us: nowUs })
        .where('id', '=', sendingId)
        .where('status', '=', 'Pending');
      if (accountId !== undefined) update = update.where('account_id', '=', accountId);
      const row = await update.returning(['account_id']).executeTakeFirst();
      if (!row) {
        let find = trx.selectFrom('sendings').select('status').where('id', '=', sendingId);
        if (accountId !== undefined) find = find.where('account_id', '=', accountId);
        const found = await find.executeTakeFirst();
        return found ? { ok: false, reason: 'not_pending', status: found.status } : { ok: false, reason: 'not_found' };
      }
      const owner = intFrom(row.account_id);
      const held = await trx
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.sum<string | number>(sql`-amount_minor`).as('held'))
        .where('sending_id', '=', sendingId)
        .where('kind', 'in', ['reservation', 'refund'])
        .executeTakeFirstOrThrow();
      const refundedMinor = minorFrom(held.held ?? 0);
      if (refundedMinor > 0) {
        const posted = await postRefund(trx, db.dialect, nowUs, {
          accountId: owner,
          amountMinor: refundedMinor,
          sendingId,
          settlementKey: CANCEL_SETTLEMENT_KEY,
          note: 'sending cancelled',
        });
        // A Pending sending has never been cancelled before, so its cancel refund cannot exist yet.
        if (!posted.ok) throw new Error(`sending ${sendingId} refunded twice on cancel: ${posted.reason}`);
      }
      return { ok: true, refundedMinor, accountId: owner, cancelledAtUs: nowUs };
    },
  );
  if (!cancelled.ok) return cancelled;
  if ('cancelledAtUs' in cancelled) await endCancelledMessages(db, sendingId, cancelled.cancelledAtUs);
  return { ok: true, refundedMinor: cancelled.refundedMinor, accountId: cancelled.accountId };
}

/**
 * Ends the queued messages of Cancelled sending `sendingId` as `cancelled` (final, at `cancelledAtUs`, the moment
 * of the cancel), CANCEL_MESSAGES_PER_BATCH per transaction, yielding to the event loop between batches. Safe to run
 * twice at once (a cancel and the maintenance sweep): a row is only ever taken from `queued`. Returns how many ended.
 */
export async function endCancelledMessages(db: Db, sendingId: number, cancelledAtUs: number): Promise<number> {
  assertInt(sendingId, 'sendingId', 1);
  assertInt(cancelledAtUs, 'cancelledAtUs', 0);
  // A sending's messages are all inserted with it, so the span of their ids is fixed by now; two index probes of
  // (sending_id, id) find it on both engines.
  // Each end its own scalar subquery: min and max together would make SQLite read the whole index range between.
  const spanRows = await sql<{ first: number | string | null; last: number | string | null }>`
    select (select min(id) from messages where sending_id = ${sendingId}) as first,
           (select max(id) from messages where sending_id = ${sendingId}) as last`.execute(db.kysely);
  const span = spanRows.rows[0];
  if (!span || span.first === null || span.last === null) return 0;
  const lastId = intFrom(span.last);
  let ended = 0;
  // Walked as consecutive id ranges of CANCEL_MESSAGES_PER_BATCH ids: a batch can never hold more rows than that,
  // whatever plan the engine picks, and never reads the rows earlier batches ended. (A walk of "the next N ids of the
  // sending" needs an ordered, limited scan; without statistics on a freshly inserted sending PostgreSQL reads and
  // sorts every remaining message of the sending for each batch, and SQLite scanned every queued message of the
  // sending through a (status, sending_id) index.)
  for (let from = intFrom(span.first); from <= lastId; from += CANCEL_MESSAGES_PER_BATCH) {
    if (from > intFrom(span.first)) await nextTurn();
    const result = await db.transaction((trx) =>
      // Only a Cancelled sending's messages: nothing else may end a queued message without handing it over.
      sql`
        update messages set status = 'cancelled', final_at_us = ${cancelledAtUs}, updated_at_us = ${cancelledAtUs}
        where sending_id = ${sendingId} and id >= ${from} and id < ${from + CANCEL_MESSAGES_PER_BATCH}
          and status = 'queued'
          and exists (select 1 from sendings s where s.id = ${sendingId} and s.status = 'Cancelled')`.execute(trx),
    );
    ended += Number(result.numAffectedRows ?? 0);
  }
  return ended;
}

/**
 * Finishes cancels the process did not live to finish: Cancelled sendings that still have queued messages (their
 * refund committed with the status) get those messages ended. Returns how many messages it ended.
 */
export async function finishInterruptedCancels(db: Db): Promise<number> {
  // The sendings that still have queued messages, found by a skip scan of the queued messages' index: one probe
  // for the next sending id past the last, so the walk costs one probe per sending with work left, however many
  // sendings were ever cancelled. (A read of the Cancelled sendings, each tested for queued messages, grew with every
  // cancel the platform ever made.) Each one found is then looked up by its id (`inBatch`; on SQLite a unary `+` keeps
  // the status test off the status index), never joined against every Cancelled sending.
  const { rows: unfinished } = await sql<{ id: number | string; updated_at_us: number | string }>`
    with recursive open_sendings(sending_id) as (
      select cast(0 as bigint)
      union all
      select (select min(m.sending_id) from messages m where m.status = 'queued' and m.sending_id > o.sending_id)
      from open_sendings o where o.sending_id is not null)
    select s.id, s.updated_at_us from sendings s
    where s.id ${inBatch(db.dialect, sql`select sending_id from open_sendings where sending_id is not null`)}
      and ${db.dialect === 'sqlite' ? sql`+` : sql``}s.status = 'Cancelled'
    order by s.id
    limit ${INTERRUPTED_CANCELS_PER_SWEEP}`.execute(db.kysely);
  let ended = 0;
  for (const row of unfinished) {
    ended += await endCancelledMessages(db, intFrom(row.id), intFrom(row.updated_at_us));
  }
  return ended;
}
