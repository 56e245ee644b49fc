// What the platform offers every account: is there a default price list and a default sender yet (first start)?
import type { Db } from './db.js';

export async function hasDefaultRates(db: Db): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('rates')
    .select('id')
    .where('account_id', 'is', null)
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
