// Each upstream provider's cost list: what one part costs it to send to a network, in the list's currency. Replaced
// whole in one transaction, compared with a proposed list without writing, and read as a CostBook that a process keeps
// until any list's version moves.
import type { Transaction } from 'kysely';
import {
  type CostList,
  type CostListDiff,
  type CostRow,
  costBookOf,
  diffCostLists,
  formatCostsCsv,
  sortedCostRows,
} from '../domain/cost-lists.js';
import { currencyOf, minorFrom } from '../domain/money.js';
import type { CostBook } from '../domain/provider-costs.js';
import type { Db } from './db.js';
import type { Schema } from './schema.js';
import { intFrom } from './values.js';

const COST_ROWS_PER_INSERT = 1000;
const MCC_RE = /^\d{3}$/;
const MNC_RE = /^\d{1,3}$/;
/** A provider's name as the registry spells them. */
const PROVIDER_RE = /^[a-z][a-z0-9_-]{0,39}$/;

export type { CostBook, CostList, CostListDiff, CostRow };

/** A provider's list as stored: its rows in network order, its version and when it was last replaced. */
export interface StoredCostList extends CostList {
  readonly version: number;
  readonly updatedAtUs: number;
}

export type CostListProblem =
  | { readonly ok: false; readonly reason: 'invalid_provider' }
  | { readonly ok: false; readonly reason: 'unknown_currency' }
  | {
      readonly ok: false;
      readonly reason: 'invalid_row';
      readonly index: number;
      readonly field: 'mcc' | 'mnc' | 'cost';
    }
  | { readonly ok: false; readonly reason: 'duplicate'; readonly index: number };

export type ReplaceCostListResult =
  | { readonly ok: true; readonly version: number; readonly diff: CostListDiff }
  | CostListProblem;

export type CostListDiffResult = { readonly ok: true; readonly diff: CostListDiff } | CostListProblem;

function checkList(provider: string, currency: string, rows: readonly CostRow[]): CostListProblem | null {
  if (!PROVIDER_RE.test(provider)) return { ok: false, reason: 'invalid_provider' };
  if (currencyOf(currency) === undefined) return { ok: false, reason: 'unknown_currency' };
  const seen = new Set<string>();
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    if (row === undefined) throw new Error('sparse cost list');
    if (!MCC_RE.test(row.mcc)) return { ok: false, reason: 'invalid_row', index, field: 'mcc' };
    if (row.mnc !== null && !MNC_RE.test(row.mnc)) return { ok: false, reason: 'invalid_row', index, field: 'mnc' };
    if (!Number.isSafeInteger(row.costMinor) || row.costMinor < 0) {
      return { ok: false, reason: 'invalid_row', index, field: 'cost' };
    }
    const key = `${row.mcc}:${row.mnc ?? ''}`;
    if (seen.has(key)) return { ok: false, reason: 'duplicate', index };
    seen.add(key);
  }
  return null;
}

type Reader = Db['kysely'] | Transaction<Schema>;

async function readList(reader: Reader, provider: string): Promise<StoredCostList | null> {
  const list = await reader
    .selectFrom('provider_cost_lists')
    .select(['provider', 'currency', 'version', 'updated_at_us'])
    .where('provider', '=', provider)
    .executeTakeFirst();
  if (!list) return null;
  const rows = await reader
    .selectFrom('provider_costs')
    .select(['mcc', 'mnc', 'cost_minor'])
    .where('provider', '=', provider)
    .execute();
  return {
    provider: list.provider,
    currency: list.currency,
    rows: sortedCostRows(rows.map((r) => ({ mcc: r.mcc, mnc: r.mnc, costMinor: minorFrom(r.cost_minor) }))),
    version: intFrom(list.version),
    updatedAtUs: intFrom(list.updated_at_us),
  };
}

/** The provider's list, null when it has none. */
export function costList(db: Db, provider: string): Promise<StoredCostList | null> {
  return readList(db.kysely, provider);
}

/** What replacing the provider's list with `rows` in `currency` would change; writes nothing. */
export async function costListDiff(
  db: Db,
  provider: string,
  currency: string,
  rows: readonly CostRow[],
): Promise<CostListDiffResult> {
  const problem = checkList(provider, currency, rows);
  if (problem) return problem;
  return { ok: true, diff: diffCostLists(await readList(db.kysely, provider), { currency, rows }) };
}

async function insertRows(trx: Transaction<Schema>, provider: string, rows: readonly CostRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += COST_ROWS_PER_INSERT) {
    await trx
      .insertInto('provider_costs')
      .values(
        rows.slice(i, i + COST_ROWS_PER_INSERT).map((r) => ({
          provider,
          mcc: r.mcc,
          mnc: r.mnc,
          cost_minor: r.costMinor,
        })),
      )
      .execute();
  }
}

/**
 * Replaces the provider's whole list (its currency and rows) in one transaction: afterwards the new list is in place
 * and its version moved on, or, on any error, nothing changed. Returns what the replacement changed.
 */
export async function replaceCostList(
  db: Db,
  provider: string,
  currency: string,
  rows: readonly CostRow[],
): Promise<ReplaceCostListResult> {
  const problem = checkList(provider, currency, rows);
  if (problem) return problem;
  return db.transaction(async (trx) => {
    // The list's row first: a second replacement of the same list waits on its lock, then reads what the first
    // committed. The currency is changed after, so that the upsert returns the one the list had.
    const nowUs = db.nowUs();
    const written = await trx
      .insertInto('provider_cost_lists')
      .values({ provider, currency, version: 1, updated_at_us: nowUs })
      .onConflict((oc) =>
        oc.column('provider').doUpdateSet((eb) => ({
          version: eb('provider_cost_lists.version', '+', 1),
          updated_at_us: nowUs,
        })),
      )
      .returning(['version', 'currency'])
      .executeTakeFirstOrThrow();
    const version = intFrom(written.version);
    // Versions start at 1 and only grow: 1 is a list this statement created.
    const before = version === 1 ? null : written.currency;
    if (before !== null && before !== currency) {
      await trx.updateTable('provider_cost_lists').set({ currency }).where('provider', '=', provider).execute();
    }
    const stored = await trx
      .selectFrom('provider_costs')
      .select(['mcc', 'mnc', 'cost_minor'])
      .where('provider', '=', provider)
      .execute();
    const storedRows = stored.map((r) => ({ mcc: r.mcc, mnc: r.mnc, costMinor: minorFrom(r.cost_minor) }));
    const diff = diffCostLists(before === null ? null : { currency: before, rows: storedRows }, { currency, rows });
    await trx.deleteFrom('provider_costs').where('provider', '=', provider).execute();
    await insertRows(trx, provider, rows);
    return { ok: true, version, diff };
  });
}

/**
 * Gives the provider a list when it has none (what a start does for the shipped sample): true when written. Several
 * processes starting at once write it once.
 */
export async function seedCostList(
  db: Db,
  provider: string,
  currency: string,
  rows: readonly CostRow[],
): Promise<boolean> {
  const problem = checkList(provider, currency, rows);
  if (problem) throw new Error(`sample cost list refused: ${problem.reason}`);
  return db.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('provider_cost_lists')
      .values({ provider, currency, version: 1, updated_at_us: db.nowUs() })
      .onConflict((oc) => oc.column('provider').doNothing())
      .returning('provider')
      .executeTakeFirst();
    if (!inserted) return false;
    await insertRows(trx, provider, rows);
    return true;
  });
}

/** Every provider's list with its rows, by provider name. */
export async function allCostLists(db: Db): Promise<StoredCostList[]> {
  return db.transaction(
    async (trx) => {
      const lists = await trx
        .selectFrom('provider_cost_lists')
        .select(['provider', 'currency', 'version', 'updated_at_us'])
        .orderBy('provider')
        .execute();
      const rows = await trx.selectFrom('provider_costs').select(['provider', 'mcc', 'mnc', 'cost_minor']).execute();
      const byProvider = new Map<string, CostRow[]>();
      for (const r of rows) {
        const list = byProvider.get(r.provider) ?? [];
        list.push({ mcc: r.mcc, mnc: r.mnc, costMinor: minorFrom(r.cost_minor) });
        byProvider.set(r.provider, list);
      }
      return lists.map((list) => ({
        provider: list.provider,
        currency: list.currency,
        rows: sortedCostRows(byProvider.get(list.provider) ?? []),
        version: intFrom(list.version),
        updatedAtUs: intFrom(list.updated_at_us),
      }));
    },
    { readOnly: true, snapshot: true },
  );
}

/** The provider's list as CSV (`mcc,mnc,cost`, what an import reads back); null when it has no list. */
export async function costListCsv(db: Db, provider: string): Promise<{ currency: string; csv: string } | null> {
  const list = await readList(db.kysely, provider);
  return list ? { currency: list.currency, csv: formatCostsCsv(list.rows) } : null;
}

/**
 * The version of every list taken together, in one statement over one row per provider: it moves on with every
 * replacement of any list (each adds one to its own list's version, and no list is ever removed). 0 without lists.
 */
export async function costBookVersion(db: Db): Promise<number> {
  const row = await db.readFirst<{ version: number | string | null }>(
    'select sum(version) as version from provider_cost_lists',
    [],
  );
  return row?.version == null ? 0 : intFrom(row.version);
}

/** Every provider's list as one CostBook, with the version it was read at. */
export async function readCostBook(db: Db): Promise<CostBook> {
  // Read in one transaction so that the version and the rows agree.
  const lists = await allCostLists(db);
  const version = lists.reduce((sum, list) => sum + list.version, 0);
  return costBookOf(version, lists);
}

/** A CostBook kept in memory, read again only when a list's version moved. */
export interface CostBookCache {
  /** The book as of now: one cheap query (the version) when nothing changed since the last call. */
  current(): Promise<CostBook>;
}

export function createCostBookCache(db: Db): CostBookCache {
  let book: CostBook | null = null;
  return {
    async current(): Promise<CostBook> {
      const version = await costBookVersion(db);
      if (book === null || book.version !== version) book = await readCostBook(db);
      return book;
    },
  };
}
