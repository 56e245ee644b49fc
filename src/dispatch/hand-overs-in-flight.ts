// The hand-overs of this process whose outcomes are not stored yet, per provider. A delivery report pushed meanwhile
// (an SMSC's receipt, a webhook) most likely names a message of one of them: applied after they are stored, it finds
// its message at once, rather than being kept aside under the lock that orders it against their transactions.

/** Longest a report waits for the hand-overs in flight: past it, the report is applied and kept aside if need be. */
export const REPORT_WAIT_MS_MAX = 1_000;

export class HandOversInFlight {
  readonly #byProvider = new Map<string, Set<Promise<void>>>();

  /** Counts `work` (a call to `provider` and the storing of its outcomes) until it settles. */
  track(provider: string, work: Promise<void>): void {
    let set = this.#byProvider.get(provider);
    if (!set) {
      set = new Set();
      this.#byProvider.set(provider, set);
    }
    const entry = work.then(
      () => {},
      () => {},
    );
    set.add(entry);
    void entry.then(() => set.delete(entry));
  }

  /**
   * Resolves once every hand-over to `provider` in flight now has settled, or after `maxMs`, whichever comes first;
   * at once when there is none. Hand-overs started later are not waited for.
   */
  settled(provider: string, maxMs = REPORT_WAIT_MS_MAX): Promise<void> {
    const set = this.#byProvider.get(provider);
    if (!set || set.size === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
      timer.unref();
    });
    return Promise.race([Promise.all(set).then(() => {}), timeout]).finally(() => clearTimeout(timer));
  }
}
