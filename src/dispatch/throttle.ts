// Per-provider throughput control: a token bucket of messages per second and a cap on concurrent requests.
import type { ClockUs } from '../domain/time.js';
import { US_PER_SECOND } from '../domain/time.js';

export interface ThrottleLimits {
  /** Messages handed to the provider per second, on average; bursts up to one second's worth. Absent: no limit. */
  readonly messagesPerSecond?: number;
  /** Requests to the provider in flight at once. Absent: no limit. */
  readonly concurrentRequestsMax?: number;
}

/** Waits `ms`, or less when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Work beyond the limits waits; nothing is dropped. A request of n messages waits for n tokens (a bucket holds one
 * second's worth). A request larger than that waits for a full bucket and leaves it in debt, which the next request
 * waits to see paid back; the worker cuts batches to one second's worth anyway.
 */
export class ProviderThrottle {
  readonly #ratePerUs: number | null;
  readonly #burst: number;
  readonly #concurrentMax: number;
  readonly #clockUs: ClockUs;
  readonly #sleep: Sleep;
  #tokens: number;
  #refilledAtUs: number;
  #inFlight = 0;
  readonly #waiters: (() => void)[] = [];
  /** Token waits are served one at a time, in order, so a large request is not starved by small ones. */
  #tokenQueue: Promise<void> = Promise.resolve();

  constructor(limits: ThrottleLimits, clockUs: ClockUs, sleep: Sleep = realSleep) {
    const rate = limits.messagesPerSecond;
    if (rate !== undefined && !(rate > 0)) throw new RangeError('messagesPerSecond must be positive');
    const concurrent = limits.concurrentRequestsMax;
    if (concurrent !== undefined && !(Number.isSafeInteger(concurrent) && concurrent >= 1)) {
      throw new RangeError('concurrentRequestsMax must be a positive integer');
    }
    this.#ratePerUs = rate === undefined ? null : rate / US_PER_SECOND;
    this.#burst = rate ?? Number.POSITIVE_INFINITY;
    this.#concurrentMax = concurrent ?? Number.POSITIVE_INFINITY;
    this.#clockUs = clockUs;
    this.#sleep = sleep;
    this.#tokens = this.#burst;
    this.#refilledAtUs = clockUs();
  }

  /** The largest batch worth sending in one request: one second's worth of messages. */
  get batchMax(): number {
    return Number.isFinite(this.#burst) ? Math.max(1, Math.floor(this.#burst)) : Number.POSITIVE_INFINITY;
  }

  #refill(): void {
    if (this.#ratePerUs === null) return;
    const nowUs = this.#clockUs();
    const elapsedUs = Math.max(0, nowUs - this.#refilledAtUs);
    this.#refilledAtUs = nowUs;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedUs * this.#ratePerUs);
  }

  /**
   * Waits for room for one request of `messages` messages, then returns its release. Resolves null, holding nothing,
   * if `signal` aborts first (the worker is stopping, or the lease would run out).
   */
  async acquire(messages: number, signal?: AbortSignal): Promise<(() => void) | null> {
    if (!(await this.#takeTokens(messages, signal))) return null;
    if (this.#inFlight >= this.#concurrentMax) {
      const admitted = await new Promise<boolean>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', abort);
          resolve(true);
        };
        const abort = () => {
          const at = this.#waiters.indexOf(wake);
          if (at >= 0) this.#waiters.splice(at, 1);
          resolve(false);
        };
        this.#waiters.push(wake);
        signal?.addEventListener('abort', abort, { once: true });
      });
      // Tokens already taken are not given back: the provider's rate is about what we try, and this is rare.
      if (!admitted) return null;
    } else this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // The slot passes straight to the next waiter: the count stays the same.
      if (next) next();
      else this.#inFlight--;
    };
  }

  #takeTokens(messages: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#ratePerUs === null) return Promise.resolve(!signal?.aborted);
    const turn = this.#tokenQueue.then(async () => {
      for (;;) {
        if (signal?.aborted) return false;
        this.#refill();
        const needed = Math.min(messages, this.#burst);
        if (this.#tokens >= needed) {
          this.#tokens -= messages;
          return true;
        }
        const waitMs = Math.ceil((needed - this.#tokens) / (this.#ratePerUs as number) / 1000);
        await this.#sleep(Math.max(1, waitMs), signal);
      }
    });
    this.#tokenQueue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
}
