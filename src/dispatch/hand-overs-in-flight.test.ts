import { describe, expect, it } from 'vitest';
import { HandOversInFlight } from './hand-overs-in-flight.js';

function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('hand-overs in flight', () => {
  it('lets a report through at once when nothing is in flight for its provider', async () => {
    const inFlight = new HandOversInFlight();
    inFlight.track('twilio', deferred().promise);
    let through = false;
    void inFlight.settled('smpp').then(() => {
      through = true;
    });
    await tick();
    expect(through).toBe(true);
  });

  it('holds a report until the hand-overs in flight when it came have settled, failed ones included', async () => {
    const inFlight = new HandOversInFlight();
    const first = deferred();
    const second = deferred();
    inFlight.track('smpp', first.promise);
    inFlight.track('smpp', second.promise);
    let through = false;
    void inFlight.settled('smpp').then(() => {
      through = true;
    });
    // One started after the report came is not waited for.
    inFlight.track('smpp', deferred().promise);
    first.resolve();
    await tick();
    expect(through).toBe(false);
    second.reject(new Error('submit failed'));
    await tick();
    expect(through).toBe(true);
  });

  it('lets a report through after the longest wait even if a hand-over never ends', async () => {
    const inFlight = new HandOversInFlight();
    inFlight.track('smpp', deferred().promise);
    await expect(inFlight.settled('smpp', 30)).resolves.toBeUndefined();
  });
});
