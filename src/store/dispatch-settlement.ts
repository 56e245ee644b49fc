// Settling a sending after dispatch: the one refund of what no provider accepted, and the sending's derived status.
import { sql, type Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import { dispatchRefundMinor, IN_FLIGHT_MESSAGE_STATUSES, sendingStatusOf } from '../domain/status.js';
import type { DialectName } from './db.js';
import { acceptedCostSum, inIds } from './dispatch-sql.js';
import { postRefund, type Refund } from './ledger.js';
import type { Schema } from './schema.js';
import { intFrom } from './values.js';

/**
 * Sendings of at most this many messages are counted in one statement with the others of the call; a larger one's
 * messages are looked at with reads that stop at the first row found, so that settling never reads a million rows.
 */
const COUNTED_MAX = 1_000;

/** The dispatch refund of a sending is written once under this settlement key (the ledger's unique index holds it). */
export const DISPATCH_SETTLEMENT_KEY = 'dispatch';

/** The columns of a sending row its dispatch refund is worked out from. */
interface RefundedSending {
  readonly id: number | string;
  readonly account_id: number | string;
  readonly subtotal_minor: number | string;
  readonly tax_minor: number | string;
}

/**
 * Adds to `refunds` the dispatch refund of a sending that has no message in flight: what was reserved less what its
 * `accepted` messages cost (a message some of whose parts were taken counts for those parts only, recordOutcomes).
 * Returns the amount, 0 when nothing is left to give back (and nothing is added).
 */
function dispatchRefund(
  refunds: Refund[],
  sending: RefundedSending,
  accepted: number,
  acceptedCostMinor: number,
): number {
  const amountMinor = dispatchRefundMinor({
    subtotalMinor: minorFrom(sending.subtotal_minor),
    taxMinor: minorFrom(sending.tax_minor),
    acceptedCostMinor,
  });
  if (amountMinor > 0) {
    refunds.push({
      accountId: intFrom(sending.account_id),
      amountMinor,
      sendingId: intFrom(sending.id),
      settlementKey: DISPATCH_SETTLEMENT_KEY,
      note: accepted === 0 ? 'no message was accepted by a provider' : 'messages no provider accepted',
    });
  }
  return amountMinor;
}

/** A message as the caller's transaction left it (its row locked): what settling its sending counts. */
export interface MessageNow {
  readonly sendingId: number;
  readonly status: string;
  /** Taken by a provider (submitted_at_us set). */
  readonly accepted: boolean;
  readonly costMinor: number;
}

interface MessageCounts {
  readonly inFlight: number;
  readonly accepted: number;
  readonly acceptedCost: number;
  readonly awaiting: number;
}

/** The counts of a sending's messages, from `messages` when they are every one of its `recipients` messages. */
function countedFrom(messages: readonly MessageNow[] | undefined, recipients: number): MessageCounts | undefined {
  if (messages === undefined || messages.length !== recipients) return undefined;
  let inFlight = 0;
  let accepted = 0;
  let acceptedCost = 0;
  let awaiting = 0;
  for (const m of messages) {
    if ((IN_FLIGHT_MESSAGE_STATUSES as readonly string[]).includes(m.status)) inFlight++;
    if (m.accepted) {
      accepted++;
      acceptedCost += m.costMinor;
    }
    if (m.status === 'submitted') awaiting++;
  }
  return { inFlight, accepted, acceptedCost, awaiting };
}

export interface SettledSending {
  readonly id: number;
  readonly status: string;
  /** Whether the customer asked for status callbacks. */
  readonly hasCallback: boolean;
  /** What this call refunded (0 when nothing, or when it was settled before). */
  readonly refundedMinor: number;
}

async function exists(trx: Transaction<Schema>, sendingId: number, statuses: readonly string[]): Promise<boolean> {
  const row = await trx
    .selectFrom('messages')
    .select('id')
    .where('sending_id', '=', sendingId)
    .where('status', 'in', statuses)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Brings each sending up to date with its messages, inside the caller's transaction (which has just recorded message
 * outcomes or reports). Once none of its messages is queued or being handed over, the sending is settled: one refund
 * of everything no provider accepted (key `dispatch`), then Failed if none was accepted. Completed once every
 * message is final. The sending rows are locked first (PostgreSQL), so when two workers record a sending's last
 * outcomes at once the second waits, then sees the first's commit and the settlement mark: never two refunds. The
 * refunds go through `postRefund`, after every sending row is locked, in ascending account order.
 *
 * `known`: messages the caller's transaction holds locked, as it left them. A sending all of whose messages are among
 * them (a one-recipient sending's one message, most often) is settled from them without reading its messages again.
 */
export async function settleSendings(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  sendingIds: Iterable<number>,
  known: readonly MessageNow[] = [],
): Promise<Map<number, SettledSending>> {
  const settled = new Map<number, SettledSending>();
  // Every sending row first, by ascending id, and only then the account rows the refunds move (LOCK_ORDER in db.ts):
  // a refund written between two sending locks would hold an account row while waiting for a sending row that a
  // cancel or another settlement holds while it waits for that account.
  const ids = [...new Set(sendingIds)].sort((a, b) => a - b);
  // One statement for all of them (FOR UPDATE takes the rows in the order they come out: ascending id).
  let select = trx
    .selectFrom('sendings')
    .select([
      'id',
      'account_id',
      'status',
      'subtotal_minor',
      'tax_minor',
      'total_minor',
      'callback_url',
      'dispatch_settled_at_us',
      'recipients_count',
    ])
    .where(sql<boolean>`id ${inIds(dialect, ids)}`)
    .orderBy('id');
  if (dialect === 'postgres') select = select.forUpdate();
  const rows = ids.length === 0 ? [] : await select.execute();
  if (rows.length !== ids.length) throw new Error('a sending vanished during dispatch');
  const knownOf = new Map<number, MessageNow[]>();
  for (const message of known) {
    const list = knownOf.get(message.sendingId);
    if (list) list.push(message);
    else knownOf.set(message.sendingId, [message]);
  }
  // Small sendings' messages counted from what the caller holds when that is all of them, the others in one statement
  // (a large one's are looked at with the bounded reads below).
  const counted = new Map<number, MessageCounts>();
  const small: number[] = [];
  for (const r of rows) {
    if (!(r.status === 'Pending' || r.status === 'Processing') || intFrom(r.recipients_count) > COUNTED_MAX) continue;
    const id = intFrom(r.id);
    const fromKnown = countedFrom(knownOf.get(id), intFrom(r.recipients_count));
    if (fromKnown) counted.set(id, fromKnown);
    else small.push(id);
  }
  if (small.length > 0) {
    const inFlight = sql.join(IN_FLIGHT_MESSAGE_STATUSES.map((status) => sql`${status}`));
    const { rows: counts } = await sql<{
      sending_id: number | string;
      in_flight: number | string;
      accepted: number | string;
      accepted_cost: number | string;
      awaiting: number | string;
    }>`
      select sending_id,
             coalesce(sum(case when status in (${inFlight}) then 1 else 0 end), 0) as in_flight,
             count(submitted_at_us) as accepted,
             ${acceptedCostSum()} as accepted_cost,
             coalesce(sum(case when status = 'submitted' then 1 else 0 end), 0) as awaiting
      from messages where sending_id ${inIds(dialect, small)}
      group by sending_id`.execute(trx);
    for (const c of counts) {
      counted.set(intFrom(c.sending_id), {
        inFlight: intFrom(c.in_flight),
        accepted: intFrom(c.accepted),
        acceptedCost: minorFrom(c.accepted_cost),
        awaiting: intFrom(c.awaiting),
      });
    }
  }
  const statusUpdates = new Map<string, { settle: number[]; complete: number[] }>();
  const update = (status: string) => {
    let lists = statusUpdates.get(status);
    if (!lists) {
      lists = { settle: [], complete: [] };
      statusUpdates.set(status, lists);
    }
    return lists;
  };
  const refunds: Refund[] = [];
  for (const sending of rows) {
    const sendingId = intFrom(sending.id);
    const hasCallback = sending.callback_url !== null;
    const open = sending.status === 'Pending' || sending.status === 'Processing';
    if (!open) {
      settled.set(sendingId, { id: sendingId, status: sending.status, hasCallback, refundedMinor: 0 });
      continue;
    }
    let status = sending.status;
    let refundedMinor = 0;
    const count = counted.get(sendingId);
    if (count !== undefined) {
      // The same decisions as below, from the counts; the status written together with the others'.
      if (sending.dispatch_settled_at_us === null) {
        if (count.inFlight > 0) {
          settled.set(sendingId, { id: sendingId, status, hasCallback, refundedMinor });
          continue;
        }
        refundedMinor = dispatchRefund(refunds, sending, count.accepted, count.acceptedCost);
        status = sendingStatusOf({ inFlight: false, awaitingReports: count.awaiting > 0, accepted: count.accepted });
        update(status).settle.push(sendingId);
      } else if (count.awaiting === 0) {
        status = sendingStatusOf({ inFlight: false, awaitingReports: false, accepted: 1 });
        update(status).complete.push(sendingId);
      }
      settled.set(sendingId, { id: sendingId, status, hasCallback, refundedMinor });
      continue;
    }
    if (sending.dispatch_settled_at_us === null) {
      if (await exists(trx, sendingId, IN_FLIGHT_MESSAGE_STATUSES)) {
        settled.set(sendingId, { id: sendingId, status, hasCallback, refundedMinor });
        continue;
      }
      const totals = await trx
        .selectFrom('messages')
        .select((eb) => [
          eb.fn.count<number | string>('submitted_at_us').as('accepted'),
          acceptedCostSum().as('accepted_cost'),
          eb.fn
            .coalesce(eb.fn.sum<number | string>(sql`case when status = 'submitted' then 1 else 0 end`), sql<number>`0`)
            .as('awaiting'),
        ])
        .where('sending_id', '=', sendingId)
        .executeTakeFirstOrThrow();
      const accepted = intFrom(totals.accepted);
      refundedMinor = dispatchRefund(refunds, sending, accepted, minorFrom(totals.accepted_cost));
      status = sendingStatusOf({ inFlight: false, awaitingReports: intFrom(totals.awaiting) > 0, accepted });
      await trx
        .updateTable('sendings')
        .set({ status, dispatch_settled_at_us: nowUs, updated_at_us: nowUs })
        .where('id', '=', sendingId)
        .execute();
    } else if (!(await exists(trx, sendingId, ['submitted']))) {
      // Settled earlier with some message accepted (else it would be Failed already): complete once all are final.
      status = sendingStatusOf({ inFlight: false, awaitingReports: false, accepted: 1 });
      await trx.updateTable('sendings').set({ status, updated_at_us: nowUs }).where('id', '=', sendingId).execute();
    }
    settled.set(sendingId, { id: sendingId, status, hasCallback, refundedMinor });
  }
  for (const [status, { settle, complete }] of statusUpdates) {
    if (settle.length > 0) {
      await trx
        .updateTable('sendings')
        .set({ status, dispatch_settled_at_us: nowUs, updated_at_us: nowUs })
        .where(sql<boolean>`id ${inIds(dialect, settle)}`)
        .execute();
    }
    if (complete.length > 0) {
      await trx
        .updateTable('sendings')
        .set({ status, updated_at_us: nowUs })
        .where(sql<boolean>`id ${inIds(dialect, complete)}`)
        .execute();
    }
  }
  refunds.sort((a, b) => a.accountId - b.accountId || a.sendingId - b.sendingId);
  for (const refund of refunds) {
    const posted = await postRefund(trx, dialect, nowUs, refund);
    // The settlement mark was unset under the sending's lock, so its dispatch refund cannot have been written yet.
    if (!posted.ok) throw new Error(`sending ${refund.sendingId} refunded twice at settlement: ${posted.reason}`);
  }
  return settled;
}
