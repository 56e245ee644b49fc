// The dispatch worker on a thread of its own, beside the API in one process: the API's requests and the worker's
// rounds then run on two cores instead of taking turns on one. The thread opens its own database connection (SQLite
// in WAL mode lets its reads run beside the API's; writers take the write lock in turn), its own providers'
// connections, and writes its log lines through the process's logger.
import { Worker } from 'node:worker_threads';
import type { ThreadWriteLock } from './store/db.js';
import { type FromThread, receivedFields, type ThreadData, type ToThread } from './worker-thread-messages.js';

/** How the process writes the thread's lines: its own logger (Fastify's pino). */
export interface ThreadLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface WorkerThread {
  readonly workerId: string;
  /** Tells the thread that work was stored: an idle worker leases it now. At most one message per turn of the loop. */
  wake(): void;
  /** Stops the worker (what is in flight finishes and is recorded), then the thread; resolves when it has ended. */
  stop(): Promise<void>;
}

/** Whether one process may run its worker on a thread: not for an in-memory SQLite database, which one connection owns. */
export function workerThreadPossible(databaseUrl: string | undefined): boolean {
  return !/^sqlite::memory:$/.test(databaseUrl ?? '');
}

const FROM_SOURCES = import.meta.url.endsWith('.ts');
// Compiled, the entry is a .js beside this file; run from the sources (tsx, as benches and some tests do), a .ts.
const ENTRY = new URL(FROM_SOURCES ? './worker-thread-main.ts' : './worker-thread-main.js', import.meta.url);

/** A thread does not inherit its parent's module hooks: from the sources it registers tsx's before loading the entry. */
function spawnThread(workerData: ThreadData): Worker {
  if (!FROM_SOURCES) return new Worker(ENTRY, { workerData });
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY.href)}); })`;
  return new Worker(load, { eval: true, workerData });
}

/**
 * Starts the thread and resolves once its worker has started; its connection shares `writeLock` with the process's. `failed` is told if the thread ends on its own later
 * (an error it did not handle): the process should end too, as it would have with the worker on its own thread.
 */
export function startWorkerThread(
  log: ThreadLog,
  writeLock: ThreadWriteLock,
  failed: (error: Error) => void,
): Promise<WorkerThread> {
  const thread = spawnThread({ writeLock: writeLock.buffer });
  const post = (message: ToThread) => thread.postMessage(message);
  let stopping = false;
  let wakePending = false;
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  let workerStopped = () => {};
  const stoppedWorker = new Promise<void>((resolve) => {
    workerStopped = resolve;
  });
  return new Promise<WorkerThread>((resolve, reject) => {
    let started = false;
    thread.on('message', (message: FromThread) => {
      if (message.type === 'log') {
        log[message.level](receivedFields(message.fields), message.message);
      } else if (message.type === 'stopped') {
        workerStopped();
      } else if (message.type === 'started') {
        started = true;
        resolve({
          workerId: message.workerId,
          wake() {
            if (wakePending || stopping) return;
            wakePending = true;
            post({ type: 'work' });
            setImmediate(() => {
              wakePending = false;
            });
          },
          async stop() {
            if (!stopping) {
              stopping = true;
              post({ type: 'stop' });
            }
            // Once its worker has stopped and its connections are closed, the thread is ended: a handle something left
            // open there must not keep the process from ending.
            await Promise.race([stoppedWorker, exited]);
            await thread.terminate();
            await exited;
          },
        });
      }
    });
    // An error the thread did not handle comes first, then its exit: the first is told, once.
    let told = false;
    const ended = (error: Error) => {
      if (told || stopping) return;
      told = true;
      if (started) failed(error);
      else reject(error);
    };
    thread.on('error', ended);
    void exited.then((code) => ended(new Error(`the dispatch worker thread ended (exit code ${code})`)));
  });
}
