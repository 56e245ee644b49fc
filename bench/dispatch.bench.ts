// Dispatch throughput: a stored sending of N recipients to every message final, through the sandbox with no delay.
import { performance } from 'node:perf_hooks';
import { createRegistry } from '../src/dispatch/registry.js';
import { createRouter } from '../src/dispatch/router.js';
import { startWorker } from '../src/dispatch/worker.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { dispatchCounts } from '../src/store/dispatch-queue.js';
import { auditLedger } from '../src/store/ledger.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { createSending, getSending } from '../src/store/sendings.js';
import { spawnWorker, type WorkerChild } from '../test/dispatch/processes.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount, newSending, recipientOf, sendingTotalMinor } from '../test/support/store-fixtures.js';
import { type BenchRow, formatRate } from './harness.js';

const RECIPIENTS = Number(process.env.DISPATCH_BENCH_RECIPIENTS ?? 100_000);
const BATCH = 1_000;
const CONCURRENCY = 4;
const TARGET_PER_SECOND = 5_000;
const STATUS_POLL_MS = 25;
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

interface Run {
  readonly seconds: number;
  readonly storeSeconds: number;
}

/** Stores the sending once the workers are up, then times it from commit to Completed (every message final). */
async function timeSending(db: Db): Promise<Run> {
  const shape = { recipients: RECIPIENTS };
  const accountId = await fundedAccount(db, sendingTotalMinor(shape), 'bench');
  const storeStarted = performance.now();
  const created = await createSending(db, newSending(accountId, shape));
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  const started = performance.now();
  const deadline = started + RUN_TIMEOUT_MS;
  for (;;) {
    const status = (await getSending(db, accountId, created.sending.id))?.status;
    if (status === 'Completed') break;
    if (status === 'Failed' || performance.now() > deadline) throw new Error(`sending ended ${status}`);
    await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = await dispatchCounts(db, created.sending.id);
  // The sandbox refuses numbers ending in 0004 at submission; it takes every other one.
  let refused = 0;
  for (let i = 0; i < RECIPIENTS; i++) if (recipientOf(i).endsWith('0004')) refused++;
  if (counts.accepted !== RECIPIENTS - refused) throw new Error(`accepted ${counts.accepted} of ${RECIPIENTS}`);
  const audit = await auditLedger(db);
  if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
  return { seconds, storeSeconds: (started - storeStarted) / 1000 };
}

async function inProcess(engine: DialectName): Promise<Run> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const clockUs = () => db.nowUs();
    const router = createRouter(createRegistry({ clockUs, sandbox: { reportDelayMs: 0 } }));
    const worker = startWorker({ db, router, clockUs, batchSize: BATCH, concurrency: CONCURRENCY, pollIntervalMs: 20 });
    try {
      return await timeSending(db);
    } finally {
      await worker.stop();
    }
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

async function inProcesses(workers: number): Promise<Run> {
  const scratch = await scratchDatabase('postgres');
  const db = await createDb(scratch.url);
  const children: WorkerChild[] = [];
  try {
    await migrate(db);
    const args = ['--batch', String(BATCH), '--concurrency', String(CONCURRENCY), '--upstream', 'memory'];
    for (let i = 0; i < workers; i++) children.push(spawnWorker(scratch.url, `bench-${i + 1}`, args));
    await Promise.all(children.map((c) => c.waitFor('ready', 60_000)));
    return await timeSending(db);
  } finally {
    await Promise.all(children.map((c) => c.stop().catch(() => c.child.kill('SIGKILL'))));
    await db.close();
    await scratch.dispose();
  }
}

function row(name: string, run: Run, target: boolean, notes: string): BenchRow {
  return {
    name,
    result: formatRate(RECIPIENTS / run.seconds, 'messages/s'),
    target: target ? `>= ${TARGET_PER_SECOND.toLocaleString('en-US')} messages/s` : '',
    notes: `${RECIPIENTS.toLocaleString('en-US')} recipients in ${run.seconds.toFixed(2)} s (storing the sending took ${run.storeSeconds.toFixed(2)} s, not counted); ${notes}`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const setup = `batch ${BATCH}, ${CONCURRENCY} batches in flight per worker, sandbox without report delay`;
  const rows = [row('1 worker, SQLite (in process)', await inProcess('sqlite'), true, setup)];
  const problem = await probePostgres();
  if (problem !== null) {
    rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: `unreachable: ${problem}` });
    return rows;
  }
  rows.push(row('1 worker process, PostgreSQL', await inProcesses(1), true, setup));
  rows.push(row('3 worker processes, PostgreSQL', await inProcesses(3), false, `${setup}; one shared database`));
  return rows;
}
