// Load: several hundred concurrent connections against the real server (`smsgic serve --api` in a child process) for
// GET /balance, POST /sendings/calculate and POST /sendings, spread over many accounts with the default rate limits.
// LOAD_BENCH_SECONDS and LOAD_BENCH_CONNECTIONS shorten or narrow a run (a smoke run: LOAD_BENCH_SECONDS=2).
import { createRequire } from 'node:module';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { bootstrap } from '../src/services/bootstrap.js';
import { createAccount } from '../src/store/accounts.js';
import { createDb, type DialectName } from '../src/store/db.js';
import { auditLedger, credit } from '../src/store/ledger.js';
import { createToken } from '../src/store/tokens.js';
import { serverProcess } from '../test/reliability/crash-harness.js';
import { probePostgres, type ScratchDatabase, scratchDatabase } from '../test/support/scratch-db.js';
import { type BenchRow, formatRate } from './harness.js';

const SECONDS = Number(process.env.LOAD_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_BENCH_CONNECTIONS ?? 300);
const WARMUP_SECONDS = Math.min(2, SECONDS);
/** Accounts the load is spread over: a platform's traffic comes from many customers, each with its own limits. */
const ACCOUNTS = 100;
const MESSAGE = 'Your code is 123456. It expires in 10 minutes.';
const RECIPIENTS = ['37120000000', '37120000001', '447400123456', '4525123456', '4915112345678'];

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
}

interface CannonRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

/** A fresh database with ACCOUNTS accounts, each with a big balance and a token. */
async function tenants(engine: DialectName): Promise<{ scratch: ScratchDatabase; tokens: string[] }> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await bootstrap(db, loadNumberingPlan());
    const tokens: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const account = await createAccount(db, { name: `load-${i}`, currency: 'GBP' });
      const credited = await credit(db, account.id, 100_000_000 * 10_000, 'load bench');
      if (!credited.ok) throw new Error(`credit refused: ${credited.reason}`);
      tokens.push((await createToken(db, account.id, { name: 'load' })).token);
    }
    return { scratch, tokens };
  } catch (error) {
    await scratch.dispose();
    throw error;
  } finally {
    await db.close();
  }
}

/** One request per account, which every connection cycles through. */
function requestsFor(tokens: readonly string[], method: string, path: string, body?: object): CannonRequest[] {
  return tokens.map((token) => ({
    method,
    path,
    headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  }));
}

async function cannon(url: string, requests: readonly CannonRequest[], seconds: number): Promise<CannonResult> {
  return autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, requests });
}

function split(result: CannonResult): { tooMany: number; other: number } {
  let tooMany = 0;
  let other = 0;
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    if (code === '429') tooMany += count;
    else if (!code.startsWith('2')) other += count;
  }
  return { tooMany, other };
}

function row(name: string, label: string, result: CannonResult, extra = ''): BenchRow {
  const { tooMany, other } = split(result);
  return {
    name: `${name}, ${label}, ${CONNECTIONS} connections`,
    result: formatRate(result.requests.average, 'req/s'),
    target: '',
    notes:
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
      `${result['2xx'].toLocaleString('en-US')} 2xx, 429: ${tooMany}, other non-2xx: ${other}, ` +
      `errors ${result.errors} (timeouts ${result.timeouts}); ${SECONDS} s after ${WARMUP_SECONDS} s warm-up${extra}`,
  };
}

async function engineRows(engine: DialectName): Promise<BenchRow[]> {
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const { scratch, tokens } = await tenants(engine);
  // The default limits (3000 a minute per account, calculate too); request logs off, as for a measured deployment.
  const server = await serverProcess({
    name: `load-${engine}`,
    role: 'api',
    databaseUrl: scratch.url,
    env: { RATE_LIMIT_PER_MINUTE: '3000', LOG_LEVEL: 'warn' },
  });
  const rows: BenchRow[] = [];
  try {
    await server.start();
    const url = server.url as string;
    const load = [
      { name: 'GET /balance', requests: requestsFor(tokens, 'GET', '/balance') },
      {
        name: `POST /sendings/calculate (${RECIPIENTS.length} recipients)`,
        requests: requestsFor(tokens, 'POST', '/sendings/calculate', { message: MESSAGE, recipients: RECIPIENTS }),
      },
      {
        name: `POST /sendings (${RECIPIENTS.length} recipients, stored and reserved)`,
        requests: requestsFor(tokens, 'POST', '/sendings', {
          message: MESSAGE,
          recipients: RECIPIENTS,
          sender: 'SMSgic',
        }),
      },
    ];
    for (const { name, requests } of load) {
      await cannon(url, requests, WARMUP_SECONDS);
      const result = await cannon(url, requests, SECONDS);
      let extra = '';
      if (name.startsWith('POST /sendings (')) {
        // Under that load every sending is whole and reserved once: the audit re-derives every balance.
        const db = await createDb(scratch.url);
        try {
          const audit = await auditLedger(db);
          if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
          extra = `; ledger audit clean over ${audit.entries.toLocaleString('en-US')} entries`;
        } finally {
          await db.close();
        }
      }
      rows.push(row(name, label, result, extra));
    }
  } finally {
    await server.stop();
    await scratch.dispose();
  }
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  const rows = await engineRows('sqlite');
  if ((await probePostgres()) === null) rows.push(...(await engineRows('postgres')));
  else rows.push({ name: 'Load on PostgreSQL', result: 'not measured', target: '', notes: 'unreachable' });
  return rows;
}
