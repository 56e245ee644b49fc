// Providers' cost lists: replaced whole, each replacement moving the version; compared with a proposed list without
// writing; read as a CostBook (network row, else country row, else nothing) that a cache reads again only on a new
// version.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { parseCostsCsv } from '../../src/domain/cost-lists.js';
import type { ExecutedQuery } from '../../src/store/db.js';
import {
  allCostLists,
  costBookVersion,
  costList,
  costListCsv,
  costListDiff,
  createCostBookCache,
  readCostBook,
  replaceCostList,
  seedCostList,
} from '../../src/store/provider-costs.js';
import { describeEachEngine } from '../support/databases.js';

const TWILIO = [
  { mcc: '247', mnc: null, costMinor: 300 },
  { mcc: '247', mnc: '01', costMinor: 250 },
  { mcc: '234', mnc: null, costMinor: 280 },
];

describeEachEngine('provider cost lists', (engine) => {
  it('a replacement writes the whole list, moves its version and the book version, and reports what changed', async () => {
    const db = engine.db;
    expect(await costBookVersion(db)).toBe(0);
    expect(await costList(db, 'twilio')).toBeNull();

    const first = await replaceCostList(db, 'twilio', 'EUR', TWILIO);
    expect(first).toMatchObject({ ok: true, version: 1 });
    if (!first.ok) throw new Error('refused');
    expect(first.diff).toMatchObject({ currencyBefore: null, currencyAfter: 'EUR', removed: [], changed: [] });
    expect(first.diff.added).toHaveLength(3);
    const stored = await costList(db, 'twilio');
    expect(stored).toMatchObject({ provider: 'twilio', currency: 'EUR', version: 1 });
    // In network order: by MCC, the country row before the networks.
    expect(stored?.rows).toEqual([TWILIO[2], TWILIO[0], TWILIO[1]]);
    expect(await costBookVersion(db)).toBe(1);

    expect(await replaceCostList(db, 'infobip', 'GBP', [{ mcc: '247', mnc: null, costMinor: 200 }])).toMatchObject({
      ok: true,
      version: 1,
    });
    expect(await costBookVersion(db)).toBe(2);

    const second = await replaceCostList(db, 'twilio', 'GBP', [
      { mcc: '247', mnc: null, costMinor: 310 },
      { mcc: '247', mnc: '01', costMinor: 250 },
      { mcc: '248', mnc: null, costMinor: 320 },
    ]);
    expect(second).toEqual({
      ok: true,
      version: 2,
      diff: {
        added: [{ mcc: '248', mnc: null, costMinor: 320 }],
        removed: [{ mcc: '234', mnc: null, costMinor: 280 }],
        changed: [{ mcc: '247', mnc: null, oldMinor: 300, newMinor: 310 }],
        unchanged: 1,
        currencyBefore: 'EUR',
        currencyAfter: 'GBP',
      },
    });
    expect(await costBookVersion(db)).toBe(3);
    const lists = await allCostLists(db);
    expect(lists.map((l) => [l.provider, l.currency, l.version, l.rows.length])).toEqual([
      ['infobip', 'GBP', 1, 1],
      ['twilio', 'GBP', 2, 3],
    ]);
    expect(await costListCsv(db, 'twilio')).toEqual({
      currency: 'GBP',
      csv: 'mcc,mnc,cost\r\n247,,0.0310\r\n247,01,0.0250\r\n248,,0.0320\r\n',
    });
    expect(await costListCsv(db, 'trumpia')).toBeNull();

    // An empty list is a list: the provider then has no costs, and the version still moves.
    expect(await replaceCostList(db, 'infobip', 'GBP', [])).toMatchObject({ ok: true, version: 2 });
    expect((await costList(db, 'infobip'))?.rows).toEqual([]);
    expect(await costBookVersion(db)).toBe(4);
  });

  it('a diff compares without writing', async () => {
    const db = engine.db;
    await replaceCostList(db, 'messente', 'EUR', TWILIO);
    const before = await costList(db, 'messente');
    const diff = await costListDiff(db, 'messente', 'EUR', [
      { mcc: '247', mnc: null, costMinor: 300 },
      { mcc: '247', mnc: '01', costMinor: 240 },
      { mcc: '247', mnc: '02', costMinor: 260 },
    ]);
    expect(diff).toEqual({
      ok: true,
      diff: {
        added: [{ mcc: '247', mnc: '02', costMinor: 260 }],
        removed: [{ mcc: '234', mnc: null, costMinor: 280 }],
        changed: [{ mcc: '247', mnc: '01', oldMinor: 250, newMinor: 240 }],
        unchanged: 1,
        currencyBefore: 'EUR',
        currencyAfter: 'EUR',
      },
    });
    expect(await costList(db, 'messente')).toEqual(before);
    expect(await costListDiff(db, 'nobody', 'EUR', [])).toMatchObject({
      ok: true,
      diff: { currencyBefore: null, added: [], removed: [] },
    });
  });

  it('a refused or failed replacement leaves the list and the version as they were', async () => {
    const db = engine.db;
    await replaceCostList(db, 'smpp', 'EUR', TWILIO);
    const before = await costList(db, 'smpp');
    const version = await costBookVersion(db);
    expect(await replaceCostList(db, 'smpp', 'XXX', TWILIO)).toEqual({ ok: false, reason: 'unknown_currency' });
    expect(await replaceCostList(db, 'Bad Name', 'EUR', TWILIO)).toEqual({ ok: false, reason: 'invalid_provider' });
    expect(await replaceCostList(db, 'smpp', 'EUR', [...TWILIO, { mcc: '247', mnc: null, costMinor: 1 }])).toEqual({
      ok: false,
      reason: 'duplicate',
      index: 3,
    });
    expect(await replaceCostList(db, 'smpp', 'EUR', [{ mcc: '24', mnc: null, costMinor: 1 }])).toMatchObject({
      ok: false,
      reason: 'invalid_row',
      field: 'mcc',
    });
    // A bad file is refused with its line before anything is written.
    expect(parseCostsCsv('mcc,mnc,cost\n247,,0.03\n247,01,abc\n')).toMatchObject({ ok: false, line: 3 });

    // A trigger refusing MCC 998 stands in for any failure after the first rows were written.
    if (db.dialect === 'sqlite') {
      await sql`create trigger refuse_998_c before insert on provider_costs when new.mcc = '998'
        begin select raise(abort, 'refused'); end`.execute(db.kysely);
    } else {
      await sql`create function refuse_998_c() returns trigger language plpgsql as $$
        begin if new.mcc = '998' then raise exception 'refused'; end if; return new; end $$`.execute(db.kysely);
      await sql`create trigger refuse_998_c before insert on provider_costs for each row execute function refuse_998_c()`.execute(
        db.kysely,
      );
    }
    try {
      const rows = [
        { mcc: '100', mnc: null, costMinor: 1 },
        { mcc: '998', mnc: null, costMinor: 1 },
      ];
      await expect(replaceCostList(db, 'smpp', 'GBP', rows)).rejects.toThrow();
    } finally {
      await sql`drop trigger refuse_998_c${sql.raw(db.dialect === 'postgres' ? ' on provider_costs' : '')}`.execute(
        db.kysely,
      );
    }
    expect(await costList(db, 'smpp')).toEqual(before);
    expect(await costBookVersion(db)).toBe(version);
  });

  it('costOf: the network row, else the country row, else null', async () => {
    const db = engine.db;
    await replaceCostList(db, 'trumpia', 'USD', [
      { mcc: '310', mnc: null, costMinor: 90 },
      { mcc: '310', mnc: '260', costMinor: 70 },
      { mcc: '311', mnc: '480', costMinor: 60 },
    ]);
    const book = await readCostBook(db);
    expect(book.version).toBe(await costBookVersion(db));
    expect(book.costOf('trumpia', '310', '260')).toEqual({ amountMinor: 70, currency: 'USD' });
    expect(book.costOf('trumpia', '310', '410')).toEqual({ amountMinor: 90, currency: 'USD' });
    expect(book.costOf('trumpia', '310', null)).toEqual({ amountMinor: 90, currency: 'USD' });
    expect(book.costOf('trumpia', '311', '480')).toEqual({ amountMinor: 60, currency: 'USD' });
    expect(book.costOf('trumpia', '311', '490')).toBeNull();
    expect(book.costOf('trumpia', '311', null)).toBeNull();
    expect(book.costOf('trumpia', null, null)).toBeNull();
    expect(book.costOf('trumpia', '247', '01')).toBeNull();
    expect(book.costOf('nobody', '310', '260')).toBeNull();
  });

  it('the cached book is read again only when a version moved, by any process', async () => {
    const statements: ExecutedQuery[] = [];
    const reader = await engine.open({ onQuery: (query) => statements.push(query) });
    const writer = await engine.open();
    const rowReads = () => statements.filter((q) => /from "?provider_costs"?/.test(q.sql)).length;
    const cache = createCostBookCache(reader);

    await replaceCostList(writer, 'sandbox', 'GBP', [{ mcc: '247', mnc: null, costMinor: 100 }]);
    const first = await cache.current();
    expect(first.costOf('sandbox', '247', '01')).toEqual({ amountMinor: 100, currency: 'GBP' });
    const readsAfterFirst = rowReads();
    expect(readsAfterFirst).toBe(1);

    statements.length = 0;
    const again = await cache.current();
    expect(again).toBe(first);
    // One statement: the version.
    expect(statements).toHaveLength(1);
    expect(rowReads()).toBe(0);

    await replaceCostList(writer, 'sandbox', 'GBP', [{ mcc: '247', mnc: null, costMinor: 120 }]);
    statements.length = 0;
    const moved = await cache.current();
    expect(moved).not.toBe(first);
    expect(moved.version).toBe(first.version + 1);
    expect(moved.costOf('sandbox', '247', '01')).toEqual({ amountMinor: 120, currency: 'GBP' });
    expect(rowReads()).toBe(1);

    statements.length = 0;
    expect(await cache.current()).toBe(moved);
    expect(rowReads()).toBe(0);
  });

  it('a seeded list is written only when the provider has none', async () => {
    const db = engine.db;
    const rows = [{ mcc: '234', mnc: null, costMinor: 250 }];
    const results = await Promise.all([1, 2, 3].map(() => seedCostList(db, 'seeded', 'GBP', rows)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await costList(db, 'seeded')).toMatchObject({ version: 1, rows });
    await replaceCostList(db, 'seeded', 'GBP', []);
    expect(await seedCostList(db, 'seeded', 'GBP', rows)).toBe(false);
    expect((await costList(db, 'seeded'))?.rows).toEqual([]);
  });
});
