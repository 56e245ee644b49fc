// The dispatch worker: leases due messages, hands them to providers, records outcomes, polls reports, calls back.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { splitParts } from '../domain/gsm.js';
import {
  CALLBACK_ATTEMPTS_MAX,
  CALLBACK_BACKOFF_BASE_MS,
  CALLBACK_BACKOFF_CAP_MS,
  CALLBACK_BATCH_MAX,
  CALLBACK_TIMEOUT_MS,
  DELIVERY_REPORT_WAIT_MAX_MS,
  DISPATCH_ATTEMPTS_MAX,
  DISPATCH_BACKOFF_BASE_MS,
  DISPATCH_BACKOFF_CAP_MS,
  DISPATCH_BATCH_DEFAULT,
  DISPATCH_BATCH_MAX,
  DISPATCH_CONCURRENCY_DEFAULT,
  DISPATCH_CONCURRENCY_MAX,
  DISPATCH_LEASE_MS,
  FINISHED_ROWS_KEEP_MS,
  PENDING_REPORT_KEEP_MS,
  REPORT_POLL_BATCH_MAX,
} from '../domain/limits.js';
import { type ClockUs, US_PER_MS } from '../domain/time.js';
import { claimCallbacks, recordCallbackResults } from '../store/callbacks.js';
import { type Db, isDatabaseUnavailable } from '../store/db.js';
import {
  type AwaitingReport,
  type DispatchOutcomes,
  type Lease,
  type LeasedMessage,
  leaseDueMessages,
  lookAtAwaitingReports,
  recordOutcomes,
  takeOverExpiredLeases,
} from '../store/dispatch-queue.js';
import { readInstallationId } from '../store/installation.js';
import { type StatusChange, sweepKeptReports } from '../store/reports.js';
import { pruneFinishedRows } from '../store/retention.js';
import { finishInterruptedCancels } from '../store/sending-cancel.js';
import type { WorkSignal } from '../store/work-signal.js';
import { type CallbackPolicy, callbackFetch, type Fetch, postCallback } from './callbacks.js';
import {
  backoffMs,
  emptyOutcomes,
  HAND_OVER_UNCONFIRMED,
  hasOutcomes,
  type OutcomeContext,
  type OutcomeLists,
  type RetryPolicy,
  sortRecheckResults,
  sortSubmitResults,
} from './outcomes.js';
import {
  isAccepted,
  messageReference,
  type OutgoingMessage,
  type ProviderAdapter,
  type RecheckContext,
  type RecheckResult,
} from './provider.js';
import type { CircuitChange } from './provider-health.js';
import type { Router } from './router.js';
import { ProviderThrottle, realSleep, type Sleep, type ThrottleLimits } from './throttle.js';

/** Structured logging in pino's calling convention (a pino or Fastify logger fits). */
export interface DispatchLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const SILENT: DispatchLogger = { info() {}, warn() {}, error() {} };

export interface WorkerOptions {
  readonly db: Db;
  readonly router: Router;
  /** The clock of leases, backoff and schedules; default the database's. Tests pass a fake one. */
  readonly clockUs?: ClockUs;
  /** Names this worker's leases; default host:pid:random. Unique among running workers. */
  readonly workerId?: string;
  /** Messages leased at once (DISPATCH_BATCH_MAX at most). */
  readonly batchSize?: number;
  /** Leased batches in flight at once. */
  readonly concurrency?: number;
  /** Sleep between rounds that found nothing to do. */
  readonly pollIntervalMs?: number;
  /** Ends an idle sleep as soon as a sending is stored (the poll stays, for whatever is not announced). */
  readonly workSignal?: Pick<WorkSignal, 'subscribe'>;
  readonly leaseMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per provider name: messages per second and concurrent requests. */
  readonly throttles?: Readonly<Record<string, ThrottleLimits>>;
  readonly callbacks?: Partial<CallbackPolicy> & { readonly concurrency?: number; readonly fetch?: Fetch };
  /** Accepted messages without a final report after this long are marked expired (still charged). */
  readonly reportWaitMaxMs?: number;
  /** How often kept reports (ids not stored when they came) are swept. */
  readonly maintenanceIntervalMs?: number;
  readonly logger?: DispatchLogger;
  /** How the worker waits (throttles, idle rounds); tests may make it advance a fake clock. */
  readonly sleep?: Sleep;
  /** The pause after a failed round (database unreachable…): doubled at each failure in a row, up to the cap. */
  readonly errorBackoff?: { readonly baseMs?: number; readonly capMs?: number };
}

export interface RoundReport {
  readonly leased: number;
  readonly takenOver: number;
  readonly reports: number;
  readonly callbacks: number;
}

export interface Dispatcher {
  readonly workerId: string;
  /** One round: take over expired leases, lease and hand over everything due, poll reports, send callbacks. */
  runOnce(): Promise<RoundReport>;
  /** Rounds until one finds nothing to do (retries scheduled later wait for the clock). */
  runUntilIdle(roundsMax?: number): Promise<void>;
}

export interface Worker {
  readonly workerId: string;
  /**
   * Stops leasing, lets the provider calls in flight finish and records their outcomes, puts back (queued) the
   * messages it holds but has not handed over, then resolves.
   */
  stop(): Promise<void>;
}

const CALLBACK_CONCURRENCY_DEFAULT = 8;
const POLL_INTERVAL_DEFAULT_MS = 200;
/**
 * The least time between the starts of two rounds woken by signals while no lease comes back full: every stored
 * sending wakes the worker, and at hundreds a second a round each (a lease, the report poll, the callbacks: half a
 * dozen transactions) took more of the process than the sendings themselves. Waiting this long lets the next lease
 * take what arrived meanwhile in one; a full lease means a backlog, and the rounds then follow each other at once.
 */
const ROUND_GAP_MS = 5;
const MAINTENANCE_INTERVAL_DEFAULT_MS = 10_000;
const ERROR_BACKOFF_BASE_MS = 500;
const ERROR_BACKOFF_CAP_MS = 30_000;
/** Rows the periodic sweeps handle per run. */
const SWEEP_BATCH = 1_000;
/** The error of a message that waited longer than reportWaitMaxMs for its report. */
export const NO_REPORT = 'no delivery report from the provider';
/** Tries at recording a batch's outcomes before its leases are left to expire (another worker then rechecks). */
const RECORD_TRIES_MAX = 3;

function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** A real-time wait that a stop ends early (never the injected sleep: tests' fake clocks do not move for it). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function intIn(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`${what} must be an integer ${min}..${max}`);
  return v;
}

class DispatchEngine implements Dispatcher {
  readonly workerId: string;
  readonly #db: Db;
  readonly #router: Router;
  readonly #clockUs: ClockUs;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #leaseUs: number;
  /** A call starts only with this much of its lease left, and is cut off then: the lease never expires mid-call. */
  readonly #leaseMarginUs: number;
  readonly #retry: RetryPolicy;
  readonly #callbackPolicy: CallbackPolicy;
  readonly #callbackConcurrency: number;
  readonly #fetch: Fetch;
  readonly #reportWaitUs: number;
  readonly #maintenanceUs: number;
  readonly #log: DispatchLogger;
  readonly #sleep: Sleep;
  readonly #throttles = new Map<string, ProviderThrottle>();
  readonly #throttleLimits: Readonly<Record<string, ThrottleLimits>>;
  readonly #stop = new AbortController();
  #lastMaintenanceUs = Number.NEGATIVE_INFINITY;
  /** The installation's id, read once: the prefix of every reference handed to a provider. */
  #installationId: Promise<string> | null = null;

  constructor(options: WorkerOptions) {
    this.#db = options.db;
    this.#router = options.router;
    this.#clockUs = options.clockUs ?? (() => options.db.nowUs());
    this.workerId = options.workerId ?? defaultWorkerId();
    this.#batchSize = intIn(options.batchSize, DISPATCH_BATCH_DEFAULT, 1, DISPATCH_BATCH_MAX, 'batchSize');
    this.#concurrency = intIn(
      options.concurrency,
      DISPATCH_CONCURRENCY_DEFAULT,
      1,
      DISPATCH_CONCURRENCY_MAX,
      'concurrency',
    );
    this.#pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_DEFAULT_MS;
    const leaseMs = options.leaseMs ?? DISPATCH_LEASE_MS;
    if (!(leaseMs >= 100)) throw new RangeError('leaseMs must be at least 100');
    this.#leaseUs = Math.round(leaseMs * US_PER_MS);
    this.#leaseMarginUs = Math.round(this.#leaseUs / 4);
    this.#retry = {
      attemptsMax: intIn(options.retry?.attemptsMax, DISPATCH_ATTEMPTS_MAX, 1, 100, 'attemptsMax'),
      backoffBaseMs: options.retry?.backoffBaseMs ?? DISPATCH_BACKOFF_BASE_MS,
      backoffCapMs: options.retry?.backoffCapMs ?? DISPATCH_BACKOFF_CAP_MS,
    };
    this.#callbackPolicy = {
      attemptsMax: intIn(options.callbacks?.attemptsMax, CALLBACK_ATTEMPTS_MAX, 1, 100, 'callback attemptsMax'),
      backoffBaseMs: options.callbacks?.backoffBaseMs ?? CALLBACK_BACKOFF_BASE_MS,
      backoffCapMs: options.callbacks?.backoffCapMs ?? CALLBACK_BACKOFF_CAP_MS,
      timeoutMs: options.callbacks?.timeoutMs ?? CALLBACK_TIMEOUT_MS,
      allowPrivate: options.callbacks?.allowPrivate ?? false,
    };
    this.#callbackConcurrency = options.callbacks?.concurrency ?? CALLBACK_CONCURRENCY_DEFAULT;
    this.#fetch = options.callbacks?.fetch ?? callbackFetch(this.#callbackPolicy.allowPrivate === true);
    this.#reportWaitUs = (options.reportWaitMaxMs ?? DELIVERY_REPORT_WAIT_MAX_MS) * US_PER_MS;
    this.#maintenanceUs = (options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_DEFAULT_MS) * US_PER_MS;
    this.#log = options.logger ?? SILENT;
    this.#sleep = options.sleep ?? realSleep;
    this.#throttleLimits = options.throttles ?? {};
    options.router.circuits.onChange((change) => this.#logCircuit(change));
  }

  /** The reference a provider is given for a message, unique to this installation (`messageReference`). */
  async #references(): Promise<(messageId: number) => string> {
    this.#installationId ??= readInstallationId(this.#db).catch((error: unknown) => {
      this.#installationId = null;
      throw error;
    });
    const installationId = await this.#installationId;
    return (messageId) => messageReference(installationId, messageId);
  }

  #logCircuit(change: CircuitChange): void {
    const fields = {
      provider: change.provider,
      from: change.from,
      to: change.to,
      reason: change.reason,
      ...(change.coolDownMs !== undefined && { coolDownMs: change.coolDownMs }),
      ...(change.lastError && { lastError: change.lastError }),
    };
    if (change.to === 'open') {
      this.#log.warn(fields, 'provider circuit open: default routes skip it, its own type waits');
    } else if (change.to === 'half-open') {
      this.#log.info(fields, 'provider circuit half-open: a probe batch goes next');
    } else {
      this.#log.info(fields, 'provider circuit closed: traffic resumes');
    }
  }

  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  requestStop(): void {
    this.#stop.abort();
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  get batchSize(): number {
    return this.#batchSize;
  }

  get pollIntervalMs(): number {
    return this.#pollIntervalMs;
  }

  get sleep(): Sleep {
    return this.#sleep;
  }

  get log(): DispatchLogger {
    return this.#log;
  }

  #throttle(provider: string): ProviderThrottle {
    let throttle = this.#throttles.get(provider);
    if (!throttle) {
      throttle = new ProviderThrottle(this.#throttleLimits[provider] ?? {}, this.#clockUs, this.#sleep);
      this.#throttles.set(provider, throttle);
    }
    return throttle;
  }

  /** How long a message of this provider waits for its report. */
  #reportWaitUsOf(adapter: ProviderAdapter | undefined): number {
    const ms = adapter?.reportWaitMaxMs;
    return ms !== undefined && ms > 0 ? Math.min(ms * US_PER_MS, this.#reportWaitUs) : this.#reportWaitUs;
  }

  #context(adapter: ProviderAdapter | undefined, lease: Lease): OutcomeContext {
    const nowUs = this.#clockUs();
    const reportWaitUs = this.#reportWaitUsOf(adapter);
    return {
      nowUs,
      policy: this.#retry,
      providerFor: (message, attempt) => {
        const sending = lease.sendings.get(message.sendingId);
        if (!sending) return null;
        return this.#router.providerFor({ type: sending.type, mcc: message.mcc, mnc: message.mnc }, attempt);
      },
      nextPollAtUs: adapter?.poll
        ? nowUs + Math.round((adapter.pollIntervalMs ?? 0) * US_PER_MS)
        : nowUs + reportWaitUs,
      reportWaitEndsAtUs: nowUs + reportWaitUs,
    };
  }

  /** Records outcomes, trying again on a database error; gives up (leases then expire and are rechecked) after a few. */
  async #record(outcomes: DispatchOutcomes): Promise<void> {
    if (!hasOutcomes(outcomes)) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await recordOutcomes(this.#db, { workerId: this.workerId, nowUs: this.#clockUs() }, outcomes);
        if (recorded.notHeld > 0) {
          this.#log.warn(
            { notHeld: recorded.notHeld },
            'outcomes for messages whose lease had expired were not recorded',
          );
        }
        return;
      } catch (error) {
        if (attempt >= RECORD_TRIES_MAX) {
          this.#log.error(
            { err: errorText(error) },
            'could not record outcomes; the leases will expire and be rechecked',
          );
          return;
        }
        await realSleep(50 * attempt);
      }
    }
  }

  async lease(): Promise<Lease> {
    return leaseDueMessages(
      this.#db,
      { workerId: this.workerId, nowUs: this.#clockUs(), leaseUs: this.#leaseUs, limit: this.#batchSize },
      // Planned anew each time: providers whose circuit is open drop out of `default` routes while it stays open.
      this.#router.plan(),
    );
  }

  /** Hands a lease's messages to their providers, in chunks each provider and its throttle allow. */
  async dispatch(lease: Lease): Promise<void> {
    const split = new Map<number, ReturnType<typeof splitParts>>();
    for (const sending of lease.sendings.values()) split.set(sending.id, splitParts(sending.text));
    const byProvider = new Map<string | null, LeasedMessage[]>();
    for (const message of lease.messages) {
      const group = byProvider.get(message.provider);
      if (group) group.push(message);
      else byProvider.set(message.provider, [message]);
    }
    const work: Promise<void>[] = [];
    for (const [provider, messages] of byProvider) {
      const adapter = provider === null ? undefined : this.#router.adapter(provider);
      if (!adapter) {
        const outcomes = emptyOutcomes();
        for (const m of messages) {
          const type = lease.sendings.get(m.sendingId)?.type ?? 'default';
          outcomes.final.push({ id: m.id, status: 'failed', error: `no provider is configured for type ${type}` });
        }
        work.push(this.#record(outcomes));
        continue;
      }
      const throttle = this.#throttle(adapter.name);
      const size = Math.max(1, Math.min(adapter.submitBatchMax, throttle.batchMax));
      for (const chunk of chunked(messages, size)) work.push(this.#submitChunk(lease, adapter, throttle, chunk, split));
    }
    await Promise.all(work);
  }

  async #submitChunk(
    lease: Lease,
    adapter: ProviderAdapter,
    throttle: ProviderThrottle,
    leased: readonly LeasedMessage[],
    split: ReadonlyMap<number, ReturnType<typeof splitParts>>,
  ): Promise<void> {
    const lastStartUs = lease.expiresAtUs - this.#leaseMarginUs;
    const waitLimit = AbortSignal.any([
      this.#stop.signal,
      AbortSignal.timeout(Math.max(0, (lastStartUs - this.#clockUs()) / US_PER_MS)),
    ]);
    const release = await throttle.acquire(leased.length, waitLimit);
    const startUs = this.#clockUs();
    if (!release || this.stopping || startUs >= lastStartUs) {
      release?.();
      await this.#record({ released: leased.map((m) => m.id) });
      return;
    }
    const outcomes = emptyOutcomes();
    // Asked as late as possible: a call that finished while this one waited for its throttle may have opened it.
    const pass = this.#router.circuits.pass(adapter.name, leased.length);
    const chunk = leased.slice(0, pass.messages);
    if (pass.messages < leased.length) this.#holdBack(lease, adapter.name, leased.slice(pass.messages), outcomes);
    if (chunk.length === 0) {
      release();
      await this.#record(outcomes);
      return;
    }
    try {
      const referenceOf = await this.#references();
      const batch = chunk.map((m): OutgoingMessage => {
        const sending = lease.sendings.get(m.sendingId);
        const parts = split.get(m.sendingId);
        if (!sending || !parts) throw new Error(`message ${m.id} leased without its sending`);
        return {
          reference: referenceOf(m.id),
          recipient: m.recipient,
          sender: sending.sender,
          text: sending.text,
          encoding: parts.encoding,
          parts: parts.parts,
          attempt: m.attempt,
        };
      });
      const callLimit = AbortSignal.timeout(
        Math.max(1, (lease.expiresAtUs - this.#leaseMarginUs - startUs) / US_PER_MS),
      );
      try {
        const results = await adapter.submit(batch, callLimit);
        // Told before the results are sorted: a retry then routes around a circuit this call has just opened.
        const answered = results.length === 0 || results.some((r) => isAccepted(r) || !r.retryable);
        const refusal = results.find((r) => !isAccepted(r));
        const refusedUs = results.find((r) => !isAccepted(r) && r.accountRefused === true);
        if (refusedUs && !isAccepted(refusedUs)) {
          // It took nothing and will take nothing until an operator acts: open now, so the retries go elsewhere.
          this.#router.circuits.markDown(adapter.name, refusedUs.error);
          this.#log.warn({ provider: adapter.name, err: refusedUs.error }, 'provider refused our credentials');
          pass.settle(null);
        } else {
          pass.settle(answered ? 'up' : 'down', refusal && !isAccepted(refusal) ? refusal.error : undefined);
        }
        sortSubmitResults(chunk, results, this.#context(adapter, lease), outcomes);
      } catch (error) {
        pass.settle('down', errorText(error));
        this.#log.warn(
          { provider: adapter.name, messages: chunk.length, err: errorText(error) },
          'submit outcome unknown; asking the provider',
        );
        const results = await this.#recheck(adapter, chunk, lease, startUs);
        sortRecheckResults(chunk, results, this.#context(adapter, lease), outcomes, 'retry');
      }
    } finally {
      // Settled already unless the batch could not be built (no call made, nothing learnt of the provider).
      pass.settle(null);
      release();
    }
    await this.#record(outcomes);
  }

  /**
   * Messages a circuit did not let through: never handed over, so nothing can be sent twice. A `default` message whose
   * route now has another provider up is released (attempt not counted) and the next lease records that provider;
   * one of a named type, or of a route whose every provider is open, waits until the circuit may let it through (at
   * least the usual backoff), as a retry: a provider that stays down thus fails its messages after attemptsMax waits.
   */
  #holdBack(lease: Lease, provider: string, held: readonly LeasedMessage[], into: OutcomeLists): void {
    const circuits = this.#router.circuits;
    const nowUs = this.#clockUs();
    const untilUs = circuits.heldUntilUs(provider);
    const error = `${provider}: not sent, its circuit is ${circuits.state(provider)}`;
    for (const m of held) {
      const sending = lease.sendings.get(m.sendingId);
      const now = sending
        ? this.#router.providerFor({ type: sending.type, mcc: m.mcc, mnc: m.mnc }, m.attempt)
        : m.provider;
      if (now !== null && now !== m.provider) {
        into.released.push(m.id);
      } else if (m.attempt >= this.#retry.attemptsMax) {
        into.final.push({ id: m.id, status: 'failed', error: `${error} (after ${m.attempt} attempts)` });
      } else {
        const backoffUs = Math.round(backoffMs(m.attempt, this.#retry) * US_PER_MS);
        into.retry.push({ id: m.id, nextAttemptAtUs: Math.max(untilUs, nowUs + backoffUs), error });
      }
    }
  }

  /** Asks the provider about references; null when it cannot be asked or the asking fails (it cannot tell). */
  async #recheck(
    adapter: ProviderAdapter | undefined,
    messages: readonly LeasedMessage[],
    lease: Lease,
    handedOverAtUs?: number,
  ): Promise<RecheckResult[] | null> {
    if (!adapter?.recheck) return null;
    try {
      // Half the margin: a submit may have run up to the margin, and the answer must be recorded before the lease ends.
      const signal = AbortSignal.timeout(Math.max(1, this.#leaseMarginUs / 2 / US_PER_MS));
      const referenceOf = await this.#references();
      const context = messages.map(
        (m): RecheckContext => ({
          reference: referenceOf(m.id),
          recipient: m.recipient,
          notBeforeUs: lease.sendings.get(m.sendingId)?.createdAtUs ?? 0,
          ...(handedOverAtUs !== undefined && { handedOverAtUs }),
        }),
      );
      return [
        ...(await adapter.recheck(
          context.map((c) => c.reference),
          signal,
          context,
        )),
      ];
    } catch (error) {
      this.#log.warn({ provider: adapter.name, err: errorText(error) }, 'recheck failed');
      return null;
    }
  }

  /** Takes over expired leases of other (dead) workers and settles each hand-over by asking its provider. */
  async takeOver(): Promise<number> {
    const lease = await takeOverExpiredLeases(this.#db, {
      workerId: this.workerId,
      nowUs: this.#clockUs(),
      leaseUs: this.#leaseUs,
      limit: this.#batchSize,
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
      const adapter = this.#router.adapter(provider);
      const results = await this.#recheck(adapter, messages, lease);
      sortRecheckResults(messages, results, this.#context(adapter, lease), outcomes, 'release');
    }
    this.#log.info(
      {
        messages: lease.messages.length,
        found: outcomes.accepted.filter((a) => a.providerMessageId !== null).length,
        requeued: outcomes.released.length,
        unconfirmed: outcomes.accepted.filter((a) => a.note === HAND_OVER_UNCONFIRMED).length,
      },
      'took over expired leases',
    );
    await this.#record(outcomes);
    return lease.messages.length;
  }

  /**
   * Looks at accepted messages that are due: asks polling providers for their reports, and marks expired those that
   * waited longer than reportWaitMaxMs (whatever the provider), so that no sending stays open for ever.
   */
  async pollReports(): Promise<number> {
    let applied = 0;
    const referenceOf = await this.#references();
    for (const adapter of this.#router.adapters()) {
      const nowUs = this.#clockUs();
      const repollMs = adapter.poll
        ? Math.max(this.#pollIntervalMs, adapter.pollIntervalMs ?? 0, 1)
        : this.#reportWaitUsOf(adapter) / US_PER_MS;
      const repollUs = Math.round(repollMs * US_PER_MS);
      const repollMaxUs = adapter.poll ? Math.max(repollUs, (adapter.pollIntervalMaxMs ?? 0) * US_PER_MS) : repollUs;
      const waitUs = this.#reportWaitUsOf(adapter);
      const request = {
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
      applied += await lookAtAwaitingReports(this.#db, request, async (due) => {
        const changes: StatusChange[] = [];
        const ask = new Map<string, number>();
        const asked = [];
        for (const message of due) {
          if (message.submittedAtUs <= nowUs - this.#reportWaitUsOf(adapter)) {
            changes.push({ messageId: message.id, status: 'expired', error: NO_REPORT, atUs: nowUs });
          } else if (adapter.poll && message.providerMessageId !== null) {
            ask.set(message.providerMessageId, message.id);
            asked.push({
              ...message,
              providerMessageId: message.providerMessageId,
              reference: referenceOf(message.id),
            });
          }
        }
        if (!adapter.poll || asked.length === 0) return changes;
        try {
          const reports = await adapter.poll(asked, AbortSignal.timeout(Math.max(1_000, this.#leaseUs / US_PER_MS)));
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
          this.#log.warn({ provider: adapter.name, err: errorText(error) }, 'report poll failed; asking again later');
        }
        return changes;
      });
    }
    return applied;
  }

  /** POSTs due customer callbacks, a few at a time, and records each result. */
  async deliverCallbacks(): Promise<number> {
    const claimUs = Math.round((this.#callbackPolicy.timeoutMs * 2 + 1_000) * US_PER_MS);
    const due = await claimCallbacks(this.#db, { nowUs: this.#clockUs(), limit: CALLBACK_BATCH_MAX, claimUs });
    if (due.length === 0) return 0;
    const results = [];
    for (const chunk of chunked(due, this.#callbackConcurrency)) {
      results.push(
        ...(await Promise.all(chunk.map((d) => postCallback(d, this.#callbackPolicy, this.#clockUs, this.#fetch)))),
      );
    }
    await recordCallbackResults(this.#db, this.#clockUs(), results);
    const abandoned = results.filter((r) => !r.delivered && r.retryAtUs === null).length;
    if (abandoned > 0) this.#log.warn({ abandoned }, 'status callbacks abandoned after their last attempt');
    return due.length;
  }

  /**
   * Every maintenanceIntervalMs: kept reports whose id has arrived by now are applied, old ones forgotten; finished
   * callbacks and sandbox submissions past their keeping time are deleted, a batch at a time; a cancel whose process
   * died before all its messages were ended is finished (the first round of a worker does this too).
   */
  async maintain(): Promise<void> {
    const nowUs = this.#clockUs();
    if (nowUs - this.#lastMaintenanceUs < this.#maintenanceUs) return;
    this.#lastMaintenanceUs = nowUs;
    const ended = await finishInterruptedCancels(this.#db);
    if (ended > 0) this.#log.info({ ended }, 'messages of an interrupted cancel ended');
    const swept = await sweepKeptReports(this.#db, nowUs, {
      keepUs: PENDING_REPORT_KEEP_MS * US_PER_MS,
      limit: SWEEP_BATCH,
    });
    if (swept.applied + swept.dropped > 0) {
      this.#log.info({ keptApplied: swept.applied, keptDropped: swept.dropped }, 'kept delivery reports swept');
    }
    const pruned = await pruneFinishedRows(this.#db, {
      beforeUs: Math.max(0, nowUs - FINISHED_ROWS_KEEP_MS * US_PER_MS),
      limit: SWEEP_BATCH,
    });
    if (pruned.callbacks + pruned.sandboxSubmissions > 0) this.#log.info(pruned, 'finished rows past keeping deleted');
  }

  async runOnce(): Promise<RoundReport> {
    const takenOver = await this.takeOver();
    let leased = 0;
    for (;;) {
      const leases: Lease[] = [];
      while (leases.length < this.#concurrency) {
        const lease = await this.lease();
        if (lease.messages.length === 0) break;
        leases.push(lease);
      }
      if (leases.length === 0) break;
      leased += leases.reduce((n, l) => n + l.messages.length, 0);
      await Promise.all(leases.map((l) => this.dispatch(l)));
    }
    const reports = await this.pollReports();
    const callbacks = await this.deliverCallbacks();
    await this.maintain();
    return { leased, takenOver, reports, callbacks };
  }

  async runUntilIdle(roundsMax = 1_000): Promise<void> {
    for (let round = 0; round < roundsMax; round++) {
      const r = await this.runOnce();
      if (r.leased + r.takenOver + r.reports + r.callbacks === 0) return;
    }
    throw new Error(`dispatch still busy after ${roundsMax} rounds`);
  }
}

/**
 * Failures in a row (rounds, batches, callbacks) while something the worker needs is down, typically the database:
 * the first is logged in full, the rest only counted, and the first success after them logs the recovery. Each failed
 * round waits twice as long as the one before, up to the cap.
 */
class FailureStreak {
  readonly #log: DispatchLogger;
  readonly #baseMs: number;
  readonly #capMs: number;
  #failures = 0;
  #sinceMs = 0;
  constructor(log: DispatchLogger, backoff: { readonly baseMs: number; readonly capMs: number }) {
    this.#log = log;
    this.#baseMs = backoff.baseMs;
    this.#capMs = backoff.capMs;
  }

  /** Records a failure; returns how long to pause before the next round. */
  failed(what: string, error: unknown): number {
    this.#failures++;
    if (this.#failures === 1) {
      this.#sinceMs = performance.now();
      this.#log.error(
        { err: errorText(error), database_unavailable: isDatabaseUnavailable(error) },
        `${what}; retrying with backoff (further failures are counted, not logged, until it recovers)`,
      );
    }
    const exponent = Math.min(this.#failures - 1, 30);
    return Math.min(this.#capMs, this.#baseMs * 2 ** exponent);
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.#log.info(
      { failures: this.#failures, down_ms: Math.round(performance.now() - this.#sinceMs) },
      'dispatch resumed after failures',
    );
    this.#failures = 0;
  }
}

/** A dispatcher driven by its caller, one round at a time (tests with a fake clock, one-off tools). */
export function createDispatcher(options: WorkerOptions): Dispatcher {
  return new DispatchEngine(options);
}

/**
 * Starts the worker loop: lease and hand over batches (up to `concurrency` in flight), take over expired leases, poll
 * reports, deliver callbacks, and sleep `pollIntervalMs` when a round finds nothing. A failed round (the database
 * unreachable, say) is logged once and retried after a pause that doubles up to a cap; the loop never ends on it.
 * Several workers, in one process or many, may share one PostgreSQL database; on SQLite run one.
 */
export function startWorker(options: WorkerOptions): Worker {
  const engine = new DispatchEngine(options);
  const inFlight = new Set<Promise<void>>();
  let callbacks: Promise<unknown> | null = null;
  const outage = new FailureStreak(engine.log, {
    baseMs: options.errorBackoff?.baseMs ?? ERROR_BACKOFF_BASE_MS,
    capMs: options.errorBackoff?.capMs ?? ERROR_BACKOFF_CAP_MS,
  });
  // A signal (a stored sending, a finished batch) that comes during a round skips the next sleep; one during the sleep
  // ends it.
  let announced = false;
  let idle: AbortController | null = null;
  const wake = () => {
    announced = true;
    idle?.abort();
  };
  const unsubscribe = options.workSignal?.subscribe(wake);
  // A receipt pushed while the worker sleeps has queued its callbacks: they go out now, not after the poll.
  const unsubscribeReports = options.router.onReportStored(wake);
  const track = (work: Promise<void>) => {
    const tracked = work.catch((error) => {
      outage.failed('dispatch batch failed', error);
    });
    inFlight.add(tracked);
    void tracked.finally(() => {
      inFlight.delete(tracked);
      // What a hand-over leaves (reports already in, settlement) is taken up in the next round, not after a sleep.
      wake();
    });
  };

  let roundStartMs = Number.NEGATIVE_INFINITY;
  let leasedFull = false;
  const loop = async () => {
    while (!engine.stopping) {
      try {
        const gapMs = roundStartMs + ROUND_GAP_MS - performance.now();
        if (!leasedFull && gapMs > 0) await pause(gapMs, engine.stopSignal);
        roundStartMs = performance.now();
        leasedFull = false;
        announced = false;
        let work = await engine.takeOver();
        while (!engine.stopping && inFlight.size < engine.concurrency) {
          const lease = await engine.lease();
          if (lease.messages.length === 0) break;
          work += lease.messages.length;
          if (lease.messages.length >= engine.batchSize) leasedFull = true;
          track(engine.dispatch(lease));
        }
        work += await engine.pollReports();
        if (callbacks === null) {
          callbacks = engine
            .deliverCallbacks()
            .catch((error) => outage.failed('status callbacks failed', error))
            .finally(() => {
              callbacks = null;
            });
        }
        await engine.maintain();
        outage.succeeded();
        if (inFlight.size >= engine.concurrency) await Promise.race(inFlight);
        else if (work === 0 && !announced) {
          idle = new AbortController();
          await engine.sleep(engine.pollIntervalMs, AbortSignal.any([engine.stopSignal, idle.signal]));
          idle = null;
        }
      } catch (error) {
        const pauseMs = outage.failed('dispatch round failed', error);
        await engine.sleep(pauseMs, engine.stopSignal);
      }
    }
    await Promise.all(inFlight);
    await callbacks;
  };
  const done = loop();
  engine.log.info({ workerId: engine.workerId }, 'dispatch worker started');
  return {
    workerId: engine.workerId,
    async stop() {
      engine.requestStop();
      unsubscribe?.();
      unsubscribeReports();
      await done;
      engine.log.info({ workerId: engine.workerId }, 'dispatch worker stopped');
    },
  };
}
