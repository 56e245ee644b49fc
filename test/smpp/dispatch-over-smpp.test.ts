// The platform route over SMPP: with SMPP_URL set, a default sending goes out through the SMSC and completes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeliveryReport } from '../../src/dispatch/provider.js';
import { createSmppProvider } from '../../src/dispatch/providers/smpp/adapter.js';
import { CommandStatus } from '../../src/dispatch/providers/smpp/pdu.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { splitParts } from '../../src/domain/gsm.js';
import { dispatchRefundMinor } from '../../src/domain/status.js';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { eventually, numberEndingWith, RATE_MINOR, statusOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

describeEachEngine('default sendings over SMPP', (engine) => {
  let sim: SmscSimulator;
  let registry: ProviderRegistry;

  beforeAll(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: 0, record: true });
    registry = createRegistry({
      clockUs: () => engine.db.nowUs(),
      providers: { smpp: { url: sim.url } },
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

  // Part 3 of one message refused for good, after parts 1 and 2 were taken: by a final status on a UDH route, or by
  // a transient status repeated past the part retries on a SAR route.
  it.each([
    { long: 'udh', status: CommandStatus.ESME_RSUBMITFAIL, refusals: 1 },
    { long: 'sar', status: CommandStatus.ESME_RSYSERR, refusals: 3 },
  ] as const)(
    'charges a message whose part 3 of 3 the SMSC refused for good ($long) for the 2 parts it took',
    async ({ long, status, refusals }) => {
      const db = engine.db;
      const clockUs = () => db.nowUs();
      const partSim = await startSmscSimulator({ receiptDelayMs: 0, record: true });
      const provider = createSmppProvider({
        url: `${partSim.url}?long=${long}`,
        clockUs,
        onReport: async (report) => {
          await applyReports(db, db.nowUs(), [{ provider: 'smpp', ...report }]);
        },
        client: { partRetriesMax: 2, partRetryBaseMs: 5, partRetryCapMs: 20 },
      });
      const partRegistry = createRegistry({ clockUs, adapters: [provider] });
      try {
        const text = 'Your verification code is 482193. '.repeat(12); // 408 GSM-7 characters: 3 parts
        const { encoding, parts } = splitParts(text);
        expect([encoding, parts.length]).toEqual(['GSM-7', 3]);
        const recipients = Array.from({ length: 3 }, (_, i) => numberEndingWith(long === 'udh' ? '7400' : '7401', i));
        // Part 3 to the first recipient is refused every time it is sent: exactly one message is cut short.
        partSim.script({
          failPart: { sequence: 3, status, times: refusals, destination: new RegExp(`^${recipients[0]}$`) },
        });
        const taxMinor = 2_671;
        const { accountId, sending } = await storedSending(db, recipients, { text, encoding, parts: 3, taxMinor });
        const dispatcher = createDispatcher({
          db,
          router: createRouter(partRegistry, { routes: [], defaultProviders: ['smpp'] }),
        });
        await eventually(
          async () => {
            await dispatcher.runOnce();
            return (await statusOf(db, accountId, sending.id)) === 'Completed';
          },
          20_000,
          'the sending to complete with one message cut short',
        );
        // The receipts of the parts it did take have come by now; they change neither its status nor its charge.
        await eventually(
          async () => partSim.stats.receiptsSent >= 2 * 3 + 2,
          10_000,
          'the receipts of every accepted part',
        );
        await dispatcher.runOnce();

        const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
        const cut = messages.filter((m) => m.status === 'rejected');
        expect(cut).toHaveLength(1);
        expect(cut[0]).toMatchObject({ costMinor: RATE_MINOR * 2, provider: 'smpp' });
        expect(cut[0]?.error).toContain('2 of 3 parts accepted');
        expect(messages.filter((m) => m.status === 'delivered').map((m) => m.costMinor)).toEqual([
          RATE_MINOR * 3,
          RATE_MINOR * 3,
        ]);
        // Part 3 of the message cut short went only as often as the route allows, and nothing of it went again.
        const thirds = partSim.received.filter((p) => p.concat?.sequence === 3);
        expect(thirds.filter((p) => p.status !== 0)).toHaveLength(refusals);
        expect(partSim.stats.submitSm).toBe(3 * 3 + (refusals - 1));

        const refundMinor = dispatchRefundMinor({
          subtotalMinor: sending.subtotalMinor,
          taxMinor,
          acceptedCostMinor: RATE_MINOR * (3 + 3 + 2),
        });
        expect(refundMinor).toBeGreaterThan(RATE_MINOR);
        const refunds = (await listEntries(db, accountId)).filter((e) => e.kind === 'refund');
        expect(refunds.map((e) => e.amountMinor)).toEqual([refundMinor]);
        // The account held exactly the sending's total: what it has back is the part not taken, with its tax.
        expect(await getBalance(db, accountId)).toBe(refundMinor);
        expect((await auditLedger(db)).mismatches).toEqual([]);
      } finally {
        await partRegistry.close();
        await partSim.close();
      }
    },
  );

  it('ends every message of a window a TCP cut left unanswered final within seconds, on the resend policy', async () => {
    const db = engine.db;
    const cutSim = await startSmscSimulator({ receiptDelayMs: 0, responseDelayMs: 20 });
    const cutRegistry = createRegistry({
      clockUs: () => engine.db.nowUs(),
      providers: { smpp: { url: `${cutSim.url}?window=10` } },
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

  it('fails default traffic over while the SMSC refuses the credentials, and takes it back once the bind is let in', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const refusing = await startSmscSimulator({ receiptDelayMs: 0 });
    const other = await startSmscSimulator({ receiptDelayMs: 0 });
    refusing.script({ refuseBinds: { binds: 1_000_000, status: CommandStatus.ESME_RINVPASWD } });
    const sink = async (report: DeliveryReport) => {
      await applyReports(db, db.nowUs(), [{ provider: 'smpp-b', ...report }]);
    };
    const sinkA = async (report: DeliveryReport) => {
      await applyReports(db, db.nowUs(), [{ provider: 'smpp', ...report }]);
    };
    const refusals: (string | null)[] = [];
    const a = createSmppProvider({
      url: refusing.url,
      clockUs,
      name: 'smpp',
      onReport: sinkA,
      client: { reconnectBaseMs: 20, reconnectCapMs: 200, onBindRefusal: (e) => refusals.push(e) },
    });
    const b = createSmppProvider({ url: other.url, clockUs, name: 'smpp-b', onReport: sink });
    const failoverRegistry = createRegistry({ clockUs, adapters: [a, b] });
    const router = createRouter(
      failoverRegistry,
      { routes: [], defaultProviders: ['smpp', 'smpp-b'] },
      { clockUs, circuit: { failuresToOpen: 2, coolDownBaseMs: 100, coolDownCapMs: 400 } },
    );
    try {
      const recipients = Array.from({ length: 40 }, (_, i) => numberEndingWith('7200', i));
      const { accountId, sending } = await storedSending(db, recipients, { text: 'Your code is 4821' });
      const dispatcher = createDispatcher({ db, router, batchSize: 5, concurrency: 1 });
      await eventually(
        async () => {
          await dispatcher.runOnce();
          return (await statusOf(db, accountId, sending.id)) === 'Completed';
        },
        20_000,
        'the sending to complete over the other SMSC',
      );
      const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 100 });
      expect(new Set(messages.map((m) => m.status))).toEqual(new Set(['delivered']));
      expect(new Set(messages.map((m) => m.provider))).toEqual(new Set(['smpp-b']));
      expect(refusing.stats.submitSm).toBe(0);
      expect(router.circuits.state('smpp')).not.toBe('closed');
      // Still trying to bind, and the refusal told once however many times it repeats.
      expect(refusing.stats.bindsRefused).toBeGreaterThan(1);
      expect(refusals).toHaveLength(1);

      // The SMSC lets the bind in again: the route comes back without a restart, and default traffic returns to it.
      refusing.script({ refuseBinds: { binds: 0 } });
      await eventually(async () => a.stats().binds[0]?.state === 'bound', 10_000, 'the bind accepted again');
      const later = await storedSending(db, [numberEndingWith('7300', 0)], { text: 'Your code is 4822' });
      await eventually(
        async () => {
          await dispatcher.runOnce();
          return (await statusOf(db, later.accountId, later.sending.id)) === 'Completed';
        },
        20_000,
        'a later sending to complete',
      );
      await eventually(
        async () => {
          const one = await storedSending(db, [numberEndingWith('7301', 0)], { text: 'Your code is 4823' });
          await eventually(
            async () => {
              await dispatcher.runOnce();
              return (await statusOf(db, one.accountId, one.sending.id)) === 'Completed';
            },
            20_000,
            'a probe sending to complete',
          );
          return refusing.stats.accepted > 0;
        },
        20_000,
        'traffic back on the recovered route',
      );
      expect(router.circuits.state('smpp')).toBe('closed');
      expect(refusals.at(-1)).toBeNull();
      expect((await auditLedger(db)).mismatches).toEqual([]);
    } finally {
      await failoverRegistry.close();
      await refusing.close();
      await other.close();
    }
  });

  it('hands a sending with a validity over with what is left of it as a relative validity_period', async () => {
    const db = engine.db;
    const recipient = numberEndingWith('7400', 0);
    const { accountId, sending } = await storedSending(db, [recipient], { validityMinutes: 90 });
    const dispatcher = createDispatcher({ db, router: createRouter(registry) });
    await eventually(
      async () => {
        await dispatcher.runOnce();
        return (await statusOf(db, accountId, sending.id)) === 'Completed';
      },
      20_000,
      'the sending with a validity to complete over SMPP',
    );
    const [submit] = sim.received.filter((r) => r.destinationAddr === recipient);
    // Relative (R), 0 years, 0 months, 0 days: 1 h 30 min less the moments between storing and handing over.
    const match = /^000000(\d\d)(\d\d)(\d\d)000R$/.exec(submit?.validityPeriod ?? '');
    expect(match, submit?.validityPeriod).not.toBeNull();
    const [, hours, minutes, seconds] = (match as RegExpExecArray).map(Number);
    const left = (hours as number) * 3600 + (minutes as number) * 60 + (seconds as number);
    expect(left).toBeLessThanOrEqual(5_400);
    expect(left).toBeGreaterThan(5_400 - 60);
    const others = sim.received.filter((r) => r.destinationAddr !== recipient).map((r) => r.validityPeriod);
    expect(new Set(others)).toEqual(new Set(['']));
  });
});
