// An account's webhook secret (the key of the callbacks' HMAC): read, and rotated with a grace period for the old one.
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { assertInt, intOrNull } from './values.js';

export interface WebhookSecret {
  readonly accountId: number;
  /** Signs every callback; alone once the grace period is over. */
  readonly secret: string;
  /** The secret before the last rotation while it still signs callbacks; null otherwise. */
  readonly previousSecret: string | null;
  /** Until when the previous secret signs callbacks (exclusive); null when there is no grace period running. */
  readonly previousValidUntilUs: number | null;
  /** When the secret was last rotated; null if it never was. */
  readonly rotatedAtUs: number | null;
}

/** A new secret: 32 random bytes, base64url (the form accounts are created with). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The previous secret counts only before its time runs out: the one rule for the store's readers (this module and the
 * callback claim), so that what the dashboard shows and what the worker signs agree.
 */
export function previousWhileValid(
  previous: string | null,
  untilUs: number | string | null,
  nowUs: number,
): { readonly previousSecret: string | null; readonly previousValidUntilUs: number | null } {
  const until = intOrNull(untilUs);
  if (previous === null || until === null || until <= nowUs)
    return { previousSecret: null, previousValidUntilUs: null };
  return { previousSecret: previous, previousValidUntilUs: until };
}

interface SecretRow {
  webhook_secret: string;
  webhook_secret_previous: string | null;
  webhook_secret_previous_until_us: number | string | null;
  webhook_secret_rotated_at_us: number | string | null;
}

function secretFrom(accountId: number, row: SecretRow, nowUs: number): WebhookSecret {
  return {
    accountId,
    secret: row.webhook_secret,
    ...previousWhileValid(row.webhook_secret_previous, row.webhook_secret_previous_until_us, nowUs),
    rotatedAtUs: intOrNull(row.webhook_secret_rotated_at_us),
  };
}

const COLUMNS = [
  'webhook_secret',
  'webhook_secret_previous',
  'webhook_secret_previous_until_us',
  'webhook_secret_rotated_at_us',
] as const;

/** The account's secret as callbacks are signed now; undefined for an account that does not exist. */
export async function getWebhookSecret(db: Db, accountId: number): Promise<WebhookSecret | undefined> {
  const row = await db.kysely.selectFrom('accounts').select(COLUMNS).where('id', '=', accountId).executeTakeFirst();
  return row && secretFrom(accountId, row, db.nowUs());
}

/**
 * Replaces the account's secret with a new random one; the one replaced keeps signing callbacks for `graceUs` more.
 * A rotation during a grace period ends the older secret's at once: only the last two secrets ever sign.
 */
export async function rotateWebhookSecret(
  db: Db,
  accountId: number,
  graceUs: number,
): Promise<WebhookSecret | undefined> {
  assertInt(graceUs, 'graceUs', 0);
  const nowUs = db.nowUs();
  // One statement: the right-hand sides read the row as it was, so the previous secret is the one replaced here.
  const row = await db.transaction((trx) =>
    trx
      .updateTable('accounts')
      .set((eb) => ({
        webhook_secret_previous: eb.ref('webhook_secret'),
        webhook_secret: newWebhookSecret(),
        webhook_secret_previous_until_us: nowUs + graceUs,
        webhook_secret_rotated_at_us: nowUs,
        updated_at_us: nowUs,
      }))
      .where('id', '=', accountId)
      .returning(COLUMNS)
      .executeTakeFirst(),
  );
  return row && secretFrom(accountId, row, nowUs);
}
