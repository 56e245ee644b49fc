// Prepares a database for serving: schema, the country catalog, and on first start the platform's sample defaults.
import { readFileSync } from 'node:fs';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { parseRatesCsv } from '../domain/rates-csv.js';
import { syncCountries } from '../store/countries.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrations/migrate.js';
import { hasDefaultRates, hasDefaultSender } from '../store/platform-defaults.js';
import { replaceRates } from '../store/rates.js';
import { addSender } from '../store/senders.js';

export const SAMPLE_RATES_FILE = new URL('../../data/rates/sample-default-rates.csv', import.meta.url);
/** The platform-wide sender a new account can use at once. */
export const DEFAULT_SENDER = 'SMSgic';

export interface BootstrapReport {
  readonly migrations: readonly string[];
  readonly seededRates: number;
  readonly seededSender: string | null;
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
  let seededSender: string | null = null;
  if (!(await hasDefaultSender(db))) {
    await addSender(db, null, DEFAULT_SENDER, 'approved');
    seededSender = DEFAULT_SENDER;
  }
  return { migrations, seededRates, seededSender };
}
