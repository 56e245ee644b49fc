// Price lists, each in one currency: the platform's default lists (one per currency, the base one and those converted
// from it) and an account's own, which replaces its currency's default list for that account when present.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import {
  type Conversion,
  convertRows,
  diffRateLists,
  isAccountCurrency,
  isCalendarDate,
  PLATFORM_CURRENCY,
  type PriceListSource,
  RATE_PPM_PER_UNIT,
  type RateListDiff,
} from '../domain/price-lists.js';
import type { RateRow } from '../domain/pricing.js';
import type { Db, DialectName } from './db.js';
import { containsText, foldText, lockForRewrite, REWRITE_LOCKS } from './dialect-sql.js';
import { preparedRead } from './prepared-reads.js';
import type { Schema } from './schema.js';
import { intFrom } from './values.js';

const RATE_ROWS_PER_INSERT = 1000;
const MCC_RE = /^\d{3}$/;
const MNC_RE = /^\d{1,3}$/;

export type { RateRow };

export interface ListedRate extends RateRow {
  /** The catalog country the MCC names, null when the catalog has none for it. */
  readonly country: string | null;
  readonly countryId: number | null;
  /** That country's ISO 3166-1 alpha-2 code ("LV"), null with it. */
  readonly iso: string | null;
}

export interface RateFilters {
  readonly mcc?: string;
  /** A network code, or null for the country-wide rows only. */
  readonly mnc?: string | null;
  /** Part of a country's name, any case, accents ignored ("aland" finds Åland Islands). */
  readonly countryContains?: string;
  /** A catalog country id: the rates that apply to its numbers (every MCC it uses). */
  readonly countryId?: number;
}

export type ReplaceRatesResult =
  /** `diff`: the list as it was against the rows given. */
  | { readonly ok: true; readonly imported: number; readonly diff: RateListDiff }
  | {
      readonly ok: false;
      readonly reason: 'invalid_row';
      readonly index: number;
      readonly field: 'mcc' | 'mnc' | 'rate';
    }
  | { readonly ok: false; readonly reason: 'duplicate'; readonly index: number }
  | { readonly ok: false; readonly reason: 'account_not_found' }
  /** The list states a currency that is not the account's: an account is priced only in its own currency. */
  | { readonly ok: false; readonly reason: 'currency_mismatch'; readonly accountCurrency: string }
  | { readonly ok: false; readonly reason: 'unknown_currency' };

export interface ReplaceRatesOptions {
  /**
   * The currency the list is stated in. An account's list must be in the account's currency (assumed when absent);
   * a default list without one is the base list, in PLATFORM_CURRENCY.
   */
  readonly currency?: string;
}

function checkRows(rows: readonly RateRow[]): ReplaceRatesResult | null {
  const seen = new Set<string>();
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    if (row === undefined) throw new Error('sparse rate list');
    if (!MCC_RE.test(row.mcc)) return { ok: false, reason: 'invalid_row', index, field: 'mcc' };
    if (row.mnc !== null && !MNC_RE.test(row.mnc)) return { ok: false, reason: 'invalid_row', index, field: 'mnc' };
    if (!Number.isSafeInteger(row.rateMinor) || row.rateMinor < 0) {
      return { ok: false, reason: 'invalid_row', index, field: 'rate' };
    }
    const key = `${row.mcc}:${row.mnc ?? ''}`;
    if (seen.has(key)) return { ok: false, reason: 'duplicate', index };
    seen.add(key);
  }
  return null;
}

/** One price list: its owner (an account id, 0 for the platform's default lists) and its currency. */
export interface RateListRef {
  readonly owner: number;
  readonly currency: string;
}

/** The rows of one list, as a condition on the rates alias given. */
function ofList(alias: string, list: RateListRef) {
  return sql<boolean>`coalesce(${sql.ref(`${alias}.account_id`)}, 0) = ${list.owner}
    and ${sql.ref(`${alias}.currency`)} = ${list.currency}`;
}

/**
 * Rewrites one list in `trx` (the rewrite lock held): its version moves on, its source is recorded (a conversion for
 * a converted default list, none for an imported one), and its rows are replaced.
 */
async function writeList(
  trx: Transaction<Schema>,
  nowUs: number,
  list: RateListRef,
  rows: readonly RateRow[],
  conversion: Conversion | null,
): Promise<void> {
  const source = {
    source: conversion ? 'converted' : 'imported',
    base_currency: conversion?.baseCurrency ?? null,
    conversion_rate_ppm: conversion?.ratePpm ?? null,
    rate_date: conversion?.rateDate ?? null,
  };
  // Processes that keep rate cards in memory see the rewrite through the version, committed with the rows.
  await trx
    .insertInto('rate_lists')
    .values({ list_owner: list.owner, currency: list.currency, version: 1, ...source })
    .onConflict((oc) =>
      oc
        .columns(['list_owner', 'currency'])
        .doUpdateSet((eb) => ({ version: eb('rate_lists.version', '+', 1), ...source })),
    )
    .execute();
  await trx.deleteFrom('rates').where(ofList('rates', list)).execute();
  for (let i = 0; i < rows.length; i += RATE_ROWS_PER_INSERT) {
    await trx
      .insertInto('rates')
      .values(
        rows.slice(i, i + RATE_ROWS_PER_INSERT).map((r) => ({
          account_id: list.owner === 0 ? null : list.owner,
          mcc: r.mcc,
          mnc: r.mnc,
          rate_minor: r.rateMinor,
          currency: list.currency,
          created_at_us: nowUs,
        })),
      )
      .execute();
  }
}

/** Every default list converted from the base one, converted again from `baseRows` at its recorded rate. */
async function reconvertDefaults(trx: Transaction<Schema>, nowUs: number, baseRows: readonly RateRow[]) {
  const converted = await trx
    .selectFrom('rate_lists')
    .select(['currency', 'base_currency', 'conversion_rate_ppm', 'rate_date'])
    .where('list_owner', '=', 0)
    .where('source', '=', 'converted')
    .execute();
  for (const list of converted) {
    if (list.base_currency === null || list.conversion_rate_ppm === null || list.rate_date === null) {
      throw new Error(`converted list ${list.currency} has no conversion recorded`);
    }
    const ratePpm = intFrom(list.conversion_rate_ppm);
    const conversion = { baseCurrency: list.base_currency, ratePpm, rateDate: list.rate_date };
    await writeList(trx, nowUs, { owner: 0, currency: list.currency }, convertRows(baseRows, ratePpm), conversion);
  }
}

type Reader = Pick<Db['kysely'], 'selectFrom'>;

/** Which list an import replaces: an account's own (in the account's currency) or a default list; null when refused. */
async function listToReplace(
  reader: Reader,
  accountId: number | null,
  options: ReplaceRatesOptions,
): Promise<{ readonly ok: true; readonly list: RateListRef } | Extract<ReplaceRatesResult, { ok: false }>> {
  if (accountId === null) return { ok: true, list: { owner: 0, currency: options.currency ?? PLATFORM_CURRENCY } };
  const account = await reader
    .selectFrom('accounts')
    .select(['id', 'currency'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) return { ok: false, reason: 'account_not_found' };
  if (options.currency !== undefined && options.currency !== account.currency) {
    return { ok: false, reason: 'currency_mismatch', accountCurrency: account.currency };
  }
  return { ok: true, list: { owner: accountId, currency: account.currency } };
}

async function rowsOf(reader: Reader, list: RateListRef): Promise<RateRow[]> {
  const rows = await reader
    .selectFrom('rates')
    .select(['mcc', 'mnc', 'rate_minor'])
    .where(ofList('rates', list))
    .execute();
  return rows.map((row) => ({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) }));
}

/**
 * What `replaceRates` with the same arguments would do, refused for the same reasons, without writing: the rows it
 * would add, remove and reprice in the list it would replace.
 */
export async function previewRates(
  db: Db,
  accountId: number | null,
  rows: readonly RateRow[],
  options: ReplaceRatesOptions = {},
): Promise<ReplaceRatesResult> {
  const invalid = checkRows(rows);
  if (invalid) return invalid;
  if (options.currency !== undefined && !isAccountCurrency(options.currency)) {
    return { ok: false, reason: 'unknown_currency' };
  }
  const target = await listToReplace(db.kysely, accountId, options);
  if (!target.ok) return target;
  return { ok: true, imported: rows.length, diff: diffRateLists(await rowsOf(db.kysely, target.list), rows) };
}

/**
 * Replaces a whole price list (accountId null: a platform default list) in one transaction: afterwards the new list is
 * in place and the old one gone, or, on any error, nothing changed. An empty list removes an account's own prices, so
 * it falls back to the default list of its currency. A new base default list (in PLATFORM_CURRENCY) is converted again
 * into every converted default list, in the same transaction. The result tells what changed in the list replaced.
 */
export async function replaceRates(
  db: Db,
  accountId: number | null,
  rows: readonly RateRow[],
  options: ReplaceRatesOptions = {},
): Promise<ReplaceRatesResult> {
  const invalid = checkRows(rows);
  if (invalid) return invalid;
  if (options.currency !== undefined && !isAccountCurrency(options.currency)) {
    return { ok: false, reason: 'unknown_currency' };
  }
  return db.transaction(async (trx) => {
    // Two replacements of one list at once (servers seeding the default list together) take turns: the second then
    // deletes what the first inserted, instead of inserting beside it and failing on the unique index.
    await lockForRewrite(trx, db.dialect, REWRITE_LOCKS.rateLists);
    const target = await listToReplace(trx, accountId, options);
    if (!target.ok) return target;
    const { list } = target;
    const diff = diffRateLists(await rowsOf(trx, list), rows);
    const nowUs = db.nowUs();
    await writeList(trx, nowUs, list, rows, null);
    if (accountId === null && list.currency === PLATFORM_CURRENCY) await reconvertDefaults(trx, nowUs, rows);
    return { ok: true, imported: rows.length, diff };
  });
}

export type RecordConversionResult =
  | { readonly ok: true; readonly imported: number; readonly written: boolean }
  | { readonly ok: false; readonly reason: 'unknown_currency' | 'base_currency' | 'bad_rate' };

/**
 * Records the rate a currency's default list is converted at and writes that list, converted from the base default
 * list (each price rounded up), in one transaction. With `onlyIfAbsent`, a currency that already has a default list
 * (converted, imported, even emptied by the operator) is left as it is: what a start does for the shipped rates.
 */
export async function recordConversion(
  db: Db,
  currency: string,
  rate: { readonly ratePpm: number; readonly rateDate: string },
  options: { readonly onlyIfAbsent?: boolean } = {},
): Promise<RecordConversionResult> {
  if (!isAccountCurrency(currency)) return { ok: false, reason: 'unknown_currency' };
  if (currency === PLATFORM_CURRENCY) return { ok: false, reason: 'base_currency' };
  if (!Number.isSafeInteger(rate.ratePpm) || rate.ratePpm <= 0 || !isCalendarDate(rate.rateDate)) {
    return { ok: false, reason: 'bad_rate' };
  }
  return db.transaction(async (trx) => {
    await lockForRewrite(trx, db.dialect, REWRITE_LOCKS.rateLists);
    if (options.onlyIfAbsent) {
      const held = await trx
        .selectFrom('rate_lists')
        .select('version')
        .where('list_owner', '=', 0)
        .where('currency', '=', currency)
        .executeTakeFirst();
      if (held) return { ok: true, imported: 0, written: false };
    }
    const base = await trx
      .selectFrom('rates')
      .select(['mcc', 'mnc', 'rate_minor'])
      .where(ofList('rates', { owner: 0, currency: PLATFORM_CURRENCY }))
      .execute();
    const baseRows = base.map((row) => ({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) }));
    const conversion: Conversion = { baseCurrency: PLATFORM_CURRENCY, ...rate };
    await writeList(trx, db.nowUs(), { owner: 0, currency }, convertRows(baseRows, rate.ratePpm), conversion);
    return { ok: true, imported: baseRows.length, written: true };
  });
}

/** A price list as the operator sees it: whose, in which currency, from where, and how many rates. */
export interface PriceListSummary extends RateListRef {
  /** The account's name for an account's own list, null for a default list. */
  readonly accountName: string | null;
  readonly source: PriceListSource;
  /** How a converted default list was made; null for an imported list. */
  readonly conversion: Conversion | null;
  readonly rates: number;
  readonly version: number;
}

/**
 * Every default list (one per currency, the base currency's first) and the accounts' own lists that price their
 * account (those with rates), or with `accountId` the default lists and that account's own.
 */
export async function priceListSummaries(db: Db, filter: { accountId?: number } = {}): Promise<PriceListSummary[]> {
  const count = sql<number | string>`(select count(*) from rates r where ${ofListRef('r', 'l')})`;
  let query = db.kysely
    .selectFrom('rate_lists as l')
    .leftJoin('accounts as a', 'a.id', 'l.list_owner')
    .select(['l.list_owner', 'l.currency', 'l.version', 'l.source', 'l.base_currency', 'l.conversion_rate_ppm'])
    .select(['l.rate_date', 'a.name as account_name', count.as('rates')]);
  query =
    filter.accountId === undefined
      ? query.where((eb) => eb.or([eb('l.list_owner', '=', 0), eb(count, '>', 0)]))
      : query.where('l.list_owner', 'in', [0, filter.accountId]);
  const rows = await query
    .orderBy('l.list_owner')
    .orderBy(sql`case when l.currency = ${PLATFORM_CURRENCY} then 0 else 1 end`)
    .orderBy('l.currency')
    .execute();
  return rows.map((row) => ({
    owner: intFrom(row.list_owner),
    currency: row.currency,
    accountName: row.account_name ?? null,
    source: row.source === 'converted' ? 'converted' : 'imported',
    conversion:
      row.base_currency !== null && row.conversion_rate_ppm !== null && row.rate_date !== null
        ? { baseCurrency: row.base_currency, ratePpm: intFrom(row.conversion_rate_ppm), rateDate: row.rate_date }
        : null,
    rates: intFrom(row.rates),
    version: intFrom(row.version),
  }));
}

/** The rows of the list a rate_lists alias names, as a condition on the rates alias. */
function ofListRef(rates: string, lists: string) {
  return sql<boolean>`coalesce(${sql.ref(`${rates}.account_id`)}, 0) = ${sql.ref(`${lists}.list_owner`)}
    and ${sql.ref(`${rates}.currency`)} = ${sql.ref(`${lists}.currency`)}`;
}

/** The account's currency, as a scalar subquery. */
function accountCurrency(accountId: number) {
  return sql<string>`(select acc.currency from accounts acc where acc.id = ${accountId})`;
}

/**
 * The owner (account id, or 0 for the default) of the list that prices the account: its own when it has rows, else the
 * default list of the account's currency.
 */
function listOwner(accountId: number) {
  const hasOwn = sql`exists (select 1 from rates own
    where coalesce(own.account_id, 0) = ${accountId} and own.currency = ${accountCurrency(accountId)})`;
  return sql<number>`(case when ${hasOwn} then ${accountId} else 0 end)`;
}

/** The rows of the list that prices the account, as a condition on the rates alias given. */
function pricingAccount(alias: string, accountId: number) {
  return sql<boolean>`coalesce(${sql.ref(`${alias}.account_id`)}, 0) = ${listOwner(accountId)}
    and ${sql.ref(`${alias}.currency`)} = ${accountCurrency(accountId)}`;
}

/** Rates (alias `r`) with the country of their MCC: what every listing of a price list selects. */
function ratesWithCountry(db: Db) {
  return db.kysely
    .selectFrom('rates as r')
    .leftJoin('country_mccs as cm', (join) => join.onRef('cm.mcc', '=', 'r.mcc').on('cm.rank', '=', 0))
    .leftJoin('countries as c', 'c.id', 'cm.country_id')
    .select(['r.mcc', 'r.mnc', 'r.rate_minor', 'c.name as country', 'c.id as country_id', 'c.iso as country_iso']);
}

/** Runs a listing of `ratesWithCountry` in a price list's order: by MCC, then MNC, the country-wide row first. */
async function inListOrder(query: ReturnType<typeof ratesWithCountry>): Promise<ListedRate[]> {
  // coalesce: SQLite sorts NULLs first and PostgreSQL last; '' puts the country-wide row first on both.
  const rows = await query.orderBy('r.mcc').orderBy(sql`coalesce(r.mnc, '')`).orderBy('r.mnc').execute();
  return rows.map((row) => ({
    mcc: row.mcc,
    mnc: row.mnc,
    rateMinor: minorFrom(row.rate_minor),
    country: row.country,
    countryId: row.country_id,
    iso: row.country_iso,
  }));
}

/** One price list as it is stored: an account's own (empty when it has none) or a platform default list (owner 0). */
export function priceList(db: Db, list: RateListRef): Promise<ListedRate[]> {
  return inListOrder(
    ratesWithCountry(db)
      .where(sql<boolean>`coalesce(r.account_id, 0) = ${list.owner}`)
      .where('r.currency', '=', list.currency),
  );
}

/**
 * The price list the account sees (its own, else the default list of its currency), with country names, ordered by MCC
 * then MNC; empty when its currency has no list.
 */
export async function listRates(db: Db, accountId: number, filters: RateFilters = {}): Promise<ListedRate[]> {
  let query = ratesWithCountry(db).where(pricingAccount('r', accountId));
  if (filters.mcc !== undefined) query = query.where('r.mcc', '=', filters.mcc);
  if (filters.mnc === null) query = query.where('r.mnc', 'is', null);
  else if (filters.mnc !== undefined) query = query.where('r.mnc', '=', filters.mnc);
  if (filters.countryId !== undefined) {
    const countryId = filters.countryId;
    query = query.where('r.mcc', 'in', (eb) =>
      eb.selectFrom('country_mccs').select('mcc').where('country_id', '=', countryId),
    );
  }
  // No country name holds a NUL, and PostgreSQL cannot even compare text with one.
  if (filters.countryContains?.includes('\u0000')) return [];
  if (filters.countryContains !== undefined) {
    const needle = foldText(filters.countryContains);
    query = query.where('r.mcc', 'in', (eb) =>
      eb
        .selectFrom('country_mccs as m')
        .innerJoin('countries as named', 'named.id', 'm.country_id')
        .select('m.mcc')
        .where(containsText(db.dialect, sql.ref('named.name_folded'), needle)),
    );
  }
  return inListOrder(query);
}

/** Every rate that prices the account's sendings (its own list, else its currency's default), for a RateCard. */
export async function rateRows(db: Db, accountId: number): Promise<RateRow[]> {
  const rows = await db.kysely
    .selectFrom('rates as r')
    .select(['r.mcc', 'r.mnc', 'r.rate_minor'])
    .where(pricingAccount('r', accountId))
    .execute();
  return rows.map((row) => ({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) }));
}

/** A price list as of one version. */
export interface RateListVersion extends RateListRef {
  /** Changes with every rewrite of the list; 0 for a list never written since versions were kept. */
  readonly version: number;
}

/** A list's version as a scalar subquery over the owner and currency given as SQL: 0 when it has no rate_lists row. */
function versionOf(owner: RawBuilder<unknown>, currency: RawBuilder<unknown>) {
  return sql<number | string>`coalesce((select v.version from rate_lists v
    where v.list_owner = ${owner} and v.currency = ${currency}), 0)`;
}

/**
 * Whether the list of `owner` in the account's currency (`a.currency`) has a rate. On PostgreSQL as its first row in
 * the order of the rates_list_network index: asked in that order, the index is the only cheap way to answer, whatever
 * the planner expects, where an `exists` of the same test was planned, once the prepared read went generic, as a scan
 * of every list's rates in the hope of an early match. SQLite probes the index for the `exists` (and would sort every
 * rate of the list for the ordered form).
 */
function hasRates(dialect: DialectName, owner: RawBuilder<unknown>) {
  const ofList = sql`coalesce(r.account_id, 0) = ${owner} and r.currency = a.currency`;
  return dialect === 'sqlite'
    ? sql`exists (select 1 from rates r where ${ofList})`
    : sql`(select 1 from rates r where ${ofList}
        order by coalesce(r.account_id, 0), r.currency, r.mcc, coalesce(r.mnc, '') limit 1) is not null`;
}

/** What a read of a rate list's version selects (`rateListVersionColumns`), as the drivers return it. */
export interface RateListVersionRow {
  currency: string | null;
  has_own: boolean | number | null;
  has_default: boolean | number | null;
  own: number | string | null;
  fallback: number | string | null;
}

/**
 * The columns deciding which list prices the account `a` (an alias of `accounts`, the row of `accountId`) and that
 * list's version, for `rateListVersionFrom`: what `rateListVersion` reads, and what a read of a sending's other facts
 * selects beside them.
 */
export function rateListVersionColumns(dialect: DialectName, accountId: unknown) {
  const owner = sql.ref('a.id');
  const currency = sql.ref('a.currency');
  return sql`a.currency as currency,
      ${hasRates(dialect, sql`${accountId}`)} as has_own,
      ${hasRates(dialect, sql.lit(0))} as has_default,
      ${versionOf(owner, currency)} as own, ${versionOf(sql.lit(0), currency)} as fallback`;
}

/**
 * The list `rateListVersionColumns` read: the account's own when it has rows, else the default list of its currency,
 * decided exactly as `listOwner` (and so `rateRows`) does. Null when neither has rows (or there was no account).
 */
export function rateListVersionFrom(row: RateListVersionRow | undefined, accountId: number): RateListVersion | null {
  if (row === undefined || row.currency === null) return null;
  // pg reads a boolean, better-sqlite3 an integer 0 or 1.
  if (row.has_own === true || row.has_own === 1) {
    return { owner: accountId, currency: row.currency, version: intFrom(row.own ?? 0) };
  }
  if (row.has_default === true || row.has_default === 1) {
    return { owner: 0, currency: row.currency, version: intFrom(row.fallback ?? 0) };
  }
  return null;
}

/** Read on every sending: a prepared read. */
const readRateListVersion = preparedRead((db: Db, accountId: number) =>
  sql<RateListVersionRow>`
    select ${rateListVersionColumns(db.dialect, accountId)}
    from accounts a where a.id = ${accountId}`.compile(db.kysely),
);

/**
 * Which list prices the account and that list's version, in one statement: what a cached rate card is checked against.
 * The account's own list when it has rows, else the default list of the account's currency, decided exactly as
 * `listOwner` (and so `rateRows`) does. Null when neither has rows: nothing prices the account (no list in its
 * currency), or the account does not exist.
 */
export async function rateListVersion(db: Db, accountId: number): Promise<RateListVersion | null> {
  const rows = await readRateListVersion(db, accountId);
  return rateListVersionFrom(rows[0], accountId);
}

/** Every rate of one list with its version, read in one statement. */
export async function rateListAt(db: Db, list: RateListRef): Promise<RateListVersion & { rows: RateRow[] }> {
  // The one-row version select is joined to the rates, so an empty list still answers with its version.
  const { rows } = await sql<{
    version: number | string;
    mcc: string | null;
    mnc: string | null;
    rate_minor: number | string | null;
  }>`
    select v.version as version, r.mcc as mcc, r.mnc as mnc, r.rate_minor as rate_minor
    from (select ${versionOf(sql.val(list.owner), sql.val(list.currency))} as version) v
    left join rates r on ${ofList('r', list)}`.execute(db.kysely);
  const first = rows[0];
  if (first === undefined) throw new Error('rate list query returned no row');
  const rates: RateRow[] = [];
  for (const row of rows) {
    if (row.mcc === null || row.rate_minor === null) continue;
    rates.push({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) });
  }
  return { ...list, version: intFrom(first.version), rows: rates };
}

/**
 * The platform's conversion rates: for each currency whose default list is converted from the base one, the rate it
 * is converted at (millionths of the currency per unit of the base), and the base currency itself at 10^6. A
 * currency whose default list was imported as it is has no rate here.
 */
export async function conversionRatesPpm(db: Db): Promise<ReadonlyMap<string, number>> {
  const rows = await db.kysely
    .selectFrom('rate_lists')
    .select(['currency', 'conversion_rate_ppm'])
    .where('list_owner', '=', 0)
    .where('base_currency', '=', PLATFORM_CURRENCY)
    .where('conversion_rate_ppm', 'is not', null)
    .execute();
  const rates = new Map<string, number>([[PLATFORM_CURRENCY, RATE_PPM_PER_UNIT]]);
  for (const row of rows) {
    if (row.conversion_rate_ppm !== null) rates.set(row.currency, intFrom(row.conversion_rate_ppm));
  }
  return rates;
}
