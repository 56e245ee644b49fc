// Opens the database DATABASE_URL names (SQLite or PostgreSQL): one Kysely instance, transactions, the clock.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  type KyselyConfig,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';
import {
  type Checkpointer,
  type CheckpointerOptions,
  startCheckpointer,
  WAL_SIZE_LIMIT_BYTES,
} from './sqlite-checkpointer.js';
import { StoreSqliteDialect, ThreadWriteLock, withStatementCache } from './sqlite-dialect.js';
import { type ClockUs, systemClockUs } from './time.js';

export { ThreadWriteLock };

export type DialectName = 'sqlite' | 'postgres';

export const DEFAULT_SQLITE_PATH = './data/smsgic.db';
/**
 * How long a SQLite writer waits for another connection's write lock before giving up with SQLITE_BUSY. Transactions
 * wait asynchronously (see sqlite-dialect); a statement outside a transaction waits inside better-sqlite3, blocking.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
export const POSTGRES_POOL_MAX = 10;
/**
 * How many times a PostgreSQL transaction that failed with a deadlock (40P01) or a serialization failure (40001) is
 * run again from the start. Either error means the server rolled the whole transaction back and nothing of it was
 * returned to the caller, so running it again is safe; past this bound the error goes to the caller.
 */
export const TRANSACTION_CONFLICT_RETRIES = 4;
/** The wait before the first rerun; each later one waits twice as long, jittered so that two losers do not collide. */
const CONFLICT_BACKOFF_BASE_MS = 5;

/**
 * The lock order every transaction follows on PostgreSQL, so that two of them never wait on each other in a cycle:
 *   1. messages rows (a lease takes them with SKIP LOCKED; outcomes and reports update them by id);
 *   2. sendings rows, by ascending id (settlement, cancel, sending a draft, the expiry of an idempotency key);
 *   3. accounts rows, by ascending id (every balance move: reservation, refund, credit, debit);
 *   4. delivery_quality rows, in key order, written last (the counts of the final reports a transaction applied).
 * A transaction may skip a level but never goes back up one: a refund is written only after every sending row the
 * transaction will touch is locked. What is left (a lock taken implicitly, e.g. a foreign key's KEY SHARE) is caught
 * by the rerun of deadlocks below.
 */
export const LOCK_ORDER = ['messages', 'sendings', 'accounts', 'delivery_quality'] as const;

/** PostgreSQL's deadlock and serialization failures: the server rolled the whole transaction back. */
export function isTransientConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}
/** Opening a PostgreSQL connection gives up after this: a request then fails fast instead of queueing for ever. */
export const POSTGRES_CONNECT_TIMEOUT_DEFAULT_MS = 5_000;
/** The server cancels one statement after this (statement_timeout); the client gives up a little later on its own. */
export const POSTGRES_STATEMENT_TIMEOUT_DEFAULT_MS = 60_000;
/** How much longer than statement_timeout the client waits for an answer before it gives the connection up. */
const CLIENT_TIMEOUT_MARGIN_MS = 2_000;

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
  /** PostgreSQL: how long opening a connection may take. */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL: the server's statement_timeout; the client also stops waiting for an answer a little later (a peer
   * that went silent), and such a connection is closed rather than reused.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Told of every statement the store ran (its SQL and parameters, as sent), after it ran, whether it succeeded or
   * failed. For tests that look at the plans of what the store runs; unset, nothing is recorded.
   */
  readonly onQuery?: (query: ExecutedQuery) => void;
  /**
   * SQLite: the write lock shared by the threads of this process that open the same file (each its own connection),
   * so that a writer waiting for another thread is woken as soon as it is done. Unset: one thread writes here.
   */
  readonly threadWriteLock?: ThreadWriteLock;
  /**
   * SQLite: another connection of this process (the one that shares `threadWriteLock` and was opened first) runs the
   * WAL checkpoints; this one neither checkpoints in its commits nor starts a checkpoint thread of its own.
   */
  readonly checkpointedElsewhere?: boolean;
  /** SQLite: the WAL's size limit and how often the checkpoint thread looks at it (sqlite-checkpointer.ts). */
  readonly checkpoints?: CheckpointerOptions;
}

/** A statement as the store sent it: the SQL text with placeholders and the values bound to them. */
export interface ExecutedQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
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
  /**
   * The first row of one read outside any transaction, by the shortest path the engine has: the hot reads of every
   * request (the token lookup) go here rather than through Kysely's executor. On SQLite the cached prepared statement
   * runs at once when no transaction holds the connection (else, or should it fail, the query waits its turn through
   * Kysely); on PostgreSQL it is the pool's named statement. Either way it reads what is committed now.
   */
  readFirst<Row>(sql: string, parameters: readonly unknown[]): Promise<Row | undefined>;
  /**
   * The first row of one read as its values in the order the SQL selects them, by the same short path as `readFirst`;
   * undefined when there is none. On SQLite the row comes as an array: naming each column of each row as an object
   * costs more than reading it, on the read of every request.
   */
  readFirstValues(sql: string, parameters: readonly unknown[]): Promise<unknown[] | undefined>;
  /** Every row of one read outside any transaction, by the same short path as `readFirst`. */
  readRows<Row>(sql: string, parameters: readonly unknown[]): Promise<Row[]>;
  /** The current time in microseconds since the epoch. */
  nowUs(): number;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Writes take SQLite's
   * write lock at BEGIN (BEGIN IMMEDIATE); PostgreSQL runs READ COMMITTED, so writers rely on row locks taken in
   * LOCK_ORDER and conditional updates. After a PostgreSQL deadlock or serialization failure `work` runs again from
   * the start (up to TRANSACTION_CONFLICT_RETRIES times), so it must do nothing outside the database that cannot be
   * done twice.
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

const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server that cannot serve now: shutting down, starting, out of connections, cancelled on timeout. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
/** pg's own connection errors carry no code. */
const UNAVAILABLE_MESSAGE_RE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i;

/**
 * Whether `error` says the database cannot be reached or cannot serve right now (a retry later may succeed), as
 * opposed to a fault of the query or of the data: network failures, a server shutting down or out of connections,
 * statement timeouts, pg's own connection errors, and SQLite's lock wait running out.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
      // Class 08: connection exceptions.
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_TIMEOUT') return true;
    }
    if (UNAVAILABLE_MESSAGE_RE.test(e.message)) return true;
  }
  return false;
}

/**
 * Statements sent by name (prepared once per connection, then only bound and executed): parsing and planning a
 * statement costs PostgreSQL about twice what running a short one does, and the store sends the same few texts over
 * and over. A connection keeps at most this many; past it, new texts go unnamed (parsed each time).
 */
export const PREPARED_STATEMENTS_PER_CONNECTION_MAX = 256;
/** Statements with more parameters than this (bulk inserts, whose text changes with the row count) go unnamed. */
export const PREPARED_STATEMENT_PARAMETERS_MAX = 32;

/** One name per statement text, for the whole process: a name never stands for two texts. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `smsgic_${statementNames.size.toString(36)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * A prepared statement whose tables changed under it (a migration): "cached plan must not change result type". pg
 * keeps its own record that the name is prepared on the connection, so the connection would fail that statement for
 * ever: it is closed instead, and the pool opens a fresh one.
 */
export function isStalePreparedStatement(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '0A000';
}

/** The names each connection has prepared (the connection object lives as long as its socket). */
const preparedByConnection = new WeakMap<object, Set<string>>();

/**
 * The query config a statement is sent with: named when it has parameters (a text without them goes by the simple
 * protocol, which also runs several statements at once, as migrations do), not too many of them, and the connection
 * has room for one more name.
 */
function namedQuery(client: object, text: string, values: readonly unknown[]): pg.QueryConfig | null {
  if (values.length === 0 || values.length > PREPARED_STATEMENT_PARAMETERS_MAX) return null;
  let prepared = preparedByConnection.get(client);
  if (prepared === undefined) {
    prepared = new Set();
    preparedByConnection.set(client, prepared);
  }
  const name = statementName(text);
  if (!prepared.has(name)) {
    if (prepared.size >= PREPARED_STATEMENTS_PER_CONNECTION_MAX) return null;
    prepared.add(name);
  }
  return { name, text, values: values as unknown[] };
}

/**
 * The pool Kysely draws from, with three changes. The store's statements are sent by name (namedQuery). A connection
 * that breaks while it is lent out emits 'error' on a client pg's pool no longer listens to (it only listens to idle
 * ones), which would end the process: it is listened to here. And a connection whose query failed because the
 * connection itself is gone or silent, or because one of its prepared statements went stale, is closed on release
 * instead of going back to the pool, where it would fail (or stall) the next query.
 */
function dropBrokenConnections(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const health = healthOf(client);
      const query = (...args: unknown[]) => {
        const [text, values] = args;
        const named =
          args.length === 2 && typeof text === 'string' && Array.isArray(values)
            ? namedQuery(client, text, values)
            : null;
        const result = named ? client.query(named) : (client.query as (...a: unknown[]) => unknown)(...args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            noteFailure(health, error);
            throw error;
          });
        }
        return result;
      };
      return {
        query: query as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy === true || health.broken),
      };
    },
    end: () => pool.end(),
  };
}

/** Whether a connection broke while it was lent out (see dropBrokenConnections). */
interface ConnectionHealth {
  broken: boolean;
}

const healthByConnection = new WeakMap<pg.PoolClient, ConnectionHealth>();

/**
 * The connection's health record, listening to its 'error' from its first lending on, for as long as it lives: pg's
 * pool listens only while it is idle, and a listener added and removed at each lending costs every query.
 */
function healthOf(client: pg.PoolClient): ConnectionHealth {
  let health = healthByConnection.get(client);
  if (health === undefined) {
    const record = { broken: false };
    client.on('error', () => {
      record.broken = true;
    });
    healthByConnection.set(client, record);
    health = record;
  }
  return health;
}

/** A query failed because the connection itself is gone or silent, or a prepared statement of it went stale. */
function noteFailure(health: ConnectionHealth, error: unknown): void {
  if (isDatabaseUnavailable(error) || isStalePreparedStatement(error)) health.broken = true;
}

/** readRows on PostgreSQL: one connection of the pool, the statement by name, and the connection back. */
async function readRowsFromPool<Row>(pool: pg.Pool, text: string, parameters: readonly unknown[]): Promise<Row[]> {
  const client = await pool.connect();
  const health = healthOf(client);
  try {
    const named = namedQuery(client, text, parameters);
    const result = await (named ? client.query<Row & pg.QueryResultRow>(named) : client.query(text, [...parameters]));
    return result.rows as Row[];
  } catch (error) {
    noteFailure(health, error);
    throw error;
  } finally {
    client.release(health.broken);
  }
}

/** Statements kept for readFirstValues: the few hot reads that use it, with room to spare. */
const VALUE_STATEMENTS_CACHED_MAX = 32;

/** A row's values in column order (an object row keeps the order of its columns); undefined for no row. */
function valuesOf(row: Record<string, unknown> | undefined): unknown[] | undefined {
  return row === undefined ? undefined : Object.values(row);
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
  const onQuery = options.onQuery;
  // Kysely's log hook sees every compiled statement; absent, Kysely adds no logging at all.
  const log: Pick<KyselyConfig, 'log'> =
    onQuery === undefined
      ? {}
      : { log: (event) => onQuery({ sql: event.query.sql, parameters: event.query.parameters }) };
  let checkpointer: Checkpointer | null = null;
  let readRows: Db['readRows'];
  let readFirstValues: Db['readFirstValues'];
  const readThroughKysely = async <Row>(text: string, parameters: readonly unknown[]) =>
    (await kysely.executeQuery<Row>(CompiledQuery.raw(text, [...parameters]))).rows as Row[];
  if (target.dialect === 'sqlite') {
    const database = openSqlite(target.path);
    if (options.checkpointedElsewhere) {
      database.pragma('wal_autocheckpoint = 0');
      // The WAL may start over at this connection's next write: a file left larger than the limit is cut back then.
      database.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    } else if (target.path !== ':memory:') checkpointer = startCheckpointer(database, target.path, options.checkpoints);
    const cached = withStatementCache(database);
    kysely = new Kysely<Schema>({
      dialect: new StoreSqliteDialect({
        database: cached,
        busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
        ...(options.threadWriteLock && { threadLock: options.threadWriteLock }),
      }),
      ...log,
    });
    readRows = <Row>(text: string, parameters: readonly unknown[]) => {
      // Synchronous, so nothing else runs on the connection meanwhile; inside another caller's transaction it would
      // read that transaction's uncommitted writes, so then it queues behind it like any other query.
      if (!database.inTransaction) {
        try {
          return Promise.resolve(cached.prepare(text).all(...parameters) as Row[]);
        } catch {
          // A busy connection or statement: the ordinary path below waits its turn, and reports a real error.
        }
      }
      return readThroughKysely<Row>(text, parameters);
    };
    // Statements of their own, in raw mode (rows as arrays): Kysely's, in the cache above, read rows as objects.
    const valueStatements = new Map<string, SqliteDatabase.Statement>();
    readFirstValues = (text, parameters) => {
      if (!database.inTransaction) {
        try {
          let statement = valueStatements.get(text);
          if (statement === undefined) {
            if (valueStatements.size >= VALUE_STATEMENTS_CACHED_MAX) valueStatements.clear();
            statement = database.prepare(text).raw(true);
            valueStatements.set(text, statement);
          }
          return Promise.resolve(statement.get(...parameters) as unknown[] | undefined);
        } catch {
          // As readRows: the ordinary path below waits its turn, and reports a real error.
        }
      }
      return readThroughKysely<Record<string, unknown>>(text, parameters).then((rows) => valuesOf(rows[0]));
    };
  } else {
    const statementTimeoutMs = options.statementTimeoutMs ?? POSTGRES_STATEMENT_TIMEOUT_DEFAULT_MS;
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      max: options.poolMax ?? POSTGRES_POOL_MAX,
      connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_CONNECT_TIMEOUT_DEFAULT_MS,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      // A peer that vanished without a word (no FIN, no RST) is noticed by the kernel's probes.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    pool.on('error', options.onPoolError ?? (() => {}));
    const connections = dropBrokenConnections(pool);
    kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: connections }), ...log });
    readRows = <Row>(text: string, parameters: readonly unknown[]) => readRowsFromPool<Row>(pool, text, parameters);
    readFirstValues = async (text, parameters) =>
      valuesOf((await readRowsFromPool<Record<string, unknown>>(pool, text, parameters))[0]);
  }
  const clockUs = options.clockUs ?? systemClockUs;
  const readRowsDirect = readRows;
  // The direct reads skip Kysely's log hook, so they report themselves (the Kysely fallback may report twice).
  if (onQuery !== undefined) {
    readRows = (text, parameters) => {
      onQuery({ sql: text, parameters });
      return readRowsDirect(text, parameters);
    };
  }
  const readFirst = async <Row>(text: string, parameters: readonly unknown[]) =>
    (await readRows<Row>(text, parameters))[0];
  const readFirstValuesDirect = readFirstValues;
  if (onQuery !== undefined) {
    readFirstValues = (text, parameters) => {
      onQuery({ sql: text, parameters });
      return readFirstValuesDirect(text, parameters);
    };
  }
  return {
    dialect: target.dialect,
    kysely,
    readFirst,
    readFirstValues,
    readRows,
    nowUs: () => {
      const us = clockUs();
      if (!Number.isSafeInteger(us) || us < 0) throw new Error(`clock returned ${us}`);
      return us;
    },
    transaction: async (work, transactionOptions) => {
      let builder = kysely.transaction();
      if (transactionOptions?.readOnly) builder = builder.setAccessMode('read only');
      if (transactionOptions?.snapshot && target.dialect === 'postgres')
        builder = builder.setIsolationLevel('repeatable read');
      for (let retry = 0; ; retry++) {
        try {
          return await builder.execute(work);
        } catch (error) {
          if (!isTransientConflict(error) || retry >= TRANSACTION_CONFLICT_RETRIES) throw error;
          await sleep(CONFLICT_BACKOFF_BASE_MS * 2 ** retry * (0.5 + Math.random()));
        }
      }
    },
    close: async () => {
      // The thread's last checkpoint first: the main connection, closing last, then removes the WAL file.
      await checkpointer?.close();
      await kysely.destroy();
    },
  };
}
