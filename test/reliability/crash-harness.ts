// Runs the real server as child processes on one database, drives a seeded load at it, kills processes with SIGKILL at
// random moments and restarts them, then lets the workers finish and audits what the clients saw against what is
// stored, charged and handed to the sandbox. Used by crash.test.ts (short, fixed seed) and scripts/crash-run.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { formatBalance, parseMoney, parsePercentPpm } from '../../src/domain/money.js';
import { dispatchRefundMinor } from '../../src/domain/status.js';
import { createAccount } from '../../src/store/accounts.js';
import { createDb, type Db } from '../../src/store/db.js';
import { auditLedger, credit, getBalance } from '../../src/store/ledger.js';
import { addSender } from '../../src/store/senders.js';
import { createToken } from '../../src/store/tokens.js';
import { seededRandom as seeded } from '../support/random.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The operator command, run from the sources so that a child always runs what is checked out. */
export const CLI_SOURCE = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
/** Delivery reports of the sandbox come this soon, so that sendings complete within a short run. */
const SANDBOX_REPORT_DELAY_MS = 200;
const LOG_LINES_KEPT = 200;

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const between = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, HOST, done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

// ---------------------------------------------------------------------------------------------------------------
// Server processes: `smsgic serve [--api] [--worker]` from the sources.

export type Role = 'api' | 'worker' | 'both';

export interface ServerProcessOptions {
  readonly name: string;
  readonly role: Role;
  readonly databaseUrl: string;
  /** Where an API (or both-roles) process listens; a free port when absent. */
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ServerProcess {
  readonly name: string;
  readonly role: Role;
  /** The API's base URL (api and both roles). */
  readonly url: string | null;
  readonly pid: number | undefined;
  readonly alive: boolean;
  /** Alive and done starting. */
  readonly ready: boolean;
  readonly starts: number;
  readonly kills: number;
  /** Log lines at level error or above, over every start. */
  readonly errors: readonly string[];
  /** Spawns the process and resolves once it serves (API) or its worker has started; one spawn however often called. */
  start(): Promise<void>;
  /** SIGKILL, and the exit. */
  kill(): Promise<void>;
  /** SIGTERM (the server's own shutdown), SIGKILL if it does not end in time; the exit code. */
  stop(): Promise<number | null>;
}

/** The environment of a server process: the caller's, minus what would point it elsewhere. */
function serverEnv(options: ServerProcessOptions, port: number | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(DATABASE_URL|PORT|HOST|REDIS_URL|PUBLIC_URL|LOG_LEVEL|SMPP_URL)$|^(INFOBIP|TWILIO|MESSENTE|TRUMPIA)_/.test(
        name,
      )
    )
      delete env[name];
  }
  return {
    ...env,
    DATABASE_URL: options.databaseUrl,
    HOST,
    ...(port !== null && { PORT: String(port) }),
    // The worker's start is told at info; an API logs every request at info, which would only slow the run.
    LOG_LEVEL: options.role === 'worker' ? 'info' : 'warn',
    SANDBOX_REPORT_DELAY_MS: String(SANDBOX_REPORT_DELAY_MS),
    RATE_LIMIT_PER_MINUTE: '100000000',
    ...options.env,
  };
}

export async function serverProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.role === 'worker' ? null : (options.port ?? (await freePort()));
  const url = port === null ? null : `http://${HOST}:${port}`;
  const args = ['--import', 'tsx', CLI_SOURCE, 'serve'];
  if (options.role === 'api') args.push('--api');
  if (options.role === 'worker') args.push('--worker');
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  let starts = 0;
  let kills = 0;
  const errors: string[] = [];
  const recent: string[] = [];
  let workerStarted = false;

  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > LOG_LINES_KEPT) recent.shift();
    let entry: { level?: number; msg?: string } | null = null;
    try {
      entry = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      // Not a pino line (a crash trace on stderr, say): kept as it is.
    }
    if (entry?.msg === 'dispatch worker started') workerStarted = true;
    if (entry === null ? /error/i.test(line) : (entry.level ?? 0) >= 50) errors.push(`${options.name}: ${line}`);
  };

  const follow = (stream: NodeJS.ReadableStream | null) => {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLine(line);
    });
  };

  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  let starting: Promise<void> | null = null;

  const spawnAndWait = async () => {
    workerStarted = false;
    const spawned = spawn(process.execPath, args, {
      cwd: ROOT,
      env: serverEnv(options, port),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    starts++;
    exited = new Promise((resolve) => spawned.once('exit', (code) => resolve(code)));
    follow(spawned.stdout);
    follow(spawned.stderr);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawned.exitCode !== null || spawned.signalCode !== null) {
        throw new Error(
          `${options.name} exited (${spawned.exitCode ?? spawned.signalCode}) while starting:\n${recent.join('\n')}`,
        );
      }
      const ready = url === null ? workerStarted : (await get(`${url}/status`).catch(() => null))?.status === 200;
      if (ready) return;
      if (Date.now() > deadline) {
        spawned.kill('SIGKILL');
        throw new Error(`${options.name} not ready after ${READY_TIMEOUT_MS} ms:\n${recent.join('\n')}`);
      }
      await sleep(50);
    }
  };

  const server: ServerProcess = {
    name: options.name,
    role: options.role,
    url,
    get pid() {
      return child?.pid;
    },
    get alive() {
      return alive();
    },
    get ready() {
      return alive() && starting === null;
    },
    get starts() {
      return starts;
    },
    get kills() {
      return kills;
    },
    errors,
    start() {
      if (starting) return starting;
      if (alive()) return Promise.resolve();
      starting = spawnAndWait().finally(() => {
        starting = null;
      });
      return starting;
    },
    async kill() {
      if (!alive()) return;
      child?.kill('SIGKILL');
      kills++;
      await exited;
    },
    async stop() {
      if (!alive()) return child?.exitCode ?? null;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return server;
}

/** Runs `smsgic ARGS --json` from the sources on `databaseUrl`; its exit code and the JSON it printed. */
export function runCli(
  databaseUrl: string,
  args: readonly string[],
): Promise<{ code: number | null; json: unknown; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args, '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown = null;
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
      } catch {
        json = null;
      }
      resolve({ code, json, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP as a client sees it: an answer, a connection refused (nothing was sent), or lost (the outcome is unknown).

export type Outcome =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused' }
  | { readonly kind: 'lost'; readonly error: string };

function call(url: string, method: string, headers: Record<string, string> = {}, body?: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const sent = payload
      ? { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) }
      : headers;
    const req = httpRequest(url, { method, headers: sent, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolve({ kind: 'lost', error: error.message }));
      res.on('aborted', () => resolve({ kind: 'lost', error: 'answer cut short' }));
      res.on('end', () => {
        if (!res.complete) return resolve({ kind: 'lost', error: 'answer cut short' });
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Kept as text: the auditor reports a body that is not JSON.
        }
        resolve({ kind: 'answer', status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer in time')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'lost', error: error.message }),
    );
    req.end(payload);
  });
}

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const outcome = await call(url, 'GET');
  if (outcome.kind !== 'answer') throw new Error(`GET ${url}: ${outcome.kind}`);
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

export interface CrashRunOptions {
  readonly seed: number;
  /** How long the load (and the killing) lasts. */
  readonly loadMs: number;
  readonly databaseUrl: string;
  /** One `serve` process with both roles (what SQLite runs), or separate API and worker processes. */
  readonly topology: { readonly combined: true } | { readonly api: number; readonly workers: number };
  /** Concurrent clients of the load. */
  readonly clients?: number;
  /** How long the workers get to finish after the load (a killed worker's leases expire after 30 s). */
  readonly drainTimeoutMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

interface AccountUnderTest {
  readonly index: number;
  readonly id: number;
  readonly token: string;
  readonly sender: string;
}

interface Attempt {
  readonly outcome: Outcome;
  readonly process: string;
}

/** One POST /sendings the client means: every attempt at it (retries of its Idempotency-Key included). */
interface SendingRequest {
  readonly n: number;
  readonly account: AccountUnderTest;
  readonly key: string | null;
  readonly body: { message: string; recipients: string[]; sender: string; scheduled_at?: string };
  readonly distinctRecipients: number;
  readonly attempts: Attempt[];
}

export interface CrashReport {
  readonly seed: number;
  readonly dialect: string;
  readonly processes: readonly { name: string; role: Role; starts: number; kills: number }[];
  readonly kills: {
    readonly total: number;
    /** Killed with requests of the load in flight to it. */
    readonly midRequest: number;
    /** A worker killed while holding leased messages (a batch being handed over). */
    readonly holdingLeases: number;
    /** A worker killed while sendings awaited the reports that settle them. */
    readonly awaitingSettlement: number;
  };
  readonly requests: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly sendings: {
    readonly requested: number;
    readonly accepted: number;
    readonly refused: number;
    /** Lost answers without a key: stored whole or not at all. */
    readonly unknownStored: number;
    readonly unknownAbsent: number;
    readonly keyedRetries: number;
    readonly cancelled: number;
  };
  readonly messages: { readonly total: number; readonly handedOver: number; readonly neverAccepted: number };
  /** Error lines the servers logged (500s, failed rounds). */
  readonly serverErrors: readonly string[];
  /** Every broken guarantee the auditor found; empty when all held. */
  readonly problems: readonly string[];
}

const MESSAGE_RE = /^Order (\d+)-(\d+) is ready$/;
/** Sandbox script: the last four digits decide a number's fate (see the sandbox adapter). */
const SUFFIXES = ['0001', '0002', '0003', '0004', '0005'];

function recipient(r: Random): string {
  const suffix = r() < 0.2 ? pick(r, SUFFIXES) : String(between(r, 0, 9999)).padStart(4, '0');
  const head = String(between(r, 0, 999)).padStart(3, '0');
  return `3712${head}${suffix === '0000' ? '0006' : suffix}`;
}

/** `Y-m-d H:i:s` UTC, `seconds` from now. */
function scheduledIn(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function expectedStatus(number: string): { status: string; accepted: boolean } {
  switch (number.slice(-4)) {
    case '0001':
      return { status: 'undelivered', accepted: true };
    case '0002':
      return { status: 'expired', accepted: true };
    case '0003':
      return { status: 'rejected', accepted: true };
    case '0004':
      return { status: 'rejected', accepted: false };
    default:
      return { status: 'delivered', accepted: true };
  }
}

async function openAccounts(db: Db, seed: number): Promise<AccountUnderTest[]> {
  const specs = [
    { currency: 'GBP', tax: '0', balance: '1000000' },
    { currency: 'EUR', tax: '21', balance: '1000000' },
    // A small balance: many of its requests are refused, and it must never go below zero.
    { currency: 'USD', tax: '0', balance: '3' },
  ];
  const accounts: AccountUnderTest[] = [];
  for (const [index, spec] of specs.entries()) {
    const account = await createAccount(db, {
      name: `crash-${seed}-${index}`,
      currency: spec.currency,
      taxRatePpm: parsePercentPpm(spec.tax),
    });
    const credited = await credit(db, account.id, parseMoney(spec.balance), 'crash run');
    if (!credited.ok) throw new Error(`credit refused: ${credited.reason}`);
    const sender = `Shop${index}`;
    await addSender(db, account.id, sender, 'approved');
    const { token } = await createToken(db, account.id, { name: 'crash run' });
    accounts.push({ index, id: account.id, token, sender });
  }
  return accounts;
}

export async function runCrashScenario(options: CrashRunOptions): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const seed = options.seed;
  const db = await createDb(options.databaseUrl);
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 500) problems.push(text);
  };
  const processes: ServerProcess[] = [];
  try {
    if ('combined' in options.topology) {
      processes.push(await serverProcess({ name: 'serve', role: 'both', databaseUrl: options.databaseUrl }));
    } else {
      for (let i = 1; i <= options.topology.api; i++) {
        processes.push(await serverProcess({ name: `api-${i}`, role: 'api', databaseUrl: options.databaseUrl }));
      }
      for (let i = 1; i <= options.topology.workers; i++) {
        processes.push(await serverProcess({ name: `worker-${i}`, role: 'worker', databaseUrl: options.databaseUrl }));
      }
    }
    // All at once, on the database as given (a fresh one in the tests): the schema, the country catalog and the
    // platform defaults are set up by whichever process gets there first, while the others wait their turn.
    await Promise.all(processes.map((p) => p.start()));
    log(`${processes.length} processes up on ${db.dialect}`);
    const accounts = await openAccounts(db, seed);
    const apis = processes.filter((p) => p.url !== null);

    // ---- the load
    const requests: SendingRequest[] = [];
    const retryable: SendingRequest[] = [];
    const inFlight = new Map<string, number>();
    const counts: Record<string, Record<string, number>> = {};
    const tally = (op: string, outcome: Outcome) => {
      const what = outcome.kind === 'answer' ? String(outcome.status) : outcome.kind;
      const forOp = counts[op] ?? {};
      forOp[what] = (forOp[what] ?? 0) + 1;
      counts[op] = forOp;
      if (outcome.kind === 'answer' && outcome.status >= 500 && outcome.status !== 503) {
        problem(`${op}: ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 200)}`);
      }
    };
    const acceptedId = (req: SendingRequest) => {
      for (const { outcome } of req.attempts) {
        if (outcome.kind === 'answer' && outcome.status === 200)
          return (outcome.body as { sending_id: number }).sending_id;
      }
      return undefined;
    };

    /** One request to a live API process (any, when none is up); counted in flight while it lasts. */
    const send = async (
      r: Random,
      op: string,
      account: AccountUnderTest,
      method: string,
      path: string,
      payload?: unknown,
      key?: string,
    ): Promise<Attempt> => {
      const live = apis.filter((p) => p.alive);
      const target = live.length > 0 ? pick(r, live) : pick(r, apis);
      inFlight.set(target.name, (inFlight.get(target.name) ?? 0) + 1);
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${account.token}` };
        if (key !== undefined) headers['idempotency-key'] = key;
        const outcome = await call(`${target.url}${path}`, method, headers, payload);
        tally(op, outcome);
        // As a client would: a server that is not there is given a moment before the next try.
        if (outcome.kind !== 'answer') await sleep(between(r, 30, 120));
        return { outcome, process: target.name };
      } finally {
        inFlight.set(target.name, (inFlight.get(target.name) ?? 1) - 1);
      }
    };

    const attemptSending = async (r: Random, op: string, req: SendingRequest) => {
      const attempt = await send(r, op, req.account, 'POST', '/sendings', req.body, req.key ?? undefined);
      req.attempts.push(attempt);
      const { outcome } = attempt;
      if (outcome.kind === 'answer' && outcome.status === 200) {
        const body = outcome.body as { message?: unknown; sending_id?: unknown };
        if (body.message !== 'SMS champing created' || !Number.isSafeInteger(body.sending_id)) {
          problem(`sending ${req.n}: 200 with body ${JSON.stringify(body)}`);
        }
      } else if (outcome.kind === 'answer' && outcome.status !== 422 && outcome.status !== 503) {
        problem(`sending ${req.n}: unexpected ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 200)}`);
      }
      // A keyed request whose answer was lost is retried with its key until it has a definitive one.
      const definitive = outcome.kind === 'answer' && outcome.status !== 503;
      const waiting = retryable.indexOf(req);
      if (req.key !== null && !definitive && waiting < 0) retryable.push(req);
      if (definitive && waiting >= 0) retryable.splice(waiting, 1);
    };

    let requestNumber = 0;
    const newRequest = (r: Random, keyed: boolean): SendingRequest => {
      const account = r() < 0.15 ? (accounts[2] as AccountUnderTest) : pick(r, accounts.slice(0, 2));
      const size = r() < 0.03 ? between(r, 200, 1_000) : r() < 0.25 ? between(r, 6, 50) : between(r, 1, 5);
      const recipients = Array.from({ length: size }, () => recipient(r));
      if (size > 1 && r() < 0.2) recipients.push(recipients[0] as string);
      const n = ++requestNumber;
      const body: SendingRequest['body'] = {
        message: `Order ${seed}-${n} is ready`,
        recipients,
        sender: r() < 0.8 ? account.sender : 'SMSgic',
        ...(r() < 0.15 && { scheduled_at: scheduledIn(between(r, 2, 8)) }),
      };
      const req: SendingRequest = {
        n,
        account,
        key: keyed ? `crash-${seed}-${n}` : null,
        body,
        distinctRecipients: new Set(recipients).size,
        attempts: [],
      };
      requests.push(req);
      return req;
    };

    const loadEnds = Date.now() + options.loadMs;
    const client = async (index: number) => {
      const r = seeded(seed * 7919 + index);
      while (Date.now() < loadEnds) {
        const k = r();
        const account = pick(r, accounts);
        const ownAccepted = () => requests.filter((q) => q.account === account && acceptedId(q) !== undefined);
        if (k < 0.22) await attemptSending(r, 'send', newRequest(r, false));
        else if (k < 0.44) await attemptSending(r, 'send-keyed', newRequest(r, true));
        else if (k < 0.52 && retryable.length > 0) await attemptSending(r, 'retry-keyed', pick(r, retryable));
        else if (k < 0.58) {
          const done = requests.filter((q) => q.key !== null && acceptedId(q) !== undefined);
          if (done.length > 0) {
            const req = pick(r, done);
            const before = acceptedId(req);
            await attemptSending(r, 'replay', req);
            const after = req.attempts.at(-1)?.outcome;
            if (after?.kind === 'answer' && after.status === 200) {
              const id = (after.body as { sending_id: number }).sending_id;
              if (id !== before) problem(`replay of key ${req.key} answered sending ${id}, first ${before}`);
            } else if (after?.kind === 'answer' && after.status !== 503) {
              problem(`replay of key ${req.key} answered ${after.status} ${JSON.stringify(after.body).slice(0, 200)}`);
            }
          }
        } else if (k < 0.68) {
          const recipients = Array.from({ length: between(r, 1, 4) }, () => recipient(r));
          const { outcome } = await send(r, 'calculate', account, 'POST', '/sendings/calculate', {
            message: 'Your code is 123456',
            recipients,
          });
          if (outcome.kind === 'answer' && outcome.status !== 503) {
            const info = (outcome.body as { calculate?: { info?: { sms_count?: unknown } } }).calculate?.info;
            if (outcome.status !== 200 || info?.sms_count !== new Set(recipients).size) {
              problem(`calculate: ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 200)}`);
            }
          }
        } else if (k < 0.8) {
          const { outcome } = await send(r, 'balance', account, 'GET', '/balance');
          if (outcome.kind === 'answer' && outcome.status !== 503) {
            const balance = (outcome.body as { balance?: unknown }).balance;
            if (outcome.status !== 200 || typeof balance !== 'string' || !/^\d+\.\d{3}$/.test(balance)) {
              problem(`balance: ${outcome.status} ${JSON.stringify(outcome.body)}`);
            }
          }
        } else if (k < 0.9) {
          const mine = ownAccepted();
          if (mine.length > 0) {
            const scheduled = mine.filter((q) => q.body.scheduled_at !== undefined);
            const target = acceptedId(pick(r, scheduled.length > 0 && r() < 0.8 ? scheduled : mine));
            const { outcome } = await send(r, 'cancel', account, 'POST', `/sendings/${target}/cancel`);
            if (
              outcome.kind === 'answer' &&
              outcome.status !== 200 &&
              outcome.status !== 422 &&
              outcome.status !== 503
            ) {
              problem(`cancel of own sending ${target}: ${outcome.status} ${JSON.stringify(outcome.body)}`);
            }
          }
        } else if (k < 0.95) {
          const mine = ownAccepted();
          if (mine.length > 0) {
            const target = acceptedId(pick(r, mine));
            const { outcome } = await send(r, 'get', account, 'GET', `/sendings/${target}`);
            if (outcome.kind === 'answer' && outcome.status !== 503) {
              const sending = (outcome.body as { sending?: { id?: unknown } }).sending;
              if (outcome.status !== 200 || sending?.id !== target) {
                problem(`GET own sending ${target}: ${outcome.status} ${JSON.stringify(outcome.body)}`);
              }
            }
          }
        } else {
          // Another account's sending, read and cancelled: as if it did not exist, and untouched.
          const theirs = requests.filter((q) => q.account !== account && acceptedId(q) !== undefined);
          if (theirs.length > 0) {
            const target = acceptedId(pick(r, theirs));
            const path = r() < 0.5 ? `/sendings/${target}` : `/sendings/${target}/cancel`;
            const { outcome } = await send(r, 'foreign', account, path.endsWith('cancel') ? 'POST' : 'GET', path);
            if (outcome.kind === 'answer' && outcome.status !== 503) {
              const expected = { message: `No query results for model ${target}` };
              if (outcome.status !== 404 || JSON.stringify(outcome.body) !== JSON.stringify(expected)) {
                problem(`another account's ${path}: ${outcome.status} ${JSON.stringify(outcome.body)}`);
              }
            }
          }
        }
      }
    };

    // ---- the killer
    let killsMidRequest = 0;
    let killsHoldingLeases = 0;
    let killsMidSettlement = 0;
    /** Sendings being dispatched whose last messages await their reports: the next round settles them. */
    const awaitingSettlement = async () => {
      const row = await db.kysely
        .selectFrom('sendings as s')
        .select((eb) => eb.fn.countAll().as('n'))
        .where(
          's.account_id',
          'in',
          accounts.map((a) => a.id),
        )
        .where('s.status', '=', 'Processing')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('messages as m')
              .select('m.id')
              .whereRef('m.sending_id', '=', 's.id')
              .where('m.status', '=', 'submitted'),
          ),
        )
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    };
    const leasesHeldBy = async (pid: number | undefined) => {
      if (pid === undefined) return 0;
      const row = await db.kysely
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'submitting')
        .where('lease_owner', 'like', `%:${pid}:%`)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    };
    const killer = async () => {
      const r = seeded(seed * 104_729 + 1);
      // Every process is killed in turn, in a seeded order each round, so that each role dies in a short run too.
      let round: ServerProcess[] = [];
      const restarts: Promise<void>[] = [];
      while (Date.now() < loadEnds - 500) {
        await sleep(between(r, 200, 1_000));
        if (round.length === 0) round = [...processes].sort(() => r() - 0.5);
        const victim = round.shift() as ServerProcess;
        if (!victim.ready) continue;
        const strategy =
          victim.role === 'api'
            ? pick(r, ['at once', 'mid-request', 'mid-request'])
            : victim.role === 'worker'
              ? pick(r, ['at once', 'mid-batch', 'mid-batch', 'mid-settlement'])
              : pick(r, ['at once', 'mid-request', 'mid-batch', 'mid-settlement']);
        const waitUntil = Date.now() + 3_000;
        while (Date.now() < waitUntil && Date.now() < loadEnds) {
          if (strategy === 'at once') break;
          if (strategy === 'mid-request' && victim.url !== null && (inFlight.get(victim.name) ?? 0) > 0) break;
          if (strategy === 'mid-batch' && victim.role !== 'api' && (await leasesHeldBy(victim.pid)) > 0) break;
          if (strategy === 'mid-batch' && victim.role === 'api') break;
          if (strategy === 'mid-settlement' && (await awaitingSettlement()) > 0) break;
          await sleep(20);
        }
        const midRequest = (inFlight.get(victim.name) ?? 0) > 0;
        const holding = victim.role === 'api' ? 0 : await leasesHeldBy(victim.pid);
        const settling = victim.role === 'api' ? 0 : await awaitingSettlement();
        await victim.kill();
        if (midRequest) killsMidRequest++;
        if (holding > 0) killsHoldingLeases++;
        if (settling > 0) killsMidSettlement++;
        log(
          `killed ${victim.name} (${strategy}${midRequest ? ', requests in flight' : ''}${holding ? `, ${holding} leased` : ''}` +
            `${settling ? `, ${settling} sendings awaiting settlement` : ''})`,
        );
        // Restarted in the background, so that another process may die while this one comes back.
        const downMs = between(r, 100, 800);
        restarts.push(
          sleep(downMs).then(async () => {
            const restarting = Date.now();
            await victim.start();
            log(`restarted ${victim.name} in ${Date.now() - restarting} ms`);
          }),
        );
      }
      await Promise.all(restarts);
    };

    const clients = options.clients ?? 6;
    await Promise.all([killer(), ...Array.from({ length: clients }, (_, i) => client(i))]);
    log(`load done: ${requests.length} sendings requested`);

    // ---- after the load: everything up again, every keyed request retried until it has a definitive answer
    for (const p of processes) await p.start();
    const retryRandom = seeded(seed + 17);
    for (let round = 0; retryable.length > 0 && round < 50; round++) {
      for (const req of [...retryable]) await attemptSending(retryRandom, 'retry-keyed', req);
      if (retryable.length > 0) await sleep(200);
    }
    for (const req of retryable) problem(`keyed sending ${req.n} never got a definitive answer`);

    // ---- drain: the workers finish every due sending
    const accountIds = accounts.map((a) => a.id);
    const drainEnds = Date.now() + (options.drainTimeoutMs ?? 90_000);
    for (;;) {
      const open = await db.kysely
        .selectFrom('sendings')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', 'in', accountIds)
        .where('status', 'in', ['Pending', 'Processing'])
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      if (Date.now() > drainEnds) {
        problem(`${open.n} sendings still Pending or Processing after the drain`);
        break;
      }
      await sleep(250);
    }
    log('drained');
    for (const p of apis) {
      const status = await get(`${p.url}/status`).catch((error: Error) => ({ status: 0, body: error.message }));
      if (status.status !== 200) problem(`${p.name}: GET /status answered ${status.status} after the run`);
      // What each account is shown is what its ledger holds.
      for (const account of accounts) {
        const shown = await call(`${p.url}/balance`, 'GET', { authorization: `Bearer ${account.token}` });
        const stored = await getBalance(db, account.id);
        const expected = stored === undefined ? undefined : formatBalance(stored);
        if (shown.kind !== 'answer' || (shown.body as { balance?: unknown }).balance !== expected) {
          problem(`${p.name}: account ${account.id} shown ${JSON.stringify(shown)}, ledger ${expected}`);
        }
      }
    }
    for (const p of processes) {
      const code = await p.stop();
      if (code !== 0) problem(`${p.name} stopped with exit code ${code}`);
    }

    // ---- the audit
    const audit = await auditRun(db, seed, accounts, requests, problem);
    const keyedRetries = requests.filter((q) => q.key !== null && q.attempts.length > 1).length;
    return {
      seed,
      dialect: db.dialect,
      processes: processes.map((p) => ({ name: p.name, role: p.role, starts: p.starts, kills: p.kills })),
      kills: {
        total: processes.reduce((n, p) => n + p.kills, 0),
        midRequest: killsMidRequest,
        holdingLeases: killsHoldingLeases,
        awaitingSettlement: killsMidSettlement,
      },
      requests: counts,
      sendings: { ...audit.sendings, requested: requests.length, keyedRetries },
      messages: audit.messages,
      serverErrors: processes.flatMap((p) => p.errors).slice(0, 50),
      problems,
    };
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The auditor.

interface StoredSending {
  id: number;
  accountId: number;
  text: string;
  status: string;
  recipients: number;
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
  key: string | null;
  messages: number;
  final: number;
  accepted: number;
  acceptedCostMinor: number;
  reservations: number;
  reservedMinor: number;
  dispatchRefundMinor: number;
  cancelRefundMinor: number;
}

const num = (v: unknown) => Number(v ?? 0);

async function auditRun(
  db: Db,
  seed: number,
  accounts: readonly AccountUnderTest[],
  requests: readonly SendingRequest[],
  problem: (text: string) => void,
) {
  const accountIds = accounts.map((a) => a.id);
  const { rows } = await sql<Record<string, unknown>>`
    select s.id, s.account_id, s.text, s.status, s.recipients_count, s.subtotal_minor, s.tax_minor, s.total_minor,
      s.idempotency_key,
      (select count(*) from messages m where m.sending_id = s.id) as messages,
      (select count(*) from messages m where m.sending_id = s.id
        and m.status in ('delivered', 'undelivered', 'expired', 'rejected', 'failed')) as final,
      (select count(*) from messages m where m.sending_id = s.id and m.submitted_at_us is not null) as accepted,
      (select coalesce(sum(m.cost_minor), 0) from messages m
        where m.sending_id = s.id and m.submitted_at_us is not null) as accepted_cost,
      (select count(*) from ledger_entries e where e.sending_id = s.id and e.kind = 'reservation') as reservations,
      (select coalesce(sum(-e.amount_minor), 0) from ledger_entries e
        where e.sending_id = s.id and e.kind = 'reservation') as reserved,
      (select coalesce(sum(e.amount_minor), 0) from ledger_entries e
        where e.sending_id = s.id and e.kind = 'refund' and e.settlement_key = 'dispatch') as dispatch_refund,
      (select coalesce(sum(e.amount_minor), 0) from ledger_entries e
        where e.sending_id = s.id and e.kind = 'refund' and e.settlement_key = 'cancel') as cancel_refund
    from sendings s
    where s.account_id in (${sql.join(accountIds)})
    order by s.id`.execute(db.kysely);
  const stored: StoredSending[] = rows.map((row) => ({
    id: num(row.id),
    accountId: num(row.account_id),
    text: String(row.text),
    status: String(row.status),
    recipients: num(row.recipients_count),
    subtotalMinor: num(row.subtotal_minor),
    taxMinor: num(row.tax_minor),
    totalMinor: num(row.total_minor),
    key: row.idempotency_key === null ? null : String(row.idempotency_key),
    messages: num(row.messages),
    final: num(row.final),
    accepted: num(row.accepted),
    acceptedCostMinor: num(row.accepted_cost),
    reservations: num(row.reservations),
    reservedMinor: num(row.reserved),
    dispatchRefundMinor: num(row.dispatch_refund),
    cancelRefundMinor: num(row.cancel_refund),
  }));

  // Every stored sending is one the client asked for, of the account that asked, and stored whole.
  const byRequest = new Map<number, StoredSending[]>();
  const requestByN = new Map(requests.map((q) => [q.n, q]));
  for (const s of stored) {
    const match = MESSAGE_RE.exec(s.text);
    const req = match && Number(match[1]) === seed ? requestByN.get(Number(match[2])) : undefined;
    if (!req) {
      problem(`sending ${s.id} was never requested (text ${JSON.stringify(s.text)})`);
      continue;
    }
    byRequest.set(req.n, [...(byRequest.get(req.n) ?? []), s]);
    if (s.accountId !== req.account.id) problem(`sending ${s.id} of request ${req.n} is stored under another account`);
    if (s.recipients !== req.distinctRecipients) {
      problem(`sending ${s.id}: ${s.recipients} recipients stored, ${req.distinctRecipients} distinct requested`);
    }
    if (s.messages !== s.recipients) problem(`sending ${s.id} half-written: ${s.messages} of ${s.recipients} messages`);
    if (s.reservations !== 1 || s.reservedMinor !== s.totalMinor) {
      problem(`sending ${s.id}: ${s.reservations} reservation(s) of ${s.reservedMinor} for a total of ${s.totalMinor}`);
    }
  }

  // What the client saw against what is stored.
  let acceptedCount = 0;
  let refused = 0;
  let unknownStored = 0;
  let unknownAbsent = 0;
  for (const req of requests) {
    const mine = byRequest.get(req.n) ?? [];
    if (mine.length > 1)
      problem(`request ${req.n} stored ${mine.length} sendings: ${mine.map((s) => s.id).join(', ')}`);
    const answers = req.attempts.filter((a) => a.outcome.kind === 'answer' && a.outcome.status !== 503);
    const ids = new Set(
      answers
        .map((a) => a.outcome)
        .filter((o) => o.kind === 'answer' && o.status === 200)
        .map((o) => (o.kind === 'answer' ? (o.body as { sending_id: number }).sending_id : 0)),
    );
    if (ids.size > 1) problem(`request ${req.n} was answered with sendings ${[...ids].join(', ')}`);
    if (ids.size === 1) {
      acceptedCount++;
      const [id] = ids;
      if (mine.length !== 1 || mine[0]?.id !== id) {
        problem(
          `request ${req.n} was accepted as sending ${id} but ${mine.length ? `${mine[0]?.id} is` : 'nothing is'} stored`,
        );
      }
    } else if (answers.length > 0) {
      refused++;
      if (mine.length > 0)
        problem(
          `request ${req.n} was refused (${JSON.stringify(answers.at(-1)?.outcome)}) but sending ${mine[0]?.id} is stored`,
        );
    } else if (req.attempts.every((a) => a.outcome.kind === 'refused')) {
      if (mine.length > 0) problem(`request ${req.n} never reached a server but sending ${mine[0]?.id} is stored`);
      unknownAbsent++;
    } else if (mine.length > 0) unknownStored++;
    else unknownAbsent++;
  }

  // Keys: one sending per account and key.
  const keys = new Map<string, number>();
  for (const s of stored) {
    if (s.key === null) continue;
    const id = `${s.accountId}:${s.key}`;
    keys.set(id, (keys.get(id) ?? 0) + 1);
  }
  for (const [key, count] of keys) if (count > 1) problem(`key ${key} names ${count} sendings`);

  // Dispatch: every message final, the right refund, the right status; cancelled ones untouched and fully refunded.
  let cancelled = 0;
  for (const s of stored) {
    if (s.status === 'Cancelled') {
      cancelled++;
      if (s.accepted > 0) problem(`cancelled sending ${s.id} had ${s.accepted} messages handed over`);
      if (s.cancelRefundMinor !== s.totalMinor || s.dispatchRefundMinor !== 0) {
        problem(
          `cancelled sending ${s.id}: refunds cancel ${s.cancelRefundMinor}, dispatch ${s.dispatchRefundMinor} of ${s.totalMinor}`,
        );
      }
      continue;
    }
    if (s.final !== s.messages) problem(`sending ${s.id} (${s.status}): ${s.messages - s.final} messages not final`);
    const expectedStatus = s.accepted === 0 ? 'Failed' : 'Completed';
    if (s.status !== expectedStatus) problem(`sending ${s.id} is ${s.status}, expected ${expectedStatus}`);
    const refund = dispatchRefundMinor({
      subtotalMinor: s.subtotalMinor,
      taxMinor: s.taxMinor,
      acceptedCostMinor: s.acceptedCostMinor,
    });
    if (s.dispatchRefundMinor !== refund || s.cancelRefundMinor !== 0) {
      problem(`sending ${s.id}: refunded ${s.dispatchRefundMinor} (+ cancel ${s.cancelRefundMinor}), owed ${refund}`);
    }
  }

  // Each message against the sandbox's record: handed over at most once, exactly when the store says it was accepted.
  const { rows: messageRows } = await sql<Record<string, unknown>>`
    select m.id, m.recipient, m.status, m.submitted_at_us, m.provider_message_id, s.status as sending_status,
      x.provider_message_id as sandbox_id, x.submit_calls
    from messages m
    join sendings s on s.id = m.sending_id
    cross join installation i
    left join sandbox_submissions x on x.reference = i.installation_id || '-' || cast(m.id as text)
    where s.account_id in (${sql.join(accountIds)})`.execute(db.kysely);
  let handedOver = 0;
  let neverAccepted = 0;
  for (const m of messageRows) {
    const id = num(m.id);
    const inSandbox = m.sandbox_id !== null;
    const acceptedHere = m.submitted_at_us !== null;
    if (inSandbox) handedOver++;
    if (num(m.submit_calls) > 1) problem(`message ${id} was handed to the sandbox ${m.submit_calls} times`);
    if (inSandbox !== acceptedHere) {
      problem(
        `message ${id}: ${inSandbox ? 'in' : 'not in'} the sandbox, ${acceptedHere ? '' : 'not '}accepted in the store`,
      );
    }
    if (inSandbox && m.sandbox_id !== m.provider_message_id)
      problem(`message ${id}: provider id differs from the sandbox's`);
    if (m.sending_status === 'Cancelled') continue;
    const expected = expectedStatus(String(m.recipient));
    if (!expected.accepted) neverAccepted++;
    if (m.status !== expected.status || acceptedHere !== expected.accepted) {
      problem(
        `message ${id} to …${String(m.recipient).slice(-4)} ended ${m.status}${acceptedHere ? ' (accepted)' : ''}, expected ${expected.status}`,
      );
    }
  }

  // The ledger as a whole: balances are the sums of their entries, chains unbroken, never below zero.
  const ledger = await auditLedger(db);
  for (const m of ledger.mismatches) problem(`ledger ${m.problem} (account ${m.accountId}): ${m.detail}`);
  const balances = await db.kysely
    .selectFrom('accounts')
    .select(['id', 'balance_minor'])
    .where('id', 'in', accountIds)
    .execute();
  for (const b of balances) if (num(b.balance_minor) < 0) problem(`account ${b.id} is below zero: ${b.balance_minor}`);

  return {
    sendings: { accepted: acceptedCount, refused, unknownStored, unknownAbsent, cancelled },
    messages: { total: messageRows.length, handedOver, neverAccepted },
  };
}
