// Hand-over: a lease's messages given to their providers, in chunks each provider and its throttle allow.
import { splitParts } from '../../domain/gsm.js';
import { windowTexts } from '../../domain/texts.js';
import { US_PER_MS, US_PER_SECOND } from '../../domain/time.js';
import type { Lease, LeasedMessage } from '../../store/dispatch-queue.js';
import { emptyOutcomes, type OutcomeLists, sortRecheckResults, sortSubmitResults } from '../outcomes.js';
import { isAccepted, type OutgoingMessage, type ProviderAdapter } from '../provider.js';
import type { CircuitPass } from '../provider-health.js';
import { ProviderThrottle } from '../throttle.js';
import { chunked } from './chunks.js';
import type { WorkerContext } from './context.js';
import { holdBack } from './hold-back.js';
import { errorText } from './log.js';
import { outcomeContext } from './outcome-context.js';
import { recheck } from './recheck.js';
import type { ReferenceOf } from './references.js';
import { settle } from './settle.js';

type Parts = ReturnType<typeof splitParts>;

/** One chunk on its way to a provider, once the throttle and the circuit have let it go. */
interface Call {
  readonly lease: Lease;
  readonly adapter: ProviderAdapter;
  readonly pass: CircuitPass;
  readonly chunk: readonly LeasedMessage[];
  readonly batch: readonly OutgoingMessage[];
  readonly startUs: number;
}

/** Returns the hand-over of a lease; each provider's throttle lives as long as it. */
export function createHandOver(context: WorkerContext): (lease: Lease) => Promise<void> {
  const throttles = new Map<string, ProviderThrottle>();
  const throttleOf = (provider: string): ProviderThrottle => {
    let throttle = throttles.get(provider);
    if (!throttle) {
      const limits = context.settings.throttleLimits[provider] ?? {};
      throttle = new ProviderThrottle(limits, context.clockUs, context.sleep);
      throttles.set(provider, throttle);
    }
    return throttle;
  };
  return (lease) => handOver(context, throttleOf, lease);
}

/** Hands a lease's messages to their providers, in chunks each provider and its throttle allow. */
async function handOver(
  context: WorkerContext,
  throttleOf: (provider: string) => ProviderThrottle,
  lease: Lease,
): Promise<void> {
  const split = new Map<number, Parts>();
  for (const sending of lease.sendings.values()) split.set(sending.id, splitParts(sending.text));
  const byProvider = new Map<string | null, LeasedMessage[]>();
  const work: Promise<void>[] = [];
  const { live, expired } = pastValidity(lease, context.clockUs());
  if (expired.final.length > 0) work.push(settle(context, expired));
  for (const message of live) {
    const group = byProvider.get(message.provider);
    if (group) group.push(message);
    else byProvider.set(message.provider, [message]);
  }
  for (const [provider, messages] of byProvider) {
    const adapter = provider === null ? undefined : context.router.adapter(provider);
    if (!adapter) {
      const outcomes = emptyOutcomes();
      for (const m of messages) {
        const type = lease.sendings.get(m.sendingId)?.type ?? 'default';
        outcomes.final.push({ id: m.id, status: 'failed', error: `no provider is configured for type ${type}` });
      }
      work.push(settle(context, outcomes, lease));
      continue;
    }
    const throttle = throttleOf(adapter.name);
    const size = Math.max(1, Math.min(adapter.submitBatchMax, throttle.batchMax));
    for (const chunk of chunked(messages, size))
      work.push(submitChunk(context, lease, adapter, throttle, chunk, split));
  }
  await Promise.all(work);
}

/** A lease's messages whose sending's validity has ended by `nowUs` (never handed over: `expired`), and the others. */
function pastValidity(lease: Lease, nowUs: number): { live: LeasedMessage[]; expired: OutcomeLists } {
  const live: LeasedMessage[] = [];
  const expired = emptyOutcomes();
  for (const message of lease.messages) {
    const expiresAtUs = lease.sendings.get(message.sendingId)?.expiresAtUs ?? null;
    if (expiresAtUs !== null && nowUs >= expiresAtUs) {
      expired.final.push({ id: message.id, status: 'expired', error: windowTexts.expiredBeforeHandOver });
    } else {
      live.push(message);
    }
  }
  return { live, expired };
}

async function submitChunk(
  context: WorkerContext,
  lease: Lease,
  adapter: ProviderAdapter,
  throttle: ProviderThrottle,
  leased: readonly LeasedMessage[],
  split: ReadonlyMap<number, Parts>,
): Promise<void> {
  const lastStartUs = lease.expiresAtUs - context.settings.leaseMarginUs;
  const waitLimit = AbortSignal.any([
    context.stopSignal,
    AbortSignal.timeout(Math.max(0, (lastStartUs - context.clockUs()) / US_PER_MS)),
  ]);
  const release = await throttle.acquire(leased.length, waitLimit);
  const startUs = context.clockUs();
  if (!release || context.stopSignal.aborted || startUs >= lastStartUs) {
    release?.();
    await settle(context, { released: leased.map((m) => m.id) }, lease);
    return;
  }
  const outcomes = emptyOutcomes();
  // Asked as late as possible: a call that finished while this one waited for its throttle may have opened it.
  const pass = context.router.circuits.pass(adapter.name, leased.length);
  const chunk = leased.slice(0, pass.messages);
  if (pass.messages < leased.length) holdBack(context, lease, adapter.name, leased.slice(pass.messages), outcomes);
  if (chunk.length === 0) {
    release();
    await settle(context, outcomes, lease);
    return;
  }
  const handedOver = (async () => {
    try {
      const referenceOf = await context.references();
      const batch = outgoingBatch(lease, chunk, split, referenceOf, startUs);
      await callProvider(context, { lease, adapter, pass, chunk, batch, startUs }, outcomes);
    } finally {
      // Settled already unless the batch could not be built (no call made, nothing learnt of the provider).
      pass.settle(null);
      release();
    }
    await settle(context, outcomes, lease);
  })();
  // Until its outcomes are stored, the reports this provider pushes wait for it: most name its messages.
  context.handOvers.track(adapter.name, handedOver);
  await handedOver;
}

function outgoingBatch(
  lease: Lease,
  chunk: readonly LeasedMessage[],
  split: ReadonlyMap<number, Parts>,
  referenceOf: ReferenceOf,
  startUs: number,
): OutgoingMessage[] {
  return chunk.map((m): OutgoingMessage => {
    const sending = lease.sendings.get(m.sendingId);
    const parts = split.get(m.sendingId);
    if (!sending || !parts) throw new Error(`message ${m.id} leased without its sending`);
    const validity =
      sending.expiresAtUs === null
        ? {}
        : { validitySeconds: Math.max(1, Math.ceil((sending.expiresAtUs - startUs) / US_PER_SECOND)) };
    return {
      ...validity,
      reference: referenceOf(m.id),
      recipient: m.recipient,
      sender: sending.sender,
      text: sending.text,
      encoding: parts.encoding,
      parts: parts.parts,
      attempt: m.attempt,
    };
  });
}

/** Submits the batch and sorts the answers; a call whose outcome is unknown is settled by asking the provider. */
async function callProvider(context: WorkerContext, call: Call, outcomes: OutcomeLists): Promise<void> {
  const { lease, adapter, pass, chunk, startUs } = call;
  const callLimit = AbortSignal.timeout(
    Math.max(1, (lease.expiresAtUs - context.settings.leaseMarginUs - startUs) / US_PER_MS),
  );
  try {
    const results = await adapter.submit(call.batch, callLimit);
    // Told before the results are sorted: a retry then routes around a circuit this call has just opened.
    const answered = results.length === 0 || results.some((r) => isAccepted(r) || !r.retryable);
    const refusal = results.find((r) => !isAccepted(r));
    const refusedUs = results.find((r) => !isAccepted(r) && r.accountRefused === true);
    if (refusedUs && !isAccepted(refusedUs)) {
      // It took nothing and will take nothing until an operator acts: open now, so the retries go elsewhere.
      context.router.circuits.markDown(adapter.name, refusedUs.error);
      context.log.warn({ provider: adapter.name, err: refusedUs.error }, 'provider refused our credentials');
      pass.settle(null);
    } else {
      pass.settle(answered ? 'up' : 'down', refusal && !isAccepted(refusal) ? refusal.error : undefined);
    }
    sortSubmitResults(chunk, results, outcomeContext(context, adapter, lease), outcomes);
  } catch (error) {
    pass.settle('down', errorText(error));
    context.log.warn(
      { provider: adapter.name, messages: chunk.length, err: errorText(error) },
      'submit outcome unknown; asking the provider',
    );
    const results = await recheck(context, adapter, chunk, lease, startUs);
    sortRecheckResults(chunk, results, outcomeContext(context, adapter, lease), outcomes, 'retry');
  }
}
