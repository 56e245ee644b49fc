// The dispatch worker: the loop that leases due messages, hands them to providers, records outcomes, polls reports and
// calls back. Each job is a module of worker/; this one composes them, round after round.
import type { Lease } from '../store/dispatch-queue.js';
import { CallbacksInBackground } from './worker/callback-delivery.js';
import { FailureStreak } from './worker/failure-streak.js';
import { IdleRounds } from './worker/idle.js';
import { BatchesInFlight } from './worker/in-flight.js';
import { workerJobs } from './worker/jobs.js';
import type { WorkerOptions } from './worker/settings.js';

export type { DispatchLogger } from './worker/log.js';
export { NO_REPORT } from './worker/report-polling.js';
export type { WorkerOptions } from './worker/settings.js';

export interface RoundReport {
  readonly leased: number;
  readonly takenOver: number;
  readonly reports: number;
  readonly callbacks: number;
  /** Messages ended `expired` (past their sending's validity before any hand-over). */
  readonly expired: number;
}

export interface Dispatcher {
  readonly workerId: string;
  /** One round: take over expired leases, end messages past their validity, lease and hand over everything due, poll reports, send callbacks. */
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

/** A dispatcher driven by its caller, one round at a time (tests with a fake clock, one-off tools). */
export function createDispatcher(options: WorkerOptions): Dispatcher {
  const jobs = workerJobs(options);
  const { concurrency } = jobs.context.settings;
  const runOnce = async (): Promise<RoundReport> => {
    const takenOver = await jobs.takeOver();
    const expired = await jobs.expire();
    let leased = 0;
    for (;;) {
      const leases: Lease[] = [];
      while (leases.length < concurrency) {
        const lease = await jobs.lease();
        if (lease.messages.length === 0) break;
        leases.push(lease);
      }
      if (leases.length === 0) break;
      leased += leases.reduce((n, l) => n + l.messages.length, 0);
      await Promise.all(leases.map((l) => jobs.handOver(l)));
    }
    const reports = await jobs.pollReports();
    const callbacks = await jobs.deliverCallbacks();
    await jobs.maintain();
    return { leased, takenOver, reports, callbacks, expired };
  };
  return {
    workerId: jobs.context.settings.workerId,
    runOnce,
    async runUntilIdle(roundsMax = 1_000) {
      for (let round = 0; round < roundsMax; round++) {
        const r = await runOnce();
        if (r.leased + r.takenOver + r.reports + r.callbacks + r.expired === 0) return;
      }
      throw new Error(`dispatch still busy after ${roundsMax} rounds`);
    },
  };
}

/**
 * Starts the worker loop: lease and hand over batches (up to `concurrency` in flight), take over expired leases, poll
 * reports, deliver callbacks, and sleep `pollIntervalMs` when a round finds nothing. A failed round (the database
 * unreachable, say) is logged once and retried after a pause that doubles up to a cap; the loop never ends on it.
 * Several workers, in one process or many, may share one PostgreSQL database; on SQLite run one.
 */
export function startWorker(options: WorkerOptions): Worker {
  const jobs = workerJobs(options);
  const { context } = jobs;
  const { settings, log, stopSignal } = context;
  const outage = new FailureStreak(log, settings.errorBackoff);
  const idle = new IdleRounds({ pollIntervalMs: settings.pollIntervalMs, stopSignal, sleep: context.sleep });
  const unsubscribe = options.workSignal?.subscribe(idle.wake);
  // A receipt pushed while the worker sleeps has queued its callbacks: they go out now, not after the poll.
  const unsubscribeReports = options.router.onReportStored(idle.wake);
  // What a hand-over leaves (reports already in, settlement) is taken up in the next round, not after a sleep.
  const inFlight = new BatchesInFlight((error) => outage.failed('dispatch batch failed', error), idle.wake);
  const callbacks = new CallbacksInBackground(jobs.deliverCallbacks, (error) =>
    outage.failed('status callbacks failed', error),
  );

  const round = async () => {
    await idle.startRound();
    let work = await jobs.takeOver();
    work += await jobs.expire();
    while (!stopSignal.aborted && inFlight.size < settings.concurrency) {
      const lease = await jobs.lease();
      if (lease.messages.length === 0) break;
      work += lease.messages.length;
      if (lease.messages.length >= settings.batchSize) idle.leasedFull();
      inFlight.track(jobs.handOver(lease));
    }
    work += await jobs.pollReports();
    callbacks.start();
    await jobs.maintain();
    outage.succeeded();
    if (inFlight.size >= settings.concurrency) await inFlight.oneDone();
    else await idle.sleepIfIdle(work);
  };
  const loop = async () => {
    while (!stopSignal.aborted) {
      try {
        await round();
      } catch (error) {
        const pauseMs = outage.failed('dispatch round failed', error);
        await context.sleep(pauseMs, stopSignal);
      }
    }
    await inFlight.allDone();
    await callbacks.settled();
  };
  const done = loop();
  log.info({ workerId: settings.workerId }, 'dispatch worker started');
  return {
    workerId: settings.workerId,
    async stop() {
      jobs.requestStop();
      unsubscribe?.();
      unsubscribeReports();
      await done;
      log.info({ workerId: settings.workerId }, 'dispatch worker stopped');
    },
  };
}
