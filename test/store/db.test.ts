// Opening the database: what DATABASE_URL means, and timestamps and money that come back exactly as written.
import { describe, expect, it } from 'vitest';
import { MINOR_MAX } from '../../src/domain/money.js';
import { createAccount, getAccount, listAccounts } from '../../src/store/accounts.js';
import { parseDatabaseUrl } from '../../src/store/db.js';
import { credit, getBalance, listEntries } from '../../src/store/ledger.js';
import { isoFromUs, usFromIso } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';

/** 2023-04-11T15:46:26.123456Z */
const SOME_INSTANT_US = 1_681_227_986_123_456;

describe('DATABASE_URL', () => {
  it.each([
    [undefined, { dialect: 'sqlite', path: './data/smsgic.db' }],
    ['', { dialect: 'sqlite', path: './data/smsgic.db' }],
    ['sqlite:./var/x.db', { dialect: 'sqlite', path: './var/x.db' }],
    ['sqlite:///srv/smsgic.db', { dialect: 'sqlite', path: '/srv/smsgic.db' }],
    ['sqlite::memory:', { dialect: 'sqlite', path: ':memory:' }],
    ['postgres://u@h:5432/d', { dialect: 'postgres', connectionString: 'postgres://u@h:5432/d' }],
    ['postgresql://u@h/d', { dialect: 'postgres', connectionString: 'postgresql://u@h/d' }],
  ])('%s', (url, target) => {
    expect(parseDatabaseUrl(url)).toEqual(target);
  });

  it('refuses anything else', () => {
    expect(() => parseDatabaseUrl('mysql://h/d')).toThrow(/sqlite:PATH or postgres/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/needs a path/);
  });
});

describe('timestamps', () => {
  it('print as ISO-8601 UTC with six decimals and read back', () => {
    expect(isoFromUs(SOME_INSTANT_US)).toBe('2023-04-11T15:46:26.123456Z');
    expect(isoFromUs(1_681_227_986_000_000)).toBe('2023-04-11T15:46:26.000000Z');
    expect(usFromIso('2023-04-11T15:46:26.123456Z')).toBe(SOME_INSTANT_US);
    expect(usFromIso('2023-04-11 15:46:26')).toBe(1_681_227_986_000_000);
    expect(usFromIso('yesterday')).toBeNull();
  });
});

describeEachEngine('database', (engine) => {
  it('stores microsecond timestamps exactly', async () => {
    const db = await engine.open({ clockUs: () => SOME_INSTANT_US });
    const account = await createAccount(db, { name: 'clock', currency: 'EUR', email: 'ops@example.test' });
    expect(account.createdAtUs).toBe(SOME_INSTANT_US);
    expect((await getAccount(db, account.id))?.createdAtUs).toBe(SOME_INSTANT_US);
    expect(isoFromUs(account.createdAtUs)).toBe('2023-04-11T15:46:26.123456Z');
  });

  it('keeps money exact up to the largest safe amount and refuses to go past it', async () => {
    const db = engine.db;
    const account = await createAccount(db, { name: 'rich', currency: 'USD', taxRatePpm: 200_000 });
    expect(account).toMatchObject({ balanceMinor: 0, taxRatePpm: 200_000, currency: 'USD', email: null });
    expect((await credit(db, account.id, MINOR_MAX - 1)).ok).toBe(true);
    expect((await credit(db, account.id, 1)).ok).toBe(true);
    expect(await getBalance(db, account.id)).toBe(MINOR_MAX);
    expect(await credit(db, account.id, 1)).toEqual({
      ok: false,
      reason: 'balance_ceiling',
      balanceMinor: MINOR_MAX,
      ceilingMinor: MINOR_MAX,
    });
    expect(await getBalance(db, account.id)).toBe(MINOR_MAX);
    expect(await listEntries(db, account.id)).toHaveLength(2);
  });

  it('lists accounts oldest first with their currency and tax rate', async () => {
    const db = engine.db;
    const first = await createAccount(db, { name: 'first', currency: 'GBP' });
    const second = await createAccount(db, { name: 'second', currency: 'EUR', taxRatePpm: 205_000 });
    const listed = (await listAccounts(db)).filter((a) => a.id === first.id || a.id === second.id);
    expect(listed.map((a) => [a.name, a.currency, a.taxRatePpm])).toEqual([
      ['first', 'GBP', 0],
      ['second', 'EUR', 205_000],
    ]);
    expect(first.webhookSecret).not.toBe(second.webhookSecret);
    await expect(createAccount(db, { name: 'x', currency: 'XYZ' })).rejects.toThrow(/unknown currency/);
  });
});
