// The worker's jobs bound to one shared context: what a dispatcher's rounds and the worker's loop are made of.
import type { Lease } from '../../store/dispatch-queue.js';
import { deliverCallbacks } from './callback-delivery.js';
import { type WorkerContext, workerContext } from './context.js';
import { expireOverdue } from './expiry.js';
import { createHandOver } from './hand-over.js';
import { leaseDue } from './lease.js';
import { createMaintenance } from './maintenance.js';
import { pollReports } from './report-polling.js';
import type { WorkerOptions } from './settings.js';
import { takeOver } from './take-over.js';

export interface WorkerJobs {
  readonly context: WorkerContext;
  /** Stops leasing and ends the waits; calls in flight finish. */
  requestStop(): void;
  /** Takes over expired leases of dead workers; returns the messages taken over. */
  takeOver(): Promise<number>;
  /** Ends the queued messages of sendings past their validity (`expired`, refunded); returns how many. */
  expire(): Promise<number>;
  lease(): Promise<Lease>;
  handOver(lease: Lease): Promise<void>;
  /** Returns the messages whose report was looked at. */
  pollReports(): Promise<number>;
  /** Returns the callbacks claimed. */
  deliverCallbacks(): Promise<number>;
  maintain(): Promise<void>;
}

export function workerJobs(options: WorkerOptions): WorkerJobs {
  const stop = new AbortController();
  const context = workerContext(options, stop.signal);
  const handOver = createHandOver(context);
  const maintain = createMaintenance(context);
  return {
    context,
    requestStop: () => stop.abort(),
    takeOver: () => takeOver(context),
    expire: () => expireOverdue(context),
    lease: () => leaseDue(context),
    handOver,
    pollReports: () => pollReports(context),
    deliverCallbacks: () => deliverCallbacks(context),
    maintain,
  };
}
