// Cancelling a Pending sending: its status and the refund of everything it still holds reserved, in one transaction.
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { Db } from './db.js';
import { postEntry, sendingReference } from './ledger.js';
import { intFrom } from './values.js';

export type CancelResult =
  | { readonly ok: true; readonly refundedMinor: number }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_pending'; readonly status: string };

/** The refund of a cancellation is written once per sending under this settlement key. */
export const CANCEL_SETTLEMENT_KEY = 'cancel';

/**
 * Cancels sending `sendingId` if it is still Pending (scoped to `accountId` when given; the operator passes none).
 * Nothing of a Pending sending has been handed to a provider, so all that remains reserved is refunded, and its
 * messages end `cancelled`.
 */
export function cancelSending(db: Db, sendingId: number, accountId?: number): Promise<CancelResult> {
  return db.transaction(async (trx): Promise<CancelResult> => {
    const nowUs = db.nowUs();
    let update = trx
      .updateTable('sendings')
      .set({ status: 'Cancelled', updated_at_us: nowUs })
      .where('id', '=', sendingId)
      .where('status', '=', 'Pending');
    if (accountId !== undefined) update = update.where('account_id', '=', accountId);
    const cancelled = await update.returning(['account_id']).executeTakeFirst();
    if (!cancelled) {
      let find = trx.selectFrom('sendings').select('status').where('id', '=', sendingId);
      if (accountId !== undefined) find = find.where('account_id', '=', accountId);
      const found = await find.executeTakeFirst();
      return found ? { ok: false, reason: 'not_pending', status: found.status } : { ok: false, reason: 'not_found' };
    }
    const owner = intFrom(cancelled.account_id);
    // None of them was handed over (dispatch has not begun on a Pending sending): each ends here, refunded.
    await trx
      .updateTable('messages')
      .set({ status: 'cancelled', final_at_us: nowUs, updated_at_us: nowUs })
      .where('sending_id', '=', sendingId)
      .where('status', '=', 'queued')
      .execute();
    const held = await trx
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<string | number>(sql`-amount_minor`).as('held'))
      .where('sending_id', '=', sendingId)
      .where('kind', 'in', ['reservation', 'refund'])
      .executeTakeFirstOrThrow();
    const refundedMinor = minorFrom(held.held ?? 0);
    if (refundedMinor > 0) {
      const posted = await postEntry(trx, nowUs, {
        accountId: owner,
        kind: 'refund',
        amountMinor: refundedMinor,
        sendingId,
        settlementKey: CANCEL_SETTLEMENT_KEY,
        reference: sendingReference(sendingId),
        note: 'sending cancelled',
      });
      if (!posted) throw new Error(`account ${owner} vanished while cancelling sending ${sendingId}`);
    }
    return { ok: true, refundedMinor };
  });
}
