// Price list versions: changed with every rewrite of a list in its transaction, read with the list that applies.
import { CompiledQuery, Migrator, sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createAccount } from '../../src/store/accounts.js';
import { createDb, type ExecutedQuery } from '../../src/store/db.js';
import { migrate, migrationsFor } from '../../src/store/migrations/migrate.js';
import { rateListAt, rateListVersion, rateRows, recordConversion, replaceRates } from '../../src/store/rates.js';
import { describeEachEngine } from '../support/databases.js';
import { scratchDatabase } from '../support/scratch-db.js';
import { fundedAccount } from '../support/store-fixtures.js';

interface PlanNode {
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly Plans?: readonly PlanNode[];
}

const DEFAULT_LIST = [
  { mcc: '247', mnc: null, rateMinor: 450 },
  { mcc: '247', mnc: '01', rateMinor: 390 },
];

describeEachEngine('price list versions', (engine) => {
  it('a rewrite changes the version of its own list only; the list that applies is the one rateRows reads', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const bystander = await fundedAccount(db, 0, 'bystander');
    await replaceRates(db, null, DEFAULT_LIST);
    const start = await rateListVersion(db, accountId);
    if (start === null) throw new Error('no list prices the account');
    expect(start).toMatchObject({ owner: 0, currency: 'GBP' });
    expect(await rateListVersion(db, bystander)).toEqual(start);

    await replaceRates(db, accountId, [{ mcc: '247', mnc: null, rateMinor: 500 }]);
    const own = await rateListVersion(db, accountId);
    expect(own).toEqual({ owner: accountId, currency: 'GBP', version: 1 });
    expect(await rateListVersion(db, bystander)).toEqual(start);
    expect(await rateListAt(db, { owner: accountId, currency: 'GBP' })).toEqual({
      owner: accountId,
      currency: 'GBP',
      version: 1,
      rows: await rateRows(db, accountId),
    });

    await replaceRates(db, null, [{ mcc: '247', mnc: null, rateMinor: 460 }]);
    expect(await rateListVersion(db, accountId)).toEqual(own);
    expect(await rateListVersion(db, bystander)).toEqual({ owner: 0, currency: 'GBP', version: start.version + 1 });
    expect((await rateListAt(db, { owner: 0, currency: 'GBP' })).rows).toEqual(await rateRows(db, bystander));

    // An empty own list hands the account back to the default list.
    await replaceRates(db, accountId, []);
    expect(await rateListVersion(db, accountId)).toEqual({ owner: 0, currency: 'GBP', version: start.version + 1 });
    expect(await rateListAt(db, { owner: accountId, currency: 'GBP' })).toEqual({
      owner: accountId,
      currency: 'GBP',
      version: 2,
      rows: [],
    });
    await replaceRates(db, accountId, [{ mcc: '247', mnc: null, rateMinor: 510 }]);
    expect(await rateListVersion(db, accountId)).toEqual({ owner: accountId, currency: 'GBP', version: 3 });
  });

  it('reads the version through the index of rates: on SQLite without a sort, on PostgreSQL also once planned generically', async () => {
    // Lists of many accounts before the one asked about, whose rows come last in the table.
    const rows = Array.from({ length: 200 }, (_, i) => ({ mcc: String(200 + i), mnc: null, rateMinor: 100 + i }));
    for (let i = 0; i < 15; i++) await replaceRates(engine.db, await fundedAccount(engine.db, 0, `lists ${i}`), rows);
    const accountId = await fundedAccount(engine.db, 0, 'asked');
    await replaceRates(engine.db, accountId, rows.slice(0, 3));
    await sql`analyze rates`.execute(engine.db.kysely);
    const seen: ExecutedQuery[] = [];
    const db = await engine.open({ onQuery: (query) => seen.push(query) });
    expect(await rateListVersion(db, accountId)).toMatchObject({ owner: accountId });
    const read = seen.at(-1);
    if (!read) throw new Error('no statement seen');
    if (engine.name === 'sqlite') {
      // SQLite probes the index: no scan of rates, no sort of a list's rates.
      const { rows: steps } = await engine.db.kysely.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${read.sql}`, [...read.parameters]),
      );
      const onRates = steps
        .map((step) => step.detail)
        .filter((detail) => /\b(SCAN|SEARCH) r\b|TEMP B-TREE/.test(detail));
      expect(onRates.length).toBeGreaterThan(0);
      expect(onRates.filter((detail) => !/USING (COVERING )?INDEX rates_list_network/.test(detail))).toEqual([]);
      return;
    }
    // A prepared statement executed often is planned once for any value: what the named statement gets.
    const client = new pg.Client({ connectionString: engine.url });
    await client.connect();
    try {
      await client.query(`prepare version_read as ${read.sql}`);
      await client.query('set plan_cache_mode = force_generic_plan');
      const literals = read.parameters.map((p) => client.escapeLiteral(String(p))).join(', ');
      const { rows: plan } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `explain (analyze, format json) execute version_read(${literals})`,
      );
      let ratesRead = 0;
      const walk = (node: PlanNode) => {
        if (node['Relation Name'] === 'rates') {
          ratesRead +=
            ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1);
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      const root = plan[0]?.['QUERY PLAN'][0]?.Plan;
      if (!root) throw new Error('no plan');
      walk(root);
      expect(ratesRead).toBeLessThanOrEqual(2);
    } finally {
      await client.end();
    }
  });

  it('a refused or failed rewrite leaves the version as it was', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    await replaceRates(db, accountId, [{ mcc: '247', mnc: null, rateMinor: 7 }]);
    const before = await rateListVersion(db, accountId);
    expect(await replaceRates(db, accountId, [{ mcc: '24', mnc: null, rateMinor: 1 }])).toMatchObject({ ok: false });
    expect(await replaceRates(db, 987_654, [])).toEqual({ ok: false, reason: 'account_not_found' });
    expect((await rateListAt(db, { owner: 987_654, currency: 'GBP' })).version).toBe(0);

    // A trigger refusing MCC 998 stands in for any failure after the version was changed in the transaction.
    if (db.dialect === 'sqlite') {
      await sql`create trigger refuse_998_v before insert on rates when new.mcc = '998'
        begin select raise(abort, 'refused'); end`.execute(db.kysely);
    } else {
      await sql`create function refuse_998_v() returns trigger language plpgsql as $$
        begin if new.mcc = '998' then raise exception 'refused'; end if; return new; end $$`.execute(db.kysely);
      await sql`create trigger refuse_998_v before insert on rates for each row execute function refuse_998_v()`.execute(
        db.kysely,
      );
    }
    try {
      await expect(replaceRates(db, accountId, [{ mcc: '998', mnc: null, rateMinor: 1 }])).rejects.toThrow();
    } finally {
      await sql`drop trigger refuse_998_v${sql.raw(db.dialect === 'postgres' ? ' on rates' : '')}`.execute(db.kysely);
    }
    expect(await rateListVersion(db, accountId)).toEqual(before);
    expect(await rateRows(db, accountId)).toEqual([{ mcc: '247', mnc: null, rateMinor: 7 }]);
  });

  it('migration 0004 starts every list already stored at version 1', async () => {
    const scratch = await scratchDatabase(engine.name);
    const db = await createDb(scratch.url);
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => migrationsFor(db.dialect) },
      });
      expect((await migrator.migrateTo('0003-dashboard')).error).toBeUndefined();
      const accountId = await fundedAccount(db, 0);
      const withoutOwn = await fundedAccount(db, 0, 'without');
      const nowUs = db.nowUs();
      // The rates table as it was before 0014 gave it a currency.
      await sql`insert into rates (account_id, mcc, mnc, rate_minor, created_at_us)
        values (null, '247', null, 450, ${nowUs}), (null, '234', null, 440, ${nowUs}),
          (${accountId}, '247', null, 500, ${nowUs})`.execute(db.kysely);
      expect((await migrate(db))[0]).toBe('0004-rate-versions');
      expect(await rateListVersion(db, accountId)).toEqual({ owner: accountId, currency: 'GBP', version: 1 });
      expect(await rateListVersion(db, withoutOwn)).toEqual({ owner: 0, currency: 'GBP', version: 1 });
      await replaceRates(db, null, DEFAULT_LIST);
      expect(await rateListVersion(db, withoutOwn)).toEqual({ owner: 0, currency: 'GBP', version: 2 });
    } finally {
      await db.close();
      await scratch.dispose();
    }
  });

  it("migration 0015 puts the default list in GBP and each own list in its account's currency", async () => {
    const scratch = await scratchDatabase(engine.name);
    const db = await createDb(scratch.url);
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => migrationsFor(db.dialect) },
      });
      expect((await migrator.migrateTo('0011-ledger-entries-by-sending')).error).toBeUndefined();
      const euro = (await createAccount(db, { name: 'euro', currency: 'EUR' })).id;
      const euroWithout = (await createAccount(db, { name: 'euro-without', currency: 'EUR' })).id;
      const pound = (await createAccount(db, { name: 'pound', currency: 'GBP' })).id;
      const nowUs = db.nowUs();
      await sql`insert into rates (account_id, mcc, mnc, rate_minor, created_at_us)
        values (null, '247', null, 450, ${nowUs}), (${euro}, '247', null, 500, ${nowUs})`.execute(db.kysely);
      await sql`insert into rate_list_versions (list_owner, version) values (0, 3), (${euro}, 2)`.execute(db.kysely);
      expect(await migrate(db)).toContain('0015-rate-list-currency');

      expect(await rateListVersion(db, euro)).toEqual({ owner: euro, currency: 'EUR', version: 2 });
      expect(await rateRows(db, euro)).toEqual([{ mcc: '247', mnc: null, rateMinor: 500 }]);
      expect(await rateListVersion(db, pound)).toEqual({ owner: 0, currency: 'GBP', version: 3 });
      expect(await rateRows(db, pound)).toEqual([{ mcc: '247', mnc: null, rateMinor: 450 }]);
      // No EUR default list yet: a EUR account without its own is not priced from the GBP one.
      expect(await rateListVersion(db, euroWithout)).toBeNull();
      expect(await rateRows(db, euroWithout)).toEqual([]);
      expect(await recordConversion(db, 'EUR', { ratePpm: 1_150_000, rateDate: '2026-12-01' })).toMatchObject({
        ok: true,
      });
      expect(await rateRows(db, euroWithout)).toEqual([{ mcc: '247', mnc: null, rateMinor: 518 }]);
    } finally {
      await db.close();
      await scratch.dispose();
    }
  });
});
