// Report polling: accepted messages that are due are asked of polling providers, or expired once their wait is over.
import { REPORT_POLL_BATCH_MAX } from '../../domain/limits.js';
import { US_PER_MS } from '../../domain/time.js';
import { type AwaitingReport, lookAtAwaitingReports } from '../../store/dispatch-queue.js';
import type { StatusChange } from '../../store/reports.js';
import type { ProviderAdapter } from '../provider.js';
import type { WorkerContext } from './context.js';
import { errorText } from './log.js';
import { reportWaitUsOf } from './outcome-context.js';
import type { ReferenceOf } from './references.js';

/** The error of a message that waited longer than reportWaitMaxMs for its report. */
export const NO_REPORT = 'no delivery report from the provider';

/**
 * Looks at accepted messages that are due: asks polling providers for their reports, and marks expired those that
 * waited longer than reportWaitMaxMs (whatever the provider), so that no sending stays open for ever.
 */
export async function pollReports(context: WorkerContext): Promise<number> {
  let applied = 0;
  const referenceOf = await context.references();
  for (const adapter of context.router.adapters()) {
    const nowUs = context.clockUs();
    const request = pollRequest(context, adapter, nowUs);
    applied += await lookAtAwaitingReports(context.db, request, (due) =>
      reportChanges(context, adapter, referenceOf, nowUs, due),
    );
  }
  return applied;
}

/** Which of a provider's messages are looked at now, and when each is looked at next. */
function pollRequest(context: WorkerContext, adapter: ProviderAdapter, nowUs: number) {
  const waitUs = reportWaitUsOf(context.settings, adapter);
  const repollMs = adapter.poll
    ? Math.max(context.settings.pollIntervalMs, adapter.pollIntervalMs ?? 0, 1)
    : waitUs / US_PER_MS;
  const repollUs = Math.round(repollMs * US_PER_MS);
  const repollMaxUs = adapter.poll ? Math.max(repollUs, (adapter.pollIntervalMaxMs ?? 0) * US_PER_MS) : repollUs;
  return {
    provider: adapter.name,
    nowUs,
    // Half the message's age, between the interval and its cap; never past the end of its wait, so that it
    // expires on time.
    nextPollAtUs: (message: AwaitingReport) => {
      const stepUs = Math.min(repollMaxUs, Math.max(repollUs, (nowUs - message.submittedAtUs) / 2));
      return Math.max(nowUs, Math.min(nowUs + stepUs, message.submittedAtUs + waitUs));
    },
    limit: Math.min(
      REPORT_POLL_BATCH_MAX,
      adapter.poll ? (adapter.pollBatchMax ?? REPORT_POLL_BATCH_MAX) : REPORT_POLL_BATCH_MAX,
    ),
  };
}

/** The status changes of due messages: expired past their wait, else what a polling provider reports. */
async function reportChanges(
  context: WorkerContext,
  adapter: ProviderAdapter,
  referenceOf: ReferenceOf,
  nowUs: number,
  due: readonly AwaitingReport[],
): Promise<StatusChange[]> {
  const changes: StatusChange[] = [];
  const ask = new Map<string, number>();
  const asked = [];
  for (const message of due) {
    if (message.submittedAtUs <= nowUs - reportWaitUsOf(context.settings, adapter)) {
      changes.push({ messageId: message.id, status: 'expired', error: NO_REPORT, atUs: nowUs, reportless: true });
    } else if (adapter.poll && message.providerMessageId !== null) {
      ask.set(message.providerMessageId, message.id);
      asked.push({ ...message, providerMessageId: message.providerMessageId, reference: referenceOf(message.id) });
    }
  }
  if (!adapter.poll || asked.length === 0) return changes;
  try {
    const timeoutMs = Math.max(1_000, context.settings.leaseUs / US_PER_MS);
    const reports = await adapter.poll(asked, AbortSignal.timeout(timeoutMs));
    for (const report of reports) {
      const messageId = ask.get(report.providerMessageId);
      if (messageId === undefined) continue;
      changes.push({
        messageId,
        status: report.status,
        error: report.error ?? null,
        atUs: report.reportedAtUs ?? nowUs,
        ...(report.providerStatus != null && { providerStatus: report.providerStatus }),
      });
    }
  } catch (error) {
    context.log.warn({ provider: adapter.name, err: errorText(error) }, 'report poll failed; asking again later');
  }
  return changes;
}
