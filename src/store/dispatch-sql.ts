// Lists bound as one parameter per column: PostgreSQL arrays through unnest, SQLite JSON through json_each.
import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from './db.js';

export type ColumnKind = 'int8' | 'text';

export interface ListColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly values: readonly (number | string | null)[];
}

/**
 * A relation `alias(col, …)` with one row per index of the columns' values: the way a statement takes a thousand rows
 * with a fixed number of bound parameters. PostgreSQL: unnest of typed arrays. SQLite: json_each over a JSON array of
 * rows (better-sqlite3 would otherwise bind each value, and a statement text per row count would be prepared afresh).
 */
export function listRelation(dialect: DialectName, alias: string, columns: readonly ListColumn[]): RawBuilder<unknown> {
  const count = columns[0]?.values.length ?? 0;
  for (const column of columns) {
    if (column.values.length !== count) throw new Error(`list column ${column.name} differs in length`);
  }
  if (dialect === 'postgres') {
    const arrays = columns.map((c) => sql`${c.values}::${sql.raw(c.kind)}[]`);
    return sql`unnest(${sql.join(arrays)}) as ${sql.raw(alias)}(${sql.raw(columns.map((c) => c.name).join(', '))})`;
  }
  const rows = new Array<unknown[]>(count);
  for (let i = 0; i < count; i++) rows[i] = columns.map((c) => c.values[i]);
  const picks = columns.map((c, i) => sql`json_extract(value, ${sql.lit(`$[${i}]`)}) as ${sql.raw(c.name)}`);
  return sql`(select ${sql.join(picks)} from json_each(${JSON.stringify(rows)})) as ${sql.raw(alias)}`;
}

/**
 * What a sending's accepted messages cost, over its `messages` rows: a message counts once a provider took it
 * (`submitted_at_us` set), at its `cost_minor`; 0 when none was. A settlement refunds the reservation less this.
 */
export function acceptedCostSum(): RawBuilder<number | string> {
  return sql<number | string>`coalesce(sum(case when submitted_at_us is not null then cost_minor else 0 end), 0)`;
}

/**
 * `= any(…)` / `in (…)`: the column is one of the ids, bound as one parameter. On PostgreSQL an array comparison, one
 * index scan for the listed ids (27 ids of a 10,000-row table: 47 µs a statement, against 53–68 µs as a semi-join
 * against `unnest`, which adds an aggregate and a loop of reads). A statement that joins other tables from the listed
 * rows keeps the semi-join (`in (keyList)`): from an array comparison the planner may merge-join along another
 * table's whole key.
 */
export function inIds(dialect: DialectName, ids: readonly number[]): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`= any(${ids}::int8[])` : sql`in (${keyList(dialect, ids)})`;
}

/** `<> all(…)` / `not in (…)`: the column is none of the ids (`inIds`). */
export function notInIds(dialect: DialectName, ids: readonly number[]): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`<> all(${ids}::int8[])` : sql`not in (${keyList(dialect, ids)})`;
}

/** The ids as a select of one column: a batch of keys for `inBatch`. */
export function keyList(dialect: DialectName, ids: readonly number[]): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`select unnest(${ids}::int8[])`
    : sql`select value from json_each(${JSON.stringify(ids)})`;
}

/**
 * `in (<batch>)` for a subquery that picks a bounded batch of keys (`… limit n`), spelled so that each engine takes
 * the batch first and then finds each row by its key: PostgreSQL as `= any(array(…))`, which it cannot turn into a
 * join (as a semi-join it may hash the whole table or walk its whole primary key when it expects a large batch).
 */
export function inBatch(dialect: DialectName, batch: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`= any(array(${batch}))` : sql`in (${batch})`;
}
