// Replaying traffic against a proposed route table or cost list: sendings run through the worker (sandbox), then the
// simulation shows what a proposal would have cost beside what happened, reconciles with the margin report, and
// writes nothing.
import { beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { routeTableFromJson } from '../../src/domain/route-simulation.js';
import {
  createRouteSimulationServices,
  proposedTableFromJson,
  simulateRoutes,
  tableWithRule,
} from '../../src/services/route-simulation.js';
import { createAccount } from '../../src/store/accounts.js';
import { US_PER_DAY } from '../../src/store/admin-views.js';
import type { Db } from '../../src/store/db.js';
import { QualityTally } from '../../src/store/delivery-quality.js';
import { credit } from '../../src/store/ledger.js';
import { marginReport } from '../../src/store/margins.js';
import { readCostBook, replaceCostList } from '../../src/store/provider-costs.js';
import { recordConversion } from '../../src/store/rates.js';
import { listRouteRules } from '../../src/store/route-rules.js';
import { handedOverMessages } from '../../src/store/route-simulation.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, RATE_MINOR, routerWith, sendingOf } from './support.js';

const KNOWN = ['sandbox', 'twilio', 'infobip'];
const DEPS = (db: Db) => ({ db, knownProviders: KNOWN, defaultProviders: ['sandbox'] });

const TABLES = [
  'messages',
  'sendings',
  'ledger_entries',
  'route_rules',
  'provider_cost_lists',
  'provider_costs',
  'delivery_quality',
] as const;

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of TABLES) {
    try {
      const row = await db.kysely
        .selectFrom(name as 'messages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      out[name] = Number(row.n);
    } catch {
      // A table this schema does not have.
    }
  }
  return out;
}

describeEachEngine('route simulation', (engine) => {
  let accountId: number;

  beforeAll(async () => {
    const db = engine.db;
    const account = await createAccount(db, { name: 'Replay Ltd', currency: 'GBP' });
    accountId = account.id;
    const credited = await credit(db, accountId, 10_000_000, 'opening balance');
    if (!credited.ok) throw new Error(credited.reason);
    // The sandbox: 0.1000 GBP a part to Latvia (247), 0.0500 to Estonia (248); twilio 0.0400 to Latvia.
    for (const [provider, rows] of [
      [
        'sandbox',
        [
          { mcc: '247', mnc: null, costMinor: 1_000 },
          { mcc: '248', mnc: null, costMinor: 500 },
        ],
      ],
      ['twilio', [{ mcc: '247', mnc: null, costMinor: 400 }]],
    ] as const) {
      const stored = await replaceCostList(db, provider, 'GBP', rows);
      expect(stored.ok).toBe(true);
    }
    // Three messages to Latvia (two parts each), two to Estonia.
    await sendingOf(
      db,
      accountId,
      ['0006', '0007', '0008'].map((s, i) => numberEndingWith(s, i)),
      { mcc: '247', mnc: '01', parts: 2 },
    );
    await sendingOf(
      db,
      accountId,
      ['0006', '0007'].map((s, i) => numberEndingWith(s, 10 + i)),
      { mcc: '248', mnc: '02' },
    );
    const clock = fakeClock(db.nowUs());
    const book = await readCostBook(db);
    await createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => book,
    }).runUntilIdle();
    // The quality books: twilio delivers 9 of 10 to Latvia, the sandbox 3 of 4.
    const tally = new QualityTally();
    const atUs = db.nowUs();
    for (let i = 0; i < 10; i++) tally.add({ provider: 'twilio', mcc: '247', atUs, delivered: i < 9, latencyUs: 1 });
    for (let i = 0; i < 4; i++) tally.add({ provider: 'sandbox', mcc: '247', atUs, delivered: i < 3, latencyUs: 1 });
    await db.transaction((trx) => tally.flush(trx, db.dialect));
  });

  it('shows the current table as it went, reconciled with the margin report', async () => {
    const db = engine.db;
    const result = await simulateRoutes(DEPS(db), { days: 7, rules: null, costs: [] });
    const [total] = result.totals;
    expect(result.totals).toHaveLength(1);
    expect(total?.currency).toBe('GBP');
    expect(total?.moved).toBe(0);
    expect(total?.actual).toEqual(total?.proposed);
    expect(total?.actual.messages).toBe(5);
    expect(total?.actual.costMinor).toBe(3 * 2 * 1_000 + 2 * 500);

    const today = Math.floor(db.nowUs() / US_PER_DAY);
    const margin = await marginReport(db, {
      fromUs: (today - 6) * US_PER_DAY,
      toUs: (today + 1) * US_PER_DAY,
      by: 'provider',
    });
    const sandbox = margin.find((row) => row.key === 'sandbox');
    const simulated = result.providers.find((row) => row.key === 'sandbox');
    expect(simulated?.actual).toMatchObject({
      messages: sandbox?.messages,
      revenueMinor: sandbox?.revenueMinor,
      costMinor: sandbox?.costMinor,
      costUnknown: sandbox?.costUnknown,
      marginMinor: sandbox?.marginMinor,
    });
    expect(total?.actual.revenueMinor).toBe(3 * 2 * RATE_MINOR + 2 * RATE_MINOR);
    // The quality books: the sandbox delivered its 5 reports, with 3 of 4 more in Latvia (6 of 7); mean of 3 × 6/7 and
    // 2 × 1 over the five messages.
    expect(total?.actual).toMatchObject({
      qualityKnown: 5,
      expectedDeliveryPpm: Math.floor((3 * 857_142 + 2 * 1_000_000) / 5),
    });
  });

  it('reads the messages page by page, each once, in (sending, message) order', async () => {
    const db = engine.db;
    const today = Math.floor(db.nowUs() / US_PER_DAY);
    const range = { fromUs: (today - 6) * US_PER_DAY, toUs: (today + 1) * US_PER_DAY, accountId: null };
    const pages: number[][] = [];
    for await (const page of handedOverMessages(db, { ...range, pageSize: 2 })) pages.push(page.map((m) => m.id));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all: number[] = [];
    for await (const page of handedOverMessages(db, range)) all.push(...page.map((m) => m.id));
    expect(pages.flat()).toEqual(all);
    expect(new Set(all).size).toBe(5);
    const none: number[] = [];
    for await (const page of handedOverMessages(db, { ...range, accountId: accountId + 1000 })) none.push(page.length);
    expect(none).toEqual([]);
  });

  it('moves Latvia to a cheaper provider: lower cost, higher margin, its delivery ratio; nothing written', async () => {
    const db = engine.db;
    const before = await rowCounts(db);
    const proposal = tableWithRule(await listRouteRules(db), null, {
      mcc: '247',
      mnc: null,
      prefix: null,
      accountId: null,
      sendingType: null,
      senderKind: null,
      strategy: 'fixed',
      providers: ['twilio'],
      quality: { minDeliveryPpm: null, maxLatencyMs: null, minReports: null },
      loss: 'send',
    });
    const result = await simulateRoutes(DEPS(db), { days: 7, rules: proposal, costs: [] });
    const [total] = result.totals;
    expect(total?.moved).toBe(3);
    expect(total?.actual.costMinor).toBe(7_000);
    expect(total?.proposed.costMinor).toBe(3 * 2 * 400 + 2 * 500);
    expect(total?.proposed.marginMinor).toBe((total?.actual.marginMinor ?? 0) + 7_000 - 3_400);
    expect(total?.proposed.revenueMinor).toBe(total?.actual.revenueMinor);
    const twilio = result.providers.find((row) => row.key === 'twilio');
    expect(twilio?.actual.messages).toBe(0);
    expect(twilio?.proposed).toMatchObject({ messages: 3, costMinor: 2_400, expectedDeliveryPpm: 900_000 });
    expect(result.providers.find((row) => row.key === 'sandbox')?.proposed.messages).toBe(2);
    expect(await rowCounts(db)).toEqual(before);
  });

  it('a proposed cost list changes the cost; least cost follows proposed costs', async () => {
    const db = engine.db;
    const dearer = { provider: 'sandbox', currency: 'GBP', rows: [{ mcc: '247', mnc: null, costMinor: 1_500 }] };
    const result = await simulateRoutes(DEPS(db), { days: 7, rules: null, costs: [dearer] });
    const [total] = result.totals;
    // Latvia at 0.15 a part; Estonia is not in the proposed list: its cost becomes unknown.
    expect(total?.proposed).toMatchObject({ costMinor: 3 * 2 * 1_500, costUnknown: 2 });
    expect(total?.moved).toBe(0);

    const read = routeTableFromJson(
      JSON.stringify({ routes: [{ strategy: 'least_cost', providers: ['sandbox', 'twilio'], default: true }] }),
      KNOWN,
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const cheaperSandbox = { provider: 'sandbox', currency: 'GBP', rows: [{ mcc: '247', mnc: null, costMinor: 100 }] };
    const current = await simulateRoutes(DEPS(db), { days: 7, rules: read.rules, costs: [] });
    expect(current.totals[0]?.moved).toBe(3);
    const proposed = await simulateRoutes(DEPS(db), { days: 7, rules: read.rules, costs: [cheaperSandbox] });
    expect(proposed.totals[0]?.moved).toBe(0);
    expect(proposed.totals[0]?.proposed.costMinor).toBe(3 * 2 * 100);
  });

  it('refuses bad proposals with the reason', async () => {
    const db = engine.db;
    await expect(proposedTableFromJson(DEPS(db), '{')).resolves.toMatchObject({ ok: false, field: 'rules' });
    await expect(
      proposedTableFromJson(DEPS(db), JSON.stringify([{ mcc: '24', strategy: 'fixed', providers: ['sandbox'] }])),
    ).resolves.toEqual({ ok: false, field: 'rules', problem: 'rule 1: an MCC is 3 digits' });
    await expect(
      proposedTableFromJson(DEPS(db), JSON.stringify([{ strategy: 'fixed', providers: ['nosuch'] }])),
    ).resolves.toMatchObject({ ok: false, problem: expect.stringContaining('unknown provider "nosuch"') });
    const services = createRouteSimulationServices(DEPS(db));
    const refused = await services.simulate({ days: '0', cost_provider: 'sandbox', csv: 'mcc,mnc,cost\n247,,abc\n' });
    expect(refused.ok).toBe(false);
    if (refused.ok || refused.kind !== 'invalid') return;
    expect(Object.keys(refused.errors.toJSON().errors ?? {}).sort()).toEqual(['csv', 'days']);
    const edited = await services.simulate({
      days: '7',
      rule: 'new',
      mcc: '247',
      strategy: 'fixed',
      providers: 'twilio',
    });
    expect(edited.ok && edited.value.totals[0]?.moved).toBe(3);
  });
});

describeEachEngine('route simulation across currencies', (engine) => {
  it("converts a proposed provider's cost at the rates the message recorded, not today's", async () => {
    const db = engine.db;
    expect((await recordConversion(db, 'EUR', { ratePpm: 1_140_000, rateDate: '2025-11-28' })).ok).toBe(true);
    const account = await createAccount(db, { name: 'Euro SIA', currency: 'EUR' });
    const credited = await credit(db, account.id, 10_000_000, 'opening balance');
    if (!credited.ok) throw new Error(credited.reason);
    expect((await replaceCostList(db, 'sandbox', 'GBP', [{ mcc: '247', mnc: null, costMinor: 1_000 }])).ok).toBe(true);
    expect((await replaceCostList(db, 'twilio', 'GBP', [{ mcc: '247', mnc: null, costMinor: 400 }])).ok).toBe(true);
    await sendingOf(
      db,
      account.id,
      ['0006', '0007'].map((s, i) => numberEndingWith(s, 30 + i)),
      { rateMinor: 5_000 },
    );
    const clock = fakeClock(db.nowUs());
    const book = await readCostBook(db);
    await createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => book,
    }).runUntilIdle();
    // The rate moves on after the messages went: 1 GBP = 1.50 EUR.
    expect((await recordConversion(db, 'EUR', { ratePpm: 1_500_000, rateDate: '2025-11-29' })).ok).toBe(true);

    const current = await simulateRoutes(DEPS(db), { days: 2, rules: null, costs: [] });
    // 0.1000 GBP at 1.14: 0.1140 EUR a message, as recorded.
    expect(current.totals[0]).toMatchObject({
      currency: 'EUR',
      actual: { costMinor: 2_280 },
      proposed: { costMinor: 2_280 },
    });
    const twilio = tableWithRule(await listRouteRules(db), null, {
      mcc: '247',
      mnc: null,
      prefix: null,
      accountId: null,
      sendingType: null,
      senderKind: null,
      strategy: 'fixed',
      providers: ['twilio'],
      quality: { minDeliveryPpm: null, maxLatencyMs: null, minReports: null },
      loss: 'send',
    });
    const moved = await simulateRoutes(DEPS(db), { days: 2, rules: twilio, costs: [] });
    // 0.0400 GBP at the recorded 1.14 (not today's 1.50): 0.0456 EUR a message.
    expect(moved.totals[0]).toMatchObject({ moved: 2, proposed: { costMinor: 912 } });
    // A proposed list in EUR needs no conversion.
    const euros = { provider: 'twilio', currency: 'EUR', rows: [{ mcc: '247', mnc: null, costMinor: 333 }] };
    const inEuros = await simulateRoutes(DEPS(db), { days: 2, rules: twilio, costs: [euros] });
    expect(inEuros.totals[0]).toMatchObject({ proposed: { costMinor: 666 } });
  });
});
