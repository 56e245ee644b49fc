// `smsgic token create|revoke` and `sender add|default`, checked against the API they are meant for.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUsableSender } from '../../src/store/senders.js';
import { listTokens } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { apiOver, bearer, ensureBuilt, fails, ok } from './smsgic.js';

beforeAll(ensureBuilt);

interface CreatedToken {
  readonly id: number;
  readonly token: string;
  readonly prefix: string;
  readonly account_id: number;
}

describeEachEngine('smsgic token and sender', (engine) => {
  let api: FastifyInstance;
  let accountId: string;

  beforeAll(async () => {
    accountId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id);
    await ok(engine.url, 'credit', accountId, '450');
    api = await apiOver(engine.db);
  });
  afterAll(async () => {
    await api?.close();
  });

  const balanceWith = (token: string) => api.inject({ method: 'GET', url: '/balance', headers: bearer(token) });

  describe('token create', () => {
    it('shows a new token once, and the API takes it for that account', async () => {
      const created = await ok<CreatedToken>(engine.url, 'token', 'create', accountId);
      expect(created).toEqual({
        id: expect.any(Number),
        token: expect.stringMatching(/^smsgic_[A-Za-z0-9_-]{43}$/),
        prefix: created.token.slice(0, 14),
        account_id: Number(accountId),
      });
      const response = await balanceWith(created.token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ balance: '450.000', sign: '£', code: 'GBP' });
    });

    it('stores only a hash: the token is in no column of the database', async () => {
      const created = await ok<CreatedToken>(engine.url, 'token', 'create', accountId, '--name', 'shop backend');
      const rows = await engine.db.kysely.selectFrom('api_tokens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(created.token);
      const listed = (await listTokens(engine.db, Number(accountId))).find((t) => t.id === created.id);
      expect(listed).toMatchObject({ name: 'shop backend', prefix: created.prefix, revokedAtUs: null });
    });

    it('gives a different token every time', async () => {
      const first = await ok<CreatedToken>(engine.url, 'token', 'create', accountId);
      const second = await ok<CreatedToken>(engine.url, 'token', 'create', accountId);
      expect(second.id).not.toBe(first.id);
      expect(second.token).not.toBe(first.token);
    });

    it('refuses an account that does not exist, and a malformed one as a usage mistake', async () => {
      expect(await fails(engine.url, 1, 'token', 'create', '424242')).toBe('account 424242 does not exist');
      expect(await fails(engine.url, 2, 'token', 'create', 'acme')).toMatch(/ACCOUNT must be a positive integer/);
      expect(await fails(engine.url, 2, 'token', 'create')).toBe('ACCOUNT is required');
    });
  });

  describe('token revoke', () => {
    it('revokes a token, which the API then refuses while other tokens keep working', async () => {
      const kept = await ok<CreatedToken>(engine.url, 'token', 'create', accountId);
      const revoked = await ok<CreatedToken>(engine.url, 'token', 'create', accountId);
      expect((await balanceWith(revoked.token)).statusCode).toBe(200);

      expect(await ok(engine.url, 'token', 'revoke', String(revoked.id))).toEqual({ revoked: revoked.id });
      const refused = await balanceWith(revoked.token);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ message: 'Unauthenticated.' });
      expect((await balanceWith(kept.token)).statusCode).toBe(200);

      // Revoking again changes nothing and is not an error.
      expect(await ok(engine.url, 'token', 'revoke', String(revoked.id))).toEqual({ revoked: revoked.id });
      expect((await balanceWith(revoked.token)).statusCode).toBe(401);
    });

    it('refuses a token id that does not exist, and a malformed one as a usage mistake', async () => {
      expect(await fails(engine.url, 1, 'token', 'revoke', '987654')).toBe('token 987654 does not exist');
      expect(await fails(engine.url, 2, 'token', 'revoke', 'smsgic_abc')).toMatch(/TOKEN_ID must be a positive/);
      expect(await fails(engine.url, 2, 'token', 'revoke', '0')).toMatch(/TOKEN_ID must be a positive/);
    });
  });

  describe('sender add', () => {
    it('adds an approved sender that GET /senders lists and a sending may use; twice keeps one', async () => {
      const token = (await ok<CreatedToken>(engine.url, 'token', 'create', accountId)).token;
      const added = await ok<{ id: number; sender: string }>(engine.url, 'sender', 'add', accountId, 'MegaShop');
      expect(added).toEqual({ id: expect.any(Number), sender: 'MegaShop' });
      expect(await ok(engine.url, 'sender', 'add', accountId, 'MegaShop')).toEqual(added);
      const listed = await api.inject({ method: 'GET', url: '/senders', headers: bearer(token) });
      expect(listed.json()).toEqual({
        senders: [added, { id: expect.any(Number), sender: 'SMSgic', platform: true }],
      });
      const sending = await api.inject({
        method: 'POST',
        url: '/sendings',
        headers: bearer(token),
        payload: { message: 'Sale!', recipients: ['447911123456'], sender: 'MegaShop' },
      });
      expect(sending.statusCode).toBe(200);
    });

    it('takes a numeric sender of up to 16 digits and a name with a space', async () => {
      expect(await ok(engine.url, 'sender', 'add', accountId, '447911123456')).toMatchObject({
        sender: '447911123456',
      });
      expect(await ok(engine.url, 'sender', 'add', accountId, 'Mega Shop')).toMatchObject({ sender: 'Mega Shop' });
    });

    it.each([
      ['longer than 11 characters', 'MegaShopOnline', /at most 11 characters/],
      ['with characters a phone cannot show', 'Mega!Shop', /uses only A-Z/],
      ['without a letter', '12-34', /at least one letter/],
      ['of more than 16 digits', '12345678901234567', /at most 16 digits/],
      ['with a leading space', ' Mega', /cannot start or end with spaces/],
      ['empty', '', /a sender name is required/],
    ])('refuses a name %s as a usage mistake and adds nothing', async (_what, name, message) => {
      const before = await engine.db.kysely.selectFrom('senders').select('id').execute();
      expect(await fails(engine.url, 2, 'sender', 'add', accountId, `${name}`)).toMatch(message);
      expect(await engine.db.kysely.selectFrom('senders').select('id').execute()).toEqual(before);
    });

    it('refuses an account that does not exist and a missing name', async () => {
      expect(await fails(engine.url, 1, 'sender', 'add', '999999', 'MegaShop')).toBe('account 999999 does not exist');
      expect(await fails(engine.url, 2, 'sender', 'add', accountId)).toBe('NAME is required');
    });
  });

  describe('sender default', () => {
    it('adds a platform-wide sender every account may use and sees listed as a platform sender', async () => {
      const other = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'other')).id);
      const added = await ok<{ id: number }>(engine.url, 'sender', 'default', 'Alerts');
      expect(added).toEqual({ id: expect.any(Number), sender: 'Alerts', default: true });
      for (const id of [accountId, other]) {
        expect(await findUsableSender(engine.db, Number(id), 'Alerts')).toMatchObject({
          accountId: null,
          status: 'approved',
        });
      }
      const token = (await ok<CreatedToken>(engine.url, 'token', 'create', other)).token;
      const listed = await api.inject({ method: 'GET', url: '/senders', headers: bearer(token) });
      expect(listed.json()).toEqual({
        senders: [
          { id: expect.any(Number), sender: 'SMSgic', platform: true },
          { id: added.id, sender: 'Alerts', platform: true },
        ],
      });
    });

    it('refuses a bad name as a usage mistake, and a missing one', async () => {
      expect(await fails(engine.url, 2, 'sender', 'default', 'Platform Alerts')).toMatch(/at most 11 characters/);
      expect(await fails(engine.url, 2, 'sender', 'default')).toBe('NAME is required');
    });
  });
});
