// Two-way messaging through the API: GET /numbers and GET /inbound list what the account's numbers received, paged and
// filtered, each account its own; a STOP received shows on its suppression list.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { receiveInbound } from '../../src/services/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0) * 1000;
const MINUTE = 60_000_000;

describeEachEngine('inbound messages over HTTP', (engine) => {
  let api: ApiApp;
  let a: ApiAccount;
  let b: ApiAccount;
  const logged: string[] = [];
  const get = (account: ApiAccount, url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  let nextId = 0;
  const receive = (to: string, text: string, receivedAtUs: number, from = '37120000001') =>
    receiveInbound(
      engine.db,
      { provider: 'smpp', providerMessageId: `api-${++nextId}`, from, to, text, receivedAtUs },
      (_fields, message) => logged.push(message),
    );

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    a = await api.account();
    b = await api.account();
    await assignNumber(engine.db, a.id, '37125550001', null);
    await assignNumber(engine.db, a.id, '37125550002', null);
    await assignNumber(engine.db, a.id, '1881', 'shop');
    await assignNumber(engine.db, b.id, '1881', 'cafe');
    await receive('37125550001', 'first', T0);
    await receive('37125550002', 'second', T0 + MINUTE);
    await receive('1881', 'Shop open?', T0 + 2 * MINUTE);
    await receive('1881', 'cafe latte', T0 + 3 * MINUTE);
    await receive('37125550001', 'fourth', T0 + 4 * MINUTE, '4915100000009');
  });
  afterAll(() => api.close());

  it("lists the account's numbers and keywords, and only its own", async () => {
    const res = await get(a, '/numbers');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      numbers: [
        { number: '1881', keyword: 'SHOP', created_at: expect.stringMatching(/^\d{4}-.*\.\d{6}Z$/) },
        { number: '37125550001', keyword: null, created_at: expect.any(String) },
        { number: '37125550002', keyword: null, created_at: expect.any(String) },
      ],
      inbound_url: null,
    });
    expect((await get(b, '/numbers')).json().numbers).toEqual([
      { number: '1881', keyword: 'CAFE', created_at: expect.any(String) },
    ]);
  });

  it('lists received messages newest first, paged, by number and time, each account its own', async () => {
    const all = await get(a, '/inbound');
    expect(all.statusCode).toBe(200);
    expect(all.headers['x-total-count']).toBe('4');
    expect(all.json().inbound).toEqual([
      {
        id: expect.any(Number),
        from: '4915100000009',
        to: '37125550001',
        text: 'fourth',
        received_at: '2026-01-10T12:04:00.000000Z',
        keyword_effect: null,
      },
      expect.objectContaining({ to: '1881', text: 'Shop open?' }),
      expect.objectContaining({ to: '37125550002', text: 'second' }),
      expect.objectContaining({ to: '37125550001', text: 'first', from: '37120000001' }),
    ]);
    const page = await get(a, '/inbound?per_page=2&page=2');
    expect(page.json().inbound.map((m: { text: string }) => m.text)).toEqual(['second', 'first']);
    expect(page.headers.link).toContain('rel="prev"');
    expect((await get(a, '/inbound?number=37125550001')).json().inbound.map((m: { text: string }) => m.text)).toEqual([
      'fourth',
      'first',
    ]);
    const window = await get(a, '/inbound?from=2026-01-10T12:01:00Z&to=2026-01-10 12:02:00');
    expect(window.json().inbound.map((m: { text: string }) => m.text)).toEqual(['Shop open?', 'second']);
    expect(window.headers['x-total-count']).toBe('2');

    expect((await get(b, '/inbound')).json().inbound).toEqual([
      expect.objectContaining({ to: '1881', text: 'cafe latte' }),
    ]);
    // Another account's number filters to nothing.
    expect((await get(b, '/inbound?number=37125550001')).json().inbound).toEqual([]);
  });

  it('refuses malformed filters and a missing token', async () => {
    const bad = await get(a, '/inbound?from=yesterday&number=12');
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().errors).sort()).toEqual(['from', 'number']);
    const anonymous = await api.app.inject({ method: 'GET', url: '/inbound' });
    expect(anonymous.statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/numbers' })).statusCode).toBe(401);
  });

  it('puts the sender of a STOP on the suppression list the API shows', async () => {
    await receive('37125550002', 'stop', T0 + 10 * MINUTE, '37120000077');
    const found = await get(a, '/suppressions/37120000077');
    expect(found.statusCode).toBe(200);
    expect(found.json().suppression).toMatchObject({ phone_number: '37120000077', source: 'stop_message' });
    expect((await get(b, '/suppressions/37120000077')).statusCode).toBe(404);
    // GET /inbound tells what the message did.
    expect((await get(a, '/inbound?per_page=1')).json().inbound).toEqual([
      expect.objectContaining({ from: '37120000077', text: 'stop', keyword_effect: 'opt_out' }),
    ]);
  });
});
