// The opt-out list in the dashboard: listed and searched, numbers added (typed, or a CSV file all or nothing) and
// removed with their history, exported as CSV; session and CSRF as every dashboard write; no other account's list.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import type { CampaignView, OptOutChangeView, OptOutView, Page, PriceView } from '../../src/http/dashboard/contract.js';
import { credit } from '../../src/store/ledger.js';
import { SUPPRESSION_EXPORT_BATCH } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachEngine('dashboard opt-out list', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let b: Browser;

  const list = (browser: Browser, query = '') =>
    browser.json<Page<OptOutView>>(browser.get(`/app/api/opt-outs${query}`));
  const importCsv = (browser: Browser, csv: string) =>
    browser.request('POST', '/app/api/opt-outs/import', { payload: csv, headers: { 'content-type': 'text/csv' } });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    b = await dash.customer();
  });
  afterAll(() => dash.close());

  it('adds typed numbers as Compose reads them, lists them in number order, and searches by prefix', async () => {
    const added = await a.json(
      a.post('/app/api/opt-outs', { numbers: '+44 7700 900123\n0044 7700 900456, 447700900123' }),
    );
    expect(added).toEqual({ added: 2, already: 0 });
    const again = await a.json(a.post('/app/api/opt-outs', { numbers: '447700900456' }));
    expect(again).toEqual({ added: 0, already: 1 });

    const page = await list(a);
    expect(page.total).toBe(2);
    expect(page.data.map((row) => [row.phone, row.source])).toEqual([
      ['447700900123', 'dashboard'],
      ['447700900456', 'dashboard'],
    ]);
    expect(page.data[0]?.created_at).toMatch(ISO_MS);

    const found = await list(a, `?search=${encodeURIComponent('+44 7700 9004')}`);
    expect(found).toMatchObject({ total: 1, data: [{ phone: '447700900456' }] });
    expect((await list(a, '?search=371')).total).toBe(0);
    expect((await a.get('/app/api/opt-outs?search=abc')).statusCode).toBe(422);
  });

  it('refuses a typed list with a bad number, naming it, and adds none of it', async () => {
    const res = await a.post('/app/api/opt-outs', { numbers: '37126000001, hello' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.numbers).toEqual([
      '“hello” is not a phone number: write it with the country code, 8 to 20 digits.',
    ]);
    expect((await list(a, '?search=371')).total).toBe(0);
    expect((await a.post('/app/api/opt-outs', { numbers: '' })).statusCode).toBe(422);
  });

  it('removes a number and shows its history, who and how', async () => {
    const removed = await a.request('DELETE', '/app/api/opt-outs/447700900456');
    expect(removed.statusCode).toBe(204);
    expect((await a.request('DELETE', '/app/api/opt-outs/447700900456')).statusCode).toBe(404);
    expect((await list(a)).data.map((row) => row.phone)).toEqual(['447700900123']);

    const history = await a.json<{ data: OptOutChangeView[] }>(a.get('/app/api/opt-outs/447700900456/history'));
    expect(history.data.map((c) => [c.action, c.source, c.actor])).toEqual([
      ['remove', 'dashboard', a.email],
      ['add', 'dashboard', a.email],
    ]);
    expect(history.data[0]?.at).toMatch(ISO_MS);
    expect((await a.get('/app/api/opt-outs/37100000000/history')).statusCode).toBe(404);
  });

  it('wants a session, and the CSRF token for every change', async () => {
    const anonymous = dash.browser();
    expect((await anonymous.get('/app/api/opt-outs')).statusCode).toBe(401);
    expect((await anonymous.get('/app/api/opt-outs.csv')).statusCode).toBe(401);
    const forged = await a.post('/app/api/opt-outs', { numbers: '37126000009' }, { csrf: null });
    expect(forged.statusCode).toBe(403);
    const forgedImport = await a.request('POST', '/app/api/opt-outs/import', {
      payload: '37126000009\n',
      headers: { 'content-type': 'text/csv' },
      csrf: null,
    });
    expect(forgedImport.statusCode).toBe(403);
    const forgedDelete = await a.request('DELETE', '/app/api/opt-outs/447700900123', { csrf: null });
    expect(forgedDelete.statusCode).toBe(403);
    expect((await list(a, '?search=37126000009')).total).toBe(0);
    expect((await list(a)).total).toBe(1);
  });

  it("never shows, changes or exports another account's list", async () => {
    expect((await list(b)).total).toBe(0);
    expect((await b.request('DELETE', '/app/api/opt-outs/447700900123')).statusCode).toBe(404);
    expect((await b.get('/app/api/opt-outs/447700900123/history')).statusCode).toBe(404);
    expect((await b.get(`/app/api/opt-outs?account_id=${a.accountId}`)).json().total).toBe(0);
    const csv = await b.get('/app/api/opt-outs.csv');
    expect(csv.body).toBe('phone,source,created_at,sender\r\n');
    expect((await list(a)).total).toBe(1);
  });

  it('imports a CSV file all or nothing, naming the bad rows by line', async () => {
    const bad = await importCsv(b, 'name,phone\nAnn,+371 2600 0001\nBob,not a number\n\nCid,37126000003\nDee,12\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.csv).toEqual([
      'Line 3: “not a number” is not a phone number (8 to 20 digits with the country code).',
      'Line 6: “12” is not a phone number (8 to 20 digits with the country code).',
      'Nothing was imported: correct these rows and import the file again.',
    ]);
    expect((await list(b)).total).toBe(0);

    const manyBad = ['phone', '37126000001', ...Array.from({ length: 15 }, (_, i) => `x${i}`)].join('\n');
    const refused = (await importCsv(b, manyBad)).json().errors.csv as string[];
    expect(refused).toHaveLength(11);
    expect(refused[0]).toMatch(/^Line 3: “x0”/);
    expect(refused[10]).toBe('…and 5 more rows that are not phone numbers; nothing was imported.');

    const good = await importCsv(b, 'name;phone\nAnn;+371 2600 0001\n"Bob";"0037126000002"\nCid;37126000001\n');
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toEqual({ added: 2, already: 0, rows: 3 });
    expect((await list(b)).data.map((row) => row.phone)).toEqual(['37126000001', '37126000002']);
    expect((await importCsv(b, '\n\n')).statusCode).toBe(422);
  });

  it('exports the whole list as CSV, streamed in batches, number order, UTC times', async () => {
    const account = await dash.customer();
    const count = SUPPRESSION_EXPORT_BATCH * 2 + 7;
    const numbers = Array.from({ length: count }, (_, i) => String(447000000000 + i * 3));
    const imported = await importCsv(account, `phone\n${numbers.join('\n')}\n`);
    expect(imported.json()).toEqual({ added: count, already: 0, rows: count });
    const res = await account.get('/app/api/opt-outs.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="opt-outs.csv"');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('phone,source,created_at,sender');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((line) => line.split(','));
    expect(rows.map((row) => row[0])).toEqual([...numbers].sort());
    expect(new Set(rows.map((row) => row[1]))).toEqual(new Set(['dashboard']));
    expect(rows.every((row) => ISO_MS.test(row[2] ?? ''))).toBe(true);
  });

  it('leaves a number on the list out of a sending from Compose, as opted out and not charged', async () => {
    expect((await credit(engine.db, a.accountId, parseMoney('10'), 'test funds')).ok).toBe(true);
    await a.json(a.post('/app/api/opt-outs', { numbers: '37126000011' }));
    const price = await a.json<PriceView>(
      a.post('/app/api/price', { message: 'Hello', recipients: ['37126000011', '37126000012'] }),
    );
    expect(price).toMatchObject({ recipients: 2, valid: 1, suppressed: 1 });
    const sent = await a.json<CampaignView>(
      a.post('/app/api/sendings', { message: 'Hello', recipients: ['37126000011', '37126000012'], sender: 'SMSgic' }),
      201,
    );
    expect(sent.counts).toMatchObject({ queued: 1, suppressed: 1 });
  });
});
