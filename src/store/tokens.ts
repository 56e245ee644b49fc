// API tokens: created once in plain text, stored as a SHA-256 hash, checked on every request.
import { hash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type CountryList, countryListFrom, effectiveCountries } from '../domain/destinations.js';
import { minorFrom } from '../domain/money.js';
import type { Account } from './accounts.js';
import type { Db } from './db.js';
import type { AccountsTable, ApiTokensTable } from './schema.js';
import { US_PER_MS } from './time.js';
import { intFrom, intOrNull } from './values.js';

export const TOKEN_PREFIX = 'smsgic_';
const TOKEN_BYTES = 32;
const TOKEN_RE = /^smsgic_[A-Za-z0-9_-]{43}$/;
/** Characters of the token kept in clear to tell tokens apart in listings: the prefix and 7 random ones (42 bits). */
const DISPLAY_PREFIX_CHARS = TOKEN_PREFIX.length + 7;
/** `last_used_at` is only written when older than this, so a busy token does not turn every request into a write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface TokenInfo {
  readonly id: number;
  readonly accountId: number;
  readonly name: string;
  /** The first characters of the token, for display ("smsgic_AbC12xY"). */
  readonly prefix: string;
  readonly createdAtUs: number;
  readonly lastUsedAtUs: number | null;
  readonly revokedAtUs: number | null;
  readonly expiresAtUs: number | null;
}

export interface CreatedToken {
  readonly id: number;
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
}

export interface Authenticated {
  readonly accountId: number;
  readonly tokenId: number;
}

export type RevokeResult =
  | { readonly ok: true; readonly token: TokenInfo }
  | { readonly ok: false; readonly reason: 'not_found' };

/**
 * A token is 256 random bits, so one fast hash is enough: there is nothing to brute-force. The one-shot `hash` (UTF-8
 * in, hex out), at half the cost of a Hash object for a string this short; every request pays it.
 */
export function tokenSha256(token: string): string {
  return hash('sha256', token, 'hex');
}

function tokenFromRow(row: Selectable<ApiTokensTable>): TokenInfo {
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    name: row.name,
    prefix: row.prefix,
    createdAtUs: intFrom(row.created_at_us),
    lastUsedAtUs: intOrNull(row.last_used_at_us),
    revokedAtUs: intOrNull(row.revoked_at_us),
    expiresAtUs: intOrNull(row.expires_at_us),
  };
}

export async function createToken(
  db: Db,
  accountId: number,
  options: { readonly name?: string; readonly expiresAtUs?: number | null } = {},
): Promise<CreatedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
  const prefix = token.slice(0, DISPLAY_PREFIX_CHARS);
  const row = await db.transaction((trx) =>
    trx
      .insertInto('api_tokens')
      .values({
        account_id: accountId,
        name: options.name ?? 'default',
        prefix,
        token_sha256: tokenSha256(token),
        created_at_us: db.nowUs(),
        expires_at_us: options.expiresAtUs ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return { id: intFrom(row.id), token, prefix };
}

type AuthenticationRow = Pick<
  Selectable<AccountsTable>,
  'id' | 'currency' | 'tax_rate_ppm' | 'balance_minor' | 'suspended_at_us' | 'allowed_countries' | 'chosen_countries'
> & {
  token_id: number | string;
  token_revoked_at_us: number | string | null;
  token_expires_at_us: number | string | null;
  token_last_used_at_us: number | string | null;
};

/**
 * The SQL of the token-and-account lookup, compiled once per database: it runs on every API request, where building
 * and compiling the query each time would cost more than the query itself.
 */
const authenticationSqlByDb = new WeakMap<Db, string>();

function authenticationSql(db: Db): string {
  let text = authenticationSqlByDb.get(db);
  if (text === undefined) {
    text = db.kysely
      .selectFrom('api_tokens as t')
      .innerJoin('accounts as a', 'a.id', 't.account_id')
      // Only what a request needs: every column read is one more type to parse, on every request. Read by position
      // (authenticationRow): keep the two in the same order.
      .select([
        'a.id',
        'a.currency',
        'a.tax_rate_ppm',
        'a.balance_minor',
        'a.suspended_at_us',
        'a.allowed_countries',
        'a.chosen_countries',
        't.id as token_id',
        't.revoked_at_us as token_revoked_at_us',
        't.expires_at_us as token_expires_at_us',
        't.last_used_at_us as token_last_used_at_us',
      ])
      .where('t.token_sha256', '=', '')
      .compile().sql;
    authenticationSqlByDb.set(db, text);
  }
  return text;
}

/** The lookup's row from its values, in the order of its select (authenticationSql). */
function authenticationRow(values: readonly unknown[]): AuthenticationRow {
  return {
    id: values[0],
    currency: values[1],
    tax_rate_ppm: values[2],
    balance_minor: values[3],
    suspended_at_us: values[4],
    allowed_countries: values[5],
    chosen_countries: values[6],
    token_id: values[7],
    token_revoked_at_us: values[8],
    token_expires_at_us: values[9],
    token_last_used_at_us: values[10],
  } as AuthenticationRow;
}

export interface AuthenticatedAccount extends Authenticated {
  /** What a request needs of its account, as of this request. */
  readonly account: Pick<Account, 'id' | 'currency' | 'taxRatePpm' | 'balanceMinor'> & {
    /** The countries it sends to (the operator's list and the customer's choice), as of this request; null: all. */
    readonly countries: CountryList;
  };
}

/** A good token of a suspended account. */
export interface AccountSuspended {
  readonly suspended: true;
}

const ACCOUNT_SUSPENDED: AccountSuspended = Object.freeze({ suspended: true });

/**
 * The account a bearer token acts for, read with the token in one query (the hot path of every API request); null
 * when the token is malformed, unknown, revoked or expired; `{ suspended: true }` when it is good but its account is
 * suspended. The account's balance is as of
 * this request.
 */
export async function authenticateAccount(
  db: Db,
  token: string,
): Promise<AuthenticatedAccount | AccountSuspended | null> {
  if (!TOKEN_RE.test(token)) return null;
  const values = await db.readFirstValues(authenticationSql(db), [tokenSha256(token)]);
  if (values === undefined) return null;
  const row = authenticationRow(values);
  if (row.token_revoked_at_us !== null) return null;
  const nowUs = db.nowUs();
  if (row.token_expires_at_us !== null && intFrom(row.token_expires_at_us) <= nowUs) return null;
  // A suspended account's tokens are refused, saying why to the holder of a token that is otherwise good (the column
  // came with the account in this one read).
  if (row.suspended_at_us !== null) return ACCOUNT_SUSPENDED;
  const tokenId = intFrom(row.token_id);
  const staleBeforeUs = nowUs - LAST_USED_RESOLUTION_MS * US_PER_MS;
  const lastUsedAtUs = intOrNull(row.token_last_used_at_us);
  if (lastUsedAtUs === null || lastUsedAtUs < staleBeforeUs) {
    // Conditional, so that concurrent requests of one token write it once.
    await db.transaction((trx) =>
      trx
        .updateTable('api_tokens')
        .set({ last_used_at_us: nowUs })
        .where('id', '=', tokenId)
        .where((eb) => eb.or([eb('last_used_at_us', 'is', null), eb('last_used_at_us', '<', staleBeforeUs)]))
        .execute(),
    );
  }
  const account = {
    id: intFrom(row.id),
    currency: row.currency,
    taxRatePpm: row.tax_rate_ppm,
    balanceMinor: minorFrom(row.balance_minor),
    countries: effectiveCountries(countryListFrom(row.allowed_countries), countryListFrom(row.chosen_countries)),
  };
  return { accountId: account.id, tokenId, account };
}

/** The account a bearer token acts for; null when the token is malformed, unknown, revoked or expired, or its account suspended. */
export async function authenticate(db: Db, token: string): Promise<Authenticated | null> {
  const found = await authenticateAccount(db, token);
  if (found === null || 'suspended' in found) return null;
  return { accountId: found.accountId, tokenId: found.tokenId };
}

/** The account's tokens, newest first; revoked and expired ones included (with their dates). */
export async function listTokens(db: Db, accountId: number): Promise<TokenInfo[]> {
  const rows = await db.kysely
    .selectFrom('api_tokens')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(tokenFromRow);
}

async function revoke(db: Db, tokenId: number, accountId: number | null): Promise<RevokeResult> {
  return db.transaction(async (trx) => {
    let update = trx
      .updateTable('api_tokens')
      .set({ revoked_at_us: db.nowUs() })
      .where('id', '=', tokenId)
      .where('revoked_at_us', 'is', null);
    if (accountId !== null) update = update.where('account_id', '=', accountId);
    await update.execute();
    // Revoking twice is not an error: the first revocation date stays.
    let select = trx.selectFrom('api_tokens').selectAll().where('id', '=', tokenId);
    if (accountId !== null) select = select.where('account_id', '=', accountId);
    const row = await select.executeTakeFirst();
    return row ? { ok: true, token: tokenFromRow(row) } : { ok: false, reason: 'not_found' };
  });
}

/** Revokes one of the account's tokens; another account's token is not found. */
export function revokeToken(db: Db, accountId: number, tokenId: number): Promise<RevokeResult> {
  return revoke(db, tokenId, accountId);
}

/** Revokes any token by id: for the operator (`smsgic token revoke`), who acts across accounts. */
export function revokeTokenAsOperator(db: Db, tokenId: number): Promise<RevokeResult> {
  return revoke(db, tokenId, null);
}
