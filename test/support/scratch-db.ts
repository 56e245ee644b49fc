// Throw-away databases for tests and measurements: a temporary SQLite file, or a fresh PostgreSQL database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '../../src/store/db.js';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PROBE_TIMEOUT_MS = 2_000;

/** Null when PostgreSQL answers at POSTGRES_ADMIN_URL, else why not. */
export async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const DROP_WAIT_MS = 5_000;
const DROP_POLL_MS = 50;

/**
 * Drops the database once its connections are gone. pg's pool.end() resolves before its sockets have closed; dropping
 * WITH (FORCE) at once would kill those backends and their clients would raise an error nobody listens to any more.
 */
async function dropWhenIdle(client: pg.Client, database: string): Promise<void> {
  const deadline = Date.now() + DROP_WAIT_MS;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where datname = $1',
      [database],
    );
    if (rows[0]?.n === '0') break;
    await new Promise((resolve) => setTimeout(resolve, DROP_POLL_MS));
  }
  await client.query(`drop database if exists ${database} with (force)`);
}

export interface ScratchDatabase {
  /** A DATABASE_URL for it. */
  readonly url: string;
  /** Deletes it: the file and its folder, or DROP DATABASE (closing what is still connected). */
  dispose(): Promise<void>;
}

export async function scratchDatabase(name: DialectName): Promise<ScratchDatabase> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'smsgic-store-'));
    return {
      url: `sqlite:${join(dir, 'store.db')}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = `smsgic_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${database}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    dispose: () => withAdmin((client) => dropWhenIdle(client, database)),
  };
}
