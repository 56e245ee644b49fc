// `smsgic routes simulate`: the last days' traffic replayed against a proposed table (the JSON `routes list --json`
// prints) and cost lists (the CSV `costs import` reads), beside what happened, as a table, JSON and CSV; bad files
// refused with the reason; nothing written.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { readCostBook, replaceCostList } from '../../src/store/provider-costs.js';
import { fakeClock, numberEndingWith, routerWith, sendingOf } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, scratchFolder, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

interface Figures {
  messages: number;
  revenue: string;
  cost: string;
  cost_unknown: number;
  refused: number;
  refused_revenue: string;
  margin: string;
  expected_delivery_ppm: number | null;
}
interface Simulation {
  from: string;
  to: string;
  days: number;
  totals: {
    currency: string;
    moved: number;
    unrouted: number;
    refused: number;
    refused_revenue: string;
    actual: Figures;
    proposed: Figures;
  }[];
  providers: { currency: string; key: string; actual: Figures; proposed: Figures }[];
  countries: { currency: string; key: string; actual: Figures; proposed: Figures }[];
  providers_assumed_available: boolean;
  unconfigured_providers: string[] | null;
}

describeEachEngine('smsgic routes simulate', (engine) => {
  const files = scratchFolder();
  afterAll(() => files.remove());

  beforeAll(async () => {
    const accountId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'Replay & Co')).id;
    await ok(engine.url, 'credit', String(accountId), '100');
    const sandbox = files.path('sandbox.csv', 'mcc,mnc,cost\n247,,0.1\n');
    const twilio = files.path('twilio.csv', 'mcc,mnc,cost\n247,,0.03\n');
    await ok(engine.url, 'costs', 'import', 'sandbox', sandbox);
    await ok(engine.url, 'costs', 'import', 'twilio', twilio);
    expect((await replaceCostList(engine.db, 'infobip', 'GBP', [{ mcc: '247', mnc: null, costMinor: 200 }])).ok).toBe(
      true,
    );
    await sendingOf(
      engine.db,
      accountId,
      ['0006', '0007', '0008'].map((s, i) => numberEndingWith(s, 70 + i)),
    );
    const clock = fakeClock(engine.db.nowUs());
    const book = await readCostBook(engine.db);
    await createDispatcher({
      db: engine.db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => book,
    }).runUntilIdle();
  });

  const messages = async () =>
    Number(
      (
        await engine.db.kysely
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('shows the current table as it went, reconciled with report margin', async () => {
    const result = await ok<Simulation>(engine.url, 'routes', 'simulate', '--days', '7');
    expect(result.days).toBe(7);
    const [total] = result.totals;
    expect(total).toMatchObject({ currency: 'GBP', moved: 0, unrouted: 0 });
    expect(total?.actual).toEqual(total?.proposed);
    const margin = await ok<{ totals: Figures[] }>(
      engine.url,
      'report',
      'margin',
      '--from',
      result.from,
      '--to',
      result.to,
      '--by',
      'provider',
    );
    expect(total?.actual).toMatchObject({
      messages: margin.totals[0]?.messages,
      revenue: margin.totals[0]?.revenue,
      cost: margin.totals[0]?.cost,
      margin: margin.totals[0]?.margin,
    });
    expect(total?.actual.cost).toBe('0.3000');
  });

  it('a proposed table moving Latvia to twilio costs less; a proposed cost list changes the cost; nothing written', async () => {
    const before = await messages();
    const listed = await ok<{ routes: Record<string, unknown>[] }>(engine.url, 'routes', 'list');
    const proposal = {
      routes: [{ mcc: '247', strategy: 'fixed', providers: ['twilio'], loss: 'send' }, ...listed.routes],
    };
    const rules = files.path('rules.json', JSON.stringify(proposal));
    const moved = await ok<Simulation>(engine.url, 'routes', 'simulate', '--days', '7', '--rules', rules);
    expect(moved.totals[0]).toMatchObject({
      moved: 3,
      actual: { cost: '0.3000', messages: 3 },
      proposed: { cost: '0.0900', messages: 3 },
    });
    const actualMargin = Number(moved.totals[0]?.actual.margin);
    expect(Number(moved.totals[0]?.proposed.margin)).toBeCloseTo(actualMargin + 0.21, 4);
    expect(moved.providers.map((p) => [p.key, p.actual.messages, p.proposed.messages])).toEqual([
      ['sandbox', 3, 0],
      ['twilio', 0, 3],
    ]);

    const dearer = files.path('dearer.csv', 'mcc,mnc,cost\n247,,0.5\n');
    const costs = await ok<Simulation>(engine.url, 'routes', 'simulate', '--days', '7', '--costs', `sandbox=${dearer}`);
    expect(costs.totals[0]).toMatchObject({ moved: 0, actual: { cost: '0.3000' }, proposed: { cost: '1.5000' } });

    const least = files.path(
      'least.json',
      JSON.stringify([{ default: true, strategy: 'least_cost', providers: ['sandbox', 'infobip'] }]),
    );
    const both = await ok<Simulation>(
      engine.url,
      'routes',
      'simulate',
      '--rules',
      least,
      '--costs',
      `infobip=${dearer}`,
    );
    // infobip is cheaper today (0.02) but dearer in the proposed list (0.50): least cost keeps the sandbox.
    expect(both.totals[0]).toMatchObject({ moved: 0, proposed: { cost: '0.3000' } });

    const text = await smsgic(engine.url, ['routes', 'simulate', '--days', '7', '--rules', rules]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^Replay of \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\), 7 days: the route table of /,
    );
    expect(text.stdout).toContain('Nothing was written.');
    expect(text.stdout).toContain('GBP: 3 moved to another provider, 0 without a provider');
    expect(text.stdout).toMatch(/cost\s+£0\.3000\s+£0\.0900\s+-£0\.2100/);

    const csv = await smsgic(engine.url, ['routes', 'simulate', '--days', '7', '--rules', rules, '--csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'section,currency,key,name,actual_messages,actual_revenue,actual_cost,actual_cost_unknown,actual_margin,' +
        'actual_expected_delivery,proposed_messages,proposed_revenue,proposed_cost,proposed_cost_unknown,' +
        'proposed_margin,proposed_expected_delivery,proposed_refused,proposed_refused_revenue',
    );
    expect(lines[1]).toMatch(
      /^total,GBP,,,3,[\d.]+,0\.3000,0,[-\d.]+,[\d.]*,3,[\d.]+,0\.0900,0,[-\d.]+,[\d.]*,0,0\.0000$/,
    );
    expect(await messages()).toBe(before);
  });

  it('a proposed rule refusing at a loss counts the messages it would refuse and the revenue lost, not as sent', async () => {
    const before = await messages();
    const refusing = files.path(
      'refusing.json',
      JSON.stringify([{ mcc: '247', strategy: 'failover', providers: ['sandbox', 'twilio'], loss: 'refuse' }]),
    );
    // Both candidates dearer than any rate of a part: every Latvian message is refused.
    const dear = files.path('dear.csv', 'mcc,mnc,cost\n247,,9\n');
    const args = ['routes', 'simulate', '--days', '7', '--rules', refusing];
    const dearer = ['--costs', `sandbox=${dear}`, '--costs', `twilio=${dear}`];
    const refused = await ok<Simulation>(engine.url, ...args, ...dearer);
    const [total] = refused.totals;
    expect(total).toMatchObject({ currency: 'GBP', refused: 3, unrouted: 0, moved: 0 });
    expect(total?.refused_revenue).toBe(total?.actual.revenue);
    expect(Number(total?.actual.revenue)).toBeGreaterThan(0);
    expect(total?.proposed).toMatchObject({
      messages: 0,
      revenue: '0.0000',
      cost: '0.0000',
      refused: 3,
      refused_revenue: total?.actual.revenue,
    });
    expect(refused.countries.find((c) => c.key === 'LV')?.proposed).toMatchObject({ messages: 0, refused: 3 });
    expect(refused.providers.every((p) => p.proposed.messages === 0)).toBe(true);
    expect(refused.providers_assumed_available).toBe(true);
    expect(refused.unconfigured_providers).toEqual(['twilio']);

    // One candidate (twilio at 0.03 today) within the rate: nothing is refused, the failover order is kept.
    const cheaper = await ok<Simulation>(engine.url, ...args, '--costs', `sandbox=${dear}`);
    expect(cheaper.totals[0]).toMatchObject({ refused: 0, refused_revenue: '0.0000', proposed: { messages: 3 } });

    const text = await smsgic(engine.url, [...args, ...dearer]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `GBP: 0 moved to another provider, 0 without a provider, 3 refused at a loss (£${total?.actual.revenue} of revenue)`,
    );
    expect(text.stdout).toMatch(/refused at a loss\s+3\n/);
    expect(text.stdout).toMatch(new RegExp(`revenue refused\\s+£${total?.actual.revenue?.replace('.', '\\.')}\\n`));
    expect(text.stdout).toContain(
      'Every provider a rule names is assumed available: the configuration of the workers that would send is not known here. Not configured in this process: twilio.',
    );
    const csv = await smsgic(engine.url, [...args, ...dearer, '--csv']);
    expect(csv.stdout.split('\r\n')[1]).toMatch(
      new RegExp(
        `^total,GBP,,,3,[^,]+,0\\.3000,0,[^,]+,[^,]*,0,0\\.0000,0\\.0000,0,0\\.0000,,3,${total?.actual.revenue?.replace('.', '\\.')}$`,
      ),
    );
    expect(await messages()).toBe(before);
  });

  it('refuses bad files and options with the reason', async () => {
    const broken = files.path('broken.json', '{"routes": [');
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--rules', broken)).toMatch(/broken\.json: not JSON/);
    const badRule = files.path('bad.json', JSON.stringify([{ mcc: '24', strategy: 'fixed', providers: ['sandbox'] }]));
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--rules', badRule)).toBe(
      `${badRule}: rule 1: an MCC is 3 digits; nothing was simulated`,
    );
    const unknown = files.path('unknown.json', JSON.stringify([{ strategy: 'fixed', providers: ['nosuch'] }]));
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--rules', unknown)).toMatch(
      /rule 1: unknown provider "nosuch"/,
    );
    const badCsv = files.path('bad.csv', 'mcc,mnc,cost\n247,,abc\n');
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--costs', `sandbox=${badCsv}`)).toMatch(
      /bad\.csv: line 2: .*nothing was simulated/,
    );
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--costs', `nosuch=${badCsv}`)).toMatch(
      /--costs: "nosuch" is not a provider of this platform/,
    );
    expect(await fails(engine.url, 2, 'routes', 'simulate', '--costs', 'sandbox')).toBe(
      '--costs takes PROVIDER=FILE.csv, got "sandbox"',
    );
    expect(await fails(engine.url, 1, 'routes', 'simulate', '--rules', '/nonexistent/rules.json')).toMatch(
      /^cannot read \/nonexistent\/rules\.json/,
    );
    expect(await fails(engine.url, 2, 'routes', 'simulate', '--days', '0')).toMatch(/^--days must be/);
  });
});
