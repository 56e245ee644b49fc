// Which requests need a bearer token, and that a token's state is read afresh on every request, in every process.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setAccountSuspended } from '../../src/store/admin-views.js';
import { revokeTokenAsOperator } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiApp, startApiApp } from '../support/http-app.js';

const NEEDS_TOKEN = [
  ['GET', '/balance'],
  ['HEAD', '/balance'],
  ['GET', '/senders'],
  ['GET', '/rates'],
  ['HEAD', '/rates'],
  ['POST', '/sendings/calculate'],
  ['GET', '/sendings'],
  ['POST', '/sendings'],
  ['GET', '/sendings/1'],
  ['GET', '/sendings/1/messages'],
  ['POST', '/sendings/1/cancel'],
  ['GET', '/suppressions'],
  ['POST', '/suppressions'],
  ['GET', '/suppressions/37120000000'],
  ['DELETE', '/suppressions/37120000000'],
  ['GET', '/numbers'],
  ['GET', '/inbound'],
] as const;

describeEachEngine('bearer tokens', (engine) => {
  let api: ApiApp;
  // A second process of the same deployment: its own app on the same database.
  let other: ApiApp;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    other = await startApiApp(engine.db);
  });
  afterAll(async () => {
    await api.close();
    await other.close();
  });

  it('are needed by every endpoint but /status, HEAD requests included', async () => {
    for (const [method, url] of NEEDS_TOKEN) {
      for (const authorization of [undefined, 'Bearer smsgic_unknown', 'Basic abc']) {
        const res = await api.app.inject({ method, url, headers: authorization ? { authorization } : {} });
        expect({ method, url, authorization, status: res.statusCode }).toEqual({
          method,
          url,
          authorization,
          status: 401,
        });
        if (method !== 'HEAD') expect(res.json()).toEqual({ message: 'Unauthenticated.' });
      }
    }
    const status = await api.app.inject({ method: 'GET', url: '/status' });
    expect(status.statusCode).toBe(200);
  });

  it('are refused on the very next request in every process once revoked, or once the account is suspended', async () => {
    const revoked = await api.account({ balance: '5' });
    const suspended = await api.account({ balance: '5' });
    for (const app of [api, other]) {
      for (const account of [revoked, suspended]) {
        const res = await app.app.inject({ method: 'GET', url: '/balance', headers: account.headers });
        expect(res.statusCode).toBe(200);
      }
    }
    await revokeTokenAsOperator(engine.db, revoked.tokenId);
    await setAccountSuspended(engine.db, suspended.id, true);
    for (const app of [api, other]) {
      const gone = await app.app.inject({ method: 'GET', url: '/balance', headers: revoked.headers });
      expect(gone.statusCode).toBe(401);
      const held = await app.app.inject({ method: 'GET', url: '/balance', headers: suspended.headers });
      expect(held.statusCode).toBe(401);
      expect(held.json()).toEqual({ message: 'Unauthenticated.', reason: expect.any(String) });
    }
  });
});
