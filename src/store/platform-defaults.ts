// What the platform offers every account: is there a default price list and a default sender yet (first start)?
import { PLATFORM_CURRENCY } from '../domain/price-lists.js';
import type { Db } from './db.js';

/** Whether the base default list (in PLATFORM_CURRENCY, the one the others are converted from) has rates. */
export async function hasDefaultRates(db: Db): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('rates')
    .select('id')
    .where('account_id', 'is', null)
    .where('currency', '=', PLATFORM_CURRENCY)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function hasDefaultSender(db: Db): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('senders')
    .select('id')
    .where('account_id', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
