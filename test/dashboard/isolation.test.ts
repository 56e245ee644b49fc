// Tenant isolation in the dashboard: another account's ids are not found on every route that takes one, lists stay own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import type { CampaignView, CreatedTokenView, Page, SenderView, TokenView } from '../../src/http/dashboard/contract.js';
import { credit } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard tenant isolation', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let b: Browser;
  let tokenOfA: CreatedTokenView;
  let sendingOfA: CampaignView;
  let draftOfA: CampaignView;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    b = await dash.customer();
    for (const browser of [a, b]) {
      const done = await credit(engine.db, browser.accountId, parseMoney('10'), 'funds');
      if (!done.ok) throw new Error(done.reason);
    }
    tokenOfA = await a.json<CreatedTokenView>(a.post('/app/api/tokens', { name: 'of A' }), 201);
    const message = { message: 'From A', recipients: ['37126000001'], sender: 'SMSgic' };
    sendingOfA = await a.json<CampaignView>(
      a.post('/app/api/sendings', { ...message, schedule: '2099-01-01 00:00:00' }),
      201,
    );
    draftOfA = await a.json<CampaignView>(a.post('/app/api/sendings', { ...message, draft: true }), 201);
    await a.json(a.post('/app/api/senders', { name: 'ShopOfA' }), 201);
  });
  afterAll(() => dash.close());

  it("answers 404 to every route given another account's id, and changes nothing", async () => {
    const compose = { message: 'Hijack', recipients: ['37126000002'], sender: 'SMSgic' };
    const attempts: [string, string, unknown?][] = [
      ['POST', `/app/api/tokens/${tokenOfA.id}/revoke`],
      ['GET', `/app/api/sendings/${sendingOfA.id}`],
      ['GET', `/app/api/sendings/${draftOfA.id}`],
      ['PUT', `/app/api/sendings/${draftOfA.id}`, compose],
      ['DELETE', `/app/api/sendings/${draftOfA.id}`],
      ['POST', `/app/api/sendings/${sendingOfA.id}/cancel`],
      ['POST', `/app/api/sendings/${draftOfA.id}/send`],
      ['GET', `/app/api/sendings/${sendingOfA.id}/messages`],
      ['GET', `/app/api/sendings/${sendingOfA.id}/messages?status=queued&search=371`],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await b.request(method as 'GET', url, { payload: payload ?? {} });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ message: 'Not found.' });
    }
    // Ids no account has, and ids that are no ids, are not found either.
    for (const url of ['/app/api/sendings/999999', '/app/api/sendings/abc', '/app/api/sendings/1234567890123456789']) {
      expect((await b.get(url)).statusCode, url).toBe(404);
    }
    expect((await b.post('/app/api/tokens/999999/revoke')).statusCode).toBe(404);

    const tokens = await a.json<{ data: TokenView[] }>(a.get('/app/api/tokens'));
    expect(tokens.data.find((t) => t.id === tokenOfA.id)?.revoked_at).toBeNull();
    expect((await a.json<CampaignView>(a.get(`/app/api/sendings/${sendingOfA.id}`))).status).toBe('Pending');
    expect(await a.json<CampaignView>(a.get(`/app/api/sendings/${draftOfA.id}`))).toMatchObject({
      status: 'Draft',
      text: 'From A',
    });
    const balance = await dash.app.inject({
      method: 'GET',
      url: '/balance',
      headers: { authorization: `Bearer ${tokenOfA.token}` },
    });
    expect(balance.statusCode).toBe(200);
  });

  it("lists only the account's own tokens, transactions, senders and sendings", async () => {
    expect((await b.json<{ data: TokenView[] }>(b.get('/app/api/tokens'))).data).toEqual([]);
    expect((await b.json<Page<CampaignView>>(b.get('/app/api/sendings'))).total).toBe(0);
    const ledger = await b.json<Page<{ kind: string }>>(b.get('/app/api/transactions'));
    expect(ledger.data.map((t) => t.kind)).toEqual(['credit']);
    expect((await b.get('/app/api/transactions.csv')).body.trimEnd().split('\r\n')).toHaveLength(2);
    const senders = await b.json<{ data: SenderView[] }>(b.get('/app/api/senders'));
    expect(senders.data.map((s) => s.name)).toEqual(['SMSgic']);
  });
});
