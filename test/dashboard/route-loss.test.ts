// The dashboard's compose refuses, as the public API does, the recipients a route rule refuses to send at a loss:
// sending at once and sending a saved Draft alike (422 keyed `recipients.N`, nothing reserved, the Draft kept); the
// live price lists them beforehand with the same words, out of the total as the numbers that cannot be priced are.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import { ruleText } from '../../src/domain/texts.js';
import type { CampaignView, PriceView } from '../../src/http/dashboard/contract.js';
import { credit } from '../../src/store/ledger.js';
import { replaceCostList } from '../../src/store/provider-costs.js';
import { describeEachEngine } from '../support/databases.js';
import { latviaRouteRule } from '../support/store-fixtures.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

/** On LMT (247 01), priced 0.0390 GBP a part by the sample default list; a part costs 0.0600 at the sandbox here. */
const LATVIA = '37126100001';
const UK = '447400123456';

describeEachEngine('dashboard compose refusing to send at a loss', (engine) => {
  let dash: DashboardApp;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    const replaced = await replaceCostList(engine.db, 'sandbox', 'GBP', [
      { mcc: '247', mnc: null, costMinor: 600 },
      { mcc: '234', mnc: null, costMinor: 100 },
    ]);
    expect(replaced.ok).toBe(true);
  });

  afterAll(async () => {
    await dash?.close();
  });

  const refuseLatviaFor = (browser: Browser) => latviaRouteRule(engine.db, browser.accountId);
  const balance = async (browser: Browser) =>
    (await browser.json<{ account: { balance: string } }>(browser.get('/app/api/me'))).account.balance;

  it('refuses sending at once and sending a Draft saved before the rule, reserving nothing', async () => {
    const b = await dash.customer();
    const funded = await credit(engine.db, b.accountId, parseMoney('5'), 'test funds');
    expect(funded.ok).toBe(true);
    const compose = { message: 'Hi', recipients: [UK, LATVIA], sender: 'SMSgic' };
    const draft = await b.json<CampaignView>(b.post('/app/api/sendings', { ...compose, draft: true }), 201);

    await refuseLatviaFor(b);
    const text = ruleText.noRouteAtRate('recipients.1');
    const refused = await b.json<{ message: string; errors: Record<string, string[]> }>(
      b.post('/app/api/sendings', compose),
      422,
    );
    expect(refused.message).toBe(text);
    expect(refused.errors).toEqual({ 'recipients.1': [text] });

    const draftRefused = await b.json<{ errors: Record<string, string[]> }>(
      b.post(`/app/api/sendings/${draft.id}/send`),
      422,
    );
    expect(draftRefused.errors).toEqual({ 'recipients.1': [text] });
    expect(await balance(b)).toBe('5.000');
    const sendings = await engine.db.kysely
      .selectFrom('sendings')
      .select(['id', 'status'])
      .where('account_id', '=', b.accountId)
      .execute();
    expect(sendings.map((s) => [Number(s.id), s.status])).toEqual([[draft.id, 'Draft']]);

    // The United Kingdom alone is not at a loss: it goes.
    await b.json<CampaignView>(b.post('/app/api/sendings', { ...compose, recipients: [UK] }), 201);
  });

  it('the live price lists a recipient the rule would refuse, with the words of the 422, and leaves it out of the total', async () => {
    const b = await dash.customer();
    const before = await b.json<PriceView>(
      b.post('/app/api/price', { message: 'Hi', recipients: [UK, LATVIA, '999'], sender: 'SMSgic' }),
    );
    expect(before).toMatchObject({ recipients: 3, valid: 2, invalid_total: 1 });
    const ukOnly = await b.json<PriceView>(b.post('/app/api/price', { message: 'Hi', recipients: [UK] }));

    await refuseLatviaFor(b);
    const price = await b.json<PriceView>(
      b.post('/app/api/price', { message: 'Hi', recipients: [LATVIA, '999', UK], sender: 'SMSgic' }),
    );
    expect(price).toMatchObject({ recipients: 3, valid: 1, invalid_total: 2, suppressed: 0 });
    expect(price.invalid).toEqual([
      { recipient: LATVIA, reason: ruleText.noRouteAtRate('recipients.0') },
      { recipient: '999', reason: expect.stringMatching(/^Not a phone number/) },
    ]);
    expect(price.destinations.map((d) => [d.iso, d.recipients])).toEqual([['GB', 1]]);
    expect(price.total).toBe(ukOnly.total);
    // What sending it would answer: the same words.
    const refused = await b.json<{ errors: Record<string, string[]> }>(
      b.post('/app/api/sendings', { message: 'Hi', recipients: [LATVIA, UK], sender: 'SMSgic' }),
      422,
    );
    expect(refused.errors).toEqual({ 'recipients.0': [ruleText.noRouteAtRate('recipients.0')] });
  });
});
