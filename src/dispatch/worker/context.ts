// What every job of the worker shares: the database, the router, the clock, the settings, the log and the stop.
import { BOOKS_REFRESH_MS } from '../../domain/margins.js';
import type { CostBook, QualityBook } from '../../domain/provider-costs.js';
import type { ClockUs } from '../../domain/time.js';
import type { Db } from '../../store/db.js';
import { readQualityBook } from '../../store/delivery-quality.js';
import { conversionRatesPpm } from '../../store/rates.js';
import { HandOversInFlight } from '../hand-overs-in-flight.js';
import type { Router } from '../router.js';
import { realSleep, type Sleep } from '../throttle.js';
import { type DispatchLogger, logCircuitChange, SILENT } from './log.js';
import { installationReferences, type ReferenceOf } from './references.js';
import { refreshedEvery } from './refreshed.js';
import { type WorkerOptions, type WorkerSettings, workerSettings } from './settings.js';

export interface WorkerContext {
  readonly db: Db;
  readonly router: Router;
  /** The clock of leases, backoff and schedules. */
  readonly clockUs: ClockUs;
  readonly settings: WorkerSettings;
  readonly log: DispatchLogger;
  /** How the worker waits: throttles, idle rounds, the pause after a failed round. */
  readonly sleep: Sleep;
  /** Aborted when the worker is asked to stop. */
  readonly stopSignal: AbortSignal;
  /** The reference a provider is given for a message, unique to this installation (`messageReference`). */
  readonly references: () => Promise<ReferenceOf>;
  /** Every provider's cost list as known now: settlement records each handed-over message's cost with it. */
  readonly costBook: () => CostBook;
  /** Each currency's conversion rate from the platform's base currency (millionths), read again every 30 s. */
  readonly conversionRates: () => Promise<ReadonlyMap<string, number>>;
  /** Every provider's delivery quality over the last 24 hours, shared through the database, read again every 30 s. */
  readonly qualityBook: () => Promise<QualityBook>;
  /** Hand-overs counted until their outcomes are stored (the pushed reports' sink waits for them). */
  readonly handOvers: HandOversInFlight;
  /** Sends the keyword answers still owed; returns how many it took up (`WorkerOptions.owedKeywordReplies`). */
  readonly owedKeywordReplies: (nowUs: number) => Promise<number>;
}

/** Checks the options, and logs every move of a provider's circuit from now on. */
export function workerContext(options: WorkerOptions, stopSignal: AbortSignal): WorkerContext {
  const settings = workerSettings(options);
  const log = options.logger ?? SILENT;
  const clockUs = options.clockUs ?? (() => options.db.nowUs());
  options.router.circuits.onChange((change) => logCircuitChange(log, change));
  return {
    db: options.db,
    router: options.router,
    clockUs,
    settings,
    log,
    sleep: options.sleep ?? realSleep,
    stopSignal,
    references: installationReferences(options.db),
    costBook: options.costBook ?? (() => options.router.costBook()),
    conversionRates: refreshedEvery(() => conversionRatesPpm(options.db), BOOKS_REFRESH_MS, clockUs),
    qualityBook: refreshedEvery(() => readQualityBook(options.db, { nowUs: clockUs() }), BOOKS_REFRESH_MS, clockUs),
    handOvers: options.handOvers ?? new HandOversInFlight(),
    owedKeywordReplies: options.owedKeywordReplies ?? (async () => 0),
  };
}
