// Routing and failover, and hand-overs whose outcome was lost: rechecked, never sent twice.
import { describe, expect, it } from 'vitest';
import { HAND_OVER_UNCONFIRMED } from '../../src/dispatch/outcomes.js';
import {
  messageReference,
  type ProviderAdapter,
  type RecheckResult,
  type SubmitResult,
} from '../../src/dispatch/provider.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { dispatchCounts } from '../../src/store/dispatch-queue.js';
import { readInstallationId } from '../../src/store/installation.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

/** A scripted provider that counts its calls per reference. */
function fakeProvider(
  name: string,
  answer: (reference: string, attempt: number) => SubmitResult | 'throw-after-accepting',
  options: { readonly recheck?: (reference: string, accepted: boolean) => RecheckResult } = {},
) {
  const calls = new Map<string, number>();
  const accepted = new Set<string>();
  const adapter: ProviderAdapter = {
    name,
    submitBatchMax: 50,
    async submit(batch) {
      let lost = false;
      const results = batch.map((m) => {
        calls.set(m.reference, (calls.get(m.reference) ?? 0) + 1);
        const result = answer(m.reference, m.attempt);
        if (result === 'throw-after-accepting') {
          accepted.add(m.reference);
          lost = true;
          return { accepted: `${name}-${m.reference}` };
        }
        if ('accepted' in result) accepted.add(m.reference);
        return result;
      });
      if (lost) throw new Error('socket hang up');
      return results;
    },
    ...(options.recheck && {
      recheck: async (references: readonly string[]) =>
        references.map((r) => options.recheck?.(r, accepted.has(r)) ?? { unknown: true as const }),
    }),
  };
  return { adapter, calls };
}

describe('router', () => {
  const registry = createRegistry({
    clockUs: () => 0,
    adapters: ['alpha', 'beta', 'gamma', 'infobip'].map(
      (name) => fakeProvider(name, () => ({ accepted: name })).adapter,
    ),
  });
  const router = createRouter(registry, {
    routes: [
      { mcc: '247', mnc: '01', providers: ['alpha', 'beta'] },
      { mcc: '247', providers: ['gamma'] },
      { mcc: '247', mnc: '01', providers: ['gamma'] },
    ],
    defaultProviders: ['sandbox', 'beta'],
  });

  it('matches the network first, then the country, then the default route, and cycles through the list', () => {
    const lmt = { type: 'default' as const, mcc: '247', mnc: '01' };
    expect([1, 2, 3].map((attempt) => router.providerFor(lmt, attempt))).toEqual(['alpha', 'beta', 'alpha']);
    expect(router.providersFor({ type: 'default', mcc: '247', mnc: '02' })).toEqual(['gamma']);
    expect(router.providersFor({ type: 'default', mcc: '247', mnc: null })).toEqual(['gamma']);
    expect(router.providersFor({ type: 'default', mcc: '248', mnc: '01' })).toEqual(['sandbox', 'beta']);
    expect(router.providersFor({ type: 'default', mcc: null, mnc: null })).toEqual(['sandbox', 'beta']);
  });

  it('sends a named type to that provider only, and nowhere when it is not configured', () => {
    expect(router.providersFor({ type: 'infobip', mcc: '247', mnc: '01' })).toEqual(['infobip']);
    expect(router.providerFor({ type: 'twilio', mcc: '247', mnc: '01' }, 1)).toBeNull();
  });

  it('refuses a table that names a provider nobody configured', () => {
    expect(() => createRouter(registry, { routes: [], defaultProviders: ['messente'] })).toThrow(/messente/);
  });

  it('routes to the sandbox only when no real provider is configured', () => {
    const plain = createRegistry({ clockUs: () => 0 });
    expect(createRouter(plain).providersFor({ type: 'default', mcc: '247', mnc: '01' })).toEqual(['sandbox']);
    // A configured provider takes the platform route; the sandbox is never mixed in with real providers.
    const configured = createRegistry({
      clockUs: () => 0,
      providers: { infobip: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k' } },
    });
    expect(configured.unavailable).toEqual([]);
    expect(createRouter(configured).providersFor({ type: 'default', mcc: '247', mnc: '01' })).toEqual(['infobip']);
    // SMPP_URL configures the platform route over SMPP (the binds open on first use).
    const smpp = createRegistry({ clockUs: () => 0, providers: { smpp: { url: 'smpp://a:b@127.0.0.1:2775' } } });
    expect(smpp.unavailable).toEqual([]);
    expect(createRouter(smpp).providersFor({ type: 'default', mcc: '247', mnc: '01' })).toEqual(['smpp']);
    const infobip = fakeProvider('infobip', () => ({ accepted: 'x' })).adapter;
    const real = createRegistry({ clockUs: () => 0, adapters: [infobip] });
    expect(createRouter(real).providersFor({ type: 'default', mcc: null, mnc: null })).toEqual(['infobip']);
  });
});

describeEachEngine('routing and lost outcomes', (engine) => {
  it('fails over to the next provider of the route at once when one refuses retryably', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const alpha = fakeProvider('alpha', () => ({ failed: true, retryable: true, error: 'alpha is down' }));
    const beta = fakeProvider('beta', (reference) => ({ accepted: `beta-${reference}` }));
    const router = routerWith(clock.clockUs, {
      adapters: [alpha.adapter, beta.adapter],
      table: { routes: [{ mcc: '247', providers: ['alpha', 'beta'] }], defaultProviders: ['sandbox'] },
    });
    const { accountId, sending } = await storedSending(
      db,
      [1, 2, 3].map((i) => numberEndingWith('0009', i)),
    );
    await createDispatcher({ db, router, clockUs: clock.clockUs }).runUntilIdle();

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(messages.map((m) => [m.provider, m.status, m.attempts])).toEqual([
      ['beta', 'submitted', 2],
      ['beta', 'submitted', 2],
      ['beta', 'submitted', 2],
    ]);
    expect([...alpha.calls.values()]).toEqual([1, 1, 1]);
    expect([...beta.calls.values()]).toEqual([1, 1, 1]);
  });

  it('routes by network, country and default route as the lease records it', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const beta = fakeProvider('beta', (reference) => ({ accepted: `beta-${reference}` }));
    const gamma = fakeProvider('gamma', (reference) => ({ accepted: `gamma-${reference}` }));
    const router = routerWith(clock.clockUs, {
      adapters: [beta.adapter, gamma.adapter],
      table: {
        routes: [
          { mcc: '247', mnc: '01', providers: ['beta'] },
          { mcc: '247', providers: ['gamma'] },
        ],
        defaultProviders: ['sandbox'],
      },
    });
    const lmt = await storedSending(db, [numberEndingWith('0009', 1)], { mcc: '247', mnc: '01' });
    const tele2 = await storedSending(db, [numberEndingWith('0009', 2)], { mcc: '247', mnc: '02' });
    const elsewhere = await storedSending(db, [numberEndingWith('0009', 3)], { mcc: '248', mnc: null });
    await createDispatcher({ db, router, clockUs: clock.clockUs }).runUntilIdle();
    const providerOf = async (s: typeof lmt) =>
      (await listMessages(db, s.accountId, s.sending.id, { page: 1, perPage: 1 }))[0]?.provider;
    expect([await providerOf(lmt), await providerOf(tele2), await providerOf(elsewhere)]).toEqual([
      'beta',
      'gamma',
      'sandbox',
    ]);
  });

  it('retries a named provider with backoff and no failover, then fails and refunds', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const infobip = fakeProvider('infobip', () => ({ failed: true, retryable: true, error: 'HTTP 503' }));
    const router = routerWith(clock.clockUs, { adapters: [infobip.adapter] });
    const { accountId, sending, totalMinor } = await storedSending(db, [numberEndingWith('0009')], {
      type: 'infobip',
      taxMinor: 10,
    });
    const dispatcher = createDispatcher({
      db,
      router,
      clockUs: clock.clockUs,
      retry: { attemptsMax: 3, backoffBaseMs: 1_000, backoffCapMs: 10_000 },
    });
    await dispatcher.runUntilIdle();
    clock.advanceMs(999);
    await dispatcher.runUntilIdle();
    expect([...infobip.calls.values()]).toEqual([1]);
    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    expect([...infobip.calls.values()]).toEqual([2]);
    clock.advanceMs(2_000);
    await dispatcher.runUntilIdle();

    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.provider, message?.status, message?.attempts, message?.error]).toEqual([
      'infobip',
      'failed',
      3,
      'HTTP 503 (after 3 attempts)',
    ]);
    expect(await statusOf(db, accountId, sending.id)).toBe('Failed');
    expect(await getBalance(db, accountId)).toBe(totalMinor);
  });

  it('fails at once, refunded, the messages of a type whose provider is not configured', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending, totalMinor } = await storedSending(db, [numberEndingWith('0009')], { type: 'twilio' });
    await createDispatcher({ db, router: routerWith(clock.clockUs), clockUs: clock.clockUs }).runUntilIdle();
    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.status, message?.error]).toEqual(['failed', 'no provider is configured for type twilio']);
    expect(await statusOf(db, accountId, sending.id)).toBe('Failed');
    expect(await getBalance(db, accountId)).toBe(totalMinor);
  });

  it('asks the provider after a lost answer and records what it found, without sending again', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const lossy = fakeProvider('lossy', () => 'throw-after-accepting', {
      recheck: (reference, accepted) => (accepted ? { found: `lossy-${reference}` } : { absent: true }),
    });
    const router = routerWith(clock.clockUs, {
      adapters: [lossy.adapter],
      table: { routes: [], defaultProviders: ['lossy'] },
    });
    const { accountId, sending } = await storedSending(
      db,
      [1, 2].map((i) => numberEndingWith('0009', i)),
    );
    await createDispatcher({ db, router, clockUs: clock.clockUs }).runUntilIdle();
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    const installationId = await readInstallationId(db);
    const reference = (id: number | undefined) => messageReference(installationId, id ?? 0);
    expect(messages.map((m) => [m.status, m.providerMessageId, m.attempts])).toEqual([
      ['submitted', `lossy-${reference(messages[0]?.id)}`, 1],
      ['submitted', `lossy-${reference(messages[1]?.id)}`, 1],
    ]);
    expect([...lossy.calls.values()]).toEqual([1, 1]);
  });

  it('retries a lost hand-over the provider says it never got', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const flaky = fakeProvider(
      'flaky',
      (reference, attempt) => (attempt === 1 ? 'throw-after-accepting' : { accepted: `flaky-${reference}` }),
      { recheck: () => ({ absent: true }) },
    );
    const router = routerWith(clock.clockUs, {
      adapters: [flaky.adapter],
      table: { routes: [], defaultProviders: ['flaky'] },
    });
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009')]);
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, retry: { backoffBaseMs: 1_000 } });
    await dispatcher.runUntilIdle();
    clock.advanceMs(1_000);
    await dispatcher.runUntilIdle();
    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1 });
    expect([message?.status, message?.attempts]).toEqual(['submitted', 2]);
  });

  it('charges as handed over, never sending again, what a provider cannot confirm', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const mute = fakeProvider('mute', () => 'throw-after-accepting');
    const router = routerWith(clock.clockUs, {
      adapters: [mute.adapter],
      table: { routes: [], defaultProviders: ['mute'] },
    });
    const { accountId, sending } = await storedSending(
      db,
      [1, 2].map((i) => numberEndingWith('0009', i)),
    );
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs, reportWaitMaxMs: 60_000 });
    await dispatcher.runUntilIdle();
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(messages.map((m) => [m.status, m.providerMessageId, m.error, m.submittedAtUs !== null])).toEqual([
      ['submitted', null, HAND_OVER_UNCONFIRMED, true],
      ['submitted', null, HAND_OVER_UNCONFIRMED, true],
    ]);
    clock.advanceMs(60_000);
    await dispatcher.runUntilIdle();
    expect([...mute.calls.values()]).toEqual([1, 1]);
    expect((await dispatchCounts(db, sending.id)).byStatus).toEqual({ expired: 2 });
    expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
    expect(await getBalance(db, accountId)).toBe(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
