// Times the suppression lookup of a sending on each engine: `npx tsx test/support/measure-suppressions.ts [recipients]`.
// An account with no suppressions, a short list and a long one; the lookup's statements counted too.
import { createDb, type DialectName } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations/migrate.js';
import { addSuppressions, suppressedAmong } from '../../src/store/suppressions.js';
import { probePostgres, scratchDatabase } from './scratch-db.js';
import { fundedAccount, recipientOf } from './store-fixtures.js';

const recipients = Number(process.argv[2] ?? 1_000_000);

async function measure(engine: DialectName): Promise<void> {
  const scratch = await scratchDatabase(engine);
  let statements = 0;
  const db = await createDb(scratch.url, { onQuery: () => statements++ });
  try {
    await migrate(db);
    const phones = Array.from({ length: recipients }, (_, i) => recipientOf(i));
    for (const listed of [0, 5_000, 50_000]) {
      const accountId = await fundedAccount(db, 0);
      // Every 20th recipient, up to the list's length.
      const list = phones.filter((_, i) => i % 20 === 0).slice(0, listed);
      for (let start = 0; start < list.length; start += 10_000) {
        await addSuppressions(db, accountId, list.slice(start, start + 10_000), { source: 'operator' });
      }
      for (const count of [100, recipients]) {
        statements = 0;
        const started = performance.now();
        const found = await suppressedAmong(db, accountId, phones.slice(0, count));
        const ms = performance.now() - started;
        console.log(
          `${engine}: ${count} recipients against ${listed} suppressions: ${found.size} found, ` +
            `${statements} statement(s), ${ms.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await db.close();
    await scratch.dispose();
  }
}

await measure('sqlite');
if ((await probePostgres()) === null) await measure('postgres');
