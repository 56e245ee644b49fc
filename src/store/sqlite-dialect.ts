// Kysely's SQLite dialect with write transactions that take the write lock up front and migrations in one transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely';
import { type MonotonicMs, systemMonotonicMs } from './time.js';

const BUSY_RETRY_FIRST_MS = 1;
const BUSY_RETRY_MAX_MS = 25;

function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * A deferred BEGIN takes a read lock and upgrades it at the first write; two connections doing that at once can each
 * wait on the other until one gets SQLITE_BUSY. BEGIN IMMEDIATE takes the write lock first. better-sqlite3 waits for a
 * lock synchronously (busy_timeout), which would freeze the event loop, and, should the holder be another connection in
 * this same process, stop it from ever finishing; so BEGIN IMMEDIATE is tried without waiting and retried
 * asynchronously until `busyTimeoutMs`. Read-only transactions keep the deferred BEGIN: under WAL they never wait.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #busyTimeoutMs: number;
  readonly #monotonicMs: MonotonicMs;

  constructor(config: SqliteDialectConfig, busyTimeoutMs: number, monotonicMs: MonotonicMs) {
    super(config);
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#monotonicMs = monotonicMs;
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    if (settings?.accessMode === 'read only') {
      await connection.executeQuery(CompiledQuery.raw('begin deferred'));
      return;
    }
    const deadline = this.#monotonicMs() + this.#busyTimeoutMs;
    let delayMs = BUSY_RETRY_FIRST_MS;
    for (;;) {
      try {
        await connection.executeQuery(CompiledQuery.raw('pragma busy_timeout = 0'));
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
        return;
      } catch (error) {
        if (!isBusy(error) || this.#monotonicMs() >= deadline) throw error;
      } finally {
        await connection.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${this.#busyTimeoutMs}`));
      }
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, BUSY_RETRY_MAX_MS);
    }
  }
}

/**
 * Kysely's SQLite adapter runs migrations outside a transaction and takes no lock, so two processes starting on one
 * file could both apply a migration. SQLite's DDL is transactional: declaring it makes the migrator run everything in
 * one transaction, which our driver opens with BEGIN IMMEDIATE, so the second process waits, then finds it all done.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Distinct SQL texts whose prepared statements are kept: the store issues a few hundred shapes at most. */
const STATEMENTS_CACHED_MAX = 512;

/**
 * The database as Kysely's driver sees it, with prepared statements reused: Kysely prepares every query anew, and
 * preparing costs more than running the small queries of an API request. The driver runs one query at a time per
 * connection, so a cached statement is never in use twice at once.
 */
export interface StatementCache {
  prepare(sql: string): SqliteDatabase.Statement;
  close(): void;
}

export function withStatementCache(
  database: SqliteDatabase.Database,
): StatementCache & SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (statement) {
        // Map order is insertion order: re-inserting keeps the most recently used at the end.
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENTS_CACHED_MAX) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      }
      statements.set(sql, statement);
      return statement;
    },
  } as unknown as StatementCache & SqliteDialectConfig['database'];
}

export class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #busyTimeoutMs: number;
  readonly #monotonicMs: MonotonicMs;

  /** `monotonicMs` times the wait for the write lock; the process's monotonic clock unless given. */
  constructor(config: SqliteDialectConfig & { readonly busyTimeoutMs: number; readonly monotonicMs?: MonotonicMs }) {
    super(config);
    this.#config = config;
    this.#busyTimeoutMs = config.busyTimeoutMs;
    this.#monotonicMs = config.monotonicMs ?? systemMonotonicMs;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#busyTimeoutMs, this.#monotonicMs);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
