// The real server killed with SIGKILL under load and restarted, on a fresh database: PostgreSQL with 2 API and 2 worker
// processes, SQLite with one process of both roles. Afterwards nothing the clients were told is lost, nothing is
// half-written, charged twice or handed over twice, and every balance is the sum of its ledger (crash-harness.ts).
// A longer run with any seed: `npx tsx scripts/crash-run.ts --seed N --seconds S --database postgres|sqlite`.
import { expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { runCrashScenario } from './crash-harness.js';

const SEED = 20_240_611;
const LOAD_MS = 10_000;

describeEachEngine(
  'crashes under load',
  (engine) => {
    it('keeps every accepted sending whole, charges it once, hands each message over at most once, and settles all', {
      timeout: 240_000,
    }, async () => {
      const report = await runCrashScenario({
        seed: SEED,
        loadMs: LOAD_MS,
        databaseUrl: engine.url,
        topology: engine.name === 'postgres' ? { api: 2, workers: 2 } : { combined: true },
        clients: 6,
      });
      console.log(
        `[${engine.name}] ${report.kills.total} kills (${report.kills.midRequest} mid-request, ` +
          `${report.kills.holdingLeases} holding leases, ${report.kills.awaitingSettlement} awaiting settlement); ` +
          `sendings ${JSON.stringify(report.sendings)}; ` +
          `messages ${JSON.stringify(report.messages)}`,
      );
      expect(report.problems).toEqual([]);
      expect(report.serverErrors).toEqual([]);
      // The run did what it is for: processes died under load, and sendings went through before and after.
      expect(report.kills.total).toBeGreaterThan(0);
      expect(report.sendings.accepted).toBeGreaterThan(0);
      expect(report.messages.handedOver).toBeGreaterThan(0);
    });
  },
  // The processes set up the schema themselves, all starting at once.
  { migrate: false },
);
