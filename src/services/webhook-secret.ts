// The webhook secret that signs an account's status callbacks: shown to the account (and the operator), rotated with a
// grace period for the replaced one. The dashboard and the CLI call these same functions.
import { WEBHOOK_SECRET_GRACE_MS } from '../domain/limits.js';
import { US_PER_MS } from '../domain/time.js';
import type { Db } from '../store/db.js';
import { getWebhookSecret, rotateWebhookSecret, type WebhookSecret } from '../store/webhook-secrets.js';
import type { Actor, UseCaseContext } from './context.js';
import { notFound, type Outcome, ok } from './outcome.js';

export type { WebhookSecret };

/** The account's secret as callbacks are signed now; undefined for an account that does not exist. */
export function readWebhookSecret(db: Db, accountId: number): Promise<WebhookSecret | undefined> {
  return getWebhookSecret(db, accountId);
}

/** A new secret for the account; the replaced one keeps signing callbacks for WEBHOOK_SECRET_GRACE_MS. */
export function rotateAccountWebhookSecret(db: Db, accountId: number): Promise<WebhookSecret | undefined> {
  return rotateWebhookSecret(db, accountId, WEBHOOK_SECRET_GRACE_MS * US_PER_MS);
}

/** The signed-in account's own secret only: the actor names the account, no request field does. */
export function createWebhookSecretServices({ deps: { db } }: UseCaseContext) {
  return {
    async webhookSecret(actor: Actor): Promise<Outcome<WebhookSecret>> {
      const found = await readWebhookSecret(db, actor.account.id);
      return found ? ok(found) : notFound;
    },

    async rotateWebhookSecret(actor: Actor): Promise<Outcome<WebhookSecret>> {
      const rotated = await rotateAccountWebhookSecret(db, actor.account.id);
      return rotated ? ok(rotated) : notFound;
    },
  };
}
