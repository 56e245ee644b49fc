// Outages: failures in a row logged once, counted, and waited out with a pause that doubles up to a cap.
import { isDatabaseUnavailable } from '../../store/db.js';
import { type DispatchLogger, errorText } from './log.js';
import { type MonotonicMs, monotonicMs } from './monotonic.js';

/**
 * Failures in a row (rounds, batches, callbacks) while something the worker needs is down, typically the database:
 * the first is logged in full, the rest only counted, and the first success after them logs the recovery. Each failed
 * round waits twice as long as the one before, up to the cap.
 */
export class FailureStreak {
  readonly #log: DispatchLogger;
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #nowMs: MonotonicMs;
  #failures = 0;
  #sinceMs = 0;
  constructor(
    log: DispatchLogger,
    backoff: { readonly baseMs: number; readonly capMs: number },
    nowMs: MonotonicMs = monotonicMs,
  ) {
    this.#log = log;
    this.#baseMs = backoff.baseMs;
    this.#capMs = backoff.capMs;
    this.#nowMs = nowMs;
  }

  /** Records a failure; returns how long to pause before the next round. */
  failed(what: string, error: unknown): number {
    this.#failures++;
    if (this.#failures === 1) {
      this.#sinceMs = this.#nowMs();
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
      { failures: this.#failures, down_ms: Math.round(this.#nowMs() - this.#sinceMs) },
      'dispatch resumed after failures',
    );
    this.#failures = 0;
  }
}
