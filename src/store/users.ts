// Dashboard users: a login (email and password hash) for one account, as a customer or as a platform operator.
import type { Selectable, Transaction } from 'kysely';
import { PLATFORM_CURRENCY } from '../domain/price-lists.js';
import { type Account, accountFromRow } from './accounts.js';
import type { Db } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import type { Schema, UsersTable } from './schema.js';
import { revokeUserSessionsIn } from './sessions.js';
import { intFrom } from './values.js';
import { newWebhookSecret } from './webhook-secrets.js';

export type Role = 'customer' | 'admin';

export interface User {
  readonly id: number;
  readonly accountId: number;
  readonly email: string;
  readonly role: Role;
  /** What passwords.ts wrote: algorithm, parameters, salt and key. */
  readonly passwordHash: string;
  readonly createdAtUs: number;
  readonly updatedAtUs: number;
}

/** The account platform operators belong to, opened when the first of them is added. */
export const OPERATOR_ACCOUNT_NAME = 'SMSgic operator';
const OPERATOR_ACCOUNT_CURRENCY = PLATFORM_CURRENCY;

const ROLES: readonly Role[] = ['customer', 'admin'];

/** How an email is compared: trimmed, lower case (ASCII and Unicode alike, computed here rather than by SQL). */
export function foldEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userFromRow(row: Selectable<UsersTable>): User {
  const role = ROLES.find((r) => r === row.role);
  if (role === undefined) throw new Error(`user ${row.id} has unknown role ${row.role}`);
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    email: row.email,
    role,
    passwordHash: row.password_hash,
    createdAtUs: intFrom(row.created_at_us),
    updatedAtUs: intFrom(row.updated_at_us),
  };
}

export type CreateUserResult =
  | { readonly ok: true; readonly user: User; readonly account: Account }
  | { readonly ok: false; readonly reason: 'email_taken' };

async function insertUser(
  trx: Transaction<Schema>,
  nowUs: number,
  accountId: number,
  input: { readonly email: string; readonly passwordHash: string; readonly role: Role },
): Promise<User> {
  const row = await trx
    .insertInto('users')
    .values({
      account_id: accountId,
      email: input.email.trim(),
      email_folded: foldEmail(input.email),
      password_hash: input.passwordHash,
      role: input.role,
      created_at_us: nowUs,
      updated_at_us: nowUs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return userFromRow(row);
}

async function insertAccount(
  trx: Transaction<Schema>,
  nowUs: number,
  input: { readonly name: string; readonly email: string | null; readonly currency: string },
): Promise<Account> {
  const row = await trx
    .insertInto('accounts')
    .values({
      name: input.name,
      email: input.email,
      currency: input.currency,
      tax_rate_ppm: 0,
      balance_minor: 0,
      webhook_secret: newWebhookSecret(),
      created_at_us: nowUs,
      updated_at_us: nowUs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return accountFromRow(row);
}

/** Adds a customer user to an existing account inside `trx` (an accepted invitation); the email is checked free first. */
export async function insertCustomerUserIn(
  trx: Transaction<Schema>,
  nowUs: number,
  accountId: number,
  input: { readonly email: string; readonly passwordHash: string },
): Promise<User | null> {
  if (await emailTaken(trx, input.email)) return null;
  return insertUser(trx, nowUs, accountId, { ...input, role: 'customer' });
}

async function emailTaken(trx: Transaction<Schema>, email: string): Promise<boolean> {
  const row = await trx
    .selectFrom('users')
    .select('id')
    .where('email_folded', '=', foldEmail(email))
    .executeTakeFirst();
  return row !== undefined;
}

/** Runs `work`; a unique violation (two sign-ups of one email racing) is the email being taken. */
async function unlessTaken(work: () => Promise<CreateUserResult>): Promise<CreateUserResult> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

/** Opens a customer account (zero balance, no tax) with its first user, in one transaction. Input is validated. */
export function createCustomer(
  db: Db,
  input: { readonly email: string; readonly passwordHash: string; readonly company: string; readonly currency: string },
): Promise<CreateUserResult> {
  return unlessTaken(() =>
    db.transaction(async (trx): Promise<CreateUserResult> => {
      if (await emailTaken(trx, input.email)) return { ok: false, reason: 'email_taken' };
      const nowUs = db.nowUs();
      const account = await insertAccount(trx, nowUs, {
        name: input.company.trim(),
        email: input.email.trim(),
        currency: input.currency,
      });
      const user = await insertUser(trx, nowUs, account.id, { ...input, role: 'customer' });
      return { ok: true, user, account };
    }),
  );
}

/** The operator account: the one the first admin belongs to, null before there is any admin. */
async function operatorAccountId(trx: Transaction<Schema>): Promise<number | null> {
  const row = await trx
    .selectFrom('users')
    .select('account_id')
    .where('role', '=', 'admin')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? intFrom(row.account_id) : null;
}

/** Adds a platform operator, in the operator account (opened with the first admin). */
export function createAdmin(
  db: Db,
  input: { readonly email: string; readonly passwordHash: string },
): Promise<CreateUserResult & { readonly accountCreated?: boolean }> {
  return unlessTaken(() =>
    db.transaction(async (trx) => {
      if (await emailTaken(trx, input.email)) return { ok: false, reason: 'email_taken' } as const;
      const nowUs = db.nowUs();
      const existing = await operatorAccountId(trx);
      let account: Account;
      if (existing === null) {
        account = await insertAccount(trx, nowUs, {
          name: OPERATOR_ACCOUNT_NAME,
          email: null,
          currency: OPERATOR_ACCOUNT_CURRENCY,
        });
      } else {
        const row = await trx.selectFrom('accounts').selectAll().where('id', '=', existing).executeTakeFirstOrThrow();
        account = accountFromRow(row);
      }
      const user = await insertUser(trx, nowUs, account.id, { ...input, role: 'admin' });
      return { ok: true, user, account, accountCreated: existing === null } as const;
    }),
  );
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const row = await db.kysely
    .selectFrom('users')
    .selectAll()
    .where('email_folded', '=', foldEmail(email))
    .executeTakeFirst();
  return row && userFromRow(row);
}

export async function getUser(db: Db, userId: number): Promise<User | undefined> {
  const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  return row && userFromRow(row);
}

/** Whether platform operators sign in to this account (it must stay usable: it is where they act from). */
export async function isOperatorAccount(db: Db, accountId: number): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('account_id', '=', accountId)
    .where('role', '=', 'admin')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every platform operator, oldest first. */
export async function listAdmins(db: Db): Promise<User[]> {
  const rows = await db.kysely.selectFrom('users').selectAll().where('role', '=', 'admin').orderBy('id').execute();
  return rows.map(userFromRow);
}

/**
 * Replaces the user's password hash and, in the same transaction, ends every session of the user but `keepSessionId`
 * (the one that asked for the change), so that a stolen session does not outlive the new password.
 */
export async function changePassword(
  db: Db,
  userId: number,
  passwordHash: string,
  keepSessionId: number | null,
): Promise<void> {
  await db.transaction(async (trx) => {
    const nowUs = db.nowUs();
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at_us: nowUs })
      .where('id', '=', userId)
      .execute();
    await revokeUserSessionsIn(trx, nowUs, userId, keepSessionId);
  });
}
