// The platform route over SMPP: with SMPP_URL set, a default sending goes out through the SMSC and completes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { eventually, numberEndingWith, statusOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

describeEachEngine('default sendings over SMPP', (engine) => {
  let sim: SmscSimulator;
  let registry: ProviderRegistry;

  beforeAll(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: 0 });
    registry = createRegistry({
      clockUs: () => engine.db.nowUs(),
      providers: { smppUrl: sim.url },
      reportSink: async (provider, report) => {
        await applyReports(engine.db, engine.db.nowUs(), [{ provider, ...report }]);
      },
    });
  });
  afterAll(async () => {
    await registry.close();
    await sim.close();
  });

  it('hands every message to the SMSC once and completes on its receipts', async () => {
    const db = engine.db;
    const recipients = Array.from({ length: 200 }, (_, i) => numberEndingWith('7000', i));
    const { accountId, sending } = await storedSending(db, recipients);
    const dispatcher = createDispatcher({ db, router: createRouter(registry) });

    await eventually(
      async () => {
        await dispatcher.runOnce();
        return (await statusOf(db, accountId, sending.id)) === 'Completed';
      },
      20_000,
      'the sending to complete over SMPP',
    );
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    expect(messages).toHaveLength(200);
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(['delivered']));
    expect(new Set(messages.map((m) => m.provider))).toEqual(new Set(['smpp']));
    expect(sim.stats.submitSm).toBe(200);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
