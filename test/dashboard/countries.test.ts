// The countries an account sends to, in the dashboard: its own choice in Settings, and the live price saying why a
// number will not be sent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import type { CountriesView, PriceView } from '../../src/http/dashboard/contract.js';
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
});
