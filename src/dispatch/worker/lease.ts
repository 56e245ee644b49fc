// Leasing: the due messages this worker takes for a while, each with the provider the router chooses now.
import { type Lease, leaseDueMessages } from '../../store/dispatch-queue.js';
import { routedMessage } from '../router.js';
import type { WorkerContext } from './context.js';

/** Leases up to a batch of due messages (none: an empty lease), after following any change of the route table. */
export async function leaseDue(context: WorkerContext): Promise<Lease> {
  const { settings, router } = context;
  await router.refresh(context.db);
  return leaseDueMessages(
    context.db,
    { workerId: settings.workerId, nowUs: context.clockUs(), leaseUs: settings.leaseUs, limit: settings.batchSize },
    // Chosen anew each lease: providers whose circuit is open drop out of `default` routes while it stays open.
    (message, sending) => router.choose(routedMessage(message, sending), message.attempt),
  );
}
