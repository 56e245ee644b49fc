// A rotated webhook secret: the previous one stays valid until a time, and when the secret last changed.
import type { Kysely, Migration } from 'kysely';

/**
 * While `webhook_secret_previous_until_us` is ahead of the clock, callbacks carry a signature under the previous
 * secret as well as under the current one (dispatch/callbacks.ts), so that a receiver holding either verifies them.
 */
export function webhookSecretRotationSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('accounts').addColumn('webhook_secret_previous', 'text').execute();
      await db.schema.alterTable('accounts').addColumn('webhook_secret_previous_until_us', 'bigint').execute();
      await db.schema.alterTable('accounts').addColumn('webhook_secret_rotated_at_us', 'bigint').execute();
    },
  };
}
