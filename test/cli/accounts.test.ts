// `smsgic account create`, `account list`, `account tax-rate` and `credit`, run as an operator runs them, on SQLite and PostgreSQL.
import { beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/store/accounts.js';
import { listEntries } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, type Json, ok } from './smsgic.js';

beforeAll(ensureBuilt);

interface AccountJson {
  readonly id: number;
  readonly name: string;
  readonly email: string | null;
  readonly currency: string;
  readonly tax_rate: string;
  readonly balance: string;
}

describeEachEngine('smsgic account', (engine) => {
  const accountCount = async () => (await listAccounts(engine.db)).length;

  describe('account create', () => {
    it('opens an account in GBP, without email, at a 0% tax rate and a zero balance by default', async () => {
      const account = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'acme');
      expect(account).toEqual({
        id: expect.any(Number),
        name: 'acme',
        email: null,
        currency: 'GBP',
        tax_rate: '0',
        balance: '0.000',
      });
      expect(account.id).toBeGreaterThan(0);
    });

    it('takes the currency, email and tax rate given', async () => {
      const account = await ok<AccountJson>(
        engine.url,
        'account',
        'create',
        '--name',
        'Mega Shop Ltd',
        '--currency',
        'EUR',
        '--email',
        'billing@megashop.example',
        '--tax-rate',
        '20.5',
      );
      expect(account).toMatchObject({
        name: 'Mega Shop Ltd',
        email: 'billing@megashop.example',
        currency: 'EUR',
        tax_rate: '20.5',
        balance: '0.000',
      });
      const usd = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'yankee', '--currency', 'usd');
      expect(usd.currency).toBe('USD');
    });

    it.each([
      ['an unknown currency', ['--currency', 'XYZ'], /--currency must be one of .*GBP.*"XYZ"/],
      ['an empty currency', ['--currency', ''], /--currency/],
      ['an email without @', ['--email', 'billing.example.com'], /--email "billing.example.com" is not an email/],
      ['an email without a domain', ['--email', 'billing@'], /--email/],
      ['a tax rate that is not a number', ['--tax-rate', 'twenty'], /--tax-rate: "twenty" is not a decimal/],
      ['a tax rate above 100%', ['--tax-rate', '100.01'], /--tax-rate: .*0 to 100/],
      ['a negative tax rate', ['--tax-rate', '-5'], /--tax-rate: "-5" is not a percentage from 0 to 100/],
      ['a tax rate with five decimals', ['--tax-rate', '7.12345'], /--tax-rate: .*more than 4 decimals/],
    ])('refuses %s as a usage mistake and creates nothing', async (_what, options, message) => {
      const before = await accountCount();
      expect(await fails(engine.url, 2, 'account', 'create', '--name', 'refused', ...options)).toMatch(message);
      expect(await accountCount()).toBe(before);
    });

    it('requires --name', async () => {
      expect(await fails(engine.url, 2, 'account', 'create')).toBe('--name is required');
      expect(await fails(engine.url, 2, 'account', 'create', '--name', '   ')).toBe('--name is required');
    });

    it('refuses an option that belongs to another command', async () => {
      expect(await fails(engine.url, 2, 'account', 'create', '--name', 'x', '--note', 'n')).toMatch(
        /--note is not an option of "account create"/,
      );
    });
  });

  describe('account tax-rate', () => {
    it("changes the account's tax rate, with up to four decimals, and shows the account", async () => {
      const created = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'taxed', '--tax-rate', '20');
      const changed = await ok<AccountJson>(engine.url, 'account', 'tax-rate', String(created.id), '7.1255');
      expect(changed).toEqual({ ...created, tax_rate: '7.1255' });
      const { accounts } = await ok<{ accounts: AccountJson[] }>(engine.url, 'account', 'list');
      expect(accounts.find((a) => a.id === created.id)?.tax_rate).toBe('7.1255');
    });

    it('refuses a rate out of range or too precise, and an unknown account, changing nothing', async () => {
      const created = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'kept', '--tax-rate', '5');
      const id = String(created.id);
      expect(await fails(engine.url, 2, 'account', 'tax-rate', id, '100.01')).toMatch(/^PCT: .*0 to 100/);
      expect(await fails(engine.url, 2, 'account', 'tax-rate', id, '-1')).toMatch(/^PCT: .*0 to 100/);
      expect(await fails(engine.url, 2, 'account', 'tax-rate', id, '1.23456')).toMatch(/more than 4 decimals/);
      expect(await fails(engine.url, 2, 'account', 'tax-rate', id)).toBe('PCT is required');
      expect(await fails(engine.url, 1, 'account', 'tax-rate', '999999', '1')).toBe('account 999999 does not exist');
      const { accounts } = await ok<{ accounts: AccountJson[] }>(engine.url, 'account', 'list');
      expect(accounts.find((a) => a.id === created.id)?.tax_rate).toBe('5');
    });
  });

  describe('account countries', () => {
    it('sets the countries an account may send to, or all of them again, and refuses unknown codes', async () => {
      const created = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'guarded');
      const id = String(created.id);
      expect(await ok(engine.url, 'account', 'countries', id, 'lv, EE')).toEqual({
        id: created.id,
        allowed_countries: ['EE', 'LV'],
        chosen_countries: 'all',
        sends_to: ['EE', 'LV'],
      });
      expect(await fails(engine.url, 2, 'account', 'countries', id, 'LV,XX')).toBe('LIST: Not a country code: XX.');
      expect(await fails(engine.url, 1, 'account', 'countries', '999999', 'LV')).toBe('account 999999 does not exist');
      expect(await ok(engine.url, 'account', 'countries', id, 'all')).toMatchObject({ allowed_countries: 'all' });
    });
  });

  describe('account spend-limits', () => {
    it('sets and clears the daily and monthly spend limits', async () => {
      const created = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'capped');
      const id = String(created.id);
      expect(await ok(engine.url, 'account', 'spend-limits', id, '25.5', 'none')).toEqual({
        id: created.id,
        daily_spend_limit: '25.5000',
        monthly_spend_limit: null,
      });
      expect(await fails(engine.url, 2, 'account', 'spend-limits', id, '-1', 'none')).toBe(
        'The daily field must be an amount of 0 or more (as 25.50), or empty for no limit.',
      );
      expect(await ok(engine.url, 'account', 'spend-limits', id, 'none', '100')).toEqual({
        id: created.id,
        daily_spend_limit: null,
        monthly_spend_limit: '100.0000',
      });
    });
  });

  describe('account list', () => {
    it('lists every account, oldest first, with its balance', async () => {
      const created = await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'listed');
      await ok(engine.url, 'credit', String(created.id), '12.5');
      const { accounts } = await ok<{ accounts: AccountJson[] }>(engine.url, 'account', 'list');
      const ids = accounts.map((a) => a.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(accounts.find((a) => a.id === created.id)).toEqual({ ...created, balance: '12.500' });
    });

    it('refuses arguments it does not take', async () => {
      expect(await fails(engine.url, 2, 'account', 'list', 'extra')).toMatch(/takes at most 0 arguments/);
    });
  });

  describe('credit', () => {
    let accountId: string;
    beforeAll(async () => {
      accountId = String((await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'ledger')).id);
    });

    it('adds a decimal amount and shows the balance with three decimals, truncated', async () => {
      expect(await ok(engine.url, 'credit', accountId, '450', '--note', 'opening payment')).toEqual({
        account_id: Number(accountId),
        amount: '450.0000',
        balance: '450.000',
        entry_id: expect.any(Number),
      });
      const credited = await ok(engine.url, 'credit', accountId, '0.1206');
      expect(credited).toMatchObject({ amount: '0.1206', balance: '450.120' });
      const [latest, first] = await listEntries(engine.db, Number(accountId));
      expect(latest).toMatchObject({ kind: 'credit', amountMinor: 1206, note: null });
      expect(first).toMatchObject({ kind: 'credit', amountMinor: 4_500_000, note: 'opening payment' });
    });

    it('debits a negative amount', async () => {
      const before = await ok<{ accounts: AccountJson[] }>(engine.url, 'account', 'list');
      const balance = before.accounts.find((a) => a.id === Number(accountId))?.balance;
      expect(balance).toBe('450.120');
      const debited = await ok<Json>(engine.url, 'credit', accountId, '-50.12', '--note', '-50.12 correction');
      expect(debited).toMatchObject({ amount: '-50.1200', balance: '400.000' });
      const [entry] = await listEntries(engine.db, Number(accountId));
      // A note that looks like a negative number is kept as typed.
      expect(entry).toMatchObject({ kind: 'debit', amountMinor: -501_200, note: '-50.12 correction' });
    });

    it('refuses a debit below zero and writes nothing', async () => {
      const entriesBefore = await listEntries(engine.db, Number(accountId));
      const message = await fails(engine.url, 1, 'credit', accountId, '-500');
      expect(message).toBe(`refused: the balance of account ${accountId} is 400.000; it never goes below zero`);
      expect(await listEntries(engine.db, Number(accountId))).toEqual(entriesBefore);
      const { accounts } = await ok<{ accounts: AccountJson[] }>(engine.url, 'account', 'list');
      expect(accounts.find((a) => a.id === Number(accountId))?.balance).toBe('400.000');
    });

    it('refuses a credit past the maximum balance with one line naming it, and writes nothing', async () => {
      const rich = String((await ok<AccountJson>(engine.url, 'account', 'create', '--name', 'rich')).id);
      await ok(engine.url, 'credit', rich, '900000000000');
      const entriesBefore = await listEntries(engine.db, Number(rich));
      expect(await fails(engine.url, 1, 'credit', rich, '900000000000')).toBe(
        `refused: the balance of account ${rich} cannot exceed 900719925474.0991`,
      );
      expect(await listEntries(engine.db, Number(rich))).toEqual(entriesBefore);
    });

    it('refuses an account that does not exist', async () => {
      expect(await fails(engine.url, 1, 'credit', '999999', '10')).toBe('account 999999 does not exist');
    });

    it.each([
      ['a comma as decimal separator', '12,50', /AMOUNT: "12,50" is not a decimal amount/],
      ['words', 'ten', /AMOUNT: "ten" is not a decimal amount/],
      ['an exponent', '1e3', /AMOUNT: "1e3" is not a decimal amount/],
      ['five decimals', '1.23456', /AMOUNT: "1.23456" has more than 4 decimals/],
      ['zero', '0.0000', /AMOUNT must not be zero/],
    ])('refuses %s as a usage mistake', async (_what, amount, message) => {
      const entriesBefore = await listEntries(engine.db, Number(accountId));
      expect(await fails(engine.url, 2, 'credit', accountId, amount)).toMatch(message);
      expect(await listEntries(engine.db, Number(accountId))).toEqual(entriesBefore);
    });

    it('accepts trailing zeros beyond four decimals, which change nothing', async () => {
      expect(await ok(engine.url, 'credit', accountId, '1.00000')).toMatchObject({ balance: '401.000' });
    });

    it('refuses a malformed account id, a missing amount and extra arguments as usage mistakes', async () => {
      expect(await fails(engine.url, 2, 'credit', 'acme', '10')).toMatch(/ACCOUNT must be a positive integer/);
      expect(await fails(engine.url, 2, 'credit', accountId)).toBe('AMOUNT is required');
      expect(await fails(engine.url, 2, 'credit', accountId, '10', '20')).toMatch(/takes at most 2 arguments/);
    });
  });
});
