// HTTP benchmarks: big calculate and sending requests, and requests per second, against servers in child processes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import examples from 'libphonenumber-js/mobile/examples';
import { loadNumberingPlan } from '../src/data/numbering.js';
import type { RateRow } from '../src/domain/pricing.js';
import { bootstrap } from '../src/services/bootstrap.js';
import type { ApiServices } from '../src/services/ports.js';
import { createAccount } from '../src/store/accounts.js';
import { createDb, type DialectName } from '../src/store/db.js';
import { auditLedger, credit } from '../src/store/ledger.js';
import { messageTotals } from '../src/store/messages.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { replaceRates } from '../src/store/rates.js';
import { createSending } from '../src/store/sendings.js';
import { createToken } from '../src/store/tokens.js';
import { probePostgres, type ScratchDatabase, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount, newSending } from '../test/support/store-fixtures.js';
import { type BenchRow, formatRate, seededRandom } from './harness.js';

const SELF = fileURLToPath(import.meta.url);
const HOST = '127.0.0.1';
const MESSAGE = 'Your code is 123456. It expires in 10 minutes.';
const TAX_RATE_PPM = 210_000;
const SERVER_READY_MS = 30_000;
const REQUEST_TIMEOUT_MS = 120_000;
const MIB = 2 ** 20;

const CALCULATIONS = [
  { recipients: 100_000, runs: 3, target: '< 1 s' },
  { recipients: 1_000_000, runs: 2, target: '< 10 s, < 1 GiB' },
] as const;
const SENDING_RECIPIENTS = 100_000;
const SENDING_RUNS = 3;
const THROUGHPUT = { connections: 100, warmupSeconds: 2, seconds: 10 } as const;
const BURST = { connections: 400, warmupSeconds: 2, seconds: 5, recipients: 5 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Inputs: the recipients and price list of bench/pricing-quote.ts (same seed), so that its figures are the baseline.

/** Distinct recipients over every territory: each territory's example mobile number with its tail varied. */
function recipientsOf(count: number): string[] {
  const plan = loadNumberingPlan();
  const random = seededRandom(42);
  const seeds: string[] = [];
  for (const [iso, national] of Object.entries(examples as Record<string, string>)) {
    const country = plan.countryByIso(iso);
    if (country) seeds.push(country.dialCode + national);
  }
  const seen = new Set<string>();
  const recipients: string[] = [];
  while (recipients.length < count) {
    const seed = seeds[Math.floor(random() * seeds.length)] as string;
    const tail = String(Math.floor(random() * 100_000)).padStart(5, '0');
    const digits = seed.slice(0, Math.max(seed.length - 5, 6)) + tail;
    if (digits.length < 8 || seen.has(digits)) continue;
    seen.add(digits);
    recipients.push(digits);
  }
  return recipients;
}

/** A country-wide rate for every MCC and an own rate for every second network met among the first 50,000. */
function priceListFor(recipients: readonly string[]): RateRow[] {
  const plan = loadNumberingPlan();
  const rows: RateRow[] = [];
  const networks = new Set<string>();
  for (const country of plan.countries) for (const mcc of country.mccs) rows.push({ mcc, mnc: null, rateMinor: 450 });
  for (const digits of recipients.slice(0, 50_000)) {
    const r = plan.resolve(digits);
    if (r?.mcc && r.mnc && !networks.has(`${r.mcc}${r.mnc}`)) {
      networks.add(`${r.mcc}${r.mnc}`);
      if (networks.size % 2 === 0) rows.push({ mcc: r.mcc, mnc: r.mnc, rateMinor: 397 });
    }
  }
  // Several MCCs of one country may repeat a (mcc, null) pair: keep the first.
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.mcc}:${r.mnc ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Tenant {
  readonly scratch: ScratchDatabase;
  readonly accountId: number;
  readonly token: string;
}

/** A fresh database, bootstrapped as the server does, with one funded account priced by `rates`. */
async function tenant(engine: DialectName, rates: readonly RateRow[]): Promise<Tenant> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await bootstrap(db, loadNumberingPlan());
    const account = await createAccount(db, { name: 'bench', currency: 'GBP', taxRatePpm: TAX_RATE_PPM });
    const credited = await credit(db, account.id, 10_000_000 * 10_000, 'bench balance');
    if (!credited.ok) throw new Error(`credit refused: ${credited.reason}`);
    const imported = await replaceRates(db, account.id, rates);
    if (!imported.ok) throw new Error(`rates refused: ${imported.reason}`);
    const { token } = await createToken(db, account.id, { name: 'bench' });
    return { scratch, accountId: account.id, token };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Servers in child processes: this file run as `node --import tsx bench/http.bench.ts serve smsgic|baseline`.

/** The real server (runServer: configuration, bootstrap, services, app) with limits too high to answer 429. */
async function serveSmsgic(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { runServer } = await import('../src/server.js');
  const config = loadConfig();
  await runServer(
    { api: true, worker: false },
    { ...config, rateLimitPerMinute: 1_000_000_000, calculateRateLimitPerMinute: 1_000_000_000 },
  );
}

/** The API's HTTP stack alone: the same app (hooks, rate limits, auth hook) over services that answer from memory. */
async function serveWithoutDatabase(): Promise<void> {
  const { buildApp } = await import('../src/http/app.js');
  const { CURRENCIES } = await import('../src/domain/money.js');
  const currency = CURRENCIES.GBP;
  if (!currency) throw new Error('no GBP');
  const account = { id: 1, currency, taxRatePpm: 0, balanceMinor: 4_500_000, countries: null };
  const unused = () => Promise.reject(new Error('not served by this bench server'));
  const served: Partial<ApiServices> = {
    authenticate: async () => account,
    databaseReachable: async () => true,
  };
  // Every other service (the interface grows with the API) rejects: this server only answers GET /balance.
  const services = new Proxy(served, { get: (target, name) => Reflect.get(target, name) ?? unused }) as ApiServices;
  const app = await buildApp({
    services,
    rateLimitPerMinute: 1_000_000_000,
    calculateRateLimitPerMinute: 1_000_000_000,
    bodyLimitBytes: 64 * MIB,
  });
  await app.listen({ host: HOST, port: Number(process.env.PORT) });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** The floor: bare Fastify, no plugins, a constant JSON object on GET and POST. */
async function serveBaseline(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 64 * MIB });
  const answer = { balance: '450.000', sign: '£', code: 'GBP' };
  app.get('/constant', async () => answer);
  app.post('/constant', async () => answer);
  await app.listen({ host: HOST, port: Number(process.env.PORT) });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

interface Server {
  readonly port: number;
  readonly pid: number;
  /** Resident set now and its peak since the process started (VmRSS, VmHWM), in MiB. */
  memory(): { rssMiB: number; peakMiB: number };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, HOST, done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

function statusKiB(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

type ServerKind = 'smsgic' | 'without-database' | 'baseline';

async function startServer(kind: ServerKind, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  // Request logs (LOG_LEVEL=info) go where a deployment's would: a sink that is not this process.
  const devNull = openSync('/dev/null', 'w');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SELF, 'serve', kind], {
    env: { ...process.env, HOST, PORT: String(port), LOG_LEVEL: 'warn', REDIS_URL: '', ...env },
    stdio: ['ignore', devNull, 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const path = kind === 'baseline' ? '/constant' : '/status';
  const deadline = Date.now() + SERVER_READY_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} server exited with ${child.exitCode}: ${stderr}`);
    const status = await send(port, 'GET', path).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} server not ready after ${SERVER_READY_MS} ms: ${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  const pid = child.pid as number;
  return {
    port,
    pid,
    memory: () => ({ rssMiB: statusKiB(pid, 'VmRSS') / 1024, peakMiB: statusKiB(pid, 'VmHWM') / 1024 }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Clients.

interface Response {
  readonly status: number;
  readonly bytes: number;
  /** From the request's start to the response's last byte. */
  readonly ms: number;
  readonly head: string;
  readonly tail: string;
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<Response> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const sent = body ? { ...headers, 'content-length': String(body.length) } : headers;
    const req = request({ host: HOST, port, method, path, headers: sent, agent: false }, (res) => {
      let bytes = 0;
      let head = '';
      let tail = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => {
        bytes += chunk.length;
        if (head.length < 256) head += chunk.slice(0, 256 - head.length);
        tail = (tail + chunk).slice(-256);
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started, head, tail }));
      res.on('error', fail);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', fail);
    req.end(body);
  });
}

function jsonRequest(
  token: string,
  fields: Record<string, unknown>,
): { headers: Record<string, string>; body: Buffer } {
  const body = Buffer.from(JSON.stringify(fields));
  return {
    body,
    // No content-length here: autocannon adds its own, and a second one is a 400.
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
}

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly '2xx': number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
}

type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

/** A warm-up run (discarded), then the measured one. */
async function cannon(
  port: number,
  path: string,
  load: { connections: number; warmupSeconds: number; seconds: number },
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<CannonResult> {
  const common = { url: `http://${HOST}:${port}${path}`, connections: load.connections, pipelining: 1, ...options };
  await autocannon({ ...common, duration: load.warmupSeconds });
  return autocannon({ ...common, duration: load.seconds });
}

function statusCounts(result: CannonResult): string {
  return Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}: ${count.toLocaleString('en-US')}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements.

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const mib = (value: number) => `${Math.round(value)} MiB`;
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const count = (n: number) => n.toLocaleString('en-US');

interface QuoteRun {
  readonly totalMs: number;
  readonly priceMs: number;
  readonly maxRssMiB: number;
  readonly bytes: number;
}

/** bench/pricing-quote.ts in a fresh process: the same quote without HTTP or a database. */
function quoteInChild(n: number): QuoteRun {
  const script = fileURLToPath(new URL('./pricing-quote.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(n)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as QuoteRun;
}

async function calculateRows(sqlite: Tenant, recipients: readonly string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { recipients: n, runs, target } of CALCULATIONS) {
    const { headers, body } = jsonRequest(sqlite.token, { message: MESSAGE, recipients: recipients.slice(0, n) });
    const server = await startServer('smsgic', { DATABASE_URL: sqlite.scratch.url });
    try {
      // A server that has answered before: code compiled, numbering plan loaded.
      const warm = jsonRequest(sqlite.token, { message: MESSAGE, recipients: recipients.slice(0, 1000) });
      for (let i = 0; i < 3; i++) await send(server.port, 'POST', '/sendings/calculate', warm.headers, warm.body);
      const before = server.memory();
      const times: number[] = [];
      let last: Response | undefined;
      for (let run = 0; run < runs; run++) {
        last = await send(server.port, 'POST', '/sendings/calculate', headers, body);
        if (last.status !== 200 || !last.head.startsWith(`{"calculate":{"info":{"sms_count":${n},`)) {
          throw new Error(`calculate of ${n}: ${last.status} ${last.head.slice(0, 200)}`);
        }
        if (!last.tail.endsWith(']}}')) throw new Error(`calculate of ${n}: body ends with ${last.tail.slice(-40)}`);
        times.push(last.ms);
      }
      const after = server.memory();
      const baseline = quoteInChild(n);
      rows.push({
        name: `POST /sendings/calculate, ${count(n)} distinct recipients, SQLite (request to last byte)`,
        result: `${ms(median(times))}, server peak RSS ${mib(after.peakMiB)}`,
        target,
        notes: `runs: ${times.map(ms).join(', ')}; request ${(body.length / MIB).toFixed(1)} MiB, response ${(
          (last?.bytes ?? 0) / MIB
        ).toFixed(0)} MiB; RSS ${mib(before.rssMiB)} before the first`,
      });
      rows.push({
        name: `Baseline: the same quote in a fresh process, no HTTP, no database (bench/pricing-quote.ts ${count(n)})`,
        result: `${ms(baseline.totalMs)}, peak RSS ${mib(baseline.maxRssMiB)}`,
        target: '',
        notes: `pricing ${ms(baseline.priceMs)} + JSON ${ms(baseline.totalMs - baseline.priceMs)}`,
      });
    } finally {
      await server.stop();
    }
  }
  return rows;
}

async function sendingRows(engine: DialectName, tenantOf: Tenant, recipients: readonly string[]): Promise<BenchRow[]> {
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const { headers, body } = jsonRequest(tenantOf.token, {
    message: MESSAGE,
    recipients: recipients.slice(0, SENDING_RECIPIENTS),
    sender: 'SMSgic',
  });
  const times: number[] = [];
  let peakMiB = 0;
  const server = await startServer('smsgic', { DATABASE_URL: tenantOf.scratch.url });
  const ids: number[] = [];
  try {
    const warm = jsonRequest(tenantOf.token, {
      message: MESSAGE,
      recipients: recipients.slice(0, 100),
      sender: 'SMSgic',
    });
    await send(server.port, 'POST', '/sendings', warm.headers, warm.body);
    for (let run = 0; run < SENDING_RUNS; run++) {
      const response = await send(server.port, 'POST', '/sendings', headers, body);
      const match = /"sending_id":(\d+)/.exec(response.head);
      if (response.status !== 200 || !match) throw new Error(`POST /sendings: ${response.status} ${response.head}`);
      ids.push(Number(match[1]));
      times.push(response.ms);
    }
    peakMiB = server.memory().peakMiB;
  } finally {
    await server.stop();
  }

  // Stored and reserved: every message row is there, and the ledger (reservations included) adds up to the balances.
  const db = await createDb(tenantOf.scratch.url);
  let baselineMs: number;
  try {
    for (const id of ids) {
      const totals = await messageTotals(db, tenantOf.accountId, id);
      if (totals.messages !== SENDING_RECIPIENTS) throw new Error(`sending ${id} stored ${totals.messages} messages`);
    }
    const audit = await auditLedger(db);
    if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
    baselineMs = await storeAlone(engine);
  } finally {
    await db.close();
  }
  return [
    {
      name: `POST /sendings, ${count(SENDING_RECIPIENTS)} recipients, ${label} (validated, priced, stored, reserved)`,
      result: ms(median(times)),
      target: '< 3 s',
      notes: `runs: ${times.map(ms).join(', ')}; server peak RSS ${mib(peakMiB)}`,
    },
    {
      name: `Baseline: the store alone, createSending of ${count(SENDING_RECIPIENTS)} prepared rows, ${label}`,
      result: ms(baselineMs),
      target: '',
      notes: 'in-process, no HTTP, no pricing (test/support/store-fixtures rows)',
    },
  ];
}

/** Median time of createSending with prepared rows on a fresh database of the engine. */
async function storeAlone(engine: DialectName): Promise<number> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const shape = { recipients: SENDING_RECIPIENTS, parts: 1, rateMinor: 450 };
    const accountId = await fundedAccount(db, SENDING_RECIPIENTS * 450 * SENDING_RUNS);
    const times: number[] = [];
    for (let run = 0; run < SENDING_RUNS; run++) {
      const started = performance.now();
      const result = await createSending(db, newSending(accountId, shape));
      times.push(performance.now() - started);
      if (!result.ok) throw new Error(`store refused the sending: ${result.reason}`);
    }
    return median(times);
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

/** Starts a server of `kind`, runs `work` against its port, and stops it whatever happens. */
async function against<T>(
  kind: ServerKind,
  env: Record<string, string>,
  work: (port: number) => Promise<T>,
): Promise<T> {
  const server = await startServer(kind, env);
  try {
    return await work(server.port);
  } finally {
    await server.stop();
  }
}

async function throughputRows(sqlite: Tenant, recipients: readonly string[], rateCount: number): Promise<BenchRow[]> {
  const auth = { authorization: `Bearer ${sqlite.token}` };
  const db = { DATABASE_URL: sqlite.scratch.url };
  const small = jsonRequest(sqlite.token, { message: MESSAGE, recipients: recipients.slice(0, BURST.recipients) });
  const postSmall = { method: 'POST', headers: small.headers, body: small.body };

  // The baseline is measured before and after the others, so that a machine busy with something else shows.
  const floorBefore = await against('baseline', {}, (port) => cannon(port, '/constant', THROUGHPUT));
  const balance = await against('smsgic', db, (port) => cannon(port, '/balance', THROUGHPUT, { headers: auth }));
  const stack = await against('without-database', {}, (port) =>
    cannon(port, '/balance', THROUGHPUT, { headers: auth }),
  );
  const logged = await against('smsgic', { ...db, LOG_LEVEL: 'info' }, (port) =>
    cannon(port, '/balance', THROUGHPUT, { headers: auth }),
  );
  const floorAfter = await against('baseline', {}, (port) => cannon(port, '/constant', THROUGHPUT));
  const calculate = await against('smsgic', db, (port) => cannon(port, '/sendings/calculate', BURST, postSmall));
  const floorPost = await against('baseline', {}, (port) => cannon(port, '/constant', BURST, postSmall));

  const floor = (floorBefore.requests.average + floorAfter.requests.average) / 2;
  const share = (r: CannonResult) => `${Math.round((r.requests.average / floor) * 100)}% of the baseline`;
  const problems = (r: CannonResult) => `non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;
  const load = `${THROUGHPUT.connections} connections, ${THROUGHPUT.seconds} s after ${THROUGHPUT.warmupSeconds} s warm-up, pipelining 1`;
  const burst = `${BURST.connections} connections, ${BURST.seconds} s after ${BURST.warmupSeconds} s warm-up, pipelining 1`;
  return [
    {
      name: 'GET /balance, SQLite, real server (LOG_LEVEL=warn), autocannon',
      result: formatRate(balance.requests.average, 'req/s'),
      target: '>= 50% of the baseline',
      notes: `${share(balance)}; p50 ${balance.latency.p50} ms, p99 ${balance.latency.p99} ms; ${problems(balance)}; ${load}`,
    },
    {
      name: 'GET /balance, SQLite, request logging on (LOG_LEVEL=info, the default), autocannon',
      result: formatRate(logged.requests.average, 'req/s'),
      target: '',
      notes: `${share(logged)}; p99 ${logged.latency.p99} ms; ${problems(logged)}; log lines to /dev/null`,
    },
    {
      name: 'GET /balance, the same app over services answering from memory (HTTP stack alone, no database)',
      result: formatRate(stack.requests.average, 'req/s'),
      target: '',
      notes: `${share(stack)}; p99 ${stack.latency.p99} ms; ${problems(stack)}; request id, rate limit and auth hooks included`,
    },
    {
      name: 'Baseline: bare Fastify GET returning a constant JSON object',
      result: formatRate(floor, 'req/s'),
      target: '',
      notes: `mean of ${formatRate(floorBefore.requests.average, 'req/s')} before and ${formatRate(
        floorAfter.requests.average,
        'req/s',
      )} after the others; p99 ${floorBefore.latency.p99} / ${floorAfter.latency.p99} ms; ${load}`,
    },
    {
      name: `POST /sendings/calculate, ${BURST.recipients} recipients, SQLite, autocannon`,
      result: formatRate(calculate.requests.average, 'req/s'),
      target: '',
      notes: `p99 ${calculate.latency.p99} ms, max ${calculate.latency.max} ms; ${problems(calculate)} (${statusCounts(
        calculate,
      )}); limits set high; account price list of ${count(rateCount)} rows; ${burst}`,
    },
    {
      name: 'Baseline: bare Fastify POST of the same body returning a constant JSON object',
      result: formatRate(floorPost.requests.average, 'req/s'),
      target: '',
      notes: `p99 ${floorPost.latency.p99} ms; ${problems(floorPost)}; ${burst}`,
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  if (process.platform !== 'linux') throw new Error('the HTTP bench reads peak memory from /proc (Linux only)');
  const recipients = recipientsOf(1_000_000);
  const rates = priceListFor(recipients);
  const sqlite = await tenant('sqlite', rates);
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await calculateRows(sqlite, recipients)));
    rows.push(...(await sendingRows('sqlite', sqlite, recipients)));
    if ((await probePostgres()) === null) {
      const postgres = await tenant('postgres', rates);
      try {
        rows.push(...(await sendingRows('postgres', postgres, recipients)));
      } finally {
        await postgres.scratch.dispose();
      }
    } else {
      rows.push({
        name: 'POST /sendings on PostgreSQL',
        result: 'not measured',
        target: '< 3 s',
        notes: 'unreachable',
      });
    }
    rows.push(...(await throughputRows(sqlite, recipients, rates.length)));
  } finally {
    await sqlite.scratch.dispose();
  }
  return rows;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF && process.argv[2] === 'serve') {
  if (process.argv[3] === 'smsgic') await serveSmsgic();
  else if (process.argv[3] === 'without-database') await serveWithoutDatabase();
  else if (process.argv[3] === 'baseline') await serveBaseline();
  else throw new Error(`unknown server "${process.argv[3]}"`);
}
