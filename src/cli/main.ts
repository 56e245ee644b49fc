// `smsgic`: the operator's command line over the same services as the API and the dashboard.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { loadNumberingPlan } from '../data/numbering.js';
import { isEmailAddress } from '../domain/email.js';
import { SUPPRESSIONS_PER_REQUEST_MAX } from '../domain/limits.js';
import { CURRENCIES, formatBalance, formatMinor, MoneyError, parseMoney, parsePercentPpm } from '../domain/money.js';
import { foldOptOutWord } from '../domain/opt-out.js';
import { formatConversionRate, PLATFORM_CURRENCY } from '../domain/price-lists.js';
import { ValidationErrors } from '../domain/texts.js';
import { isoFromUs } from '../domain/time.js';
import { DASHBOARD_BASE } from '../http/dashboard/contract.js';
import { changeSpendLimitsFrom, setAllowedCountries } from '../services/account-controls.js';
import { bootstrap } from '../services/bootstrap.js';
import { changeInboundUrl } from '../services/inbound-url.js';
import { inviteToAccount } from '../services/invitations.js';
import { changeKeywordAnswersFrom, type KeywordAnswers, keywordAnswers } from '../services/keyword-replies.js';
import { type MarginTotal, marginCsv, marginReportFor } from '../services/margins.js';
import { type AssignedNumber, createNumberServices, isKeyword, receivingNumberOf } from '../services/numbers.js';
import {
  addOperator,
  adjustBalance,
  allAccounts,
  allPriceLists,
  changeTaxRate,
  convertDefaultList,
  findAccount,
  importPriceList,
  openCustomerAccount,
  operators,
  priceListCsv,
  priceListImportProblem,
  priceListRef,
} from '../services/operator.js';
import { generatePassword, PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN } from '../services/passwords.js';
import { addApprovedSender } from '../services/senders.js';
import { cancelPendingSending } from '../services/sending-cancel.js';
import { createSuppressionServices, phoneOf, readSuppressionSender } from '../services/suppressions.js';
import { issueToken, revokeAnyToken } from '../services/tokens.js';
import { readWebhookSecret, rotateAccountWebhookSecret, type WebhookSecret } from '../services/webhook-secret.js';
import type { Account } from '../store/accounts.js';
import { createDb, type Db } from '../store/db.js';
import type { PriceListSummary } from '../store/rates.js';
import { costsCommand } from './costs.js';
import { count, fields, minuteUtc, money, NONE, rateDiff, rateDiffJson, table } from './print.js';
import { ROUTES_SIMULATE_USAGE, routesSimulateCommand } from './route-simulate.js';
import { ROUTES_USAGE, routesCommand } from './routes.js';

/** The currency of an account created without --currency. */
const DEFAULT_CURRENCY = PLATFORM_CURRENCY;

const USAGE = `smsgic: operate an SMSgic platform. Every command takes --json (one JSON object on stdout).

  smsgic account create --name NAME [--currency CODE] [--email E] [--tax-rate PCT]
                                                    (CODE: ${Object.keys(CURRENCIES).join(', ')}; ${DEFAULT_CURRENCY} when not given)
  smsgic account list
  smsgic credit ACCOUNT AMOUNT [--note TEXT]        (negative AMOUNT debits; never below zero)
  smsgic token create ACCOUNT [--name NAME]         (the token is shown only this once)
  smsgic token revoke TOKEN_ID
  smsgic sender add ACCOUNT NAME
  smsgic sender default NAME                        (a platform-wide default sender)
  smsgic rates import ACCOUNT FILE                  (CSV: mcc,mnc,rate[,currency]; replaces the account's list,
                                                     in the account's currency; --currency CUR states it)
  smsgic rates import --default FILE                (a platform default list: the base one, ${PLATFORM_CURRENCY}, unless
                                                     --currency CUR or the file states another)
  smsgic rates import … --dry-run                   (prints the rows an import would add, remove and reprice, old and
                                                     new price, and changes nothing; an import prints what it changed)
  smsgic rates convert CURRENCY RATE --date DAY     (1 ${PLATFORM_CURRENCY} = RATE CURRENCY on DAY, YYYY-MM-DD: that currency's
                                                     default list converted from the base one, rounded up)
  smsgic rates list                                 (price lists: currency, source, conversion rate and date)
  smsgic rates export ACCOUNT | --default [--currency CUR]   (the list as CSV, in the format rates import reads)
  smsgic account invite ACCOUNT [--email E]         (a link with which E, else the account's email, chooses a
                                                     password and signs in to the account; works once, 7 days)
  smsgic costs list                                 (each provider's cost list: currency, rows, version)
  smsgic costs import PROVIDER FILE [--currency CUR] [--dry-run]   (CSV: mcc,mnc,cost[,currency]; prints what
                                                     changes, then replaces the provider's list unless --dry-run)
  smsgic costs export PROVIDER                      (the list as CSV, in the format costs import reads)
  smsgic account tax-rate ACCOUNT PCT               (sendings priced from now on are taxed at it)
  smsgic account countries ACCOUNT LIST|all         (the countries it may send to: ISO codes, "LV,EE")
  smsgic account spend-limits ACCOUNT DAILY MONTHLY (caps per UTC day and month in its currency; none: no cap)
  smsgic account inbound-url ACCOUNT URL|--clear    (received messages POSTed there, signed like status callbacks)
  smsgic account keywords ACCOUNT [--help-text T] [--confirmations on|off] [--stop-text T] [--start-text T]
                                                    (answers to HELP, STOP, START: charged sendings; "" clears a text)
         [--stop-word WORD]... [--start-word WORD]... [--remove-word WORD]...
                                                    (the account's own opt-out and opt-in words, beside STOP/START)
  smsgic account opt-out-scope ACCOUNT [account|sender]   (whom a STOP suppresses the number for: every sending
                                                    of the account, or the sender it answered; prints it when none)
  smsgic sending cancel ID
  smsgic webhook-secret show --account ID           (the key of the account's X-Smsgic-Signature HMAC)
  smsgic webhook-secret rotate --account ID         (a new secret; the old one keeps signing callbacks for 24 h)
  smsgic suppressions list --account ACCOUNT [--search DIGITS]
  smsgic suppressions add --account ACCOUNT PHONE... [--sender S]   (numbers never sent to nor charged for;
                                                    source operator; --sender: for sendings from S only)
  smsgic suppressions remove --account ACCOUNT PHONE [--sender S]   (the account-wide entry, or S's)
  smsgic numbers assign --account ACCOUNT NUMBER [--keyword WORD]   (a number, or a keyword of a shared short
                                                    code, the account receives messages on)
  smsgic numbers list [--account ACCOUNT]
  smsgic numbers unassign NUMBER [--keyword WORD]
${ROUTES_USAGE}
${ROUTES_SIMULATE_USAGE}
  smsgic report margin [--from DAY --to DAY] [--by day|country|provider|account] [--csv]
                                                    (revenue net of refunds, provider cost and margin per group,
                                                     in each account currency; the last 30 days by default)
  smsgic admin create --email E [--password P]      (a platform operator; a password is made when none is given)
  smsgic admin list
  smsgic serve [--api] [--worker]                   (both roles when neither is given)

The database is DATABASE_URL (default: SQLite at ./data/smsgic.db).`;

/** A mistake of the operator's: printed without a stack, exit code 2. */
class UsageError extends Error {}
/** The command was understood but could not be done (unknown account, balance too low): exit code 1. */
class CommandError extends Error {}

type Output = Record<string, unknown>;

/** What a command prints: `json` with --json (one object, its fields fixed), `text` for a person otherwise. */
interface Printed {
  readonly json: Output;
  readonly text: string;
  /** Printed as it is without --json (a CSV file), with no newline added. */
  readonly raw?: boolean;
}

function taxRateText(ppm: number): string {
  return formatMinor(ppm).replace(/\.?0+$/, '');
}

function accountJson(account: Account): Output {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    currency: account.currency,
    tax_rate: taxRateText(account.taxRatePpm),
    balance: formatBalance(account.balanceMinor),
  };
}

function accountText(account: Account): string {
  return fields([
    ['id', String(account.id)],
    ['name', account.name],
    ['email', account.email ?? NONE],
    ['currency', account.currency],
    ['tax_rate', `${taxRateText(account.taxRatePpm)}%`],
    ['balance', money(formatBalance(account.balanceMinor), account.currency)],
  ]);
}

function accountsPrinted(accounts: readonly Account[]): Printed {
  const text =
    accounts.length === 0
      ? 'No accounts yet.'
      : table(
          [
            { header: 'ID', align: 'right' },
            { header: 'NAME' },
            { header: 'EMAIL' },
            { header: 'CURRENCY' },
            { header: 'TAX RATE', align: 'right' },
            { header: 'BALANCE', align: 'right' },
          ],
          accounts.map((account) => [
            String(account.id),
            account.name,
            account.email ?? NONE,
            account.currency,
            `${taxRateText(account.taxRatePpm)}%`,
            money(formatBalance(account.balanceMinor), account.currency),
          ]),
        );
  return { json: { accounts: accounts.map(accountJson) }, text };
}

function webhookSecretPrinted(found: WebhookSecret): Printed {
  const json = {
    account_id: found.accountId,
    secret: found.secret,
    previous_valid_until: found.previousValidUntilUs === null ? null : isoFromUs(found.previousValidUntilUs),
    rotated_at: found.rotatedAtUs === null ? null : isoFromUs(found.rotatedAtUs),
  };
  const text = fields([
    ['account_id', String(found.accountId)],
    ['secret', found.secret],
    ['previous_valid_until', found.previousValidUntilUs === null ? NONE : minuteUtc(found.previousValidUntilUs)],
    ['rotated_at', found.rotatedAtUs === null ? NONE : minuteUtc(found.rotatedAtUs)],
  ]);
  return { json, text };
}

function positiveId(text: string | undefined, what: string): number {
  if (text === undefined) throw new UsageError(`${what} is required`);
  if (!/^\d{1,15}$/.test(text) || Number(text) === 0)
    throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  return Number(text);
}

async function existingAccount(db: Db, text: string | undefined): Promise<Account> {
  const id = positiveId(text, 'ACCOUNT');
  const account = await findAccount(db, id);
  if (!account) throw new CommandError(`account ${id} does not exist`);
  return account;
}

/** The options each command accepts besides --json (a misplaced option is a mistake, not something to ignore). */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'account create': ['name', 'currency', 'email', 'tax-rate'],
  'account list': [],
  credit: ['note'],
  'token create': ['name'],
  'token revoke': [],
  'sender add': [],
  'sender default': [],
  'rates import': ['default', 'currency', 'dry-run'],
  'rates export': ['default', 'currency'],
  'account tax-rate': [],
  'account invite': ['email'],
  'account countries': [],
  'account spend-limits': [],
  'account inbound-url': ['clear'],
  'account keywords': [
    'help-text',
    'confirmations',
    'stop-text',
    'start-text',
    'stop-word',
    'start-word',
    'remove-word',
  ],
  'rates list': [],
  'rates convert': ['date'],
  'sending cancel': [],
  'admin create': ['email', 'password'],
  'admin list': [],
  'webhook-secret show': ['account'],
  'webhook-secret rotate': ['account'],
  'suppressions list': ['account', 'search'],
  'suppressions add': ['account', 'sender'],
  'suppressions remove': ['account', 'sender'],
  'account opt-out-scope': [],
  'numbers assign': ['account', 'keyword'],
  'numbers list': ['account'],
  'numbers unassign': ['keyword'],
  'costs list': [],
  'costs import': ['currency', 'dry-run'],
  'costs export': [],
  'report margin': ['from', 'to', 'by', 'csv'],
};

/** How many positional arguments each command takes at most. */
const COMMAND_ARGS: Readonly<Record<string, number>> = {
  'account create': 0,
  'account list': 0,
  credit: 2,
  'token create': 1,
  'token revoke': 1,
  'sender add': 2,
  'sender default': 1,
  'rates import': 2,
  'rates export': 1,
  'account tax-rate': 2,
  'account invite': 1,
  'account countries': 2,
  'account spend-limits': 3,
  'account inbound-url': 2,
  'account keywords': 1,
  'account opt-out-scope': 2,
  'rates list': 0,
  'rates convert': 2,
  'sending cancel': 1,
  'admin create': 0,
  'admin list': 0,
  'webhook-secret show': 0,
  'webhook-secret rotate': 0,
  'suppressions list': 0,
  'suppressions add': SUPPRESSIONS_PER_REQUEST_MAX,
  'suppressions remove': 1,
  'numbers assign': 1,
  'numbers list': 0,
  'numbers unassign': 1,
  'costs list': 0,
  'costs import': 2,
  'costs export': 1,
  'report margin': 0,
};

const GROUPS = [
  'account',
  'token',
  'sender',
  'rates',
  'sending',
  'admin',
  'webhook-secret',
  'suppressions',
  'numbers',
  'costs',
  'report',
];

interface CommandLine {
  readonly values: {
    readonly json?: boolean;
    readonly name?: string;
    readonly currency?: string;
    readonly email?: string;
    readonly 'tax-rate'?: string;
    readonly note?: string;
    readonly default?: boolean;
    readonly password?: string;
    readonly account?: string;
    readonly search?: string;
    readonly date?: string;
    readonly keyword?: string;
    readonly 'dry-run'?: boolean;
    readonly from?: string;
    readonly to?: string;
    readonly by?: string;
    readonly csv?: boolean;
    readonly clear?: boolean;
    readonly 'help-text'?: string;
    readonly confirmations?: string;
    readonly 'stop-text'?: string;
    readonly 'start-text'?: string;
    readonly 'stop-word'?: readonly string[];
    readonly 'start-word'?: readonly string[];
    readonly 'remove-word'?: readonly string[];
    readonly sender?: string;
  };
  /** "account create", "credit", …; undefined when none was given. */
  readonly key: string | undefined;
  readonly sub: string | undefined;
  readonly args: readonly string[];
  /** Every positional word, for messages. */
  readonly words: readonly string[];
}

const OPTIONS = {
  json: { type: 'boolean' },
  name: { type: 'string' },
  currency: { type: 'string' },
  date: { type: 'string' },
  email: { type: 'string' },
  'tax-rate': { type: 'string' },
  note: { type: 'string' },
  default: { type: 'boolean' },
  password: { type: 'string' },
  account: { type: 'string' },
  search: { type: 'string' },
  keyword: { type: 'string' },
  'dry-run': { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  by: { type: 'string' },
  csv: { type: 'boolean' },
  clear: { type: 'boolean' },
  'help-text': { type: 'string' },
  confirmations: { type: 'string' },
  'stop-text': { type: 'string' },
  'start-text': { type: 'string' },
  'stop-word': { type: 'string', multiple: true },
  'start-word': { type: 'string', multiple: true },
  'remove-word': { type: 'string', multiple: true },
  sender: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCommandLine(argv: readonly string[]): CommandLine {
  // A negative amount ("-12.5") is a value, not an option: hide it from the option parser, then put it back, in
  // positionals and option values alike (`--note -5`, `--tax-rate -1`).
  const NEGATIVE = '\u0000';
  const restore = (arg: string) => (arg.startsWith(NEGATIVE) ? arg.slice(1) : arg);
  const parse = () =>
    parseArgs({
      args: argv.map((arg) => (/^-\d/.test(arg) ? NEGATIVE + arg : arg)),
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: OPTIONS,
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    // node:util's messages name the option at fault: the operator's mistake.
    throw new UsageError((error as Error).message.replaceAll(NEGATIVE, ''));
  }
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([name, value]) => [
      name,
      typeof value === 'string' ? restore(value) : Array.isArray(value) ? value.map(restore) : value,
    ]),
  ) as CommandLine['values'];
  const positionals = parsed.positionals.map(restore);
  const [command, sub, ...rest] = positionals;
  const grouped = GROUPS.includes(command ?? '');
  const key = grouped ? `${command} ${sub ?? ''}` : command;
  const args = grouped ? rest : positionals.slice(1);
  const allowed = key === undefined ? undefined : COMMAND_OPTIONS[key];
  if (key !== undefined && allowed !== undefined) {
    for (const token of parsed.tokens) {
      if (token.kind === 'option' && token.name !== 'json' && !allowed.includes(token.name)) {
        throw new UsageError(`${token.rawName} is not an option of "${key}"`);
      }
    }
    const most = COMMAND_ARGS[key] ?? 0;
    if (args.length > most)
      throw new UsageError(`"${key}" takes at most ${most} arguments, got ${args.length}: ${args.join(' ')}`);
  }
  return { values, key, sub, args, words: positionals };
}

async function accountCreate(values: CommandLine['values'], db: () => Promise<Db>): Promise<Printed> {
  if (!values.name?.trim()) throw new UsageError('--name is required');
  const currency = (values.currency ?? DEFAULT_CURRENCY).toUpperCase();
  if (!Object.hasOwn(CURRENCIES, currency)) {
    throw new UsageError(`--currency must be one of ${Object.keys(CURRENCIES).join(', ')}, got "${values.currency}"`);
  }
  if (values.email !== undefined && !isEmailAddress(values.email)) {
    throw new UsageError(`--email "${values.email}" is not an email address`);
  }
  let taxRatePpm = 0;
  if (values['tax-rate'] !== undefined) {
    try {
      taxRatePpm = parsePercentPpm(values['tax-rate']);
    } catch (error) {
      if (error instanceof MoneyError) throw new UsageError(`--tax-rate: ${error.message}`);
      throw error;
    }
  }
  const account = await openCustomerAccount(await db(), {
    name: values.name.trim(),
    email: values.email ?? null,
    currency,
    taxRatePpm,
  });
  return { json: accountJson(account), text: accountText(account) };
}

async function creditCommand(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const [accountText, amountText] = args;
  // Mistakes in the command line are reported before the database is opened.
  positiveId(accountText, 'ACCOUNT');
  if (amountText === undefined) throw new UsageError('AMOUNT is required');
  let amountMinor: number;
  try {
    amountMinor = parseMoney(amountText);
  } catch (error) {
    if (error instanceof MoneyError) throw new UsageError(`AMOUNT: ${error.message}`);
    throw error;
  }
  if (amountMinor === 0) throw new UsageError('AMOUNT must not be zero');
  const database = await db();
  const account = await existingAccount(database, accountText);
  const result = await adjustBalance(database, account.id, amountMinor, values.note);
  if (!result.ok) {
    if (result.reason === 'insufficient_balance') {
      throw new CommandError(
        `refused: the balance of account ${account.id} is ${formatBalance(result.balanceMinor)}; it never goes below zero`,
      );
    }
    if (result.reason === 'balance_ceiling') {
      throw new CommandError(
        `refused: the balance of account ${account.id} cannot exceed ${formatMinor(result.ceilingMinor)}`,
      );
    }
    throw new CommandError(`refused: ${result.reason.replaceAll('_', ' ')}`);
  }
  const moved = money(formatMinor(Math.abs(amountMinor)), account.currency);
  const balance = money(formatBalance(result.balanceMinor), account.currency);
  return {
    json: {
      account_id: account.id,
      amount: formatMinor(amountMinor),
      balance: formatBalance(result.balanceMinor),
      entry_id: result.entry.id,
    },
    text:
      `${amountMinor > 0 ? `Credited ${moved} to` : `Debited ${moved} from`} account ${account.id} (${account.name}): ` +
      `the balance is ${balance} (ledger entry ${result.entry.id}).`,
  };
}

async function tokenCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  if (sub === 'revoke') {
    const id = positiveId(args[0], 'TOKEN_ID');
    const result = await revokeAnyToken(await db(), id);
    if (!result.ok) throw new CommandError(`token ${id} does not exist`);
    return { json: { revoked: id }, text: `Revoked token ${id}.` };
  }
  const database = await db();
  const account = await existingAccount(database, args[0]);
  const created = await issueToken(database, account.id, values.name ? { name: values.name } : {});
  const json = { id: created.id, token: created.token, prefix: created.prefix, account_id: account.id };
  const text = fields([
    ['id', String(created.id)],
    ['token', created.token],
    ['prefix', created.prefix],
    ['account_id', String(account.id)],
  ]);
  return { json, text: `${text}\nThe token is shown only this once.` };
}

async function senderCommand(
  sub: string | undefined,
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const isDefault = sub === 'default';
  const database = await db();
  const account = isDefault ? null : await existingAccount(database, args[0]);
  const name = isDefault ? args[0] : args[1];
  if (name === undefined) throw new UsageError('NAME is required');
  const added = await addApprovedSender(database, account?.id ?? null, name);
  if (!added.ok) throw new UsageError(`NAME "${name}": ${added.problem}`);
  const { sender } = added;
  return {
    json: { id: sender.id, sender: sender.name, ...(isDefault && { default: true }) },
    text: account
      ? `Added the approved sender ${sender.name} (id ${sender.id}) to account ${account.id}.`
      : `Added the platform-wide default sender ${sender.name} (id ${sender.id}).`,
  };
}

async function ratesImport(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const isDefault = values.default === true;
  const [first, second] = args;
  if (isDefault && second !== undefined) {
    throw new UsageError(
      `"rates import --default" takes at most 1 argument (FILE), got ${args.length}: ${args.join(' ')}`,
    );
  }
  const file = isDefault ? first : second;
  if (file === undefined) throw new UsageError(isDefault ? 'FILE is required' : 'ACCOUNT and FILE are required');
  const database = await db();
  const account = isDefault ? null : await existingAccount(database, first);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const dryRun = values['dry-run'] === true;
  const result = await importPriceList(database, account?.id ?? null, text, {
    dryRun,
    ...(values.currency === undefined ? {} : { currency: values.currency }),
  });
  if (!result.ok) {
    if (result.reason === 'csv') {
      throw new CommandError(`${file} line ${result.line}: ${result.message}; nothing imported`);
    }
    if (result.reason === 'empty_default') {
      throw new CommandError(`${file} has no rates; the default price list cannot be empty; nothing imported`);
    }
    if (result.reason === 'currency_mismatch') {
      throw new CommandError(
        `${file}: the list is in ${result.listCurrency} but account ${account?.id} is in ${result.accountCurrency}; an account is priced only in its own currency; nothing imported`,
      );
    }
    throw new CommandError(`${file}: ${priceListImportProblem(result)}`);
  }
  const list = account ? `the price list of account ${account.id}` : `the default ${result.currency} price list`;
  const headline = dryRun
    ? `Dry run: importing ${count(result.imported, 'rate')} in ${result.currency} would replace ${list}; nothing changed.`
    : `Imported ${count(result.imported, 'rate')} in ${result.currency}: ${list} is replaced.`;
  return {
    json: {
      imported: result.imported,
      ...(account ? { account_id: account.id } : { default: true }),
      currency: result.currency,
      dry_run: dryRun,
      ...rateDiffJson(result.diff),
    },
    text: `${headline}\n${rateDiff(result.diff, result.currency)}`,
  };
}

/** A price list as `smsgic rates list --json` shows it. */
function priceListJson(list: PriceListSummary) {
  return {
    list: list.owner === 0 ? 'default' : 'account',
    account_id: list.owner === 0 ? null : list.owner,
    account_name: list.accountName,
    currency: list.currency,
    source: list.source,
    converted_from: list.conversion?.baseCurrency ?? null,
    rate: list.conversion ? formatConversionRate(list.conversion.ratePpm) : null,
    rate_date: list.conversion?.rateDate ?? null,
    rates: list.rates,
  };
}

/** `smsgic account tax-rate ACCOUNT PCT`: sendings priced from now on are taxed at the new rate. */
async function taxRateCommand(args: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  const [accountArg, rateText] = args;
  positiveId(accountArg, 'ACCOUNT');
  if (rateText === undefined) throw new UsageError('PCT is required');
  let taxRatePpm: number;
  try {
    taxRatePpm = parsePercentPpm(rateText);
  } catch (error) {
    if (error instanceof MoneyError) throw new UsageError(`PCT: ${error.message}`);
    throw error;
  }
  const database = await db();
  const account = await existingAccount(database, accountArg);
  if (!(await changeTaxRate(database, account.id, taxRatePpm))) {
    throw new CommandError(`account ${account.id} does not exist`);
  }
  const changed = await existingAccount(database, accountArg);
  return { json: accountJson(changed), text: accountText(changed) };
}

/** `smsgic account invite ACCOUNT [--email E]`: the invitation link, shown this once (the dashboard makes the same). */
async function inviteCommand(
  args: readonly string[],
  values: CommandLine['values'],
  db: () => Promise<Db>,
): Promise<Printed> {
  const [accountArg] = args;
  positiveId(accountArg, 'ACCOUNT');
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const made = await inviteToAccount(database, account.id, { email: values.email ?? '' }, 'cli');
  if (!made.ok) {
    if (made.kind === 'invalid') throw new UsageError(made.errors.toJSON().message);
    throw new CommandError(made.kind === 'conflict' ? made.message : `account ${account.id} does not exist`);
  }
  const link = `${loadConfig().publicUrl}${DASHBOARD_BASE}/invite#${made.value.token}`;
  const expires = isoFromUs(made.value.expiresAtUs);
  return {
    json: { account: account.id, email: made.value.email, link, expires_at: expires },
    text: fields([
      ['account', `${account.name} (#${account.id})`],
      ['email', made.value.email],
      ['link', link],
      ['expires', `${minuteUtc(made.value.expiresAtUs)} UTC (works once; a new invitation replaces it)`],
    ]),
  };
}

/** `smsgic account countries ACCOUNT LIST|all`: the countries the account may send to (the customer chooses among them). */
async function countriesCommand(args: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  const [accountArg, listText] = args;
  positiveId(accountArg, 'ACCOUNT');
  if (listText === undefined) throw new UsageError('LIST is required: ISO country codes ("LV,EE") or all');
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const changed = await setAllowedCountries(database, loadNumberingPlan(), account.id, listText);
  if (!changed.ok) {
    if (changed.kind === 'invalid') throw new UsageError(`LIST: ${changed.errors.toJSON().message}`);
    throw new CommandError(`account ${account.id} does not exist`);
  }
  const codes = (list: readonly { iso: string }[] | null) => (list === null ? 'all' : list.map((c) => c.iso));
  const words = (list: readonly { iso: string; name: string }[] | null) =>
    list === null ? 'all' : list.length === 0 ? NONE : list.map((c) => `${c.name} (${c.iso})`).join(', ');
  const { allowed, chosen, effective } = changed.value;
  return {
    json: {
      id: account.id,
      allowed_countries: codes(allowed),
      chosen_countries: codes(chosen),
      sends_to: codes(effective),
    },
    text: fields([
      ['id', String(account.id)],
      ['allowed_countries', words(allowed)],
      ['chosen_countries', words(chosen)],
      ['sends_to', words(effective)],
    ]),
  };
}

/** `smsgic account spend-limits ACCOUNT DAILY MONTHLY`: caps on what the account's sendings take per UTC day and month. */
async function spendLimitsCommand(args: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  const [accountArg, daily, monthly] = args;
  positiveId(accountArg, 'ACCOUNT');
  if (daily === undefined || monthly === undefined)
    throw new UsageError('DAILY and MONTHLY are required (none: no cap)');
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const changed = await changeSpendLimitsFrom(database, account.id, { daily, monthly });
  if (!changed.ok) {
    if (changed.kind === 'invalid') throw new UsageError(changed.errors.toJSON().message);
    throw new CommandError(`account ${account.id} does not exist`);
  }
  const { value } = changed;
  return {
    json: { id: account.id, daily_spend_limit: value.daily, monthly_spend_limit: value.monthly },
    text: fields([
      ['id', String(account.id)],
      ['daily_spend_limit', value.daily === null ? NONE : money(value.daily, account.currency)],
      ['monthly_spend_limit', value.monthly === null ? NONE : money(value.monthly, account.currency)],
    ]),
  };
}

/** `smsgic account inbound-url ACCOUNT URL|--clear`: where the account's received messages are POSTed. */
async function inboundUrlCommand(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const [accountArg, url] = args;
  positiveId(accountArg, 'ACCOUNT');
  if ((url === undefined) === (values.clear !== true)) throw new UsageError('give either URL or --clear');
  const allowPrivate = loadConfig().callbackAllowPrivate;
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const changed = await changeInboundUrl(database, account.id, values.clear ? null : url, allowPrivate);
  if (!changed.ok) {
    if (changed.kind === 'invalid') throw new UsageError(changed.errors.toJSON().message);
    throw new CommandError(`account ${account.id} does not exist`);
  }
  const { url: saved } = changed.value;
  return {
    json: { id: account.id, inbound_url: saved },
    text: fields([
      ['id', String(account.id)],
      ['inbound_url', saved ?? NONE],
    ]),
  };
}

/**
 * The account's own words after `--remove-word` (each must be one of them), `--stop-word` and `--start-word` (each
 * must not be one of that list already); undefined when none of those options is given. The rest is checked where the
 * dashboard's change is.
 */
function changedWords(
  values: CommandLine['values'],
  accountId: number,
  current: KeywordAnswers,
): { stop_words: string[]; start_words: string[] } | undefined {
  const removed = values['remove-word'] ?? [];
  const addedStop = values['stop-word'] ?? [];
  const addedStart = values['start-word'] ?? [];
  if (removed.length + addedStop.length + addedStart.length === 0) return undefined;
  const gone = removed.map(foldOptOutWord);
  for (const [index, word] of gone.entries()) {
    if (!current.stopWords.includes(word) && !current.startWords.includes(word)) {
      throw new UsageError(`"${removed[index]}" is not one of account ${accountId}'s stop or start words`);
    }
  }
  const stop = current.stopWords.filter((word) => !gone.includes(word));
  const start = current.startWords.filter((word) => !gone.includes(word));
  for (const [list, added, name] of [
    [stop, addedStop, 'stop'],
    [start, addedStart, 'start'],
  ] as const) {
    for (const word of added) {
      if (list.includes(foldOptOutWord(word))) {
        throw new UsageError(`"${word}" is already one of account ${accountId}'s ${name} words`);
      }
    }
  }
  return { stop_words: [...stop, ...addedStop], start_words: [...start, ...addedStart] };
}

/**
 * `smsgic account keywords ACCOUNT [--help-text T] [--confirmations on|off] [--stop-text T] [--start-text T]
 * [--stop-word WORD]... [--start-word WORD]... [--remove-word WORD]...`.
 */
async function keywordsCommand(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const [accountArg] = args;
  positiveId(accountArg, 'ACCOUNT');
  const { confirmations } = values;
  if (confirmations !== undefined && confirmations !== 'on' && confirmations !== 'off') {
    throw new UsageError(`--confirmations must be on or off, got "${confirmations}"`);
  }
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const current = await keywordAnswers(database, account.id);
  if (!current.ok) throw new CommandError(`account ${account.id} does not exist`);
  const words = changedWords(values, account.id, current.value);
  const changed = await changeKeywordAnswersFrom(database, account.id, {
    ...words,
    ...(values['help-text'] !== undefined && { help_text: values['help-text'] }),
    ...(confirmations !== undefined && { confirmations: confirmations === 'on' }),
    ...(values['stop-text'] !== undefined && { stop_text: values['stop-text'] }),
    ...(values['start-text'] !== undefined && { start_text: values['start-text'] }),
  });
  if (!changed.ok) {
    // Every problem at once (a word list may have several), each as the dashboard shows it.
    if (changed.kind === 'invalid') {
      throw new UsageError(Object.values(changed.errors.toJSON().errors).flat().join(' '));
    }
    throw new CommandError(`account ${account.id} does not exist`);
  }
  const { value } = changed;
  return {
    json: {
      id: account.id,
      help_text: value.helpText,
      confirmations: value.confirmations,
      stop_text: value.stopText,
      start_text: value.startText,
      stop_words: value.stopWords,
      start_words: value.startWords,
    },
    text: fields([
      ['id', String(account.id)],
      ['help_text', value.helpText ?? NONE],
      ['confirmations', value.confirmations ? 'on' : 'off'],
      ['stop_text', value.stopText],
      ['start_text', value.startText],
      ['stop_words', value.stopWords.join(' ') || NONE],
      ['start_words', value.startWords.join(' ') || NONE],
    ]),
  };
}

/** `smsgic account opt-out-scope ACCOUNT [account|sender]`: sets the account's opt-out scope, or prints it. */
async function optOutScopeCommand(args: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  const [accountArg, scope] = args;
  positiveId(accountArg, 'ACCOUNT');
  if (scope !== undefined && scope !== 'account' && scope !== 'sender') {
    throw new UsageError(`the scope must be account or sender, got "${scope}"`);
  }
  const database = await db();
  const account = await existingAccount(database, accountArg);
  const changed =
    scope === undefined
      ? await keywordAnswers(database, account.id)
      : await changeKeywordAnswersFrom(database, account.id, { opt_out_scope: scope });
  if (!changed.ok) throw new CommandError(`account ${account.id} does not exist`);
  const { optOutScope } = changed.value;
  return {
    json: { id: account.id, opt_out_scope: optOutScope },
    text: fields([
      ['id', String(account.id)],
      ['opt_out_scope', optOutScope],
    ]),
  };
}

/** `smsgic rates export ACCOUNT | --default [--currency CUR]`: the price list as CSV, printed as it is. */
async function ratesExport(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const isDefault = values.default === true;
  if (isDefault === (args[0] !== undefined)) throw new UsageError('either ACCOUNT or --default is required');
  const database = await db();
  const account = isDefault ? null : await existingAccount(database, args[0]);
  const list = await priceListRef(database, account?.id ?? null, values.currency?.toUpperCase());
  if (list === null) throw new CommandError(`account ${args[0]} does not exist`);
  const csv = await priceListCsv(database, list);
  return { json: { ...(account ? { account_id: account.id } : { default: true }), csv }, text: csv, raw: true };
}

async function ratesList(db: () => Promise<Db>): Promise<Printed> {
  const lists = (await allPriceLists(await db())).map(priceListJson);
  return {
    json: { lists },
    text:
      lists.length === 0
        ? 'No price lists yet.'
        : table(
            [
              { header: 'LIST' },
              { header: 'CURRENCY' },
              { header: 'SOURCE' },
              { header: 'CONVERSION' },
              { header: 'RATES', align: 'right' },
            ],
            lists.map((l) => [
              l.list === 'default' ? 'default' : `account ${l.account_id} (${l.account_name ?? ''})`,
              l.currency,
              l.source,
              l.rate === null ? NONE : `1 ${l.converted_from} = ${l.rate} ${l.currency} (${l.rate_date})`,
              String(l.rates),
            ]),
          ),
  };
}

async function ratesConvert(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const [currency, rate] = args;
  if (currency === undefined || rate === undefined) throw new UsageError('CURRENCY and RATE are required');
  if (values.date === undefined) throw new UsageError('--date is required (the day the rate is quoted for)');
  const result = await convertDefaultList(await db(), currency, rate, values.date);
  if (!result.ok) throw new CommandError(`${result.problem}; nothing converted`);
  const json = {
    currency: result.currency,
    converted_from: result.conversion.baseCurrency,
    rate: formatConversionRate(result.conversion.ratePpm),
    rate_date: result.conversion.rateDate,
    imported: result.imported,
  };
  return {
    json,
    text: `Converted the default ${json.currency} price list from ${json.converted_from} at 1 ${json.converted_from} = ${json.rate} ${json.currency} (${json.rate_date}): ${count(json.imported, 'rate')}.`,
  };
}

async function sendingCancel(args: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  const id = positiveId(args[0], 'ID');
  const database = await db();
  const result = await cancelPendingSending(database, id);
  if (!result.ok) {
    if (result.reason === 'not_found') throw new CommandError(`sending ${id} does not exist`);
    throw new CommandError(`sending ${id} is ${result.status}; only a Pending sending can be cancelled`);
  }
  const refunded = formatMinor(result.refundedMinor);
  const account = await findAccount(database, result.accountId);
  const shown = account ? money(refunded, account.currency) : refunded;
  return {
    json: { id, status: 'Cancelled', refunded },
    text: `Cancelled sending ${id}: ${shown} refunded to its account.`,
  };
}

async function adminCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  db: () => Promise<Db>,
): Promise<Printed> {
  if (sub === 'list') {
    const admins = await operators(await db());
    return {
      json: {
        admins: admins.map((user) => ({
          id: user.id,
          email: user.email,
          account_id: user.accountId,
          created_at: isoFromUs(user.createdAtUs),
        })),
      },
      text:
        admins.length === 0
          ? 'No operators yet.'
          : table(
              [
                { header: 'ID', align: 'right' },
                { header: 'EMAIL' },
                { header: 'ACCOUNT', align: 'right' },
                { header: 'CREATED (UTC)' },
              ],
              admins.map((user) => [String(user.id), user.email, String(user.accountId), minuteUtc(user.createdAtUs)]),
            ),
    };
  }
  const email = values.email?.trim();
  if (!email) throw new UsageError('--email is required');
  if (!isEmailAddress(email)) throw new UsageError(`--email "${email}" is not an email address`);
  const given = values.password;
  if (given !== undefined && given.length < PASSWORD_CHARS_MIN) {
    throw new UsageError(`--password must be at least ${PASSWORD_CHARS_MIN} characters`);
  }
  if (given !== undefined && given.length > PASSWORD_CHARS_MAX) {
    throw new UsageError(`--password must be at most ${PASSWORD_CHARS_MAX} characters`);
  }
  const password = given ?? generatePassword();
  const created = await addOperator(await db(), email, password);
  if (!created.ok) throw new CommandError(`a user with the email ${email} already exists`);
  const json = {
    id: created.user.id,
    email: created.user.email,
    role: created.user.role,
    account_id: created.account.id,
    // Shown this once: only its hash is stored.
    ...(given === undefined && { password }),
  };
  const text = fields([
    ['id', String(created.user.id)],
    ['email', created.user.email],
    ['role', created.user.role],
    ['account_id', String(created.account.id)],
    ...(given === undefined ? [['password', password] as const] : []),
  ]);
  return { json, text: given === undefined ? `${text}\nThe password is shown only this once.` : text };
}

async function webhookSecretCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  db: () => Promise<Db>,
): Promise<Printed> {
  positiveId(values.account, '--account');
  const database = await db();
  const account = await existingAccount(database, values.account);
  const found =
    sub === 'rotate'
      ? await rotateAccountWebhookSecret(database, account.id)
      : await readWebhookSecret(database, account.id);
  if (!found) throw new CommandError(`account ${account.id} does not exist`);
  return webhookSecretPrinted(found);
}

/** `smsgic report margin`: the operator's margin over a range of UTC days, as a table, CSV or JSON. */
async function marginCommand(values: CommandLine['values'], db: () => Promise<Db>): Promise<Printed> {
  const outcome = await marginReportFor(await db(), { from: values.from, to: values.to, by: values.by });
  if (!outcome.ok) {
    throw new UsageError(outcome.kind === 'invalid' ? outcome.errors.message.replace(/^The /, '--') : 'refused');
  }
  const report = outcome.value;
  const json = {
    from: report.from,
    to: report.to,
    by: report.by,
    rows: report.rows.map((row) => ({ ...marginAmountsJson(row), key: row.key, label: row.label })),
    totals: report.totals.map(marginAmountsJson),
  };
  if (values.csv) return { json, text: marginCsv(report), raw: true };
  const amounts = (row: MarginTotal) =>
    [row.chargedMinor, row.refundedMinor, row.revenueMinor, row.costMinor].map((minor) =>
      money(formatMinor(minor), row.currency),
    );
  const rows = [
    ...report.rows.map((row) => [
      row.currency,
      row.label || NONE,
      String(row.messages),
      ...amounts(row),
      String(row.costUnknown),
      money(formatMinor(row.marginMinor), row.currency),
    ]),
    ...report.totals.map((t) => [
      t.currency,
      'TOTAL',
      String(t.messages),
      ...amounts(t),
      String(t.costUnknown),
      money(formatMinor(t.marginMinor), t.currency),
    ]),
  ];
  const title = `Margin by ${report.by}, ${report.from} to ${report.to} (UTC), before tax`;
  const columns = [
    'CURRENCY',
    report.by.toUpperCase(),
    'MESSAGES',
    'CHARGED',
    'REFUNDED',
    'REVENUE',
    'COST',
    'COST UNKNOWN',
    'MARGIN',
  ].map((header, i) => ({ header, align: i < 2 ? ('left' as const) : ('right' as const) }));
  const text =
    report.rows.length === 0
      ? `${title}
No sendings in this period.`
      : `${title}
${table(columns, rows)}`;
  return { json, text };
}

function marginAmountsJson(row: MarginTotal): Output {
  return {
    currency: row.currency,
    messages: row.messages,
    charged: formatMinor(row.chargedMinor),
    refunded: formatMinor(row.refundedMinor),
    revenue: formatMinor(row.revenueMinor),
    cost: formatMinor(row.costMinor),
    cost_unknown: row.costUnknown,
    margin: formatMinor(row.marginMinor),
  };
}

async function run(argv: readonly string[], db: () => Promise<Db>): Promise<Printed> {
  if (argv[0] === 'routes' && argv[1] === 'simulate') {
    const errors = { usage: (m: string) => new UsageError(m), refused: (m: string) => new CommandError(m) };
    return routesSimulateCommand(argv.slice(2), db, errors);
  }
  if (argv[0] === 'routes') {
    const errors = { usage: (m: string) => new UsageError(m), refused: (m: string) => new CommandError(m) };
    return routesCommand(argv.slice(1), db, errors);
  }
  const { values, key, sub, args, words } = parseCommandLine(argv);
  switch (key) {
    case 'account create':
      return accountCreate(values, db);
    case 'account list':
      return accountsPrinted(await allAccounts(await db()));
    case 'credit':
      return creditCommand(values, args, db);
    case 'token create':
    case 'token revoke':
      return tokenCommand(sub, values, args, db);
    case 'sender add':
    case 'sender default':
      return senderCommand(sub, args, db);
    case 'rates import':
      return ratesImport(values, args, db);
    case 'rates list':
      return ratesList(db);
    case 'rates export':
      return ratesExport(values, args, db);
    case 'account tax-rate':
      return taxRateCommand(args, db);
    case 'account invite':
      return inviteCommand(args, values, db);
    case 'account countries':
      return countriesCommand(args, db);
    case 'account spend-limits':
      return spendLimitsCommand(args, db);
    case 'account inbound-url':
      return inboundUrlCommand(values, args, db);
    case 'account keywords':
      return keywordsCommand(values, args, db);
    case 'account opt-out-scope':
      return optOutScopeCommand(args, db);
    case 'rates convert':
      return ratesConvert(values, args, db);
    case 'sending cancel':
      return sendingCancel(args, db);
    case 'admin create':
    case 'admin list':
      return adminCommand(sub, values, db);
    case 'suppressions list':
    case 'suppressions add':
    case 'suppressions remove':
      return suppressionsCommand(sub, values, args, db);
    case 'numbers assign':
    case 'numbers list':
    case 'numbers unassign':
      return numbersCommand(sub, values, args, db);
    case 'webhook-secret show':
    case 'webhook-secret rotate':
      return webhookSecretCommand(sub, values, db);
    case 'costs list':
    case 'costs import':
    case 'costs export': {
      const options = { dryRun: values['dry-run'] === true, ...(values.currency && { currency: values.currency }) };
      const outcome = await costsCommand(sub, args, options, db);
      if ('error' in outcome) throw outcome.usage ? new UsageError(outcome.error) : new CommandError(outcome.error);
      return outcome;
    }
    case 'report margin':
      return marginCommand(values, db);
    default:
      throw new UsageError(key ? `unknown command "${words.join(' ')}"` : 'a command is required');
  }
}

/** `smsgic suppressions list|add|remove --account ACCOUNT …`: an account's opt-out list, changed as the operator. */
async function suppressionsCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  if (values.account === undefined) throw new UsageError('--account is required');
  const search = values.search;
  if (search !== undefined && !/^\d{1,20}$/.test(search))
    throw new UsageError(`--search must be digits, got "${search}"`);
  const phones = args.map((arg) => {
    const phone = phoneOf(arg.replace(/^\+/, ''));
    if (phone === null) throw new UsageError(`PHONE must be 8 to 20 digits, got "${arg}"`);
    return phone;
  });
  if (sub !== 'list' && phones.length === 0) throw new UsageError('PHONE is required');
  const senderErrors = new ValidationErrors();
  const sender = readSuppressionSender({ sender: values.sender }, senderErrors);
  if (!senderErrors.empty) throw new UsageError(`--sender: ${senderErrors.message}`);
  const forSender = sender === '' ? '' : ` for sendings from ${sender}`;
  const database = await db();
  const account = await existingAccount(database, values.account);
  const suppressions = createSuppressionServices(database);
  if (sub === 'add') {
    const added = await suppressions.add(account.id, phones, 'operator', 'smsgic', sender);
    return {
      json: { account_id: account.id, added: added.length, ...(sender !== '' && { sender }) },
      text: `Added ${count(added.length, 'number')} to the suppression list of account ${account.id}${forSender}.`,
    };
  }
  if (sub === 'remove') {
    const phone = phones[0] as string;
    if (!(await suppressions.remove(account.id, phone, 'operator', 'smsgic', sender))) {
      throw new CommandError(`${phone} is not on the suppression list of account ${account.id}${forSender}`);
    }
    return {
      json: { account_id: account.id, removed: phone, ...(sender !== '' && { sender }) },
      text: `Removed ${phone} from the suppression list of account ${account.id}${forSender}.`,
    };
  }
  const rows: { phone: string; source: string; createdAtUs: number; sender: string }[] = [];
  for (let page = 1; ; page++) {
    const found = await suppressions.list(account.id, {
      page,
      perPage: 1000,
      ...(search !== undefined && { prefix: search }),
    });
    rows.push(...found);
    if (found.length < 1000) break;
  }
  const listed = rows.map((row) => ({
    phone_number: row.phone,
    source: row.source,
    created_at: isoFromUs(row.createdAtUs),
    ...(row.sender !== '' && { sender: row.sender }),
  }));
  return {
    json: { account_id: account.id, suppressions: listed },
    text:
      rows.length === 0
        ? `No numbers on the suppression list of account ${account.id}${search === undefined ? '' : ` starting ${search}`}.`
        : rows.some((row) => row.sender !== '')
          ? table(
              [{ header: 'PHONE' }, { header: 'SOURCE' }, { header: 'ADDED (UTC)' }, { header: 'SENDER' }],
              rows.map((row) => [row.phone, row.source, minuteUtc(row.createdAtUs), row.sender || 'all']),
            )
          : // No entry names a sender: the table as it always was.
            table(
              [{ header: 'PHONE' }, { header: 'SOURCE' }, { header: 'ADDED (UTC)' }],
              rows.map((row) => [row.phone, row.source, minuteUtc(row.createdAtUs)]),
            ),
  };
}

/** An error's message followed by those of its causes ("migration failed: connect ECONNREFUSED …"). */
function numberJson(number: AssignedNumber) {
  return {
    id: number.id,
    account_id: number.accountId,
    number: number.number,
    keyword: number.keyword,
    created_at: isoFromUs(number.createdAtUs),
  };
}

function numberText(number: AssignedNumber): string {
  return `${number.number}${number.keyword === null ? '' : ` keyword ${number.keyword}`}`;
}

/** `smsgic numbers assign|list|unassign`: the numbers (or keywords of shared short codes) accounts receive on. */
async function numbersCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Printed> {
  const keyword = values.keyword ?? null;
  if (keyword !== null && !isKeyword(keyword))
    throw new UsageError(`--keyword must be one word of at most 20 letters or digits, got "${keyword}"`);
  let number: string | null = null;
  if (sub !== 'list') {
    if (args[0] === undefined) throw new UsageError('NUMBER is required');
    number = receivingNumberOf(args[0]);
    if (number === null) throw new UsageError(`NUMBER must be 3 to 20 digits, got "${args[0]}"`);
  }
  if (sub === 'assign' && values.account === undefined) throw new UsageError('--account is required');
  const database = await db();
  const numbers = createNumberServices(database);
  const named = `${number}${keyword === null ? '' : ` keyword ${keyword.toUpperCase()}`}`;
  if (sub === 'assign') {
    const account = await existingAccount(database, values.account);
    const result = await numbers.assign(account.id, number as string, keyword);
    if (!result.ok) throw new CommandError(`${named} is assigned to account ${result.ownerAccountId}`);
    return {
      json: numberJson(result.number),
      text: `Assigned ${numberText(result.number)} to account ${account.id}: its messages are received there.`,
    };
  }
  if (sub === 'unassign') {
    const removed = await numbers.unassign(number as string, keyword);
    if (removed === null) throw new CommandError(`${named} is not assigned`);
    return {
      json: { unassigned: numberJson(removed) },
      text: `Unassigned ${numberText(removed)} from account ${removed.accountId}.`,
    };
  }
  const account = values.account === undefined ? undefined : await existingAccount(database, values.account);
  const listed = await numbers.list(account?.id);
  return {
    json: { numbers: listed.map(numberJson) },
    text:
      listed.length === 0
        ? 'No numbers assigned.'
        : table(
            [
              { header: 'ID', align: 'right' },
              { header: 'NUMBER' },
              { header: 'KEYWORD' },
              { header: 'ACCOUNT', align: 'right' },
              { header: 'SINCE' },
            ],
            listed.map((n) => [
              String(n.id),
              n.number,
              n.keyword ?? NONE,
              String(n.accountId),
              minuteUtc(n.createdAtUs),
            ]),
          ),
  };
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof AggregateError && current.message === '') {
      parts.push(current.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
    } else {
      parts.push(current instanceof Error ? current.message : String(current));
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.filter((p) => p !== '').join(': ');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    console.log(json ? JSON.stringify({ usage: USAGE }) : USAGE);
    return;
  }
  if (argv[0] === 'serve') {
    const api = argv.includes('--api');
    const worker = argv.includes('--worker');
    // Imported here: the HTTP stack is a third of a short command's start-up.
    const { runServer } = await import('../server.js');
    await runServer(api || worker ? { api, worker } : { api: true, worker: true });
    return;
  }
  let database: Db | undefined;
  const open = async () => {
    if (!database) {
      let url: string | undefined;
      try {
        url = loadConfig().databaseUrl;
      } catch (error) {
        if (error instanceof ConfigError) throw new CommandError(`configuration: ${error.message}`);
        throw error;
      }
      try {
        database = await createDb(url);
        await bootstrap(database, loadNumberingPlan());
      } catch (error) {
        throw new CommandError(`cannot open the database: ${describeError(error)}`);
      }
    }
    return database;
  };
  try {
    const result = await run(argv, open);
    if (!json && result.raw) process.stdout.write(result.text);
    else console.log(json ? JSON.stringify(result.json) : result.text);
  } catch (error) {
    const known = error instanceof UsageError || error instanceof CommandError;
    const message = known ? error.message : `unexpected error: ${(error as Error).stack ?? String(error)}`;
    console.error(
      json
        ? JSON.stringify({ error: message })
        : `smsgic: ${message}${error instanceof UsageError ? `\n\n${USAGE}` : ''}`,
    );
    // 2: the command line is wrong; 1: it was understood but could not be done (or failed unexpectedly).
    process.exitCode = error instanceof UsageError ? 2 : 1;
  } finally {
    await database?.close();
  }
}

await main();
