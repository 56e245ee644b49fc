// Invitations: the link with which the owner of an account the operator opened chooses a password and becomes one of
// its users. The token travels in the link only; the store keeps its SHA-256, as it does for sessions and API tokens.
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from './db.js';
import { isUniqueViolation } from './dialect-sql.js';
import type { InvitationsTable } from './schema.js';
import { insertCustomerUserIn, isOperatorAccount, type User } from './users.js';
import { intFrom } from './values.js';

const TOKEN_BYTES = 32;

export interface Invitation {
  readonly id: number;
  readonly accountId: number;
  readonly email: string;
  readonly createdBy: string;
  readonly createdAtUs: number;
  readonly expiresAtUs: number;
}

/** An invitation just made: the token is in the link and nowhere else. */
export interface NewInvitation extends Invitation {
  readonly token: string;
}

/** An open invitation as its link shows it, before the password is chosen. */
export interface OpenInvitation extends Invitation {
  readonly accountName: string;
}

export type InviteResult =
  | { readonly ok: true; readonly invitation: NewInvitation }
  | { readonly ok: false; readonly reason: 'no_account' | 'operator_account' };

export type AcceptResult =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'not_open' | 'email_taken' };

function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function invitationFrom(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    email: row.email,
    createdBy: row.created_by,
    createdAtUs: intFrom(row.created_at_us),
    expiresAtUs: intFrom(row.expires_at_us),
  };
}

/**
 * Invites `email` to a customer account: a new link valid for `lifetimeUs`. The account's earlier open invitations end
 * (replaced) in the same transaction, so only the newest link works.
 */
export async function createInvitation(
  db: Db,
  input: {
    readonly accountId: number;
    readonly email: string;
    readonly createdBy: string;
    readonly lifetimeUs: number;
  },
): Promise<InviteResult> {
  if (await isOperatorAccount(db, input.accountId)) return { ok: false, reason: 'operator_account' };
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return db.transaction(async (trx): Promise<InviteResult> => {
    const account = await trx.selectFrom('accounts').select('id').where('id', '=', input.accountId).executeTakeFirst();
    if (!account) return { ok: false, reason: 'no_account' };
    const nowUs = db.nowUs();
    await trx
      .updateTable('invitations')
      .set({ outcome: 'replaced', ended_at_us: nowUs })
      .where('account_id', '=', input.accountId)
      .where('outcome', 'is', null)
      .execute();
    const row = await trx
      .insertInto('invitations')
      .values({
        account_id: input.accountId,
        token_sha256: tokenSha256(token),
        email: input.email.trim(),
        created_by: input.createdBy,
        created_at_us: nowUs,
        expires_at_us: nowUs + input.lifetimeUs,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, invitation: { ...invitationFrom(row), token } };
  });
}

/** The open invitation a link's token names: not accepted, not replaced, not expired; undefined otherwise. */
export async function findOpenInvitation(db: Db, token: string): Promise<OpenInvitation | undefined> {
  const row = await db.kysely
    .selectFrom('invitations as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .selectAll('i')
    .select('a.name as account_name')
    .where('i.token_sha256', '=', tokenSha256(token))
    .where('i.outcome', 'is', null)
    .where('i.expires_at_us', '>', db.nowUs())
    .executeTakeFirst();
  return row ? { ...invitationFrom(row), accountName: row.account_name } : undefined;
}

/**
 * Accepts an open invitation: the invited email becomes a customer user of the account with this password hash, and
 * the invitation ends, in one transaction (a link works once, even when it is opened twice at the same moment).
 */
export async function acceptInvitation(db: Db, token: string, passwordHash: string): Promise<AcceptResult> {
  try {
    return await db.transaction(async (trx): Promise<AcceptResult> => {
      const nowUs = db.nowUs();
      const ended = await trx
        .updateTable('invitations')
        .set({ outcome: 'accepted', ended_at_us: nowUs })
        .where('token_sha256', '=', tokenSha256(token))
        .where('outcome', 'is', null)
        .where('expires_at_us', '>', nowUs)
        .returning(['account_id', 'email'])
        .executeTakeFirst();
      if (!ended) return { ok: false, reason: 'not_open' };
      const user = await insertCustomerUserIn(trx, nowUs, intFrom(ended.account_id), {
        email: ended.email,
        passwordHash,
      });
      if (!user) throw new EmailTaken();
      return { ok: true, user };
    });
  } catch (error) {
    // Taken: the invitation stays open (the transaction rolled back) so that the operator can see and replace it.
    if (error instanceof EmailTaken || isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

class EmailTaken extends Error {}
