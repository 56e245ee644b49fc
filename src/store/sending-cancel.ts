// Cancelling a Pending sending: its status and the refund of everything it still holds reserved, in one transaction.
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { Db } from './db.js';
import { postRefund } from './ledger.js';
import { intFrom } from './values.js';

export type CancelResult =
  | { readonly ok: true; readonly refundedMinor: number }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_pending'; readonly status: string };

/** The refund of a cancellation is written once per sending under this settlement key. */
export const CANCEL_SETTLEMENT_KEY = 'cancel';

/** A lease took the sending between the first look at it and its update: the transaction is rolled back. */
class LeasedMeanwhile extends Error {}

/**
 * Cancels sending `sendingId` if it is still Pending (scoped to `accountId` when given; the operator passes none).
 * Nothing of a Pending sending has been handed to a provider, so all that remains reserved is refunded, and its
 * messages end `cancelled`. Rows are locked in LOCK_ORDER (db.ts): the queued messages, then the sending, then the
 * account, the order a lease (messages, then sending) and a settlement take them in.
 */
export async function cancelSending(db: Db, sendingId: number, accountId?: number): Promise<CancelResult> {
  const find = async (q: Db['kysely']) => {
    let select = q.selectFrom('sendings').select(['status', 'account_id']).where('id', '=', sendingId);
    if (accountId !== undefined) select = select.where('account_id', '=', accountId);
    return select.executeTakeFirst();
  };
  try {
    return await db.transaction(async (trx): Promise<CancelResult> => {
      const nowUs = db.nowUs();
      const found = await find(trx);
      if (!found) return { ok: false, reason: 'not_found' };
      if (found.status !== 'Pending') return { ok: false, reason: 'not_pending', status: found.status };
      // None of them was handed over (dispatch has not begun on a Pending sending): each ends here, refunded. A lease
      // running now either holds some of them (this waits, then skips them, and the sending below is Processing) or
      // skips the ones locked here.
      await trx
        .updateTable('messages')
        .set({ status: 'cancelled', final_at_us: nowUs, updated_at_us: nowUs })
        .where('sending_id', '=', sendingId)
        .where('status', '=', 'queued')
        .execute();
      const cancelled = await trx
        .updateTable('sendings')
        .set({ status: 'Cancelled', updated_at_us: nowUs })
        .where('id', '=', sendingId)
        .where('status', '=', 'Pending')
        .returning(['account_id'])
        .executeTakeFirst();
      if (!cancelled) throw new LeasedMeanwhile();
      const owner = intFrom(cancelled.account_id);
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
      return { ok: true, refundedMinor };
    });
  } catch (error) {
    if (!(error instanceof LeasedMeanwhile)) throw error;
    const found = await find(db.kysely);
    if (!found) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'not_pending', status: found.status };
  }
}
