// What an adapter sending one request per message knows of its hand-overs: each outcome, and a batch's unknown ones.
import type { DeliveryReport, OutgoingMessage, RecheckResult, SubmitResult } from '../../provider.js';
import { eachLimited } from './concurrency.js';
import { type Exchange, failureMessage } from './transport.js';

/** One message's request: a submit result, or not knowing whether the provider took the message. */
export type Attempt = SubmitResult | { readonly unknown: string };

/** Thrown by `submit` when some message left without a usable answer; `results` has null for those. */
export class OutcomeUnknownError extends Error {
  constructor(
    provider: string,
    readonly results: readonly (SubmitResult | null)[],
    readonly unknownReferences: readonly string[],
    firstDetail: string,
  ) {
    super(`${provider}: ${unknownReferences.length} message(s) sent without a usable answer (${firstDetail})`);
  }
}

/** Puts `key` last in `map` (the newest), forgetting the oldest entries beyond `max`. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * The outcome of every reference this process handed over, for `recheck` when the provider cannot be asked about our
 * reference: a refusal means it does not hold the message. The oldest are forgotten beyond `max`.
 */
export class HandOverMemory {
  readonly #known = new Map<string, RecheckResult>();
  constructor(readonly max: number) {}
  note(reference: string, attempt: Attempt): void {
    const known: RecheckResult =
      'accepted' in attempt ? { found: attempt.accepted } : 'unknown' in attempt ? { unknown: true } : { absent: true };
    remember(this.#known, reference, known, this.max);
  }
  recheck(references: readonly string[]): RecheckResult[] {
    return references.map((reference) => this.#known.get(reference) ?? { unknown: true });
  }
}

/** A batch's results in order; throws `unknown(…)` when some attempt's outcome is not known. */
export function resultsOrThrow(
  batch: readonly OutgoingMessage[],
  attempts: readonly Attempt[],
  unknown: (results: (SubmitResult | null)[], references: string[], firstDetail: string) => Error,
): SubmitResult[] {
  const references: string[] = [];
  let firstDetail = '';
  const results = attempts.map((attempt, i) => {
    if (!('unknown' in attempt)) return attempt;
    references.push((batch[i] as OutgoingMessage).reference);
    firstDetail ||= attempt.unknown;
    return null;
  });
  if (references.length > 0) throw unknown(results, references, firstDetail);
  return results as SubmitResult[];
}

/**
 * One message's call as an attempt: unreachable is retryable, a call without an answer unknown; a refusal whose body
 * was cut short is read without its body, a success without its body has no id to keep and is unknown.
 */
export function attemptOf(
  provider: string,
  call: Exchange,
  read: (status: number, headers: Headers, text: string) => Attempt,
): Attempt {
  if ('notSent' in call) {
    return { failed: true, retryable: true, error: `${provider}: unreachable: ${failureMessage(call.notSent)}` };
  }
  if ('lost' in call) return { unknown: `${provider}: no answer: ${failureMessage(call.lost)}` };
  if ('cut' in call) {
    if (call.cut.ok) return { unknown: `${provider}: answer cut short: ${failureMessage(call.error)}` };
    return read(call.cut.status, call.cut.headers, '');
  }
  return read(call.answered.status, call.answered.headers, call.text);
}

/**
 * Sends each message of a batch by `send`, at most `concurrency` at once, noting every outcome in `memory`: the
 * results in order, or `unknown(…)` thrown when some outcome is not known.
 */
export async function submitEach(
  batch: readonly OutgoingMessage[],
  concurrency: number,
  send: (message: OutgoingMessage) => Promise<Attempt>,
  memory: HandOverMemory,
  unknown: (results: (SubmitResult | null)[], references: string[], firstDetail: string) => Error,
): Promise<SubmitResult[]> {
  const attempts = new Array<Attempt>(batch.length);
  await eachLimited(batch, concurrency, async (message, i) => {
    const attempt = await send(message);
    attempts[i] = attempt;
    memory.note(message.reference, attempt);
  });
  return resultsOrThrow(batch, attempts, unknown);
}

/**
 * Asks about each item, at most `concurrency` at once, until `signal` aborts (the rest is asked next round). Some
 * answers are worth keeping even when others failed; only a poll that learnt nothing from failed queries throws.
 */
export async function pollEach<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  ask: (item: T) => Promise<readonly DeliveryReport[]>,
  failed: (count: number, first: string) => string,
): Promise<DeliveryReport[]> {
  const reports: DeliveryReport[] = [];
  const failures: string[] = [];
  await eachLimited(items, concurrency, async (item) => {
    if (signal.aborted) return;
    try {
      reports.push(...(await ask(item)));
    } catch (error) {
      failures.push(failureMessage(error));
    }
  });
  if (reports.length === 0 && failures.length > 0) throw new Error(failed(failures.length, failures[0] as string));
  return reports;
}
