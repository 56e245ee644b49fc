// The few pieces of SQL that differ between SQLite and PostgreSQL, so that the store modules read the same on both.
import { type Expression, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { DialectName } from './db.js';
import type { Schema } from './schema.js';

/** True when `error` is a unique or primary-key violation raised by either driver. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** `haystack` contains `needle` literally (no LIKE wildcards to escape, same result on both engines). */
export function containsText(dialect: DialectName, haystack: Expression<string>, needle: string): RawBuilder<SqlBool> {
  return dialect === 'sqlite'
    ? sql<SqlBool>`instr(${haystack}, ${needle}) > 0`
    : sql<SqlBool>`strpos(${haystack}, ${needle}) > 0`;
}

/** A CHECK body: `column` is a string of `min` to `max` ASCII digits. */
export function digitsCheck(dialect: DialectName, column: string, min: number, max: number): RawBuilder<SqlBool> {
  const ref = sql.ref(column);
  const length = sql`length(${ref}) between ${sql.lit(min)} and ${sql.lit(max)}`;
  return dialect === 'sqlite'
    ? sql<SqlBool>`${length} and ${ref} not glob '*[^0-9]*'`
    : sql<SqlBool>`${length} and ${ref} ~ '^[0-9]*$'`;
}

/** Text case- and accent-folded the same way on both engines ("Åland" → "aland"), computed here, not by SQL. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Keys of the transaction-scoped advisory locks that serialize rewrites of shared tables across processes. */
export const REWRITE_LOCKS = Object.freeze({ countryCatalog: 0x534d_0001, rateLists: 0x534d_0002 });

/**
 * Key of the advisory lock between a report kept for an id not stored yet and the transaction storing ids: see
 * keepUnknownReports in reports.ts.
 */
export const KEPT_REPORTS_LOCK = 0x534d_0003;

/**
 * On PostgreSQL, waits for and then holds (until the transaction ends) an advisory lock, so that the same rewrite begun
 * by several processes at once (servers starting together) runs one after the other instead of deadlocking or
 * inserting twice. SQLite needs none: BEGIN IMMEDIATE already lets one writer in at a time.
 */
export async function lockForRewrite(trx: Transaction<Schema>, dialect: DialectName, key: number): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(key)})`.execute(trx);
}
