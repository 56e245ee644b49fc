// Infobip's inbound forwarding: the simulator forwards a handset's message (MO_JSON_2, `{"results":[{messageId, from,
// to, text, cleanText, keyword, receivedAt, smsCount, …}], messageCount, pendingMessageCount}`) over real HTTP to the
// number's forwarding URL, our Infobip webhook with its token; it is stored once for the number's account, and STOP
// suppresses the sender.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { infobipNotifyUrl } from '../../src/dispatch/providers/infobip/webhook.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('Infobip inbound messages', (engine) => {
  let simulator: InfobipSimulator;
  let app: FastifyInstance;
  let accountId: number;
  let forwardingUrl = '';

  beforeAll(async () => {
    const db = engine.db;
    accountId = await fundedAccount(db, 0);
    await assignNumber(db, accountId, '447491163443', null);
    simulator = await startInfobipSimulator({ reportRetryDelayMs: 20 });
    app = await buildApp({
      services: createApiServices({ db, plan: loadNumberingPlan(), availableTypes: new Set(['default']) }),
      rateLimitPerMinute: 100,
      calculateRateLimitPerMinute: 100,
      bodyLimitBytes: 1024 * 1024,
      webhooks: {
        ingest: async () => {},
        receive: async (provider, messages) => {
          for (const message of messages) {
            await receiveInbound(db, { provider, ...message, receivedAtUs: db.nowUs() }, () => {});
          }
        },
        providers: { infobip: { baseUrl: simulator.url, apiKey: simulator.apiKey } },
        // Infobip's requests are checked by the token in the URL, not by a signature over it.
        publicUrl: 'http://127.0.0.1',
      },
    });
    forwardingUrl = infobipNotifyUrl(await app.listen({ host: '127.0.0.1', port: 0 }), simulator.apiKey);
  });
  afterAll(async () => {
    await app.close();
    await simulator.close();
  });

  it('stores a forwarded message once, for the number’s account, and suppresses the sender of STOP', async () => {
    const hello = await simulator.sendInbound(forwardingUrl, {
      from: '+385916242493',
      to: '447491163443',
      text: 'Hello there',
    });
    expect(hello.delivered).toBe(true);
    // Infobip forwarding the same message again (its retry) stores nothing more.
    const again = await simulator.sendInbound(forwardingUrl, {
      messageId: hello.messageId,
      from: '+385916242493',
      to: '447491163443',
      text: 'Hello there',
    });
    expect(again).toEqual({ messageId: hello.messageId, delivered: true });
    const stop = await simulator.sendInbound(forwardingUrl, { from: '385916242494', to: '447491163443', text: 'Stop' });
    expect(stop.delivered).toBe(true);

    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => [m.provider, m.providerMessageId, m.from, m.to, m.text, m.keywordEffect])).toEqual([
      ['infobip', stop.messageId, '385916242494', '447491163443', 'Stop', 'opt_out'],
      ['infobip', hello.messageId, '385916242493', '447491163443', 'Hello there', null],
    ]);
    expect(await findSuppression(engine.db, accountId, '385916242494')).toMatchObject({ source: 'stop_message' });
  });

  it('stores a forwarded message holding NUL and other control characters, and answers Infobip as documented', async () => {
    // PostgreSQL refuses a text value holding U+0000: stored as given, the request would be answered 500 and
    // forwarded again by Infobip for ever.
    const forwarded = (messageId: string, from: string, text: string) =>
      app.inject({
        method: 'POST',
        url: new URL(forwardingUrl).pathname + new URL(forwardingUrl).search,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          results: [{ messageId, from, to: '447491163443', text, cleanText: '', keyword: '', smsCount: 1 }],
          messageCount: 1,
          pendingMessageCount: 0,
        }),
      });
    const nul = await forwarded('ib-nul-1', '385916242496', 'On my way\u0000\u001b[0m\u0000');
    expect([nul.statusCode, nul.json()]).toEqual([200, { received: 1 }]);
    const stop = await forwarded('ib-nul-2', 'Shop\u0000', 'stop\u0000');
    expect([stop.statusCode, stop.json()]).toEqual([200, { received: 1 }]);
    // Its redelivery is recognised as the same message.
    expect((await forwarded('ib-nul-1', '385916242496', 'On my way\u0000\u001b[0m\u0000')).statusCode).toBe(200);

    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
    expect(listed.rows.map((m) => [m.providerMessageId, m.from, m.text, m.keywordEffect])).toEqual([
      // A sender name is no number to suppress.
      ['ib-nul-2', 'Shop', 'stop', null],
      ['ib-nul-1', '385916242496', 'On my way\uFFFD\uFFFD[0m', null],
    ]);
  });

  it('refuses a forwarded message without the token, storing nothing', async () => {
    const forged = await simulator.sendInbound(forwardingUrl.replace(/token=[^&]+/, 'token=forged'), {
      from: '385916242495',
      to: '447491163443',
      text: 'STOP',
    });
    expect(forged.delivered).toBe(false);
    expect(await findSuppression(engine.db, accountId, '385916242495')).toBeUndefined();
    expect((await listInbound(engine.db, accountId, { page: 1, perPage: 10 })).total).toBe(4);
  });
});
