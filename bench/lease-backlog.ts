// The cost of one lease against a backlog of queued one-recipient sendings (one-time codes), at two backlog sizes on
// each engine: `node --import tsx bench/lease-backlog.ts`. LEASE_BACKLOG_SIZES (default 1000,50000),
// LEASE_BACKLOG_ROUNDS (default 200), LEASE_BACKLOG_LIMIT (the lease's batch, default 100), LEASE_BACKLOG_ONLY
// (sqlite or postgres). Each round leases a batch, then (untimed) records the batch accepted and stores as many new
// sendings, so that the backlog stays the same size throughout.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDb, type DialectName } from '../src/store/db.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../src/store/dispatch-queue.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { numberEndingWith, sendingOf } from '../test/dispatch/support.js';
import { storeCopiesOf } from '../test/support/backlog.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount } from '../test/support/store-fixtures.js';

const SIZES = (process.env.LEASE_BACKLOG_SIZES ?? '1000,50000').split(',').map(Number);
const ROUNDS = Number(process.env.LEASE_BACKLOG_ROUNDS ?? 200);
const LIMIT = Number(process.env.LEASE_BACKLOG_LIMIT ?? 100);
const ONLY = process.env.LEASE_BACKLOG_ONLY;
const LEASE_US = 60_000_000;
/** 2100-01-01 UTC: when the template of the copies is due. */
const FUTURE_US = 4_102_444_800_000_000;
const SANDBOX: LeaseRouting = () => ({ provider: 'sandbox', ruleId: null });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function measure(engine: DialectName, backlog: number): Promise<void> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const accountId = await fundedAccount(db, 1_000_000_000_000);
    const template = await sendingOf(db, accountId, [numberEndingWith('0009', 1)], { scheduledAtUs: FUTURE_US });
    await storeCopiesOf(db, template.id, backlog, db.nowUs());
    if (engine === 'postgres') await sql`vacuum analyze`.execute(db.kysely);
    const times: number[] = [];
    let leased = 0;
    for (let i = 0; i < ROUNDS + 10; i++) {
      const nowUs = db.nowUs();
      const started = performance.now();
      const lease = await leaseDueMessages(db, { workerId: 'bench', nowUs, leaseUs: LEASE_US, limit: LIMIT }, SANDBOX);
      const ms = performance.now() - started;
      if (lease.messages.length !== LIMIT) throw new Error(`round ${i}: leased ${lease.messages.length}, not ${LIMIT}`);
      if (i >= 10) {
        times.push(ms);
        leased += lease.messages.length;
      }
      await recordOutcomes(
        db,
        { workerId: 'bench', nowUs },
        {
          accepted: lease.messages.map((m) => ({
            id: m.id,
            providerMessageId: `bench-${m.id}`,
            nextPollAtUs: nowUs + LEASE_US,
          })),
        },
      );
      await storeCopiesOf(db, template.id, LIMIT, db.nowUs());
    }
    const total = times.reduce((a, b) => a + b, 0);
    console.log(
      `${engine}: backlog ${backlog.toLocaleString('en-US')} queued one-recipient sendings, lease of ${LIMIT}: ` +
        `median ${median(times).toFixed(3)} ms a lease, ${((total * 1000) / leased).toFixed(1)} µs a message ` +
        `(${ROUNDS} leases)`,
    );
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

const engines: DialectName[] = ['sqlite', 'postgres'];
for (const engine of engines) {
  if (ONLY !== undefined && ONLY !== engine) continue;
  if (engine === 'postgres') {
    const why = await probePostgres();
    if (why !== null) {
      console.log(`postgres: skipped (${why})`);
      continue;
    }
  }
  for (const size of SIZES) await measure(engine, size);
}
