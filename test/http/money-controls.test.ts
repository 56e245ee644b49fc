// Controls on an account's money through the API: the countries it sends to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { changeSpendLimits, chooseCountries, setAllowedCountries } from '../../src/services/account-controls.js';
import { getAccount } from '../../src/store/accounts.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

/** Latvia Tele2, Denmark Telenor, Russia. */
const LATVIA = '37120000000';
const DENMARK = '4525123456';
const RUSSIA = '7554684221';

describeEachEngine('destination countries through the API', (engine) => {
  let api: ApiApp;
  const plan = loadNumberingPlan();

  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  const calculate = (account: ApiAccount, payload: object) =>
    api.app.inject({ method: 'POST', url: '/sendings/calculate', headers: account.headers, payload });
  const send = (account: ApiAccount, payload: object) =>
    api.app.inject({ method: 'POST', url: '/sendings', headers: account.headers, payload });
  const sendings = async (account: ApiAccount) =>
    (await api.app.inject({ method: 'GET', url: '/sendings', headers: account.headers })).json().sendings as unknown[];
  const allow = async (account: ApiAccount, list: string) => {
    const result = await setAllowedCountries(engine.db, plan, account.id, list);
    expect(result.ok).toBe(true);
  };
  const choose = async (account: ApiAccount, list: string) => {
    const current = await getAccount(engine.db, account.id);
    if (!current) throw new Error('no account');
    return chooseCountries(engine.db, plan, current, list);
  };

  const body = { message: 'Hi', recipients: [LATVIA, DENMARK, RUSSIA], sender: 'MegaShop' };
  const refusedRussia = {
    message: 'The recipients.2 is in Russia, where this account does not send.',
    errors: { 'recipients.2': ['The recipients.2 is in Russia, where this account does not send.'] },
  };

  it('refuses a recipient in a country the operator does not allow, and reserves nothing', async () => {
    const account = await api.account({ balance: '1' });
    expect((await calculate(account, body)).statusCode).toBe(200);
    await allow(account, 'lv, DK');

    const quote = await calculate(account, body);
    expect(quote.statusCode).toBe(422);
    expect(quote.json()).toEqual(refusedRussia);
    const res = await send(account, body);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual(refusedRussia);
    expect(await getBalance(engine.db, account.id)).toBe(10_000);
    expect(await sendings(account)).toEqual([]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);

    const allowed = await send(account, { ...body, recipients: [LATVIA, DENMARK] });
    expect(allowed.statusCode).toBe(200);
  });

  it("sends only to the customer's choice within the operator's list, changed for the next request", async () => {
    const account = await api.account({ balance: '1' });
    await allow(account, 'LV,DK');
    expect((await choose(account, 'LV')).ok).toBe(true);
    const res = await send(account, { ...body, recipients: [LATVIA, DENMARK] });
    expect(res.json()).toEqual({
      message: 'The recipients.1 is in Denmark, where this account does not send.',
      errors: { 'recipients.1': ['The recipients.1 is in Denmark, where this account does not send.'] },
    });
    expect(await getBalance(engine.db, account.id)).toBe(10_000);

    // A customer cannot choose past the operator's list; "all" is all the operator allows.
    const outside = await choose(account, 'LV,RU');
    expect(outside).toMatchObject({ ok: false, kind: 'invalid' });
    if (!outside.ok && outside.kind === 'invalid') {
      expect(outside.errors.toJSON().errors).toEqual({
        countries: ['This account may not send to RU: ask support to allow it.'],
      });
    }
    expect((await choose(account, 'all')).ok).toBe(true);
    expect((await send(account, { ...body, recipients: [LATVIA, DENMARK] })).statusCode).toBe(200);
    expect((await send(account, body)).json()).toEqual(refusedRussia);

    // The operator allowing every country again: the same token sends everywhere at once.
    await allow(account, 'all');
    expect((await send(account, body)).statusCode).toBe(200);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('refuses codes that name no country', async () => {
    const account = await api.account();
    const result = await setAllowedCountries(engine.db, plan, account.id, 'LV, XX, Latvia');
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
    if (!result.ok && result.kind === 'invalid') {
      expect(result.errors.toJSON().errors).toEqual({ countries: ['Not a country code: XX, Latvia.'] });
    }
  });

  describe('spend limits', () => {
    const costMinor = 410; // one part to Latvia Tele2
    const spendLimit = (text: string) => ({ message: text, errors: { spend_limit: [text] } });

    it('accepts exactly the sendings a daily limit covers under a rush, reserving nothing for the others', async () => {
      const REQUESTS = 30;
      const COVERED = 11;
      const account = await api.account({ balance: '10' });
      expect(await changeSpendLimits(engine.db, account.id, { dailyMinor: COVERED * costMinor + 409 })).toBe(true);
      const baseUrl = await api.listen();
      const responses = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const res = await fetch(`${baseUrl}/sendings`, {
            method: 'POST',
            headers: { ...account.headers, 'content-type': 'application/json' },
            body: JSON.stringify({
              message: `rush ${i}`,
              recipients: [String(37_120_000_000 + i)],
              sender: 'MegaShop',
            }),
          });
          return { status: res.status, body: (await res.json()) as { errors?: Record<string, string[]> } };
        }),
      );
      expect(responses.filter((r) => r.status === 200)).toHaveLength(COVERED);
      const refused = responses.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(REQUESTS - COVERED);
      for (const r of refused) {
        expect(r.status).toBe(422);
        expect(Object.keys(r.body.errors ?? {})).toEqual(['spend_limit']);
      }
      expect(await getBalance(engine.db, account.id)).toBe(100_000 - COVERED * costMinor);
      expect(await sendings(account)).toHaveLength(COVERED);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('refuses a sending past the monthly limit with the limit and what is spent, and counts refunds back', async () => {
      const account = await api.account({ balance: '10' });
      await changeSpendLimits(engine.db, account.id, { monthlyMinor: 1000 });
      const one = { message: 'Hi', recipients: [LATVIA], sender: 'MegaShop' };
      const first = await send(account, one);
      expect(first.statusCode).toBe(200);
      expect((await send(account, one)).statusCode).toBe(200);
      const third = await send(account, one);
      expect(third.statusCode).toBe(422);
      expect(third.json()).toEqual(
        spendLimit(
          "This sending (0.0410 GBP) would pass the account's monthly spend limit of 0.1000 GBP: 0.0820 GBP is spent already.",
        ),
      );
      expect(await getBalance(engine.db, account.id)).toBe(100_000 - 2 * costMinor);
      // A cancelled sending gives its reservation back, and the limit with it.
      const cancelled = await api.app.inject({
        method: 'POST',
        url: `/sendings/${first.json().sending_id}/cancel`,
        headers: account.headers,
      });
      expect(cancelled.statusCode).toBe(200);
      expect((await send(account, one)).statusCode).toBe(200);
      await changeSpendLimits(engine.db, account.id, { monthlyMinor: null });
      expect((await send(account, one)).statusCode).toBe(200);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });
  });
});
