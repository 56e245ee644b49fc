// `smsgic costs list | import PROVIDER FILE [--currency CUR] [--dry-run] | export PROVIDER`: providers' cost lists.
import { readFileSync } from 'node:fs';
import type { CostListDiff } from '../domain/cost-lists.js';
import { formatMinor } from '../domain/money.js';
import { isoFromUs } from '../domain/time.js';
import { costImportProblem, costListCsv, importCostList, providerCostLists } from '../services/provider-costs.js';
import type { Db } from '../store/db.js';
import { count, minuteUtc, NONE, table } from './print.js';

/** What a costs command prints, or what went wrong (`usage`: the command line itself). */
export type CostsOutcome =
  | { readonly json: Record<string, unknown>; readonly text: string; readonly raw?: boolean }
  | { readonly error: string; readonly usage: boolean };

export interface CostsOptions {
  readonly currency?: string;
  readonly dryRun: boolean;
}

/** Every provider this build knows, the sandbox first (imported when asked: the providers' code is large). */
async function knownProviders(): Promise<readonly string[]> {
  const { providerCatalog } = await import('../dispatch/registry.js');
  return providerCatalog({}).known;
}

function diffJson(diff: CostListDiff) {
  const row = (r: { mcc: string; mnc: string | null; costMinor: number }) => ({
    mcc: r.mcc,
    mnc: r.mnc ?? '',
    cost: formatMinor(r.costMinor),
  });
  return {
    currency_before: diff.currencyBefore,
    added: diff.added.map(row),
    removed: diff.removed.map(row),
    changed: diff.changed.map((c) => ({
      mcc: c.mcc,
      mnc: c.mnc ?? '',
      old: formatMinor(c.oldMinor),
      new: formatMinor(c.newMinor),
    })),
    unchanged: diff.unchanged,
  };
}

/** The diff for a person: one summary line, then a table of the rows that change. */
function diffText(provider: string, currency: string, diff: CostListDiff): string {
  const currencies =
    diff.currencyBefore === null
      ? `new list in ${currency}`
      : diff.currencyBefore === currency
        ? currency
        : `currency ${diff.currencyBefore} → ${currency}`;
  const summary = `Costs of ${provider} (${currencies}): ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged.`;
  const rows = [
    ...diff.added.map((r) => ['added', r.mcc, r.mnc ?? NONE, NONE, formatMinor(r.costMinor)]),
    ...diff.removed.map((r) => ['removed', r.mcc, r.mnc ?? NONE, formatMinor(r.costMinor), NONE]),
    ...diff.changed.map((c) => ['changed', c.mcc, c.mnc ?? NONE, formatMinor(c.oldMinor), formatMinor(c.newMinor)]),
  ];
  if (rows.length === 0) return summary;
  const columns = [
    { header: 'CHANGE' },
    { header: 'MCC' },
    { header: 'MNC' },
    { header: 'OLD', align: 'right' as const },
    { header: 'NEW', align: 'right' as const },
  ];
  return `${summary}\n${table(columns, rows)}`;
}

async function costsImport(args: readonly string[], options: CostsOptions, db: () => Promise<Db>) {
  const [provider, file] = args;
  if (provider === undefined || file === undefined) return { error: 'PROVIDER and FILE are required', usage: true };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `cannot read ${file}: ${(error as Error).message}`, usage: false };
  }
  const result = await importCostList(await db(), await knownProviders(), provider, text, {
    dryRun: options.dryRun,
    ...(options.currency !== undefined && { currency: options.currency }),
  });
  if (!result.ok) {
    const problem = costImportProblem(result);
    return { error: result.reason === 'csv' ? `${file} ${problem.replace(/^L/, 'l')}` : problem, usage: false };
  }
  const outcome = result.replaced
    ? `Replaced: the cost list of ${provider} is at version ${result.version}.`
    : 'Dry run: nothing was written.';
  return {
    json: {
      provider,
      currency: result.currency,
      replaced: result.replaced,
      version: result.version,
      ...diffJson(result.diff),
    },
    text: `${diffText(provider, result.currency, result.diff)}\n${outcome}`,
  };
}

async function costsList(db: () => Promise<Db>): Promise<CostsOutcome> {
  const lists = await providerCostLists(await db(), await knownProviders());
  const json = lists.map(({ provider, list }) => ({
    provider,
    currency: list?.currency ?? null,
    rows: list?.rows.length ?? 0,
    version: list?.version ?? 0,
    updated_at: list ? isoFromUs(list.updatedAtUs) : null,
  }));
  return {
    json: { lists: json },
    text: table(
      [
        { header: 'PROVIDER' },
        { header: 'CURRENCY' },
        { header: 'ROWS', align: 'right' },
        { header: 'VERSION', align: 'right' },
        { header: 'UPDATED (UTC)' },
      ],
      lists.map(({ provider, list }) =>
        list
          ? [provider, list.currency, count(list.rows.length, 'row'), String(list.version), minuteUtc(list.updatedAtUs)]
          : [provider, NONE, 'no list', NONE, NONE],
      ),
    ),
  };
}

async function costsExport(args: readonly string[], db: () => Promise<Db>): Promise<CostsOutcome> {
  const [provider] = args;
  if (provider === undefined) return { error: 'PROVIDER is required', usage: true };
  const known = await knownProviders();
  if (!known.includes(provider)) {
    return { error: `"${provider}" is not a provider of this platform (${known.join(', ')})`, usage: false };
  }
  const found = await costListCsv(await db(), provider);
  if (found === null) return { error: `${provider} has no cost list`, usage: false };
  return { json: { provider, currency: found.currency, csv: found.csv }, text: found.csv, raw: true };
}

export function costsCommand(
  sub: string | undefined,
  args: readonly string[],
  options: CostsOptions,
  db: () => Promise<Db>,
): Promise<CostsOutcome> {
  if (sub === 'import') return costsImport(args, options, db);
  if (sub === 'export') return costsExport(args, db);
  return costsList(db);
}
