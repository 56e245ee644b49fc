// The opt-out scope and the senders of the opt-out list in the dashboard: the Settings keywords card's scope (saved,
// refused when neither value), entries typed with or without a sender, removed one by one, and a CSV file exported
// and imported again with its sender column.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type {
  KeywordAnswersView,
  OptOutChangeView,
  OptOutView,
  Page,
  PriceView,
} from '../../src/http/dashboard/contract.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard opt-out scope and senders', (engine) => {
  let dash: DashboardApp;

  const list = (browser: Browser) => browser.json<Page<OptOutView>>(browser.get('/app/api/opt-outs'));
  const rows = async (browser: Browser) => (await list(browser)).data.map((row) => [row.phone, row.sender]);
  const importCsv = (browser: Browser, csv: string) =>
    browser.request('POST', '/app/api/opt-outs/import', { payload: csv, headers: { 'content-type': 'text/csv' } });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
  });
  afterAll(() => dash.close());

  it('saves the opt-out scope in the keywords settings, refuses another value, and applies it to a STOP', async () => {
    const a = await dash.customer();
    const settings = () => a.json<KeywordAnswersView>(a.get('/app/api/keywords'));
    expect((await settings()).opt_out_scope).toBe('account');
    const bad = await a.post('/app/api/keywords', { opt_out_scope: 'everyone' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual({ opt_out_scope: ['The selected opt out scope is invalid.'] });
    expect((await settings()).opt_out_scope).toBe('account');
    const saved = await a.json<KeywordAnswersView>(a.post('/app/api/keywords', { opt_out_scope: 'sender' }));
    expect(saved.opt_out_scope).toBe('sender');
    // Other settings keep it.
    await a.json(a.post('/app/api/keywords', { help_text: 'Call us' }));
    expect((await settings()).opt_out_scope).toBe('sender');

    await assignNumber(engine.db, a.accountId, '37125550600', null);
    await receiveInbound(
      engine.db,
      {
        provider: 'smpp',
        providerMessageId: 'dash-scope-1',
        from: '37126000901',
        to: '37125550600',
        text: 'STOP',
        receivedAtUs: engine.db.nowUs(),
      },
      () => {},
    );
    expect(await rows(a)).toEqual([['37126000901', '37125550600']]);
    expect(await findSuppression(engine.db, a.accountId, '37126000901', '')).toBeUndefined();
  });

  it('adds typed numbers for one sender or all, and removes one entry, its history naming the sender', async () => {
    const a = await dash.customer();
    expect(await a.json(a.post('/app/api/opt-outs', { numbers: '37126000911', sender: 'MegaShop' }))).toEqual({
      added: 1,
      already: 0,
    });
    expect(await a.json(a.post('/app/api/opt-outs', { numbers: '37126000911', sender: '' }))).toEqual({
      added: 1,
      already: 0,
    });
    expect(await rows(a)).toEqual([
      ['37126000911', null],
      ['37126000911', 'MegaShop'],
    ]);
    const bad = await a.post('/app/api/opt-outs', { numbers: '37126000912', sender: 'x'.repeat(30) });
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().errors)).toEqual(['sender']);

    expect((await a.request('DELETE', '/app/api/opt-outs/37126000911?sender=MegaShop')).statusCode).toBe(204);
    expect(await rows(a)).toEqual([['37126000911', null]]);
    expect((await a.request('DELETE', '/app/api/opt-outs/37126000911?sender=MegaShop')).statusCode).toBe(404);
    const history = await a.json<{ data: OptOutChangeView[] }>(a.get('/app/api/opt-outs/37126000911/history'));
    expect(history.data.map((change) => [change.action, change.sender])).toEqual([
      ['remove', 'MegaShop'],
      ['add', null],
      ['add', 'MegaShop'],
    ]);
    expect((await a.request('DELETE', '/app/api/opt-outs/37126000911')).statusCode).toBe(204);
    expect(await rows(a)).toEqual([]);
  });

  it("prices a Compose sending without the numbers opted out of its sender's sendings", async () => {
    const a = await dash.customer();
    await a.json(a.post('/app/api/opt-outs', { numbers: '37126000941', sender: 'MegaShop' }));
    const recipients = ['37126000941', '37126000942'];
    const price = (sender?: string) =>
      a.json<PriceView>(a.post('/app/api/price', { message: 'Hello', recipients, ...(sender && { sender }) }));
    expect(await price('MegaShop')).toMatchObject({ recipients: 2, valid: 1, suppressed: 1 });
    expect(await price('Cafe')).toMatchObject({ recipients: 2, valid: 2, suppressed: 0 });
    expect(await price()).toMatchObject({ valid: 2, suppressed: 0 });
  });

  it('exports the senders as a CSV column that an import reads back, all or nothing', async () => {
    const a = await dash.customer();
    await a.json(a.post('/app/api/opt-outs', { numbers: '37126000921 37126000922', sender: 'Cafe, Bar' }));
    await a.json(a.post('/app/api/opt-outs', { numbers: '37126000922', sender: '+37125550601' }));
    await a.json(a.post('/app/api/opt-outs', { numbers: '37126000923' }));
    const exported = (await a.get('/app/api/opt-outs.csv')).body;
    const lines = exported.split('\r\n');
    expect(lines[0]).toBe('phone,source,created_at,sender');
    expect(lines.slice(1, -1).map((line) => line.replace(/,dashboard,[^,]+,/, ','))).toEqual([
      '37126000921,"Cafe, Bar"',
      '37126000922,37125550601',
      '37126000922,"Cafe, Bar"',
      '37126000923,',
    ]);

    const b = await dash.customer();
    const imported = await importCsv(b, exported);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toEqual({ added: 4, already: 0, rows: 4 });
    expect(await rows(b)).toEqual(await rows(a));

    // A file with the sender column first (numbers as senders) still reads the numbers from the phone column.
    const c = await dash.customer();
    expect((await importCsv(c, 'sender;phone\n37125550601;37126000931\n;37126000932\n')).json()).toEqual({
      added: 2,
      already: 0,
      rows: 2,
    });
    expect(await rows(c)).toEqual([
      ['37126000931', '37125550601'],
      ['37126000932', null],
    ]);

    const refused = await importCsv(c, `phone,sender\n37126000933,${'y'.repeat(25)}\n37126000934,Cafe\n`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.csv[0]).toMatch(/^Line 2: “y+” is not a sender/);
    expect((await list(c)).total).toBe(2);
  });
});
