// A route never silently sends at a loss: a rule whose loss policy is `refuse` refuses, at calculate and at
// POST /sendings, each recipient every provider of which costs more than the customer's rate of a part (a 422 keyed
// `recipients.N`, nothing reserved or stored); a rule that sends at a loss sends, and the margin report shows the loss.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import type { RouteRule } from '../../src/domain/routing.js';
import { ruleText } from '../../src/domain/texts.js';
import { marginReportFor } from '../../src/services/margins.js';
import { readCostBook, replaceCostList } from '../../src/store/provider-costs.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { latviaRouteRule } from '../support/store-fixtures.js';

/** Latvia, network 247 02: the sample default price list's rate is 0.0410 GBP a part. */
const LATVIA = '37126000001';
const LATVIA_RATE_MINOR = 410;
/** The United Kingdom: the sandbox stays cheaper than its rate. */
const UK = '447400123456';
/** What a part to Latvia costs at the sandbox and at infobip in these tests (GBP). */
const SANDBOX_LATVIA_COST = 600;
const INFOBIP_LATVIA_COST = 100;

describeEachEngine('route rules refusing to send at a loss', (engine) => {
  let api: ApiApp;

  beforeAll(async () => {
    // infobip configured (its adapter is never called here): a rule may name it as a candidate.
    api = await startApiApp(engine.db, {
      env: { INFOBIP_BASE_URL: 'http://127.0.0.1:9', INFOBIP_API_KEY: 'test-key' },
    });
    const db = engine.db;
    expect(
      (
        await replaceCostList(db, 'sandbox', 'GBP', [
          { mcc: '247', mnc: null, costMinor: SANDBOX_LATVIA_COST },
          { mcc: '234', mnc: null, costMinor: 100 },
        ])
      ).ok,
    ).toBe(true);
    expect(
      (await replaceCostList(db, 'infobip', 'GBP', [{ mcc: '247', mnc: null, costMinor: INFOBIP_LATVIA_COST }])).ok,
    ).toBe(true);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A rule for this account's messages to Latvia alone (rules of other tests never match them). */
  const latviaRule = (account: ApiAccount, fields: Partial<RouteRule>) =>
    latviaRouteRule(engine.db, account.id, fields);
  const post = (account: ApiAccount, url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const balanceOf = async (account: ApiAccount) =>
    (await api.app.inject({ method: 'GET', url: '/balance', headers: account.headers })).json().balance as string;
  const storedSendings = async (account: ApiAccount) =>
    (await engine.db.kysely.selectFrom('sendings').select('id').where('account_id', '=', account.id).execute()).length;
  const body = { message: 'Your code is 123456', sender: 'MegaShop' };

  it('refuses at calculate and at POST /sendings: 422 on the recipient, nothing reserved or stored', async () => {
    const account = await api.account({ balance: '10' });
    await latviaRule(account, { loss: 'refuse' });
    const expected = {
      message: ruleText.noRouteAtRate('recipients.1'),
      errors: { 'recipients.1': [ruleText.noRouteAtRate('recipients.1')] },
    };
    expect(expected.message).toBe(
      'The recipients.1 cannot be sent: no route to its destination is available at its rate.',
    );

    const calculated = await post(account, '/sendings/calculate', { ...body, recipients: [UK, LATVIA, LATVIA] });
    expect(calculated.statusCode).toBe(422);
    expect(calculated.json()).toEqual(expected);

    const sent = await post(account, '/sendings', { ...body, recipients: [UK, LATVIA] });
    expect(sent.statusCode).toBe(422);
    expect(sent.json()).toEqual(expected);
    expect(await balanceOf(account)).toBe('10.000');
    expect(await storedSendings(account)).toBe(0);

    // Other accounts, and this one's numbers elsewhere, are not touched by the rule.
    const other = await api.account({ balance: '10' });
    expect((await post(other, '/sendings/calculate', { ...body, recipients: [LATVIA] })).statusCode).toBe(200);
    expect((await post(account, '/sendings', { ...body, recipients: [UK] })).statusCode).toBe(200);
  });

  it('does not refuse when one of the rule’s providers costs less than the rate', async () => {
    const account = await api.account({ balance: '10' });
    await latviaRule(account, { providers: ['sandbox', 'infobip'], loss: 'refuse' });
    const calculated = await post(account, '/sendings/calculate', { ...body, recipients: [LATVIA] });
    expect(calculated.statusCode).toBe(200);
    expect(calculated.json().calculate.info.total).toBe(LATVIA_RATE_MINOR / 10_000);
    const sent = await post(account, '/sendings', { ...body, recipients: [LATVIA] });
    expect(sent.statusCode).toBe(200);
    expect(await storedSendings(account)).toBe(1);
  });

  it('sends at a loss under a rule that says send, and the margin report shows the loss', async () => {
    const account = await api.account({ balance: '10' });
    await latviaRule(account, { loss: 'send' });
    expect((await post(account, '/sendings/calculate', { ...body, recipients: [LATVIA] })).statusCode).toBe(200);
    const sent = await post(account, '/sendings', { ...body, recipients: [LATVIA] });
    expect(sent.statusCode).toBe(200);
    expect(await balanceOf(account)).toBe('9.959');

    const clock = fakeClock();
    const book = await readCostBook(engine.db);
    await createDispatcher({
      db: engine.db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => book,
    }).runUntilIdle();

    const report = await marginReportFor(engine.db, { by: 'account' });
    if (!report.ok) throw new Error('margin report refused');
    const row = report.value.rows.find((r) => r.key === String(account.id));
    expect(row).toMatchObject({
      currency: 'GBP',
      messages: 1,
      revenueMinor: LATVIA_RATE_MINOR,
      costMinor: SANDBOX_LATVIA_COST,
      costUnknown: 0,
      marginMinor: LATVIA_RATE_MINOR - SANDBOX_LATVIA_COST,
    });
    expect(row?.marginMinor).toBeLessThan(0);
  });
});
