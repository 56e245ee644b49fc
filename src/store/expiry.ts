// Validity: the queued messages of sendings whose validity has ended, ended `expired` and refunded by settlement.
import { sql } from 'kysely';
import { windowTexts } from '../domain/texts.js';
import { enqueueCallbacks, type StatusEvent } from './callbacks.js';
import type { Db } from './db.js';
import { settleSendings } from './dispatch-settlement.js';
import { inBatch } from './dispatch-sql.js';
import { assertInt, intFrom } from './values.js';

export interface ExpirySweep {
  /** Sendings looked at per call. */
  readonly sendingsMax: number;
  /** Messages ended per transaction. */
  readonly batch: number;
}

export const EXPIRY_SWEEP_DEFAULT: ExpirySweep = { sendingsMax: 10, batch: 5_000 };

/**
 * Ends as `expired` the messages still queued (never handed over: waiting for their window, their schedule, a retry
 * or a worker) of the open sendings whose validity ended by `nowUs`, with the error `windowTexts.expiredBeforeHandOver`.
 * The sendings due are read through `sendings_expiring` (only open sendings with a validity, in expiry order; named
 * on SQLite, whose planner has no statistics and would take the status index), their
 * queued messages through `messages_queued_due`: never a scan of messages. Each batch is one transaction: the
 * messages, then (LOCK_ORDER) the sending's settlement, which refunds once none of its messages is in flight what no
 * provider accepted (the expired ones with the rest), and the status callbacks. A message a worker holds is left to
 * it (the hand-over ends it `expired` as well). Returns the messages ended.
 */
export async function expireOverdueMessages(
  db: Db,
  nowUs: number,
  sweep: ExpirySweep = EXPIRY_SWEEP_DEFAULT,
): Promise<number> {
  assertInt(sweep.sendingsMax, 'sendingsMax', 1);
  assertInt(sweep.batch, 'batch', 1);
  // SQLite has no statistics: the indexes are named, and the status test of rows found by id kept off the status index.
  const sqlite = db.dialect === 'sqlite';
  const { rows: due } = await sql<{ id: number | string }>`
    select id from sendings ${sqlite ? sql`indexed by sendings_expiring` : sql``}
    where expires_at_us is not null and status in ('Pending', 'Processing') and dispatch_settled_at_us is null
      and expires_at_us <= ${nowUs}
    order by expires_at_us, id
    limit ${sweep.sendingsMax}`.execute(db.kysely);
  let ended = 0;
  for (const row of due) {
    const sendingId = intFrom(row.id);
    for (;;) {
      const count = await db.transaction(async (trx) => {
        const { rows } = await sql<{ id: number | string }>`
          update messages
          set status = 'expired', error = ${windowTexts.expiredBeforeHandOver}, final_at_us = ${nowUs},
              updated_at_us = ${nowUs}
          where id ${inBatch(
            db.dialect,
            sql`select id from messages ${sqlite ? sql`indexed by messages_queued_due` : sql``}
                where sending_id = ${sendingId} and status = 'queued' limit ${sweep.batch}`,
          )}
            and ${sqlite ? sql`+` : sql``}status = 'queued'
          returning id`.execute(trx);
        const settled = await settleSendings(trx, db.dialect, nowUs, [sendingId]);
        if (rows.length > 0 && settled.get(sendingId)?.hasCallback) {
          const events: StatusEvent[] = rows.map((m) => ({
            messageId: intFrom(m.id),
            sendingId,
            status: 'expired',
            error: windowTexts.expiredBeforeHandOver,
          }));
          await enqueueCallbacks(trx, db.dialect, nowUs, events);
        }
        return rows.length;
      });
      ended += count;
      if (count < sweep.batch) break;
    }
  }
  return ended;
}
