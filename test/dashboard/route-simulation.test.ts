// The Routes page's simulation API: the current table with a proposed rule or cost list, replayed over the last days'
// traffic; the comparison beside what happened, refusals that name the field, nothing written.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import type { RouteSimulationView } from '../../src/http/dashboard/contract.js';
import { createAccount } from '../../src/store/accounts.js';
import { credit } from '../../src/store/ledger.js';
import { readCostBook, replaceCostList } from '../../src/store/provider-costs.js';
import { fakeClock, numberEndingWith, routerWith, sendingOf } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard route simulation', (engine) => {
  let dash: DashboardApp;
  let admin: Browser;

  beforeAll(async () => {
    const db = engine.db;
    dash = await startDashboardApp(db);
    admin = await dash.admin();
    const account = await createAccount(db, { name: 'Simulated Ltd', currency: 'GBP' });
    const credited = await credit(db, account.id, 10_000_000, 'opening balance');
    if (!credited.ok) throw new Error(credited.reason);
    expect((await replaceCostList(db, 'sandbox', 'GBP', [{ mcc: '247', mnc: null, costMinor: 1_000 }])).ok).toBe(true);
    expect((await replaceCostList(db, 'twilio', 'GBP', [{ mcc: '247', mnc: null, costMinor: 300 }])).ok).toBe(true);
    await sendingOf(
      db,
      account.id,
      ['0006', '0007'].map((s, i) => numberEndingWith(s, 50 + i)),
    );
    const clock = fakeClock(db.nowUs());
    const book = await readCostBook(db);
    await createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => book,
    }).runUntilIdle();
  });
  afterAll(() => dash.close());

  const count = async (table: 'messages' | 'route_rules' | 'provider_costs') =>
    Number(
      (
        await engine.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('replays a new rule that moves Latvia to a cheaper provider, and a proposed cost list; writes nothing', async () => {
    const before = [await count('messages'), await count('route_rules'), await count('provider_costs')];
    const moved = await admin.json<RouteSimulationView>(
      admin.post('/app/api/admin/routes/simulate', {
        days: '7',
        rule: 'new',
        strategy: 'fixed',
        providers: 'twilio',
        mcc: '247',
      }),
    );
    expect(moved.totals).toEqual([
      expect.objectContaining({
        currency: 'GBP',
        sign: '£',
        moved: 2,
        actual: expect.objectContaining({ messages: 2, cost: '0.2000' }),
        proposed: expect.objectContaining({ messages: 2, cost: '0.0600' }),
      }),
    ]);
    const [total] = moved.totals;
    expect((total?.proposed.margin_minor ?? 0) - (total?.actual.margin_minor ?? 0)).toBe(1_400);
    expect(moved.providers.map((p) => [p.key, p.actual.messages, p.proposed.messages])).toEqual([
      ['sandbox', 2, 0],
      ['twilio', 0, 2],
    ]);

    const costs = await admin.json<RouteSimulationView>(
      admin.post('/app/api/admin/routes/simulate', {
        days: '7',
        cost_provider: 'sandbox',
        csv: 'mcc,mnc,cost\n247,,0.05\n',
      }),
    );
    expect(costs.totals[0]).toMatchObject({ moved: 0, proposed: { cost: '0.1000' }, actual: { cost: '0.2000' } });
    expect([await count('messages'), await count('route_rules'), await count('provider_costs')]).toEqual(before);
  });

  it('a proposed rule refusing at a loss counts the messages it would refuse and their revenue, not as sent', async () => {
    // With the sandbox's proposed list (0.5000 a part) it costs more than the messages' rate of a part (0.4397);
    // twilio (0.0300) less.
    const dearSandbox = { cost_provider: 'sandbox', csv: 'mcc,mnc,cost\n247,,0.5\n' };
    const refusing = await admin.json<RouteSimulationView>(
      admin.post('/app/api/admin/routes/simulate', {
        days: '7',
        rule: 'new',
        strategy: 'fixed',
        providers: 'sandbox',
        mcc: '247',
        loss: 'refuse',
        ...dearSandbox,
      }),
    );
    const [total] = refusing.totals;
    expect(total).toMatchObject({ currency: 'GBP', refused: 2, unrouted: 0, moved: 0 });
    expect(total?.refused_revenue).toBe(total?.actual.revenue);
    expect(Number(total?.actual.revenue)).toBeGreaterThan(0);
    expect(total?.proposed).toMatchObject({ messages: 0, revenue: '0.0000', cost: '0.0000', refused: 2 });
    expect(refusing.countries.map((c) => [c.key, c.proposed.messages, c.proposed.refused])).toEqual([['LV', 0, 2]]);
    expect(refusing.providers.map((p) => [p.key, p.actual.messages, p.proposed.messages])).toEqual([['sandbox', 2, 0]]);
    expect(refusing.unconfigured_providers).toEqual([]);

    const sending = await admin.json<RouteSimulationView>(
      admin.post('/app/api/admin/routes/simulate', {
        days: '7',
        rule: 'new',
        strategy: 'failover',
        providers: 'sandbox,twilio',
        mcc: '247',
        loss: 'refuse',
        ...dearSandbox,
      }),
    );
    expect(sending.totals[0]).toMatchObject({ refused: 0, refused_revenue: '0.0000', proposed: { messages: 2 } });
    // The server has no configuration for twilio: said, and assumed available all the same.
    expect(sending.unconfigured_providers).toEqual(['twilio']);
  });

  it('refuses a bad number of days, rule or cost list with 422 naming the field', async () => {
    const days = await admin.post('/app/api/admin/routes/simulate', { days: '0' });
    expect(days.statusCode).toBe(422);
    expect(Object.keys(days.json().errors)).toEqual(['days']);
    const rule = await admin.post('/app/api/admin/routes/simulate', { rule: 'new', providers: 'nosuch' });
    expect(rule.statusCode).toBe(422);
    expect(JSON.stringify(rule.json())).toMatch(/providers.*unknown provider \\"nosuch\\"/);
    const csv = await admin.post('/app/api/admin/routes/simulate', { cost_provider: 'sandbox', csv: 'mcc,mnc\n' });
    expect(csv.statusCode).toBe(422);
    expect(Object.keys(csv.json().errors)).toEqual(['csv']);
    const customer = await dash.customer();
    expect((await customer.post('/app/api/admin/routes/simulate', { days: '7' })).statusCode).toBe(403);
  });
});
