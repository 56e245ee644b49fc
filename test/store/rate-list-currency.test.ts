// Price lists in currencies: each account priced only from a list in its own currency, default lists converted from
// the base one at a recorded rate (rounded up), an import in another currency refused.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CURRENCIES } from '../../src/domain/money.js';
import { convertRateUp, PLATFORM_CURRENCY, parseConversionRates } from '../../src/domain/price-lists.js';
import { parseRatesCsv } from '../../src/domain/rates-csv.js';
import { CONVERSION_RATES_FILE } from '../../src/services/bootstrap.js';
import { createAccount } from '../../src/store/accounts.js';
import {
  priceListSummaries,
  rateListVersion,
  rateRows,
  recordConversion,
  replaceRates,
} from '../../src/store/rates.js';
import { describeEachEngine } from '../support/databases.js';

const BASE = [
  { mcc: '247', mnc: null, rateMinor: 450 },
  { mcc: '247', mnc: '01', rateMinor: 390 },
];

it('converts a price up to whole minor units, never below the base price at the rate', () => {
  expect(convertRateUp(450, 1_150_000)).toBe(518); // 517.5
  expect(convertRateUp(400, 1_150_000)).toBe(460); // exact
  expect(convertRateUp(1, 1_000_001)).toBe(2); // 1.000001
  expect(convertRateUp(0, 27_650_000)).toBe(0);
  expect(convertRateUp(4397, 876_543)).toBe(3855); // 3854.159…
});

it('ships a conversion rate for every account currency but the base one', () => {
  const parsed = parseConversionRates(readFileSync(CONVERSION_RATES_FILE, 'utf8'));
  if (!parsed.ok) throw new Error(`line ${parsed.line}: ${parsed.message}`);
  expect([...parsed.rates.keys(), PLATFORM_CURRENCY].sort()).toEqual(Object.keys(CURRENCIES).sort());
  expect(parseConversionRates('currency,rate,date\nEUR,1.1,2026-02-30\n')).toMatchObject({ ok: false, line: 2 });
  expect(parseConversionRates('currency,rate,date\nGBP,1,2026-02-03\n')).toMatchObject({ ok: false, line: 2 });
  expect(parseConversionRates('currency,rate,date\nEUR,0,2026-02-03\n')).toMatchObject({ ok: false, line: 2 });
});

it('reads the currency a CSV states: one per list, one an account can have', () => {
  expect(parseRatesCsv('mcc,mnc,rate\n247,,0.05\n')).toMatchObject({ ok: true, currency: null });
  expect(parseRatesCsv('mcc,mnc,rate,currency\n247,,0.05,eur\n247,01,0.04,\n')).toMatchObject({
    ok: true,
    currency: 'EUR',
  });
  expect(parseRatesCsv('mcc,mnc,rate,currency\n247,,0.05,EUR\n247,01,0.04,USD\n')).toEqual({
    ok: false,
    line: 3,
    message: 'currency USD differs from EUR above: a list has one currency',
  });
  expect(parseRatesCsv('mcc,mnc,rate,currency\n247,,0.05,XYZ\n')).toMatchObject({ ok: false, line: 2 });
});

describeEachEngine('price lists in currencies', (engine) => {
  it('prices each account from the list of its own currency, converted at the recorded rate', async () => {
    const db = engine.db;
    await replaceRates(db, null, BASE);
    const pound = (await createAccount(db, { name: 'pound', currency: 'GBP' })).id;
    const euro = (await createAccount(db, { name: 'euro', currency: 'EUR' })).id;
    const franc = (await createAccount(db, { name: 'franc', currency: 'CHF' })).id;
    await replaceRates(db, null, [], { currency: 'CHF' });

    expect(await recordConversion(db, 'EUR', { ratePpm: 1_150_000, rateDate: '2026-12-01' })).toEqual({
      ok: true,
      imported: 2,
      written: true,
    });
    expect(await rateRows(db, pound)).toEqual(BASE);
    expect(await rateRows(db, euro)).toEqual([
      { mcc: '247', mnc: null, rateMinor: 518 },
      { mcc: '247', mnc: '01', rateMinor: 449 },
    ]);
    // A currency without rates prices nothing: never the numbers of another currency.
    expect(await rateListVersion(db, franc)).toBeNull();
    expect(await rateRows(db, franc)).toEqual([]);

    // A new base list is converted again into the converted lists, at their recorded rate.
    await replaceRates(db, null, [{ mcc: '247', mnc: null, rateMinor: 1000 }]);
    expect(await rateRows(db, euro)).toEqual([{ mcc: '247', mnc: null, rateMinor: 1150 }]);
    // Recorded again only when asked: a start leaves the list as it is.
    expect(
      await recordConversion(db, 'EUR', { ratePpm: 2_000_000, rateDate: '2026-12-02' }, { onlyIfAbsent: true }),
    ).toEqual({ ok: true, imported: 0, written: false });
    expect(await rateRows(db, euro)).toEqual([{ mcc: '247', mnc: null, rateMinor: 1150 }]);

    const summaries = await priceListSummaries(db);
    expect(summaries.filter((s) => s.owner === 0)).toEqual([
      { owner: 0, currency: 'GBP', accountName: null, source: 'imported', conversion: null, rates: 1, version: 2 },
      { owner: 0, currency: 'CHF', accountName: null, source: 'imported', conversion: null, rates: 0, version: 1 },
      {
        owner: 0,
        currency: 'EUR',
        accountName: null,
        source: 'converted',
        conversion: { baseCurrency: 'GBP', ratePpm: 1_150_000, rateDate: '2026-12-01' },
        rates: 1,
        version: 2,
      },
    ]);

    // A default list imported in its own currency is no longer converted from the base one.
    await replaceRates(db, null, [{ mcc: '247', mnc: null, rateMinor: 999 }], { currency: 'EUR' });
    await replaceRates(db, null, BASE);
    expect(await rateRows(db, euro)).toEqual([{ mcc: '247', mnc: null, rateMinor: 999 }]);
    expect((await priceListSummaries(db)).find((s) => s.owner === 0 && s.currency === 'EUR')).toMatchObject({
      source: 'imported',
      conversion: null,
    });
  });

  it("refuses an account's list in another currency, and takes the account's when none is stated", async () => {
    const db = engine.db;
    const euro = (await createAccount(db, { name: 'euro-own', currency: 'EUR' })).id;
    const before = await rateRows(db, euro);
    expect(await replaceRates(db, euro, [{ mcc: '247', mnc: null, rateMinor: 1 }], { currency: 'USD' })).toEqual({
      ok: false,
      reason: 'currency_mismatch',
      accountCurrency: 'EUR',
    });
    expect(await rateRows(db, euro)).toEqual(before);
    expect(await replaceRates(db, euro, [{ mcc: '247', mnc: null, rateMinor: 2 }])).toMatchObject({
      ok: true,
      imported: 1,
    });
    expect(await rateListVersion(db, euro)).toEqual({ owner: euro, currency: 'EUR', version: 1 });
    expect(await replaceRates(db, euro, [{ mcc: '247', mnc: null, rateMinor: 3 }], { currency: 'EUR' })).toMatchObject({
      ok: true,
      imported: 1,
    });
    expect(await rateRows(db, euro)).toEqual([{ mcc: '247', mnc: null, rateMinor: 3 }]);
    expect(await replaceRates(db, null, [], { currency: 'XYZ' })).toEqual({ ok: false, reason: 'unknown_currency' });
    expect(await recordConversion(db, 'GBP', { ratePpm: 1, rateDate: '2026-12-01' })).toEqual({
      ok: false,
      reason: 'base_currency',
    });
    expect((await priceListSummaries(db, { accountId: euro })).filter((s) => s.owner !== 0)).toEqual([
      {
        owner: euro,
        currency: 'EUR',
        accountName: 'euro-own',
        source: 'imported',
        conversion: null,
        rates: 1,
        version: 2,
      },
    ]);
  });
});
