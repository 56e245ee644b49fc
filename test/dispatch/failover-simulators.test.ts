// Failover between two real HTTP providers: Infobip's simulator stops mid-sending, Twilio's takes the rest, once each.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { messageReference } from '../../src/dispatch/provider.js';
import { createInfobipProvider, INFOBIP_PROVIDER } from '../../src/dispatch/providers/infobip/adapter.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { createTwilioProvider, TWILIO_PROVIDER } from '../../src/dispatch/providers/twilio/adapter.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher, type DispatchLogger } from '../../src/dispatch/worker.js';
import { installBodyParsers } from '../../src/http/body.js';
import { providerWebhook, type WebhookDeps } from '../../src/http/routes/webhooks/provider.js';
import { readInstallationId } from '../../src/store/installation.js';
import { auditLedger } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { describeEachEngine } from '../support/databases.js';
import { eventually, numberEndingWith, statusOf, storedSending } from './support.js';

const RECIPIENTS = 300;
/** Messages one lease takes: small, so that Infobip is stopped between requests, after a few of them. */
const BATCH = 25;
/** Infobip is stopped once it has accepted this many (four whole leases). */
const STOP_AFTER_ACCEPTED = 100;
const SOCKETS_CLOSED_PAUSE_MS = 50;

describeEachEngine('failover from a stopped Infobip to Twilio', (engine) => {
  let infobip: InfobipSimulator;
  let twilio: TwilioSimulator;
  let hook: FastifyInstance;
  let publicUrl = '';

  beforeAll(async () => {
    // Both simulators report at once, through the webhooks into the store, as in production.
    infobip = await startInfobipSimulator({ reportDelayMs: 0 });
    twilio = await startTwilioSimulator({ callbackDelayMs: 0 });
    hook = Fastify();
    await installBodyParsers(hook, 1024 * 1024);
    const deps: WebhookDeps = {
      ingest: async (provider, reports) => {
        await applyReports(
          engine.db,
          engine.db.nowUs(),
          reports.map((report) => ({ provider, ...report })),
        );
      },
      providers: {
        infobip: { baseUrl: infobip.url, apiKey: infobip.apiKey },
        twilio: { baseUrl: twilio.url, accountSid: twilio.accountSid, authToken: twilio.authToken },
      },
      get publicUrl() {
        return publicUrl;
      },
    };
    await providerWebhook('infobip')(hook, deps);
    await providerWebhook('twilio')(hook, deps);
    publicUrl = await hook.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await infobip.close();
    await twilio.close();
    await hook.close();
  });

  it('completes, every message accepted exactly once across both, none of those Infobip took sent again', async () => {
    const db = engine.db;
    const clockUs = () => db.nowUs();
    const recipients = Array.from({ length: RECIPIENTS }, (_, i) => numberEndingWith('7000', i));
    const { accountId, sending } = await storedSending(db, recipients);

    const infobipAdapter = createInfobipProvider(
      { baseUrl: infobip.url, apiKey: infobip.apiKey },
      { clockUs, publicUrl, timeoutMs: 2_000 },
    );
    let stopped = false;
    // Stopped between two requests, never during one: a request cut mid-way has an unknown outcome, which is
    // rechecked and never failed over (a different case); here every later request is refused to connect.
    // The pause lets the client see its kept-alive sockets closed: a request written to one of those fails
    // with "other side closed", which cannot tell whether it was read, so it too would be an unknown outcome.
    const stoppingInfobip: ProviderAdapter = {
      name: infobipAdapter.name,
      submitBatchMax: infobipAdapter.submitBatchMax,
      async submit(batch, signal) {
        const results = await infobipAdapter.submit(batch, signal);
        if (!stopped && infobip.stats.accepted >= STOP_AFTER_ACCEPTED) {
          stopped = true;
          // Its reports for what it took are posted before it goes.
          await infobip.reportsSettled();
          await infobip.close();
          await new Promise((resolve) => setTimeout(resolve, SOCKETS_CLOSED_PAUSE_MS));
        }
        return results;
      },
      recheck: (references, signal) => infobipAdapter.recheck(references, signal),
    };
    const twilioAdapter = createTwilioProvider(
      { baseUrl: twilio.url, accountSid: twilio.accountSid, authToken: twilio.authToken },
      { clockUs, publicUrl },
    );
    const registry = createRegistry({ clockUs, adapters: [stoppingInfobip, twilioAdapter] });
    const router = createRouter(
      registry,
      { routes: [], defaultProviders: [INFOBIP_PROVIDER, TWILIO_PROVIDER] },
      { clockUs, circuit: { failuresToOpen: 3, coolDownBaseMs: 100, coolDownCapMs: 400 } },
    );
    const transitions: string[] = [];
    const logger: DispatchLogger = {
      info: (fields) => void transitions.push(...transitionOf(fields)),
      warn: (fields) => void transitions.push(...transitionOf(fields)),
      error() {},
    };
    const dispatcher = createDispatcher({ db, router, batchSize: BATCH, concurrency: 1, logger });

    await eventually(
      async () => {
        await dispatcher.runOnce();
        return (await statusOf(db, accountId, sending.id)) === 'Completed';
      },
      30_000,
      'the sending to complete over Infobip then Twilio',
    );
    await twilio.callbacksSettled();

    // At the simulators: each recipient taken once, by one of them, and all of them taken.
    expect(stopped).toBe(true);
    expect(infobip.stats.accepted).toBe(STOP_AFTER_ACCEPTED);
    expect(infobip.stats.accepted + twilio.stats.accepted).toBe(RECIPIENTS);
    expect(infobip.duplicates()).toEqual([]);
    expect(twilio.duplicates()).toEqual([]);
    const takenByInfobip = new Set(infobip.stats.acceptedByRecipient.keys());
    const takenByTwilio = new Set(twilio.stats.acceptedByRecipient.keys());
    expect([...takenByInfobip].filter((r) => takenByTwilio.has(r))).toEqual([]);
    expect(new Set([...takenByInfobip, ...takenByTwilio])).toEqual(new Set(recipients));

    // In the store: what Infobip took stayed Infobip's (our id as its id), the rest is Twilio's, all delivered.
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 1000 });
    const infobipIds = new Set(infobip.stats.acceptedByMessageId.keys());
    const installationId = await readInstallationId(db);
    for (const m of messages) {
      expect(m.status).toBe('delivered');
      const reference = messageReference(installationId, m.id);
      if (infobipIds.has(reference)) {
        expect([m.provider, m.providerMessageId, m.attempts]).toEqual([INFOBIP_PROVIDER, reference, 1]);
      } else {
        expect(m.provider).toBe(TWILIO_PROVIDER);
        expect(m.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      }
    }
    expect(messages.filter((m) => m.provider === INFOBIP_PROVIDER)).toHaveLength(STOP_AFTER_ACCEPTED);
    expect((await auditLedger(db)).mismatches).toEqual([]);

    // The circuit opened after three refused connections and never closed again.
    const health = router.health().find((h) => h.provider === INFOBIP_PROVIDER);
    expect(health?.state).not.toBe('closed');
    expect(health?.opens).toBeGreaterThanOrEqual(1);
    expect(health?.lastError).toMatch(/ECONNREFUSED/);
    expect(transitions[0]).toBe('infobip closed->open');
    expect(transitions).not.toContain('infobip half-open->closed');
    await registry.close();
  });
});

function transitionOf(fields: object): string[] {
  const f = fields as { provider?: string; from?: string; to?: string };
  return f.from && f.to ? [`${f.provider} ${f.from}->${f.to}`] : [];
}
