// SMSgic as deployed, for end-to-end benches: a funded tenant in a scratch database, and `smsgic serve` processes
// (API and worker in one on SQLite, or apart on PostgreSQL) whose CPU time is read from /proc.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { bootstrap } from '../src/services/bootstrap.js';
import { createAccount } from '../src/store/accounts.js';
import { createDb, type DialectName } from '../src/store/db.js';
import { credit } from '../src/store/ledger.js';
import { replaceRates } from '../src/store/rates.js';
import { createToken } from '../src/store/tokens.js';
import { type ScratchDatabase, scratchDatabase } from '../test/support/scratch-db.js';

export const HOST = '127.0.0.1';
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const READY_MS = 30_000;
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface Tenant {
  readonly engine: DialectName;
  readonly scratch: ScratchDatabase;
  readonly accountId: number;
  readonly token: string;
}

/** A fresh database, bootstrapped as the server does, with one account priced 4.50 a part in every country. */
export async function benchTenant(engine: DialectName): Promise<Tenant> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    const plan = loadNumberingPlan();
    await bootstrap(db, plan);
    const account = await createAccount(db, { name: 'bench', currency: 'GBP', taxRatePpm: 0 });
    const credited = await credit(db, account.id, 10_000_000 * 10_000, 'bench balance');
    if (!credited.ok) throw new Error(`credit refused: ${credited.reason}`);
    const seen = new Set<string>();
    const rates = plan.countries
      .flatMap((c) => c.mccs)
      .filter((mcc) => !seen.has(mcc) && seen.add(mcc))
      .map((mcc) => ({ mcc, mnc: null, rateMinor: 450 }));
    const imported = await replaceRates(db, account.id, rates);
    if (!imported.ok) throw new Error(`rates refused: ${imported.reason}`);
    const { token } = await createToken(db, account.id, { name: 'bench' });
    return { engine, scratch, accountId: account.id, token };
  } finally {
    await db.close();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, HOST, done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** User plus system CPU time of a process so far, in seconds (/proc/PID/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** User and system CPU seconds from a /proc `stat` line (of a process or of one of its threads). */
function cpuOfStat(stat: string): number {
  // The command name (field 2) may hold spaces: count fields from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of each thread of `pid` now, by thread id (the main thread's id is `pid`). */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), cpuOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return threads;
}

/** What each kind of thread of one process spent between two readings of `threadCpuSeconds`, in seconds. */
export interface ThreadSplit {
  /** The main thread: the HTTP server and the API's work. */
  readonly main: number;
  /** The busiest other thread: the dispatch worker's thread when the process runs one. */
  readonly busiest: number;
  /** All the others: V8's garbage collection and compiler helpers, libuv's pool. */
  readonly rest: number;
}

export function threadSplit(
  pid: number,
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): ThreadSplit {
  const spent = [...after].map(([tid, seconds]) => ({ tid, seconds: seconds - (before.get(tid) ?? 0) }));
  const others = spent.filter((t) => t.tid !== pid).sort((a, b) => b.seconds - a.seconds);
  return {
    main: spent.find((t) => t.tid === pid)?.seconds ?? 0,
    busiest: others[0]?.seconds ?? 0,
    rest: others.slice(1).reduce((sum, t) => sum + t.seconds, 0),
  };
}

/**
 * CPU seconds of the PostgreSQL backends serving `database` now (they end with their connections: read before), but
 * those of `excludePids` (the bench's own connection, counting what is done).
 */
export async function postgresBackendCpuSeconds(url: string, excludePids: readonly number[] = []): Promise<number> {
  const db = await createDb(url);
  try {
    const rows = await sql<{ pid: number }>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(
      db.kysely,
    );
    let total = 0;
    for (const { pid } of rows.rows) {
      if (excludePids.includes(Number(pid))) continue;
      try {
        total += cpuSeconds(pid);
      } catch {
        // Ended meanwhile.
      }
    }
    return total;
  } finally {
    await db.close();
  }
}

export interface SmsgicProcess {
  readonly role: 'api+worker' | 'api' | 'worker';
  readonly pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface Smsgic {
  readonly port: number;
  readonly processes: readonly SmsgicProcess[];
  stop(): Promise<void>;
}

function spawnServe(role: SmsgicProcess['role'], env: Record<string, string>): SmsgicProcess & { exited: boolean } {
  const flags = role === 'api' ? ['--api'] : role === 'worker' ? ['--worker'] : [];
  // BENCH_NODE_ARGS: extra node flags for the product's processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CLI, 'serve', ...flags], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const pid = child.pid as number;
  const proc = {
    role,
    pid,
    exited: false,
    cpuSeconds: () => cpuSeconds(pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    toString: () => stderr,
  };
  child.once('exit', () => {
    proc.exited = true;
  });
  return proc;
}

/**
 * `smsgic serve` against the tenant's database: one process on SQLite, an API and a worker process on PostgreSQL.
 * Request logs off (LOG_LEVEL=warn), rate limits out of the way, Redis unset, callbacks to loopback allowed.
 */
export async function startSmsgic(
  tenant: Tenant,
  env: Record<string, string>,
  options: { readonly apiOnly?: boolean } = {},
): Promise<Smsgic> {
  const port = await freePort();
  const common = {
    DATABASE_URL: tenant.scratch.url,
    HOST,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    REDIS_URL: '',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    CALLBACK_ALLOW_PRIVATE: 'true',
    ...env,
  };
  // apiOnly: the API without any dispatch worker (what accepting alone costs).
  const processes = options.apiOnly
    ? [spawnServe('api', common)]
    : tenant.engine === 'sqlite'
      ? [spawnServe('api+worker', common)]
      : [spawnServe('api', common), spawnServe('worker', common)];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const dead = processes.find((p) => p.exited);
    if (dead) {
      await stop();
      throw new Error(`smsgic ${dead.role} exited: ${String(dead)}`);
    }
    const status = await httpRequest(port, 'GET', '/status').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`smsgic not ready after ${READY_MS} ms: ${processes.map(String).join('\n')}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return { port, processes, stop };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** process.hrtime of the answer's last byte. */
  readonly atNs: bigint;
}

/** Keep-alive connections, as a customer's HTTP client would hold them. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });

export function httpRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((done, fail) => {
    const sent = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: HOST, port, method, path, headers: sent, agent: keepAlive }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text, atNs: process.hrtime.bigint() }));
      res.on('error', fail);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', fail);
    req.end(body);
  });
}

/** POST /sendings of one recipient; resolves with the sending id and the moment its 200 arrived. */
export async function sendOne(
  port: number,
  token: string,
  recipient: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<{ sendingId: number; atNs: bigint }> {
  const answer = await httpRequest(
    port,
    'POST',
    '/sendings',
    { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    JSON.stringify({ message: text, recipients: [recipient], sender: 'SMSgic', ...extra }),
  );
  const match = /"sending_id":(\d+)/.exec(answer.body);
  if (answer.status !== 200 || !match) throw new Error(`POST /sendings: ${answer.status} ${answer.body.slice(0, 300)}`);
  return { sendingId: Number(match[1]), atNs: answer.atNs };
}

/** The value at quantile q (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
