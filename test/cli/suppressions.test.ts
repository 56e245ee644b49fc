// `smsgic suppressions list|add|remove --account`: the operator changes an account's opt-out list, which the API honours.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { suppressionHistory } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { apiOver, bearer, ensureBuilt, fails, ok } from './smsgic.js';

beforeAll(ensureBuilt);

describeEachEngine('smsgic suppressions', (engine) => {
  let api: FastifyInstance;
  let accountId: string;
  let otherId: string;
  let token: string;

  beforeAll(async () => {
    accountId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id);
    otherId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'other')).id);
    await ok(engine.url, 'credit', accountId, '10');
    token = (await ok<{ token: string }>(engine.url, 'token', 'create', accountId)).token;
    api = await apiOver(engine.db);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('adds, lists and removes numbers of one account, as the operator, and the API leaves them out', async () => {
    expect(
      await ok(engine.url, 'suppressions', 'add', '--account', accountId, '37120000001', '+4915100000001'),
    ).toEqual({ account_id: Number(accountId), added: 2 });
    expect(await ok(engine.url, 'suppressions', 'add', '--account', accountId, '37120000001')).toEqual({
      account_id: Number(accountId),
      added: 0,
    });
    const listed = await ok<{ suppressions: { phone_number: string; source: string }[] }>(
      engine.url,
      'suppressions',
      'list',
      '--account',
      accountId,
    );
    expect(listed.suppressions.map((s) => [s.phone_number, s.source])).toEqual([
      ['37120000001', 'operator'],
      ['4915100000001', 'operator'],
    ]);
    const searched = await ok<{ suppressions: unknown[] }>(
      engine.url,
      'suppressions',
      'list',
      '--account',
      accountId,
      '--search',
      '49',
    );
    expect(searched.suppressions).toHaveLength(1);
    // Another account's list is its own.
    expect(await ok(engine.url, 'suppressions', 'list', '--account', otherId)).toEqual({
      account_id: Number(otherId),
      suppressions: [],
    });

    // The API sees the operator's list.
    const seen = await api.inject({ method: 'GET', url: '/suppressions/37120000001', headers: bearer(token) });
    expect(seen.json().suppression).toMatchObject({ phone_number: '37120000001', source: 'operator' });
    const quote = await api.inject({
      method: 'POST',
      url: '/sendings/calculate',
      headers: bearer(token),
      payload: { message: 'Hi', recipients: ['37120000001', '37120000002'] },
    });
    expect(quote.json().calculate.info).toMatchObject({ recipients: 1, sms_count: 1 });
    expect(quote.json().calculate.suppressed).toMatchObject([{ phone_number: 37120000001 }]);

    expect(await ok(engine.url, 'suppressions', 'remove', '--account', accountId, '37120000001')).toEqual({
      account_id: Number(accountId),
      removed: '37120000001',
    });
    expect(await fails(engine.url, 1, 'suppressions', 'remove', '--account', accountId, '37120000001')).toBe(
      `37120000001 is not on the suppression list of account ${accountId}`,
    );
    const history = await suppressionHistory(engine.db, Number(accountId), { page: 1, perPage: 10 });
    expect(history.map((c) => [c.phone, c.action, c.source, c.actor])).toEqual([
      ['37120000001', 'remove', 'operator', 'smsgic'],
      ['4915100000001', 'add', 'operator', 'smsgic'],
      ['37120000001', 'add', 'operator', 'smsgic'],
    ]);
  });

  it('refuses mistakes in the command line before touching the database, and an unknown account', async () => {
    expect(await fails(engine.url, 2, 'suppressions', 'list')).toBe('--account is required');
    expect(await fails(engine.url, 2, 'suppressions', 'add', '--account', accountId)).toBe('PHONE is required');
    expect(await fails(engine.url, 2, 'suppressions', 'add', '--account', accountId, '12ab')).toBe(
      'PHONE must be 8 to 20 digits, got "12ab"',
    );
    expect(await fails(engine.url, 2, 'suppressions', 'list', '--account', accountId, '--search', 'x')).toBe(
      '--search must be digits, got "x"',
    );
    expect(
      await fails(engine.url, 2, 'suppressions', 'remove', '--account', accountId, '37120000001', '37120000002'),
    ).toMatch(/^"suppressions remove" takes at most 1 arguments/);
    expect(await fails(engine.url, 1, 'suppressions', 'list', '--account', '999999')).toBe(
      'account 999999 does not exist',
    );
  });

  it("adds and removes an entry for one sender with --sender, and sets the account's opt-out scope", async () => {
    const id = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'scoped')).id);
    expect(await ok(engine.url, 'suppressions', 'add', '--account', id, '--sender', 'MegaShop', '37120000021')).toEqual(
      { account_id: Number(id), added: 1, sender: 'MegaShop' },
    );
    expect(await ok(engine.url, 'suppressions', 'add', '--account', id, '37120000021')).toEqual({
      account_id: Number(id),
      added: 1,
    });
    const listed = await ok<{ suppressions: { phone_number: string; sender?: string }[] }>(
      engine.url,
      'suppressions',
      'list',
      '--account',
      id,
    );
    expect(listed.suppressions.map((s) => [s.phone_number, s.sender])).toEqual([
      ['37120000021', undefined],
      ['37120000021', 'MegaShop'],
    ]);
    expect(
      await ok(engine.url, 'suppressions', 'remove', '--account', id, '--sender', 'MegaShop', '37120000021'),
    ).toEqual({ account_id: Number(id), removed: '37120000021', sender: 'MegaShop' });
    expect(
      await fails(engine.url, 1, 'suppressions', 'remove', '--account', id, '--sender', 'MegaShop', '37120000021'),
    ).toBe(`37120000021 is not on the suppression list of account ${id} for sendings from MegaShop`);
    expect(
      await fails(engine.url, 2, 'suppressions', 'add', '--account', id, '--sender', 'x'.repeat(21), '37120000022'),
    ).toBe('--sender: A sender is 1 to 20 characters: a sender name, or a number.');

    expect(await ok(engine.url, 'account', 'opt-out-scope', id)).toEqual({ id: Number(id), opt_out_scope: 'account' });
    expect(await ok(engine.url, 'account', 'opt-out-scope', id, 'sender')).toEqual({
      id: Number(id),
      opt_out_scope: 'sender',
    });
    expect(await ok(engine.url, 'account', 'opt-out-scope', id)).toEqual({ id: Number(id), opt_out_scope: 'sender' });
    expect(await fails(engine.url, 2, 'account', 'opt-out-scope', id, 'everyone')).toBe(
      'the scope must be account or sender, got "everyone"',
    );
    expect(await fails(engine.url, 1, 'account', 'opt-out-scope', '999999', 'sender')).toBe(
      'account 999999 does not exist',
    );
  });
});
