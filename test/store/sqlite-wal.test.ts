// The WAL of a SQLite file that is read without a pause (the API's and the dispatch worker's connections of `npm start`
// under steady traffic) still starts over from its beginning: it stays near its size limit however much is written,
// where it used to grow by every byte written until the traffic stopped.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { createDb, type Db, ThreadWriteLock } from '../../src/store/db.js';

const LIMIT_BYTES = 256 * 1024;
const ROW_BYTES = 32 * 1024;
const ROWS = 320;

let dir: string | undefined;
const opened: Db[] = [];

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('starts the WAL over past its limit while two readers take turns without a pause', async () => {
  dir = mkdtempSync(join(tmpdir(), 'smsgic-wal-'));
  const path = join(dir, 'db.sqlite');
  const url = `sqlite:${path}`;
  const lock = new ThreadWriteLock();
  const writer = await createDb(url, {
    threadWriteLock: lock,
    checkpoints: { walLimitBytes: LIMIT_BYTES, intervalMs: 10 },
  });
  opened.push(writer);
  const readers = [
    await createDb(url, { threadWriteLock: lock, checkpointedElsewhere: true }),
    await createDb(url, { threadWriteLock: lock, checkpointedElsewhere: true }),
  ];
  opened.push(...readers);
  await writer.transaction((trx) =>
    sql`create table wal_test (id integer primary key, body blob not null)`.execute(trx),
  );

  // Each reader holds a snapshot for a few milliseconds at a time, the second one offset from the first, so that at
  // every moment one of them reads pages the writer has written over since.
  let writing = true;
  const reading = readers.map(async (reader, index) => {
    await sleep(index);
    while (writing) {
      await reader.transaction(
        async (trx) => {
          await sql`select count(*) from wal_test`.execute(trx);
          await sleep(2);
          await sql`select max(id) from wal_test`.execute(trx);
        },
        { readOnly: true },
      );
    }
  });

  const walBytes = () => statSync(`${path}-wal`).size;
  let largest = 0;
  for (let row = 0; row < ROWS; row++) {
    await writer.transaction((trx) => sql`insert into wal_test (body) values (randomblob(${ROW_BYTES}))`.execute(trx));
    largest = Math.max(largest, walBytes());
    await sleep(0);
  }
  writing = false;
  await Promise.all(reading);

  const written = ROWS * ROW_BYTES;
  const { rows } = await sql<{ n: number }>`select count(*) as n from wal_test`.execute(writer.kysely);
  expect(rows[0]?.n).toBe(ROWS);
  // 10 MB written in all; the WAL never held more than a few times its limit of 256 KB.
  expect(largest).toBeLessThan(written / 4);
});
