// Least-cost routing and the margin through a running server (API and worker in one process, two providers'
// simulators): the cost lists in the database decide where Latvian messages go, compared across currencies; each
// handed-over message records what it cost; a cheaper list imported while the server runs takes the next sending.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import { NO_QUALITY_THRESHOLDS } from '../../src/domain/routing.js';
import { replaceCostList } from '../../src/store/provider-costs.js';
import { conversionRatesPpm } from '../../src/store/rates.js';
import { addRouteRule } from '../../src/store/route-rules.js';
import { type ServerProcess, serverProcess } from '../reliability/crash-harness.js';
import { describeEachEngine } from '../support/databases.js';
import { openAccount } from '../support/http-app.js';
import { eventually } from './support.js';

const STEP_MS = 180_000;
const LATVIA = '37126123456';

describeEachEngine('least-cost routing in a running server', (engine) => {
  let infobip: InfobipSimulator;
  let twilio: TwilioSimulator;
  let server: ServerProcess;

  beforeAll(async () => {
    infobip = await startInfobipSimulator({ reportDelayMs: 0 });
    twilio = await startTwilioSimulator();
    server = await serverProcess({
      name: 'least-cost',
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

  const messagesOf = async (sendingId: number) =>
    engine.db.kysely
      .selectFrom('messages')
      .select([
        'provider',
        'status',
        'parts',
        'provider_cost_minor',
        'provider_cost_currency',
        'provider_cost_account_minor',
      ])
      .where('sending_id', '=', sendingId)
      .execute();

  const send = async (headers: Record<string, string>): Promise<number> => {
    const response = await fetch(`${server.url}/sendings`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Your code is 123456', recipients: [LATVIA], sender: 'CostShop' }),
    });
    expect(response.status).toBe(200);
    const sendingId = ((await response.json()) as { sending_id: number }).sending_id;
    await eventually(
      async () => (await messagesOf(sendingId)).every((m) => m.status !== 'queued' && m.status !== 'submitting'),
      60_000,
      'the message handed over',
    );
    return sendingId;
  };

  it(
    'sends to the cheaper provider in value (not in figures), records the cost, and follows a new list at once',
    async () => {
      const db = engine.db;
      // 0.0300 USD is less than 0.0280 GBP once converted: least-cost compares values, not the bare figures.
      expect((await replaceCostList(db, 'infobip', 'GBP', [{ mcc: '247', mnc: null, costMinor: 280 }])).ok).toBe(true);
      expect((await replaceCostList(db, 'twilio', 'USD', [{ mcc: '247', mnc: null, costMinor: 300 }])).ok).toBe(true);
      const rule = await addRouteRule(db, {
        mcc: '247',
        mnc: null,
        prefix: null,
        accountId: null,
        sendingType: null,
        senderKind: null,
        strategy: 'least_cost',
        providers: ['infobip', 'twilio'],
        quality: NO_QUALITY_THRESHOLDS,
        loss: 'send',
      });
      expect(rule.ok).toBe(true);
      const customer = await openAccount(db, { balance: '10', sender: 'CostShop', currency: 'GBP' });

      const first = await messagesOf(await send(customer.headers));
      const usdPpm = (await conversionRatesPpm(db)).get('USD') ?? 0;
      expect(usdPpm).toBeGreaterThan(1_000_000);
      expect(first).toEqual([
        {
          provider: 'twilio',
          status: expect.any(String),
          parts: 1,
          provider_cost_minor: expect.anything(),
          provider_cost_currency: 'USD',
          provider_cost_account_minor: expect.anything(),
        },
      ]);
      expect(Number(first[0]?.provider_cost_minor)).toBe(300);
      // Converted into the account's GBP, rounded up.
      expect(Number(first[0]?.provider_cost_account_minor)).toBe(Math.ceil((300 * 1_000_000) / usdPpm));

      // The operator imports a cheaper list for infobip while the server runs: the very next sending goes there.
      expect((await replaceCostList(db, 'infobip', 'GBP', [{ mcc: '247', mnc: null, costMinor: 100 }])).ok).toBe(true);
      const second = await messagesOf(await send(customer.headers));
      expect(second.map((m) => [m.provider, Number(m.provider_cost_minor), m.provider_cost_currency])).toEqual([
        ['infobip', 100, 'GBP'],
      ]);
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );
});
