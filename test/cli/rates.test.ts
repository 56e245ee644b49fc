// `smsgic rates import`: an account's price list and the platform default, replaced whole or not at all; `smsgic rates
// export` writes either back as the CSV the import reads.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRatesCsv } from '../../src/domain/rates-csv.js';
import { listRates } from '../../src/store/rates.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, scratchFolder, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

const SAMPLE_CSV = readFileSync(new URL('../../data/rates/sample-default-rates.csv', import.meta.url), 'utf8');
const sample = parseRatesCsv(SAMPLE_CSV);
if (!sample.ok) throw new Error(`the sample price list does not parse: line ${sample.line}`);
const SAMPLE_ROWS = sample.rows.length;

/** The shipped conversion rates, as `smsgic rates list` shows them. */
const SHIPPED = new Map(
  readFileSync(new URL('../../data/rates/conversion-rates.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .map(([currency, rate, date]) => [currency as string, { rate: String(Number(rate)), date }]),
);

/** What `listRates` returns, reduced to what the CSV said. */
const priced = async (...args: Parameters<typeof listRates>) =>
  (await listRates(...args)).map((r) => [r.mcc, r.mnc, r.rateMinor] as const);

describeEachEngine('smsgic rates import', (engine) => {
  const files = scratchFolder();
  let accountId: string;
  let bystander: number;

  beforeAll(async () => {
    accountId = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id);
    bystander = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'bystander')).id;
  });
  afterAll(() => files.remove());

  describe('ACCOUNT FILE', () => {
    it("replaces the account's price list; an empty mnc is the country-wide rate", async () => {
      const csv = 'mcc,mnc,rate\n247,,0.0500\n247,01,0.0390\n234,,0.045\n234,30,0.035\n';
      const result = await ok(engine.url, 'rates', 'import', accountId, files.path('acme.csv', csv));
      expect(result).toMatchObject({ imported: 4, account_id: Number(accountId), currency: 'GBP' });
      expect(await priced(engine.db, Number(accountId))).toEqual([
        ['234', null, 450],
        ['234', '30', 350],
        ['247', null, 500],
        ['247', '01', 390],
      ]);
      // Other accounts keep the default list.
      expect(await listRates(engine.db, bystander)).toHaveLength(SAMPLE_ROWS);
    });

    it('reads what spreadsheets write: a BOM, CRLF line ends, quoted cells, blank lines', async () => {
      const csv = '\uFEFF"mcc","mnc","rate"\r\n"262","","0.0612"\r\n\r\n262,01,0.0555\r\n';
      const result = await ok(engine.url, 'rates', 'import', accountId, files.path('excel.csv', csv));
      expect(result).toMatchObject({ imported: 2, account_id: Number(accountId), currency: 'GBP' });
      expect(await priced(engine.db, Number(accountId))).toEqual([
        ['262', null, 612],
        ['262', '01', 555],
      ]);
    });

    it.each([
      ['a wrong header', 'mcc,rate\n247,0.05\n', 1, /the header must be "mcc,mnc,rate"/],
      ['a missing field', 'mcc,mnc,rate\n247,,0.05\n247,0.05\n', 3, /expected 3 fields, found 2/],
      ['an mcc of two digits', 'mcc,mnc,rate\n247,,0.05\n\n24,01,0.05\n', 4, /mcc "24" is not 3 digits/],
      ['an mnc of letters', 'mcc,mnc,rate\n247,ab,0.05\n', 2, /mnc "ab" is not 1 to 3 digits/],
      ['a rate with five decimals', 'mcc,mnc,rate\n247,,0.04567\n', 2, /rate "0.04567": .*more than 4 decimals/],
      ['a negative rate', 'mcc,mnc,rate\n247,,0.05\n234,,-0.01\n', 3, /rate "-0.01" is negative/],
      ['a rate that is not a number', 'mcc,mnc,rate\n247,,free\n', 2, /rate "free"/],
      ['a network priced twice', 'mcc,mnc,rate\n247,01,0.05\n247,,0.05\n247,01,0.06\n', 4, /already priced on line 2/],
    ])('refuses a file with %s, naming the line, and imports nothing', async (_what, csv, line, message) => {
      const before = await priced(engine.db, Number(accountId));
      expect(before.length).toBeGreaterThan(0);
      const file = files.path('bad.csv', csv);
      const error = await fails(engine.url, 1, 'rates', 'import', accountId, file);
      expect(error).toMatch(new RegExp(`^${file} line ${line}: `));
      expect(error).toMatch(message);
      expect(error).toMatch(/; nothing imported$/);
      expect(await priced(engine.db, Number(accountId))).toEqual(before);
    });

    it('refuses a file that cannot be read, an unknown account, and a missing argument', async () => {
      const before = await priced(engine.db, Number(accountId));
      const missing = `${files.path('x', '')}-missing.csv`;
      expect(await fails(engine.url, 1, 'rates', 'import', accountId, missing)).toMatch(`cannot read ${missing}`);
      const good = files.path('good.csv', 'mcc,mnc,rate\n247,,0.05\n');
      expect(await fails(engine.url, 1, 'rates', 'import', '999999', good)).toBe('account 999999 does not exist');
      expect(await fails(engine.url, 2, 'rates', 'import', accountId)).toBe('ACCOUNT and FILE are required');
      expect(await priced(engine.db, Number(accountId))).toEqual(before);
    });

    it('with a header alone removes the own list, so the account falls back to the default', async () => {
      const result = await ok(engine.url, 'rates', 'import', accountId, files.path('empty.csv', 'mcc,mnc,rate\n'));
      expect(result).toMatchObject({ imported: 0, account_id: Number(accountId), currency: 'GBP' });
      expect(await listRates(engine.db, Number(accountId))).toHaveLength(SAMPLE_ROWS);
    });
  });

  describe('--dry-run', () => {
    it('prints the rows an import would add, remove and reprice, old and new price, and changes nothing', async () => {
      const id = String((await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'diff')).id);
      const first = 'mcc,mnc,rate\n247,,0.0500\n247,01,0.0390\n234,,0.0450\n';
      await ok(engine.url, 'rates', 'import', id, files.path('first.csv', first));
      const next = files.path('next.csv', 'mcc,mnc,rate\n247,,0.0500\n247,01,0.0410\n310,,0.0090\n');

      const preview = await smsgic(engine.url, ['rates', 'import', id, next, '--dry-run']);
      expect(preview.stderr).toBe('');
      expect(preview.stdout.split('\n')).toEqual([
        `Dry run: importing 3 rates in GBP would replace the price list of account ${id}; nothing changed.`,
        '1 added, 1 removed, 1 changed, 1 unchanged',
        '   MCC  MNC  OLD PRICE  NEW PRICE',
        '+  310  -            -    £0.0090',
        '-  234  -      £0.0450          -',
        '~  247  01     £0.0390    £0.0410',
        '',
      ]);
      expect(await priced(engine.db, Number(id))).toEqual([
        ['234', null, 450],
        ['247', null, 500],
        ['247', '01', 390],
      ]);
      const json = await ok(engine.url, 'rates', 'import', id, next, '--dry-run');
      expect(json).toEqual({
        imported: 3,
        account_id: Number(id),
        currency: 'GBP',
        dry_run: true,
        added: [{ mcc: '310', mnc: null, rate: '0.0090' }],
        removed: [{ mcc: '234', mnc: null, rate: '0.0450' }],
        changed: [{ mcc: '247', mnc: '01', old_rate: '0.0390', new_rate: '0.0410' }],
        unchanged: 1,
      });
      expect(await priced(engine.db, Number(id))).toHaveLength(3);

      const applied = await smsgic(engine.url, ['rates', 'import', id, next]);
      expect(applied.stdout.split('\n').slice(0, 2)).toEqual([
        `Imported 3 rates in GBP: the price list of account ${id} is replaced.`,
        '1 added, 1 removed, 1 changed, 1 unchanged',
      ]);
      expect(applied.stdout).toContain('~  247  01     £0.0390    £0.0410');
      expect(await priced(engine.db, Number(id))).toEqual([
        ['247', null, 500],
        ['247', '01', 410],
        ['310', null, 90],
      ]);
      const again = await smsgic(engine.url, ['rates', 'import', id, next]);
      expect(again.stdout.split('\n')[1]).toBe('0 added, 0 removed, 0 changed, 3 unchanged');
    });
  });

  describe('--default FILE', () => {
    it('replaces the platform default list, used by every account without its own', async () => {
      await ok(engine.url, 'rates', 'import', accountId, files.path('own.csv', 'mcc,mnc,rate\n247,,0.0700\n'));
      const csv = 'mcc,mnc,rate\n247,,0.0400\n234,,0.0300\n234,10,0.0250\n';
      const result = await ok(engine.url, 'rates', 'import', '--default', files.path('default.csv', csv));
      expect(result).toMatchObject({ imported: 3, default: true, currency: 'GBP' });
      expect(await priced(engine.db, bystander)).toEqual([
        ['234', null, 300],
        ['234', '10', 250],
        ['247', null, 400],
      ]);
      expect(await priced(engine.db, Number(accountId))).toEqual([['247', null, 700]]);
    });

    it('refuses a malformed line, naming it, and keeps the previous default list', async () => {
      const before = await priced(engine.db, bystander);
      const file = files.path('bad-default.csv', 'mcc,mnc,rate\n247,,0.04\n234,,0,03\n');
      const error = await fails(engine.url, 1, 'rates', 'import', '--default', file);
      expect(error).toBe(`${file} line 3: expected 3 fields, found 4; nothing imported`);
      expect(await priced(engine.db, bystander)).toEqual(before);
    });

    it('refuses an empty default list, which would leave accounts without prices', async () => {
      const before = await priced(engine.db, bystander);
      const file = files.path('no-default.csv', 'mcc,mnc,rate\n');
      expect(await fails(engine.url, 1, 'rates', 'import', '--default', file)).toMatch(
        /the default price list cannot be empty; nothing imported$/,
      );
      expect(await priced(engine.db, bystander)).toEqual(before);
    });

    it('requires the file, and takes no account', async () => {
      expect(await fails(engine.url, 2, 'rates', 'import', '--default')).toBe('FILE is required');
      const file = files.path('d.csv', 'mcc,mnc,rate\n247,,0.04\n');
      expect(await fails(engine.url, 2, 'rates', 'import', '--default', accountId, file)).toMatch(
        /takes at most 1 argument/,
      );
    });
  });

  describe('currencies', () => {
    let euro: number;
    beforeAll(async () => {
      euro = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'euro', '--currency', 'EUR')).id;
    });

    it('lists every default list with its currency, source, and the rate and date of the converted ones', async () => {
      const { lists } = await ok<{ lists: Record<string, unknown>[] }>(engine.url, 'rates', 'list');
      const defaults = lists.filter((l) => l.list === 'default');
      expect(defaults.map((l) => l.currency)).toEqual(['GBP', ...[...SHIPPED.keys()].sort()]);
      expect(defaults[0]).toMatchObject({ currency: 'GBP', source: 'imported', rate: null, rate_date: null });
      for (const [currency, { rate, date }] of SHIPPED) {
        expect(defaults.find((l) => l.currency === currency)).toMatchObject({
          source: 'converted',
          converted_from: 'GBP',
          rate,
          rate_date: date,
        });
      }
      expect(lists.find((l) => l.account_id === Number(accountId))).toMatchObject({
        list: 'account',
        account_name: 'acme',
        currency: 'GBP',
        source: 'imported',
      });
      const human = await smsgic(engine.url, ['rates', 'list']);
      expect(human.stdout).toMatch(/^default +EUR +converted +1 GBP = \S+ EUR \(\d{4}-\d{2}-\d{2}\) +\d+$/m);
    });

    it("refuses a list in another currency than the account's, stated in the file or on the command line", async () => {
      const before = await priced(engine.db, euro);
      const usd = files.path('usd.csv', 'mcc,mnc,rate,currency\n247,,0.0600,USD\n');
      const refused = `${usd}: the list is in USD but account ${euro} is in EUR; an account is priced only in its own currency; nothing imported`;
      expect(await fails(engine.url, 1, 'rates', 'import', String(euro), usd)).toBe(refused);
      const plain = files.path('plain.csv', 'mcc,mnc,rate\n247,,0.0600\n');
      expect(await fails(engine.url, 1, 'rates', 'import', String(euro), plain, '--currency', 'USD')).toBe(
        refused.replace(usd, plain),
      );
      expect(await priced(engine.db, euro)).toEqual(before);
      // Stating none, the list is in the account's currency.
      expect(await ok(engine.url, 'rates', 'import', String(euro), plain)).toMatchObject({
        imported: 1,
        account_id: euro,
        currency: 'EUR',
      });
      expect(await priced(engine.db, euro)).toEqual([['247', null, 600]]);
      await ok(engine.url, 'rates', 'import', String(euro), files.path('none.csv', 'mcc,mnc,rate\n'));
    });

    it('converts a default list at a new rate, rounding up, and imports one in its own currency', async () => {
      const base = await priced(engine.db, bystander);
      const converted = await ok(engine.url, 'rates', 'convert', 'EUR', '1.3333', '--date', '2026-12-05');
      expect(converted).toEqual({
        currency: 'EUR',
        converted_from: 'GBP',
        rate: '1.3333',
        rate_date: '2026-12-05',
        imported: base.length,
      });
      expect(await priced(engine.db, euro)).toEqual(
        base.map(([mcc, mnc, rate]) => [mcc, mnc, Math.ceil((rate * 13_333) / 10_000)]),
      );
      expect(await fails(engine.url, 1, 'rates', 'convert', 'GBP', '1', '--date', '2026-12-05')).toMatch(
        /GBP is the base currency/,
      );
      expect(await fails(engine.url, 1, 'rates', 'convert', 'EUR', '0', '--date', '2026-12-05')).toMatch(/RATE "0"/);
      expect(await fails(engine.url, 1, 'rates', 'convert', 'EUR', '1.2', '--date', '2026-02-30')).toMatch(
        /2026-02-30/,
      );

      const euros = files.path('eur-default.csv', 'mcc,mnc,rate\n247,,0.0550\n');
      expect(await ok(engine.url, 'rates', 'import', '--default', '--currency', 'EUR', euros)).toMatchObject({
        imported: 1,
        default: true,
        currency: 'EUR',
      });
      expect(await priced(engine.db, euro)).toEqual([['247', null, 550]]);
      expect(await priced(engine.db, bystander)).toEqual(base);
      const { lists } = await ok<{ lists: Record<string, unknown>[] }>(engine.url, 'rates', 'list');
      expect(lists.find((l) => l.list === 'default' && l.currency === 'EUR')).toMatchObject({
        source: 'imported',
        rate: null,
        rates: 1,
      });
    });
  });

  describe('export', () => {
    it('prints a list as CSV that imports back to the same list, for an account and for the default', async () => {
      const csv = 'mcc,mnc,rate\n234,30,0.035\n247,,0.05\n247,01,0.039\n';
      await ok(engine.url, 'rates', 'import', accountId, files.path('export-me.csv', csv));
      const exported = await smsgic(engine.url, ['rates', 'export', accountId]);
      expect(exported).toMatchObject({ code: 0, stderr: '' });
      expect(exported.stdout).toBe('mcc,mnc,rate\r\n234,30,0.0350\r\n247,,0.0500\r\n247,01,0.0390\r\n');
      const copy = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'copy')).id;
      await ok(engine.url, 'rates', 'import', String(copy), files.path('exported.csv', exported.stdout));
      expect(await priced(engine.db, copy)).toEqual(await priced(engine.db, Number(accountId)));

      const defaults = await smsgic(engine.url, ['rates', 'export', '--default']);
      expect(defaults.stdout.split('\r\n')[0]).toBe('mcc,mnc,rate');
      const json = await ok<{ default: boolean; csv: string }>(engine.url, 'rates', 'export', '--default');
      expect(json).toEqual({ default: true, csv: defaults.stdout });
      expect(await fails(engine.url, 2, 'rates', 'export')).toBe('either ACCOUNT or --default is required');
      expect(await fails(engine.url, 1, 'rates', 'export', '999999')).toBe('account 999999 does not exist');
    });
  });
});
