// Customer accounts: currency, tax rate and the balance the ledger keeps.
import type { Selectable } from 'kysely';
import { type CountryList, countryListFrom, storedCountryList } from '../domain/destinations.js';
import { currencyOf, minorFrom } from '../domain/money.js';
import type { Db } from './db.js';
import type { AccountsTable } from './schema.js';
import { assertInt, intFrom, intOrNull } from './values.js';
import { newWebhookSecret } from './webhook-secrets.js';

export interface Account {
  readonly id: number;
  readonly name: string;
  readonly email: string | null;
  /** ISO 4217 code, one of domain/money's CURRENCIES. */
  readonly currency: string;
  /** Tax rate in millionths: 20% is 200000. */
  readonly taxRatePpm: number;
  readonly balanceMinor: number;
  /** Key of the HMAC-SHA256 signature on status callbacks. */
  readonly webhookSecret: string;
  readonly createdAtUs: number;
  /** When the account was suspended (its tokens and sessions refused); null while it is in good standing. */
  readonly suspendedAtUs: number | null;
  /** The countries (ISO 3166 alpha-2) the operator lets the account send to; null: every country. */
  readonly allowedCountries: CountryList;
  /** The customer's own choice among the allowed countries; null: all the operator allows. */
  readonly chosenCountries: CountryList;
  /** Caps on what sendings may take per UTC day and month, in minor units; null: no cap. */
  readonly dailySpendLimitMinor: number | null;
  readonly monthlySpendLimitMinor: number | null;
}

export interface NewAccount {
  readonly name: string;
  readonly email?: string | null;
  readonly currency: string;
  readonly taxRatePpm?: number;
}

export const TAX_RATE_PPM_MAX = 1_000_000;

function minorOrNull(value: Parameters<typeof minorFrom>[0] | null): number | null {
  return value === null ? null : minorFrom(value);
}

export function accountFromRow(row: Selectable<AccountsTable>): Account {
  return {
    id: intFrom(row.id),
    name: row.name,
    email: row.email,
    currency: row.currency,
    taxRatePpm: row.tax_rate_ppm,
    balanceMinor: minorFrom(row.balance_minor),
    webhookSecret: row.webhook_secret,
    createdAtUs: intFrom(row.created_at_us),
    suspendedAtUs: intOrNull(row.suspended_at_us),
    // `?? null`: a row read before migration 0017 (an upgrade in progress, or a test of an older migration) has none.
    allowedCountries: countryListFrom(row.allowed_countries ?? null),
    chosenCountries: countryListFrom(row.chosen_countries ?? null),
    dailySpendLimitMinor: minorOrNull(row.daily_spend_limit_minor ?? null),
    monthlySpendLimitMinor: minorOrNull(row.monthly_spend_limit_minor ?? null),
  };
}

/** Opens an account with a zero balance. The caller has validated the input (CLI and dashboard parse it first). */
export async function createAccount(db: Db, input: NewAccount): Promise<Account> {
  if (input.name.trim() === '') throw new RangeError('account name is empty');
  if (currencyOf(input.currency) === undefined) throw new RangeError(`unknown currency ${input.currency}`);
  const taxRatePpm = input.taxRatePpm ?? 0;
  assertInt(taxRatePpm, 'taxRatePpm', 0);
  if (taxRatePpm > TAX_RATE_PPM_MAX) throw new RangeError(`taxRatePpm must be at most ${TAX_RATE_PPM_MAX}`);
  const nowUs = db.nowUs();
  // Every write goes through a transaction: on SQLite that is what waits for the write lock without blocking.
  const row = await db.transaction((trx) =>
    trx
      .insertInto('accounts')
      .values({
        name: input.name,
        email: input.email ?? null,
        currency: input.currency,
        tax_rate_ppm: taxRatePpm,
        balance_minor: 0,
        webhook_secret: newWebhookSecret(),
        created_at_us: nowUs,
        updated_at_us: nowUs,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return accountFromRow(row);
}

export async function getAccount(db: Db, accountId: number): Promise<Account | undefined> {
  const row = await db.kysely.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  return row && accountFromRow(row);
}

/** Every account, oldest first: an operator listing. */
export async function listAccounts(db: Db): Promise<Account[]> {
  const rows = await db.kysely.selectFrom('accounts').selectAll().orderBy('id').execute();
  return rows.map(accountFromRow);
}

/** Changes an account's tax rate (millionths); sendings priced from now on are taxed at it. False: no such account. */
export async function setAccountTaxRate(db: Db, accountId: number, taxRatePpm: number): Promise<boolean> {
  assertInt(taxRatePpm, 'taxRatePpm', 0);
  if (taxRatePpm > TAX_RATE_PPM_MAX) throw new RangeError(`taxRatePpm must be at most ${TAX_RATE_PPM_MAX}`);
  const nowUs = db.nowUs();
  const result = await db.transaction((trx) =>
    trx
      .updateTable('accounts')
      .set({ tax_rate_ppm: taxRatePpm, updated_at_us: nowUs })
      .where('id', '=', accountId)
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}

/**
 * Changes which countries an account sends to: `allowed` (the operator's list) and/or `chosen` (the customer's
 * choice), each a list of ISO codes or null for all; a field left undefined keeps its value. Read by the next request
 * of every token and session (they read the account with each request). False: no such account.
 */
export async function setAccountCountries(
  db: Db,
  accountId: number,
  change: { readonly allowed?: CountryList; readonly chosen?: CountryList },
): Promise<boolean> {
  const nowUs = db.nowUs();
  const result = await db.transaction((trx) =>
    trx
      .updateTable('accounts')
      .set({
        ...(change.allowed !== undefined && { allowed_countries: storedCountryList(change.allowed) }),
        ...(change.chosen !== undefined && { chosen_countries: storedCountryList(change.chosen) }),
        updated_at_us: nowUs,
      })
      .where('id', '=', accountId)
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}

/** Where the account's received messages are POSTed; null: nowhere; undefined: no such account. */
export async function getInboundUrl(db: Db, accountId: number): Promise<string | null | undefined> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select('inbound_url')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row === undefined ? undefined : row.inbound_url;
}

/** Sets (or, with null, clears) the account's inbound_url; false when there is no such account. */
export async function setInboundUrl(db: Db, accountId: number, url: string | null): Promise<boolean> {
  const nowUs = db.nowUs();
  const result = await db.transaction((trx) =>
    trx
      .updateTable('accounts')
      .set({ inbound_url: url, updated_at_us: nowUs })
      .where('id', '=', accountId)
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}
