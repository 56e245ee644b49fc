// Opens the database DATABASE_URL names (SQLite or PostgreSQL): one Kysely instance, transactions, the clock.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';
import { StoreSqliteDialect, withStatementCache } from './sqlite-dialect.js';
import { type ClockUs, systemClockUs } from './time.js';

export type DialectName = 'sqlite' | 'postgres';

export const DEFAULT_SQLITE_PATH = './data/smsgic.db';
/**
 * How long a SQLite writer waits for another connection's write lock before giving up with SQLITE_BUSY. Transactions
 * wait asynchronously (see sqlite-dialect); a statement outside a transaction waits inside better-sqlite3, blocking.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
export const POSTGRES_POOL_MAX = 10;

export interface DbOptions {
  /** The clock every timestamp the store writes comes from (tests pass a fake one). */
  readonly clockUs?: ClockUs;
  /** Connections in the PostgreSQL pool. */
  readonly poolMax?: number;
  /**
   * Told when an idle PostgreSQL connection breaks (server restart, network). The pool drops it and the next query
   * opens a new one; without a listener pg's 'error' event would end the process.
   */
  readonly onPoolError?: (error: Error) => void;
}

export interface TransactionOptions {
  /** A read-only transaction: a deferred BEGIN on SQLite (never waits for writers), READ ONLY on PostgreSQL. */
  readonly readOnly?: boolean;
  /** Every statement sees the same snapshot: REPEATABLE READ on PostgreSQL (a SQLite transaction always does). */
  readonly snapshot?: boolean;
}

export interface Db {
  readonly dialect: DialectName;
  /** For the modules of src/store only: everything else goes through their functions. */
  readonly kysely: Kysely<Schema>;
  /** The current time in microseconds since the epoch. */
  nowUs(): number;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Writes take SQLite's
   * write lock at BEGIN (BEGIN IMMEDIATE); PostgreSQL runs READ COMMITTED, so writers rely on row locks and
   * conditional updates.
   */
  transaction<T>(work: (trx: Transaction<Schema>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

export type DbTarget =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

/** What DATABASE_URL names: unset → the default SQLite file, `sqlite:PATH`, or `postgres(ql)://…`. */
export function parseDatabaseUrl(url: string | undefined): DbTarget {
  const text = url?.trim() ?? '';
  if (text === '') return { dialect: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new Error('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/smsgic.db');
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return { dialect: 'postgres', connectionString: text };
  throw new Error('DATABASE_URL must be sqlite:PATH or postgres://…');
}

function openSqlite(path: string): SqliteDatabase.Database {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  if (!inMemory) database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return database;
}

export async function createDb(url: string | undefined, options: DbOptions = {}): Promise<Db> {
  const target = parseDatabaseUrl(url);
  let kysely: Kysely<Schema>;
  if (target.dialect === 'sqlite') {
    const database = openSqlite(target.path);
    kysely = new Kysely<Schema>({
      dialect: new StoreSqliteDialect({
        database: withStatementCache(database),
        busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
      }),
    });
  } else {
    const pool = new pg.Pool({ connectionString: target.connectionString, max: options.poolMax ?? POSTGRES_POOL_MAX });
    pool.on('error', options.onPoolError ?? (() => {}));
    kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  }
  const clockUs = options.clockUs ?? systemClockUs;
  return {
    dialect: target.dialect,
    kysely,
    nowUs: () => {
      const us = clockUs();
      if (!Number.isSafeInteger(us) || us < 0) throw new Error(`clock returned ${us}`);
      return us;
    },
    transaction: (work, transactionOptions) => {
      let builder = kysely.transaction();
      if (transactionOptions?.readOnly) builder = builder.setAccessMode('read only');
      if (transactionOptions?.snapshot && target.dialect === 'postgres')
        builder = builder.setIsolationLevel('repeatable read');
      return builder.execute(work);
    },
    close: () => kysely.destroy(),
  };
}
