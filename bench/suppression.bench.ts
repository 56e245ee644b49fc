// A million-recipient sending against a million-number suppression list: calculate and create, time and memory,
// beside the same sending from an account with no list (the baseline, same run, same database).
import { performance } from 'node:perf_hooks';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createApiServices } from '../src/services/api-services.js';
import { bootstrap } from '../src/services/bootstrap.js';
import type { AuthenticatedAccount } from '../src/services/ports.js';
import { createDb, type Db, type DialectName } from '../src/store/db.js';
import { auditLedger, getBalance } from '../src/store/ledger.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { addSuppressions } from '../src/store/suppressions.js';
import { openAccount } from '../test/support/http-app.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import type { BenchRow } from './harness.js';

const RECIPIENTS = Number(process.env.SUPPRESSION_BENCH_RECIPIENTS ?? 1_000_000);
const LIST = Number(process.env.SUPPRESSION_BENCH_LIST ?? 1_000_000);
/** Latvia on the default price list: an upper bound of one part's price, for the opening balance. */
const RATE_MINOR_MAX = 500;
const count = (n: number) => n.toLocaleString('en-US');

interface Measured {
  readonly seconds: number;
  /** Heap and external memory the work grew by at its peak (sampled), MiB. */
  readonly peakMiB: number;
}

/** Times `work` and samples the process's heap + external memory every 20 ms (after a GC when exposed). */
async function measured(work: () => Promise<void>): Promise<Measured> {
  (globalThis as { gc?: () => void }).gc?.();
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
  }, 20);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, used());
  return { seconds: (performance.now() - started) / 1000, peakMiB: (peak - base) / 2 ** 20 };
}

const shown = (m: Measured) => `${m.seconds.toFixed(2)} s, +${Math.round(m.peakMiB)} MiB peak`;

async function onEngine(engine: DialectName, recipients: readonly string[], listed: readonly string[]) {
  const scratch = await scratchDatabase(engine);
  const db: Db = await createDb(scratch.url);
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  try {
    await migrate(db);
    const plan = loadNumberingPlan();
    await bootstrap(db, plan);
    const services = createApiServices({ db, plan, availableTypes: new Set(['default']) });
    const balance = String(Math.ceil((RECIPIENTS * RATE_MINOR_MAX * 2) / 10_000));
    const fields = { message: 'Hello from SMSgic', recipients, sender: 'MegaShop' };
    const rows: BenchRow[] = [];
    let listedAccount: AuthenticatedAccount | undefined;
    const fill = await measured(async () => {
      const opened = await openAccount(db, { balance });
      await addSuppressions(db, opened.id, listed, { source: 'operator' });
      listedAccount = (await services.authenticate(opened.token)) as AuthenticatedAccount;
    });
    const bare = (await services.authenticate((await openAccount(db, { balance })).token)) as AuthenticatedAccount;

    for (const [who, account] of [
      ['no suppression list (baseline)', bare],
      [`a ${count(listed.length)}-number suppression list`, listedAccount],
    ] as const) {
      if (!account) throw new Error('account not opened');
      let suppressed = 0;
      const calculate = await measured(async () => {
        const result = await services.calculate(account, fields);
        if (!result.ok) throw new Error('calculate refused');
        suppressed = result.quote.suppressed.length;
      });
      const before = (await getBalance(db, account.id)) ?? 0;
      const create = await measured(async () => {
        const created = await services.createSending(account, fields, undefined);
        if (!created.ok) throw new Error(`sending refused: ${JSON.stringify(created.errors)}`);
      });
      const reserved = before - ((await getBalance(db, account.id)) ?? 0);
      const notes = `${count(suppressed)} recipients suppressed, ${count(RECIPIENTS - suppressed)} priced; reserved ${reserved} minor units`;
      rows.push(
        {
          name: `${label}: calculate, ${count(RECIPIENTS)} recipients, ${who}`,
          result: shown(calculate),
          target: '',
          notes,
        },
        { name: `${label}: create, ${count(RECIPIENTS)} recipients, ${who}`, result: shown(create), target: '', notes },
      );
    }
    const audit = await auditLedger(db);
    if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
    rows.unshift({
      name: `${label}: filling the suppression list (${count(listed.length)} numbers, one call)`,
      result: shown(fill),
      target: '',
      notes: 'half of the sending’s recipients and as many other numbers; ledger audit clean after the run',
    });
    return rows;
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

export async function run(): Promise<BenchRow[]> {
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => String(37_120_000_000 + i));
  // Every other recipient is on the list, and as many numbers that are not recipients.
  const listed = Array.from({ length: LIST }, (_, i) =>
    i % 2 === 0 ? String(37_120_000_000 + i) : String(37_140_000_000 + i),
  );
  const rows = await onEngine('sqlite', recipients, listed);
  const unreachable = await probePostgres();
  if (unreachable === null) rows.push(...(await onEngine('postgres', recipients, listed)));
  else rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: unreachable });
  return rows;
}
