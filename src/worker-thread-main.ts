// The dispatch worker on a thread of its own, started by worker-thread.ts when one process serves both the API and the
// worker: a database connection of its own, the providers' connections, the worker loop. It logs through the process's
// logger (messages to the parent) and is woken by the parent when the API stores work.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig, serviceSettings } from './config.js';
import { loadNumberingPlan } from './data/numbering.js';
import { HandOversInFlight } from './dispatch/hand-overs-in-flight.js';
import { pushedReports } from './dispatch/pushed-reports.js';
import { createApiServices } from './services/api-services.js';
import { createKeywordReplies } from './services/keyword-replies.js';
import { createDb, ThreadWriteLock } from './store/db.js';
import { openWorkSignal } from './store/work-signal.js';
import { startWorkerRole } from './worker-role.js';
import { type FromThread, postedLogger, type ThreadData, type ToThread } from './worker-thread-messages.js';

const port = parentPort;
if (port === null) throw new Error('worker-thread-main runs as a worker thread');
const send = (message: FromThread) => port.postMessage(message);

const config = loadConfig();
const log = postedLogger(config.logLevel, send);
const plan = loadNumberingPlan();
const db = await createDb(config.databaseUrl, {
  connectTimeoutMs: config.dbConnectTimeoutMs,
  statementTimeoutMs: config.dbStatementTimeoutMs,
  onPoolError: (error) => log.warn({ err: { message: error.message } }, 'database connection lost; reconnecting'),
  threadWriteLock: new ThreadWriteLock((workerData as ThreadData).writeLock),
  // The process's own connection runs the WAL checkpoints, on its thread.
  checkpointedElsewhere: true,
});
// Work stored by other processes (PostgreSQL's NOTIFY), and by this thread itself (a keyword reply).
const signal = openWorkSignal(db, config.databaseUrl, log);
// Work stored by the API of this process: the parent says so.
const woken = new Set<() => void>();
const workSignal = {
  subscribe(wake: () => void) {
    const unsubscribe = signal.subscribe(wake);
    woken.add(wake);
    return () => {
      unsubscribe();
      woken.delete(wake);
    };
  },
};
const api = createApiServices({
  db,
  plan,
  ...serviceSettings(config),
  workSignal: signal,
});
const keywordReplies = createKeywordReplies(db, api, (fields, text) => log.warn(fields, text));
const handOvers = new HandOversInFlight();
const role = startWorkerRole({
  config,
  db,
  plan,
  pushed: pushedReports(db, handOvers),
  keywordReplies,
  workSignal,
  handOvers,
  log,
});

let stopping = false;
port.on('message', (message: ToThread) => {
  if (message.type === 'work') {
    for (const wake of woken) wake();
  } else if (message.type === 'stop' && !stopping) {
    stopping = true;
    void (async () => {
      await role.stop();
      await signal.close();
      await db.close();
      send({ type: 'stopped' });
      port.close();
    })();
  }
});
send({ type: 'started', workerId: role.workerId });
