// Settling a sending after dispatch: the one refund of what no provider accepted, and the sending's derived status.
import { sql, type Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import { dispatchRefundMinor, IN_FLIGHT_MESSAGE_STATUSES, sendingStatusOf } from '../domain/status.js';
import type { DialectName } from './db.js';
import { postRefund, type Refund } from './ledger.js';
import type { Schema } from './schema.js';
import { intFrom } from './values.js';

/** The dispatch refund of a sending is written once under this settlement key (the ledger's unique index holds it). */
export const DISPATCH_SETTLEMENT_KEY = 'dispatch';

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
 */
export async function settleSendings(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  sendingIds: Iterable<number>,
): Promise<Map<number, SettledSending>> {
  const settled = new Map<number, SettledSending>();
  // Every sending row first, by ascending id, and only then the account rows the refunds move (LOCK_ORDER in db.ts):
  // a refund written between two sending locks would hold an account row while waiting for a sending row that a
  // cancel or another settlement holds while it waits for that account.
  const ids = [...new Set(sendingIds)].sort((a, b) => a - b);
  const rows = [];
  for (const sendingId of ids) {
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
      ])
      .where('id', '=', sendingId);
    if (dialect === 'postgres') select = select.forUpdate();
    const sending = await select.executeTakeFirst();
    if (!sending) throw new Error(`sending ${sendingId} vanished during dispatch`);
    rows.push(sending);
  }
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
    if (sending.dispatch_settled_at_us === null) {
      if (await exists(trx, sendingId, IN_FLIGHT_MESSAGE_STATUSES)) {
        settled.set(sendingId, { id: sendingId, status, hasCallback, refundedMinor });
        continue;
      }
      const totals = await trx
        .selectFrom('messages')
        .select((eb) => [
          eb.fn.count<number | string>('submitted_at_us').as('accepted'),
          eb.fn
            .coalesce(
              eb.fn.sum<number | string>(sql`case when submitted_at_us is not null then cost_minor else 0 end`),
              sql<number>`0`,
            )
            .as('accepted_cost'),
          eb.fn
            .coalesce(eb.fn.sum<number | string>(sql`case when status = 'submitted' then 1 else 0 end`), sql<number>`0`)
            .as('awaiting'),
        ])
        .where('sending_id', '=', sendingId)
        .executeTakeFirstOrThrow();
      const accepted = intFrom(totals.accepted);
      refundedMinor = dispatchRefundMinor({
        subtotalMinor: minorFrom(sending.subtotal_minor),
        taxMinor: minorFrom(sending.tax_minor),
        acceptedCostMinor: minorFrom(totals.accepted_cost),
      });
      if (refundedMinor > 0) {
        refunds.push({
          accountId: intFrom(sending.account_id),
          amountMinor: refundedMinor,
          sendingId,
          settlementKey: DISPATCH_SETTLEMENT_KEY,
          // A message some of whose parts were taken is in `accepted_cost` for those parts only (recordOutcomes).
          note: accepted === 0 ? 'no message was accepted by a provider' : 'messages no provider accepted',
        });
      }
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
  refunds.sort((a, b) => a.accountId - b.accountId || a.sendingId - b.sendingId);
  for (const refund of refunds) {
    const posted = await postRefund(trx, dialect, nowUs, refund);
    // The settlement mark was unset under the sending's lock, so its dispatch refund cannot have been written yet.
    if (!posted.ok) throw new Error(`sending ${refund.sendingId} refunded twice at settlement: ${posted.reason}`);
  }
  return settled;
}
