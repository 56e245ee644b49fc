// Rate cards held in memory: a price list rewritten by any process prices the very next request, and a list that did
// not change is never read again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import type { CreatedTokenView, PriceView } from '../../src/http/dashboard/contract.js';
import { createRateCards, RATE_CARDS_MAX_ACCOUNTS, rateCardsOf } from '../../src/services/rate-cards.js';
import type { Db } from '../../src/store/db.js';
import { credit } from '../../src/store/ledger.js';
import { replaceRates } from '../../src/store/rates.js';
import { ensureBuilt, ok, scratchFolder } from '../cli/smsgic.js';
import { type Browser, type DashboardApp, startDashboardApp } from '../dashboard/dashboard-app.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

beforeAll(ensureBuilt);

/** A Latvian mobile number: priced by MCC 247, whichever network it is on, when a list has only the country rate. */
const LATVIAN = '37126123456';
const latvia = (rate: string) => [{ mcc: '247', mnc: null, rateMinor: parseMoney(rate) }];

describeEachEngine('rate cards held in memory', (engine) => {
  const files = scratchFolder();
  let dash: DashboardApp;
  /** Another connection (another pool on PostgreSQL) to the same database, as another process would hold. */
  let elsewhere: Db;
  let customer: Browser;
  let token: string;
  let bystander: Browser;
  let bystanderToken: string;

  const signUp = async (): Promise<[Browser, string]> => {
    const browser = await dash.customer();
    const funded = await credit(engine.db, browser.accountId, parseMoney('1000'), 'test funds');
    if (!funded.ok) throw new Error(funded.reason);
    const created = await browser.json<CreatedTokenView>(browser.post('/app/api/tokens', { name: 'api' }), 201);
    return [browser, created.token];
  };
  /** POST /sendings/calculate of one Latvian number: its price. */
  const calculated = async (bearer: string): Promise<number> => {
    const res = await dash.app.inject({
      method: 'POST',
      url: '/sendings/calculate',
      headers: { authorization: `Bearer ${bearer}` },
      payload: { message: 'Your code is 123456', recipients: [LATVIAN] },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().calculate.info.subtotal as number;
  };
  /** The dashboard's live price of one Latvian number. */
  const dashboardPrice = async (browser: Browser): Promise<string> =>
    (await browser.json<PriceView>(browser.post('/app/api/price', { message: 'Hello', recipients: [LATVIAN] })))
      .subtotal;
  const counters = () => rateCardsOf(engine.db).counters();

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    elsewhere = await engine.open();
    // One country rate in the default list, so that each price below is that rate.
    const replaced = await replaceRates(engine.db, null, latvia('0.045'));
    if (!replaced.ok) throw new Error(replaced.reason);
    [customer, token] = await signUp();
    [bystander, bystanderToken] = await signUp();
  });
  afterAll(async () => {
    files.remove();
    await dash.close();
  });

  it('serves repeated requests from memory: one version read each, the rows read once', async () => {
    expect(await calculated(token)).toBe(0.045);
    const before = counters();
    for (let i = 0; i < 5; i++) expect(await calculated(token)).toBe(0.045);
    expect(await dashboardPrice(customer)).toBe('0.045');
    expect(await calculated(bystanderToken)).toBe(0.045);
    const after = counters();
    expect(after.loads).toBe(before.loads);
    expect(after.checks - before.checks).toBe(7);
    expect(after.hits - before.hits).toBe(7);
  });

  it('prices a default list rewritten through another connection on the very next request', async () => {
    expect(await calculated(bystanderToken)).toBe(0.045);
    expect(await replaceRates(elsewhere, null, latvia('0.05'))).toMatchObject({ ok: true, imported: 1 });
    expect(await calculated(bystanderToken)).toBe(0.05);
    expect(await dashboardPrice(customer)).toBe('0.05');
    expect(await calculated(token)).toBe(0.05);
  });

  it("prices an account's own list rewritten through another connection on the very next request", async () => {
    const loads = counters().loads;
    expect(await replaceRates(elsewhere, customer.accountId, latvia('0.061'))).toMatchObject({ ok: true });
    expect(await calculated(token)).toBe(0.061);
    expect(await replaceRates(elsewhere, customer.accountId, latvia('0.062'))).toMatchObject({ ok: true });
    expect(await dashboardPrice(customer)).toBe('0.062');
    expect(await calculated(token)).toBe(0.062);
    // The other accounts keep the default list, still held.
    expect(await calculated(bystanderToken)).toBe(0.05);
    expect(counters().loads - loads).toBe(2);
    // A default list rewrite leaves an account with its own list alone.
    await replaceRates(elsewhere, null, latvia('0.047'));
    expect(await calculated(token)).toBe(0.062);
    expect(await calculated(bystanderToken)).toBe(0.047);
  });

  it('follows an account from the default list to its own and back', async () => {
    const [switching, switchingToken] = await signUp();
    expect(await calculated(switchingToken)).toBe(0.047);
    await replaceRates(elsewhere, switching.accountId, latvia('0.03'));
    expect(await calculated(switchingToken)).toBe(0.03);
    expect(await dashboardPrice(switching)).toBe('0.03');
    // An empty own list: the default prices the account again.
    await replaceRates(elsewhere, switching.accountId, []);
    expect(await calculated(switchingToken)).toBe(0.047);
    expect(await dashboardPrice(switching)).toBe('0.047');
    await replaceRates(elsewhere, switching.accountId, latvia('0.031'));
    expect(await calculated(switchingToken)).toBe(0.031);
    expect(await calculated(bystanderToken)).toBe(0.047);
  });

  it('prices what `smsgic rates import` wrote from its own process, for an account and for the default', async () => {
    expect(await calculated(token)).toBe(0.062);
    const own = files.path('own.csv', 'mcc,mnc,rate\n247,,0.0710\n');
    expect(await ok(engine.url, 'rates', 'import', String(customer.accountId), own)).toMatchObject({ imported: 1 });
    expect(await calculated(token)).toBe(0.071);
    expect(await calculated(bystanderToken)).toBe(0.047);
    const fallback = files.path('default.csv', 'mcc,mnc,rate\n247,,0.0480\n');
    expect(await ok(engine.url, 'rates', 'import', '--default', fallback)).toMatchObject({ imported: 1 });
    expect(await calculated(bystanderToken)).toBe(0.048);
    expect(await calculated(token)).toBe(0.071);
  });

  it("prices what the operator's price list page imported", async () => {
    const admin = await dash.admin();
    const imported = await admin.request('POST', `/app/api/admin/rates/import?account_id=${bystander.accountId}`, {
      payload: 'mcc,mnc,rate\n247,,0.0222\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(await calculated(bystanderToken)).toBe(0.0222);
    expect(await dashboardPrice(bystander)).toBe('0.0222');
  });

  it('reserves a new sending at the price of the list as rewritten elsewhere', async () => {
    await replaceRates(elsewhere, customer.accountId, latvia('0.09'));
    const balance = async () =>
      (await dash.app.inject({ method: 'GET', url: '/balance', headers: { authorization: `Bearer ${token}` } })).json()
        .balance as string;
    const before = parseMoney(await balance());
    const res = await dash.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: { authorization: `Bearer ${token}` },
      payload: { message: 'Your code is 123456', recipients: [LATVIAN], sender: 'SMSgic' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(before - parseMoney(await balance())).toBe(parseMoney('0.09'));
  });

  it('reads a list once for requests that miss together', async () => {
    await replaceRates(elsewhere, customer.accountId, latvia('0.0123'));
    await replaceRates(elsewhere, null, latvia('0.0456'));
    const loads = counters().loads;
    const prices = await Promise.all(
      Array.from({ length: 20 }, (_, i) => calculated(i % 2 === 0 ? token : bystanderToken)),
    );
    expect(prices.filter((p) => p === 0.0123)).toHaveLength(10);
    // The bystander has its own list since the operator's import: 0.0222.
    expect(prices.filter((p) => p === 0.0222)).toHaveLength(10);
    expect(counters().loads - loads).toBe(1);
  });

  describe('the cache itself', () => {
    it('shares one read between concurrent misses, and one default card between accounts', async () => {
      const cards = createRateCards(engine.db);
      const a = await fundedAccount(engine.db, 0, 'a');
      const b = await fundedAccount(engine.db, 0, 'b');
      const first = await Promise.all([a, b, a, b, a, b].map((id) => cards.forAccount(id)));
      // A version read that ends after the read of the rows finds the card held: a hit, still no second read.
      const { hits } = cards.counters();
      expect(cards.counters()).toEqual({ checks: 6, hits, loads: 1 });
      expect(new Set(first).size).toBe(1);
      const card = first[0];
      expect(Object.isFrozen(card)).toBe(true);
      expect(card?.rateFor('247', null)).toBe(456);
      expect(await cards.forAccount(a)).toBe(card);
      expect(cards.counters()).toEqual({ checks: 7, hits: hits + 1, loads: 1 });
      expect(cards.ownListsHeld).toBe(0);
    });

    it(`holds at most maxAccounts own lists (${RATE_CARDS_MAX_ACCOUNTS} by default), least recently used out`, async () => {
      const cards = createRateCards(engine.db, { maxAccounts: 2 });
      const ids: number[] = [];
      for (const [i, rate] of ['0.01', '0.02', '0.03'].entries()) {
        const id = await fundedAccount(engine.db, 0, `own-${i}`);
        await replaceRates(engine.db, id, latvia(rate));
        ids.push(id);
      }
      const [x, y, z] = ids as [number, number, number];
      await cards.forAccount(x);
      await cards.forAccount(y);
      await cards.forAccount(x);
      await cards.forAccount(z);
      expect(cards.ownListsHeld).toBe(2);
      expect(cards.counters().loads).toBe(3);
      expect((await cards.forAccount(x))?.rateFor('247', null)).toBe(100);
      expect(cards.counters().loads).toBe(3);
      expect((await cards.forAccount(y))?.rateFor('247', null)).toBe(200);
      expect(cards.counters().loads).toBe(4);
      // Emptied, an own list no longer takes a place: the account is priced by the default.
      await replaceRates(elsewhere, z, []);
      expect((await cards.forAccount(z))?.rateFor('247', null)).toBe(456);
      expect(cards.ownListsHeld).toBe(2);
    });
  });
});
