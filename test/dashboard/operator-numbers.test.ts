// The operator's numbers and account controls on the dashboard API: the same rules as `smsgic numbers` and
// `smsgic account countries|spend-limits`, refusals naming the field at fault, and only for the operator.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AccountControlsView, OperatorNumberView } from '../../src/http/dashboard/contract.js';
import { createNumberServices } from '../../src/services/numbers.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard operator numbers and controls', (engine) => {
  let dash: DashboardApp;
  let admin: Browser;
  let a: Browser;
  let b: Browser;
  // Numbers of this run only: the database is shared with other files.
  const base = `3712${String(Date.now() % 1_000_000).padStart(6, '0')}`;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    admin = await dash.admin();
    a = await dash.customer({ company: 'Numbers A' });
    b = await dash.customer({ company: 'Numbers B' });
  });
  afterAll(() => dash.close());

  const idOf = (browser: Browser) => browser.me?.account.id as number;

  it('assigns, lists by account and unassigns, as the CLI does', async () => {
    const assigned = await admin.json<OperatorNumberView>(
      admin.post('/app/api/admin/numbers', { number: `+${base}1`, account_id: String(idOf(a)) }),
      201,
    );
    expect(assigned).toMatchObject({
      number: `${base}1`,
      keyword: null,
      account_id: idOf(a),
      account_name: 'Numbers A',
    });
    const keyword = await admin.json<OperatorNumberView>(
      admin.post('/app/api/admin/numbers', { number: `${base}2`, keyword: 'pizza', account_id: idOf(b) }),
      201,
    );
    expect(keyword).toMatchObject({ keyword: 'PIZZA', account_name: 'Numbers B' });
    // The CLI's services see what the dashboard assigned.
    expect((await createNumberServices(dash.db).list(idOf(a))).map((n) => n.number)).toEqual([`${base}1`]);

    const again = await admin.post('/app/api/admin/numbers', { number: `${base}1`, account_id: idOf(a) });
    expect(again.statusCode).toBe(200);
    const ofA = await admin.json<{ data: OperatorNumberView[] }>(
      admin.get(`/app/api/admin/numbers?account_id=${idOf(a)}`),
    );
    expect(ofA.data.map((n) => n.number)).toEqual([`${base}1`]);
    const all = await admin.json<{ data: OperatorNumberView[] }>(admin.get('/app/api/admin/numbers'));
    expect(all.data.map((n) => n.number)).toEqual(expect.arrayContaining([`${base}1`, `${base}2`]));

    const removed = await admin.json<OperatorNumberView>(
      admin.post('/app/api/admin/numbers/unassign', { number: `${base}2`, keyword: 'Pizza' }),
    );
    expect(removed).toMatchObject({ number: `${base}2`, keyword: 'PIZZA', account_id: idOf(b) });
    const gone = await admin.post('/app/api/admin/numbers/unassign', { number: `${base}2`, keyword: 'pizza' });
    expect([gone.statusCode, gone.json()]).toEqual([
      422,
      {
        message: `${base}2 keyword PIZZA is not assigned.`,
        errors: { number: [`${base}2 keyword PIZZA is not assigned.`] },
      },
    ]);
    await admin.post('/app/api/admin/numbers/unassign', { number: `${base}1` });
    expect(await createNumberServices(dash.db).list(idOf(a))).toEqual([]);
  });

  it('refuses a number another account has, a bad number or keyword and an unknown account', async () => {
    await admin.json(admin.post('/app/api/admin/numbers', { number: `${base}3`, account_id: idOf(a) }), 201);
    const taken = await admin.post('/app/api/admin/numbers', { number: `${base}3`, account_id: idOf(b) });
    expect([taken.statusCode, taken.json()]).toEqual([409, { message: `${base}3 is assigned to account ${idOf(a)}.` }]);
    const keywordOfTaken = await admin.post('/app/api/admin/numbers', {
      number: `${base}3`,
      keyword: 'TACO',
      account_id: idOf(b),
    });
    expect(keywordOfTaken.statusCode).toBe(409);

    const bad = await admin.post('/app/api/admin/numbers', {
      number: '12',
      keyword: 'two words',
      account_id: '999999999',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual({
      number: ['The number field must be 3 to 20 digits.'],
      keyword: ['The keyword field must be one word of at most 20 letters or digits.'],
      account_id: ['The selected account id is invalid.'],
    });
    const missing = await admin.post('/app/api/admin/numbers', {});
    expect(Object.keys(missing.json().errors)).toEqual(['number', 'account_id']);
    const unknownFilter = await admin.get('/app/api/admin/numbers?account_id=999999999');
    expect(unknownFilter.statusCode).toBe(422);
    await admin.post('/app/api/admin/numbers/unassign', { number: `${base}3` });
  });

  it("shows and changes an account's countries and spend limits", async () => {
    const url = `/app/api/admin/accounts/${idOf(a)}`;
    const start = await admin.json<AccountControlsView>(admin.get(`${url}/controls`));
    expect(start).toEqual({
      countries: { allowed: null, chosen: null, sends_to: null },
      spend_limits: { daily: null, monthly: null },
    });
    await admin.json(admin.post(`${url}/countries`, { countries: 'lv, EE' }));
    await admin.json(admin.post(`${url}/spend-limits`, { daily: '25.50', monthly: '300' }));
    const changed = await admin.json<AccountControlsView>(admin.get(`${url}/controls`));
    expect(changed.countries.allowed?.map((c) => c.iso)).toEqual(['EE', 'LV']);
    expect(changed.spend_limits).toEqual({ daily: '25.5000', monthly: '300.0000' });
    // The customer sees the operator's choice.
    expect(await a.json(a.get('/app/api/spend-limits'))).toEqual({ daily: '25.5000', monthly: '300.0000' });
    expect((await admin.get('/app/api/admin/accounts/999999999/controls')).statusCode).toBe(404);
  });

  it('answers a customer 403 on every operator route', async () => {
    const id = idOf(a);
    for (const response of [
      await b.get('/app/api/admin/numbers'),
      await b.post('/app/api/admin/numbers', { number: `${base}4`, account_id: idOf(b) }),
      await b.post('/app/api/admin/numbers/unassign', { number: `${base}4` }),
      await b.get(`/app/api/admin/accounts/${id}/controls`),
      await b.post(`/app/api/admin/accounts/${id}/countries`, { countries: 'all' }),
      await b.post(`/app/api/admin/accounts/${id}/spend-limits`, { daily: '' }),
    ]) {
      expect(response.statusCode).toBe(403);
    }
    expect(await createNumberServices(dash.db).list(idOf(b))).toEqual([]);
  });
});
