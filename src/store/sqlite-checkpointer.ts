// Moves SQLite's WAL checkpoints off the main thread. SQLite runs an automatic checkpoint inside the COMMIT that grows
// the WAL past wal_autocheckpoint pages (sqlite.org/wal.html §"Automatic Checkpoint"), synchronously: the commit of a
// large sending would hold the event loop for hundreds of milliseconds while pages are copied. Here the main connection
// never checkpoints; a thread with a connection of its own runs PASSIVE checkpoints, which never block a reader or a
// writer (sqlite.org/c3ref/wal_checkpoint_v2.html).
//
// A checkpoint copies the WAL's pages into the database; the WAL itself starts over from its beginning only when a
// writer begins while every page is copied and no reader is reading from the WAL (sqlite.org/wal.html §"Avoiding
// Excessively Large WAL Files"). Under steady traffic the API's and the dispatch worker's reads overlap without a pause,
// so that moment never came: the WAL file grew by about 47 MB a second at 4,400–4,800 sendings a second (1.5 GB after
// 28 s, until the traffic stopped), and a sending cost about a tenth more CPU by then. Past the size limit the thread
// therefore runs a RESTART checkpoint: it holds new writers back, copies what the PASSIVE one left, and waits (a few
// milliseconds at most) for the readers of older pages to finish, so that the next writer starts the WAL over.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the thread checkpoints whatever the main connection committed meanwhile. */
export const CHECKPOINT_INTERVAL_MS = 200;
/**
 * Past this size the WAL is made to start over (a RESTART checkpoint), and a WAL file left larger than this when it
 * starts over is truncated back to it (PRAGMA journal_size_limit).
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * The longest a RESTART checkpoint waits for the writer of the moment and for readers of older pages (SQLite's busy
 * handler), new writers held back meanwhile; past it the checkpoint gives up and the next tick tries again.
 */
export const RESTART_WAIT_MS = 20;
/** SQLite's own default, restored on the main connection if the thread ever stops, so the WAL never grows unbounded. */
const AUTOCHECKPOINT_DEFAULT_PAGES = 1_000;

// CommonJS, evaluated in the thread: no file to compile or resolve, whether run from dist/ or from source.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const limitFrames = Math.max(1, Math.floor(workerData.walLimitBytes / db.pragma('page_size', { simple: true })));
// A RESTART that could not finish (a long read still on older pages) held writers back for restartWaitMs for nothing:
// the next one waits until the WAL has grown by another limit's worth, not the next tick.
let restartAt = limitFrames;
const tick = () => {
  try {
    // One row: busy, the frames in the WAL, the frames copied into the database.
    const [state] = db.pragma('wal_checkpoint(PASSIVE)');
    if (state.log < limitFrames) restartAt = limitFrames;
    if (state.log < restartAt) return;
    db.pragma('busy_timeout = ' + workerData.restartWaitMs);
    let done = false;
    try { done = db.pragma('wal_checkpoint(RESTART)')[0].busy === 0; } finally { db.pragma('busy_timeout = 0'); }
    restartAt = done ? limitFrames : state.log + limitFrames;
  } catch { /* busy or closing: the next tick tries again */ }
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

export interface CheckpointerOptions {
  /** Default WAL_SIZE_LIMIT_BYTES. */
  readonly walLimitBytes?: number;
  /** Default CHECKPOINT_INTERVAL_MS. */
  readonly intervalMs?: number;
}

/** Starts the checkpoint thread of the SQLite file `path`, whose main connection is `main`. */
export function startCheckpointer(
  main: SqliteDatabase.Database,
  path: string,
  options: CheckpointerOptions = {},
): Checkpointer {
  const walLimitBytes = options.walLimitBytes ?? WAL_SIZE_LIMIT_BYTES;
  main.pragma(`journal_size_limit = ${walLimitBytes}`);
  main.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      walLimitBytes,
      restartWaitMs: RESTART_WAIT_MS,
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
