// The per-request path of the API against its floor: GET /balance of the product (`smsgic serve --api`) beside a
// minimal Fastify app doing the same token lookup and balance read on the same database (bench/minimal/), on SQLite
// and on PostgreSQL, at LOG_LEVEL=info and warn. Requests per second, CPU per request of the server process and of
// the PostgreSQL backends (from /proc), and the product's share of the minimal app's throughput.
//
// `npm run bench -- request-path`, or `node --import tsx bench/request-path.bench.ts` to print the rows only.
// Environment: BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (5, the same for both apps: V8 goes on compiling the product's
// longer request path after 2 s), BENCH_CONNECTIONS (50), BENCH_ENGINES (sqlite,postgres), BENCH_LEVELS (warn,info),
// BENCH_ROUNDS (2: the apps alternate, and each one's best round counts, so that a machine busy with something else for
// a moment weighs less), BENCH_NODE_ARGS (extra node flags for both servers, e.g. a CPU profile).
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probePostgres } from '../test/support/scratch-db.js';
import { type BenchRow, formatRate } from './harness.js';
import { benchTenant, cpuSeconds, freePort, HOST, postgresBackendCpuSeconds, type Tenant } from './smsgic-processes.js';

const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const MINIMAL = {
  sqlite: fileURLToPath(new URL('./minimal/balance-sqlite.ts', import.meta.url)),
  postgres: fileURLToPath(new URL('./minimal/balance-pg.ts', import.meta.url)),
} as const;
const READY_MS = 30_000;

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const LOAD = {
  seconds: envNumber('BENCH_SECONDS', 5),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 5),
  connections: envNumber('BENCH_CONNECTIONS', 50),
};
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const LEVELS = (process.env.BENCH_LEVELS ?? 'warn,info').split(',');
const ROUNDS = envNumber('BENCH_ROUNDS', 2);

type Kind = 'product' | 'minimal';

interface Server {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: HOST, port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** The product's API process or the minimal app, logging at `level` to /dev/null (a sink outside the process). */
async function startServer(kind: Kind, tenant: Tenant, level: string): Promise<Server> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const args = [
    ...nodeArgs,
    ...(kind === 'product' ? ['--import', 'tsx', CLI, 'serve', '--api'] : ['--import', 'tsx', MINIMAL[tenant.engine]]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: tenant.scratch.url,
      HOST,
      PORT: String(port),
      LOG_LEVEL: level,
      REDIS_URL: '',
      RATE_LIMIT_PER_MINUTE: '1000000000',
    },
    stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} server exited: ${stderr}`);
    const status = await get(port, '/status').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${kind} server not ready after ${READY_MS} ms: ${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return { pid: child.pid as number, port, stop };
}

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly '2xx': number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

interface Measure {
  readonly reqPerSecond: number;
  readonly p99Ms: number;
  /** CPU microseconds per request of the server process, and of the PostgreSQL backends of its database. */
  readonly serverCpuUs: number;
  readonly postgresCpuUs: number;
  readonly failures: number;
}

async function measure(kind: Kind, tenant: Tenant, level: string): Promise<Measure> {
  const server = await startServer(kind, tenant, level);
  try {
    const headers = { authorization: `Bearer ${tenant.token}` };
    const answer = await get(server.port, '/balance', headers);
    if (answer.status !== 200 || !answer.body.includes('"code":"GBP"')) {
      throw new Error(`${kind} GET /balance: ${answer.status} ${answer.body}`);
    }
    const common = { url: `http://${HOST}:${server.port}/balance`, headers, connections: LOAD.connections };
    await autocannon({ ...common, duration: LOAD.warmupSeconds });
    const pgBefore = tenant.engine === 'postgres' ? await postgresBackendCpuSeconds(tenant.scratch.url) : 0;
    const cpuBefore = cpuSeconds(server.pid);
    const result = await autocannon({ ...common, duration: LOAD.seconds });
    const cpuAfter = cpuSeconds(server.pid);
    const pgAfter = tenant.engine === 'postgres' ? await postgresBackendCpuSeconds(tenant.scratch.url) : 0;
    const total = Math.max(1, result['2xx']);
    return {
      reqPerSecond: result.requests.average,
      p99Ms: result.latency.p99,
      serverCpuUs: ((cpuAfter - cpuBefore) * 1e6) / total,
      postgresCpuUs: ((pgAfter - pgBefore) * 1e6) / total,
      failures: result.non2xx + result.errors,
    };
  } finally {
    await server.stop();
  }
}

/** The round of most requests a second, with the least CPU per request seen in any round. */
function best(rounds: readonly Measure[]): Measure {
  const top = rounds.reduce((a, b) => (b.reqPerSecond > a.reqPerSecond ? b : a));
  return {
    ...top,
    serverCpuUs: Math.min(...rounds.map((r) => r.serverCpuUs)),
    postgresCpuUs: Math.min(...rounds.map((r) => r.postgresCpuUs)),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
  };
}

const us = (value: number) => `${Math.round(value)} µs`;

export async function run(): Promise<BenchRow[]> {
  if (process.platform !== 'linux') throw new Error('the request-path bench reads CPU time from /proc (Linux only)');
  const rows: BenchRow[] = [];
  const load = `${LOAD.connections} connections, ${LOAD.seconds} s after ${LOAD.warmupSeconds} s warm-up`;
  for (const engine of ENGINES) {
    if (engine === 'postgres' && (await probePostgres()) !== null) {
      rows.push({ name: 'GET /balance on PostgreSQL', result: 'not measured', target: '', notes: 'unreachable' });
      continue;
    }
    const tenant = await benchTenant(engine);
    try {
      const label = engine === 'sqlite' ? 'SQLite (WAL)' : 'PostgreSQL';
      for (const level of LEVELS) {
        const minimals: Measure[] = [];
        const products: Measure[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          minimals.push(await measure('minimal', tenant, level));
          products.push(await measure('product', tenant, level));
        }
        const minimal = best(minimals);
        const product = best(products);
        const ratio = product.reqPerSecond / minimal.reqPerSecond;
        const cpu = (m: Measure) =>
          `server ${us(m.serverCpuUs)}/req${engine === 'postgres' ? `, PostgreSQL ${us(m.postgresCpuUs)}/req` : ''}`;
        rows.push({
          name: `GET /balance, ${label}, LOG_LEVEL=${level}: product (serve --api) / minimal app`,
          result: `${formatRate(product.reqPerSecond, 'req/s')} / ${formatRate(minimal.reqPerSecond, 'req/s')} = ${ratio.toFixed(2)}`,
          target: '>= 0.80',
          notes:
            `product ${cpu(product)}, p99 ${product.p99Ms} ms; minimal ${cpu(minimal)}, p99 ${minimal.p99Ms} ms; ` +
            `failures ${product.failures + minimal.failures}; best of ${ROUNDS} alternating rounds; ${load}`,
        });
      }
    } finally {
      await tenant.scratch.dispose();
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  for (const row of await run()) console.log(`${row.name}: ${row.result}\n  ${row.notes ?? ''}`);
}
