// Settlement: a batch's outcomes recorded in the queue, tried again on a database error.
import { messageProviderCost, needsConversion } from '../../domain/margins.js';
import { type DispatchOutcomes, type Lease, recordOutcomes } from '../../store/dispatch-queue.js';
import { hasOutcomes } from '../outcomes.js';
import { realSleep } from '../throttle.js';
import type { WorkerContext } from './context.js';
import { errorText } from './log.js';

/** Tries at recording a batch's outcomes before its leases are left to expire (another worker then rechecks). */
const RECORD_TRIES_MAX = 3;

/**
 * Records outcomes, trying again on a database error; gives up (leases then expire and are rechecked) after a few.
 * With the lease the messages came from, each message a provider took is recorded with its provider cost.
 */
export async function settle(context: WorkerContext, outcomes: DispatchOutcomes, lease?: Lease): Promise<void> {
  if (!hasOutcomes(outcomes)) return;
  const { db, settings, log } = context;
  if (lease) outcomes = await withProviderCosts(context, lease, outcomes);
  for (let attempt = 1; ; attempt++) {
    try {
      const recorded = await recordOutcomes(db, { workerId: settings.workerId, nowUs: context.clockUs() }, outcomes);
      if (recorded.notHeld > 0) {
        log.warn({ notHeld: recorded.notHeld }, 'outcomes for messages whose lease had expired were not recorded');
      }
      return;
    } catch (error) {
      if (attempt >= RECORD_TRIES_MAX) {
        log.error({ err: errorText(error) }, 'could not record outcomes; the leases will expire and be rechecked');
        return;
      }
      await realSleep(50 * attempt);
    }
  }
}

/** The outcomes with what each message a provider took costs at it (`costBook`, converted at `conversionRates`). */
async function withProviderCosts(
  context: WorkerContext,
  lease: Lease,
  outcomes: DispatchOutcomes,
): Promise<DispatchOutcomes> {
  const accepted = outcomes.accepted ?? [];
  const final = outcomes.final ?? [];
  if (accepted.length === 0 && final.every((f) => f.partsTaken === undefined)) return outcomes;
  const book = context.costBook();
  const messages = new Map(lease.messages.map((m) => [m.id, m]));
  const currencyOf = (id: number) => lease.sendings.get(messages.get(id)?.sendingId ?? 0)?.currency ?? null;
  const converts = [...accepted, ...final].some((o) => {
    const message = messages.get(o.id);
    const currency = currencyOf(o.id);
    if (!message || message.provider === null || currency === null) return false;
    return needsConversion(book, message.provider, message.mcc, message.mnc, currency);
  });
  let rates: ReadonlyMap<string, number> = new Map();
  if (converts) {
    try {
      rates = await context.conversionRates();
    } catch (error) {
      context.log.warn({ err: errorText(error) }, 'conversion rates unreadable; provider costs kept unconverted');
    }
  }
  const costOf = (id: number, partsTaken?: number) => {
    const message = messages.get(id);
    const currency = currencyOf(id);
    if (!message || message.provider === null || currency === null) return null;
    const parts = partsTaken === undefined ? message.parts : Math.min(partsTaken, message.parts);
    return messageProviderCost(
      book,
      { ...message, provider: message.provider, parts },
      currency,
      (code) => rates.get(code) ?? null,
    );
  };
  return {
    ...outcomes,
    accepted: accepted.map((a) => ({ ...a, providerCost: costOf(a.id) })),
    final: final.map((f) => (f.partsTaken === undefined ? f : { ...f, providerCost: costOf(f.id, f.partsTaken) })),
  };
}
