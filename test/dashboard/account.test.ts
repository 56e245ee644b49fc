// A customer's own things in the dashboard: API tokens, the ledger as transactions and CSV, sender requests, rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import type {
  CreatedTokenView,
  Page,
  RateView,
  SenderView,
  TokenView,
  TransactionView,
} from '../../src/http/dashboard/contract.js';
import { credit } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import type { Browser, DashboardApp } from './dashboard-app.js';
import { startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard account pages', (engine) => {
  let dash: DashboardApp;
  let b: Browser;

  const publicApi = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    dash.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    b = await dash.customer({ currency: 'EUR' });
  });
  afterAll(() => dash.close());

  describe('API tokens', () => {
    it('creates a token shown once, which the public API takes at once', async () => {
      const created = await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'shop backend' }), 201);
      expect(created).toEqual({
        id: expect.any(Number),
        name: 'shop backend',
        prefix: created.token.slice(0, 14),
        token: expect.stringMatching(/^smsgic_[\w-]{43}$/),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        last_used_at: null,
        revoked_at: null,
        expires_at: null,
      });
      const balance = await publicApi(created.token, 'GET', '/balance');
      expect(balance.statusCode).toBe(200);
      expect(balance.json()).toEqual({ balance: '0.000', sign: '€', code: 'EUR' });

      const listed = await b.json<{ data: TokenView[] }>(b.get('/app/api/tokens'));
      const mine = listed.data.find((t) => t.id === created.id);
      expect(mine).toMatchObject({ name: 'shop backend', prefix: created.prefix, revoked_at: null });
      expect(mine?.last_used_at).not.toBeNull();
      expect(JSON.stringify(listed)).not.toContain(created.token);
    });

    it('revokes a token: the public API refuses it on the very next request', async () => {
      const created = await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'to revoke' }), 201);
      expect((await publicApi(created.token, 'GET', '/balance')).statusCode).toBe(200);
      const revoked = await b.json<TokenView>(b.post(`/app/api/tokens/${created.id}/revoke`));
      expect(revoked.revoked_at).toMatch(/Z$/);
      const after = await publicApi(created.token, 'GET', '/balance');
      expect(after.statusCode).toBe(401);
      expect(after.json()).toEqual({ message: 'Unauthenticated.' });
    });

    it('needs a name', async () => {
      const res = await b.post('/app/api/tokens', { name: '  ' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The name field is required.',
        errors: { name: ['The name field is required.'] },
      });
    });
  });

  describe('transactions', () => {
    let c: Browser;
    beforeAll(async () => {
      c = await dash.customer({ currency: 'GBP' });
      for (const amount of ['10', '20.5', '0.1234']) {
        const done = await credit(engine.db, c.accountId, parseMoney(amount), `payment ${amount}`);
        if (!done.ok) throw new Error(done.reason);
      }
      const token = await c.json<CreatedTokenView>(c.post('/app/api/tokens', { name: 'api' }), 201);
      const sent = await publicApi(token.token, 'POST', '/sendings', {
        message: 'Hello',
        recipients: ['37126000001'],
        sender: 'SMSgic',
      });
      expect(sent.statusCode, sent.body).toBe(200);
    });

    it('lists the ledger newest first, paginated, with signed amounts and the balance after each', async () => {
      const page = await c.json<Page<TransactionView>>(c.get('/app/api/transactions?per_page=2'));
      expect(page).toMatchObject({ page: 1, per_page: 2, total: 4 });
      expect(page.data).toEqual([
        {
          id: expect.any(Number),
          kind: 'reservation',
          amount: '-0.041',
          balance_after: '30.582',
          sending_id: expect.any(Number),
          note: null,
          created_at: expect.stringMatching(/Z$/),
        },
        expect.objectContaining({ kind: 'credit', amount: '0.1234', balance_after: '30.623', sending_id: null }),
      ]);
      const second = await c.json<Page<TransactionView>>(c.get('/app/api/transactions?per_page=2&page=2'));
      expect(second.data.map((t) => t.amount)).toEqual(['20.5', '10']);
      const credits = await c.json<Page<TransactionView>>(c.get('/app/api/transactions?kind=credit'));
      expect(credits.total).toBe(3);
      expect(credits.data.every((t) => t.kind === 'credit')).toBe(true);
    });

    it('exports all of them as CSV with a header row', async () => {
      const res = await c.get('/app/api/transactions.csv');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="transactions.csv"');
      const lines = res.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,kind,amount,balance_after,sending_id,note,created_at');
      expect(lines).toHaveLength(5);
      const rows = lines.slice(1).map((line) => {
        const [id, kind, amount, balanceAfter, sendingId, note, createdAt] = line.split(',');
        return { id, kind, amount, balanceAfter, sendingId, note, createdAt };
      });
      expect(rows.map(({ kind, amount, balanceAfter, note }) => [kind, amount, balanceAfter, note])).toEqual([
        ['reservation', '-0.0410', '30.5824', ''],
        ['credit', '0.1234', '30.6234', 'payment 0.1234'],
        ['credit', '20.5000', '30.5000', 'payment 20.5'],
        ['credit', '10.0000', '10.0000', 'payment 10'],
      ]);
      // Every money column in one form (a plain decimal with four decimals), every time in one ISO-8601 UTC form,
      // and the balances add up from the amounts, read back exactly.
      for (const row of rows) {
        expect(row.amount).toMatch(/^-?\d+\.\d{4}$/);
        expect(row.balanceAfter).toMatch(/^-?\d+\.\d{4}$/);
        expect(row.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      for (const [index, row] of rows.entries()) {
        const older = rows[index + 1];
        const before = older ? parseMoney(older.balanceAfter ?? '') : 0;
        expect(parseMoney(row.balanceAfter ?? '')).toBe(before + parseMoney(row.amount ?? ''));
      }
      expect(rows[0]?.sendingId).toMatch(/^\d+$/);
      const onlyCredits = await c.get('/app/api/transactions.csv?kind=credit');
      expect(onlyCredits.body.trimEnd().split('\r\n')).toHaveLength(4);
    });

    it('refuses a bad filter or page with the field named', async () => {
      const res = await c.get('/app/api/transactions?kind=gift&per_page=501');
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({
        per_page: ['The per page field must not be greater than 500.'],
        kind: ['The selected kind is invalid.'],
      });
      expect((await c.get('/app/api/transactions.csv?kind=gift')).statusCode).toBe(422);
    });
  });

  describe('senders', () => {
    it('requests a sender: pending, listed with the platform default, and not usable for sending until approved', async () => {
      const token = await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'senders' }), 201);
      const requested = await b.json<SenderView>(b.post('/app/api/senders', { name: 'MyShop' }), 201);
      expect(requested).toEqual({
        id: expect.any(Number),
        name: 'MyShop',
        status: 'pending',
        platform: false,
        created_at: expect.stringMatching(/Z$/),
      });
      const listed = await b.json<{ data: SenderView[] }>(b.get('/app/api/senders'));
      expect(listed.data.map((s) => [s.name, s.status, s.platform])).toEqual([
        ['SMSgic', 'approved', true],
        ['MyShop', 'pending', false],
      ]);
      const publicList = await publicApi(token.token, 'GET', '/senders');
      // The pending one is not offered; the platform default is, as the dashboard lists it.
      expect(publicList.json()).toEqual({ senders: [{ id: expect.any(Number), sender: 'SMSgic', platform: true }] });
      const refused = await b.post('/app/api/sendings', {
        message: 'Hi',
        recipients: ['37126000001'],
        sender: 'MyShop',
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().errors).toEqual({ sender: ['The selected sender is invalid.'] });
    });

    it('refuses a bad name and one already taken', async () => {
      const bad = await b.post('/app/api/senders', { name: 'Way too long a name' });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors).toEqual({
        name: ['The name is not a valid sender: an alphanumeric sender has at most 11 characters.'],
      });
      const again = await b.post('/app/api/senders', { name: 'MyShop' });
      expect(again.json()).toEqual({
        message: 'The name has already been taken.',
        errors: { name: ['The name has already been taken.'] },
      });
      expect((await b.post('/app/api/senders', { name: 'SMSgic' })).statusCode).toBe(422);
      expect((await b.post('/app/api/senders', {})).json().errors).toEqual({ name: ['The name field is required.'] });
    });
  });

  describe('rates', () => {
    it("lists the account's prices with the public API's filters and texts", async () => {
      // A EUR account sees the EUR default list: the sample GBP prices at the shipped 1.14, rounded up.
      const latvia = await b.json<{ data: RateView[] }>(b.get('/app/api/rates?country=latvia'));
      expect(latvia.data).toEqual([
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: null, rate: '0.0513' },
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: '01', rate: '0.0445' },
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: '02', rate: '0.0468' },
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: '05', rate: '0.0479' },
      ]);
      const one = await b.json<{ data: RateView[] }>(b.get('/app/api/rates?mcc=247&mnc=null'));
      expect(one.data).toEqual([{ country: 'Latvia', iso: 'LV', mcc: '247', mnc: null, rate: '0.0513' }]);
      const bad = await b.get('/app/api/rates?mnc=01&country_id=999999');
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toEqual({
        message: 'The given data was invalid.',
        errors: {
          mcc: ['The mcc field is required when mnc is present.'],
          country_id: ['The selected country id is invalid.'],
        },
      });
    });
  });
});
