// A thread of the test process that opens the same SQLite file with the shared write lock, takes a write transaction
// and holds it until told to commit (test/store/thread-write-lock.test.ts starts it through threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { createDb, ThreadWriteLock } from '../../src/store/db.js';

const port = parentPort;
if (port === null) throw new Error('write-lock-holder runs as a worker thread');
const { url, lock } = workerData as { url: string; lock: SharedArrayBuffer };
const db = await createDb(url, { threadWriteLock: new ThreadWriteLock(lock) });
const commit = new Promise<void>((resolve) => port.once('message', () => resolve()));
await db.transaction(async (trx) => {
  await sql`insert into lock_test (writer) values ('thread')`.execute(trx);
  port.postMessage('holding');
  await commit;
});
await db.close();
port.postMessage('committed');
