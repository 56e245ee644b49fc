// A sending over Messente end to end: dispatcher → adapter → simulator → signed DLRs → webhook → store → Completed.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMessenteProvider } from '../../src/dispatch/providers/messente/adapter.js';
import { type MessenteSimulator, startMessenteSimulator } from '../../src/dispatch/providers/messente/simulator.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { providerWebhook } from '../../src/http/routes/webhooks/provider.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { numberEndingWith, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { dispatchUntilCompleted, routerOver, storingWebhook } from './support.js';

describeEachEngine('sendings over Messente with DLRs by webhook', (engine) => {
  let sim: MessenteSimulator;
  let app: FastifyInstance;
  let publicUrl: string;

  beforeAll(async () => {
    sim = await startMessenteSimulator({
      dlrDelayMs: 0,
      // Every final report twice, then a stale ACK after it: none of it may move a message again.
      duplicateReports: 1,
      outOfOrder: true,
      rejectNumbers: /0004$/,
      outcomes: [
        { to: /0001$/, status: 'UNDELIV', err: 1 },
        { to: /0002$/, status: 'EXPIRED', err: 2 },
        { to: /0003$/, status: 'REJECTD', err: 9 },
      ],
    });
    ({ app, url: publicUrl } = await storingWebhook(
      engine.db,
      providerWebhook('messente'),
      { messente: { baseUrl: sim.url, username: sim.username, password: sim.password } },
      { publicUrl: '', errorHandling: true },
    ));
  });
  afterAll(async () => {
    await sim.close();
    await app.close();
  });

  it('hands each message over once and completes on the reports, whatever their order and repetition', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const adapter = createMessenteProvider(
      { baseUrl: sim.url, username: sim.username, password: sim.password },
      { clockUs, publicUrl },
    );
    const { router } = routerOver(adapter, clockUs);
    const suffixes = ['7000', '0001', '0002', '0003', '0004'];
    const recipients = Array.from({ length: 40 }, (_, i) => numberEndingWith(suffixes[i % 5] as string, i));
    const { accountId, sending } = await storedSending(db, recipients);
    // The first three sends meet a server error: retried (soon, with this backoff), never lost or doubled.
    sim.script({ fail: { requests: 3, status: 503 } });
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 10, backoffCapMs: 50 } });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      20_000,
      'the sending to complete over Messente',
    );
    await sim.reportsSettled();

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    const expected: Record<string, string> = {
      '7000': 'delivered',
      '0001': 'undelivered',
      '0002': 'expired',
      '0003': 'rejected',
      '0004': 'rejected',
    };
    for (const m of messages) expect([m.recipient, m.status]).toEqual([m.recipient, expected[m.recipient.slice(-4)]]);
    expect(new Set(messages.map((m) => m.provider))).toEqual(new Set(['messente']));
    // Refused at submission: never accepted, so nothing to report on; every other number was taken exactly once.
    for (const r of recipients) {
      expect(sim.stats.acceptedByRecipient.get(r)).toBe(r.endsWith('0004') ? undefined : 1);
    }
    expect(sim.stats.failed).toBe(3);
    // Final report, its duplicate and a late ACK for each of the 32 accepted messages.
    expect(sim.stats.reportsPosted).toBe(32 * 3);
    expect(sim.stats.reportsFailed).toBe(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('charges a hand-over whose answer was lost, never sends it again, and expires it without a report', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    sim.script({ hang: { requests: 1, accept: true }, dlrDelayMs: null });
    const adapter = createMessenteProvider(
      { baseUrl: sim.url, username: sim.username, password: sim.password },
      // Polled often here, so that the report wait is checked soon (polls find no status: none is reported).
      { clockUs, publicUrl, timeoutMs: 1_000, pollIntervalMs: 100 },
    );
    const { router } = routerOver(adapter, clockUs);
    const recipients = Array.from({ length: 10 }, (_, i) => numberEndingWith('8000', i));
    const { accountId, sending } = await storedSending(db, recipients);
    const dispatcher = createDispatcher({ db, router, reportWaitMaxMs: 1_000 });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      20_000,
      'the sending to complete after the lost answer',
    );
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    // Without DLRs this time, every message waits out the report wait; the lost one among them was charged all the same.
    expect(messages.map((m) => m.status)).toEqual(recipients.map(() => 'expired'));
    // The lost one is kept as handed over (charged, submitted) without Messente's id; the others have theirs.
    expect(messages.filter((m) => m.providerMessageId === null)).toHaveLength(1);
    expect(messages.every((m) => m.submittedAtUs !== null && m.attempts === 1)).toBe(true);
    for (const r of recipients) expect(sim.stats.acceptedByRecipient.get(r)).toBe(1);
    expect(sim.stats.unanswered).toBe(1);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    sim.script({ dlrDelayMs: 0 });
  });
});
