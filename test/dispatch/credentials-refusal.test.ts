// A provider that refuses our credentials (401/403) did not take the message: default traffic fails over, the
// provider's circuit opens with the reason, and a named type waits and retries instead of being rejected.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInfobipProvider, INFOBIP_PROVIDER } from '../../src/dispatch/providers/infobip/adapter.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { createTwilioProvider, TWILIO_PROVIDER } from '../../src/dispatch/providers/twilio/adapter.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { auditLedger, listEntries } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { numberEndingWith, storedSending } from './support.js';

describeEachEngine('a provider refusing our credentials', (engine) => {
  let infobip: InfobipSimulator;
  let twilio: TwilioSimulator;

  beforeAll(async () => {
    infobip = await startInfobipSimulator({ reportDelayMs: null });
    twilio = await startTwilioSimulator({ callbackDelayMs: null });
  });
  afterAll(async () => {
    await infobip.close();
    await twilio.close();
  });

  function routerFor() {
    const clockUs = () => engine.db.nowUs();
    // A revoked key: the simulator answers 401 as Infobip does for a key it does not know.
    const refused = createInfobipProvider({ baseUrl: infobip.url, apiKey: 'revoked-key' }, { clockUs });
    const good = createTwilioProvider(
      { baseUrl: twilio.url, accountSid: twilio.accountSid, authToken: twilio.authToken },
      { clockUs },
    );
    const registry = createRegistry({ clockUs, adapters: [refused, good] });
    return createRouter(registry, { routes: [], defaultProviders: [INFOBIP_PROVIDER, TWILIO_PROVIDER] });
  }

  it('moves default traffic to the next provider and opens the refusing provider circuit with the reason', async () => {
    const db = engine.db;
    const router = routerFor();
    const recipients = Array.from({ length: 6 }, (_, i) => numberEndingWith('7000', 600 + i));
    const { accountId, sending } = await storedSending(db, recipients);
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 10, backoffCapMs: 50 } });
    await dispatcher.runUntilIdle(20);

    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 100 });
    expect(messages.map((m) => [m.status, m.provider])).toEqual(recipients.map(() => ['submitted', TWILIO_PROVIDER]));
    for (const r of recipients) expect(twilio.stats.acceptedByRecipient.get(r)).toBe(1);
    expect((await listEntries(db, accountId)).filter((e) => e.kind === 'refund')).toEqual([]);
    const health = router.health().find((h) => h.provider === INFOBIP_PROVIDER);
    expect(health?.state).toBe('open');
    expect(health?.lastError).toContain('the API key was refused');
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('keeps a named type waiting to retry (not rejected, not refunded) while the provider refuses us', async () => {
    const db = engine.db;
    const router = routerFor();
    const recipient = numberEndingWith('7000', 700);
    const { accountId, sending } = await storedSending(db, [recipient], { type: 'infobip' });
    const dispatcher = createDispatcher({ db, router, retry: { backoffBaseMs: 60_000, backoffCapMs: 60_000 } });
    await dispatcher.runOnce();

    const [message] = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(message?.status).toBe('queued');
    expect(message?.error).toContain('the API key was refused');
    expect((await listEntries(db, accountId)).filter((e) => e.kind === 'refund')).toEqual([]);
    expect(router.health().find((h) => h.provider === INFOBIP_PROVIDER)?.state).toBe('open');
  });
});
