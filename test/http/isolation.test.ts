// Accounts through the API: a token sees its own account's senders, rates and sendings, and nothing of another's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import { replaceRates } from '../../src/store/rates.js';
import { revokeTokenAsOperator } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

describeEachEngine('account isolation through the API', (engine) => {
  let api: ApiApp;
  let a: ApiAccount;
  let b: ApiAccount;
  let sendingOfA = 0;

  const get = (account: ApiAccount, url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  const post = (account: ApiAccount, url: string, payload: object, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, headers: { ...account.headers, ...headers }, payload });

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    a = await api.account({ balance: '100', sender: 'ShopOfA' });
    b = await api.account({ balance: '100', sender: 'ShopOfB' });
    const replaced = await replaceRates(engine.db, a.id, [
      { mcc: '247', mnc: null, rateMinor: parseMoney('0.1111') },
      { mcc: '247', mnc: '02', rateMinor: parseMoney('0.2222') },
    ]);
    if (!replaced.ok) throw new Error(replaced.reason);
    const res = await post(
      a,
      '/sendings',
      { message: 'from A', recipients: ['37120000000'], sender: 'ShopOfA' },
      { 'idempotency-key': 'order-1' },
    );
    if (res.statusCode !== 200) throw new Error(res.body);
    sendingOfA = res.json().sending_id;
  });
  afterAll(() => api.close());

  it("lists the account's own senders and the platform's, never another account's", async () => {
    const platform = { id: expect.any(Number), sender: 'SMSgic', platform: true };
    expect((await get(a, '/senders')).json()).toEqual({
      senders: [{ id: expect.any(Number), sender: 'ShopOfA' }, platform],
    });
    expect((await get(b, '/senders')).json()).toEqual({
      senders: [{ id: expect.any(Number), sender: 'ShopOfB' }, platform],
    });
  });

  it("shows an account's own price list to it alone; another account sees the default list", async () => {
    expect((await get(a, '/rates')).json()).toEqual({
      rates: [
        { mcc: '247', mnc: null, country: 'Latvia', rate: 0.1111 },
        { mcc: '247', mnc: '02', country: 'Latvia', rate: 0.2222 },
      ],
    });
    expect((await get(b, '/rates?country=latvia')).json()).toEqual({
      rates: [
        { mcc: '247', mnc: null, country: 'Latvia', rate: 0.045 },
        { mcc: '247', mnc: '01', country: 'Latvia', rate: 0.039 },
        { mcc: '247', mnc: '02', country: 'Latvia', rate: 0.041 },
        { mcc: '247', mnc: '05', country: 'Latvia', rate: 0.042 },
      ],
    });
    const body = JSON.stringify((await get(b, '/rates')).json());
    expect(body).not.toContain('0.1111');
    expect(body).not.toContain('0.2222');
  });

  it("prices each account's calculation with its own list", async () => {
    const request = { message: 'Hi', recipients: ['37120000000'] };
    const ofA = (await post(a, '/sendings/calculate', request)).json();
    const ofB = (await post(b, '/sendings/calculate', request)).json();
    expect(ofA.calculate.info.total).toBe(0.2222);
    expect(ofB.calculate.info.total).toBe(0.041);
  });

  it("lists only the account's own sendings", async () => {
    expect((await get(a, '/sendings')).json().sendings.map((s: { id: number }) => s.id)).toEqual([sendingOfA]);
    expect((await get(b, '/sendings')).json()).toEqual({ sendings: [] });
  });

  it("answers 404 with the model text, not 403, to another account's sending", async () => {
    expect((await get(a, `/sendings/${sendingOfA}`)).statusCode).toBe(200);
    const res = await get(b, `/sendings/${sendingOfA}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: `No query results for model ${sendingOfA}` });
  });

  it("refuses another account's sender and accepts a platform default for both", async () => {
    const res = await post(b, '/sendings', { message: 'Hi', recipients: ['37120000000'], sender: 'ShopOfA' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      message: 'The selected sender is invalid.',
      errors: { sender: ['The selected sender is invalid.'] },
    });
    for (const account of [a, b]) {
      const ok = await post(account, '/sendings', { message: 'Hi', recipients: ['37120000000'], sender: 'SMSgic' });
      expect(ok.statusCode).toBe(200);
    }
  });

  it("leaves another account's Idempotency-Key free: the same key makes the other account's own sending", async () => {
    const res = await post(
      b,
      '/sendings',
      { message: 'from A', recipients: ['37120000000'], sender: 'ShopOfB' },
      { 'idempotency-key': 'order-1' },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().sending_id).not.toBe(sendingOfA);
    expect((await get(b, `/sendings/${res.json().sending_id}`)).statusCode).toBe(200);
  });

  it("charges only the sending account's balance", async () => {
    const before = (await get(b, '/balance')).json().balance;
    expect(
      (await post(a, '/sendings', { message: 'Hi', recipients: ['37120000001'], sender: 'ShopOfA' })).statusCode,
    ).toBe(200);
    expect((await get(b, '/balance')).json().balance).toBe(before);
  });

  it("revoking one account's token leaves the other's working", async () => {
    const c = await api.account();
    await revokeTokenAsOperator(engine.db, c.tokenId);
    expect((await get(c, '/balance')).statusCode).toBe(401);
    expect((await get(b, '/balance')).statusCode).toBe(200);
  });
});
