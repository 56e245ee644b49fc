// What the operator does to the platform: accounts (credit, debit, suspend), sender reviews, price lists, and the
// view of providers and traffic.
import { isEmailAddress } from '../domain/email.js';
import { EMAIL_CHARS_MAX } from '../domain/limits.js';
import { CURRENCIES, formatMinor } from '../domain/money.js';
import { parseMoneyInput } from '../domain/money-input.js';
import {
  accountCurrencies,
  type Conversion,
  isAccountCurrency,
  isCalendarDate,
  PLATFORM_CURRENCY,
  parseConversionRate,
  type RateListDiff,
} from '../domain/price-lists.js';
import { formatRatesCsv, parseRatesCsv } from '../domain/rates-csv.js';
import { renderText, ruleText, SERVER_TEXTS, TEXTS, ValidationErrors } from '../domain/texts.js';
import {
  type Account,
  createAccount,
  getAccount,
  listAccounts,
  setAccountTaxRate,
  TAX_RATE_PPM_MAX,
} from '../store/accounts.js';
import {
  type AdminAccount,
  getAccountForAdmin,
  listAccountsForAdmin,
  type ProviderActivity,
  providerActivity,
  setAccountSuspended,
  US_PER_DAY,
  type VolumeRow,
  volumeByDay,
} from '../store/admin-views.js';
import { DASHBOARD_PER_PAGE_MAX } from '../store/campaigns.js';
import type { Db } from '../store/db.js';
import type { NewInvitation } from '../store/invitations.js';
import { type CreditResult, credit, type DebitResult, debit } from '../store/ledger.js';
import {
  type ListedRate,
  type PriceListSummary,
  previewRates,
  priceList,
  priceListSummaries,
  type RateListRef,
  recordConversion,
  replaceRates,
} from '../store/rates.js';
import { listSendersForReview, type ReviewedSender, reviewSender } from '../store/sender-reviews.js';
import type { SenderStatus } from '../store/senders.js';
import { US_PER_MS } from '../store/time.js';
import { type CreateUserResult, createAdmin, isOperatorAccount, listAdmins, type User } from '../store/users.js';
import type { UseCaseContext } from './context.js';
import {
  type Fields,
  intField,
  isBlank,
  oneOfField,
  type PageOf,
  pageField,
  pageOf,
  textField,
} from './form-fields.js';
import { inviteToAccount } from './invitations.js';
import { invalid, invalidOne, notFound, type Outcome, ok } from './outcome.js';
import { hashPassword } from './passwords.js';
import { providerCostServices } from './provider-costs.js';

const SEARCH_CHARS_MAX = 255;
const NAME_CHARS_MAX = 255;
/** The ledger note of an account's opening credit. */
export const OPENING_CREDIT_NOTE = 'Opening credit';
const NOTE_CHARS_MAX = 500;
const VOLUME_DAYS_DEFAULT = 30;
const VOLUME_DAYS_MAX = 366;
const PROVIDER_WINDOW_MS = 60 * 60 * 1000;
const SENDER_STATUSES: readonly SenderStatus[] = ['approved', 'pending', 'rejected'];

/** A provider the platform knows, and what it did within the last hour (nothing when it was idle). */
export interface ProviderHealth {
  readonly name: string;
  readonly configured: boolean;
  readonly activity: ProviderActivity | undefined;
}

/** A signed amount of money as typed (`parseMoneyInput`): positive credits, negative debits; zero is refused. */
function amountField(fields: Fields, errors: ValidationErrors): number | undefined {
  const raw = fields.amount;
  if (isBlank(raw)) {
    errors.add('amount', ruleText.required('amount'));
    return undefined;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    errors.add('amount', ruleText.string('amount'));
    return undefined;
  }
  const amount = parseMoneyInput(String(raw));
  if (!amount.ok) {
    errors.add('amount', amount.message);
    return undefined;
  }
  if (amount.minor === 0) errors.add('amount', ruleText.notZero('amount'));
  return amount.minor;
}

/** A tax rate typed as a percentage ("20", "20,5", "7.125"): 0 to 100 with at most four decimals, in millionths. */
function taxRateField(fields: Fields, errors: ValidationErrors, required: boolean): number | undefined {
  const raw = fields.tax_rate;
  if (isBlank(raw)) {
    if (required) errors.add('tax_rate', ruleText.required('tax_rate'));
    return undefined;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    errors.add('tax_rate', ruleText.string('tax_rate'));
    return undefined;
  }
  // p percent is p * 10^4 millionths: the same digits as an amount with four decimals.
  const parsed = parseMoneyInput(String(raw));
  if (!parsed.ok) {
    errors.add('tax_rate', parsed.message);
    return undefined;
  }
  if (parsed.minor < 0 || parsed.minor > TAX_RATE_PPM_MAX) {
    errors.add('tax_rate', ruleText.percentage('tax_rate'));
    return undefined;
  }
  return parsed.minor;
}

/** An optional opening credit: a positive amount. */
function openingCreditField(fields: Fields, errors: ValidationErrors): number | undefined {
  const raw = fields.opening_credit;
  if (isBlank(raw)) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    errors.add('opening_credit', ruleText.string('opening_credit'));
    return undefined;
  }
  const parsed = parseMoneyInput(String(raw));
  if (!parsed.ok) errors.add('opening_credit', parsed.message);
  else if (parsed.minor <= 0) errors.add('opening_credit', ruleText.positive('opening_credit'));
  return parsed.ok && parsed.minor > 0 ? parsed.minor : undefined;
}

export interface NewCustomerAccount {
  readonly name: string;
  /** Its owner's email, kept on the account; no user is made (its owner has no password yet). */
  readonly email: string | null;
  /** One of domain/money's CURRENCIES. */
  readonly currency: string;
  readonly taxRatePpm: number;
  /** Credited at once, with the note `Opening credit`, when given. */
  readonly openingCreditMinor?: number;
}

/**
 * Opens a customer account, as `smsgic account create` and the operator's dashboard do: a zero balance, then the
 * opening credit if any, as one ledger entry.
 */
export async function openCustomerAccount(db: Db, input: NewCustomerAccount): Promise<Account> {
  const account = await createAccount(db, {
    name: input.name,
    email: input.email,
    currency: input.currency,
    taxRatePpm: input.taxRatePpm,
  });
  if (input.openingCreditMinor === undefined) return account;
  const credited = await credit(db, account.id, input.openingCreditMinor, OPENING_CREDIT_NOTE);
  if (!credited.ok) throw new Error(`opening credit of account ${account.id} refused: ${credited.reason}`);
  return (await getAccount(db, account.id)) ?? account;
}

/** The operator's new account as typed: name and currency required, the rest optional. */
function newAccountFields(fields: Fields): Outcome<NewCustomerAccount> {
  const errors = new ValidationErrors();
  const name = textField(fields, 'name', errors, { required: true, max: NAME_CHARS_MAX })?.trim();
  const currency = textField(fields, 'currency', errors, { required: true })?.trim().toUpperCase();
  if (currency !== undefined && !Object.hasOwn(CURRENCIES, currency)) {
    errors.add('currency', ruleText.selectedInvalid('currency'));
  }
  const email = textField(fields, 'email', errors, { max: EMAIL_CHARS_MAX })?.trim();
  if (email && !isEmailAddress(email)) errors.add('email', ruleText.email('email'));
  const taxRatePpm = taxRateField(fields, errors, false) ?? 0;
  const openingCreditMinor = openingCreditField(fields, errors);
  if (!errors.empty || !name || !currency) return invalid(errors);
  return ok({
    name,
    email: email || null,
    currency,
    taxRatePpm,
    ...(openingCreditMinor !== undefined && { openingCreditMinor }),
  });
}

/** One account, customer or operator; undefined when there is none of that id. */
export function findAccount(db: Db, accountId: number): Promise<Account | undefined> {
  return getAccount(db, accountId);
}

/** Every account, oldest first (`smsgic account list`). */
export function allAccounts(db: Db): Promise<Account[]> {
  return listAccounts(db);
}

/** Every default list (one per currency) and the accounts' own lists that price their account (`smsgic rates list`). */
export function allPriceLists(db: Db): Promise<PriceListSummary[]> {
  return priceListSummaries(db);
}

/** The platform's operators (admins), oldest first. */
export function operators(db: Db): Promise<User[]> {
  return listAdmins(db);
}

/**
 * Adds a platform operator with this password (only its hash is kept), in the operator account, opened with the
 * first one; refused when a user has the email already.
 */
export async function addOperator(
  db: Db,
  email: string,
  password: string,
): Promise<CreateUserResult & { readonly accountCreated?: boolean }> {
  return createAdmin(db, { email, passwordHash: await hashPassword(password) });
}

/** A price list as CSV in the format `importPriceList` reads: an account's own list, or the default (`accountId` null). */
export async function priceListCsv(db: Db, list: RateListRef): Promise<string> {
  return formatRatesCsv(await priceList(db, list));
}

/** An account's own list (in its currency), or the default list of `currency` (the base one when absent); null when
 * the account does not exist. */
export async function priceListRef(
  db: Db,
  accountId: number | null,
  currency: string | undefined,
): Promise<RateListRef | null> {
  if (accountId === null) return { owner: 0, currency: currency ?? PLATFORM_CURRENCY };
  const account = await getAccount(db, accountId);
  return account ? { owner: accountId, currency: account.currency } : null;
}

/** Sets an account's tax rate: sendings priced from now on are taxed at it; those stored keep their tax. */
export function changeTaxRate(db: Db, accountId: number, taxRatePpm: number): Promise<boolean> {
  return setAccountTaxRate(db, accountId, taxRatePpm);
}

/** Credits a positive amount, debits a negative one: the balance never goes below zero nor over its ceiling. */
export function adjustBalance(
  db: Db,
  accountId: number,
  amountMinor: number,
  note: string | undefined,
): Promise<CreditResult | DebitResult> {
  return amountMinor > 0 ? credit(db, accountId, amountMinor, note) : debit(db, accountId, -amountMinor, note);
}

export type PriceListImport =
  | {
      readonly ok: true;
      readonly imported: number;
      readonly currency: string;
      /** What the import changed in the list, or would change on a dry run. */
      readonly diff: RateListDiff;
      /** Nothing was written: the diff is what the import would do. */
      readonly dryRun: boolean;
    }
  | { readonly ok: false; readonly reason: 'csv'; readonly line: number; readonly message: string }
  | { readonly ok: false; readonly reason: 'empty_default' }
  | { readonly ok: false; readonly reason: 'account_not_found' }
  /** The list is stated in a currency other than the account's. */
  | {
      readonly ok: false;
      readonly reason: 'currency_mismatch';
      readonly listCurrency: string;
      readonly accountCurrency: string;
    }
  /** The CSV and the caller state two different currencies. */
  | { readonly ok: false; readonly reason: 'currency_conflict'; readonly stated: string; readonly given: string }
  | { readonly ok: false; readonly reason: 'unknown_currency'; readonly currency: string };

/** What an import that failed says, in words (the CLI and the dashboard show the same). */
export function priceListImportProblem(result: Exclude<PriceListImport, { ok: true }>): string {
  switch (result.reason) {
    case 'csv':
      return ruleText.csvLine(result.line, result.message);
    case 'empty_default':
      return SERVER_TEXTS.priceListEmptyDefault;
    case 'account_not_found':
      return TEXTS.notFound;
    case 'currency_mismatch':
      return ruleText.priceListCurrency(result.listCurrency, result.accountCurrency);
    case 'currency_conflict':
      return renderText('priceListCurrencyConflict', { stated: result.stated, given: result.given });
    case 'unknown_currency':
      return renderText('priceListUnknownCurrency', { currency: result.currency });
  }
}

/**
 * Replaces an account's price list, or a platform default list (`accountId` null), from CSV (`mcc,mnc,rate`, with an
 * optional `currency` column), all or nothing. The currency is the one the CSV or `options.currency` states, else the
 * account's (for a default list: the base currency); an account's list in another currency is refused. A default list
 * is never emptied: without one, every start would put the sample list back. A dry run checks the same and tells the
 * diff without writing.
 */
export async function importPriceList(
  db: Db,
  accountId: number | null,
  csv: string,
  options: { readonly currency?: string; readonly dryRun?: boolean } = {},
): Promise<PriceListImport> {
  const given = options.currency?.trim().toUpperCase();
  if (given !== undefined && !isAccountCurrency(given))
    return { ok: false, reason: 'unknown_currency', currency: given };
  const parsed = parseRatesCsv(csv);
  if (!parsed.ok) return { ok: false, reason: 'csv', line: parsed.line, message: parsed.message };
  if (given !== undefined && parsed.currency !== null && parsed.currency !== given) {
    return { ok: false, reason: 'currency_conflict', stated: parsed.currency, given };
  }
  const stated = parsed.currency ?? given;
  if (accountId === null && parsed.rows.length === 0) return { ok: false, reason: 'empty_default' };
  const dryRun = options.dryRun === true;
  const write = dryRun ? previewRates : replaceRates;
  const result = await write(db, accountId, parsed.rows, stated === undefined ? {} : { currency: stated });
  if (result.ok) {
    const account = accountId === null ? null : await getAccount(db, accountId);
    const currency = account?.currency ?? stated ?? PLATFORM_CURRENCY;
    return { ok: true, imported: result.imported, currency, diff: result.diff, dryRun };
  }
  if (result.reason === 'account_not_found') return result;
  if (result.reason === 'currency_mismatch') {
    return {
      ok: false,
      reason: 'currency_mismatch',
      listCurrency: stated ?? '',
      accountCurrency: result.accountCurrency,
    };
  }
  // parseRatesCsv refuses what replaceRates would: reaching here is a disagreement between the two.
  throw new Error(`rates refused after parsing: ${result.reason}`);
}

export type ConversionRecorded =
  | { readonly ok: true; readonly currency: string; readonly imported: number; readonly conversion: Conversion }
  | { readonly ok: false; readonly problem: string };

/**
 * Records the rate a currency's default list is converted at (1 base unit = RATE units, quoted on DATE) and converts
 * the base default list into it, each price rounded up.
 */
export async function convertDefaultList(
  db: Db,
  currencyText: string,
  rateText: string,
  rateDate: string,
): Promise<ConversionRecorded> {
  const currency = currencyText.trim().toUpperCase();
  const ratePpm = parseConversionRate(rateText);
  if (ratePpm === null)
    return { ok: false, problem: `RATE "${rateText}" is not a positive decimal (6 decimals at most)` };
  if (!isCalendarDate(rateDate)) return { ok: false, problem: `the date "${rateDate}" is not a day YYYY-MM-DD` };
  const result = await recordConversion(db, currency, { ratePpm, rateDate });
  if (result.ok) {
    return {
      ok: true,
      currency,
      imported: result.imported,
      conversion: { baseCurrency: PLATFORM_CURRENCY, ratePpm, rateDate },
    };
  }
  if (result.reason === 'base_currency') {
    return { ok: false, problem: `${currency} is the base currency: its list is imported, not converted` };
  }
  if (result.reason === 'unknown_currency') {
    return { ok: false, problem: `${currency} is not a currency an account can have` };
  }
  throw new Error(`conversion refused after checking: ${result.reason}`);
}

/** The operator's price-list use cases: read, export, list and import the default lists and accounts' own. */
function priceListServices(db: Db) {
  return {
    /**
     * An account's own price list, or without `account_id` the platform default list of `currency` (the base
     * currency's when absent).
     */
    async rates(fields: Fields): Promise<Outcome<readonly ListedRate[]>> {
      const errors = new ValidationErrors();
      const accountId = intField(fields, 'account_id', errors);
      const currency = oneOfField(fields, 'currency', accountCurrencies(), errors);
      if (!errors.empty) return invalid(errors);
      if (accountId !== undefined) {
        const account = await getAccount(db, accountId);
        if (!account) return notFound;
        return ok(await priceList(db, { owner: accountId, currency: account.currency }));
      }
      return ok(await priceList(db, { owner: 0, currency: currency ?? PLATFORM_CURRENCY }));
    },

    /**
     * A price list as CSV, in the format `importRates` reads back: an account's own list, else the default list of
     * `currency` (the base currency's when absent).
     */
    async exportRates(
      fields: Fields,
    ): Promise<Outcome<{ readonly accountId: number | null; readonly currency: string; readonly csv: string }>> {
      const errors = new ValidationErrors();
      const accountId = intField(fields, 'account_id', errors);
      const currency = oneOfField(fields, 'currency', accountCurrencies(), errors);
      if (!errors.empty) return invalid(errors);
      const list = await priceListRef(db, accountId ?? null, currency);
      if (list === null) return notFound;
      return ok({ accountId: accountId ?? null, currency: list.currency, csv: await priceListCsv(db, list) });
    },

    /** The default lists (one per currency: source, and the rate and date of a converted one), and an account's own. */
    async priceLists(fields: Fields): Promise<Outcome<readonly PriceListSummary[]>> {
      const errors = new ValidationErrors();
      const accountId = intField(fields, 'account_id', errors);
      if (!errors.empty) return invalid(errors);
      return ok(await priceListSummaries(db, accountId === undefined ? {} : { accountId }));
    },

    /**
     * Replaces a price list from CSV (`mcc,mnc,rate`, optionally `currency`), all or nothing, as `smsgic rates import`
     * does; `currency` names the default list to replace (the base one when absent). With `dry_run=true` nothing is
     * written: the answer is the diff the import would apply.
     */
    async importRates(
      fields: Fields,
      csv: string,
    ): Promise<
      Outcome<{
        readonly imported: number;
        readonly currency: string;
        readonly diff: RateListDiff;
        readonly dryRun: boolean;
      }>
    > {
      const errors = new ValidationErrors();
      const accountId = intField(fields, 'account_id', errors);
      const currency = oneOfField(fields, 'currency', accountCurrencies(), errors);
      const dryRun = oneOfField(fields, 'dry_run', ['true', 'false'], errors) === 'true';
      if (!errors.empty) return invalid(errors);
      if (accountId !== undefined && !(await getAccount(db, accountId))) return notFound;
      const result = await importPriceList(db, accountId ?? null, csv, {
        dryRun,
        ...(currency === undefined ? {} : { currency }),
      });
      if (!result.ok) {
        if (result.reason === 'account_not_found') return notFound;
        return invalidOne('csv', priceListImportProblem(result));
      }
      return ok({ imported: result.imported, currency: result.currency, diff: result.diff, dryRun: result.dryRun });
    },
  };
}

export function createOperatorServices({ deps }: UseCaseContext) {
  const { db } = deps;

  async function accountOrNotFound(accountId: number): Promise<Outcome<AdminAccount>> {
    const account = await getAccountForAdmin(db, accountId);
    return account ? ok(account) : notFound;
  }

  return {
    async accounts(fields: Fields): Promise<Outcome<PageOf<AdminAccount>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const search = textField(fields, 'search', errors, { max: SEARCH_CHARS_MAX });
      if (!errors.empty) return invalid(errors);
      const found = await listAccountsForAdmin(db, {
        ...page,
        perPageMax: DASHBOARD_PER_PAGE_MAX,
        ...(search !== undefined && { search }),
      });
      return ok(pageOf(found.rows, page, found.total));
    },

    /** Opens a customer account (name, currency, tax rate, optional owner email and opening credit). */
    async createAccount(fields: Fields): Promise<Outcome<AdminAccount>> {
      const read = newAccountFields(fields);
      if (!read.ok) return read;
      const account = await openCustomerAccount(db, read.value);
      return accountOrNotFound(account.id);
    },
    /** Invites someone (the account's email when none is given) to a customer account; `by` is the operator. */
    invite(accountId: number, fields: Fields, by: string): Promise<Outcome<NewInvitation>> {
      return inviteToAccount(db, accountId, fields, by);
    },
    /** Changes an account's tax rate (a percentage, up to four decimals). */
    async setTaxRate(accountId: number, fields: Fields): Promise<Outcome<AdminAccount>> {
      const errors = new ValidationErrors();
      const taxRatePpm = taxRateField(fields, errors, true);
      if (!errors.empty || taxRatePpm === undefined) return invalid(errors);
      if (!(await changeTaxRate(db, accountId, taxRatePpm))) return notFound;
      return accountOrNotFound(accountId);
    },

    /** A positive amount credits the account, a negative one debits it (never below zero). */
    async credit(accountId: number, fields: Fields): Promise<Outcome<AdminAccount>> {
      const errors = new ValidationErrors();
      const amountMinor = amountField(fields, errors);
      const note = textField(fields, 'note', errors, { max: NOTE_CHARS_MAX });
      if (!errors.empty || amountMinor === undefined) return invalid(errors);
      if (!(await getAccount(db, accountId))) return notFound;
      const result = await adjustBalance(db, accountId, amountMinor, note);
      if (!result.ok) {
        if (result.reason === 'account_not_found') return notFound;
        if (result.reason === 'insufficient_balance') return invalidOne('amount', TEXTS.insufficientBalance);
        if (result.reason === 'balance_ceiling') {
          return invalidOne('amount', ruleText.balanceCeiling(formatMinor(result.ceilingMinor)));
        }
        return invalidOne('amount', ruleText.formatInvalid('amount'));
      }
      return accountOrNotFound(accountId);
    },

    async suspend(accountId: number, fields: Fields): Promise<Outcome<AdminAccount>> {
      const suspended = fields.suspended;
      if (typeof suspended !== 'boolean') {
        return invalidOne(
          'suspended',
          suspended === undefined ? ruleText.required('suspended') : ruleText.boolean('suspended'),
        );
      }
      // Suspending the operators' own account would lock every operator out, with no one left to reinstate it.
      if (suspended && (await isOperatorAccount(db, accountId))) {
        return invalidOne('suspended', TEXTS.operatorAccountNotSuspendable);
      }
      if (!(await setAccountSuspended(db, accountId, suspended))) return notFound;
      return accountOrNotFound(accountId);
    },

    async senders(fields: Fields): Promise<Outcome<PageOf<ReviewedSender>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const status = oneOfField(fields, 'status', SENDER_STATUSES, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listSendersForReview(db, {
        ...page,
        perPageMax: DASHBOARD_PER_PAGE_MAX,
        ...(status !== undefined && { status }),
      });
      return ok(pageOf(found.rows, page, found.total));
    },

    async reviewSender(senderId: number, status: 'approved' | 'rejected'): Promise<Outcome<ReviewedSender>> {
      const sender = await reviewSender(db, senderId, status);
      return sender ? ok(sender) : notFound;
    },

    ...priceListServices(db),
    ...providerCostServices(db, deps.providers?.known ?? []),

    /** Every provider the platform knows, with what it did within the last hour. */
    async providers(): Promise<ProviderHealth[]> {
      const sinceUs = db.nowUs() - PROVIDER_WINDOW_MS * US_PER_MS;
      const activity = new Map((await providerActivity(db, sinceUs)).map((a) => [a.provider, a]));
      const known = deps.providers?.known ?? [];
      const configured = deps.providers?.configured ?? new Set<string>();
      const names = [...known, ...[...activity.keys()].sort()];
      return [...new Set(names)].map((name) => ({
        name,
        configured: configured.has(name),
        activity: activity.get(name),
      }));
    },

    /** One row per UTC day, oldest first, days without traffic included. */
    async volume(fields: Fields): Promise<Outcome<VolumeRow[]>> {
      const errors = new ValidationErrors();
      const days = intField(fields, 'days', errors) ?? VOLUME_DAYS_DEFAULT;
      if (!errors.has('days') && days < 1) errors.add('days', ruleText.minNumber('days', 1));
      if (!errors.has('days') && days > VOLUME_DAYS_MAX)
        errors.add('days', ruleText.maxNumber('days', VOLUME_DAYS_MAX));
      if (!errors.empty) return invalid(errors);
      const today = Math.floor(db.nowUs() / US_PER_DAY);
      const first = today - days + 1;
      const rows = new Map((await volumeByDay(db, first * US_PER_DAY)).map((r) => [r.day, r]));
      const out: VolumeRow[] = [];
      for (let day = first; day <= today; day++) {
        out.push(rows.get(day) ?? { day, sendings: 0, messages: 0, parts: 0, delivered: 0, failed: 0 });
      }
      return ok(out);
    },
  };
}
