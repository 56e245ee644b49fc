// Expiry: messages whose sending's validity ended before they were handed over, ended `expired` and refunded.
import { expireOverdueMessages } from '../../store/expiry.js';
import type { WorkerContext } from './context.js';

/**
 * Each round, before leasing: the queued messages of open sendings whose validity has ended are ended `expired`,
 * their sendings settled (the refund) and their callbacks queued. One indexed read when none is due. Returns how many.
 */
export async function expireOverdue(context: WorkerContext): Promise<number> {
  const expired = await expireOverdueMessages(context.db, context.clockUs());
  if (expired > 0) context.log.info({ expired }, 'messages past their validity ended expired');
  return expired;
}
