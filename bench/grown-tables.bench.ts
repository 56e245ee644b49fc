// The per-request and per-lease statements among 10,000 stored messages and among millions: the time of each should
// not grow with the tables (test/store/query-plans.test.ts checks their plans; this measures them).
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { claimCallbacks, recordCallbackResults } from '../src/store/callbacks.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../src/store/dispatch-queue.js';
import { listMessages } from '../src/store/messages.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { rateListVersion, rateRows, replaceRates } from '../src/store/rates.js';
import { applyReports } from '../src/store/reports.js';
import { findUsableSender, listApprovedSenders } from '../src/store/senders.js';
import { cancelSending, finishInterruptedCancels } from '../src/store/sending-cancel.js';
import { createSending, getSending, listSendings } from '../src/store/sendings.js';
import { authenticateAccount } from '../src/store/tokens.js';
import { numberEndingWith, sendingTo } from '../test/dispatch/support.js';
import { growTables } from '../test/support/grown-tables.js';
import { openAccount } from '../test/support/http-app.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import type { BenchRow } from './harness.js';

const SMALL = 10_000;
const LARGE = Number(process.env.GROWN_TABLES_BENCH_MESSAGES ?? 5_000_000);
const ROUNDS = Number(process.env.GROWN_TABLES_BENCH_ROUNDS ?? 200);
/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const LEASE_US = 60_000_000;
/** What the ratio of the medians is held to: the same statements, whatever the tables hold. */
const TARGET = '≤ 1.5× at the large size';

type Step =
  | 'token check (auth + balance)'
  | 'approved senders'
  | 'sender lookup'
  | 'rate list version'
  | 'rate rows'
  | 'create 1-recipient sending'
  | 'GET sending'
  | 'messages page'
  | 'sendings page'
  | 'lease'
  | 'outcome + settlement'
  | 'delivery report'
  | 'callback claim + result'
  | 'cancel'
  | 'interrupted-cancel sweep';

/** Milliseconds of each step in each round. */
type Timings = Map<Step, number[]>;

async function timed<T>(timings: Timings, step: Step, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const list = timings.get(step) ?? [];
  list.push(ms);
  timings.set(step, list);
  return result;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One request's and one lease's worth of store work on one 1-recipient sending, each statement group timed. */
async function round(db: Db, account: { id: number; token: string }, i: number, timings: Timings): Promise<void> {
  await timed(timings, 'token check (auth + balance)', () => authenticateAccount(db, account.token));
  await timed(timings, 'approved senders', () => listApprovedSenders(db, account.id));
  await timed(timings, 'sender lookup', () => findUsableSender(db, account.id, 'MegaShop'));
  await timed(timings, 'rate list version', () => rateListVersion(db, account.id));
  await timed(timings, 'rate rows', () => rateRows(db, account.id));
  const created = await timed(timings, 'create 1-recipient sending', () =>
    createSending(
      db,
      sendingTo(account.id, [numberEndingWith('0009', i % 1000)], { callbackUrl: 'https://example.test/cb' }),
    ),
  );
  if (!created.ok) throw new Error(created.reason);
  const sendingId = created.sending.id;
  await timed(timings, 'GET sending', () => getSending(db, account.id, sendingId));
  await timed(timings, 'messages page', () => listMessages(db, account.id, sendingId, { page: 1, perPage: 50 }));
  await timed(timings, 'sendings page', () => listSendings(db, account.id, { page: 1, perPage: 50 }));
  const nowUs = db.nowUs();
  const lease = await timed(timings, 'lease', () =>
    leaseDueMessages(db, { workerId: 'bench', nowUs, leaseUs: LEASE_US, limit: 100 }, SANDBOX_ONLY),
  );
  const [message] = lease.messages;
  if (!message || lease.messages.length !== 1) throw new Error(`leased ${lease.messages.length} messages`);
  const providerMessageId = `bench-${sendingId}`;
  await timed(timings, 'outcome + settlement', () =>
    recordOutcomes(
      db,
      { workerId: 'bench', nowUs },
      { accepted: [{ id: message.id, providerMessageId, nextPollAtUs: nowUs + LEASE_US }] },
    ),
  );
  await timed(timings, 'delivery report', () =>
    applyReports(db, db.nowUs(), [{ provider: 'sandbox', providerMessageId, status: 'delivered' }]),
  );
  await timed(timings, 'callback claim + result', async () => {
    const due = await claimCallbacks(db, { nowUs: db.nowUs(), limit: 100, claimUs: LEASE_US });
    await recordCallbackResults(
      db,
      db.nowUs(),
      due.map((d) => ({ id: d.id, delivered: true as const })),
    );
  });
  const later = await createSending(
    db,
    sendingTo(account.id, [numberEndingWith('0001', i % 1000)], { scheduledAtUs: db.nowUs() + 3_600_000_000 }),
  );
  if (!later.ok) throw new Error(later.reason);
  await timed(timings, 'cancel', () => cancelSending(db, later.sending.id, account.id));
  await timed(timings, 'interrupted-cancel sweep', () => finishInterruptedCancels(db));
}

interface Prepared {
  readonly db: Db;
  readonly account: { id: number; token: string };
  readonly growMs: number;
  readonly timings: Timings;
  dispose(): Promise<void>;
}

async function prepare(engine: DialectName, messages: number): Promise<Prepared> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  await migrate(db);
  // The same live work (two Pending and two Processing sendings) at both sizes: only the history differs.
  const grown = await growTables(db, { messages, liveSendings: 2 });
  if (engine === 'postgres') {
    // Steady state: the fill's dead tuples and dirty pages dealt with now rather than by autovacuum and the
    // checkpointer while the rounds run (on a 2-core machine they would be measured instead).
    await sql`vacuum analyze`.execute(db.kysely);
    await sql`checkpoint`.execute(db.kysely).catch(() => {});
  }
  const account = await openAccount(db, { balance: '1000000' });
  const rates = await replaceRates(db, account.id, [
    { mcc: '247', mnc: '01', rateMinor: 4_397 },
    { mcc: '247', mnc: null, rateMinor: 4_897 },
  ]);
  if (!rates.ok) throw new Error('rates refused');
  // Warm: statement caches, the pool's connections.
  for (let i = 0; i < 10; i++) await round(db, account, i, new Map());
  return {
    db,
    account,
    growMs: grown.ms,
    timings: new Map(),
    async dispose() {
      await db.close();
      await scratch.dispose();
    },
  };
}

async function onEngine(engine: DialectName): Promise<BenchRow[]> {
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const small = await prepare(engine, SMALL);
  try {
    const large = await prepare(engine, LARGE);
    try {
      // Rounds alternate between the two databases, so that whatever else the machine does weighs on both alike.
      for (let i = 0; i < ROUNDS; i++) {
        await round(small.db, small.account, 10 + i, small.timings);
        await round(large.db, large.account, 10 + i, large.timings);
      }
      return rowsOf(label, small, large);
    } finally {
      await large.dispose();
    }
  } finally {
    await small.dispose();
  }
}

function rowsOf(label: string, small: Prepared, large: Prepared): BenchRow[] {
  const rows: BenchRow[] = [];
  const ratios: number[] = [];
  for (const [step, smallTimes] of small.timings) {
    const a = median(smallTimes);
    const b = median(large.timings.get(step) ?? []);
    const ratio = b / a;
    ratios.push(ratio);
    console.log(`${label}: ${step}: ${a.toFixed(3)} ms → ${b.toFixed(3)} ms (×${ratio.toFixed(2)})`);
    rows.push({
      name: `${label}: ${step}, median at ${SMALL.toLocaleString('en-US')} → ${LARGE.toLocaleString('en-US')} messages`,
      result: `${a.toFixed(3)} ms → ${b.toFixed(3)} ms (×${ratio.toFixed(2)})`,
      target: TARGET,
      notes: `${ROUNDS} rounds each, alternating`,
    });
  }
  rows.push({
    name: `${label}: filling the large database`,
    result: `${(large.growMs / 1000).toFixed(1)} s for ${LARGE.toLocaleString('en-US')} messages`,
    target: '',
    notes: `test/support/grown-tables.ts; worst step ×${Math.max(...ratios).toFixed(2)}`,
  });
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  // GROWN_TABLES_BENCH_ENGINES=postgres (or sqlite) runs one half only.
  const engines = (process.env.GROWN_TABLES_BENCH_ENGINES ?? 'sqlite,postgres').split(',');
  const rows: BenchRow[] = [];
  if (engines.includes('sqlite')) rows.push(...(await onEngine('sqlite')));
  if (!engines.includes('postgres')) return rows;
  const problem = await probePostgres();
  if (problem === null) rows.push(...(await onEngine('postgres')));
  else console.warn(`PostgreSQL unreachable (${problem}): its half of the grown-tables benchmark is skipped`);
  return rows;
}
