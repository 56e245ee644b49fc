// Cancelling a sending: the one rule the public API, the dashboard and `smsgic sending cancel` share.
import type { Db } from '../store/db.js';
import { type CancelResult, cancelSending } from '../store/sending-cancel.js';

export type { CancelResult };

/**
 * Cancels a sending while it is still Pending and refunds all that remains reserved; its messages end `cancelled`.
 * Scoped to `accountId` for a customer (another account's sending is not found); the operator passes none.
 */
export function cancelPendingSending(db: Db, sendingId: number, accountId?: number): Promise<CancelResult> {
  return cancelSending(db, sendingId, accountId);
}
