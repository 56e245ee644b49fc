// Long work and the event loop: calculate, create and cancel a million-recipient sending, with the loop's worst delay.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createRateCard, priceSending } from '../src/domain/pricing.js';
import { createApiServices } from '../src/services/api-services.js';
import { bootstrap } from '../src/services/bootstrap.js';
import type { AuthenticatedAccount } from '../src/services/ports.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { auditLedger, getBalance } from '../src/store/ledger.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { openAccount } from '../test/support/http-app.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import type { BenchRow } from './harness.js';

const RECIPIENTS = Number(process.env.LONG_WORK_BENCH_RECIPIENTS ?? 1_000_000);
/** Latvia Tele2 on the default price list (some numbers of the range are other operators'). */
const RATE_MINOR = 410;
const IDLE_MS = 1_000;
/** What no request or worker should hold the event loop for. */
const TARGET = '≤ 100 ms max loop delay';

interface Measured {
  readonly seconds: number;
  /** The longest the event loop waited for a turn while the work ran. */
  readonly maxDelayMs: number;
}

async function measured(work: () => Promise<unknown> | unknown): Promise<Measured> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram measures between its own timer's ticks: let it tick once before the work, else a block at the very
  // start goes unseen.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  // One more turn, so that a block that ended just now is recorded.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  return { seconds, maxDelayMs: histogram.max / 1e6 };
}

const shown = (m: Measured) => `${m.seconds.toFixed(2)} s, max delay ${Math.round(m.maxDelayMs)} ms`;
const count = RECIPIENTS.toLocaleString('en-US');

async function onEngine(engine: DialectName, recipients: readonly string[]): Promise<BenchRow[]> {
  const scratch = await scratchDatabase(engine);
  const db: Db = await createDb(scratch.url);
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  try {
    await migrate(db);
    const plan = loadNumberingPlan();
    await bootstrap(db, plan);
    const services = createApiServices({ db, plan, availableTypes: new Set(['default']) });
    const opened = await openAccount(db, { balance: String(Math.ceil((RECIPIENTS * RATE_MINOR * 4) / 10_000)) });
    const account = (await services.authenticate(opened.token)) as AuthenticatedAccount;
    const fields = { message: 'Hello from SMSgic', recipients, sender: 'MegaShop' };
    const before = await getBalance(db, account.id);

    const calculate = await measured(async () => {
      const result = await services.calculate(account, fields);
      if (!result.ok) throw new Error('calculate refused');
    });
    let sendingId = 0;
    const create = await measured(async () => {
      const created = await services.createSending(account, fields, undefined);
      if (!created.ok) throw new Error(`sending refused: ${JSON.stringify(created.errors)}`);
      sendingId = created.sendingId;
    });
    const reserved = (before ?? 0) - ((await getBalance(db, account.id)) ?? 0);
    const cancel = await measured(async () => {
      const result = await services.cancelSending(account.id, sendingId);
      if (!result.ok || result.refundedMinor !== reserved) throw new Error('cancel refused or refund not exact');
    });
    if ((await getBalance(db, account.id)) !== before) throw new Error('the cancel did not refund all of it');
    // The baseline: one statement over all the sending's rows, as the cancel did before its batches. Measured after
    // the cancel, so that the cancel does not start behind the WAL (SQLite) or the dead row versions (PostgreSQL) that
    // this statement leaves.
    const bare = await measured(() =>
      db.transaction((trx) =>
        sql`update messages set updated_at_us = updated_at_us + 1 where sending_id = ${sendingId}`.execute(trx),
      ),
    );
    const audit = await auditLedger(db);
    if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
    return [
      {
        name: `${label}: calculate, ${count} recipients (priced, not streamed)`,
        result: shown(calculate),
        target: TARGET,
      },
      {
        name: `${label}: create, ${count} recipients (priced, stored, reserved)`,
        result: shown(create),
        target: TARGET,
        notes: 'one transaction; on SQLite other requests’ statements wait for its commit',
      },
      {
        name: `${label}: cancel, ${count} messages (refund, then messages ended in batches)`,
        result: shown(cancel),
        target: TARGET,
        notes: 'refunded exactly once; ledger audit clean',
      },
      {
        name: `${label}: baseline, one unbatched statement over the same ${count} rows`,
        result: shown(bare),
        target: '',
        notes: 'what the cancel did before',
      },
    ];
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

export async function run(): Promise<BenchRow[]> {
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => String(37_120_000_000 + i));
  const idle = await measured(() => new Promise((resolve) => setTimeout(resolve, IDLE_MS)));
  const plan = loadNumberingPlan();
  const rates = createRateCard([{ mcc: '247', mnc: null, rateMinor: RATE_MINOR }]);
  const unchunked = await measured(() => {
    const result = priceSending({ message: 'Hello from SMSgic', recipients }, { plan, rates, taxRatePpm: 0 });
    if (!result.ok || result.quote.recipients.length !== RECIPIENTS) throw new Error('baseline pricing refused');
  });
  const rows: BenchRow[] = [
    { name: `Baseline: idle event loop for ${IDLE_MS} ms`, result: shown(idle), target: '' },
    {
      name: `Baseline: pricing ${count} recipients in one go (priceSending)`,
      result: shown(unchunked),
      target: '',
      notes: 'what calculate and create did before their steps',
    },
  ];
  rows.push(...(await onEngine('sqlite', recipients)));
  const unreachable = await probePostgres();
  if (unreachable === null) rows.push(...(await onEngine('postgres', recipients)));
  else rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: unreachable });
  return rows;
}
