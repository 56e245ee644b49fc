// The operator's side of the dashboard: accounts (credit, suspension), sender review, price lists, providers, volume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { CURRENCIES } from '../../src/domain/money.js';
import type {
  AdminAccountView,
  AdminSenderView,
  CampaignView,
  CreatedTokenView,
  MarginReportView,
  Me,
  Page,
  PriceListView,
  ProviderHealthView,
  RateView,
  SenderView,
  TransactionView,
  VolumeDay,
} from '../../src/http/dashboard/contract.js';
import { auditLedger, listEntries } from '../../src/store/ledger.js';
import { findUserByEmail } from '../../src/store/users.js';
import { routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const ADMIN_ROUTES: readonly (readonly ['GET' | 'POST', string])[] = [
  ['GET', '/app/api/admin/accounts'],
  ['POST', '/app/api/admin/accounts'],
  ['POST', '/app/api/admin/accounts/1/tax-rate'],
  ['POST', '/app/api/admin/accounts/1/credit'],
  ['POST', '/app/api/admin/accounts/1/suspend'],
  ['GET', '/app/api/admin/senders'],
  ['POST', '/app/api/admin/senders/1/approve'],
  ['POST', '/app/api/admin/senders/1/reject'],
  ['GET', '/app/api/admin/rates'],
  ['GET', '/app/api/admin/price-lists'],
  ['POST', '/app/api/admin/rates/import'],
  ['GET', '/app/api/admin/rates.csv'],
  ['GET', '/app/api/admin/providers'],
  ['GET', '/app/api/admin/volume'],
  ['GET', '/app/api/admin/routes'],
  ['POST', '/app/api/admin/routes'],
  ['POST', '/app/api/admin/routes/1'],
  ['POST', '/app/api/admin/routes/1/move'],
  ['GET', '/app/api/admin/margin'],
  ['GET', '/app/api/admin/margin.csv'],
];

describeEachEngine('dashboard operator pages', (engine) => {
  let dash: DashboardApp;
  let admin: Browser;
  let customer: Browser;

  const credit = (accountId: number, amount: string, note?: string) =>
    admin.post(`/app/api/admin/accounts/${accountId}/credit`, { amount, ...(note && { note }) });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    admin = await dash.admin();
    customer = await dash.customer({ company: 'Blue Widgets Ltd' });
  });
  afterAll(() => dash.close());

  it('is for operators only: a customer gets 403 on every operator route', async () => {
    expect(admin.me?.user.role).toBe('admin');
    for (const [method, url] of ADMIN_ROUTES) {
      const res = await customer.request(method, url, { payload: {} });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual({ message: 'Forbidden.' });
    }
  });

  describe('accounts', () => {
    it('lists accounts newest first, searchable by name, email or id', async () => {
      const page = await admin.json<Page<AdminAccountView>>(admin.get('/app/api/admin/accounts?search=blue widgets'));
      expect(page).toMatchObject({ total: 1, page: 1, per_page: 50 });
      expect(page.data[0]).toEqual({
        id: customer.accountId,
        name: 'Blue Widgets Ltd',
        currency: 'GBP',
        sign: '£',
        balance: '0.000',
        tax_rate: '0',
        suspended: false,
        email: customer.email,
        created_at: expect.stringMatching(/Z$/),
        sendings: 0,
      });
      const byEmail = await admin.json<Page<AdminAccountView>>(
        admin.get(`/app/api/admin/accounts?search=${encodeURIComponent(customer.email.toUpperCase())}`),
      );
      expect(byEmail.data.map((a) => a.id)).toEqual([customer.accountId]);
      const byId = await admin.json<Page<AdminAccountView>>(
        admin.get(`/app/api/admin/accounts?search=${customer.accountId}`),
      );
      expect(byId.data.map((a) => a.id)).toContain(customer.accountId);
      const all = await admin.json<Page<AdminAccountView>>(admin.get('/app/api/admin/accounts?per_page=1'));
      expect(all.data).toHaveLength(1);
      expect(all.total).toBeGreaterThanOrEqual(2);
    });

    it('credits an account: one ledger entry with the note, the balance moved; negative debits, never below zero', async () => {
      const credited = await admin.json<AdminAccountView>(credit(customer.accountId, '100.50', 'bank transfer 42'));
      expect(credited).toMatchObject({ id: customer.accountId, balance: '100.500' });
      const ledger = await customer.json<Page<TransactionView>>(customer.get('/app/api/transactions'));
      expect(ledger.data[0]).toMatchObject({
        kind: 'credit',
        amount: '100.5',
        balance_after: '100.500',
        note: 'bank transfer 42',
      });
      const debited = await admin.json<AdminAccountView>(credit(customer.accountId, '-0.5'));
      expect(debited.balance).toBe('100.000');
      const tooMuch = await credit(customer.accountId, '-1000');
      expect(tooMuch.statusCode).toBe(422);
      expect(tooMuch.json()).toEqual({
        message: 'Insufficient balance.',
        errors: { amount: ['Insufficient balance.'] },
      });
      for (const [amount, text] of [
        ['ten', '“ten” is not an amount: write digits with a decimal comma or point, such as 12,50 or 12.50.'],
        ['0', 'The amount field must not be zero.'],
        ['0,00', 'The amount field must not be zero.'],
        ['1.00001', '“1.00001” has more than 4 decimals.'],
        ['1,500', '“1,500” is ambiguous: write 1500 if the comma separates thousands, or 1.500 if it marks decimals.'],
        ['', 'The amount field is required.'],
      ]) {
        const res = await credit(customer.accountId, amount as string);
        expect(res.statusCode, amount).toBe(422);
        expect(res.json().errors).toEqual({ amount: [text] });
      }
      expect((await credit(999_999, '1')).statusCode).toBe(404);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('refuses a credit that would take the balance past its maximum, naming it, and writes nothing', async () => {
      const rich = await dash.customer();
      expect((await credit(rich.accountId, '900000000000')).statusCode).toBe(200);
      const entriesBefore = await customer.json<Page<TransactionView>>(rich.get('/app/api/transactions'));
      const res = await credit(rich.accountId, '900000000000');
      const text = 'The balance cannot exceed 900719925474.0991.';
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toEqual({ message: text, errors: { amount: [text] } });
      expect(await customer.json<Page<TransactionView>>(rich.get('/app/api/transactions'))).toEqual(entriesBefore);
      // Up to the maximum itself is fine.
      expect((await credit(rich.accountId, '719925474.0991')).statusCode).toBe(200);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('suspends an account: its API tokens get 401 at once, its sessions 403 but for /me and logout; reinstates it', async () => {
      const victim = await dash.customer();
      const token = (await victim.json<CreatedTokenView>(victim.post('/app/api/tokens', { name: 'x' }), 201)).token;
      const balance = () =>
        dash.app.inject({ method: 'GET', url: '/balance', headers: { authorization: `Bearer ${token}` } });
      expect((await balance()).statusCode).toBe(200);
      const revoked = await victim.json<CreatedTokenView>(victim.post('/app/api/tokens', { name: 'old' }), 201);
      await victim.json(victim.post(`/app/api/tokens/${revoked.id}/revoke`));

      const suspended = await admin.json<AdminAccountView>(
        admin.post(`/app/api/admin/accounts/${victim.accountId}/suspend`, { suspended: true }),
      );
      expect(suspended.suspended).toBe(true);
      const refused = await balance();
      expect(refused.statusCode).toBe(401);
      // The contract's 401, with the reason: the token is good, the account is not.
      expect(refused.json()).toEqual({ message: 'Unauthenticated.', reason: 'account_suspended' });
      // A revoked token of the suspended account learns nothing about the account.
      const gone = await dash.app.inject({
        method: 'GET',
        url: '/balance',
        headers: { authorization: `Bearer ${revoked.token}` },
      });
      expect({ status: gone.statusCode, body: gone.json() }).toEqual({
        status: 401,
        body: { message: 'Unauthenticated.' },
      });
      for (const res of [await victim.get('/app/api/tokens'), await victim.post('/app/api/tokens', { name: 'y' })]) {
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ message: 'Account suspended.', reason: 'account_suspended' });
      }
      const me = await victim.json<Me>(victim.get('/app/api/me'));
      expect(me.account.suspended).toBe(true);
      const again = dash.browser();
      expect((await again.login(victim.email, 'correct horse battery')).statusCode).toBe(200);
      expect(again.me?.account.suspended).toBe(true);
      expect((await again.post('/app/api/logout')).statusCode).toBe(204);

      await admin.json(admin.post(`/app/api/admin/accounts/${victim.accountId}/suspend`, { suspended: false }));
      expect((await balance()).statusCode).toBe(200);
      expect((await victim.get('/app/api/tokens')).statusCode).toBe(200);
      const bad = await admin.post(`/app/api/admin/accounts/${victim.accountId}/suspend`, { suspended: 'yes' });
      expect(bad.json().errors).toEqual({ suspended: ['The suspended field must be true or false.'] });
      expect((await admin.post('/app/api/admin/accounts/999999/suspend', { suspended: true })).statusCode).toBe(404);
    });

    it('opens an account: name, currency, tax rate, opening credit as one ledger entry, the owner email kept', async () => {
      const created = await admin.json<AdminAccountView>(
        admin.post('/app/api/admin/accounts', {
          name: '  Acme Freight  ',
          currency: 'eur',
          tax_rate: '20,5',
          opening_credit: '50',
          email: 'owner@acme-freight.example',
        }),
        201,
      );
      expect(created).toEqual({
        id: expect.any(Number),
        name: 'Acme Freight',
        currency: 'EUR',
        sign: '€',
        balance: '50.000',
        tax_rate: '20.5',
        suspended: false,
        email: 'owner@acme-freight.example',
        created_at: expect.stringMatching(/Z$/),
        sendings: 0,
      });
      const entries = await listEntries(engine.db, created.id);
      expect(entries).toEqual([
        expect.objectContaining({ kind: 'credit', amountMinor: 500_000, note: 'Opening credit' }),
      ]);
      // As `smsgic account create --email` does: the email is the account's, no user is made.
      expect(await findUserByEmail(engine.db, 'owner@acme-freight.example')).toBeUndefined();
      const listed = await admin.json<Page<AdminAccountView>>(admin.get('/app/api/admin/accounts?search=acme freight'));
      expect(listed.data).toEqual([created]);

      const plain = await admin.json<AdminAccountView>(
        admin.post('/app/api/admin/accounts', { name: 'Plain Ltd', currency: 'USD' }),
        201,
      );
      expect(plain).toMatchObject({ currency: 'USD', balance: '0.000', tax_rate: '0', email: null });
      expect(await listEntries(engine.db, plain.id)).toEqual([]);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('refuses a new account with bad fields, saying which, and opens nothing', async () => {
      const before = (await admin.json<Page<AdminAccountView>>(admin.get('/app/api/admin/accounts'))).total;
      const cases: [Record<string, unknown>, Record<string, string[]>][] = [
        [{}, { name: ['The name field is required.'], currency: ['The currency field is required.'] }],
        [{ name: 'X', currency: 'XYZ' }, { currency: ['The selected currency is invalid.'] }],
        [
          { name: 'X', currency: 'GBP', email: 'not-an-email' },
          { email: ['The email field must be a valid email address.'] },
        ],
        [
          { name: 'X', currency: 'GBP', tax_rate: '100.5' },
          { tax_rate: ['The tax rate field must be a percentage from 0 to 100.'] },
        ],
        [{ name: 'X', currency: 'GBP', tax_rate: '7.12345' }, { tax_rate: ['“7.12345” has more than 4 decimals.'] }],
        [
          { name: 'X', currency: 'GBP', opening_credit: '-5' },
          { opening_credit: ['The opening credit field must be greater than 0.'] },
        ],
      ];
      for (const [payload, errors] of cases) {
        const res = await admin.post('/app/api/admin/accounts', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(422);
        expect(res.json().errors, JSON.stringify(payload)).toEqual(errors);
      }
      expect((await admin.json<Page<AdminAccountView>>(admin.get('/app/api/admin/accounts'))).total).toBe(before);
    });

    it('changes the tax rate: a sending priced afterwards is taxed at it, one stored before keeps its tax', async () => {
      const taxed = await dash.customer({ company: 'Taxed Ltd' });
      await admin.json(credit(taxed.accountId, '10'));
      const imported = await admin.request('POST', `/app/api/admin/rates/import?account_id=${taxed.accountId}`, {
        payload: 'mcc,mnc,rate\n247,,0.1\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.statusCode, imported.body).toBe(200);
      const send = () =>
        taxed.json<CampaignView>(
          taxed.post('/app/api/sendings', { message: 'Hi', recipients: ['37126000001'], sender: 'SMSgic' }),
          201,
        );
      const before = await send();
      expect(before.total).toBe('0.1');

      const changed = await admin.json<AdminAccountView>(
        admin.post(`/app/api/admin/accounts/${taxed.accountId}/tax-rate`, { tax_rate: '20.5' }),
      );
      expect(changed).toMatchObject({ id: taxed.accountId, tax_rate: '20.5' });
      expect((await taxed.json<Me>(taxed.get('/app/api/me'))).account.tax_rate).toBe('20.5');
      const after = await send();
      expect(after.total).toBe('0.1205');
      expect((await taxed.json<CampaignView>(taxed.get(`/app/api/sendings/${before.id}`))).total).toBe('0.1');
      const ledger = await taxed.json<Page<TransactionView>>(taxed.get('/app/api/transactions'));
      expect(ledger.data.filter((t) => t.kind === 'reservation').map((t) => [t.sending_id, t.amount])).toEqual([
        [after.id, '-0.1205'],
        [before.id, '-0.1'],
      ]);

      for (const [tax_rate, text] of [
        ['', 'The tax rate field is required.'],
        ['-1', 'The tax rate field must be a percentage from 0 to 100.'],
        ['101', 'The tax rate field must be a percentage from 0 to 100.'],
        ['1.23456', '“1.23456” has more than 4 decimals.'],
        ['twenty', '“twenty” is not an amount: write digits with a decimal comma or point, such as 12,50 or 12.50.'],
      ]) {
        const res = await admin.post(`/app/api/admin/accounts/${taxed.accountId}/tax-rate`, { tax_rate });
        expect(res.statusCode, tax_rate).toBe(422);
        expect(res.json().errors, tax_rate).toEqual({ tax_rate: [text] });
      }
      const precise = await admin.json<AdminAccountView>(
        admin.post(`/app/api/admin/accounts/${taxed.accountId}/tax-rate`, { tax_rate: '7,1255' }),
      );
      expect(precise.tax_rate).toBe('7.1255');
      expect((await admin.post('/app/api/admin/accounts/999999/tax-rate', { tax_rate: '1' })).statusCode).toBe(404);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('refuses to suspend the account the operators sign in to, which would lock them all out', async () => {
      const own = admin.accountId;
      const refused = await admin.post(`/app/api/admin/accounts/${own}/suspend`, { suspended: true });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().errors).toEqual({
        suspended: ['The account platform operators sign in to cannot be suspended.'],
      });
      const me = await admin.json<Me>(admin.get('/app/api/me'));
      expect(me.account.suspended).toBe(false);
      expect((await admin.get('/app/api/admin/accounts')).statusCode).toBe(200);
    });
  });

  describe('senders', () => {
    it('approves a requested sender, which the account can then send with; rejects another', async () => {
      const requested = await customer.json<SenderView>(customer.post('/app/api/senders', { name: 'BlueShop' }), 201);
      const rejectMe = await customer.json<SenderView>(customer.post('/app/api/senders', { name: 'BlueSpam' }), 201);
      const pending = await admin.json<Page<AdminSenderView>>(admin.get('/app/api/admin/senders?status=pending'));
      expect(pending.data).toEqual(
        expect.arrayContaining([
          {
            id: requested.id,
            name: 'BlueShop',
            status: 'pending',
            platform: false,
            created_at: requested.created_at,
            account_id: customer.accountId,
            account_name: 'Blue Widgets Ltd',
          },
        ]),
      );
      const compose = () =>
        customer.post('/app/api/sendings', { message: 'Hi', recipients: ['37126000001'], sender: 'BlueShop' });
      expect((await compose()).statusCode).toBe(422);

      const approved = await admin.json<AdminSenderView>(admin.post(`/app/api/admin/senders/${requested.id}/approve`));
      expect(approved).toMatchObject({ id: requested.id, status: 'approved', account_name: 'Blue Widgets Ltd' });
      const sent = await compose();
      expect(sent.statusCode, sent.body).toBe(201);
      expect(sent.json<CampaignView>().sender).toBe('BlueShop');

      const rejected = await admin.json<AdminSenderView>(admin.post(`/app/api/admin/senders/${rejectMe.id}/reject`));
      expect(rejected.status).toBe('rejected');
      const mine = await customer.json<{ data: SenderView[] }>(customer.get('/app/api/senders'));
      expect(mine.data.filter((s) => !s.platform).map((s) => [s.name, s.status])).toEqual([
        ['BlueShop', 'approved'],
        ['BlueSpam', 'rejected'],
      ]);
      expect((await admin.post('/app/api/admin/senders/999999/approve')).statusCode).toBe(404);
      const platform = await admin.json<Page<AdminSenderView>>(admin.get('/app/api/admin/senders?status=approved'));
      expect(platform.data.find((s) => s.name === 'SMSgic')).toMatchObject({ platform: true, account_id: null });
    });
  });

  describe('price lists', () => {
    it("shows the default list, and an account's own once imported from CSV", async () => {
      const defaults = await admin.json<{ data: RateView[] }>(admin.get('/app/api/admin/rates'));
      expect(defaults.data).toContainEqual({ country: 'Latvia', iso: 'LV', mcc: '247', mnc: '01', rate: '0.039' });
      const own = await admin.json<{ data: RateView[] }>(
        admin.get(`/app/api/admin/rates?account_id=${customer.accountId}`),
      );
      expect(own.data).toEqual([]);

      const imported = await admin.request('POST', `/app/api/admin/rates/import?account_id=${customer.accountId}`, {
        payload: 'mcc,mnc,rate\n247,,0.05\n247,01,0.0311\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.statusCode, imported.body).toBe(200);
      expect(imported.json()).toEqual({
        imported: 2,
        currency: 'GBP',
        dry_run: false,
        added: [
          { mcc: '247', mnc: null, rate: '0.05' },
          { mcc: '247', mnc: '01', rate: '0.0311' },
        ],
        removed: [],
        changed: [],
        unchanged: 0,
      });
      const seen = await customer.json<{ data: RateView[] }>(customer.get('/app/api/rates'));
      expect(seen.data).toEqual([
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: null, rate: '0.05' },
        { country: 'Latvia', iso: 'LV', mcc: '247', mnc: '01', rate: '0.0311' },
      ]);
    });

    it('previews an import with dry_run: the rows added, removed and repriced, and writes nothing', async () => {
      const diffed = await dash.customer({ company: 'Diffed Ltd' });
      const path = `/app/api/admin/rates/import?account_id=${diffed.accountId}`;
      const csv = (payload: string) => ({ payload, headers: { 'content-type': 'text/csv' } });
      expect((await admin.request('POST', path, csv('mcc,mnc,rate\n247,,0.05\n247,01,0.0311\n'))).statusCode).toBe(200);
      const preview = await admin.request('POST', `${path}&dry_run=true`, csv('mcc,mnc,rate\n247,,0.06\n234,,0.04\n'));
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json()).toEqual({
        imported: 2,
        currency: 'GBP',
        dry_run: true,
        added: [{ mcc: '234', mnc: null, rate: '0.04' }],
        removed: [{ mcc: '247', mnc: '01', rate: '0.0311' }],
        changed: [{ mcc: '247', mnc: null, old_rate: '0.05', new_rate: '0.06' }],
        unchanged: 0,
      });
      const own = await admin.json<{ data: RateView[] }>(
        admin.get(`/app/api/admin/rates?account_id=${diffed.accountId}`),
      );
      expect(own.data.map((rate) => [rate.mcc, rate.mnc, rate.rate])).toEqual([
        ['247', null, '0.05'],
        ['247', '01', '0.0311'],
      ]);
      const refused = await admin.request('POST', `${path}&dry_run=true`, csv('mcc,mnc,rate\n24x,,0.06\n'));
      expect(refused.statusCode).toBe(422);
    });

    it('lists the default list of every currency, converted ones with their rate and date', async () => {
      const lists = await admin.json<{ data: PriceListView[] }>(admin.get('/app/api/admin/price-lists'));
      const defaults = lists.data.filter((list) => list.list === 'default');
      expect(defaults.map((list) => list.currency).sort()).toEqual(Object.keys(CURRENCIES).sort());
      expect(defaults[0]).toMatchObject({ currency: 'GBP', sign: '£', source: 'imported', rate: null });
      expect(defaults.find((list) => list.currency === 'EUR')).toMatchObject({
        account_id: null,
        sign: '€',
        source: 'converted',
        converted_from: 'GBP',
        rate: '1.14',
        rate_date: '2025-11-28',
      });
      const euros = await admin.json<{ data: RateView[] }>(admin.get('/app/api/admin/rates?currency=EUR'));
      // 0.039 GBP at 1.14 is 0.04446 EUR: rounded up.
      expect(euros.data).toContainEqual({ country: 'Latvia', iso: 'LV', mcc: '247', mnc: '01', rate: '0.0445' });
      const bad = await admin.request('GET', '/app/api/admin/rates?currency=XYZ');
      expect(bad.statusCode).toBe(422);
    });

    it("refuses a list in another currency than the account's, and imports nothing", async () => {
      const euro = await dash.customer({ currency: 'EUR' });
      const res = await admin.request('POST', `/app/api/admin/rates/import?account_id=${euro.accountId}`, {
        payload: 'mcc,mnc,rate,currency\n247,,0.05,USD\n',
        headers: { 'content-type': 'text/csv' },
      });
      const text =
        'The price list is in USD but the account is in EUR: an account is priced only in its own currency; nothing was imported.';
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ message: text, errors: { csv: [text] } });
      const own = await admin.json<{ data: RateView[] }>(
        admin.get(`/app/api/admin/rates?account_id=${euro.accountId}`),
      );
      expect(own.data).toEqual([]);
      const lists = await admin.json<{ data: PriceListView[] }>(
        admin.get(`/app/api/admin/price-lists?account_id=${euro.accountId}`),
      );
      expect(lists.data.filter((list) => list.list === 'account')).toEqual([]);
      const stated = await admin.request('POST', `/app/api/admin/rates/import?account_id=${euro.accountId}`, {
        payload: 'mcc,mnc,rate,currency\n247,,0.05,EUR\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(stated.json()).toMatchObject({ imported: 1, currency: 'EUR', dry_run: false });
    });

    it('refuses a bad line by its number and imports nothing', async () => {
      const res = await admin.request('POST', `/app/api/admin/rates/import?account_id=${customer.accountId}`, {
        payload: 'mcc,mnc,rate\n247,,0.05\n24x,01,0.03\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Line 3: mcc "24x" is not 3 digits; nothing was imported.',
        errors: { csv: ['Line 3: mcc "24x" is not 3 digits; nothing was imported.'] },
      });
      const seen = await customer.json<{ data: RateView[] }>(customer.get('/app/api/rates'));
      expect(seen.data).toHaveLength(2);
      const unknown = await admin.request('POST', '/app/api/admin/rates/import?account_id=999999', {
        payload: 'mcc,mnc,rate\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(unknown.statusCode).toBe(404);
    });

    it("exports the default list and an account's own as CSV that imports back to the same list", async () => {
      const exported = await admin.get('/app/api/admin/rates.csv');
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(exported.headers['content-disposition']).toBe('attachment; filename="rates-default-GBP.csv"');
      const lines = exported.body.split('\r\n');
      expect(lines[0]).toBe('mcc,mnc,rate');
      expect(lines).toContain('247,01,0.0390');
      const defaults = await admin.json<{ data: RateView[] }>(admin.get('/app/api/admin/rates'));
      expect(lines.filter((line) => line !== '')).toHaveLength(defaults.data.length + 1);

      // The default list, imported as an account's own, then exported again: the same list, the same text.
      const copy = await dash.customer();
      const imported = await admin.request('POST', `/app/api/admin/rates/import?account_id=${copy.accountId}`, {
        payload: exported.body,
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.json()).toMatchObject({ imported: defaults.data.length, currency: 'GBP', dry_run: false });
      const own = await admin.json<{ data: RateView[] }>(
        admin.get(`/app/api/admin/rates?account_id=${copy.accountId}`),
      );
      expect(own.data).toEqual(defaults.data);
      const again = await admin.get(`/app/api/admin/rates.csv?account_id=${copy.accountId}`);
      expect(again.headers['content-disposition']).toBe(`attachment; filename="rates-account-${copy.accountId}.csv"`);
      expect(again.body).toBe(exported.body);

      // An account's own list, country-wide rows and networks alike.
      const mine = await admin.get(`/app/api/admin/rates.csv?account_id=${customer.accountId}`);
      expect(mine.body).toBe('mcc,mnc,rate\r\n247,,0.0500\r\n247,01,0.0311\r\n');
      const empty = await dash.customer();
      expect((await admin.get(`/app/api/admin/rates.csv?account_id=${empty.accountId}`)).body).toBe('mcc,mnc,rate\r\n');
      expect((await admin.get('/app/api/admin/rates.csv?account_id=999999')).statusCode).toBe(404);
    });
  });

  describe('providers and volume', () => {
    beforeAll(async () => {
      const sender = await dash.customer();
      await admin.json(credit(sender.accountId, '10'));
      await sender.json(
        sender.post('/app/api/sendings', {
          message: 'Volume',
          recipients: ['37126300006', '37126300004', '37126300007'],
          sender: 'SMSgic',
        }),
        201,
      );
      const clockUs = () => engine.db.nowUs();
      await createDispatcher({ db: engine.db, router: routerWith(clockUs), clockUs }).runUntilIdle();
    });

    it('shows every provider, configured or not, with what it did in the last hour', async () => {
      const { data } = await admin.json<{ data: ProviderHealthView[] }>(admin.get('/app/api/admin/providers'));
      expect(data.map((p) => [p.name, p.configured])).toEqual([
        ['sandbox', true],
        ['infobip', false],
        ['twilio', false],
        ['messente', false],
        ['trumpia', false],
        ['smpp', false],
      ]);
      const sandbox = data[0] as ProviderHealthView;
      expect(sandbox.submitted_last_hour).toBeGreaterThanOrEqual(2);
      expect(sandbox.delivered_last_hour).toBeGreaterThanOrEqual(2);
      expect(sandbox.failed_last_hour).toBeGreaterThanOrEqual(1);
      expect(sandbox.last_error).toMatch(/sandbox/);
      expect(sandbox.last_activity_at).toMatch(/Z$/);
      expect(data[1]).toMatchObject({ submitted_last_hour: 0, last_error: null, last_activity_at: null });
    });

    it('gives one row per UTC day, oldest first, zeros included', async () => {
      const { data } = await admin.json<{ data: VolumeDay[] }>(admin.get('/app/api/admin/volume?days=3'));
      expect(data).toHaveLength(3);
      const today = new Date().toISOString().slice(0, 10);
      expect(data[2]?.day).toBe(today);
      const days = data.map((d) => d.day);
      expect([...days].sort()).toEqual(days);
      expect(data[2]).toMatchObject({ sendings: expect.any(Number), messages: expect.any(Number) });
      expect(data[2]?.sendings).toBeGreaterThanOrEqual(2);
      expect(data[2]?.delivered).toBeGreaterThanOrEqual(2);
      expect(data[2]?.failed).toBeGreaterThanOrEqual(1);
      expect(data[0]).toEqual({ day: data[0]?.day, sendings: 0, messages: 0, parts: 0, delivered: 0, failed: 0 });
      const month = await admin.json<{ data: VolumeDay[] }>(admin.get('/app/api/admin/volume'));
      expect(month.data).toHaveLength(30);
      expect((await admin.get('/app/api/admin/volume?days=0')).json().errors).toEqual({
        days: ['The days field must be at least 1.'],
      });
    });

    it('reports the margin per grouping as JSON and CSV, and refuses a wrong range, saying which field', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const report = await admin.json<MarginReportView>(admin.get('/app/api/admin/margin?by=provider'));
      expect(report).toMatchObject({ to: today, by: 'provider' });
      const sandbox = report.rows.find((row) => row.key === 'sandbox');
      expect(sandbox?.messages).toBeGreaterThanOrEqual(3);
      expect(sandbox?.revenue_minor).toBe((sandbox?.margin_minor ?? 0) + (sandbox?.cost_minor ?? 0));
      expect(report.totals.map((total) => total.currency)).toEqual([...new Set(report.rows.map((r) => r.currency))]);
      const csv = await admin.get('/app/api/admin/margin.csv?by=provider');
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body.split('\r\n')[0]).toBe(
        'currency,group,name,messages,charged,refunded,revenue,cost,cost_unknown,margin',
      );
      expect(csv.body).toContain(`,sandbox,sandbox,${sandbox?.messages},`);
      expect((await admin.get('/app/api/admin/margin?from=2026-02-30&by=week')).json().errors).toEqual({
        by: ['The selected by is invalid.'],
        from: ['The from field must match the format Y-m-d.'],
      });
      expect((await admin.get('/app/api/admin/margin?from=2020-01-02&to=2020-01-01')).json().errors).toEqual({
        from: ['The from field must be a date before or equal to 2020-01-01.'],
      });
      expect((await admin.get('/app/api/admin/margin.csv?from=2020-01-01&to=2021-12-31')).json().errors).toEqual({
        from: ['The period must not be longer than 366 days.'],
      });
    });
  });
});
