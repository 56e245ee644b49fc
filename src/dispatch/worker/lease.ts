// Leasing: the due messages this worker takes for a while, each with the provider its route names now.
import { type Lease, leaseDueMessages } from '../../store/dispatch-queue.js';
import type { WorkerContext } from './context.js';

/** Leases up to a batch of due messages (none: an empty lease). */
export async function leaseDue(context: WorkerContext): Promise<Lease> {
  const { settings } = context;
  return leaseDueMessages(
    context.db,
    { workerId: settings.workerId, nowUs: context.clockUs(), leaseUs: settings.leaseUs, limit: settings.batchSize },
    // Planned anew each time: providers whose circuit is open drop out of `default` routes while it stays open.
    context.router.plan(),
  );
}
