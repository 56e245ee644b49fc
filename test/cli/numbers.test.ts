// `smsgic numbers assign|list|unassign`: the operator gives accounts the numbers (or keywords of a shared short code)
// they receive on, which the API then lists.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { apiOver, bearer, ensureBuilt, fails, ok } from './smsgic.js';

beforeAll(ensureBuilt);

describeEachEngine('smsgic numbers', (engine) => {
  let api: FastifyInstance;
  let accountId: string;
  let otherId: string;
  let token: string;

  beforeAll(async () => {
    accountId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id);
    otherId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'other')).id);
    token = (await ok<{ token: string }>(engine.url, 'token', 'create', accountId)).token;
    api = await apiOver(engine.db);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('assigns numbers and keywords to one account at most, lists them, and unassigns them', async () => {
    expect(await ok(engine.url, 'numbers', 'assign', '--account', accountId, '+37125550001')).toEqual({
      id: expect.any(Number),
      account_id: Number(accountId),
      number: '37125550001',
      keyword: null,
      created_at: expect.stringMatching(/Z$/),
    });
    expect(
      await ok(engine.url, 'numbers', 'assign', '--account', accountId, '1881', '--keyword', 'shop'),
    ).toMatchObject({ number: '1881', keyword: 'SHOP' });
    expect(await ok(engine.url, 'numbers', 'assign', '--account', otherId, '1881', '--keyword', 'CAFE')).toMatchObject({
      account_id: Number(otherId),
      keyword: 'CAFE',
    });
    expect(await fails(engine.url, 1, 'numbers', 'assign', '--account', otherId, '37125550001')).toBe(
      `37125550001 is assigned to account ${accountId}`,
    );
    expect(await fails(engine.url, 1, 'numbers', 'assign', '--account', otherId, '1881', '--keyword', 'Shop')).toBe(
      `1881 keyword SHOP is assigned to account ${accountId}`,
    );

    const mine = await ok<{ numbers: { number: string; keyword: string | null }[] }>(
      engine.url,
      'numbers',
      'list',
      '--account',
      accountId,
    );
    expect(mine.numbers.map((n) => [n.number, n.keyword])).toEqual([
      ['1881', 'SHOP'],
      ['37125550001', null],
    ]);
    const all = await ok<{ numbers: { account_id: number; keyword: string | null }[] }>(engine.url, 'numbers', 'list');
    expect(all.numbers.map((n) => [n.account_id, n.keyword])).toEqual([
      [Number(otherId), 'CAFE'],
      [Number(accountId), 'SHOP'],
      [Number(accountId), null],
    ]);

    // The API shows the account what the operator assigned.
    const listed = await api.inject({ method: 'GET', url: '/numbers', headers: bearer(token) });
    expect(listed.json().numbers.map((n: { number: string }) => n.number)).toEqual(['1881', '37125550001']);

    expect(await ok(engine.url, 'numbers', 'unassign', '1881', '--keyword', 'shop')).toMatchObject({
      unassigned: { account_id: Number(accountId), number: '1881', keyword: 'SHOP' },
    });
    expect(await fails(engine.url, 1, 'numbers', 'unassign', '1881', '--keyword', 'shop')).toBe(
      '1881 keyword SHOP is not assigned',
    );
    expect(await ok(engine.url, 'numbers', 'assign', '--account', otherId, '1881', '--keyword', 'shop')).toMatchObject({
      account_id: Number(otherId),
    });
  });

  it('refuses a malformed command line', async () => {
    expect(await fails(engine.url, 2, 'numbers', 'assign', '37125550009')).toBe('--account is required');
    expect(await fails(engine.url, 2, 'numbers', 'assign', '--account', accountId, '12')).toBe(
      'NUMBER must be 3 to 20 digits, got "12"',
    );
    expect(
      await fails(engine.url, 2, 'numbers', 'assign', '--account', accountId, '1881', '--keyword', 'two words'),
    ).toBe('--keyword must be one word of at most 20 letters or digits, got "two words"');
    expect(await fails(engine.url, 2, 'numbers', 'unassign', '1881', '--account', accountId)).toBe(
      '--account is not an option of "numbers unassign"',
    );
    expect(await fails(engine.url, 1, 'numbers', 'assign', '--account', '99999', '37125550009')).toBe(
      'account 99999 does not exist',
    );
  });
});
