// Receipts an SMSC sends at once, while the batch their messages belong to is still being handed over. On PostgreSQL
// they wait for the batch's outcomes to be stored and then find their messages, instead of being kept aside as unknown
// ids (which takes the lock that orders them against every transaction storing ids). On SQLite they are stored at
// once, kept aside if need be, and answered without waiting for the batch.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { HandOversInFlight } from '../../src/dispatch/hand-overs-in-flight.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { type PushedReports, pushedReports } from '../../src/dispatch/pushed-reports.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { startWorker } from '../../src/dispatch/worker.js';
import type { Db } from '../../src/store/db.js';
import { listMessages } from '../../src/store/messages.js';
import { countKeptReports } from '../../src/store/reports.js';
import { describeEachEngine } from '../support/databases.js';
import { eventually, numberEndingWith, statusOf, storedSending } from './support.js';

const WAIT_MS = 30_000;
const MESSAGES = 40;
/** A report kept aside as an unknown id, or (PostgreSQL) waiting on the lock that orders it against storing ids. */
const KEPT = /insert into "pending_reports"|pg_advisory_xact_lock\(/;

describeEachEngine('receipts pushed during their hand-over', (engine) => {
  let sim: SmscSimulator;
  let registry: ProviderRegistry | undefined;

  beforeEach(async () => {
    // Receipts right after each submit_sm_resp; the window makes the batch's last answers come well after its first.
    sim = await startSmscSimulator({ receiptDelayMs: 0, responseDelayMs: 20 });
  });
  afterEach(async () => {
    await registry?.close();
    await sim.close();
  });

  async function run(db: Db, sink: (handOvers: HandOversInFlight) => PushedReports): Promise<void> {
    const handOvers = new HandOversInFlight();
    const pushed = sink(handOvers);
    registry = createRegistry({
      clockUs: () => db.nowUs(),
      providers: { smpp: { url: `${sim.url}?window=4` } },
      reportSink: (provider, report) => pushed(provider, [report]),
    });
    const recipients = Array.from({ length: MESSAGES }, (_, i) => numberEndingWith(String(3000 + i), i));
    const { accountId, sending } = await storedSending(db, recipients);
    const worker = startWorker({ db, router: createRouter(registry), handOvers, pollIntervalMs: 50 });
    try {
      await eventually(async () => (await statusOf(db, accountId, sending.id)) === 'Completed', WAIT_MS, 'Completed');
      const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: MESSAGES });
      expect(messages.map((m) => m.status)).toEqual(recipients.map(() => 'delivered'));
      expect(sim.stats.submitSm).toBe(MESSAGES);
    } finally {
      await worker.stop();
    }
  }

  it('applies every one of them, on PostgreSQL once the batch is stored: none kept aside as an unknown id', async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    await run(db, (handOvers) => pushedReports(db, handOvers));
    if (engine.name === 'postgres') expect(statements.filter((text) => KEPT.test(text))).toEqual([]);
    await db.close();
  });

  it('answers a receipt while a hand-over to its provider is in flight on SQLite; holds it on PostgreSQL', async () => {
    const db = await engine.open();
    // A hand-over that has not ended, and no cap on how long a receipt may wait for it.
    const handOvers = new (class extends HandOversInFlight {
      override settled(provider: string) {
        return super.settled(provider, 2_000_000_000);
      }
    })();
    let endHandOver: () => void = () => {};
    handOvers.track('smpp', new Promise<void>((resolve) => (endHandOver = resolve)));
    const stored = pushedReports(db, handOvers)('smpp', [{ providerMessageId: 'not-yet-stored', status: 'delivered' }]);
    const held = new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), 2_000));
    const first = await Promise.race([stored.then(() => 'answered' as const), held]);
    expect(first).toBe(engine.name === 'sqlite' ? 'answered' : 'held');
    endHandOver();
    await stored;
    expect(await countKeptReports(db)).toBe(1);
    await db.close();
  });
});
