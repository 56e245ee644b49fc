// Take-over: the expired leases of dead workers, each hand-over settled by asking its provider what it took.
import { type LeasedMessage, takeOverExpiredLeases } from '../../store/dispatch-queue.js';
import { emptyOutcomes, HAND_OVER_UNCONFIRMED, type OutcomeLists, sortRecheckResults } from '../outcomes.js';
import type { WorkerContext } from './context.js';
import { outcomeContext } from './outcome-context.js';
import { recheck } from './recheck.js';
import { settle } from './settle.js';

/** Takes over expired leases of other (dead) workers and settles each hand-over by asking its provider. */
export async function takeOver(context: WorkerContext): Promise<number> {
  const { settings } = context;
  const lease = await takeOverExpiredLeases(context.db, {
    workerId: settings.workerId,
    nowUs: context.clockUs(),
    leaseUs: settings.leaseUs,
    limit: settings.batchSize,
  });
  if (lease.messages.length === 0) return 0;
  const outcomes: OutcomeLists = emptyOutcomes();
  const byProvider = new Map<string | null, LeasedMessage[]>();
  for (const message of lease.messages) {
    const group = byProvider.get(message.provider) ?? [];
    group.push(message);
    byProvider.set(message.provider, group);
  }
  for (const [provider, messages] of byProvider) {
    if (provider === null) {
      // Leased without a route: never handed to anyone.
      outcomes.released.push(...messages.map((m) => m.id));
      continue;
    }
    const adapter = context.router.adapter(provider);
    const results = await recheck(context, adapter, messages, lease);
    sortRecheckResults(messages, results, outcomeContext(context, adapter, lease), outcomes, 'release');
  }
  context.log.info(
    {
      messages: lease.messages.length,
      found: outcomes.accepted.filter((a) => a.providerMessageId !== null).length,
      requeued: outcomes.released.length,
      unconfirmed: outcomes.accepted.filter((a) => a.note === HAND_OVER_UNCONFIRMED).length,
    },
    'took over expired leases',
  );
  await settle(context, outcomes, lease);
  return lease.messages.length;
}
