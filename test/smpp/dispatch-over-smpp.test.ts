// The platform route over SMPP: with SMPP_URL set, a default sending goes out through the SMSC and completes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { splitParts } from '../../src/domain/gsm.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { eventually, numberEndingWith, statusOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

describeEachEngine('default sendings over SMPP', (engine) => {
  let sim: SmscSimulator;
  let registry: ProviderRegistry;

  beforeAll(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: 0, record: true });
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

  it('sends a 3-part UCS-2 text to 1,000 recipients as 3,000 concatenated parts and completes on the receipts', async () => {
    const db = engine.db;
    const recipients = Array.from({ length: 1000 }, (_, i) => numberEndingWith('7000', i));
    const text = 'Ваш код подтверждения 123456. '.repeat(6); // 180 UTF-16 units: 3 parts of UCS-2
    const { encoding, parts } = splitParts(text);
    expect([encoding, parts.length]).toEqual(['UCS-2', 3]);
    const { accountId, sending } = await storedSending(db, recipients, { text, encoding, parts: 3 });
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
    expect(messages).toHaveLength(1000);
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(['delivered']));
    expect(new Set(messages.map((m) => m.provider))).toEqual(new Set(['smpp']));
    expect(sim.stats.submitSm).toBe(3000);
    // Every part reached the SMSC once, with UDH concatenation: one reference per message, parts 1..3 of 3.
    const byReference = new Map<string, number[]>();
    for (const part of sim.received) {
      expect(part.concat).toMatchObject({ total: 3 });
      const key = `${part.destinationAddr}:${part.concat?.reference}`;
      byReference.set(key, [...(byReference.get(key) ?? []), part.concat?.sequence ?? 0]);
    }
    expect(byReference.size).toBe(1000);
    for (const seqs of byReference.values()) expect(seqs.sort()).toEqual([1, 2, 3]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('ends every message of a window a TCP cut left unanswered final within seconds, on the resend policy', async () => {
    const db = engine.db;
    const cutSim = await startSmscSimulator({ receiptDelayMs: 0, responseDelayMs: 20 });
    const cutRegistry = createRegistry({
      clockUs: () => engine.db.nowUs(),
      providers: { smppUrl: `${cutSim.url}?window=10` },
      reportSink: async (provider, report) => {
        await applyReports(engine.db, engine.db.nowUs(), [{ provider, ...report }]);
      },
    });
    try {
      // The 10th submit_sm cuts the connection with all ten read and none answered.
      cutSim.script({ drop: { afterSubmits: 10, answer: 'before' } });
      const recipients = Array.from({ length: 10 }, (_, i) => numberEndingWith('7100', i));
      const { accountId, sending } = await storedSending(db, recipients, { text: 'Your code is 4821' });
      const dispatcher = createDispatcher({ db, router: createRouter(cutRegistry) });
      await eventually(
        async () => {
          await dispatcher.runOnce();
          return (await statusOf(db, accountId, sending.id)) === 'Completed';
        },
        20_000,
        'every message final after the cut',
      );
      const finalAtMs = Date.now();
      const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
      expect(messages.map((m) => m.status)).toEqual(Array(10).fill('delivered'));
      expect(cutSim.stats.lastDropAtMs).not.toBeNull();
      expect((await auditLedger(db)).mismatches).toEqual([]);
      // The figure for BENCHMARKS.md (not asserted: wall-clock on a shared machine).
      console.info(
        `smpp: TCP cut -> 10 in-flight messages final in ${finalAtMs - (cutSim.stats.lastDropAtMs ?? 0)} ms`,
      );
    } finally {
      await cutRegistry.close();
      await cutSim.close();
    }
  });
});
