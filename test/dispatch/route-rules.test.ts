// The operator's route table: its rules as stored, and the worker routing by them, recording the rule of each message.
import { expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { NO_QUALITY_THRESHOLDS } from '../../src/domain/routing.js';
import type { Db } from '../../src/store/db.js';
import {
  addRouteRule,
  listRouteRules,
  moveRouteRule,
  type RouteRuleFields,
  removeRouteRule,
  routeTableVersion,
  updateRouteRule,
} from '../../src/store/route-rules.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, sendingOf, storedSending } from './support.js';

const ANYTHING: RouteRuleFields = {
  mcc: null,
  mnc: null,
  prefix: null,
  accountId: null,
  sendingType: null,
  senderKind: null,
  strategy: 'failover',
  providers: ['sandbox'],
  quality: NO_QUALITY_THRESHOLDS,
  loss: 'send',
};

/** A provider that accepts everything and remembers the numbers it was given. */
function acceptingProvider(name: string): { adapter: ProviderAdapter; numbers: string[] } {
  const numbers: string[] = [];
  return {
    numbers,
    adapter: {
      name,
      submitBatchMax: 50,
      async submit(batch) {
        return batch.map((m) => {
          numbers.push(m.recipient);
          return { accepted: `${name}-${m.reference}` };
        });
      },
    },
  };
}

async function routedAs(db: Db, sendingId: number): Promise<{ provider: string | null; rule: number | null }[]> {
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['provider', 'route_rule_id'])
    .where('sending_id', '=', sendingId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ provider: r.provider, rule: r.route_rule_id === null ? null : Number(r.route_rule_id) }));
}

async function ruleIds(db: Db): Promise<number[]> {
  return (await listRouteRules(db)).map((r) => r.id);
}

async function removeAllButDefault(db: Db): Promise<void> {
  for (const rule of await listRouteRules(db)) if (!rule.isDefault) await removeRouteRule(db, rule.id);
  const fallback = (await listRouteRules(db)).find((r) => r.isDefault);
  if (fallback) await updateRouteRule(db, fallback.id, { ...ANYTHING, providers: [] });
}

describeEachEngine('route rules', (engine) => {
  it('keep their order through add, move and remove, the default rule last and kept, the version moving', async () => {
    const db = engine.db;
    const [fallback] = await listRouteRules(db);
    expect(fallback).toMatchObject({ isDefault: true, providers: [], strategy: 'failover' });
    const v0 = await routeTableVersion(db);
    const a = await addRouteRule(db, { ...ANYTHING, mcc: '247' });
    const b = await addRouteRule(db, { ...ANYTHING, mcc: '248', mnc: '01', strategy: 'fixed' });
    const c = await addRouteRule(db, { ...ANYTHING, prefix: '44' }, 1);
    if (!(a.ok && b.ok && c.ok)) throw new Error('rules refused');
    expect(await routeTableVersion(db)).toBe(v0 + 3);
    expect(await ruleIds(db)).toEqual([c.rule.id, a.rule.id, b.rule.id, fallback?.id]);
    expect((await listRouteRules(db)).map((r) => r.position).slice(0, 3)).toEqual([1, 2, 3]);

    expect((await moveRouteRule(db, c.rule.id, 3)).ok).toBe(true);
    expect(await ruleIds(db)).toEqual([a.rule.id, b.rule.id, c.rule.id, fallback?.id]);
    expect((await moveRouteRule(db, c.rule.id, 99)).ok).toBe(true);
    expect((await moveRouteRule(db, b.rule.id, 1)).ok).toBe(true);
    expect(await ruleIds(db)).toEqual([b.rule.id, a.rule.id, c.rule.id, fallback?.id]);

    expect(await removeRouteRule(db, fallback?.id ?? 0)).toMatchObject({ ok: false, reason: 'default-rule' });
    expect(await moveRouteRule(db, fallback?.id ?? 0, 1)).toMatchObject({ ok: false, reason: 'default-rule' });
    expect((await removeRouteRule(db, a.rule.id)).ok).toBe(true);
    expect(await ruleIds(db)).toEqual([b.rule.id, c.rule.id, fallback?.id]);
    expect((await listRouteRules(db)).map((r) => r.position).slice(0, 2)).toEqual([1, 2]);
    expect(await removeRouteRule(db, a.rule.id)).toMatchObject({ ok: false, reason: 'not-found' });

    // The default rule takes new providers and strategy, but keeps matching everything.
    const edited = await updateRouteRule(db, fallback?.id ?? 0, { ...ANYTHING, mcc: '247', providers: ['sandbox'] });
    expect(edited).toMatchObject({ ok: true, rule: { isDefault: true, mcc: null, providers: ['sandbox'] } });
    expect(await addRouteRule(db, { ...ANYTHING, strategy: 'fixed', providers: ['a', 'b'] })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(await addRouteRule(db, { ...ANYTHING, accountId: 999_999 })).toMatchObject({
      ok: false,
      problem: 'there is no account 999999',
    });
    await removeAllButDefault(db);
  });

  it('send each message where the first matching rule says, recording the rule, and follow a change at once', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const alpha = acceptingProvider('alpha');
    const router = routerWith(clock.clockUs, { adapters: [alpha.adapter] });
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs });
    const latvia = await addRouteRule(db, { ...ANYTHING, mcc: '247', strategy: 'fixed', providers: ['alpha'] });
    const fallback = (await listRouteRules(db)).find((r) => r.isDefault);
    if (!latvia.ok || !fallback) throw new Error('no rules');
    await updateRouteRule(db, fallback.id, { ...ANYTHING, providers: ['sandbox'] });

    const lv = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)], { mcc: '247' });
    const ee = await storedSending(db, ['3725000009'], { mcc: '248', mnc: '01' });
    await dispatcher.runUntilIdle();
    expect(await routedAs(db, lv.sending.id)).toEqual([
      { provider: 'alpha', rule: latvia.rule.id },
      { provider: 'alpha', rule: latvia.rule.id },
    ]);
    expect(await routedAs(db, ee.sending.id)).toEqual([{ provider: 'sandbox', rule: fallback.id }]);
    expect(alpha.numbers.sort()).toEqual([numberEndingWith('0009', 1), numberEndingWith('0009', 2)]);

    // Removed: the very next lease of this worker routes Latvia by the default rule.
    await removeRouteRule(db, latvia.rule.id);
    const later = await storedSending(db, [numberEndingWith('0009', 3)], { mcc: '247' });
    await dispatcher.runUntilIdle();
    expect(await routedAs(db, later.sending.id)).toEqual([{ provider: 'sandbox', rule: fallback.id }]);
    expect(alpha.numbers).toHaveLength(2);
    await removeAllButDefault(db);
  });

  it('route by number prefix and account before the country, and a named type past every rule', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const alpha = acceptingProvider('alpha');
    const beta = acceptingProvider('beta');
    const infobip = acceptingProvider('infobip');
    const router = routerWith(clock.clockUs, { adapters: [alpha.adapter, beta.adapter, infobip.adapter] });
    const dispatcher = createDispatcher({ db, router, clockUs: clock.clockUs });
    const country = await addRouteRule(db, { ...ANYTHING, mcc: '247', providers: ['alpha'] });
    const byNumber = await addRouteRule(db, { ...ANYTHING, prefix: '3712001', providers: ['beta'] }, 1);
    if (!country.ok || !byNumber.ok) throw new Error('no rules');
    const mixed = await storedSending(db, [numberEndingWith('0009', 1), numberEndingWith('0009', 2)], {
      mcc: '247',
      extraBalanceMinor: 100_000,
    });
    const named = await storedSending(db, [numberEndingWith('0009', 1)], { mcc: '247', type: 'infobip' });
    await dispatcher.runUntilIdle();
    expect(await routedAs(db, mixed.sending.id)).toEqual([
      { provider: 'beta', rule: byNumber.rule.id },
      { provider: 'alpha', rule: country.rule.id },
    ]);
    expect(await routedAs(db, named.sending.id)).toEqual([{ provider: 'infobip', rule: null }]);

    // A rule of the sending's account, moved first, wins for that account only.
    const own = await addRouteRule(db, { ...ANYTHING, accountId: mixed.accountId, providers: ['sandbox'] }, 1);
    if (!own.ok) throw new Error('no rule');
    const again = (await sendingOf(db, mixed.accountId, [numberEndingWith('0009', 1)], { mcc: '247' })).id;
    const other = await storedSending(db, [numberEndingWith('0009', 1)], { mcc: '247' });
    await dispatcher.runUntilIdle();
    expect(await routedAs(db, again)).toEqual([{ provider: 'sandbox', rule: own.rule.id }]);
    expect(await routedAs(db, other.sending.id)).toEqual([{ provider: 'beta', rule: byNumber.rule.id }]);
    await removeAllButDefault(db);
  });
  it("records a lease's choices of several providers and rules in the one statement that writes the lease", async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const clock = fakeClock();
    const alpha = acceptingProvider('alpha');
    const router = routerWith(clock.clockUs, { adapters: [alpha.adapter] });
    const country = await addRouteRule(db, { ...ANYTHING, mcc: '247', providers: ['alpha'] });
    const byNumber = await addRouteRule(db, { ...ANYTHING, prefix: '3712001' }, 1);
    if (!country.ok || !byNumber.ok) throw new Error('no rules');
    const recipients = Array.from({ length: 60 }, (_, i) => numberEndingWith(String(1000 + i), i % 2 === 0 ? 1 : 2));
    const { sending } = await storedSending(db, recipients, { mcc: '247' });
    statements.length = 0;
    await createDispatcher({ db, router, clockUs: clock.clockUs }).runUntilIdle();
    const routed = await routedAs(db, sending.id);
    expect(routed.filter((r) => r.rule === byNumber.rule.id && r.provider === 'sandbox')).toHaveLength(30);
    expect(routed.filter((r) => r.rule === country.rule.id && r.provider === 'alpha')).toHaveLength(30);
    // One lease of the 60 messages: one statement per (provider, rule) writes the lease with its choice; no row twice.
    const writes = statements.filter((text) => /^\s*update messages\b/i.test(text));
    expect(writes.filter((text) => /lease_owner/.test(text) && /route_rule_id/.test(text))).toHaveLength(2);
    expect(writes.filter((text) => !/lease_owner/.test(text) && /route_rule_id/.test(text))).toHaveLength(0);
    await removeAllButDefault(db);
  });
});
