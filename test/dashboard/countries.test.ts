// The countries an account sends to, in the dashboard: its own choice in Settings, and the live price saying why a
// number will not be sent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import type { CountriesView, PriceView, SpendLimitsView } from '../../src/http/dashboard/contract.js';
import { setAllowedCountries } from '../../src/services/account-controls.js';
import { auditLedger, credit, getBalance } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard destination countries', (engine) => {
  let dash: DashboardApp;
  let b: Browser;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    b = await dash.customer();
    const done = await credit(engine.db, b.accountId, parseMoney('10'), 'test funds');
    if (!done.ok) throw new Error(done.reason);
  });
  afterAll(() => dash.close());

  it('prices only the countries the account sends to, saying why the others are left out', async () => {
    expect(await b.json<CountriesView>(b.get('/app/api/countries'))).toEqual({
      allowed: null,
      chosen: null,
      sends_to: null,
    });
    const allowed = await setAllowedCountries(engine.db, loadNumberingPlan(), b.accountId, 'LV,DK');
    expect(allowed.ok).toBe(true);
    expect(await b.json<CountriesView>(b.get('/app/api/countries'))).toEqual({
      allowed: [
        { iso: 'DK', name: 'Denmark' },
        { iso: 'LV', name: 'Latvia' },
      ],
      chosen: null,
      sends_to: [
        { iso: 'DK', name: 'Denmark' },
        { iso: 'LV', name: 'Latvia' },
      ],
    });

    const chosen = await b.json<CountriesView>(b.post('/app/api/countries', { countries: ['LV'] }));
    expect(chosen.sends_to).toEqual([{ iso: 'LV', name: 'Latvia' }]);
    const price = await b.json<PriceView>(
      b.post('/app/api/price', { message: 'Hi', recipients: ['37126000001', '4525123456', '447400123456'] }),
    );
    expect(price.valid).toBe(1);
    expect(price.invalid).toEqual([
      { recipient: '4525123456', reason: 'This account does not send to Denmark: see the countries in Settings.' },
      {
        recipient: '447400123456',
        reason: 'This account does not send to United Kingdom: see the countries in Settings.',
      },
    ]);

    const refused = await b.json(b.post('/app/api/countries', { countries: ['LV', 'GB'] }), 422);
    expect(refused).toMatchObject({
      errors: { countries: ['This account may not send to GB: ask support to allow it.'] },
    });
    const sent = await b.json<{ errors: Record<string, string[]> }>(
      b.post('/app/api/sendings', { message: 'Hi', recipients: ['4525123456'], sender: 'SMSgic' }),
      422,
    );
    expect(sent.errors['recipients.0']).toEqual(['The recipients.0 is in Denmark, where this account does not send.']);
    expect(await getBalance(engine.db, b.accountId)).toBe(100_000);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);

    expect((await b.json<CountriesView>(b.post('/app/api/countries', { countries: 'all' }))).chosen).toBeNull();

    // The operator's pages change the list; a customer cannot.
    await b.json(b.post(`/app/api/admin/accounts/${b.accountId}/countries`, { countries: 'all' }), 403);
    const admin = await dash.admin();
    const opened = await admin.json<CountriesView>(
      admin.post(`/app/api/admin/accounts/${b.accountId}/countries`, { countries: 'all' }),
    );
    expect(opened).toEqual({ allowed: null, chosen: null, sends_to: null });
    expect(
      (await b.json<PriceView>(b.post('/app/api/price', { message: 'Hi', recipients: ['4525123456'] }))).valid,
    ).toBe(1);
  });

  it('sets spend limits in Settings and refuses a sending past them, reserving nothing', async () => {
    const c = await dash.customer();
    const done = await credit(engine.db, c.accountId, parseMoney('10'), 'test funds');
    if (!done.ok) throw new Error(done.reason);
    expect(await c.json<SpendLimitsView>(c.get('/app/api/spend-limits'))).toEqual({ daily: null, monthly: null });
    const wrong = await c.json(c.post('/app/api/spend-limits', { daily: '-1', monthly: 'lots' }), 422);
    expect(wrong).toMatchObject({
      errors: {
        daily: ['The daily field must be an amount of 0 or more (as 25.50), or empty for no limit.'],
        monthly: ['The monthly field must be an amount of 0 or more (as 25.50), or empty for no limit.'],
      },
    });
    const set = await c.json<SpendLimitsView>(c.post('/app/api/spend-limits', { daily: '0.05' }));
    expect(set).toEqual({ daily: '0.0500', monthly: null });
    const one = { message: 'Hi', recipients: ['37126000001'], sender: 'SMSgic' };
    await c.json(c.post('/app/api/sendings', one), 201);
    const refused = await c.json<{ errors: Record<string, string[]> }>(c.post('/app/api/sendings', one), 422);
    expect(refused.errors).toEqual({
      spend_limit: [
        "This sending (0.0410 GBP) would pass the account's daily spend limit of 0.0500 GBP: 0.0410 GBP is spent already.",
      ],
    });
    expect(await getBalance(engine.db, c.accountId)).toBe(100_000 - 410);
    const admin = await dash.admin();
    const cleared = await admin.json<SpendLimitsView>(
      admin.post(`/app/api/admin/accounts/${c.accountId}/spend-limits`, { daily: '', monthly: '100' }),
    );
    expect(cleared).toEqual({ daily: null, monthly: '100.0000' });
    await c.json(c.post('/app/api/sendings', one), 201);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });
});
