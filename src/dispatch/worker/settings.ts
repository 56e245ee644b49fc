// What a worker is told (its options), checked once and completed with the defaults (its settings).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CALLBACK_ATTEMPTS_MAX,
  CALLBACK_BACKOFF_BASE_MS,
  CALLBACK_BACKOFF_CAP_MS,
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
} from '../../domain/limits.js';
import type { CostBook } from '../../domain/provider-costs.js';
import { type ClockUs, US_PER_MS } from '../../domain/time.js';
import type { Db } from '../../store/db.js';
import type { WorkSignal } from '../../store/work-signal.js';
import { type CallbackPolicy, callbackFetch, type Fetch } from '../callbacks.js';
import type { HandOversInFlight } from '../hand-overs-in-flight.js';
import type { RetryPolicy } from '../outcomes.js';
import type { Router } from '../router.js';
import type { Sleep, ThrottleLimits } from '../throttle.js';
import type { DispatchLogger } from './log.js';

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
  /** Every provider's cost list as known now (asked at each settlement); default none (costs recorded as unknown). */
  readonly costBook?: () => CostBook;
  /** Where this worker's hand-overs are counted until their outcomes are stored, for the reports pushed meanwhile. */
  readonly handOvers?: HandOversInFlight;
  /**
   * Sends the keyword answers still owed (a process stopped between storing the keyword and sending its answer), at
   * each maintenance; returns how many it took up. Default none.
   */
  readonly owedKeywordReplies?: (nowUs: number) => Promise<number>;
}

export interface WorkerSettings {
  readonly workerId: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly leaseUs: number;
  /** A call starts only with this much of its lease left, and is cut off then: the lease never expires mid-call. */
  readonly leaseMarginUs: number;
  readonly retry: RetryPolicy;
  readonly callbackPolicy: CallbackPolicy;
  readonly callbackConcurrency: number;
  readonly fetch: Fetch;
  readonly reportWaitUs: number;
  readonly maintenanceUs: number;
  readonly throttleLimits: Readonly<Record<string, ThrottleLimits>>;
  readonly errorBackoff: { readonly baseMs: number; readonly capMs: number };
}

const CALLBACK_CONCURRENCY_DEFAULT = 8;
const POLL_INTERVAL_DEFAULT_MS = 200;
const MAINTENANCE_INTERVAL_DEFAULT_MS = 10_000;
const ERROR_BACKOFF_BASE_MS = 500;
const ERROR_BACKOFF_CAP_MS = 30_000;

function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function intIn(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`${what} must be an integer ${min}..${max}`);
  return v;
}

function leaseUsOf(options: WorkerOptions): number {
  const leaseMs = options.leaseMs ?? DISPATCH_LEASE_MS;
  if (!(leaseMs >= 100)) throw new RangeError('leaseMs must be at least 100');
  return Math.round(leaseMs * US_PER_MS);
}

function retryPolicyOf(options: WorkerOptions): RetryPolicy {
  return {
    attemptsMax: intIn(options.retry?.attemptsMax, DISPATCH_ATTEMPTS_MAX, 1, 100, 'attemptsMax'),
    backoffBaseMs: options.retry?.backoffBaseMs ?? DISPATCH_BACKOFF_BASE_MS,
    backoffCapMs: options.retry?.backoffCapMs ?? DISPATCH_BACKOFF_CAP_MS,
  };
}

function callbackPolicyOf(options: WorkerOptions): CallbackPolicy {
  return {
    attemptsMax: intIn(options.callbacks?.attemptsMax, CALLBACK_ATTEMPTS_MAX, 1, 100, 'callback attemptsMax'),
    backoffBaseMs: options.callbacks?.backoffBaseMs ?? CALLBACK_BACKOFF_BASE_MS,
    backoffCapMs: options.callbacks?.backoffCapMs ?? CALLBACK_BACKOFF_CAP_MS,
    timeoutMs: options.callbacks?.timeoutMs ?? CALLBACK_TIMEOUT_MS,
    allowPrivate: options.callbacks?.allowPrivate ?? false,
  };
}

/** Checks the options (a RangeError names the first one out of range) and fills in the defaults. */
export function workerSettings(options: WorkerOptions): WorkerSettings {
  const workerId = options.workerId ?? defaultWorkerId();
  const batchSize = intIn(options.batchSize, DISPATCH_BATCH_DEFAULT, 1, DISPATCH_BATCH_MAX, 'batchSize');
  const concurrency = intIn(
    options.concurrency,
    DISPATCH_CONCURRENCY_DEFAULT,
    1,
    DISPATCH_CONCURRENCY_MAX,
    'concurrency',
  );
  const leaseUs = leaseUsOf(options);
  const retry = retryPolicyOf(options);
  const callbackPolicy = callbackPolicyOf(options);
  return {
    workerId,
    batchSize,
    concurrency,
    pollIntervalMs: options.pollIntervalMs ?? POLL_INTERVAL_DEFAULT_MS,
    leaseUs,
    leaseMarginUs: Math.round(leaseUs / 4),
    retry,
    callbackPolicy,
    callbackConcurrency: options.callbacks?.concurrency ?? CALLBACK_CONCURRENCY_DEFAULT,
    fetch: options.callbacks?.fetch ?? callbackFetch(callbackPolicy.allowPrivate === true),
    reportWaitUs: (options.reportWaitMaxMs ?? DELIVERY_REPORT_WAIT_MAX_MS) * US_PER_MS,
    maintenanceUs: (options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_DEFAULT_MS) * US_PER_MS,
    throttleLimits: options.throttles ?? {},
    errorBackoff: {
      baseMs: options.errorBackoff?.baseMs ?? ERROR_BACKOFF_BASE_MS,
      capMs: options.errorBackoff?.capMs ?? ERROR_BACKOFF_CAP_MS,
    },
  };
}
