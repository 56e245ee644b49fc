// Failed logins, kept for a sliding window so that every process sees the same count per email and per address.
import type { Db } from './db.js';
import { US_PER_MS, US_PER_SECOND } from './time.js';
import { intFrom } from './values.js';

export interface LoginLimits {
  /** The window failures are counted over. */
  readonly windowMs: number;
  /** Failures for one email within the window that block further attempts for it. */
  readonly perEmail: number;
  /** Failures from one client address within the window that block it, whatever the emails. */
  readonly perIp: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60 * 1000, perEmail: 5, perIp: 50 };

/**
 * Seconds until the email or the address may try again, or 0 when neither is blocked. Blocked means `limit` failures
 * within the window; it lifts when the oldest of the latest `limit` failures leaves the window.
 */
export async function loginBlockedForSeconds(
  db: Db,
  emailFolded: string,
  ip: string,
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
): Promise<number> {
  const nowUs = db.nowUs();
  const sinceUs = nowUs - limits.windowMs * US_PER_MS;
  const oldestOfLatest = async (column: 'email_folded' | 'ip', value: string, limit: number) => {
    const row = await db.kysely
      .selectFrom((eb) =>
        eb
          .selectFrom('login_failures')
          .select('attempted_at_us')
          .where(column, '=', value)
          .where('attempted_at_us', '>', sinceUs)
          .orderBy('attempted_at_us', 'desc')
          .limit(limit)
          .as('latest'),
      )
      .select((eb) => [eb.fn.countAll<number | string>().as('failures'), eb.fn.min('attempted_at_us').as('oldest')])
      .executeTakeFirstOrThrow();
    return intFrom(row.failures) >= limit && row.oldest !== null ? intFrom(row.oldest) : null;
  };
  const [byEmail, byIp] = await Promise.all([
    oldestOfLatest('email_folded', emailFolded, limits.perEmail),
    oldestOfLatest('ip', ip, limits.perIp),
  ]);
  let untilUs = 0;
  for (const oldest of [byEmail, byIp]) {
    if (oldest !== null) untilUs = Math.max(untilUs, oldest + limits.windowMs * US_PER_MS);
  }
  return untilUs === 0 ? 0 : Math.max(1, Math.ceil((untilUs - nowUs) / US_PER_SECOND));
}

/** Records a failure, and sweeps failures that have left every window. */
export async function recordLoginFailure(
  db: Db,
  emailFolded: string,
  ip: string,
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
): Promise<void> {
  const nowUs = db.nowUs();
  await db.transaction(async (trx) => {
    await trx.insertInto('login_failures').values({ email_folded: emailFolded, ip, attempted_at_us: nowUs }).execute();
    await trx
      .deleteFrom('login_failures')
      .where('attempted_at_us', '<=', nowUs - limits.windowMs * US_PER_MS)
      .execute();
  });
}

/** A successful login forgets the email's failures (the address keeps its count). */
export async function clearLoginFailures(db: Db, emailFolded: string): Promise<void> {
  await db.transaction((trx) => trx.deleteFrom('login_failures').where('email_folded', '=', emailFolded).execute());
}
