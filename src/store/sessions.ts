// Dashboard sessions: a random id in the browser's cookie, only its SHA-256 here, with the CSRF token of the session.
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import { SESSION_LIFETIME_MS } from '../domain/limits.js';
import { type Account, accountFromRow } from './accounts.js';
import type { Db } from './db.js';
import type { AccountsTable, Schema } from './schema.js';
import { US_PER_MS } from './time.js';
import { intFrom } from './values.js';

/** A session not used for this long has ended. */
export const SESSION_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at_us` is only written when older than this, so that browsing does not turn every request into a write. */
export const SESSION_SEEN_RESOLUTION_MS = 60_000;

const SESSION_ID_BYTES = 32;
const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

export interface NewSession {
  /** The cookie's value: shown to the browser once, never stored. */
  readonly sessionId: string;
  readonly id: number;
  readonly csrfToken: string;
  readonly expiresAtUs: number;
}

export interface ActiveSession {
  /** The row's id (not the cookie's value). */
  readonly id: number;
  readonly csrfToken: string;
  readonly user: { readonly id: number; readonly email: string; readonly role: 'customer' | 'admin' };
  /** The user's account as of this request (balance included). */
  readonly account: Account;
  readonly expiresAtUs: number;
}

/** A session id is 256 random bits: one fast hash is enough, there is nothing to brute-force. */
export function sessionSha256(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

export async function createSession(db: Db, userId: number): Promise<NewSession> {
  const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const nowUs = db.nowUs();
  const expiresAtUs = nowUs + SESSION_LIFETIME_MS * US_PER_MS;
  const row = await db.transaction((trx) =>
    trx
      .insertInto('sessions')
      .values({
        session_sha256: sessionSha256(sessionId),
        user_id: userId,
        csrf_token: csrfToken,
        created_at_us: nowUs,
        last_seen_at_us: nowUs,
        expires_at_us: expiresAtUs,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return { sessionId, id: intFrom(row.id), csrfToken, expiresAtUs };
}

type SessionRow = Selectable<AccountsTable> & {
  session_id: number | string;
  session_csrf_token: string;
  session_last_seen_at_us: number | string;
  session_expires_at_us: number | string;
  session_revoked_at_us: number | string | null;
  user_id: number | string;
  user_email: string;
  user_role: string;
};

/**
 * The session a cookie names, with its user and account read in the same query (every dashboard request asks);
 * null when the id is malformed, unknown, revoked, past its lifetime or idle too long.
 */
export async function findSession(db: Db, sessionId: string): Promise<ActiveSession | null> {
  if (!SESSION_ID_RE.test(sessionId)) return null;
  const row = (await db.kysely
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('accounts as a', 'a.id', 'u.account_id')
    .selectAll('a')
    .select([
      's.id as session_id',
      's.csrf_token as session_csrf_token',
      's.last_seen_at_us as session_last_seen_at_us',
      's.expires_at_us as session_expires_at_us',
      's.revoked_at_us as session_revoked_at_us',
      'u.id as user_id',
      'u.email as user_email',
      'u.role as user_role',
    ])
    .where('s.session_sha256', '=', sessionSha256(sessionId))
    .executeTakeFirst()) as SessionRow | undefined;
  if (!row || row.session_revoked_at_us !== null) return null;
  const nowUs = db.nowUs();
  const expiresAtUs = intFrom(row.session_expires_at_us);
  const lastSeenAtUs = intFrom(row.session_last_seen_at_us);
  if (expiresAtUs <= nowUs || lastSeenAtUs + SESSION_IDLE_MS * US_PER_MS <= nowUs) return null;
  const id = intFrom(row.session_id);
  const staleBeforeUs = nowUs - SESSION_SEEN_RESOLUTION_MS * US_PER_MS;
  if (lastSeenAtUs < staleBeforeUs) {
    // Conditional, so that concurrent requests of one session write it once.
    await db.transaction((trx) =>
      trx
        .updateTable('sessions')
        .set({ last_seen_at_us: nowUs })
        .where('id', '=', id)
        .where('last_seen_at_us', '<', staleBeforeUs)
        .execute(),
    );
  }
  const role = row.user_role === 'admin' ? 'admin' : 'customer';
  return {
    id,
    csrfToken: row.session_csrf_token,
    user: { id: intFrom(row.user_id), email: row.user_email, role },
    account: accountFromRow(row),
    expiresAtUs,
  };
}

/** Ends one session (logout); ending it twice changes nothing. */
export async function revokeSession(db: Db, id: number): Promise<void> {
  await db.transaction((trx) =>
    trx
      .updateTable('sessions')
      .set({ revoked_at_us: db.nowUs() })
      .where('id', '=', id)
      .where('revoked_at_us', 'is', null)
      .execute(),
  );
}

/** Ends every open session of the user but `keepId`, inside the caller's transaction. */
export async function revokeUserSessionsIn(
  trx: Transaction<Schema>,
  nowUs: number,
  userId: number,
  keepId: number | null,
): Promise<void> {
  let update = trx
    .updateTable('sessions')
    .set({ revoked_at_us: nowUs })
    .where('user_id', '=', userId)
    .where('revoked_at_us', 'is', null);
  if (keepId !== null) update = update.where('id', '<>', keepId);
  await update.execute();
}
