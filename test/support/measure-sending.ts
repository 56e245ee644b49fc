// Times storing one large sending on each engine: `npx tsx test/support/measure-sending.ts [recipients] [runs]`.
import { createDb, type DialectName } from '../../src/store/db.js';
import { auditLedger } from '../../src/store/ledger.js';
import { messageTotals } from '../../src/store/messages.js';
import { migrate } from '../../src/store/migrations/migrate.js';
import { createSending } from '../../src/store/sendings.js';
import { probePostgres, scratchDatabase } from './scratch-db.js';
import { fundedAccount, newSending, sendingTotalMinor } from './store-fixtures.js';

const recipients = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 3);

async function measure(engine: DialectName): Promise<void> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const shape = { recipients, parts: 2, rateMinor: 4397, taxMinor: 12_345 };
    const accountId = await fundedAccount(db, sendingTotalMinor(shape) * runs);
    const times_ms: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const result = await createSending(db, newSending(accountId, shape));
      times_ms.push(performance.now() - started);
      if (!result.ok) throw new Error(`sending refused: ${result.reason}`);
      const totals = await messageTotals(db, accountId, result.sending.id);
      if (totals.messages !== recipients) throw new Error(`stored ${totals.messages} messages`);
    }
    const audit = await auditLedger(db);
    if (audit.mismatches.length > 0) throw new Error(`audit: ${JSON.stringify(audit.mismatches)}`);
    const shown = times_ms.map((t) => `${Math.round(t)} ms`).join(', ');
    console.log(`${engine}: ${recipients} recipients stored and reserved in ${shown}`);
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

await measure('sqlite');
if ((await probePostgres()) === null) await measure('postgres');
else console.log('postgres: unreachable, not measured');
