// What sorting a provider's answers needs to know: the time, the retry policy, failover and when reports are due.
import { US_PER_MS } from '../../domain/time.js';
import type { Lease } from '../../store/dispatch-queue.js';
import type { OutcomeContext } from '../outcomes.js';
import type { ProviderAdapter } from '../provider.js';
import { routedMessage } from '../router.js';
import type { WorkerContext } from './context.js';
import type { WorkerSettings } from './settings.js';

/** How long a message of this provider waits for its report. */
export function reportWaitUsOf(settings: WorkerSettings, adapter: ProviderAdapter | undefined): number {
  const ms = adapter?.reportWaitMaxMs;
  return ms !== undefined && ms > 0 ? Math.min(ms * US_PER_MS, settings.reportWaitUs) : settings.reportWaitUs;
}

export function outcomeContext(
  context: WorkerContext,
  adapter: ProviderAdapter | undefined,
  lease: Lease,
): OutcomeContext {
  const nowUs = context.clockUs();
  const reportWaitUs = reportWaitUsOf(context.settings, adapter);
  return {
    nowUs,
    policy: context.settings.retry,
    providerFor: (message, attempt) => {
      const sending = lease.sendings.get(message.sendingId);
      if (!sending) return null;
      return context.router.providerFor(routedMessage(message, sending), attempt);
    },
    nextPollAtUs: adapter?.poll ? nowUs + Math.round((adapter.pollIntervalMs ?? 0) * US_PER_MS) : nowUs + reportWaitUs,
    reportWaitEndsAtUs: nowUs + reportWaitUs,
  };
}
