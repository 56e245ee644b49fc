// Moves SQLite's WAL checkpoints off the main thread. SQLite runs an automatic checkpoint inside the COMMIT that grows
// the WAL past wal_autocheckpoint pages (sqlite.org/wal.html §"Automatic Checkpoint"), synchronously: the commit of a
// large sending would hold the event loop for hundreds of milliseconds while pages are copied. Here the main connection
// never checkpoints; a thread with a connection of its own runs PASSIVE checkpoints, which never block a reader or a
// writer (sqlite.org/c3ref/wal_checkpoint_v2.html).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the thread checkpoints whatever the main connection committed meanwhile. */
export const CHECKPOINT_INTERVAL_MS = 200;
/** A reset WAL file larger than this is truncated back to it (PRAGMA journal_size_limit), so it does not stay huge. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** SQLite's own default, restored on the main connection if the thread ever stops, so the WAL never grows unbounded. */
const AUTOCHECKPOINT_DEFAULT_PAGES = 1_000;

// CommonJS, evaluated in the thread: no file to compile or resolve, whether run from dist/ or from source.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Checkpoints once more, then stops the thread. */
  close(): Promise<void>;
}

/** Starts the checkpoint thread of the SQLite file `path`, whose main connection is `main`. */
export function startCheckpointer(main: SqliteDatabase.Database, path: string): Checkpointer {
  main.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  main.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // The thread must not keep the process alive; close() waits for it when it matters.
  worker.unref();
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => {
    // Its own failure: checkpoints come back to the main connection rather than the WAL growing without end.
  });
  void exited.then(() => {
    if (!closing && main.open) main.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_DEFAULT_PAGES}`);
  });
  return {
    async close() {
      if (closing) return exited;
      closing = true;
      // Waited for now: without a reference the process could end with close() still pending.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
