// Asking a provider what became of hand-overs whose outcome was lost (a failed call, a dead worker's lease).
import { US_PER_MS } from '../../domain/time.js';
import type { Lease, LeasedMessage } from '../../store/dispatch-queue.js';
import type { ProviderAdapter, RecheckContext, RecheckResult } from '../provider.js';
import type { WorkerContext } from './context.js';
import { errorText } from './log.js';

/** Asks the provider about references; null when it cannot be asked or the asking fails (it cannot tell). */
export async function recheck(
  context: WorkerContext,
  adapter: ProviderAdapter | undefined,
  messages: readonly LeasedMessage[],
  lease: Lease,
  handedOverAtUs?: number,
): Promise<RecheckResult[] | null> {
  if (!adapter?.recheck) return null;
  try {
    // Half the margin: a submit may have run up to the margin, and the answer must be recorded before the lease ends.
    const signal = AbortSignal.timeout(Math.max(1, context.settings.leaseMarginUs / 2 / US_PER_MS));
    const referenceOf = await context.references();
    const asked = messages.map(
      (m): RecheckContext => ({
        reference: referenceOf(m.id),
        recipient: m.recipient,
        notBeforeUs: lease.sendings.get(m.sendingId)?.createdAtUs ?? 0,
        ...(handedOverAtUs !== undefined && { handedOverAtUs }),
      }),
    );
    return [
      ...(await adapter.recheck(
        asked.map((c) => c.reference),
        signal,
        asked,
      )),
    ];
  } catch (error) {
    context.log.warn({ provider: adapter.name, err: errorText(error) }, 'recheck failed');
    return null;
  }
}
