// Password checks, counted over a sliding window so that every process sees the same count per email and address.
import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from './db.js';
import type { Schema } from './schema.js';
import { US_PER_MS, US_PER_SECOND } from './time.js';
import { intFrom } from './values.js';

export interface LoginLimits {
  /** The window failures are counted over. */
  readonly windowMs: number;
  /**
   * Failures for one email from one client address that block that pair: low, so that guessing from one place stops
   * soon, while the owner signing in from elsewhere is not locked out by someone else's guesses.
   */
  readonly perEmailFromIp: number;
  /** Failures for one email from any addresses that block it everywhere: high, against guesses spread over many. */
  readonly perEmail: number;
  /** Failures from one client address within the window that block it, whatever the emails. */
  readonly perIp: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60 * 1000,
  perEmailFromIp: 5,
  perEmail: 100,
  perIp: 50,
};

/** A password check may go ahead (its row is already counted as a failure), or must wait this many seconds. */
export type LoginClaim =
  | { readonly ok: true; readonly attemptId: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** Classes of the two-key advisory locks (a space apart from the one-key locks of dialect-sql) per email, per address. */
const LOCK_EMAIL = 0x534d_0101;
const LOCK_IP = 0x534d_0102;

type Scope = (
  eb: ExpressionBuilder<Schema, 'login_failures'>,
) => ReturnType<ExpressionBuilder<Schema, 'login_failures'>['and']>;

/**
 * Claims one password check for `emailFolded` from `ip`, or refuses it when the pair, the email or the address has its
 * ceiling of failures within the window. The check (count) and the claim (a row counted as a failure until the
 * password is found right) are one step: on SQLite a write transaction holds the database's write lock, on PostgreSQL
 * advisory locks on the email and then the address (always in that order, so no two claims deadlock) serialize the
 * claims that share either. So however many requests arrive at once, at most the ceiling of them check a password.
 */
export async function claimLoginAttempt(
  db: Db,
  emailFolded: string,
  ip: string,
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
): Promise<LoginClaim> {
  return db.transaction(async (trx) => {
    if (db.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(${sql.lit(LOCK_EMAIL)}, hashtext(${emailFolded}))`.execute(trx);
      await sql`select pg_advisory_xact_lock(${sql.lit(LOCK_IP)}, hashtext(${ip}))`.execute(trx);
    }
    const nowUs = db.nowUs();
    const windowUs = limits.windowMs * US_PER_MS;
    const sinceUs = nowUs - windowUs;
    /** When the oldest of the latest `limit` failures in `scope` leaves the window; null while under the limit. */
    const blockedUntil = async (scope: Scope, limit: number): Promise<number | null> => {
      const row = await trx
        .selectFrom((eb) =>
          eb
            .selectFrom('login_failures')
            .select('attempted_at_us')
            .where(scope)
            .where('attempted_at_us', '>', sinceUs)
            .orderBy('attempted_at_us', 'desc')
            .limit(limit)
            .as('latest'),
        )
        .select((eb) => [eb.fn.countAll<number | string>().as('failures'), eb.fn.min('attempted_at_us').as('oldest')])
        .executeTakeFirstOrThrow();
      return intFrom(row.failures) >= limit && row.oldest !== null ? intFrom(row.oldest) + windowUs : null;
    };
    const until = [
      await blockedUntil(
        (eb) => eb.and([eb('email_folded', '=', emailFolded), eb('ip', '=', ip)]),
        limits.perEmailFromIp,
      ),
      await blockedUntil((eb) => eb.and([eb('email_folded', '=', emailFolded)]), limits.perEmail),
      await blockedUntil((eb) => eb.and([eb('ip', '=', ip)]), limits.perIp),
    ].reduce<number>((latest, u) => (u === null ? latest : Math.max(latest, u)), 0);
    if (until > 0) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((until - nowUs) / US_PER_SECOND)) };
    }
    await trx.deleteFrom('login_failures').where('attempted_at_us', '<=', sinceUs).execute();
    const row = await trx
      .insertInto('login_failures')
      .values({ email_folded: emailFolded, ip, attempted_at_us: nowUs })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ok: true, attemptId: intFrom(row.id) };
  });
}

/**
 * The claimed check found the password right: it was no failure, and the email's earlier failures from this address
 * are forgotten. Its failures from other addresses still count: signing in does not hand a guesser a fresh allowance.
 */
export async function loginSucceeded(db: Db, attemptId: number, emailFolded: string, ip: string): Promise<void> {
  await db.transaction((trx) =>
    trx
      .deleteFrom('login_failures')
      .where((eb) =>
        eb.or([eb('id', '=', attemptId), eb.and([eb('email_folded', '=', emailFolded), eb('ip', '=', ip)])]),
      )
      .execute(),
  );
}
