// Provider circuit breakers: their states on a fake clock, and how the router and the dispatcher route around them.
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter, SubmitResult } from '../../src/dispatch/provider.js';
import { type CircuitChange, ProviderHealth } from '../../src/dispatch/provider-health.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher, type DispatchLogger } from '../../src/dispatch/worker.js';
import { getBalance } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

const POLICY = {
  failuresToOpen: 3,
  failureWindowMs: 10_000,
  coolDownBaseMs: 1_000,
  coolDownCapMs: 5_000,
  probeMessagesMax: 4,
  probeWaitMs: 500,
};

/** A provider whose answer the test switches, counting calls and messages per reference. */
function switchableProvider(name: string, submitBatchMax = 50) {
  let up = true;
  const calls: number[] = [];
  const byReference = new Map<string, number>();
  const adapter: ProviderAdapter = {
    name,
    submitBatchMax,
    async submit(batch) {
      calls.push(batch.length);
      return batch.map((m): SubmitResult => {
        byReference.set(m.reference, (byReference.get(m.reference) ?? 0) + 1);
        return up
          ? { accepted: `${name}-${m.reference}` }
          : { failed: true, retryable: true, error: `${name} is down` };
      });
    },
  };
  return {
    adapter,
    calls,
    byReference,
    setUp(value: boolean) {
      up = value;
    },
  };
}

function recordingLogger(): DispatchLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const push = (fields: object, message: string) => {
    const f = fields as { provider?: string; to?: string };
    if (f.to) lines.push(`${f.provider} ${f.to}`);
    else void message;
  };
  return { lines, info: push, warn: push, error: push };
}

describe('a provider circuit', () => {
  function circuits() {
    const clock = fakeClock();
    const changes: string[] = [];
    const health = new ProviderHealth({ clockUs: clock.clockUs, policy: POLICY });
    health.onChange((c: CircuitChange) =>
      changes.push(`${c.from}->${c.to}${c.coolDownMs ? ` ${c.coolDownMs}ms` : ''}`),
    );
    const fail = () => health.pass('p', 10).settle('down', 'HTTP 503');
    return { clock, changes, health, fail };
  }

  it('opens after N failed calls in a row, and a success in between starts the count again', () => {
    const { health, fail, changes } = circuits();
    fail();
    fail();
    health.pass('p', 10).settle('up');
    fail();
    fail();
    expect(health.state('p')).toBe('closed');
    expect(health.snapshot()[0]?.consecutiveFailures).toBe(2);
    fail();
    expect(health.state('p')).toBe('open');
    expect(health.routable('p')).toBe(false);
    expect(health.pass('p', 10).messages).toBe(0);
    expect(changes).toEqual(['closed->open 1000ms']);
    expect(health.snapshot()[0]).toMatchObject({ state: 'open', opens: 1, lastError: 'HTTP 503' });
  });

  it('counts only failures within the window of the first', () => {
    const { health, fail, clock } = circuits();
    fail();
    fail();
    clock.advanceMs(10_001);
    fail();
    expect(health.state('p')).toBe('closed');
    fail();
    fail();
    expect(health.state('p')).toBe('open');
  });

  it('turns half-open after the cool-down, lets one probe batch through, and closes when it succeeds', () => {
    const { health, fail, clock, changes } = circuits();
    for (let i = 0; i < 3; i++) fail();
    clock.advanceMs(999);
    expect(health.state('p')).toBe('open');
    expect(health.heldUntilUs('p')).toBe(clock.clockUs() + 1_000);
    clock.advanceMs(1);
    expect(health.routable('p')).toBe(true);
    expect(health.state('p')).toBe('half-open');
    const probe = health.pass('p', 50);
    expect([probe.messages, probe.probe]).toEqual([4, true]);
    // While the probe is out, nothing else goes and routes look elsewhere.
    expect(health.pass('p', 50).messages).toBe(0);
    expect(health.routable('p')).toBe(false);
    expect(health.heldUntilUs('p')).toBe(clock.clockUs() + 500_000);
    probe.settle('up');
    expect(health.state('p')).toBe('closed');
    expect(health.pass('p', 50).messages).toBe(50);
    expect(changes).toEqual(['closed->open 1000ms', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens with a doubled cool-down after a failed probe, up to the cap, and starts from the base once closed', () => {
    const { health, fail, clock, changes } = circuits();
    for (let i = 0; i < 3; i++) fail();
    const coolDowns = [];
    for (let i = 0; i < 4; i++) {
      const { coolDownMs } = health.snapshot()[0] ?? { coolDownMs: 0 };
      coolDowns.push(coolDownMs);
      clock.advanceMs(coolDownMs);
      health.pass('p', 10).settle('down', 'connection refused');
    }
    expect(coolDowns).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(health.snapshot()[0]).toMatchObject({ state: 'open', coolDownMs: 5_000, opens: 5 });
    clock.advanceMs(5_000);
    health.pass('p', 10).settle('up');
    for (let i = 0; i < 3; i++) fail();
    expect(health.snapshot()[0]).toMatchObject({ state: 'open', coolDownMs: 1_000 });
    expect(changes.filter((c) => c.startsWith('half-open->open'))).toEqual([
      'half-open->open 2000ms',
      'half-open->open 4000ms',
      'half-open->open 5000ms',
      'half-open->open 5000ms',
    ]);
  });

  it('ignores what a call given leave before the circuit changed says afterwards, and a probe never made', () => {
    const { health, fail, clock } = circuits();
    const slow = health.pass('p', 10);
    for (let i = 0; i < 3; i++) fail();
    slow.settle('up');
    expect(health.state('p')).toBe('open');
    clock.advanceMs(1_000);
    // A probe batch that could not even be built frees the probe without a verdict.
    health.pass('p', 10).settle(null);
    expect([health.state('p'), health.routable('p')]).toEqual(['half-open', true]);
  });
});

describe('the router and open circuits', () => {
  const names = ['alpha', 'beta', 'infobip'];
  const clock = fakeClock();
  const registry = createRegistry({
    clockUs: clock.clockUs,
    adapters: names.map((name) => switchableProvider(name).adapter),
  });
  const router = createRouter(
    registry,
    { routes: [{ mcc: '247', providers: ['alpha', 'beta'] }], defaultProviders: ['infobip', 'alpha'] },
    { clockUs: clock.clockUs, circuit: POLICY },
  );
  const open = (name: string) => {
    for (let i = 0; i < POLICY.failuresToOpen; i++) router.circuits.pass(name, 1).settle('down', 'down');
  };
  const lmt = { type: 'default' as const, mcc: '247', mnc: '01' };

  it('skips an open provider for default traffic but keeps it for its own type', () => {
    expect([1, 2].map((attempt) => router.providerFor(lmt, attempt))).toEqual(['alpha', 'beta']);
    open('alpha');
    expect([1, 2].map((attempt) => router.providerFor(lmt, attempt))).toEqual(['beta', 'beta']);
    open('infobip');
    // Every provider of the default route open: the route as configured, the worker holds the messages back.
    const elsewhere = { type: 'default' as const, mcc: '248', mnc: '01' };
    expect([1, 2].map((attempt) => router.providerFor(elsewhere, attempt))).toEqual(['infobip', 'alpha']);
    expect(router.providerFor({ type: 'infobip', mcc: '247', mnc: '01' }, 1)).toBe('infobip');
    expect(router.providersFor({ type: 'infobip', mcc: '247', mnc: '01' })).toEqual(['infobip']);
    // The configured list does not change with health.
    expect(router.providersFor(lmt)).toEqual(['alpha', 'beta']);
    expect(router.health().map((h) => [h.provider, h.state])).toEqual([
      ['alpha', 'open'],
      ['beta', 'closed'],
      ['infobip', 'open'],
    ]);
    clock.advanceMs(POLICY.coolDownBaseMs);
    // Half-open with its probe not yet taken: back in the route, so that traffic can probe it.
    expect(router.providerFor(lmt, 1)).toBe('alpha');
  });
});

describeEachEngine('dispatch around open circuits', (engine) => {
  it('moves default traffic to the next provider once the first is open, and back after a good probe', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const alpha = switchableProvider('alpha', 5);
    const beta = switchableProvider('beta', 5);
    alpha.setUp(false);
    const router = routerWith(clock.clockUs, {
      adapters: [alpha.adapter, beta.adapter],
      table: { routes: [], defaultProviders: ['alpha', 'beta'] },
      circuit: POLICY,
    });
    const logger = recordingLogger();
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, batchSize: 5, concurrency: 1, logger });
    const first = await storedSending(
      db,
      Array.from({ length: 40 }, (_, i) => numberEndingWith('0009', i)),
    );
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, first.accountId, first.sending.id)).toBe('Processing');
    // Three refused batches open alpha's circuit; their messages went to beta at once, the rest straight there.
    expect(alpha.calls).toEqual([5, 5, 5]);
    const messages = await listMessages(db, first.accountId, first.sending.id, { page: 1, perPage: 100 });
    expect(messages.every((m) => m.provider === 'beta' && m.status === 'submitted')).toBe(true);
    expect(messages.filter((m) => m.attempts === 2)).toHaveLength(15);
    expect(messages.filter((m) => m.attempts === 1)).toHaveLength(25);
    expect([...beta.byReference.values()].every((n) => n === 1)).toBe(true);
    expect(beta.byReference.size).toBe(40);
    expect(logger.lines).toEqual(['alpha open']);

    // After the cool-down alpha is up again: a probe of at most four messages closes the circuit.
    alpha.setUp(true);
    clock.advanceMs(POLICY.coolDownBaseMs);
    const second = await storedSending(
      db,
      Array.from({ length: 40 }, (_, i) => numberEndingWith('0019', i)),
    );
    await dispatcher.runUntilIdle();
    expect(alpha.calls.slice(3, 4)).toEqual([4]);
    expect(router.health().find((h) => h.provider === 'alpha')?.state).toBe('closed');
    expect(logger.lines).toEqual(['alpha open', 'alpha half-open', 'alpha closed']);
    const after = await listMessages(db, second.accountId, second.sending.id, { page: 1, perPage: 100 });
    expect(after.every((m) => m.status === 'submitted' && m.attempts === 1)).toBe(true);
    // Nobody was given a message twice.
    expect([...alpha.byReference.values(), ...beta.byReference.values()].every((n) => n === 1)).toBe(true);
    const sentTo = new Map(after.map((m) => [String(m.id), m.provider]));
    for (const reference of alpha.byReference.keys()) {
      if (sentTo.has(reference)) expect(sentTo.get(reference)).toBe('alpha');
    }
  });

  it('holds a named type while its provider is open, never moving it, and sends it after a good probe', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const infobip = switchableProvider('infobip');
    const beta = switchableProvider('beta');
    infobip.setUp(false);
    const router = routerWith(clock.clockUs, {
      adapters: [infobip.adapter, beta.adapter],
      table: { routes: [], defaultProviders: ['infobip', 'beta'] },
      circuit: { ...POLICY, failuresToOpen: 2, coolDownBaseMs: 10_000, coolDownCapMs: 60_000 },
    });
    const dispatcher = createDispatcher({
      db,
      router,
      clockUs: clock.clockUs,
      retry: { attemptsMax: 5, backoffBaseMs: 1_000, backoffCapMs: 60_000 },
    });
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')], { type: 'infobip' });
    const message = async () => (await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 }))[0];

    await dispatcher.runUntilIdle(); // attempt 1 refused: backoff 1 s
    clock.advanceMs(1_000);
    await dispatcher.runUntilIdle(); // attempt 2 refused: the circuit opens for 10 s; backoff 2 s
    expect(router.circuits.state('infobip')).toBe('open');
    clock.advanceMs(2_000);
    await dispatcher.runUntilIdle(); // attempt 3 held back, not sent, until the cool-down ends
    expect(infobip.calls).toHaveLength(2);
    expect(await message()).toMatchObject({
      status: 'queued',
      provider: 'infobip',
      attempts: 3,
      error: 'infobip: not sent, its circuit is open',
    });
    clock.advanceMs(7_999);
    await dispatcher.runUntilIdle();
    expect(infobip.calls).toHaveLength(2);
    infobip.setUp(true);
    clock.advanceMs(1);
    await dispatcher.runUntilIdle(); // attempt 4 is the probe: accepted, the circuit closes
    expect(infobip.calls).toHaveLength(3);
    expect(await message()).toMatchObject({ status: 'submitted', provider: 'infobip', attempts: 4 });
    expect(beta.calls).toEqual([]);
    expect(router.circuits.state('infobip')).toBe('closed');
  });

  it('fails, refunded, a named type whose provider stays open past its attempts', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const infobip = switchableProvider('infobip');
    infobip.setUp(false);
    const router = routerWith(clock.clockUs, {
      adapters: [infobip.adapter],
      circuit: { ...POLICY, failuresToOpen: 1, coolDownBaseMs: 60_000, coolDownCapMs: 60_000 },
    });
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, retry: { attemptsMax: 2 } });
    const { accountId, sending, totalMinor } = await storedSending(db, [numberEndingWith('0009')], {
      type: 'infobip',
    });
    await dispatcher.runUntilIdle(); // attempt 1 refused: the circuit opens for a minute
    clock.advanceMs(30_000);
    await dispatcher.runUntilIdle(); // attempt 2 held back, and it was the last
    expect(infobip.calls).toEqual([1]);
    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.status, message?.error]).toEqual([
      'failed',
      'infobip: not sent, its circuit is open (after 2 attempts)',
    ]);
    expect(await statusOf(db, accountId, sending.id)).toBe('Failed');
    expect(await getBalance(db, accountId)).toBe(totalMinor);
  });
});
