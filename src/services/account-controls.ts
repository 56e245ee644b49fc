// The controls on an account's money: which countries it sends to (the operator's list and the customer's choice
// within it). One home for the rules, used by the CLI, the operator's pages and the customer's Settings.
import { type CountryList, effectiveCountries, isCountryCode, normalisedCountryList } from '../domain/destinations.js';
import { formatMinor, MoneyError, parseMoney } from '../domain/money.js';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { type Account, getAccount, setAccountCountries } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import { setSpendLimits } from '../store/spend-limits.js';
import type { Actor, UseCaseContext } from './context.js';
import { invalid, invalidOne, notFound, type Outcome, ok } from './outcome.js';

/** A country as the settings show it. */
export interface CountryChoice {
  readonly iso: string;
  readonly name: string;
}

/** What an account's countries are: the operator's list, the customer's choice and the countries it sends to. */
export interface AccountCountries {
  /** null: every country. */
  readonly allowed: readonly CountryChoice[] | null;
  readonly chosen: readonly CountryChoice[] | null;
  readonly effective: readonly CountryChoice[] | null;
}

function choices(plan: NumberingPlan, list: CountryList): readonly CountryChoice[] | null {
  if (list === null) return null;
  return list.map((iso) => ({ iso, name: plan.countryByIso(iso)?.name ?? iso }));
}

export function accountCountries(plan: NumberingPlan, account: Account): AccountCountries {
  return {
    allowed: choices(plan, account.allowedCountries),
    chosen: choices(plan, account.chosenCountries),
    effective: choices(plan, effectiveCountries(account.allowedCountries, account.chosenCountries)),
  };
}

/**
 * A list of countries as written: "all" (every country), or ISO 3166 alpha-2 codes separated by commas or spaces
 * ("LV, ee"), each a country of the numbering plan. Errors under `field`.
 */
export function readCountryList(
  plan: NumberingPlan,
  value: unknown,
  field: string,
): { readonly ok: true; readonly list: CountryList } | { readonly ok: false; readonly errors: ValidationErrors } {
  if (value === null || (typeof value === 'string' && value.trim().toLowerCase() === 'all')) {
    return { ok: true, list: null };
  }
  const items = typeof value === 'string' ? value.split(/[\s,]+/).filter((s) => s !== '') : value;
  const errors = new ValidationErrors();
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    return { ok: false, errors: errors.add(field, ruleText.countryList(field)) };
  }
  const unknown = (items as string[]).filter((iso) => !isCountryCode(iso) || !plan.countryByIso(iso.toUpperCase()));
  if (unknown.length > 0) {
    return { ok: false, errors: errors.add(field, ruleText.notCountryCodes(unknown)) };
  }
  return { ok: true, list: normalisedCountryList(items as string[]) };
}

/** The operator's list of the countries an account may send to ("all" or codes). */
export async function setAllowedCountries(
  db: Db,
  plan: NumberingPlan,
  accountId: number,
  value: unknown,
): Promise<Outcome<AccountCountries>> {
  const read = readCountryList(plan, value, 'countries');
  if (!read.ok) return invalid(read.errors);
  if (!(await setAccountCountries(db, accountId, { allowed: read.list }))) return notFound;
  const account = await getAccount(db, accountId);
  return account ? ok(accountCountries(plan, account)) : notFound;
}

/** The customer's choice of countries ("all" or codes), each among those the operator allows. */
export async function chooseCountries(
  db: Db,
  plan: NumberingPlan,
  account: Account,
  value: unknown,
): Promise<Outcome<AccountCountries>> {
  const read = readCountryList(plan, value, 'countries');
  if (!read.ok) return invalid(read.errors);
  const allowed = account.allowedCountries;
  if (read.list !== null && allowed !== null) {
    const outside = read.list.filter((iso) => !allowed.includes(iso));
    if (outside.length > 0) {
      return invalidOne('countries', ruleText.countriesNotAllowed(outside));
    }
  }
  if (!(await setAccountCountries(db, account.id, { chosen: read.list }))) return notFound;
  const changed = await getAccount(db, account.id);
  return changed ? ok(accountCountries(plan, changed)) : notFound;
}

/** An account's spend caps as the settings show them: decimal amounts in its currency, null for no cap. */
export interface SpendLimits {
  readonly daily: string | null;
  readonly monthly: string | null;
}

function spendLimitsOf(account: Account): SpendLimits {
  const shown = (minor: number | null) => (minor === null ? null : formatMinor(minor));
  return { daily: shown(account.dailySpendLimitMinor), monthly: shown(account.monthlySpendLimitMinor) };
}

/** A cap as written: absent keeps it, empty, null or "none" clears it, else a decimal amount of 0 or more. */
function readSpendLimit(fields: Readonly<Record<string, unknown>>, field: string, errors: ValidationErrors) {
  const value = fields[field];
  if (value === undefined) return undefined;
  if (value === null || (typeof value === 'string' && ['', 'none'].includes(value.trim().toLowerCase()))) return null;
  if (typeof value === 'string' || typeof value === 'number') {
    try {
      const minor = parseMoney(String(value).trim());
      if (minor >= 0) return minor;
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
    }
  }
  errors.add(field, ruleText.spendLimitAmount(field));
  return undefined;
}

/** Changes an account's caps from the fields `daily` and `monthly` (either may be left out). */
export async function changeSpendLimitsFrom(
  db: Db,
  accountId: number,
  fields: Readonly<Record<string, unknown>>,
): Promise<Outcome<SpendLimits>> {
  const errors = new ValidationErrors();
  const dailyMinor = readSpendLimit(fields, 'daily', errors);
  const monthlyMinor = readSpendLimit(fields, 'monthly', errors);
  if (!errors.empty) return invalid(errors);
  const limits = {
    ...(dailyMinor !== undefined && { dailyMinor }),
    ...(monthlyMinor !== undefined && { monthlyMinor }),
  };
  if (!(await changeSpendLimits(db, accountId, limits))) return notFound;
  const account = await getAccount(db, accountId);
  return account ? ok(spendLimitsOf(account)) : notFound;
}

/** The signed-in account's own countries: the actor names the account, no request field does. */
export function createAccountControlServices({ deps: { db, plan } }: UseCaseContext) {
  return {
    async countries(actor: Actor): Promise<Outcome<AccountCountries>> {
      return ok(accountCountries(plan, actor.account));
    },

    /** `countries`: "all" (every country the operator allows) or ISO codes among them. */
    chooseCountries(actor: Actor, fields: Readonly<Record<string, unknown>>): Promise<Outcome<AccountCountries>> {
      return chooseCountries(db, plan, actor.account, fields.countries ?? null);
    },

    async spendLimits(actor: Actor): Promise<Outcome<SpendLimits>> {
      return ok(spendLimitsOf(actor.account));
    },

    changeSpendLimits(actor: Actor, fields: Readonly<Record<string, unknown>>): Promise<Outcome<SpendLimits>> {
      return changeSpendLimitsFrom(db, actor.account.id, fields);
    },

    /** What the operator sees of any account's controls: its countries and its caps. */
    async accountControls(accountId: number): Promise<Outcome<{ countries: AccountCountries; limits: SpendLimits }>> {
      const account = await getAccount(db, accountId);
      return account ? ok({ countries: accountCountries(plan, account), limits: spendLimitsOf(account) }) : notFound;
    },

    /** The operator's caps for any account. */
    setAccountSpendLimits(accountId: number, fields: Readonly<Record<string, unknown>>) {
      return changeSpendLimitsFrom(db, accountId, fields);
    },

    /** The operator's list for any account: `countries`, "all" or ISO codes. */
    allowCountries(accountId: number, fields: Readonly<Record<string, unknown>>): Promise<Outcome<AccountCountries>> {
      return setAllowedCountries(db, plan, accountId, fields.countries ?? null);
    },
  };
}

/** Sets or clears (null) an account's daily and monthly spend caps, in its minor units; undefined keeps one. */
export async function changeSpendLimits(
  db: Db,
  accountId: number,
  limits: { readonly dailyMinor?: number | null; readonly monthlyMinor?: number | null },
): Promise<boolean> {
  for (const cap of [limits.dailyMinor, limits.monthlyMinor]) {
    if (cap !== undefined && cap !== null && (!Number.isSafeInteger(cap) || cap < 0)) {
      throw new RangeError('a spend limit is a whole number of minor units, 0 or more');
    }
  }
  return db.transaction((trx) => setSpendLimits(trx, db.nowUs(), accountId, limits));
}
