// The cost of one lease against a backlog of queued one-recipient sendings (one-time codes), at two backlog sizes on
// each engine: `npm run bench -- lease-backlog`. LEASE_BACKLOG_SIZES (default 1000,50000),
// LEASE_BACKLOG_ROUNDS (default 200), LEASE_BACKLOG_LIMIT (the lease's batch, default 100), LEASE_BACKLOG_ONLY
// (sqlite or postgres). Each round leases a batch, then (untimed) records the batch accepted and stores as many new
// sendings, so that the backlog stays the same size throughout. LEASE_BACKLOG_OUTAGE=1: a provider's outage instead,
// the backlog being sendings whose one message was refused and waits for a retry an hour later (leased and recorded
// so before the rounds); each round stores a batch of new sendings, due now, and leases it among those waiting.
// LEASE_BACKLOG_WINDOW=1: notifications held for their send window instead, the backlog being sendings whose one
// message waits for a window opening in an hour; each round likewise leases a batch of new ones among them.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../src/store/dispatch-queue.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { createSending } from '../src/store/sendings.js';
import { numberEndingWith, sendingOf, sendingTo } from '../test/dispatch/support.js';
import { storeCopiesOf } from '../test/support/backlog.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount } from '../test/support/store-fixtures.js';
import type { BenchRow } from './harness.js';

const SIZES = (process.env.LEASE_BACKLOG_SIZES ?? '1000,50000').split(',').map(Number);
const ROUNDS = Number(process.env.LEASE_BACKLOG_ROUNDS ?? 200);
const LIMIT = Number(process.env.LEASE_BACKLOG_LIMIT ?? 100);
const ONLY = process.env.LEASE_BACKLOG_ONLY;
const OUTAGE = process.env.LEASE_BACKLOG_OUTAGE === '1';
const WINDOW = process.env.LEASE_BACKLOG_WINDOW === '1';
const LEASE_US = 60_000_000;
/** 2100-01-01 UTC: when the template of the copies is due. */
const FUTURE_US = 4_102_444_800_000_000;
const SANDBOX: LeaseRouting = () => ({ provider: 'sandbox', ruleId: null });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Measured {
  readonly medianMs: number;
  readonly usPerMessage: number;
}

/** A one-recipient sending due now, held for a window (UTC) that opens in an hour: the template of the held backlog. */
async function heldForWindow(db: Db, accountId: number): Promise<number> {
  const hhmm = (us: number) => new Date(us / 1000).toISOString().slice(11, 16);
  const opensUs = db.nowUs() + 3_600_000_000;
  const created = await createSending(db, {
    ...sendingTo(accountId, [numberEndingWith('0008', 1)]),
    sendWindow: {
      text: `${hhmm(opensUs)}-${hhmm(opensUs + 3_600_000_000)}`,
      countryIds: [1],
      zoneOfCountry: () => 'UTC',
    },
  });
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  return created.sending.id;
}

async function measure(engine: DialectName, backlog: number): Promise<Measured> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const accountId = await fundedAccount(db, 1_000_000_000_000);
    const template = await sendingOf(db, accountId, [numberEndingWith('0009', 1)], { scheduledAtUs: FUTURE_US });
    if (WINDOW) {
      await storeCopiesOf(db, await heldForWindow(db, accountId), backlog, db.nowUs());
      await storeCopiesOf(db, template.id, LIMIT, db.nowUs());
    } else await storeCopiesOf(db, template.id, backlog, db.nowUs());
    if (OUTAGE) {
      // Every one refused by the provider, to be retried an hour later: all wait through the rounds.
      const retryAtUs = db.nowUs() + 3_600_000_000;
      for (;;) {
        const nowUs = db.nowUs();
        const lease = await leaseDueMessages(db, { workerId: 'bench', nowUs, leaseUs: LEASE_US, limit: 1000 }, SANDBOX);
        if (lease.messages.length === 0) break;
        await recordOutcomes(
          db,
          { workerId: 'bench', nowUs },
          { retry: lease.messages.map((m) => ({ id: m.id, nextAttemptAtUs: retryAtUs, error: 'provider down' })) },
        );
      }
      await storeCopiesOf(db, template.id, LIMIT, db.nowUs());
    }
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
    return { medianMs: median(times), usPerMessage: (total * 1000) / leased };
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const engine of ['sqlite', 'postgres'] as const) {
    if (ONLY !== undefined && ONLY !== engine) continue;
    const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if (engine === 'postgres') {
      const why = await probePostgres();
      if (why !== null) {
        rows.push({ name: label, result: 'not measured', target: '', notes: why });
        continue;
      }
    }
    const measured: Measured[] = [];
    for (const size of SIZES) measured.push(await measure(engine, size));
    const first = measured[0] as Measured;
    const last = measured[measured.length - 1] as Measured;
    const sizes = SIZES.map((n) => n.toLocaleString('en-US')).join(' → ');
    rows.push({
      name: `${label}: a lease of ${LIMIT} among ${sizes} ${OUTAGE ? 'one-recipient sendings waiting for a retry' : WINDOW ? 'one-recipient sendings held for their send window' : 'queued one-recipient sendings'}, median`,
      result: `${measured.map((m) => `${m.medianMs.toFixed(2)} ms`).join(' → ')} (×${(last.medianMs / first.medianMs).toFixed(2)})`,
      target: '≤ 1.5× at the large backlog',
      notes: `${ROUNDS} leases at each size, the backlog refilled after each; ${measured
        .map((m) => `${m.usPerMessage.toFixed(1)} µs`)
        .join(' → ')} a message leased`,
    });
  }
  return rows;
}
