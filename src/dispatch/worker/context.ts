// What every job of the worker shares: the database, the router, the clock, the settings, the log and the stop.
import type { ClockUs } from '../../domain/time.js';
import type { Db } from '../../store/db.js';
import type { Router } from '../router.js';
import { realSleep, type Sleep } from '../throttle.js';
import { type DispatchLogger, logCircuitChange, SILENT } from './log.js';
import { installationReferences, type ReferenceOf } from './references.js';
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
}

/** Checks the options, and logs every move of a provider's circuit from now on. */
export function workerContext(options: WorkerOptions, stopSignal: AbortSignal): WorkerContext {
  const settings = workerSettings(options);
  const log = options.logger ?? SILENT;
  options.router.circuits.onChange((change) => logCircuitChange(log, change));
  return {
    db: options.db,
    router: options.router,
    clockUs: options.clockUs ?? (() => options.db.nowUs()),
    settings,
    log,
    sleep: options.sleep ?? realSleep,
    stopSignal,
    references: installationReferences(options.db),
  };
}
