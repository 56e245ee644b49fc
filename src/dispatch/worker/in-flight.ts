// Leased batches being handed over while the worker goes on leasing: counted, awaited, and their failures reported.

export class BatchesInFlight {
  readonly #batches = new Set<Promise<void>>();
  readonly #failed: (error: unknown) => void;
  readonly #finished: () => void;

  /** `failed` hears of a batch that threw; `finished` of every batch that ended, failed or not. */
  constructor(failed: (error: unknown) => void, finished: () => void) {
    this.#failed = failed;
    this.#finished = finished;
  }

  get size(): number {
    return this.#batches.size;
  }

  track(work: Promise<void>): void {
    const tracked = work.catch((error) => {
      this.#failed(error);
    });
    this.#batches.add(tracked);
    void tracked.finally(() => {
      this.#batches.delete(tracked);
      this.#finished();
    });
  }

  /** Resolves when one of the batches in flight ends. */
  async oneDone(): Promise<void> {
    await Promise.race(this.#batches);
  }

  async allDone(): Promise<void> {
    await Promise.all(this.#batches);
  }
}
