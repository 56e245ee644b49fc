// Times the dashboard's opt-out CSV import and export on each engine:
// `npx tsx test/support/measure-opt-out-import.ts [numbers]` (1,000,000 by default): the file read, the list written
// in its one transaction, and the whole list read back in export batches, with the process's heap growth.

import { readSuppressionCsv } from '../../src/services/suppressions.js';
import { createDb, type DialectName } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations/migrate.js';
import { addSuppressions, allSuppressions } from '../../src/store/suppressions.js';
import { probePostgres, scratchDatabase } from './scratch-db.js';
import { fundedAccount, recipientOf } from './store-fixtures.js';

const count = Number(process.argv[2] ?? 1_000_000);

async function measure(engine: DialectName): Promise<void> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    const accountId = await fundedAccount(db, 0);
    const csv = `phone\n${Array.from({ length: count }, (_, i) => recipientOf(i)).join('\n')}\n`;
    let started = performance.now();
    const read = readSuppressionCsv(csv);
    if (!read.ok) throw new Error('the file was refused');
    const readMs = performance.now() - started;
    started = performance.now();
    const added = await addSuppressions(db, accountId, read.phones, { source: 'dashboard', actor: 'measure' });
    const addMs = performance.now() - started;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let exported = 0;
    started = performance.now();
    for await (const batch of allSuppressions(db, accountId)) {
      exported += batch.length;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    const exportMs = performance.now() - started;
    console.log(
      `${engine}: ${count} numbers: file read ${readMs.toFixed(0)} ms, ${added.length} added in ` +
        `${addMs.toFixed(0)} ms, ${exported} exported in ${exportMs.toFixed(0)} ms ` +
        `(heap grew at most ${((heapPeak - heapBefore) / 1e6).toFixed(0)} MB)`,
    );
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

await measure('sqlite');
if ((await probePostgres()) === null) await measure('postgres');
else console.log('postgres: not reachable, skipped');
