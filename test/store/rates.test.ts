// Price lists and the country catalog: atomic replacement, NULL-MNC uniqueness, the account's own list or the default.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Country } from '../../src/domain/numbering/types.js';
import { countryExists, rankMccs, syncCountries } from '../../src/store/countries.js';
import { isUniqueViolation } from '../../src/store/dialect-sql.js';
import { listRates, previewRates, rateRows, replaceRates } from '../../src/store/rates.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

const CATALOG = JSON.parse(
  readFileSync(new URL('../../data/numbering/plan/countries.json', import.meta.url), 'utf8'),
) as Country[];

function idOf(iso: string): number {
  const country = CATALOG.find((c) => c.iso === iso);
  if (!country) throw new Error(`no ${iso} in the catalog`);
  return country.id;
}

const DEFAULT_LIST = [
  { mcc: '234', mnc: null, rateMinor: 300 },
  { mcc: '234', mnc: '15', rateMinor: 350 },
  { mcc: '244', mnc: null, rateMinor: 410 },
  { mcc: '247', mnc: null, rateMinor: 4397 },
  { mcc: '247', mnc: '01', rateMinor: 4000 },
  { mcc: '310', mnc: null, rateMinor: 90 },
];

it('the name an MCC shows is its main country, not a territory that shares it', () => {
  const named = new Map(
    rankMccs(CATALOG)
      .filter((r) => r.rank === 0)
      .map((r) => [r.mcc, r.countryId]),
  );
  expect(named.get('234')).toBe(idOf('GB'));
  expect(named.get('244')).toBe(idOf('FI'));
  expect(named.get('310')).toBe(idOf('US'));
  expect(named.get('311')).toBe(idOf('US'));
  expect(named.get('505')).toBe(idOf('AU'));
  expect(named.get('647')).toBe(idOf('RE'));
});

describeEachEngine('rates', (engine) => {
  beforeAll(async () => {
    await syncCountries(engine.db, CATALOG);
    await syncCountries(engine.db, CATALOG);
    expect(await replaceRates(engine.db, null, DEFAULT_LIST)).toMatchObject({
      ok: true,
      imported: DEFAULT_LIST.length,
    });
  });

  it('syncs the catalog idempotently and drops countries no longer listed', async () => {
    const db = engine.db;
    const count = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('countries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(CATALOG.length);
    const renamed = CATALOG.map((c) => (c.iso === 'LV' ? { ...c, name: 'Latvija' } : c));
    await syncCountries(db, [
      ...renamed,
      { id: 9_999, iso: 'XX', name: 'Nowhere', dialCode: '999', mcc: null, mccs: [] },
    ]);
    expect(await count()).toBe(CATALOG.length + 1);
    const accountId = await fundedAccount(db, 0);
    expect((await listRates(db, accountId, { mcc: '247', mnc: null }))[0]?.country).toBe('Latvija');
    await syncCountries(db, CATALOG);
    expect(await count()).toBe(CATALOG.length);
    expect(await countryExists(db, 9_999)).toBe(false);
    expect(await countryExists(db, idOf('LV'))).toBe(true);
  });

  it('lists the default list with country names and codes, country-wide row first', async () => {
    const accountId = await fundedAccount(engine.db, 0);
    expect(await listRates(engine.db, accountId)).toEqual([
      { mcc: '234', mnc: null, rateMinor: 300, country: 'United Kingdom', countryId: idOf('GB'), iso: 'GB' },
      { mcc: '234', mnc: '15', rateMinor: 350, country: 'United Kingdom', countryId: idOf('GB'), iso: 'GB' },
      { mcc: '244', mnc: null, rateMinor: 410, country: 'Finland', countryId: idOf('FI'), iso: 'FI' },
      { mcc: '247', mnc: null, rateMinor: 4397, country: 'Latvia', countryId: idOf('LV'), iso: 'LV' },
      { mcc: '247', mnc: '01', rateMinor: 4000, country: 'Latvia', countryId: idOf('LV'), iso: 'LV' },
      { mcc: '310', mnc: null, rateMinor: 90, country: 'United States', countryId: idOf('US'), iso: 'US' },
    ]);
  });

  it('filters by mcc, mnc, country-wide rows, part of a country name and country id', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const keys = async (filters: Parameters<typeof listRates>[2]) =>
      (await listRates(db, accountId, filters)).map((r) => `${r.mcc}/${r.mnc ?? '-'}`);
    expect(await keys({ mcc: '234' })).toEqual(['234/-', '234/15']);
    expect(await keys({ mcc: '234', mnc: '15' })).toEqual(['234/15']);
    expect(await keys({ mnc: null })).toEqual(['234/-', '244/-', '247/-', '310/-']);
    expect(await keys({ countryContains: 'KINGDOM' })).toEqual(['234/-', '234/15']);
    // Accents and case are ignored; a territory finds the rates its numbers are priced with.
    expect(await keys({ countryContains: 'aland' })).toEqual(['244/-']);
    expect(await keys({ countryContains: 'Guam' })).toEqual(['310/-']);
    expect(await keys({ countryContains: '%' })).toEqual([]);
    expect(await keys({ countryId: idOf('JE') })).toEqual(['234/-', '234/15']);
    expect(await keys({ countryId: 9_999 })).toEqual([]);
    expect(await keys({ countryId: idOf('LV'), mnc: '01' })).toEqual(['247/01']);
  });

  it('an account with its own list sees only it; an empty replacement falls back to the default', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    expect(await replaceRates(db, accountId, [{ mcc: '247', mnc: null, rateMinor: 1 }])).toMatchObject({
      ok: true,
      imported: 1,
    });
    expect(await rateRows(db, accountId)).toEqual([{ mcc: '247', mnc: null, rateMinor: 1 }]);
    expect(await replaceRates(db, accountId, [])).toMatchObject({ ok: true, imported: 0 });
    expect(await rateRows(db, accountId)).toHaveLength(DEFAULT_LIST.length);
  });

  it('tells the rows an import adds, removes and reprices: a preview writes nothing, a replacement the same diff', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const first = [
      { mcc: '247', mnc: null, rateMinor: 4000 },
      { mcc: '247', mnc: '01', rateMinor: 3900 },
      { mcc: '234', mnc: null, rateMinor: 300 },
    ];
    expect(await replaceRates(db, accountId, first)).toEqual({
      ok: true,
      imported: 3,
      diff: {
        added: [first[2], first[0], first[1]],
        removed: [],
        changed: [],
        unchanged: 0,
      },
    });
    const next = [
      { mcc: '310', mnc: null, rateMinor: 90 },
      { mcc: '247', mnc: '01', rateMinor: 4100 },
      { mcc: '247', mnc: null, rateMinor: 4000 },
    ];
    const diff = {
      added: [{ mcc: '310', mnc: null, rateMinor: 90 }],
      removed: [{ mcc: '234', mnc: null, rateMinor: 300 }],
      changed: [{ mcc: '247', mnc: '01', oldRateMinor: 3900, newRateMinor: 4100 }],
      unchanged: 1,
    };
    expect(await previewRates(db, accountId, next)).toEqual({ ok: true, imported: 3, diff });
    expect(await rateRows(db, accountId)).toEqual(expect.arrayContaining(first));
    expect(await rateRows(db, accountId)).toHaveLength(3);
    expect(await previewRates(db, accountId, next, { currency: 'EUR' })).toEqual({
      ok: false,
      reason: 'currency_mismatch',
      accountCurrency: 'GBP',
    });
    expect(await previewRates(db, 987_654, next)).toEqual({ ok: false, reason: 'account_not_found' });
    expect(await previewRates(db, accountId, [...next, { mcc: '310', mnc: null, rateMinor: 1 }])).toEqual({
      ok: false,
      reason: 'duplicate',
      index: 3,
    });
    expect(await replaceRates(db, accountId, next)).toEqual({ ok: true, imported: 3, diff });
    expect(await rateRows(db, accountId)).toEqual(expect.arrayContaining(next));
  });

  it('refuses duplicate networks and malformed rows before writing anything', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const duplicate = [
      { mcc: '247', mnc: null, rateMinor: 1 },
      { mcc: '247', mnc: null, rateMinor: 2 },
    ];
    expect(await replaceRates(db, accountId, duplicate)).toEqual({ ok: false, reason: 'duplicate', index: 1 });
    expect(await replaceRates(db, accountId, [{ mcc: '24', mnc: null, rateMinor: 1 }])).toMatchObject({
      reason: 'invalid_row',
      field: 'mcc',
    });
    expect(await replaceRates(db, accountId, [{ mcc: '247', mnc: '0001', rateMinor: 1 }])).toMatchObject({
      reason: 'invalid_row',
      field: 'mnc',
    });
    expect(await replaceRates(db, accountId, [{ mcc: '247', mnc: null, rateMinor: 0.5 }])).toMatchObject({
      reason: 'invalid_row',
      field: 'rate',
    });
    expect(await replaceRates(db, 987_654, [])).toEqual({ ok: false, reason: 'account_not_found' });
    expect(await rateRows(db, accountId)).toHaveLength(DEFAULT_LIST.length);
  });

  it('keeps one country-wide rate per list even though NULLs differ in plain unique indexes', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const insert = (account: number | null, mnc: string | null) =>
      db.kysely
        .insertInto('rates')
        .values({ account_id: account, mcc: '999', mnc, rate_minor: 1, currency: 'GBP', created_at_us: db.nowUs() })
        .execute();
    for (const account of [null, accountId]) {
      await insert(account, null);
      await insert(account, '01');
      const second = insert(account, null).then(
        () => null,
        (error: unknown) => error,
      );
      expect(isUniqueViolation(await second)).toBe(true);
    }
    await db.kysely.deleteFrom('rates').where('mcc', '=', '999').execute();
  });

  it('replaces a list atomically: a failure part-way leaves the old list in place', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const old = [{ mcc: '247', mnc: null, rateMinor: 7 }];
    await replaceRates(db, accountId, old);
    // A trigger refusing MCC 998 stands in for any failure after the old rows are deleted and some new ones written.
    if (db.dialect === 'sqlite') {
      await sql`create trigger refuse_998 before insert on rates when new.mcc = '998'
        begin select raise(abort, 'refused'); end`.execute(db.kysely);
    } else {
      await sql`create function refuse_998() returns trigger language plpgsql as $$
        begin if new.mcc = '998' then raise exception 'refused'; end if; return new; end $$`.execute(db.kysely);
      await sql`create trigger refuse_998 before insert on rates for each row execute function refuse_998()`.execute(
        db.kysely,
      );
    }
    try {
      const rows = Array.from({ length: 2_500 }, (_, i) => ({
        mcc: i === 2_400 ? '998' : String(100 + (i % 800)).padStart(3, '0'),
        mnc: String(Math.floor(i / 800)),
        rateMinor: i,
      }));
      await expect(replaceRates(db, accountId, rows)).rejects.toThrow(/refused/);
      expect(await rateRows(db, accountId)).toEqual([{ mcc: '247', mnc: null, rateMinor: 7 }]);
    } finally {
      await sql`drop trigger refuse_998${sql.raw(db.dialect === 'postgres' ? ' on rates' : '')}`.execute(db.kysely);
    }
  });
});
