// A peer end to end: Kannel (smsbox sendsms → bearerbox → SMPP) and SMSgic (POST /sendings → worker → SMPP) against
// the same bench SMSC with the same window, the same messages at the same HTTP concurrency; rate and CPU per message.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDb, type DialectName } from '../src/store/db.js';
import { probePostgres } from '../test/support/scratch-db.js';
import { type BenchRow, formatRate } from './harness.js';
import { type Smsc, type SmscStats, startSmsc } from './smsc.js';
import {
  benchTenant,
  cpuSeconds,
  freePort,
  HOST,
  httpRequest,
  postgresBackendCpuSeconds,
  sendOne,
  startSmsgic,
  threadCpuSeconds,
  threadSplit,
} from './smsgic-processes.js';

const MESSAGES = Number(process.env.KANNEL_BENCH_MESSAGES ?? 20_000);
/** SMSgic's count when it must differ (a slow machine): the rates are steady-state figures either way. */
const SMSGIC_MESSAGES = Number(process.env.KANNEL_BENCH_SMSGIC_MESSAGES ?? MESSAGES);
const IN_FLIGHT = 50;
/**
 * The SMPP window of both sides: Kannel's max-pending-submits default, and SMSgic's session default (KANNEL_BENCH_WINDOW
 * to measure another).
 */
const WINDOW = Number(process.env.KANNEL_BENCH_WINDOW ?? 10);
/**
 * Messages each side sends before the measured ones, the same for both. V8 compiles SMSgic's hot paths during its first
 * few thousand messages: with 200, that compilation fell in the measured window (V8's compiler threads spent about
 * 95 µs a message, against about 60 µs after 5,000), and the figures were not the steady state they claim to be.
 */
const WARMUP_MESSAGES = Number(process.env.KANNEL_BENCH_WARMUP ?? 5_000);
const TEXT = 'Your verification code is 482913. It expires in 10 minutes.';
const FINAL_WAIT_MS = 15 * 60_000;
const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
const NS_PER_S = 1e9;

interface Outcome {
  readonly label: string;
  readonly messages: number;
  /** From the first request: to the last request answered, the last submit_sm, the last receipt applied. */
  readonly seconds: { readonly answered: number; readonly submits: number; readonly final: number };
  /** CPU seconds of each process of the side during the measured run. */
  readonly cpu: Readonly<Record<string, number>>;
  readonly smscCpu: number;
  readonly smsc: SmscStats;
  readonly notes: string;
}

/** Sends `count` messages through `sendOne`, IN_FLIGHT at a time; resolves when every request was answered. */
async function drive(count: number, offset: number, sendOne: (recipient: string) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await sendOne(String(37_128_000_000 + offset + i));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`kannel bench: no ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const elapsed = (fromNs: bigint, toNs: bigint | string | null) =>
  toNs === null ? Number.NaN : Number(BigInt(toNs) - fromNs) / NS_PER_S;

// ---------------------------------------------------------------------------------------------------------------
// Kannel.

/** The dlr-url listener: counts delivered receipts (type 1) and notes when the last one came. */
async function dlrListener(): Promise<{ server: Server; count(): number; lastNs(): bigint | null }> {
  let count = 0;
  let lastNs: bigint | null = null;
  const server = createServer((req, res) => {
    if (req.url?.includes('type=1')) {
      count++;
      lastNs = process.hrtime.bigint();
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((done) => server.listen(0, HOST, done));
  return { server, count: () => count, lastNs: () => lastNs };
}

interface Kannel {
  readonly sendsmsPort: number;
  readonly bearerbox: number;
  readonly smsbox: number;
  stop(): Promise<void>;
}

function kannelConfig(dir: string, smscPort: number, ports: Record<'admin' | 'smsbox' | 'sendsms', number>): string {
  return `group = core
admin-port = ${ports.admin}
admin-password = bench
status-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = ${ports.smsbox}
box-allow-ip = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 2
store-type = spool
store-location = "${dir}/spool"
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = bench
host = 127.0.0.1
port = ${smscPort}
transceiver-mode = true
smsc-username = kannel
smsc-password = secret
system-type = "VMA"
max-pending-submits = ${WINDOW}

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench

group = sms-service
keyword = default
catch-all = true
text = "ok"
`;
}

function startBox(binary: string, config: string): ChildProcess {
  // -v 2: the console at the log file's level (warnings and worse), as debug output costs CPU.
  return spawn(binary, ['-v', '2', config], { stdio: ['ignore', 'ignore', 'ignore'] });
}

async function stopBox(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function startKannel(dir: string, smsc: Smsc): Promise<Kannel> {
  const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort() };
  mkdirSync(join(dir, 'spool'));
  const config = join(dir, 'kannel.conf');
  writeFileSync(config, kannelConfig(dir, smsc.port, ports));
  const bound = smsc.nextBind();
  const bearerbox = startBox(BEARERBOX, config);
  let smsbox: ChildProcess | null = null;
  const stop = async () => {
    if (smsbox) await stopBox(smsbox);
    await stopBox(bearerbox);
  };
  try {
    await Promise.race([
      bound,
      new Promise((_, fail) => setTimeout(() => fail(new Error(`no SMPP bind from bearerbox (${dir})`)), 30_000)),
    ]);
    smsbox = startBox(SMSBOX, config);
    // The sendsms port answers (401 to a request without credentials) once smsbox is up.
    await until(
      () =>
        httpRequest(ports.sendsms, 'GET', '/cgi-bin/sendsms').then(
          (r) => r.status > 0,
          () => false,
        ),
      30_000,
      'smsbox sendsms port',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { sendsmsPort: ports.sendsms, bearerbox: bearerbox.pid as number, smsbox: smsbox.pid as number, stop };
}

async function measureKannel(): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'smsgic-kannel-'));
  const smsc = await startSmsc({ reportEach: false });
  const dlr = await dlrListener();
  const dlrUrl = `http://${HOST}:${(dlr.server.address() as AddressInfo).port}/dlr?to=%p&type=%d`;
  let kannel: Kannel | null = null;
  try {
    kannel = await startKannel(dir, smsc);
    const port = kannel.sendsmsPort;
    const send = async (recipient: string) => {
      const query = new URLSearchParams({
        username: 'bench',
        password: 'bench',
        from: 'SMSgic',
        to: recipient,
        text: TEXT,
        'dlr-mask': '1',
        'dlr-url': dlrUrl,
      });
      const answer = await httpRequest(port, 'GET', `/cgi-bin/sendsms?${query}`);
      if (answer.status !== 202) throw new Error(`sendsms: ${answer.status} ${answer.body}`);
    };
    await drive(WARMUP_MESSAGES, 0, send);
    await until(() => dlr.count() >= WARMUP_MESSAGES, 60_000, 'warm-up receipts');
    const pids = { bearerbox: kannel.bearerbox, smsbox: kannel.smsbox };
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const smscBefore = cpuSeconds(smsc.pid);
    const submitsBefore = (await smsc.stats()).submits;
    const dlrBefore = dlr.count();
    const startNs = process.hrtime.bigint();
    await drive(MESSAGES, WARMUP_MESSAGES, send);
    const answeredNs = process.hrtime.bigint();
    await until(async () => (await smsc.stats()).submits >= submitsBefore + MESSAGES, FINAL_WAIT_MS, 'last submit');
    await until(() => dlr.count() >= dlrBefore + MESSAGES, FINAL_WAIT_MS, 'last receipt at the dlr-url');
    const stats = await smsc.stats();
    const cpu = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) - (cpuBefore[name] as number)]),
    );
    return {
      messages: MESSAGES,
      label: 'Kannel 1.4.5 (smsbox sendsms → bearerbox, spool store, log-level 2)',
      seconds: {
        answered: elapsed(startNs, answeredNs),
        submits: elapsed(startNs, stats.lastSubmitNs),
        final: elapsed(startNs, dlr.lastNs()),
      },
      cpu,
      smscCpu: cpuSeconds(smsc.pid) - smscBefore,
      smsc: stats,
      notes: 'final = the DELIVRD receipt reached the dlr-url (smsbox GETs it per message)',
    };
  } finally {
    await kannel?.stop();
    await smsc.stop();
    dlr.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SMSgic.

async function measureSmsgic(engine: DialectName): Promise<Outcome> {
  const smsc = await startSmsc({ reportEach: false });
  const tenant = await benchTenant(engine);
  const smsgic = await startSmsgic(tenant, {
    SMPP_URL: `smpp://smsgic:secret@${HOST}:${smsc.port}?binds=1&window=${WINDOW}`,
  });
  // One connection: its backend, counting the messages every 20 ms, is left out of the product's PostgreSQL CPU.
  const db = await createDb(tenant.scratch.url, { poolMax: 1 });
  try {
    const ownPids =
      engine === 'postgres'
        ? (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows.map((r) => Number(r.pid))
        : [];
    const finalCount = async () => {
      const { rows } = await sql<{ n: number | string }>`
        select count(*) as n from messages
        where status not in ('queued', 'submitting', 'submitted')`.execute(db.kysely);
      return Number(rows[0]?.n ?? 0);
    };
    const send = async (recipient: string) => {
      await sendOne(smsgic.port, tenant.token, recipient, TEXT);
    };
    await drive(WARMUP_MESSAGES, 0, send);
    await until(async () => (await finalCount()) >= WARMUP_MESSAGES, 120_000, 'warm-up messages final');
    const cpuBefore = Object.fromEntries(smsgic.processes.map((p) => [p.role, p.cpuSeconds()]));
    // One process (SQLite): its threads apart, the API's, the dispatch worker's and V8's and libuv's helpers.
    const single = smsgic.processes.length === 1 ? smsgic.processes[0] : undefined;
    const threadsBefore = single ? threadCpuSeconds(single.pid) : null;
    const backendsBefore = engine === 'postgres' ? await postgresBackendCpuSeconds(tenant.scratch.url, ownPids) : 0;
    const smscBefore = cpuSeconds(smsc.pid);
    const startNs = process.hrtime.bigint();
    await drive(SMSGIC_MESSAGES, WARMUP_MESSAGES, send);
    const answeredNs = process.hrtime.bigint();
    let lastFinalNs = 0n;
    // Polled every 20 ms with one count: the end is known to within a poll.
    await until(
      async () => {
        const done = (await finalCount()) >= WARMUP_MESSAGES + SMSGIC_MESSAGES;
        if (done) lastFinalNs = process.hrtime.bigint();
        return done;
      },
      FINAL_WAIT_MS,
      'every message final',
    );
    const stats = await smsc.stats();
    let cpu: Record<string, number> = Object.fromEntries(
      smsgic.processes.map((p) => [p.role, p.cpuSeconds() - (cpuBefore[p.role] as number)]),
    );
    if (single && threadsBefore) {
      const split = threadSplit(single.pid, threadsBefore, threadCpuSeconds(single.pid));
      cpu = { 'main thread': split.main, 'worker thread': split.busiest, 'V8 and libuv helpers': split.rest };
    }
    if (engine === 'postgres') {
      cpu['PostgreSQL backends'] = (await postgresBackendCpuSeconds(tenant.scratch.url, ownPids)) - backendsBefore;
    }
    return {
      messages: SMSGIC_MESSAGES,
      label: `SMSgic on ${engine === 'sqlite' ? 'SQLite (API and worker threads in one process)' : 'PostgreSQL (API and worker processes)'}`,
      seconds: {
        answered: elapsed(startNs, answeredNs),
        submits: elapsed(startNs, stats.lastSubmitNs),
        final: elapsed(startNs, lastFinalNs),
      },
      cpu,
      smscCpu: cpuSeconds(smsc.pid) - smscBefore,
      smsc: stats,
      notes: 'final = every message delivered in the store (counted every 20 ms); no callback_url',
    };
  } finally {
    await db.close();
    await smsgic.stop();
    await smsc.stop();
    await tenant.scratch.dispose();
  }
}

/** What SMSgic is held to beside Kannel in the same run: its messages per second over Kannel's. */
interface Beside {
  readonly kannel: Outcome;
  readonly target: number;
}

function ratioOf(outcome: Outcome, beside: Beside | undefined, phase: 'submits' | 'final'): string {
  if (!beside) return '';
  const ratio = outcome.messages / outcome.seconds[phase] / (beside.kannel.messages / beside.kannel.seconds[phase]);
  return `${ratio.toFixed(2)}× Kannel (target ≥ ${beside.target}×)`;
}

function rows(outcome: Outcome, beside?: Beside): BenchRow[] {
  const cpuTotal = Object.values(outcome.cpu).reduce((a, b) => a + b, 0);
  const perMessageUs = (cpuTotal / outcome.messages) * 1e6;
  const cpu = Object.entries(outcome.cpu)
    .map(
      ([name, seconds]) =>
        `${name} ${seconds.toFixed(1)} s (${Math.round((seconds / outcome.seconds.final) * 100)}% of a core)`,
    )
    .join(', ');
  const common = `${outcome.messages.toLocaleString('en-US')} messages of 1 recipient, ${IN_FLIGHT} requests in flight, 1 bind, window ${WINDOW}`;
  return [
    {
      name: `${outcome.label}: HTTP request → submit_sm, to the last submit_sm`,
      result: formatRate(outcome.messages / outcome.seconds.submits, 'msg/s'),
      target: ratioOf(outcome, beside, 'submits'),
      notes: `${common}; ${outcome.seconds.submits.toFixed(1)} s from the first request (every request answered after ${outcome.seconds.answered.toFixed(1)} s)`,
    },
    {
      name: `${outcome.label}: to the last delivery receipt applied`,
      result: `${formatRate(outcome.messages / outcome.seconds.final, 'msg/s')}, ${Math.round(perMessageUs).toLocaleString('en-US')} µs CPU/message`,
      target: ratioOf(outcome, beside, 'final'),
      notes: `${outcome.notes}; ${outcome.seconds.final.toFixed(1)} s; CPU ${cpu}; SMSC ${outcome.smscCpu.toFixed(1)} s (not counted), ${outcome.smsc.receiptsAnswered.toLocaleString('en-US')} receipts answered`,
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  if (process.platform !== 'linux') throw new Error('the Kannel bench reads CPU time from /proc (Linux only)');
  if (spawnSync(BEARERBOX, ['--version']).error) {
    return [
      {
        name: 'Kannel beside SMSgic',
        result: 'not measured',
        target: '',
        notes: `${BEARERBOX} is not installed (Debian package kannel); this suite installs nothing`,
      },
    ];
  }
  const only = process.env.KANNEL_BENCH_ONLY?.split(',');
  const result: BenchRow[] = [];
  let kannel: Outcome | undefined;
  if (!only || only.includes('kannel')) {
    kannel = await measureKannel();
    result.push(...rows(kannel));
  }
  // The yardsticks: twice Kannel's rate on SQLite, Kannel's rate on PostgreSQL.
  const beside = (target: number) => (kannel ? { kannel, target } : undefined);
  if (!only || only.includes('sqlite')) result.push(...rows(await measureSmsgic('sqlite'), beside(2)));
  if (!only || only.includes('postgres')) {
    if ((await probePostgres()) === null) result.push(...rows(await measureSmsgic('postgres'), beside(1)));
    else result.push({ name: 'SMSgic on PostgreSQL', result: 'not measured', target: '', notes: 'unreachable' });
  }
  return result;
}
