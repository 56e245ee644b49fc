// `smsgic account inbound-url ACCOUNT URL|--clear`: the operator sets where an account's received messages are POSTed;
// GET /numbers shows it to the account.
import { beforeAll, expect, it } from 'vitest';
import { getInboundUrl } from '../../src/store/accounts.js';
import { describeEachEngine } from '../support/databases.js';
import { apiOver, bearer, ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

describeEachEngine('smsgic account inbound-url', (engine) => {
  it('sets it, shows it in GET /numbers, refuses an internal address, and clears it', async () => {
    const accountId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id;
    const set = await ok(engine.url, 'account', 'inbound-url', String(accountId), 'https://hooks.example.com/in');
    expect(set).toEqual({ id: accountId, inbound_url: 'https://hooks.example.com/in' });
    expect(await getInboundUrl(engine.db, accountId)).toBe('https://hooks.example.com/in');

    const { token } = await ok<{ token: string }>(engine.url, 'token', 'create', String(accountId));
    const api = await apiOver(engine.db);
    try {
      const listed = await api.inject({
        method: 'GET',
        url: '/numbers',
        headers: bearer(token),
      });
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual({ numbers: [], inbound_url: 'https://hooks.example.com/in' });
    } finally {
      await api.close();
    }

    const refused = await fails(engine.url, 2, 'account', 'inbound-url', String(accountId), 'http://10.0.0.5/in');
    expect(refused).toContain('must not point to a private, loopback, link-local or multicast address');
    expect(await getInboundUrl(engine.db, accountId)).toBe('https://hooks.example.com/in');
    expect(await fails(engine.url, 2, 'account', 'inbound-url', String(accountId))).toContain('URL or --clear');

    const human = await smsgic(engine.url, ['account', 'inbound-url', String(accountId), '--clear']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain('inbound_url: -');
    expect(await getInboundUrl(engine.db, accountId)).toBeNull();
  });
});
