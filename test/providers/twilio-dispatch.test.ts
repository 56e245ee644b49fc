// A sending routed to Twilio end to end: dispatcher, simulator, signed callbacks through the webhook, store, Completed.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTwilioProvider, TWILIO_PROVIDER } from '../../src/dispatch/providers/twilio/adapter.js';
import { twilioDescriptor } from '../../src/dispatch/providers/twilio/index.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { providerWebhook } from '../../src/http/routes/webhooks/provider.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { createToken } from '../../src/store/tokens.js';
import { eventually, numberEndingWith, statusOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiApp, startApiApp } from '../support/http-app.js';
import { dispatchUntilCompleted, routerOver, storingWebhook } from './support.js';

describeEachEngine('default sendings over Twilio', (engine) => {
  let sim: TwilioSimulator;
  let hook: FastifyInstance;
  let publicUrl = '';

  beforeAll(async () => {
    sim = await startTwilioSimulator({ callbackDelayMs: 0 });
    ({ app: hook, url: publicUrl } = await storingWebhook(engine.db, providerWebhook('twilio'), {
      twilio: { baseUrl: sim.url, accountSid: sim.accountSid, authToken: sim.authToken },
    }));
  });
  afterAll(async () => {
    await sim.close();
    await hook.close();
  });

  it('completes on signed callbacks, repeated and out of order, after a throttle, sending each message once', async () => {
    const db = engine.db;
    const recipients = [
      ...Array.from({ length: 40 }, (_, i) => numberEndingWith('7000', i)),
      numberEndingWith('0001'),
      numberEndingWith('0003'),
      numberEndingWith('0004'),
    ];
    sim.script({
      // Twilio's 20429 on the first requests: taken again after the Retry-After, created once.
      throttle: { requests: 5, retryAfterS: 0 },
      reject: { recipient: /0004$/, code: 21211 },
      finalStatus: [
        { recipient: /0001$/, status: 'undelivered', errorCode: 30003 },
        { recipient: /0003$/, status: 'failed', errorCode: 30008 },
      ],
      duplicateCallbacks: 2,
      outOfOrder: true,
    });
    const { accountId, sending } = await storedSending(db, recipients);
    const adapter = createTwilioProvider(
      { baseUrl: sim.url, accountSid: sim.accountSid, authToken: sim.authToken },
      { clockUs: () => db.nowUs(), publicUrl },
    );
    const { registry, router } = routerOver(adapter, () => db.nowUs());
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 10, backoffCapMs: 50 } });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      15_000,
      'the sending to complete over Twilio',
    );
    await sim.callbacksSettled();

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    const byRecipient = new Map(messages.map((m) => [m.recipient, m]));
    expect(byRecipient.get(numberEndingWith('0001'))).toMatchObject({
      status: 'undelivered',
      error: 'twilio: undelivered (error 30003)',
    });
    expect(byRecipient.get(numberEndingWith('0003'))).toMatchObject({
      status: 'rejected',
      error: 'twilio: failed (error 30008)',
    });
    expect(byRecipient.get(numberEndingWith('0004'))).toMatchObject({ status: 'rejected', providerMessageId: null });
    expect(messages.filter((m) => m.status === 'delivered')).toHaveLength(40);
    for (const m of messages) {
      expect(m.provider).toBe(TWILIO_PROVIDER);
      if (m.providerMessageId !== null) expect(m.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    }

    expect(sim.stats.throttled).toBe(5);
    expect(sim.duplicates()).toEqual([]);
    expect(sim.stats.accepted).toBe(42);
    expect(sim.stats.callbacksFailed).toBe(0);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await registry.close();
  });

  it('never creates again a message whose answer was lost: charged unconfirmed, expired without a report', async () => {
    const db = engine.db;
    const recipients = Array.from({ length: 5 }, (_, i) => numberEndingWith('7100', i));
    sim.script({ silence: { requests: 1, process: true }, duplicateCallbacks: 0, outOfOrder: false });
    const acceptedBefore = sim.stats.accepted;
    const { accountId, sending } = await storedSending(db, recipients);
    const adapter = createTwilioProvider(
      { baseUrl: sim.url, accountSid: sim.accountSid, authToken: sim.authToken },
      { clockUs: () => db.nowUs(), publicUrl, timeoutMs: 300, requestsInFlightMax: 1 },
    );
    const { registry, router } = routerOver(adapter, () => db.nowUs());
    const dispatcher = createDispatcher({ db, router, reportWaitMaxMs: 1_500 });

    await dispatchUntilCompleted(
      dispatcher,
      db,
      { accountId, sendingId: sending.id },
      15_000,
      'the sending to complete',
    );
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 100 });
    const lost = messages.filter((m) => m.providerMessageId === null);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.status).toBe('expired');
    expect(messages.filter((m) => m.status === 'delivered')).toHaveLength(4);
    expect(sim.stats.accepted - acceptedBefore).toBe(5);
    expect(sim.duplicates()).toEqual([]);
    expect((await auditLedger(db)).mismatches).toEqual([]);
    await registry.close();
  });

  /** The account's `GET /sendings/{id}/messages` through the public API, by recipient. */
  async function messagesViaApi(api: ApiApp, accountId: number, sendingId: number) {
    const { token } = await createToken(api.db, accountId);
    const answer = await api.app.inject({
      method: 'GET',
      url: `/sendings/${sendingId}/messages`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.statusCode).toBe(200);
    const rows = answer.json().messages as { recipient: string; status: string; provider_status: string | null }[];
    return new Map(rows.map((m) => [m.recipient, m]));
  }

  it("shows Twilio's `sent` beside `submitted` in the message list until a final callback ends it", async () => {
    const db = engine.db;
    const api = await startApiApp(db);
    const held = numberEndingWith('7200');
    const other = numberEndingWith('7201');
    sim.script({ holdAt: [{ recipient: /7200$/, status: 'sent' }], duplicateCallbacks: 0, outOfOrder: false });
    try {
      const { accountId, sending } = await storedSending(db, [held, other]);
      const adapter = createTwilioProvider(
        { baseUrl: sim.url, accountSid: sim.accountSid, authToken: sim.authToken },
        { clockUs: () => db.nowUs(), publicUrl },
      );
      const { registry, router } = routerOver(adapter, () => db.nowUs());
      // Sweeps kept reports every round: a callback may overtake the storing of its SID.
      const dispatcher = createDispatcher({ db, router, maintenanceIntervalMs: 0 });
      await dispatcher.runOnce();
      await sim.callbacksSettled();
      // The signed `sent` callback changes no status of ours, and is shown beside it.
      let rows = await messagesViaApi(api, accountId, sending.id);
      await eventually(
        async () => {
          await dispatcher.runOnce();
          rows = await messagesViaApi(api, accountId, sending.id);
          return rows.get(held)?.provider_status === 'sent' && rows.get(other)?.status === 'delivered';
        },
        10_000,
        'the `sent` and `delivered` callbacks',
      );
      expect(rows.get(held)).toMatchObject({ status: 'submitted', provider_status: 'sent' });
      // (Its own `sent` may have been kept until its SID was stored and then come after `delivered`: not shown then.)
      expect(rows.get(other)).toMatchObject({ status: 'delivered' });
      expect(await statusOf(db, accountId, sending.id)).toBe('Processing');

      // A late `sent` never moves a final message back.
      await sim.advance(/7200$/, 'delivered');
      await sim.advance(/7200$/, 'sent');
      rows = await messagesViaApi(api, accountId, sending.id);
      expect(rows.get(held)).toMatchObject({ status: 'delivered', provider_status: 'sent' });
      expect(await statusOf(db, accountId, sending.id)).toBe('Completed');
      expect(sim.stats.callbacksFailed).toBe(0);
      expect((await auditLedger(db)).mismatches).toEqual([]);
      await registry.close();
    } finally {
      sim.script({ holdAt: [] });
      await api.close();
    }
  });

  it('with a loopback PUBLIC_URL gives Twilio no StatusCallback and fetches each message until it is final', async () => {
    const db = engine.db;
    const fetching = await startTwilioSimulator({ callbackDelayMs: 0, record: true });
    try {
      const recipients = [numberEndingWith('7300'), numberEndingWith('7301'), numberEndingWith('7302')];
      fetching.script({
        holdAt: [{ recipient: /7301$/, status: 'sent' }],
        finalStatus: [{ recipient: /7302$/, status: 'undelivered', errorCode: 30003 }],
      });
      const { accountId, sending } = await storedSending(db, recipients);
      const configured = twilioDescriptor.create(
        { baseUrl: fetching.url, accountSid: fetching.accountSid, authToken: fetching.authToken },
        { clockUs: () => db.nowUs(), publicUrl: 'http://127.0.0.1:3000' },
      );
      expect(configured.poll).toBeTypeOf('function');
      // The configured adapter, asked sooner than its production interval so that the test is short.
      const adapter = { ...configured, pollIntervalMs: 20, pollIntervalMaxMs: 100 };
      const { registry, router } = routerOver(adapter, () => db.nowUs());
      const dispatcher = createDispatcher({ db, router, pollIntervalMs: 10 });

      const listed = async () =>
        new Map((await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 })).map((m) => [m.recipient, m]));
      let byRecipient = await listed();
      await eventually(
        async () => {
          await dispatcher.runOnce();
          byRecipient = await listed();
          return (
            byRecipient.get(recipients[0] as string)?.status === 'delivered' &&
            byRecipient.get(recipients[1] as string)?.providerStatus === 'sent'
          );
        },
        15_000,
        'the first fetched statuses',
      );
      expect(byRecipient.get(recipients[0] as string)).toMatchObject({ status: 'delivered' });
      expect(byRecipient.get(recipients[1] as string)).toMatchObject({ status: 'submitted', providerStatus: 'sent' });

      await fetching.advance(/7301$/, 'delivered');
      await dispatchUntilCompleted(dispatcher, db, { accountId, sendingId: sending.id }, 15_000, 'fetched reports');
      byRecipient = await listed();
      expect(byRecipient.get(recipients[1] as string)).toMatchObject({ status: 'delivered', providerStatus: 'sent' });
      expect(byRecipient.get(recipients[2] as string)).toMatchObject({
        status: 'undelivered',
        error: 'twilio: undelivered (error 30003)',
      });

      const creates = fetching.received.filter((r) => r.method === 'POST');
      expect(creates).toHaveLength(3);
      for (const create of creates) expect(new URLSearchParams(create.body).has('StatusCallback')).toBe(false);
      expect(fetching.stats.callbacksPosted).toBe(0);
      expect(fetching.stats.fetches).toBeGreaterThanOrEqual(3);
      expect((await auditLedger(db)).mismatches).toEqual([]);
      await registry.close();
    } finally {
      await fetching.close();
    }
  });
});
