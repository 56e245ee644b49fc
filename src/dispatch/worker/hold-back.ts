// Messages a provider's circuit did not let through: released to another provider, or held back as a retry.
import { US_PER_MS } from '../../domain/time.js';
import type { Lease, LeasedMessage } from '../../store/dispatch-queue.js';
import { backoffMs, type OutcomeLists } from '../outcomes.js';
import { routedMessage } from '../router.js';
import type { WorkerContext } from './context.js';

/**
 * Messages a circuit did not let through: never handed over, so nothing can be sent twice. A `default` message whose
 * route now has another provider up is released (attempt not counted) and the next lease records that provider;
 * one of a named type, or of a route whose every provider is open, waits until the circuit may let it through (at
 * least the usual backoff), as a retry: a provider that stays down thus fails its messages after attemptsMax waits.
 */
export function holdBack(
  context: WorkerContext,
  lease: Lease,
  provider: string,
  held: readonly LeasedMessage[],
  into: OutcomeLists,
): void {
  const { router } = context;
  const retry = context.settings.retry;
  const circuits = router.circuits;
  const nowUs = context.clockUs();
  const untilUs = circuits.heldUntilUs(provider);
  const error = `${provider}: not sent, its circuit is ${circuits.state(provider)}`;
  for (const m of held) {
    const sending = lease.sendings.get(m.sendingId);
    const now = sending ? router.providerFor(routedMessage(m, sending), m.attempt) : m.provider;
    if (now !== null && now !== m.provider) {
      into.released.push(m.id);
    } else if (m.attempt >= retry.attemptsMax) {
      into.final.push({ id: m.id, status: 'failed', error: `${error} (after ${m.attempt} attempts)` });
    } else {
      const backoffUs = Math.round(backoffMs(m.attempt, retry) * US_PER_MS);
      into.retry.push({ id: m.id, nextAttemptAtUs: Math.max(untilUs, nowUs + backoffUs), error });
    }
  }
}
