// A separate process acting on a shared database, so that SQLite tests race real connections, not one in-process queue.
// Usage: node --import tsx store-worker.ts migrate URL | sendings URL ACCOUNT_ID COUNT RECIPIENTS
import { createDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations/migrate.js';
import { createSending } from '../../src/store/sendings.js';
import { newSending } from './store-fixtures.js';

const [command, url, ...rest] = process.argv.slice(2);
const db = await createDb(url);
try {
  if (command === 'migrate') {
    console.log(JSON.stringify({ applied: await migrate(db) }));
  } else if (command === 'sendings') {
    const [accountId, count, recipients] = rest.map(Number);
    const results = await Promise.all(
      Array.from({ length: count ?? 0 }, () =>
        createSending(db, newSending(accountId ?? 0, { recipients: recipients ?? 1 })),
      ),
    );
    const ok = results.filter((r) => r.ok).length;
    const insufficient = results.filter((r) => !r.ok && r.reason === 'insufficient_balance').length;
    console.log(JSON.stringify({ ok, insufficient }));
  } else {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await db.close();
}
