// A sending routed to Infobip end to end: dispatcher, simulator, reports through the webhook, store, Completed.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messageReference } from '../../src/dispatch/provider.js';
import { createInfobipProvider, INFOBIP_PROVIDER } from '../../src/dispatch/providers/infobip/adapter.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { providerWebhook } from '../../src/http/routes/webhooks/provider.js';
import { readInstallationId } from '../../src/store/installation.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { numberEndingWith, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { dispatchUntilCompleted, routerOver, storingWebhook } from './support.js';

describeEachEngine('default sendings over Infobip', (engine) => {
  let sim: InfobipSimulator;
  let hook: FastifyInstance;
  let hookUrl: string;

  beforeAll(async () => {
    sim = await startInfobipSimulator({ reportDelayMs: 0 });
    ({ app: hook, url: hookUrl } = await storingWebhook(
      engine.db,
      providerWebhook('infobip'),
      { infobip: { baseUrl: sim.url, apiKey: sim.apiKey } },
      { publicUrl: 'http://unused' },
    ));
  });
  afterAll(async () => {
    await sim.close();
    await hook.close();
  });

  it('completes on reports that beat the lost answer, repeated and out of order, sending each message once', async () => {
    const db = engine.db;
    const recipients = [
      ...Array.from({ length: 40 }, (_, i) => numberEndingWith('7000', i)),
      numberEndingWith('0001'),
      numberEndingWith('0002'),
      numberEndingWith('0003'),
      numberEndingWith('0004'),
    ];
    // The first request's answer is lost after Infobip took it: the worker must find the messages in the logs.
    sim.script({
      silence: { requests: 1, process: true },
      reject: { recipient: /0004$/ },
      reportStatus: [
        { recipient: /0001$/, status: 'UNDELIVERABLE_NOT_DELIVERED' },
        { recipient: /0002$/, status: 'EXPIRED_EXPIRED' },
        { recipient: /0003$/, status: 'REJECTED_NETWORK' },
      ],
      duplicateReports: 2,
      outOfOrder: true,
    });
    const { accountId, sending } = await storedSending(db, recipients);
    const adapter = createInfobipProvider(
      { baseUrl: sim.url, apiKey: sim.apiKey },
      // The refused one is missing from the logs too: trusted as absent at once here, so it is sent again and refused.
      { clockUs: () => db.nowUs(), publicUrl: hookUrl, timeoutMs: 300, absentTrustedAfterMs: 0 },
    );
    const { registry, router } = routerOver(adapter, () => db.nowUs());
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 10, backoffCapMs: 50 } });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      15_000,
      'the sending to complete over Infobip',
    );
    await sim.reportsSettled();

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    const statusByRecipient = new Map(messages.map((m) => [m.recipient, m.status]));
    expect(statusByRecipient.get(numberEndingWith('0001'))).toBe('undelivered');
    expect(statusByRecipient.get(numberEndingWith('0002'))).toBe('expired');
    expect(statusByRecipient.get(numberEndingWith('0003'))).toBe('rejected');
    expect(statusByRecipient.get(numberEndingWith('0004'))).toBe('rejected');
    expect(messages.filter((m) => m.status === 'delivered')).toHaveLength(40);
    const installationId = await readInstallationId(db);
    for (const m of messages) {
      expect(m.provider).toBe(INFOBIP_PROVIDER);
      // Infobip's id is the one we gave: our message id under this installation's id.
      if (m.status !== 'rejected' || m.providerMessageId !== null) {
        expect(m.providerMessageId).toBe(messageReference(installationId, m.id));
      }
    }
    // Refused at submission: never accepted, so no provider id.
    const refused = messages.find((m) => m.recipient === numberEndingWith('0004'));
    expect(refused?.providerMessageId).toBeNull();

    expect(sim.stats.silenced).toBe(1);
    expect(sim.stats.logQueries).toBeGreaterThan(0);
    expect(sim.duplicates()).toEqual([]);
    expect(sim.stats.accepted).toBe(43);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await registry.close();
  });

  it("never takes another installation's message in the logs for its own after a lost answer", async () => {
    const db = engine.db;
    const recipients = Array.from({ length: 5 }, (_, i) => numberEndingWith('7000', 500 + i));
    const { accountId, sending } = await storedSending(db, recipients);
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    // Another installation on the same Infobip account numbers its messages from 1 too, and has sent ours' numbers.
    const foreign = await fetch(`${sim.url}/sms/3/messages`, {
      method: 'POST',
      headers: { authorization: `App ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [
          {
            sender: 'Other',
            destinations: messages.map((m) => ({ to: '37129999999', messageId: String(m.id) })),
            content: { text: 'someone else' },
          },
        ],
      }),
    });
    expect(foreign.status).toBe(200);
    // Our request is lost before Infobip takes it.
    sim.script({ silence: { requests: 1, process: false } });
    const adapter = createInfobipProvider(
      { baseUrl: sim.url, apiKey: sim.apiKey },
      { clockUs: () => db.nowUs(), publicUrl: hookUrl, timeoutMs: 300, absentTrustedAfterMs: 0 },
    );
    const { registry, router } = routerOver(adapter, () => db.nowUs());
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 10, backoffCapMs: 50 } });
    await dispatchUntilCompleted(dispatcher, db, { accountId, sendingId: sending.id }, 15_000, 'the sending');

    const after = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(after.map((m) => m.status)).toEqual(recipients.map(() => 'delivered'));
    for (const r of recipients) expect(sim.stats.acceptedByRecipient.get(r)).toBe(1);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await registry.close();
  });

  it('waits for lagging logs before sending again after a lost answer, so Infobip gets each message once', async () => {
    const db = engine.db;
    const recipients = Array.from({ length: 5 }, (_, i) => numberEndingWith('7000', 520 + i));
    const { accountId, sending } = await storedSending(db, recipients);
    // Taken, answer lost, and the logs show it only a while later.
    sim.script({ silence: { requests: 1, process: true }, logsLagMs: 1_500 });
    try {
      const adapter = createInfobipProvider(
        { baseUrl: sim.url, apiKey: sim.apiKey },
        { clockUs: () => db.nowUs(), publicUrl: hookUrl, timeoutMs: 300, absentTrustedAfterMs: 60_000 },
      );
      const { registry, router } = routerOver(adapter, () => db.nowUs());
      // A short lease: a message left unsettled is taken over (and asked about again) soon.
      const dispatcher = createDispatcher({
        db,
        router,
        leaseMs: 1_000,
        retry: { backoffBaseMs: 10, backoffCapMs: 50 },
      });
      await dispatchUntilCompleted(dispatcher, db, { accountId, sendingId: sending.id }, 20_000, 'the sending');
      await registry.close();
    } finally {
      sim.script({ logsLagMs: 0 });
    }
    for (const r of recipients) expect(sim.stats.acceptedByRecipient.get(r)).toBe(1);
    expect(sim.duplicates()).toEqual([]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
