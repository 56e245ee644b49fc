// The route table through a running server (API and worker in one process, two providers' simulators): a rule
// written by another process while the server runs decides where Latvian messages go, the default rule the rest.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import { NO_QUALITY_THRESHOLDS } from '../../src/domain/routing.js';
import { addRouteRule, listRouteRules, updateRouteRule } from '../../src/store/route-rules.js';
import { type ServerProcess, serverProcess } from '../reliability/crash-harness.js';
import { describeEachEngine } from '../support/databases.js';
import { openAccount } from '../support/http-app.js';
import { eventually } from './support.js';

const STEP_MS = 180_000;
const LATVIA = '37126123456';
const UK = '447400123456';

describeEachEngine('the route table in a running server', (engine) => {
  let infobip: InfobipSimulator;
  let twilio: TwilioSimulator;
  let server: ServerProcess;

  beforeAll(async () => {
    infobip = await startInfobipSimulator({ reportDelayMs: 0 });
    twilio = await startTwilioSimulator();
    server = await serverProcess({
      name: 'routes',
      role: 'both',
      databaseUrl: engine.url,
      env: {
        INFOBIP_BASE_URL: infobip.url,
        INFOBIP_API_KEY: infobip.apiKey,
        TWILIO_BASE_URL: twilio.url,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
      },
    });
    await server.start();
  }, STEP_MS);

  afterAll(async () => {
    await server?.stop();
    await infobip?.close();
    await twilio?.close();
  });

  it(
    'sends MCC 247 where its rule says and the rest by the default rule, recording the rule of each message',
    async () => {
      const db = engine.db;
      // Written while the server runs: its worker reads the table again at its next lease.
      const latvia = await addRouteRule(db, {
        mcc: '247',
        mnc: null,
        prefix: null,
        accountId: null,
        sendingType: null,
        senderKind: null,
        strategy: 'fixed',
        providers: ['twilio'],
        quality: NO_QUALITY_THRESHOLDS,
        loss: 'send',
      });
      const fallback = (await listRouteRules(db)).find((r) => r.isDefault);
      if (!latvia.ok || !fallback) throw new Error('no rules');
      expect(
        (await updateRouteRule(db, fallback.id, { ...fallback, strategy: 'failover', providers: ['infobip'] })).ok,
      ).toBe(true);

      const customer = await openAccount(db, { balance: '10', sender: 'RouteShop' });
      const response = await fetch(`${server.url}/sendings`, {
        method: 'POST',
        headers: { ...customer.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Your code is 123456', recipients: [LATVIA, UK], sender: 'RouteShop' }),
      });
      expect(response.status).toBe(200);
      const { sending_id: sendingId } = (await response.json()) as { sending_id: number };

      const routed = async () =>
        (
          await db.kysely
            .selectFrom('messages')
            .select(['recipient', 'provider', 'route_rule_id', 'status'])
            .where('sending_id', '=', sendingId)
            .orderBy('recipient')
            .execute()
        ).map((m) => ({
          recipient: m.recipient,
          provider: m.provider,
          rule: m.route_rule_id === null ? null : Number(m.route_rule_id),
          status: m.status,
        }));
      await eventually(
        async () => (await routed()).every((m) => m.status !== 'queued' && m.status !== 'submitting'),
        60_000,
        'both messages handed over',
      );
      expect((await routed()).map(({ status: _, ...m }) => m)).toEqual([
        { recipient: LATVIA, provider: 'twilio', rule: latvia.rule.id },
        { recipient: UK, provider: 'infobip', rule: fallback.id },
      ]);
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );
});
