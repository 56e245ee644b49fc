// Twilio's incoming-message webhook (the number's "a message comes in" URL set to PUBLIC_URL/webhooks/twilio): a form
// POST with MessageSid, From, To, Body and SmsStatus=received, signed with X-Twilio-Signature as status callbacks are,
// stored once for the number's account; STOP suppresses the sender. Signed here by Twilio's documented scheme
// (HMAC-SHA1 of the URL then each parameter sorted by name as name+value, base64), not by our own helper.
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { changeKeywordAnswersFrom } from '../../src/services/keyword-replies.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

const PUBLIC_URL = 'https://smsgic.example';
const AUTH_TOKEN = 'twilio-token';

function signature(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac('sha1', AUTH_TOKEN).update(Buffer.from(data, 'utf-8')).digest('base64');
}

describeEachEngine('Twilio incoming messages', (engine) => {
  let app: FastifyInstance;
  let accountId: number;

  beforeAll(async () => {
    const db = engine.db;
    accountId = await fundedAccount(db, 0);
    await assignNumber(db, accountId, '14155550100', null);
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
        providers: { twilio: { baseUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken: AUTH_TOKEN } },
        publicUrl: PUBLIC_URL,
      },
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const incoming = (sid: string, from: string, body: string) => ({
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    To: '+14155550100',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'AC1',
    From: from,
    ApiVersion: '2010-04-01',
  });
  const post = (params: Record<string, string>, signed = signature(`${PUBLIC_URL}/webhooks/twilio`, params)) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signed },
      payload: new URLSearchParams(params).toString(),
    });

  it('stores a signed incoming message once, answers empty TwiML, and suppresses the sender of STOP', async () => {
    const hello = incoming('SM0001', '+14155550111', 'Hello there');
    const first = await post(hello);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/xml/);
    expect(first.body).toContain('<Response></Response>');
    // Twilio retrying the same request stores nothing more.
    expect((await post(hello)).statusCode).toBe(200);
    expect((await post(incoming('SM0002', '+14155550112', 'stop'))).statusCode).toBe(200);

    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => [m.provider, m.providerMessageId, m.from, m.to, m.text])).toEqual([
      ['twilio', 'SM0002', '14155550112', '14155550100', 'stop'],
      ['twilio', 'SM0001', '14155550111', '14155550100', 'Hello there'],
    ]);
    expect(await findSuppression(engine.db, accountId, '14155550112')).toMatchObject({ source: 'stop_message' });
  });

  it("applies the account's own stop and start words as STOP and START", async () => {
    const own = await changeKeywordAnswersFrom(engine.db, accountId, { stop_words: ['enough'], start_words: ['more'] });
    expect(own.ok).toBe(true);
    expect((await post(incoming('SM0010', '+14155550120', 'Enough!'))).statusCode).toBe(200);
    expect(await findSuppression(engine.db, accountId, '14155550120')).toMatchObject({ source: 'stop_message' });
    expect((await post(incoming('SM0011', '+14155550120', 'more'))).statusCode).toBe(200);
    expect(await findSuppression(engine.db, accountId, '14155550120')).toBeUndefined();
    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
    expect(listed.rows.map((m) => [m.text, m.keywordEffect])).toEqual([
      ['more', 'opt_in'],
      ['Enough!', 'opt_out'],
    ]);
    await changeKeywordAnswersFrom(engine.db, accountId, { stop_words: [], start_words: [] });
  });

  it('stores a message whose body holds NUL and other control characters, answering empty TwiML', async () => {
    // PostgreSQL refuses a text value holding U+0000: stored as given, the message would be answered 500 and sent
    // again by Twilio for ever.
    const nul = await post(incoming('SM0020', '+14155550130', 'Ready\u0000 at 5\u0007?\u0000\u0000'));
    expect(nul.statusCode).toBe(200);
    expect(nul.headers['content-type']).toMatch(/^text\/xml/);
    expect(nul.body).toContain('<Response></Response>');
    // A STOP a handset's gateway closed with NULs (a C string's end) is still STOP.
    expect((await post(incoming('SM0021', '+14155550131', 'STOP\u0000'))).statusCode).toBe(200);

    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
    expect(listed.rows.map((m) => [m.providerMessageId, m.from, m.text, m.keywordEffect])).toEqual([
      ['SM0021', '14155550131', 'STOP', 'opt_out'],
      ['SM0020', '14155550130', 'Ready\uFFFD at 5\uFFFD?', null],
    ]);
    expect(await findSuppression(engine.db, accountId, '14155550131')).toMatchObject({ source: 'stop_message' });
  });

  it('refuses an unsigned or tampered incoming message, storing nothing', async () => {
    const params = incoming('SM0003', '+14155550113', 'STOP');
    expect((await post(params, 'not-a-signature')).statusCode).toBe(401);
    const tampered = await post(
      { ...params, From: '+14155550199' },
      signature(`${PUBLIC_URL}/webhooks/twilio`, params),
    );
    expect(tampered.statusCode).toBe(401);
    expect(await findSuppression(engine.db, accountId, '14155550113')).toBeUndefined();
    expect(await findSuppression(engine.db, accountId, '14155550199')).toBeUndefined();
    expect((await listInbound(engine.db, accountId, { page: 1, perPage: 10 })).total).toBe(6);
  });
});
