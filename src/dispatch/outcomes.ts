// From a provider's answers to what the queue records: accepted, retry later (or elsewhere), refused, unconfirmed.
import { US_PER_MS } from '../domain/time.js';
import type {
  AcceptedOutcome,
  DispatchOutcomes,
  FinalOutcome,
  LeasedMessage,
  RetryOutcome,
} from '../store/dispatch-queue.js';
import { isAccepted, type RecheckResult, type SubmitResult } from './provider.js';

/** The note on a message charged as handed over although no provider could confirm it (never sent twice). */
export const HAND_OVER_UNCONFIRMED = 'hand-over unconfirmed';

export interface RetryPolicy {
  /** Attempts over all routes before a message fails for good. */
  readonly attemptsMax: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** Delay before attempt `attempt + 1` on the same provider: base × 2^(attempt−1), at least what the provider asked. */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const exponential = policy.backoffBaseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.backoffCapMs, Math.max(exponential, retryAfterMs ?? 0));
}

export interface OutcomeContext {
  readonly nowUs: number;
  readonly policy: RetryPolicy;
  /** The provider of a later attempt of this message (failover), to tell a retry elsewhere from a retry here. */
  readonly providerFor: (message: LeasedMessage, attempt: number) => string | null;
  /** When an accepted message is first looked at: its report asked of a polling provider, else the end of its wait. */
  readonly nextPollAtUs: number;
  /** When a message whose hand-over could not be confirmed stops waiting for a report (it is then expired). */
  readonly reportWaitEndsAtUs: number;
}

export interface OutcomeLists {
  accepted: AcceptedOutcome[];
  retry: RetryOutcome[];
  final: FinalOutcome[];
  released: number[];
}

export function emptyOutcomes(): OutcomeLists {
  return { accepted: [], retry: [], final: [], released: [] };
}

export function hasOutcomes(o: DispatchOutcomes): boolean {
  return (o.accepted?.length ?? 0) + (o.retry?.length ?? 0) + (o.final?.length ?? 0) + (o.released?.length ?? 0) > 0;
}

/** A refusal after which trying again may help: later on the same provider, at once on the next one of the route. */
export function retryOrFail(
  message: LeasedMessage,
  error: string,
  context: OutcomeContext,
  into: OutcomeLists,
  retryAfterMs?: number,
): void {
  if (message.attempt >= context.policy.attemptsMax) {
    into.final.push({ id: message.id, status: 'failed', error: `${error} (after ${message.attempt} attempts)` });
    return;
  }
  const next = context.providerFor(message, message.attempt + 1);
  const failover = next !== null && next !== message.provider;
  const delayMs = failover ? 0 : backoffMs(message.attempt, context.policy, retryAfterMs);
  into.retry.push({ id: message.id, nextAttemptAtUs: context.nowUs + Math.round(delayMs * US_PER_MS), error });
}

/**
 * A message the provider took only some parts of before refusing the rest for good: final `rejected` with the
 * provider's error (the recipient never gets the whole text), charged for the parts taken.
 */
function partlyTaken(
  message: LeasedMessage,
  error: string,
  partsTaken: number,
  providerMessageId: string | null,
): FinalOutcome {
  return { id: message.id, status: 'rejected', error, partsTaken, providerMessageId };
}

/** Sorts a submit's results (one per message, in order) into the lists the queue records. */
export function sortSubmitResults(
  messages: readonly LeasedMessage[],
  results: readonly SubmitResult[],
  context: OutcomeContext,
  into: OutcomeLists,
): void {
  if (results.length !== messages.length) {
    throw new Error(`provider answered ${results.length} results for ${messages.length} messages`);
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as LeasedMessage;
    const result = results[i] as SubmitResult;
    if (isAccepted(result)) {
      into.accepted.push({ id: message.id, providerMessageId: result.accepted, nextPollAtUs: context.nextPollAtUs });
    } else if (result.partsTaken !== undefined && result.partsTaken > 0) {
      // Some parts are at the provider: final whatever `retryable` says, charged for those parts (the store's rule).
      into.final.push(partlyTaken(message, result.error, result.partsTaken, result.providerMessageId ?? null));
    } else if (result.retryable) {
      retryOrFail(message, result.error, context, into, result.retryAfterMs);
    } else {
      into.final.push({ id: message.id, status: 'rejected', error: result.error });
    }
  }
}

/**
 * Sorts what a provider said of hand-overs whose outcome was lost. Found: accepted with its id. Absent: `onAbsent`
 * (released after a crash: the attempt never happened; retried after a failed call). Cannot tell: charged as accepted
 * without an id, noted, and never handed over again.
 */
export function sortRecheckResults(
  messages: readonly LeasedMessage[],
  results: readonly RecheckResult[] | null,
  context: OutcomeContext,
  into: OutcomeLists,
  onAbsent: 'release' | 'retry',
): void {
  if (results !== null && results.length !== messages.length) {
    throw new Error(`provider rechecked ${results.length} references for ${messages.length} messages`);
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as LeasedMessage;
    const result = results?.[i] ?? { unknown: true };
    if ('notYet' in result) {
      // Nothing recorded: the lease runs out and the take-over asks again, later, before anything is sent again.
      continue;
    }
    if ('found' in result && result.partsTaken !== undefined && result.partsTaken > 0) {
      const error = result.error ?? `the provider took ${result.partsTaken} of ${message.parts} parts`;
      into.final.push(partlyTaken(message, error, result.partsTaken, result.found));
    } else if ('found' in result) {
      into.accepted.push({ id: message.id, providerMessageId: result.found, nextPollAtUs: context.nextPollAtUs });
    } else if ('absent' in result) {
      if (onAbsent === 'release') into.released.push(message.id);
      else retryOrFail(message, 'the provider did not take the message', context, into);
    } else {
      into.accepted.push({
        id: message.id,
        providerMessageId: null,
        nextPollAtUs: context.reportWaitEndsAtUs,
        note: HAND_OVER_UNCONFIRMED,
      });
    }
  }
}
