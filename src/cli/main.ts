// `smsgic`: the operator's command line over the same store and services as the API.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { loadNumberingPlan } from '../data/numbering.js';
import { isEmailAddress } from '../domain/email.js';
import { SUPPRESSIONS_PER_REQUEST_MAX } from '../domain/limits.js';
import { CURRENCIES, formatBalance, formatMinor, MoneyError, parseMoney, parsePercentPpm } from '../domain/money.js';
import { senderNameProblem } from '../domain/sender-name.js';
import { bootstrap } from '../services/bootstrap.js';
import {
  adjustBalance,
  changeTaxRate,
  importPriceList,
  openCustomerAccount,
  priceListCsv,
} from '../services/operator.js';
import { generatePassword, hashPassword, PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN } from '../services/passwords.js';
import { createSuppressionServices, phoneOf } from '../services/suppressions.js';
import { readWebhookSecret, rotateAccountWebhookSecret, type WebhookSecret } from '../services/webhook-secret.js';
import { type Account, getAccount, listAccounts } from '../store/accounts.js';
import { createDb, type Db } from '../store/db.js';
import { addSender } from '../store/senders.js';
import { cancelSending } from '../store/sending-cancel.js';
import { isoFromUs } from '../store/time.js';
import { createToken, revokeTokenAsOperator } from '../store/tokens.js';
import { createAdmin, listAdmins } from '../store/users.js';

const USAGE = `smsgic: operate an SMSgic platform. Every command takes --json (one JSON object on stdout).

  smsgic account create --name NAME [--currency GBP|EUR|USD] [--email E] [--tax-rate PCT]
  smsgic account list
  smsgic account tax-rate ACCOUNT PCT              (sendings priced from now on are taxed at it)
  smsgic credit ACCOUNT AMOUNT [--note TEXT]        (negative AMOUNT debits; never below zero)
  smsgic token create ACCOUNT [--name NAME]         (the token is shown only this once)
  smsgic token revoke TOKEN_ID
  smsgic sender add ACCOUNT NAME
  smsgic sender default NAME                        (a platform-wide default sender)
  smsgic rates import ACCOUNT FILE                  (CSV: mcc,mnc,rate; replaces the account's list)
  smsgic rates import --default FILE                (the platform default list)
  smsgic rates export ACCOUNT | --default          (the list as CSV, in the format rates import reads)
  smsgic sending cancel ID
  smsgic webhook-secret show --account ID           (the key of the account's X-Smsgic-Signature HMAC)
  smsgic webhook-secret rotate --account ID         (a new secret; the old one keeps signing callbacks for 24 h)
  smsgic suppressions list --account ACCOUNT [--search DIGITS]
  smsgic suppressions add --account ACCOUNT PHONE...   (numbers never sent to nor charged for; source operator)
  smsgic suppressions remove --account ACCOUNT PHONE
  smsgic admin create --email E [--password P]      (a platform operator; a password is made when none is given)
  smsgic admin list
  smsgic serve [--api] [--worker]                   (both roles when neither is given)

The database is DATABASE_URL (default: SQLite at ./data/smsgic.db).`;

/** A mistake of the operator's: printed without a stack, exit code 2. */
class UsageError extends Error {}
/** The command was understood but could not be done (unknown account, balance too low): exit code 1. */
class CommandError extends Error {}

/** A command's output printed as it is without --json (a CSV file), instead of one "key: value" line per field. */
const RAW_TEXT = Symbol('raw text');

type Output = Record<string, unknown> & { readonly [RAW_TEXT]?: string };

function accountJson(account: Account): Output {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    currency: account.currency,
    tax_rate: formatMinor(account.taxRatePpm).replace(/\.?0+$/, ''),
    balance: formatBalance(account.balanceMinor),
  };
}

function webhookSecretJson(found: WebhookSecret): Output {
  return {
    account_id: found.accountId,
    secret: found.secret,
    previous_valid_until: found.previousValidUntilUs === null ? null : isoFromUs(found.previousValidUntilUs),
    rotated_at: found.rotatedAtUs === null ? null : isoFromUs(found.rotatedAtUs),
  };
}

function positiveId(text: string | undefined, what: string): number {
  if (text === undefined) throw new UsageError(`${what} is required`);
  if (!/^\d{1,15}$/.test(text) || Number(text) === 0)
    throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  return Number(text);
}

async function existingAccount(db: Db, text: string | undefined): Promise<Account> {
  const id = positiveId(text, 'ACCOUNT');
  const account = await getAccount(db, id);
  if (!account) throw new CommandError(`account ${id} does not exist`);
  return account;
}

function human(result: Output): string {
  return Object.entries(result)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}

/** The options each command accepts besides --json (a misplaced option is a mistake, not something to ignore). */
const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'account create': ['name', 'currency', 'email', 'tax-rate'],
  'account list': [],
  'account tax-rate': [],
  credit: ['note'],
  'token create': ['name'],
  'token revoke': [],
  'sender add': [],
  'sender default': [],
  'rates import': ['default'],
  'rates export': ['default'],
  'sending cancel': [],
  'admin create': ['email', 'password'],
  'admin list': [],
  'webhook-secret show': ['account'],
  'webhook-secret rotate': ['account'],
  'suppressions list': ['account', 'search'],
  'suppressions add': ['account'],
  'suppressions remove': ['account'],
};

/** How many positional arguments each command takes at most. */
const COMMAND_ARGS: Readonly<Record<string, number>> = {
  'account create': 0,
  'account list': 0,
  'account tax-rate': 2,
  credit: 2,
  'token create': 1,
  'token revoke': 1,
  'sender add': 2,
  'sender default': 1,
  'rates import': 2,
  'rates export': 1,
  'sending cancel': 1,
  'admin create': 0,
  'admin list': 0,
  'webhook-secret show': 0,
  'webhook-secret rotate': 0,
  'suppressions list': 0,
  'suppressions add': SUPPRESSIONS_PER_REQUEST_MAX,
  'suppressions remove': 1,
};

const GROUPS = ['account', 'token', 'sender', 'rates', 'sending', 'admin', 'webhook-secret', 'suppressions'];

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
  email: { type: 'string' },
  'tax-rate': { type: 'string' },
  note: { type: 'string' },
  default: { type: 'boolean' },
  password: { type: 'string' },
  account: { type: 'string' },
  search: { type: 'string' },
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
    Object.entries(parsed.values).map(([name, value]) => [name, typeof value === 'string' ? restore(value) : value]),
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

async function run(argv: readonly string[], db: () => Promise<Db>): Promise<Output> {
  const { values, key, sub, args, words } = parseCommandLine(argv);

  switch (key) {
    case 'account create':
      return accountCreateCommand(values, db);
    case 'account list':
      return { accounts: (await listAccounts(await db())).map(accountJson) };
    case 'account tax-rate':
      return taxRateCommand(args, db);
    case 'rates export':
      return ratesExportCommand(values, args, db);
    case 'credit': {
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
      return {
        account_id: account.id,
        amount: formatMinor(amountMinor),
        balance: formatBalance(result.balanceMinor),
        entry_id: result.entry.id,
      };
    }
    case 'token create': {
      const database = await db();
      const account = await existingAccount(database, args[0]);
      const created = await createToken(database, account.id, values.name ? { name: values.name } : {});
      return { id: created.id, token: created.token, prefix: created.prefix, account_id: account.id };
    }
    case 'token revoke': {
      const id = positiveId(args[0], 'TOKEN_ID');
      const result = await revokeTokenAsOperator(await db(), id);
      if (!result.ok) throw new CommandError(`token ${id} does not exist`);
      return { revoked: id };
    }
    case 'sender add':
    case 'sender default': {
      const isDefault = sub === 'default';
      const database = await db();
      const account = isDefault ? null : await existingAccount(database, args[0]);
      const name = isDefault ? args[0] : args[1];
      if (name === undefined) throw new UsageError('NAME is required');
      const problem = senderNameProblem(name);
      if (problem) throw new UsageError(`NAME "${name}": ${problem}`);
      const sender = await addSender(database, account?.id ?? null, name, 'approved');
      return { id: sender.id, sender: sender.name, ...(isDefault && { default: true }) };
    }
    case 'rates import': {
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
      const result = await importPriceList(database, account?.id ?? null, text);
      if (!result.ok) {
        if (result.reason === 'csv') {
          throw new CommandError(`${file} line ${result.line}: ${result.message}; nothing imported`);
        }
        if (result.reason === 'empty_default') {
          throw new CommandError(`${file} has no rates; the default price list cannot be empty; nothing imported`);
        }
        throw new CommandError(`${file}: ${result.reason.replaceAll('_', ' ')}; nothing imported`);
      }
      return { imported: result.imported, ...(account ? { account_id: account.id } : { default: true }) };
    }
    case 'sending cancel': {
      const id = positiveId(args[0], 'ID');
      const result = await cancelSending(await db(), id);
      if (!result.ok) {
        if (result.reason === 'not_found') throw new CommandError(`sending ${id} does not exist`);
        throw new CommandError(`sending ${id} is ${result.status}; only a Pending sending can be cancelled`);
      }
      return { id, status: 'Cancelled', refunded: formatMinor(result.refundedMinor) };
    }
    case 'admin create': {
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
      const created = await createAdmin(await db(), { email, passwordHash: await hashPassword(password) });
      if (!created.ok) throw new CommandError(`a user with the email ${email} already exists`);
      return {
        id: created.user.id,
        email: created.user.email,
        role: created.user.role,
        account_id: created.account.id,
        // Shown this once: only its hash is stored.
        ...(given === undefined && { password }),
      };
    }
    case 'suppressions list':
    case 'suppressions add':
    case 'suppressions remove':
      return suppressionsCommand(sub, values, args, db);
    case 'admin list':
      return {
        admins: (await listAdmins(await db())).map((user) => ({
          id: user.id,
          email: user.email,
          account_id: user.accountId,
          created_at: isoFromUs(user.createdAtUs),
        })),
      };
    case 'webhook-secret show':
    case 'webhook-secret rotate': {
      positiveId(values.account, '--account');
      const database = await db();
      const account = await existingAccount(database, values.account);
      const found =
        sub === 'rotate'
          ? await rotateAccountWebhookSecret(database, account.id)
          : await readWebhookSecret(database, account.id);
      if (!found) throw new CommandError(`account ${account.id} does not exist`);
      return webhookSecretJson(found);
    }
    default:
      throw new UsageError(key ? `unknown command "${words.join(' ')}"` : 'a command is required');
  }
}

/** `smsgic account create`: checks the command line, then opens the account as the operator's dashboard does. */
async function accountCreateCommand(values: CommandLine['values'], db: () => Promise<Db>): Promise<Output> {
  if (!values.name?.trim()) throw new UsageError('--name is required');
  const currency = (values.currency ?? 'GBP').toUpperCase();
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
  return accountJson(account);
}

/** `smsgic account tax-rate ACCOUNT PCT`: sendings priced from now on are taxed at the new rate. */
async function taxRateCommand(args: readonly string[], db: () => Promise<Db>): Promise<Output> {
  const [accountText, rateText] = args;
  positiveId(accountText, 'ACCOUNT');
  if (rateText === undefined) throw new UsageError('PCT is required');
  let taxRatePpm: number;
  try {
    taxRatePpm = parsePercentPpm(rateText);
  } catch (error) {
    if (error instanceof MoneyError) throw new UsageError(`PCT: ${error.message}`);
    throw error;
  }
  const database = await db();
  const account = await existingAccount(database, accountText);
  if (!(await changeTaxRate(database, account.id, taxRatePpm))) {
    throw new CommandError(`account ${account.id} does not exist`);
  }
  return accountJson(await existingAccount(database, accountText));
}

/** `smsgic rates export ACCOUNT | --default`: the price list as CSV, printed as it is without --json. */
async function ratesExportCommand(
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Output> {
  const isDefault = values.default === true;
  if (isDefault === (args[0] !== undefined)) throw new UsageError('either ACCOUNT or --default is required');
  const database = await db();
  const account = isDefault ? null : await existingAccount(database, args[0]);
  const csv = await priceListCsv(database, account?.id ?? null);
  return { ...(account ? { account_id: account.id } : { default: true }), csv, [RAW_TEXT]: csv };
}

/** An error's message followed by those of its causes ("migration failed: connect ECONNREFUSED …"). */
/** `smsgic suppressions list|add|remove --account ACCOUNT …`: an account's opt-out list, changed as the operator. */
async function suppressionsCommand(
  sub: string | undefined,
  values: CommandLine['values'],
  args: readonly string[],
  db: () => Promise<Db>,
): Promise<Output> {
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
  const database = await db();
  const account = await existingAccount(database, values.account);
  const suppressions = createSuppressionServices(database);
  if (sub === 'add') {
    const added = await suppressions.add(account.id, phones, 'operator', 'smsgic');
    return { account_id: account.id, added: added.length };
  }
  if (sub === 'remove') {
    const phone = phones[0] as string;
    if (!(await suppressions.remove(account.id, phone, 'operator', 'smsgic'))) {
      throw new CommandError(`${phone} is not on the suppression list of account ${account.id}`);
    }
    return { account_id: account.id, removed: phone };
  }
  const listed: Output[] = [];
  for (let page = 1; ; page++) {
    const rows = await suppressions.list(account.id, {
      page,
      perPage: 1000,
      ...(search !== undefined && { prefix: search }),
    });
    for (const row of rows) {
      listed.push({ phone_number: row.phone, source: row.source, created_at: isoFromUs(row.createdAtUs) });
    }
    if (rows.length < 1000) break;
  }
  return { account_id: account.id, suppressions: listed };
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
    const raw = result[RAW_TEXT];
    if (!json && raw !== undefined) process.stdout.write(raw);
    else console.log(json ? JSON.stringify(result) : human(result));
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
