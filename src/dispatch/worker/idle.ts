// Idle rounds: the worker sleeps after a round that found nothing, until the poll interval ends or a signal wakes it;
// rounds woken by signals are spaced a little, so that what arrives meanwhile goes out in one lease.
import { realSleep, type Sleep } from '../throttle.js';
import { type MonotonicMs, monotonicMs } from './monotonic.js';

/**
 * The least time between the starts of two rounds woken by signals while no lease comes back full: every stored
 * sending wakes the worker, and at hundreds a second a round each (a lease, the report poll, the callbacks: half a
 * dozen transactions) took more of the process than the sendings themselves. Waiting this long lets the next lease
 * take what arrived meanwhile in one; a full lease means a backlog, and the rounds then follow each other at once.
 */
export const ROUND_GAP_MS = 5;

export interface IdleOptions {
  /** The sleep after a round that found nothing to do. */
  readonly pollIntervalMs: number;
  /** Ends any wait at once. */
  readonly stopSignal: AbortSignal;
  /** The idle sleep; default real time. Tests may make it advance a fake clock. */
  readonly sleep?: Sleep;
  /**
   * The wait that spaces out rounds, and the clock it is measured on; default real time. Never the worker's injected
   * sleep: tests' fake clocks do not move for it, and a few milliseconds of real time cost them nothing.
   */
  readonly pause?: Sleep;
  readonly nowMs?: MonotonicMs;
}

export class IdleRounds {
  readonly #pollIntervalMs: number;
  readonly #stopSignal: AbortSignal;
  readonly #sleep: Sleep;
  readonly #pause: Sleep;
  readonly #nowMs: MonotonicMs;
  /** A signal came since the round started: the next sleep is skipped. */
  #announced = false;
  /** Set during an idle sleep: a signal aborts it. */
  #idle: AbortController | null = null;
  #roundStartMs = Number.NEGATIVE_INFINITY;
  #leasedFull = false;

  constructor(options: IdleOptions) {
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#stopSignal = options.stopSignal;
    this.#sleep = options.sleep ?? realSleep;
    this.#pause = options.pause ?? realSleep;
    this.#nowMs = options.nowMs ?? monotonicMs;
  }

  /**
   * A signal (a stored sending, a stored report, a finished batch): one that comes during a round skips the next
   * sleep; one during the sleep ends it.
   */
  readonly wake = (): void => {
    this.#announced = true;
    this.#idle?.abort();
  };

  /** Waits what is left of the round gap, unless the last round leased a full batch, and starts a round. */
  async startRound(): Promise<void> {
    const gapMs = this.#roundStartMs + ROUND_GAP_MS - this.#nowMs();
    if (!this.#leasedFull && gapMs > 0) await this.#pause(gapMs, this.#stopSignal);
    this.#roundStartMs = this.#nowMs();
    this.#leasedFull = false;
    this.#announced = false;
  }

  /** The round leased a full batch: a backlog, so the next round starts without a gap. */
  leasedFull(): void {
    this.#leasedFull = true;
  }

  /** After a round that did `work`: sleeps the poll interval if it did nothing and no signal came meanwhile. */
  async sleepIfIdle(work: number): Promise<void> {
    if (work !== 0 || this.#announced) return;
    this.#idle = new AbortController();
    await this.#sleep(this.#pollIntervalMs, AbortSignal.any([this.#stopSignal, this.#idle.signal]));
    this.#idle = null;
  }
}
