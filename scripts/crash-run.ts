// A longer crash run than CI's: `npx tsx scripts/crash-run.ts --seed N --seconds S [--database URL] [--api N]
// [--workers N] [--clients N]`. URL is postgres://… or sqlite:PATH (used as it is), or the word `postgres` or `sqlite`
// for a scratch database that is dropped afterwards (the default: sqlite). PostgreSQL runs separate API and worker
// processes (2 + 2 by default); SQLite one process with both roles. Prints the report; exit code 1 when a guarantee
// broke.
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../src/store/db.js';
import { runCrashScenario } from '../test/reliability/crash-harness.js';
import { type ScratchDatabase, scratchDatabase } from '../test/support/scratch-db.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    database: { type: 'string', default: 'sqlite' },
    api: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    clients: { type: 'string', default: '8' },
  },
});

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

const seed = positive('seed', values.seed);
const seconds = positive('seconds', values.seconds);
let scratch: ScratchDatabase | undefined;
let url = values.database;
if (url === 'sqlite' || url === 'postgres') {
  scratch = await scratchDatabase(url);
  url = scratch.url;
}
const dialect = parseDatabaseUrl(url).dialect;
const started = Date.now();
try {
  const report = await runCrashScenario({
    seed,
    loadMs: seconds * 1000,
    databaseUrl: url,
    topology:
      dialect === 'sqlite'
        ? { combined: true }
        : { api: positive('api', values.api), workers: positive('workers', values.workers) },
    clients: positive('clients', values.clients),
    log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
  });
  console.log(JSON.stringify(report, null, 2));
  console.error(
    report.problems.length === 0
      ? `seed ${seed}: every guarantee held (${report.kills.total} kills, ${report.sendings.requested} sendings requested)`
      : `seed ${seed}: ${report.problems.length} problems`,
  );
  process.exitCode = report.problems.length === 0 ? 0 : 1;
} finally {
  await scratch?.dispose();
}
