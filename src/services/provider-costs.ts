// The operator's providers' cost lists: read a list from CSV, show what replacing the stored one would change, replace
// it all or nothing, list and export them. The CLI (`smsgic costs`) and the dashboard's operator pages both come here.
import { type CostListDiff, parseCostsCsv } from '../domain/cost-lists.js';
import { CURRENCIES, currencyOf } from '../domain/money.js';
import { PLATFORM_CURRENCY } from '../domain/price-lists.js';
import type { Db } from '../store/db.js';
import {
  allCostLists,
  costList,
  costListCsv,
  costListDiff,
  replaceCostList,
  type StoredCostList,
} from '../store/provider-costs.js';
import type { Fields } from './form-fields.js';
import { invalidOne, notFound, type Outcome, ok } from './outcome.js';

export type CostImport =
  | {
      readonly ok: true;
      readonly provider: string;
      readonly currency: string;
      readonly diff: CostListDiff;
      /** False for a dry run: nothing was written. */
      readonly replaced: boolean;
      /** The list's version after the replacement; null for a dry run. */
      readonly version: number | null;
    }
  | {
      readonly ok: false;
      readonly reason: 'unknown_provider';
      readonly provider: string;
      readonly known: readonly string[];
    }
  | { readonly ok: false; readonly reason: 'unknown_currency'; readonly currency: string }
  | { readonly ok: false; readonly reason: 'csv'; readonly line: number; readonly message: string }
  | { readonly ok: false; readonly reason: 'currency_conflict'; readonly stated: string; readonly given: string };

export type CostImportProblem = Exclude<CostImport, { readonly ok: true }>;

export interface CostImportOptions {
  /** The list's currency; else the one the CSV states, else the stored list's, else the platform's base currency. */
  readonly currency?: string;
  /** Only compute what would change. */
  readonly dryRun?: boolean;
}

/** What was wrong, as the operator reads it (the CLI and the dashboard alike); every one ends "nothing was imported". */
export function costImportProblem(problem: CostImportProblem): string {
  switch (problem.reason) {
    case 'unknown_provider':
      return `"${problem.provider}" is not a provider of this platform (${problem.known.join(', ')}); nothing was imported.`;
    case 'unknown_currency':
      return `"${problem.currency}" is not a currency of the platform (${Object.keys(CURRENCIES).join(', ')}); nothing was imported.`;
    case 'csv':
      return `Line ${problem.line}: ${problem.message}; nothing was imported.`;
    case 'currency_conflict':
      return `The list states ${problem.stated} but ${problem.given} was asked for; nothing was imported.`;
  }
}

/**
 * Reads a provider's cost list from CSV (`mcc,mnc,cost`, optionally `currency`) and compares it with the stored one;
 * unless a dry run, replaces the stored list with it, all or nothing. `known`: the providers of this platform.
 */
export async function importCostList(
  db: Db,
  known: readonly string[],
  provider: string,
  csv: string,
  options: CostImportOptions = {},
): Promise<CostImport> {
  if (!known.includes(provider)) return { ok: false, reason: 'unknown_provider', provider, known };
  const given = options.currency?.trim().toUpperCase();
  if (given !== undefined && currencyOf(given) === undefined) {
    return { ok: false, reason: 'unknown_currency', currency: options.currency ?? '' };
  }
  const parsed = parseCostsCsv(csv);
  if (!parsed.ok) return { ok: false, reason: 'csv', line: parsed.line, message: parsed.message };
  if (given !== undefined && parsed.currency !== null && parsed.currency !== given) {
    return { ok: false, reason: 'currency_conflict', stated: parsed.currency, given };
  }
  const currency = given ?? parsed.currency ?? (await costList(db, provider))?.currency ?? PLATFORM_CURRENCY;
  const result = options.dryRun
    ? { ...(await costListDiff(db, provider, currency, parsed.rows)), version: null }
    : await replaceCostList(db, provider, currency, parsed.rows);
  // parseCostsCsv and the known names refuse what the store would: reaching here is a disagreement between them.
  if (!result.ok) throw new Error(`cost list refused after parsing: ${result.reason}`);
  return { ok: true, provider, currency, diff: result.diff, replaced: !options.dryRun, version: result.version };
}

/** A provider of the platform and its cost list, null when it has none. */
export interface ProviderCostList {
  readonly provider: string;
  readonly list: StoredCostList | null;
}

/** Every provider of the platform (in `known`'s order) with its list, then any other provider that has a list. */
export async function providerCostLists(db: Db, known: readonly string[]): Promise<ProviderCostList[]> {
  const lists = new Map((await allCostLists(db)).map((list) => [list.provider, list]));
  const names = [...new Set([...known, ...lists.keys()])];
  return names.map((provider) => ({ provider, list: lists.get(provider) ?? null }));
}

/** The dashboard's operator calls: the lists, a preview of an import, the import, the export. */
export function providerCostServices(db: Db, known: readonly string[]) {
  const importing = async (
    fields: Fields,
    csv: string,
    dryRun: boolean,
  ): Promise<Outcome<CostImport & { ok: true }>> => {
    const provider = typeof fields.provider === 'string' ? fields.provider : '';
    const currency = typeof fields.currency === 'string' && fields.currency.trim() !== '' ? fields.currency : undefined;
    const result = await importCostList(db, known, provider, csv, {
      dryRun,
      ...(currency !== undefined && { currency }),
    });
    if (result.ok) return ok(result);
    const field =
      result.reason === 'unknown_provider' ? 'provider' : result.reason === 'unknown_currency' ? 'currency' : 'csv';
    return invalidOne(field, costImportProblem(result));
  };
  return {
    costLists: (): Promise<ProviderCostList[]> => providerCostLists(db, known),
    /** What importing the CSV would change, written nowhere. */
    previewCosts: (fields: Fields, csv: string) => importing(fields, csv, true),
    /** Replaces the provider's list with the CSV, all or nothing. */
    importCosts: (fields: Fields, csv: string) => importing(fields, csv, false),
    async exportCosts(
      fields: Fields,
    ): Promise<Outcome<{ readonly provider: string; readonly currency: string; readonly csv: string }>> {
      const provider = typeof fields.provider === 'string' ? fields.provider : '';
      const found = await costListCsv(db, provider);
      return found ? ok({ provider, ...found }) : notFound;
    },
  };
}

/** A provider's list as CSV in the format the import reads (null without a list): for the CLI's export. */
export { costListCsv } from '../store/provider-costs.js';
