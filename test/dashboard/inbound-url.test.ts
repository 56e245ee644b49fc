// The inbound URL in the dashboard's Settings: the signed-in account's own, set, refused when internal, and cleared.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundUrlView } from '../../src/http/dashboard/contract.js';
import { getInboundUrl } from '../../src/store/accounts.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard inbound URL', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let b: Browser;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    b = await dash.customer();
  });
  afterAll(() => dash.close());

  it("sets, refuses and clears the account's own inbound URL, never another's", async () => {
    expect(await a.json<InboundUrlView>(a.get('/app/api/inbound-url'))).toEqual({ inbound_url: null });
    const saved = await a.post('/app/api/inbound-url', { inbound_url: 'https://hooks.example.com/in' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ inbound_url: 'https://hooks.example.com/in' });
    expect(await getInboundUrl(engine.db, a.accountId)).toBe('https://hooks.example.com/in');
    expect(await getInboundUrl(engine.db, b.accountId)).toBeNull();

    const refused = await a.post('/app/api/inbound-url', { inbound_url: 'http://192.168.1.10/in' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.inbound_url).toEqual([
      'The callback url must not point to a private, loopback, link-local or multicast address.',
    ]);
    expect((await a.post('/app/api/inbound-url', { inbound_url: 'not a url' })).statusCode).toBe(422);
    expect(
      (await a.post('/app/api/inbound-url', { inbound_url: 'https://x.example' }, { csrf: null })).statusCode,
    ).toBe(403);
    expect(await getInboundUrl(engine.db, a.accountId)).toBe('https://hooks.example.com/in');

    expect((await a.post('/app/api/inbound-url', { inbound_url: '' })).json()).toEqual({ inbound_url: null });
    expect(await getInboundUrl(engine.db, a.accountId)).toBeNull();
    expect((await dash.browser().get('/app/api/inbound-url')).statusCode).toBe(401);
  });
});
