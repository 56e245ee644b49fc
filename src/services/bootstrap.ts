// Prepares a database for serving: schema, the country catalog, and on first start the platform's sample defaults: the
// base default price list, a default list converted from it for every other currency with a shipped rate, a sender,
// and the sample cost lists of providers that have none.
import { readdirSync, readFileSync } from 'node:fs';
import { parseCostsCsv } from '../domain/cost-lists.js';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { PLATFORM_CURRENCY, parseConversionRates } from '../domain/price-lists.js';
import { parseRatesCsv } from '../domain/rates-csv.js';
import { syncCountries } from '../store/countries.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrations/migrate.js';
import { hasDefaultRates, hasDefaultSender } from '../store/platform-defaults.js';
import { seedCostList } from '../store/provider-costs.js';
import { recordConversion, replaceRates } from '../store/rates.js';
import { addSender } from '../store/senders.js';

export const SAMPLE_RATES_FILE = new URL('../../data/rates/sample-default-rates.csv', import.meta.url);
/** Sample conversion rates from the base currency, one per other account currency (header `currency,rate,date`). */
export const CONVERSION_RATES_FILE = new URL('../../data/rates/conversion-rates.csv', import.meta.url);
/** Sample cost lists, one `PROVIDER.csv` per provider (`mcc,mnc,cost[,currency]`). */
export const SAMPLE_COSTS_DIRECTORY = new URL('../../data/costs/', import.meta.url);
/** The platform-wide sender a new account can use at once. */
export const DEFAULT_SENDER = 'SMSgic';

export interface BootstrapReport {
  readonly migrations: readonly string[];
  readonly seededRates: number;
  /** Currencies whose default list was converted from the base list at this start. */
  readonly convertedLists: readonly string[];
  readonly seededSender: string | null;
  /** Providers whose sample cost list was imported at this start. */
  readonly seededCosts: readonly string[];
}

export async function bootstrap(db: Db, plan: NumberingPlan): Promise<BootstrapReport> {
  const migrations = await migrate(db);
  await syncCountries(db, plan.countries);
  let seededRates = 0;
  if (!(await hasDefaultRates(db))) {
    const parsed = parseRatesCsv(readFileSync(SAMPLE_RATES_FILE, 'utf8'));
    if (!parsed.ok) throw new Error(`sample rates line ${parsed.line}: ${parsed.message}`);
    const result = await replaceRates(db, null, parsed.rows);
    if (!result.ok) throw new Error(`sample rates refused: ${result.reason}`);
    seededRates = result.imported;
  }
  const convertedLists = await seedConvertedLists(db);
  let seededSender: string | null = null;
  if (!(await hasDefaultSender(db))) {
    await addSender(db, null, DEFAULT_SENDER, 'approved');
    seededSender = DEFAULT_SENDER;
  }
  const seededCosts = await seedCostLists(db);
  return { migrations, seededRates, convertedLists, seededSender, seededCosts };
}

/** Gives each provider with a shipped sample cost list and no list yet that list; one it has is left alone. */
async function seedCostLists(db: Db): Promise<string[]> {
  const seeded: string[] = [];
  const files = readdirSync(SAMPLE_COSTS_DIRECTORY).filter((name) => /^[a-z][a-z0-9_-]*\.csv$/.test(name));
  for (const file of files.sort()) {
    const provider = file.slice(0, -'.csv'.length);
    const parsed = parseCostsCsv(readFileSync(new URL(file, SAMPLE_COSTS_DIRECTORY), 'utf8'));
    if (!parsed.ok) throw new Error(`sample costs ${file} line ${parsed.line}: ${parsed.message}`);
    if (await seedCostList(db, provider, parsed.currency ?? PLATFORM_CURRENCY, parsed.rows)) seeded.push(provider);
  }
  return seeded;
}

/**
 * Gives each currency with a shipped conversion rate and no default list yet one converted from the base list. A
 * currency whose default list the operator imported, converted at another rate, or emptied is left alone.
 */
async function seedConvertedLists(db: Db): Promise<string[]> {
  const parsed = parseConversionRates(readFileSync(CONVERSION_RATES_FILE, 'utf8'));
  if (!parsed.ok) throw new Error(`conversion rates line ${parsed.line}: ${parsed.message}`);
  const converted: string[] = [];
  for (const [currency, conversion] of parsed.rates) {
    const result = await recordConversion(db, currency, conversion, { onlyIfAbsent: true });
    if (!result.ok) throw new Error(`conversion rate for ${currency} refused: ${result.reason}`);
    if (result.written) converted.push(currency);
  }
  return converted;
}
