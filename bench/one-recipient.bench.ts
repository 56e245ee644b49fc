// One-recipient POST /sendings (one-time codes): accepted and handed to the provider per second, latency, the
// backlog's drain after the load stops, CPU per sending of each process and of PostgreSQL, and the ledger's audit;
// beside a minimal Fastify app doing the same essential work on the same engine (bench/minimal/app.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createAccount } from '../src/store/accounts.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { auditLedger, credit } from '../src/store/ledger.js';
import { replaceRates } from '../src/store/rates.js';
import { createToken } from '../src/store/tokens.js';
import { growTables } from '../test/support/grown-tables.js';
import { probePostgres } from '../test/support/scratch-db.js';
import { type BenchRow, formatRate } from './harness.js';
import {
  benchTenant,
  cpuSeconds,
  freePort,
  HOST,
  httpRequest,
  type Smsgic,
  startSmsgic,
  type Tenant,
  type ThreadSplit,
  threadCpuSeconds,
  threadSplit,
} from './smsgic-processes.js';

const SECONDS = Number(process.env.ONE_RECIPIENT_BENCH_SECONDS ?? 6);
/**
 * Load before each measured run, the same for the minimal app. V8 goes on compiling the product's hot paths for a few
 * seconds: after 2 s of warm-up its compiler threads still took 40–48 µs a sending of the first run, 24–26 µs after 6 s.
 */
const WARMUP_SECONDS = Number(process.env.ONE_RECIPIENT_BENCH_WARMUP_SECONDS ?? 6);
const DRAIN_MAX_MS = Number(process.env.ONE_RECIPIENT_BENCH_DRAIN_MAX_MS ?? 120_000);
const ENGINES = (process.env.ONE_RECIPIENT_BENCH_ENGINES ?? 'sqlite,postgres').split(',') as DialectName[];
const CONNECTIONS = (process.env.ONE_RECIPIENT_BENCH_CONNECTIONS ?? '50,200').split(',').map(Number);
const ACCOUNTS = (process.env.ONE_RECIPIENT_BENCH_ACCOUNTS ?? '1,20').split(',').map(Number);
/**
 * Messages of history stored before a further run (one account, the first connection count), so that the figures at
 * a small and a large table stand side by side: a sending's cost must not grow with what the platform has stored.
 */
const STORED = (process.env.ONE_RECIPIENT_BENCH_STORED ?? '10000,5000000')
  .split(',')
  .filter((n) => n.trim() !== '')
  .map(Number);
const MINIMAL = fileURLToPath(new URL('./minimal/app.ts', import.meta.url));
const TEXT = 'Your code is 482913. It expires in 10 minutes.';

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly '2xx': number;
  readonly duration: number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

/** Tokens of `count` funded accounts priced as the tenant's first (the tenant's own first). */
async function tokensOf(tenant: Tenant, count: number): Promise<string[]> {
  const db = await createDb(tenant.scratch.url);
  try {
    const tokens = [tenant.token];
    const plan = loadNumberingPlan();
    const seen = new Set<string>();
    const rows = plan.countries
      .flatMap((c) => c.mccs)
      .filter((mcc) => !seen.has(mcc) && seen.add(mcc))
      .map((mcc) => ({ mcc, mnc: null, rateMinor: 450 }));
    for (let i = 1; i < count; i++) {
      const account = await createAccount(db, { name: `bench ${i}`, currency: 'GBP', taxRatePpm: 0 });
      const credited = await credit(db, account.id, 10_000_000 * 10_000, 'bench balance');
      if (!credited.ok) throw new Error(`credit refused: ${credited.reason}`);
      const imported = await replaceRates(db, account.id, rows);
      if (!imported.ok) throw new Error(`rates refused: ${imported.reason}`);
      tokens.push((await createToken(db, account.id, { name: 'bench' })).token);
    }
    return tokens;
  } finally {
    await db.close();
  }
}

/**
 * CPU seconds of the PostgreSQL backends serving the bench's database (other databases on a shared server are not
 * counted; the server's own background writers are not either). Backends live as long as their pooled connections.
 */
async function postgresCpu(db: Db): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(db.kysely);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuSeconds(pid));
    } catch {
      // Ended meanwhile.
    }
  }
  return cpu;
}

async function postgresCpuSince(db: Db, before: Map<number, number>): Promise<number> {
  let total = 0;
  for (const [pid, seconds] of await postgresCpu(db)) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** The bench's messages: those with an id above `history` (the last message of any history stored before). */
async function countsOf(db: Db, history: number): Promise<{ total: number; queued: number }> {
  const { rows } = await sql<{ total: number | string; queued: number | string }>`
    select (select count(*) from messages where id > ${history}) as total,
           (select count(*) from messages where status = 'queued' and id > ${history}) as queued`.execute(db.kysely);
  return { total: Number(rows[0]?.total), queued: Number(rows[0]?.queued) };
}

let recipientSeq = 0;
function load(port: number, tokens: readonly string[], connections: number, seconds: number): Promise<CannonResult> {
  let connection = 0;
  return autocannon({
    url: `http://${HOST}:${port}/sendings`,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    method: 'POST',
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) => {
      const token = tokens[connection++ % tokens.length] as string;
      client.setHeaders({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          const recipient = String(37_126_000_000 + (recipientSeq++ % 1_000_000));
          return { ...request, body: JSON.stringify({ message: TEXT, recipients: [recipient], sender: 'SMSgic' }) };
        },
      },
    ],
  });
}

interface Processes {
  readonly port: number;
  readonly pids: readonly { readonly role: string; readonly pid: number }[];
  stop(): Promise<void>;
  /** The product's SQLite WAL file, whose size the run reports at its end (undefined on PostgreSQL). */
  readonly walPath?: string | undefined;
}

/** The product's processes on the tenant's database, as a run measures them. */
function processesOf(smsgic: Smsgic, tenant: Tenant): Processes {
  return {
    port: smsgic.port,
    pids: smsgic.processes.map((p) => ({ role: p.role, pid: p.pid })),
    stop: () => smsgic.stop(),
    walPath: tenant.engine === 'sqlite' ? `${tenant.scratch.url.replace(/^sqlite:/, '')}-wal` : undefined,
  };
}

async function startMinimal(tenant: Tenant): Promise<Processes> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MINIMAL], {
    env: { ...process.env, DATABASE_URL: tenant.scratch.url, HOST, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await httpRequest(port, 'POST', '/sendings', {}, '{}').then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 0) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('minimal app did not start');
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    port,
    pids: [{ role: 'minimal', pid: child.pid as number }],
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** History stored before the runs: the last message id it holds, and its accounts (whose balances were set, not earned). */
interface History {
  readonly lastMessageId: number;
  readonly accounts: { readonly first: number; readonly last: number } | null;
}
const NO_HISTORY: History = { lastMessageId: 0, accounts: null };

interface Run {
  readonly accepted: number;
  readonly handedPerSecond: number;
  readonly cannon: CannonResult;
  readonly drainMs: number;
  readonly cpuUsPerSending: readonly { readonly role: string; readonly us: number }[];
  /** The size of the SQLite WAL file when the run ended, in bytes (null on PostgreSQL). */
  readonly walBytes: number | null;
  /** The single process on SQLite, split by thread (µs a sending); null for several processes. */
  readonly threadsUsPerSending: ThreadSplit | null;
  readonly postgresUsPerSending: number | null;
  readonly audit: string;
}

async function run(
  engine: DialectName,
  servers: Processes,
  db: Db,
  tokens: readonly string[],
  connections: number,
  withWorker: boolean,
  history: History = NO_HISTORY,
): Promise<Run> {
  const counts = (on: Db) => countsOf(on, history.lastMessageId);
  await load(servers.port, tokens, connections, WARMUP_SECONDS);
  // The warm-up's backlog drains before the measured run starts.
  for (const end = Date.now() + DRAIN_MAX_MS; withWorker && Date.now() < end; ) {
    if ((await counts(db)).queued === 0) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  // What autovacuum does within a minute of tables growing from empty: statistics the planner can trust. Without it
  // each connection keeps the plans it made when the tables were nearly empty (some read sendings whole) until the
  // first analyse, which the 8 s of a run on a new database never reach: the figures varied with the plans each
  // connection happened to keep (the lease's fill took 0.26 ms a call in one run, 2.4 ms in another).
  if (engine === 'postgres') await sql`analyze`.execute(db.kysely);
  const before = await counts(db);
  const cpuBefore = servers.pids.map((p) => cpuSeconds(p.pid));
  const single = servers.pids.length === 1 && servers.pids[0]?.role !== 'minimal' ? servers.pids[0] : undefined;
  const threadsBefore = single ? threadCpuSeconds(single.pid) : null;
  const pgBefore = engine === 'postgres' ? await postgresCpu(db) : null;
  const startMs = Date.now();
  const cannon = await load(servers.port, tokens, connections, SECONDS);
  const loadEndMs = Date.now();
  const atEnd = await counts(db);
  let drainMs = Number.NaN;
  if (withWorker) {
    for (;;) {
      const now = await counts(db);
      if (now.queued === 0) {
        drainMs = Date.now() - loadEndMs;
        break;
      }
      if (Date.now() - loadEndMs > DRAIN_MAX_MS) break;
      await new Promise((done) => setTimeout(done, 20));
    }
  }
  const after = await counts(db);
  const walBytes = servers.walPath === undefined ? null : statSync(servers.walPath).size;
  const created = after.total - before.total;
  const handedDuringLoad = atEnd.total - atEnd.queued - (before.total - before.queued);
  const sendings = Math.max(1, created);
  const cpuUsPerSending = servers.pids.map((p, i) => ({
    role: p.role,
    us: ((cpuSeconds(p.pid) - (cpuBefore[i] as number)) * 1e6) / sendings,
  }));
  const threads = single && threadsBefore ? threadSplit(single.pid, threadsBefore, threadCpuSeconds(single.pid)) : null;
  const threadsUsPerSending = threads && {
    main: (threads.main * 1e6) / sendings,
    busiest: (threads.busiest * 1e6) / sendings,
    rest: (threads.rest * 1e6) / sendings,
  };
  const postgresUsPerSending = pgBefore ? ((await postgresCpuSince(db, pgBefore)) * 1e6) / sendings : null;
  // The stored history's balances were set, not earned: the audit speaks for the accounts the bench made.
  const grown = history.accounts;
  const mismatches = (await auditLedger(db)).mismatches.filter(
    (m) => grown === null || m.accountId < grown.first || m.accountId > grown.last,
  );
  return {
    accepted: cannon['2xx'] / ((loadEndMs - startMs) / 1000),
    handedPerSecond: handedDuringLoad / ((loadEndMs - startMs) / 1000),
    cannon,
    drainMs,
    cpuUsPerSending,
    walBytes,
    threadsUsPerSending,
    postgresUsPerSending,
    audit: mismatches.length === 0 ? 'exact' : `${mismatches.length} mismatches`,
  };
}

/** Whether the run's single process had a dispatch worker thread (`serve` on SQLite without `--api`). */
const withWorkerThread = (r: Run) => r.cpuUsPerSending.some((c) => c.role === 'api+worker');

function row(label: string, r: Run, target: string, baseline?: Run): BenchRow {
  const threads = r.threadsUsPerSending;
  const split = threads
    ? ` (main thread ${Math.round(threads.main)} µs, ${withWorkerThread(r) ? 'worker thread' : 'busiest other thread'} ` +
      `${Math.round(threads.busiest)} µs, V8 and libuv helpers ${Math.round(threads.rest)} µs)`
    : '';
  const cpu = r.cpuUsPerSending.map((c) => `${c.role} ${Math.round(c.us)} µs`).join(', ') + split;
  const pg = r.postgresUsPerSending === null ? '' : `, PostgreSQL ${Math.round(r.postgresUsPerSending)} µs`;
  const handed = Number.isNaN(r.drainMs)
    ? ''
    : `; handed to the provider ${formatRate(r.handedPerSecond, '/s')} during the load, backlog empty ${r.drainMs} ms after it`;
  const wal = r.walBytes === null ? '' : `; WAL file ${Math.round(r.walBytes / 1e6)} MB at the end`;
  const ratio = baseline ? `; ${Math.round((100 * r.accepted) / baseline.accepted)}% of the minimal app` : '';
  return {
    name: label,
    result: formatRate(r.accepted, 'sendings/s'),
    target,
    notes:
      `p50 ${r.cannon.latency.p50} ms, p99 ${r.cannon.latency.p99} ms, max ${r.cannon.latency.max} ms; ` +
      `non-2xx ${r.cannon.non2xx}, errors ${r.cannon.errors}, timeouts ${r.cannon.timeouts}${handed}; ` +
      `CPU per sending: ${cpu}${pg}; ledger ${r.audit}${wal}${ratio}`,
  };
}

/**
 * The API with no dispatch worker anywhere, one account, the first connection count: what accepting alone costs and
 * how fast it goes on this machine, beside the runs that also hand every sending over (the sendings stay queued).
 */
async function measureApiAlone(engine: DialectName): Promise<BenchRow> {
  const tenant = await benchTenant(engine);
  const smsgic = await startSmsgic(tenant, {}, { apiOnly: true });
  const db = await createDb(tenant.scratch.url);
  try {
    const servers = processesOf(smsgic, tenant);
    const connections = CONNECTIONS[0] as number;
    const r = await run(engine, servers, db, [tenant.token], connections, false);
    const made = row(
      `${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, the API alone (no dispatch worker: accepted, not handed over), 1 account, ${connections} connections`,
      r,
      'reference: accepting alone',
    );
    process.stdout.write(`  ${made.name}: ${made.result} (${made.notes})\n`);
    return made;
  } finally {
    await db.close();
    await smsgic.stop();
    await tenant.scratch.dispose();
  }
}

async function measure(engine: DialectName): Promise<BenchRow[]> {
  const label =
    engine === 'sqlite' ? 'SQLite, API and worker threads in one process' : 'PostgreSQL, API and worker processes';
  const rows: BenchRow[] = [];
  const maxAccounts = Math.max(...ACCOUNTS);

  // The minimal app first, on its own database.
  const floorTenant = await benchTenant(engine);
  const floorDb = await createDb(floorTenant.scratch.url);
  let floor: Run;
  try {
    const minimal = await startMinimal(floorTenant);
    try {
      floor = await run(engine, minimal, floorDb, [floorTenant.token], CONNECTIONS[0] as number, false);
    } finally {
      await minimal.stop();
    }
  } finally {
    await floorDb.close();
    await floorTenant.scratch.dispose();
  }
  process.stdout.write(`  ${engine} minimal: ${JSON.stringify(row('', floor, ''))}\n`);

  const tenant = await benchTenant(engine);
  const tokens = await tokensOf(tenant, maxAccounts);
  const smsgic = await startSmsgic(tenant, { SANDBOX_REPORT_DELAY_MS: '0' });
  const db = await createDb(tenant.scratch.url);
  try {
    const servers = processesOf(smsgic, tenant);
    for (const accounts of ACCOUNTS) {
      for (const connections of CONNECTIONS) {
        const r = await run(engine, servers, db, tokens.slice(0, accounts), connections, true);
        const target =
          engine === 'sqlite'
            ? connections <= 50
              ? '>= 5,000/s accepted and handed over, p99 < 50 ms'
              : 'no timeouts'
            : '>= 3,000/s, PostgreSQL < 300 µs a sending';
        const made = row(
          `${label}, ${accounts} account${accounts > 1 ? 's' : ''}, ${connections} connections`,
          r,
          target,
          connections === CONNECTIONS[0] ? floor : undefined,
        );
        process.stdout.write(`  ${made.name}: ${made.result} (${made.notes})\n`);
        rows.push(made);
      }
    }
  } finally {
    await db.close();
    await smsgic.stop();
    await tenant.scratch.dispose();
  }
  rows.push(await measureApiAlone(engine));
  for (const stored of STORED) rows.push(await measureStored(engine, label, stored));
  rows.push(
    row(
      `Minimal Fastify app (token lookup, one transaction: sending + message + reservation), ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${CONNECTIONS[0]} connections`,
      floor,
      '',
    ),
  );
  return rows;
}

/** One account at the first connection count, on a database already holding `stored` messages of history. */
async function measureStored(engine: DialectName, label: string, stored: number): Promise<BenchRow> {
  const tenant = await benchTenant(engine);
  const db = await createDb(tenant.scratch.url);
  try {
    // A fixed few live sendings (queued for 2100, awaiting reports nobody asks for), so only the history differs.
    const grown = await growTables(db, { messages: stored, liveSendings: 2 });
    const last = await sql<{ id: number | string | null }>`select max(id) as id from messages`.execute(db.kysely);
    const history: History = { lastMessageId: Number(last.rows[0]?.id ?? 0), accounts: grown.accounts };
    // What filling the tables left to do (the vacuum and statistics a platform's history has long had, a checkpoint of
    // the bulk writes) is done before the run, so that autovacuum does not start on millions of new rows during it.
    if (engine === 'postgres') {
      await sql`vacuum analyze`.execute(db.kysely);
      await sql`checkpoint`.execute(db.kysely);
    } else {
      await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    }
    const smsgic = await startSmsgic(tenant, { SANDBOX_REPORT_DELAY_MS: '0' });
    try {
      const servers = processesOf(smsgic, tenant);
      const connections = CONNECTIONS[0] as number;
      const r = await run(engine, servers, db, [tenant.token], connections, true, history);
      const made = row(
        `${label}, 1 account, ${connections} connections, ${stored.toLocaleString('en-US')} messages already stored`,
        r,
        'the same figures as with 10,000 stored',
      );
      process.stdout.write(`  ${made.name}: ${made.result} (${made.notes})\n`);
      return made;
    } finally {
      await smsgic.stop();
    }
  } finally {
    await db.close();
    await tenant.scratch.dispose();
  }
}

export async function run_(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const engine of ENGINES) {
    if (engine === 'postgres') {
      const unreachable = await probePostgres();
      if (unreachable) {
        rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: unreachable });
        continue;
      }
    }
    rows.push(...(await measure(engine)));
  }
  return rows;
}
export { run_ as run };
