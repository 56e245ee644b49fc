// Dispatch throughput under the operator's route table: the same stored sending to every message final with the
// built-in route (the default rule alone) and with a 10,000-rule table whose matching rule is least-cost over the
// cost lists and the delivery quality, alternately on two databases in the same run.
import { performance } from 'node:perf_hooks';
import { createRegistry } from '../src/dispatch/registry.js';
import { createRouter } from '../src/dispatch/router.js';
import { createRoutingBooks } from '../src/dispatch/routing-books.js';
import { startWorker } from '../src/dispatch/worker.js';
import { createAccount } from '../src/store/accounts.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { auditLedger } from '../src/store/ledger.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { replaceCostList } from '../src/store/provider-costs.js';
import { addRouteRule, type RouteRuleFields } from '../src/store/route-rules.js';
import { createSending, getSending } from '../src/store/sendings.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../test/support/store-fixtures.js';
import { type BenchRow, formatRate } from './harness.js';

const RECIPIENTS = Number(process.env.ROUTING_BENCH_RECIPIENTS ?? 20_000);
const RULES = Number(process.env.ROUTING_BENCH_RULES ?? 10_000);
const ROUNDS = Number(process.env.ROUTING_BENCH_ROUNDS ?? 2);
const TARGET = 'within 10% of the built-in route';

const rule = (fields: Partial<RouteRuleFields>): RouteRuleFields => ({
  mcc: null,
  mnc: null,
  prefix: null,
  accountId: null,
  sendingType: null,
  senderKind: null,
  strategy: 'failover',
  providers: ['sandbox'],
  quality: { minDeliveryPpm: null, maxLatencyMs: null, minReports: null },
  loss: 'send',
  ...fields,
});

/**
 * RULES rules, none matching the benchmark's messages but the last: other countries, other networks, number prefixes
 * of other countries, and rules for Latvia of another account; then Latvia, least-cost with quality thresholds.
 */
async function fillRouteTable(db: Db): Promise<void> {
  const other = await createAccount(db, { name: 'another account', currency: 'GBP' });
  for (let i = 0; i < RULES - 1; i++) {
    const kind = i % 4;
    const mcc = String(200 + (i % 600)).replace(/^247$/, '248');
    const fields =
      kind === 0
        ? rule({ mcc })
        : kind === 1
          ? rule({ mcc, mnc: String(i % 100).padStart(2, '0') })
          : kind === 2
            ? rule({ prefix: `1${String(i).padStart(5, '0')}` })
            : rule({ mcc: '247', accountId: other.id, strategy: 'fixed' });
    const added = await addRouteRule(db, fields);
    if (!added.ok) throw new Error(`rule ${i}: ${JSON.stringify(added)}`);
  }
  const latvia = await addRouteRule(
    db,
    rule({
      mcc: '247',
      strategy: 'least_cost',
      quality: { minDeliveryPpm: 900_000, maxLatencyMs: 60_000, minReports: 100 },
    }),
  );
  if (!latvia.ok) throw new Error('the Latvian rule was refused');
  const costs: { mcc: string; mnc: string | null; costMinor: number }[] = Array.from({ length: 300 }, (_, i) => ({
    mcc: String(200 + i),
    mnc: null,
    costMinor: 250 + i,
  }));
  costs.push({ mcc: '247', mnc: '01', costMinor: 310 });
  const replaced = await replaceCostList(db, 'sandbox', 'GBP', costs);
  if (!replaced.ok) throw new Error('cost list refused');
}

interface Engine {
  readonly db: Db;
  stop(): Promise<void>;
  close(): Promise<void>;
}

async function open(engine: DialectName, table: boolean): Promise<Engine & { dispose(): Promise<void> }> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  await migrate(db);
  if (table) await fillRouteTable(db);
  const clockUs = () => db.nowUs();
  const router = createRouter(createRegistry({ clockUs, sandbox: { reportDelayMs: 0 } }), undefined, {
    books: createRoutingBooks(db, clockUs),
  });
  const worker = startWorker({ db, router, clockUs, batchSize: 1_000, concurrency: 4, pollIntervalMs: 20 });
  return {
    db,
    stop: () => worker.stop(),
    close: () => db.close(),
    dispose: () => scratch.dispose(),
  };
}

/** Seconds from the sending's commit to Completed (every message final), ledger audited after. */
async function timeSending(db: Db): Promise<number> {
  const shape = { recipients: RECIPIENTS };
  const accountId = await fundedAccount(db, sendingTotalMinor(shape), 'bench');
  const created = await createSending(db, newSending(accountId, shape));
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  const started = performance.now();
  for (;;) {
    const status = (await getSending(db, accountId, created.sending.id))?.status;
    if (status === 'Completed') break;
    if (status === 'Failed') throw new Error('sending failed');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seconds = (performance.now() - started) / 1000;
  const audit = await auditLedger(db);
  if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
  return seconds;
}

async function onEngine(engine: DialectName): Promise<BenchRow[]> {
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const builtIn = await open(engine, false);
  const fillStarted = performance.now();
  const table = await open(engine, true);
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const best = { builtIn: Number.POSITIVE_INFINITY, table: Number.POSITIVE_INFINITY };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      best.builtIn = Math.min(best.builtIn, await timeSending(builtIn.db));
      best.table = Math.min(best.table, await timeSending(table.db));
    }
    const routed = await table.db.kysely
      .selectFrom('messages')
      .select((eb) => eb.fn.count<number | string>('route_rule_id').as('n'))
      .executeTakeFirstOrThrow();
    if (Number(routed.n) < RECIPIENTS) throw new Error(`only ${routed.n} messages recorded their rule`);
  } finally {
    for (const e of [builtIn, table]) {
      await e.stop();
      await e.close();
      await e.dispose();
    }
  }
  const rate = (seconds: number) => RECIPIENTS / seconds;
  return [
    {
      name: `${label}: ${RECIPIENTS.toLocaleString('en-US')} messages, built-in route (the default rule alone)`,
      result: formatRate(rate(best.builtIn), 'msg/s'),
      target: '',
      notes: `best of ${ROUNDS}; sandbox provider, worker in the process`,
    },
    {
      name: `${label}: the same under a ${RULES.toLocaleString('en-US')}-rule table, least-cost with quality thresholds`,
      result: formatRate(rate(best.table), 'msg/s'),
      target: TARGET,
      notes: `${((rate(best.table) / rate(best.builtIn)) * 100).toFixed(0)}% of the built-in route; each message records its rule; table and cost list written in ${fillSeconds.toFixed(1)} s`,
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows = await onEngine('sqlite');
  const unreachable = await probePostgres();
  if (unreachable === null) rows.push(...(await onEngine('postgres')));
  else rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: unreachable });
  return rows;
}
