// Two threads of one process writing one SQLite file, each on its own connection (the API and the dispatch worker
// thread of `npm start`): a writer that finds the other thread's transaction open waits on the shared lock and begins
// once, when it is released, instead of polling SQLite's lock; both writes are kept.
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db, type ExecutedQuery, ThreadWriteLock } from '../../src/store/db.js';
import { typeScriptThread } from '../support/threads.js';

const HOLDER = new URL('../support/write-lock-holder.ts', import.meta.url);
/** How long the other thread keeps its transaction open once this one is waiting: many of SQLite's lock polls. */
const HOLD_MS = 300;

let dir: string | undefined;
let db: Db | undefined;

afterEach(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

async function lockTestDb(onQuery?: (query: ExecutedQuery) => void): Promise<{ url: string; lock: ThreadWriteLock }> {
  dir = mkdtempSync(join(tmpdir(), 'smsgic-lock-'));
  const url = `sqlite:${join(dir, 'db.sqlite')}`;
  const lock = new ThreadWriteLock();
  db = await createDb(url, { threadWriteLock: lock, ...(onQuery && { onQuery }) });
  await db.transaction((trx) => sql`create table lock_test (writer text not null)`.execute(trx));
  return { url, lock };
}

it("begins a write once the other thread's transaction ends, and keeps both writes", async () => {
  const queries: ExecutedQuery[] = [];
  const { url, lock } = await lockTestDb((query) => queries.push(query));
  if (db === undefined) throw new Error('no database');

  const thread = typeScriptThread(HOLDER, { url, lock: lock.buffer });
  const exited = once(thread, 'exit');
  const [said] = (await once(thread, 'message')) as [string];
  expect(said).toBe('holding');

  queries.length = 0;
  const mine = db.transaction((trx) => sql`insert into lock_test (writer) values ('main')`.execute(trx));
  setTimeout(() => thread.postMessage('commit'), HOLD_MS);
  await mine;
  await exited;

  const begins = queries.filter((query) => /^begin immediate$/i.test(query.sql.trim()));
  expect(begins).toHaveLength(1);
  const rows = await sql<{ writer: string }>`select writer from lock_test order by rowid`.execute(db.kysely);
  expect(rows.rows.map((row) => row.writer)).toEqual(['thread', 'main']);
});

describe('the lock alone (one thread standing for two)', () => {
  const clock = () => 0;
  const never = Number.POSITIVE_INFINITY;

  it('serves writers in the order they asked: one that lets go and asks again waits for the one already waiting', async () => {
    const lock = new ThreadWriteLock();
    const order: string[] = [];
    expect(await lock.acquire(never, clock)).toBe(true);
    const waiting = lock.acquire(never, clock).then((ok) => {
      order.push(`waiting ${ok}`);
      lock.release();
    });
    await new Promise((resolve) => setImmediate(resolve));
    lock.release();
    const again = lock.acquire(never, clock).then((ok) => {
      order.push(`again ${ok}`);
      lock.release();
    });
    await Promise.all([waiting, again]);
    expect(order).toEqual(['waiting true', 'again true']);
  });

  it('passes on a turn given up at its deadline, so the next writer still gets the lock', async () => {
    const lock = new ThreadWriteLock();
    expect(await lock.acquire(never, clock)).toBe(true);
    expect(await lock.acquire(0, clock)).toBe(false);
    const next = lock.acquire(never, clock);
    lock.release();
    expect(await next).toBe(true);
    lock.release();
    expect(await lock.acquire(never, clock)).toBe(true);
  });
});

it("leaves the WAL's checkpoints to the process's first connection when told: no thread of its own, none in its commits", async () => {
  const { url, lock } = await lockTestDb();
  // Linux: this process's threads; a checkpoint thread of the second connection would be one more.
  const threads = () => readdirSync('/proc/self/task').length;
  const before = threads();
  const second = await createDb(url, {
    threadWriteLock: new ThreadWriteLock(lock.buffer),
    checkpointedElsewhere: true,
  });
  try {
    expect(threads()).toBe(before);
    const setting = async (on: Db) =>
      (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(on.kysely)).rows[0];
    expect(await setting(second)).toEqual({ wal_autocheckpoint: 0 });
    // The first connection's thread checkpoints; its own commits do not either.
    expect(await setting(db as Db)).toEqual({ wal_autocheckpoint: 0 });
    await second.transaction((trx) => sql`insert into lock_test (writer) values ('second')`.execute(trx));
    const rows = await sql<{ writer: string }>`select writer from lock_test`.execute((db as Db).kysely);
    expect(rows.rows).toEqual([{ writer: 'second' }]);
  } finally {
    await second.close();
  }
});
