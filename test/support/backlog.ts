// A backlog of queued one-recipient sendings (one-time codes), stored in bulk by the engine itself: copies of one
// stored sending and of its message, due now, in two statements, so that tens of thousands take a second or two.
import { sql } from 'kysely';
import type { Db } from '../../src/store/db.js';

async function columnsOf(db: Db, table: 'sendings' | 'messages'): Promise<string[]> {
  const { rows } =
    db.dialect === 'postgres'
      ? await sql<{ name: string }>`
          select column_name as name from information_schema.columns
          where table_name = ${table} and table_schema = current_schema()`.execute(db.kysely)
      : await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db.kysely);
  return rows.map((row) => row.name).filter((name) => name !== 'id');
}

/**
 * Stores `count` copies of the sending `templateId` with its messages, each due at `nowUs` (scheduled and created
 * then), Pending and never leased from as the template was stored: give it a template that no lease touches (one
 * scheduled far ahead), so that every copy starts as it did.
 */
export async function storeCopiesOf(db: Db, templateId: number, count: number, nowUs: number): Promise<void> {
  const series =
    db.dialect === 'postgres'
      ? `generate_series(1, ${count}) as g(n)`
      : `(with recursive s(n) as (select 1 union all select n + 1 from s where n < ${count}) select n from s) as g`;
  const due: Record<string, number> = { scheduled_at_us: nowUs, created_at_us: nowUs, updated_at_us: nowUs };
  const sendingColumns = await columnsOf(db, 'sendings');
  const messageColumns = await columnsOf(db, 'messages');
  await db.transaction(async (trx) => {
    const before = await sql<{ id: number | string | null }>`select max(id) as id from sendings`.execute(trx);
    const firstNew = Number(before.rows[0]?.id ?? 0) + 1;
    await sql
      .raw(
        `insert into sendings (${sendingColumns.join(', ')})
         select ${sendingColumns.map((c) => (c in due ? String(due[c]) : `t.${c}`)).join(', ')}
         from sendings t, ${series} where t.id = ${templateId} order by g.n`,
      )
      .execute(trx);
    await sql
      .raw(
        `insert into messages (${messageColumns.join(', ')})
         select ${messageColumns.map((c) => (c === 'sending_id' ? 's.id' : `m.${c}`)).join(', ')}
         from sendings s, messages m where s.id >= ${firstNew} and m.sending_id = ${templateId}
         order by s.id, m.id`,
      )
      .execute(trx);
  });
}
