// Forgets rows nothing needs any more, a batch at a time, so that tables which only grow stay bounded.
import { sql } from 'kysely';
import type { Db } from './db.js';
import { inBatch } from './dispatch-sql.js';
import { assertInt } from './values.js';

export interface Pruned {
  readonly callbacks: number;
  readonly sandboxSubmissions: number;
}

/**
 * Deletes up to `limit` status callbacks finished (delivered or abandoned) before `beforeUs`, and as many sandbox
 * submissions accepted before it. A pending callback is never deleted, however old.
 */
export async function pruneFinishedRows(
  db: Db,
  options: { readonly beforeUs: number; readonly limit: number },
): Promise<Pruned> {
  assertInt(options.beforeUs, 'beforeUs', 0);
  assertInt(options.limit, 'limit', 1);
  const { beforeUs, limit } = options;
  return db.transaction(async (trx) => {
    const callbacks = await sql`
      delete from callback_outbox where id ${inBatch(
        db.dialect,
        sql`select id from callback_outbox
          where state <> 'pending' and updated_at_us < ${beforeUs}
          order by updated_at_us, id limit ${limit}`,
      )}`.execute(trx);
    const submissions = await sql`
      delete from sandbox_submissions where reference ${inBatch(
        db.dialect,
        sql`select reference from sandbox_submissions
          where accepted_at_us < ${beforeUs}
          order by accepted_at_us limit ${limit}`,
      )}`.execute(trx);
    return {
      callbacks: Number(callbacks.numAffectedRows ?? 0),
      sandboxSubmissions: Number(submissions.numAffectedRows ?? 0),
    };
  });
}
