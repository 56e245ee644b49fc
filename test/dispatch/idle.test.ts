// The worker's idle rounds driven by the test: the idle sleep and the round gap run on injected sleeps and clock.
import { describe, expect, it } from 'vitest';
import type { Sleep } from '../../src/dispatch/throttle.js';
import { IdleRounds, ROUND_GAP_MS } from '../../src/dispatch/worker/idle.js';
import { startWorker } from '../../src/dispatch/worker.js';
import { describeEachEngine } from '../support/databases.js';
import { eventually, routerWith, statusOf, storedSending } from './support.js';

const POLL_MS = 200;

/** A sleep the test ends: each call is kept with its length and signal until `end` or an abort. */
function heldSleep() {
  const calls: { ms: number; signal: AbortSignal | undefined; ended: boolean; end(): void }[] = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
      const call = {
        ms,
        signal,
        ended: false,
        end() {
          call.ended = true;
          resolve();
        },
      };
      calls.push(call);
      signal?.addEventListener('abort', () => call.end(), { once: true });
      if (signal?.aborted) call.end();
    });
  return { sleep, calls };
}

/** A clock in milliseconds the test moves, and a pause that moves it by what it waits. */
function movedClock() {
  let nowMs = 1_000;
  const pauses: number[] = [];
  return {
    nowMs: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
    pause: (async (ms) => {
      pauses.push(ms);
      nowMs += ms;
    }) satisfies Sleep,
    pauses,
  };
}

function idleRounds(stop = new AbortController()) {
  const idle = heldSleep();
  const clock = movedClock();
  const rounds = new IdleRounds({
    pollIntervalMs: POLL_MS,
    stopSignal: stop.signal,
    sleep: idle.sleep,
    pause: clock.pause,
    nowMs: clock.nowMs,
  });
  return { rounds, idle, clock, stop };
}

describe('idle rounds', () => {
  it('sleeps the poll interval after a round that found nothing, and not after one that worked', async () => {
    const { rounds, idle } = idleRounds();
    await rounds.startRound();
    await rounds.sleepIfIdle(3);
    expect(idle.calls).toHaveLength(0);

    await rounds.startRound();
    const sleeping = rounds.sleepIfIdle(0);
    expect(idle.calls.map((c) => c.ms)).toEqual([POLL_MS]);
    idle.calls[0]?.end();
    await sleeping;
  });

  it('a signal during the idle sleep ends it at once', async () => {
    const { rounds, idle } = idleRounds();
    await rounds.startRound();
    const sleeping = rounds.sleepIfIdle(0);
    expect(idle.calls[0]?.ended).toBe(false);
    rounds.wake();
    await sleeping;
    expect(idle.calls[0]?.ended).toBe(true);
    expect(idle.calls[0]?.signal?.aborted).toBe(true);
  });

  it('a signal during a round skips the next sleep, and only that one', async () => {
    const { rounds, idle } = idleRounds();
    await rounds.startRound();
    rounds.wake();
    await rounds.sleepIfIdle(0);
    expect(idle.calls).toHaveLength(0);

    await rounds.startRound();
    const sleeping = rounds.sleepIfIdle(0);
    expect(idle.calls).toHaveLength(1);
    idle.calls[0]?.end();
    await sleeping;
  });

  it('the stop ends the idle sleep', async () => {
    const { rounds, idle, stop } = idleRounds();
    await rounds.startRound();
    const sleeping = rounds.sleepIfIdle(0);
    stop.abort();
    await sleeping;
    expect(idle.calls[0]?.ended).toBe(true);
  });

  it('spaces the starts of rounds by the round gap on its clock, unless a lease came back full', async () => {
    const { rounds, clock } = idleRounds();
    await rounds.startRound();
    expect(clock.pauses).toEqual([]);

    clock.advance(2);
    await rounds.startRound();
    expect(clock.pauses).toEqual([ROUND_GAP_MS - 2]);

    rounds.leasedFull();
    await rounds.startRound();
    expect(clock.pauses).toEqual([ROUND_GAP_MS - 2]);

    // The full lease counts for one round only.
    await rounds.startRound();
    expect(clock.pauses).toEqual([ROUND_GAP_MS - 2, ROUND_GAP_MS]);

    clock.advance(ROUND_GAP_MS);
    await rounds.startRound();
    expect(clock.pauses).toHaveLength(2);
  });
});

describeEachEngine('the idle sleep of a running worker', (engine) => {
  it('is the injected sleep: each idle round sleeps with it, and its end starts the next round', async () => {
    const idle = heldSleep();
    const clockUs = () => engine.db.nowUs();
    const pollMs = 600_000;
    const worker = startWorker({
      db: engine.db,
      router: routerWith(clockUs),
      clockUs,
      pollIntervalMs: pollMs,
      sleep: idle.sleep,
    });
    try {
      await eventually(async () => idle.calls.length === 1, 10_000, 'the first idle sleep');
      expect(idle.calls[0]?.ms).toBe(pollMs);
      // Stored without a signal: only the end of the sleep lets the worker find it.
      const { accountId, sending } = await storedSending(engine.db, ['37126123450']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await statusOf(engine.db, accountId, sending.id)).toBe('Pending');
      idle.calls[0]?.end();
      await eventually(
        async () => (await statusOf(engine.db, accountId, sending.id)) !== 'Pending',
        10_000,
        'the hand-over',
      );
      await eventually(async () => idle.calls.length >= 2, 10_000, 'the next idle sleep');
    } finally {
      await worker.stop();
    }
    expect(idle.calls.every((c) => c.ended)).toBe(true);
  });
});
