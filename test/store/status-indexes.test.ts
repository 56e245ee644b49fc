// A message changes status three or four times in its life and a sending two or three times: every index that holds
// the status gets a new entry at each change. Such an index must be partial (holding the rows in one state, which a
// row leaving that state adds nothing to), never one that keeps an entry for every row ever stored.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/databases.js';

interface IndexShape {
  readonly name: string;
  readonly columns: readonly string[];
  readonly partial: boolean;
}

async function indexesOf(db: Db, table: string): Promise<IndexShape[]> {
  if (db.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; sql: string | null }>`
      select name, sql from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db.kysely);
    const shapes: IndexShape[] = [];
    for (const row of rows) {
      const info = await sql<{ name: string }>`select name from pragma_index_info(${row.name})`.execute(db.kysely);
      shapes.push({
        name: row.name,
        columns: info.rows.map((c) => c.name),
        partial: /\bwhere\b/i.test(row.sql ?? ''),
      });
    }
    return shapes;
  }
  const { rows } = await sql<{ name: string; columns: string[]; partial: boolean }>`
    select c.relname as name,
      array(select a.attname from unnest(i.indkey) k join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k
        )::text[] as columns,
      i.indpred is not null as partial
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    where i.indrelid = ${table}::regclass`.execute(db.kysely);
  return rows;
}

describeEachEngine('indexes a status change writes', (engine) => {
  for (const table of ['messages', 'sendings']) {
    it(`every index of ${table} keyed on its status holds the rows of one state only`, async () => {
      const indexes = await indexesOf(engine.db, table);
      expect(indexes.length).toBeGreaterThan(2);
      const full = indexes.filter((index) => index.columns.includes('status') && !index.partial);
      expect(full.map((index) => index.name)).toEqual([]);
    });
  }
});
