// The operator's provider costs over the dashboard API: operators only; a preview writes nothing, an import replaces
// the list whole and says what changed, a mistake is a 422 naming it; the export reads back as no change.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CostListView, CostsDiff } from '../../src/http/dashboard/contract.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const CSV = { 'content-type': 'text/csv' };

describeEachEngine('dashboard provider costs', (engine) => {
  let dash: DashboardApp;
  let admin: Browser;
  let customer: Browser;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    admin = await dash.admin();
    customer = await dash.customer({ company: 'Costly Ltd' });
  });
  afterAll(() => dash.close());

  const post = (who: Browser, path: string, payload: string) =>
    who.request('POST', `/app/api/admin/costs/${path}`, { payload, headers: CSV });
  const listOf = async (provider: string) =>
    (await admin.json<{ data: CostListView[] }>(admin.get('/app/api/admin/costs'))).data.find(
      (list) => list.provider === provider,
    );

  it('is for operators only', async () => {
    for (const [method, url] of [
      ['GET', '/app/api/admin/costs'],
      ['POST', '/app/api/admin/costs/preview?provider=twilio'],
      ['POST', '/app/api/admin/costs/import?provider=twilio'],
      ['GET', '/app/api/admin/costs.csv?provider=twilio'],
    ] as const) {
      const res = await customer.request(method, url, { payload: 'mcc,mnc,cost\n247,,0.03\n', headers: CSV });
      expect(res.statusCode, url).toBe(403);
    }
    expect(await listOf('twilio')).toEqual({
      provider: 'twilio',
      currency: null,
      rows: 0,
      version: 0,
      updated_at: null,
    });
  });

  it('previews without writing, imports whole, exports what it imported', async () => {
    const first = await post(
      admin,
      'preview?provider=twilio&currency=USD',
      'mcc,mnc,cost\n310,,0.0090\n310,260,0.007\n',
    );
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<CostsDiff>()).toEqual({
      provider: 'twilio',
      currency: 'USD',
      currency_before: null,
      added: [
        { mcc: '310', mnc: null, cost: '0.0090' },
        { mcc: '310', mnc: '260', cost: '0.0070' },
      ],
      removed: [],
      changed: [],
      unchanged: 0,
      replaced: false,
      version: null,
    });
    expect((await listOf('twilio'))?.version).toBe(0);

    const imported = await post(
      admin,
      'import?provider=twilio&currency=USD',
      'mcc,mnc,cost\n310,,0.0090\n310,260,0.007\n',
    );
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json<CostsDiff>()).toMatchObject({ replaced: true, version: 1 });
    expect(await listOf('twilio')).toMatchObject({
      currency: 'USD',
      rows: 2,
      version: 1,
      updated_at: expect.stringMatching(/Z$/),
    });

    const changed = await post(admin, 'import?provider=twilio', 'mcc,mnc,cost\n310,,0.0095\n');
    expect(changed.json<CostsDiff>()).toEqual({
      provider: 'twilio',
      currency: 'USD',
      currency_before: 'USD',
      added: [],
      removed: [{ mcc: '310', mnc: '260', cost: '0.0070' }],
      changed: [{ mcc: '310', mnc: null, old: '0.0090', new: '0.0095' }],
      unchanged: 0,
      replaced: true,
      version: 2,
    });

    const exported = await admin.request('GET', '/app/api/admin/costs.csv?provider=twilio');
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    expect(exported.headers['content-disposition']).toBe('attachment; filename="costs-twilio.csv"');
    expect(exported.body).toBe('mcc,mnc,cost\r\n310,,0.0095\r\n');
    const back = await post(admin, 'preview?provider=twilio', exported.body);
    expect(back.json<CostsDiff>()).toMatchObject({ added: [], removed: [], changed: [], unchanged: 1 });
    expect((await admin.request('GET', '/app/api/admin/costs.csv?provider=smpp')).statusCode).toBe(404);
  });

  it('refuses an unknown provider, a bad currency and a bad line with a 422 naming it, writing nothing', async () => {
    const before = await listOf('messente');
    const cases = [
      ['import?provider=nexmo', 'mcc,mnc,cost\n247,,0.03\n', 'provider', /^"nexmo" is not a provider of this platform/],
      ['import?provider=messente&currency=ABC', 'mcc,mnc,cost\n247,,0.03\n', 'currency', /^"ABC" is not a currency/],
      [
        'import?provider=messente',
        'mcc,mnc,cost\n247,,0.03\n247,,0.04\n',
        'csv',
        /^Line 3: 247\/\(country\) is already given a cost on line 2; nothing was imported\.$/,
      ],
      [
        'preview?provider=messente',
        'mcc,mnc,rate\n247,,0.03\n',
        'csv',
        /^Line 1: the header must be "mcc,mnc,cost" or "mcc,mnc,cost,currency"/,
      ],
    ] as const;
    for (const [path, body, field, text] of cases) {
      const res = await post(admin, path, body);
      expect(res.statusCode, path).toBe(422);
      const json = res.json<{ message: string; errors: Record<string, string[]> }>();
      expect(json.message).toMatch(text);
      expect(json.errors[field]?.[0]).toMatch(text);
    }
    expect(await listOf('messente')).toEqual(before);
  });
});
