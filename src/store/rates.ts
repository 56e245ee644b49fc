// Price lists: the platform default and an account's own, which replaces the default for that account when present.
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { RateRow } from '../domain/pricing.js';
import type { Db } from './db.js';
import { containsText, foldText, lockForRewrite, REWRITE_LOCKS } from './dialect-sql.js';
import { intFrom } from './values.js';

const RATE_ROWS_PER_INSERT = 1000;
const MCC_RE = /^\d{3}$/;
const MNC_RE = /^\d{1,3}$/;

export type { RateRow };

export interface ListedRate extends RateRow {
  /** The catalog country the MCC names, null when the catalog has none for it. */
  readonly country: string | null;
  readonly countryId: number | null;
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
  | { readonly ok: true; readonly imported: number }
  | {
      readonly ok: false;
      readonly reason: 'invalid_row';
      readonly index: number;
      readonly field: 'mcc' | 'mnc' | 'rate';
    }
  | { readonly ok: false; readonly reason: 'duplicate'; readonly index: number }
  | { readonly ok: false; readonly reason: 'account_not_found' };

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

/**
 * Replaces a whole price list (accountId null: the platform default) in one transaction: afterwards the new list is in
 * place and the old one gone, or, on any error, nothing changed. An empty list removes an account's own prices, so it
 * falls back to the default.
 */
export async function replaceRates(
  db: Db,
  accountId: number | null,
  rows: readonly RateRow[],
): Promise<ReplaceRatesResult> {
  const invalid = checkRows(rows);
  if (invalid) return invalid;
  return db.transaction(async (trx) => {
    // Two replacements of one list at once (servers seeding the default list together) take turns: the second then
    // deletes what the first inserted, instead of inserting beside it and failing on the unique index.
    await lockForRewrite(trx, db.dialect, REWRITE_LOCKS.rateLists);
    if (accountId !== null) {
      const account = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
      if (!account) return { ok: false, reason: 'account_not_found' };
    }
    const owner = accountId ?? 0;
    // Processes that keep rate cards in memory see the rewrite through the version, committed with the rows.
    await trx
      .insertInto('rate_list_versions')
      .values({ list_owner: owner, version: 1 })
      .onConflict((oc) =>
        oc.column('list_owner').doUpdateSet((eb) => ({ version: eb('rate_list_versions.version', '+', 1) })),
      )
      .execute();
    await trx.deleteFrom('rates').where(sql<boolean>`coalesce(account_id, 0) = ${owner}`).execute();
    const nowUs = db.nowUs();
    for (let i = 0; i < rows.length; i += RATE_ROWS_PER_INSERT) {
      await trx
        .insertInto('rates')
        .values(
          rows.slice(i, i + RATE_ROWS_PER_INSERT).map((r) => ({
            account_id: accountId,
            mcc: r.mcc,
            mnc: r.mnc,
            rate_minor: r.rateMinor,
            created_at_us: nowUs,
          })),
        )
        .execute();
    }
    return { ok: true, imported: rows.length };
  });
}

/** The owner (account id, or 0 for the default) of the list that prices the account: its own when it has one. */
function listOwner(accountId: number) {
  const hasOwn = sql`exists (select 1 from rates own where coalesce(own.account_id, 0) = ${accountId})`;
  return sql<number>`(case when ${hasOwn} then ${accountId} else 0 end)`;
}

/** The price list the account sees (its own, else the default), with country names, ordered by MCC then MNC. */
export async function listRates(db: Db, accountId: number, filters: RateFilters = {}): Promise<ListedRate[]> {
  let query = db.kysely
    .selectFrom('rates as r')
    .leftJoin('country_mccs as cm', (join) => join.onRef('cm.mcc', '=', 'r.mcc').on('cm.rank', '=', 0))
    .leftJoin('countries as c', 'c.id', 'cm.country_id')
    .select(['r.mcc', 'r.mnc', 'r.rate_minor', 'c.name as country', 'c.id as country_id'])
    .where(sql<boolean>`coalesce(r.account_id, 0) = ${listOwner(accountId)}`);
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
  // coalesce: SQLite sorts NULLs first and PostgreSQL last; '' puts the country-wide row first on both.
  const rows = await query.orderBy('r.mcc').orderBy(sql`coalesce(r.mnc, '')`).orderBy('r.mnc').execute();
  return rows.map((row) => ({
    mcc: row.mcc,
    mnc: row.mnc,
    rateMinor: minorFrom(row.rate_minor),
    country: row.country,
    countryId: row.country_id,
  }));
}

/** Every rate that prices the account's sendings (its own list, else the default), for a RateCard. */
export async function rateRows(db: Db, accountId: number): Promise<RateRow[]> {
  const rows = await db.kysely
    .selectFrom('rates')
    .select(['mcc', 'mnc', 'rate_minor'])
    .where(sql<boolean>`coalesce(account_id, 0) = ${listOwner(accountId)}`)
    .execute();
  return rows.map((row) => ({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) }));
}

/** A price list as of one version: the list is named by its owner, an account id or 0 for the platform default. */
export interface RateListVersion {
  readonly owner: number;
  /** Changes with every rewrite of the list; 0 for a list never written since versions were kept. */
  readonly version: number;
}

/** A list's version as a scalar subquery: 0 when the list has no row in rate_list_versions. */
function versionOf(owner: number) {
  return sql<number | string>`coalesce((select version from rate_list_versions where list_owner = ${owner}), 0)`;
}

/**
 * Which list prices the account and that list's version, in one statement: what a cached rate card is checked against.
 * The account's own list when it has rows, else the default, decided exactly as `listOwner` (and so `rateRows`) does.
 */
export async function rateListVersion(db: Db, accountId: number): Promise<RateListVersion> {
  const { rows } = await sql<{ has_own: boolean | number; own: number | string; fallback: number | string }>`
    select exists (select 1 from rates own where coalesce(own.account_id, 0) = ${accountId}) as has_own,
      ${versionOf(accountId)} as own, ${versionOf(0)} as fallback`.execute(db.kysely);
  const row = rows[0];
  if (row === undefined) throw new Error('rate list version query returned no row');
  // pg reads a boolean, better-sqlite3 an integer 0 or 1.
  return row.has_own === true || row.has_own === 1
    ? { owner: accountId, version: intFrom(row.own) }
    : { owner: 0, version: intFrom(row.fallback) };
}

/** Every rate of one list (owner: an account id, or 0 for the default) with its version, read in one statement. */
export async function rateListAt(db: Db, owner: number): Promise<RateListVersion & { rows: RateRow[] }> {
  // The one-row version select is joined to the rates, so an empty list still answers with its version.
  const { rows } = await sql<{
    version: number | string;
    mcc: string | null;
    mnc: string | null;
    rate_minor: number | string | null;
  }>`
    select v.version as version, r.mcc as mcc, r.mnc as mnc, r.rate_minor as rate_minor
    from (select ${versionOf(owner)} as version) v
    left join rates r on coalesce(r.account_id, 0) = ${owner}`.execute(db.kysely);
  const first = rows[0];
  if (first === undefined) throw new Error('rate list query returned no row');
  const rates: RateRow[] = [];
  for (const row of rows) {
    if (row.mcc === null || row.rate_minor === null) continue;
    rates.push({ mcc: row.mcc, mnc: row.mnc, rateMinor: minorFrom(row.rate_minor) });
  }
  return { owner, version: intFrom(first.version), rows: rates };
}
