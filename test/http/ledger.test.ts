// Money through the API: a sending reserves exactly its quoted total, never more than the balance, even under a rush.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger, credit, getBalance } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const INSUFFICIENT = { message: 'Insufficient balance.', errors: { balance: ['Insufficient balance.'] } };

/** Latvia Tele2 (0.041), Denmark Telenor (0.04), Russia (0.045) and Singapore (0.055) on the default price list. */
const RECIPIENTS = ['37120000000', '4525123456', '7554684221', '6523478945'];
/** 161 GSM characters: two parts. */
const TWO_PART_TEXT = `${'Lorem ipsum dolor sit amet. '.repeat(5)}${'x'.repeat(21)}`;

describeEachEngine('the ledger through the API', (engine) => {
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  const calculate = (account: ApiAccount, payload: object) =>
    api.app.inject({ method: 'POST', url: '/sendings/calculate', headers: account.headers, payload });
  const send = (account: ApiAccount, payload: object) =>
    api.app.inject({ method: 'POST', url: '/sendings', headers: account.headers, payload });
  const balanceShown = async (account: ApiAccount) =>
    (await api.app.inject({ method: 'GET', url: '/balance', headers: account.headers })).json().balance as string;
  const sendings = async (account: ApiAccount) =>
    (await api.app.inject({ method: 'GET', url: '/sendings?per_page=1000', headers: account.headers })).json()
      .sendings as { id: number }[];

  describe('reservation', () => {
    it('reserves exactly the quoted total, tax rounded half-up included', async () => {
      const account = await api.account({ balance: '10', taxRate: '17.5' });
      const body = { message: TWO_PART_TEXT, recipients: RECIPIENTS, sender: 'MegaShop' };
      const quote = await calculate(account, body);
      expect(quote.statusCode).toBe(200);
      // 2 parts × (0.041 + 0.04 + 0.045 + 0.055) = 0.362; 17.5% of it is 0.06335, rounded half-up to 0.0634.
      expect(quote.json().calculate.info).toMatchObject({ sms_count: 8, subtotal: 0.362, tax: 0.0634, total: 0.4254 });

      const before = await getBalance(engine.db, account.id);
      const res = await send(account, body);
      expect(res.statusCode).toBe(200);
      const after = await getBalance(engine.db, account.id);
      expect(before).toBe(100_000);
      expect((before ?? 0) - (after ?? 0)).toBe(4254);
      expect(await balanceShown(account)).toBe('9.574');
    });

    it('reserves a duplicate recipient once', async () => {
      const account = await api.account({ balance: '1' });
      const res = await send(account, {
        message: 'Hi',
        recipients: ['37120000000', '37120000000', '37120000000'],
        sender: 'MegaShop',
      });
      expect(res.statusCode).toBe(200);
      expect(await getBalance(engine.db, account.id)).toBe(10_000 - 410);
      expect((await sendings(account))[0]).toMatchObject({ total_sms: 1 });
    });

    it('does not charge for a calculation', async () => {
      const account = await api.account({ balance: '1' });
      expect((await calculate(account, { message: 'Hi', recipients: RECIPIENTS })).statusCode).toBe(200);
      expect(await balanceShown(account)).toBe('1.000');
    });
  });

  describe('insufficient balance', () => {
    it('answers 422 and creates and charges nothing when the balance is one ten-thousandth short', async () => {
      const account = await api.account({ balance: '0.4253', taxRate: '17.5' });
      const body = { message: TWO_PART_TEXT, recipients: RECIPIENTS, sender: 'MegaShop' };
      const listed = await sendings(account);
      const res = await send(account, body);
      expect(res.statusCode).toBe(422);
      expect(res.body).toBe(JSON.stringify(INSUFFICIENT));
      expect(await sendings(account)).toEqual(listed);
      expect(await getBalance(engine.db, account.id)).toBe(4253);

      await credit(engine.db, account.id, 1);
      const exact = await send(account, body);
      expect(exact.statusCode).toBe(200);
      expect(await getBalance(engine.db, account.id)).toBe(0);
      expect(await balanceShown(account)).toBe('0.000');
      expect(await sendings(account)).toHaveLength(1);
    });

    it('answers 422 to an account that holds nothing', async () => {
      const account = await api.account();
      const res = await send(account, { message: 'Hi', recipients: ['37120000000'], sender: 'MegaShop' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual(INSUFFICIENT);
      expect(await sendings(account)).toEqual([]);
    });

    it('reports the fields before the balance: an invalid request is never an insufficient one', async () => {
      const account = await api.account();
      const res = await send(account, { message: 'Hi', recipients: ['37120000000'], sender: 'Nobody' });
      expect(res.json()).toEqual({
        message: 'The selected sender is invalid.',
        errors: { sender: ['The selected sender is invalid.'] },
      });
    });
  });

  describe('a rush of parallel sendings', () => {
    it('accepts exactly the sendings the balance covers and ends at exactly zero', async () => {
      const REQUESTS = 40;
      const COVERED = 13;
      const costMinor = 410; // one part to Latvia Tele2
      const account = await api.account({ balance: ((COVERED * costMinor) / 10_000).toFixed(4) });
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
          return { status: res.status, body: (await res.json()) as { sending_id?: number } };
        }),
      );
      const accepted = responses.filter((r) => r.status === 200);
      const refused = responses.filter((r) => r.status !== 200);
      expect(accepted).toHaveLength(COVERED);
      for (const r of accepted)
        expect(r.body).toEqual({ message: 'SMS champing created', sending_id: expect.any(Number) });
      expect(refused).toHaveLength(REQUESTS - COVERED);
      for (const r of refused) expect(r).toEqual({ status: 422, body: INSUFFICIENT });

      expect(await getBalance(engine.db, account.id)).toBe(0);
      expect(await balanceShown(account)).toBe('0.000');
      const ids = (await sendings(account)).map((s) => s.id).sort((a, b) => a - b);
      expect(ids).toEqual(accepted.map((r) => r.body.sending_id ?? 0).sort((a, b) => a - b));
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });
  });
});
