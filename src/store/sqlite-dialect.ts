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

/** The lock's two counters in shared memory: the next ticket to hand out, and the ticket whose turn it is. */
const NEXT_TICKET = 0;
const SERVING = 1;

/**
 * The write lock of one SQLite file among the threads of one process, in shared memory: a thread's write transaction
 * takes it before SQLite's, and one waiting for it is woken the moment the other thread lets it go, where SQLite's own
 * lock can only be polled (the retries below sleep up to 25 ms, the whole time the lock may have been free). Each
 * thread has its own connection, and Kysely runs one transaction at a time on a connection.
 *
 * Writers take turns in the order they asked (a ticket lock): with a plain flag, a thread that is always busy (the API
 * under load, one group commit after another) takes the lock again before the thread it woke has run, and the
 * other's writes (the dispatch worker's leases) wait for a lull while the backlog grows.
 */
export class ThreadWriteLock {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;

  /** A new lock, or (in another thread) the one whose `buffer` it was given. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer, 0, 2);
  }

  /**
   * Takes the lock in turn, waiting until `deadlineMs` (of `monotonicMs`) at most; false if its turn has not come by
   * then. A turn given up that way still comes, and is passed on at once.
   */
  async acquire(deadlineMs: number, monotonicMs: MonotonicMs): Promise<boolean> {
    const ticket = Atomics.add(this.#cells, NEXT_TICKET, 1);
    if (await this.#turn(ticket, () => deadlineMs - monotonicMs())) return true;
    void this.#turn(ticket, () => Number.POSITIVE_INFINITY).then(() => this.release());
    return false;
  }

  release(): void {
    Atomics.add(this.#cells, SERVING, 1);
    Atomics.notify(this.#cells, SERVING);
  }

  /** Resolves true once `ticket` is served, false when `leftMs` runs out first. */
  async #turn(ticket: number, leftMs: () => number): Promise<boolean> {
    for (;;) {
      const serving = Atomics.load(this.#cells, SERVING);
      if (serving === ticket) return true;
      const left = leftMs();
      if (left <= 0) return false;
      const waited = Atomics.waitAsync(this.#cells, SERVING, serving, left);
      if (waited.async) await waited.value;
    }
  }
}

/** What a writer that waited `busyTimeoutMs` for the other thread gets: SQLite's own error for a lock not released. */
function busyError(): Error {
  return Object.assign(new Error('database is locked (held by another thread of this process)'), {
    code: 'SQLITE_BUSY',
  });
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
  readonly #threadLock: ThreadWriteLock | undefined;
  /** Whether this connection's transaction holds the thread lock (a failed commit is followed by a rollback). */
  #holding = false;

  constructor(
    config: SqliteDialectConfig,
    busyTimeoutMs: number,
    monotonicMs: MonotonicMs,
    threadLock: ThreadWriteLock | undefined,
  ) {
    super(config);
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#monotonicMs = monotonicMs;
    this.#threadLock = threadLock;
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    if (settings?.accessMode === 'read only') {
      await connection.executeQuery(CompiledQuery.raw('begin deferred'));
      return;
    }
    const deadline = this.#monotonicMs() + this.#busyTimeoutMs;
    if (this.#threadLock !== undefined) {
      if (!(await this.#threadLock.acquire(deadline, this.#monotonicMs))) throw busyError();
      this.#holding = true;
    }
    try {
      await this.#beginImmediate(connection, deadline);
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.commitTransaction(connection);
    } finally {
      this.#release();
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#threadLock?.release();
  }

  /** SQLite's write lock, which other processes (the CLI) may hold: tried without waiting, retried until `deadline`. */
  async #beginImmediate(connection: DatabaseConnection, deadline: number): Promise<void> {
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

  readonly #threadLock: ThreadWriteLock | undefined;

  /**
   * `monotonicMs` times the wait for the write lock; the process's monotonic clock unless given. `threadLock`: the
   * lock shared with the other threads of this process that open the same file, if any do.
   */
  constructor(
    config: SqliteDialectConfig & {
      readonly busyTimeoutMs: number;
      readonly monotonicMs?: MonotonicMs;
      readonly threadLock?: ThreadWriteLock;
    },
  ) {
    super(config);
    this.#config = config;
    this.#busyTimeoutMs = config.busyTimeoutMs;
    this.#monotonicMs = config.monotonicMs ?? systemMonotonicMs;
    this.#threadLock = config.threadLock;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#busyTimeoutMs, this.#monotonicMs, this.#threadLock);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
