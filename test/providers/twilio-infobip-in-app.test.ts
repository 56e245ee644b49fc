// Both report webhooks inside the real API app: its body parsers, error shapes and rate limits, no token needed.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import type { DeliveryReport } from '../../src/dispatch/provider.js';
import { infobipWebhookToken } from '../../src/dispatch/providers/infobip/webhook.js';
import { INFOBIP_STATUSES } from '../../src/dispatch/providers/infobip/wire.js';
import { twilioSignature } from '../../src/dispatch/providers/twilio/webhook.js';
import { buildApp } from '../../src/http/app.js';
import { providerWebhook, type WebhookDeps } from '../../src/http/routes/webhooks/provider.js';
import { createApiServices } from '../../src/services/api-services.js';
import { createDb, type Db } from '../../src/store/db.js';

const PUBLIC_URL = 'https://smsgic.example';
const API_KEY = 'infobip-key';
const AUTH_TOKEN = 'twilio-token';

describe('report webhooks in the API app', () => {
  let db: Db;
  let app: FastifyInstance;
  const ingested: { provider: string; reports: readonly DeliveryReport[] }[] = [];
  let failing = false;

  beforeAll(async () => {
    // The webhooks never read the database; the API's services only need one to be built.
    db = await createDb('sqlite::memory:');
    app = await buildApp({
      services: createApiServices({ db, plan: loadNumberingPlan(), availableTypes: new Set(['default']) }),
      rateLimitPerMinute: 2,
      calculateRateLimitPerMinute: 2,
      bodyLimitBytes: 1024 * 1024,
    });
    const deps: WebhookDeps = {
      ingest: async (provider, reports) => {
        if (failing) throw new Error('database unreachable');
        ingested.push({ provider, reports });
      },
      providers: {
        infobip: { baseUrl: 'https://example.api.infobip.com', apiKey: API_KEY },
        twilio: { baseUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken: AUTH_TOKEN },
      },
      publicUrl: PUBLIC_URL,
    };
    await providerWebhook('infobip')(app, deps);
    await providerWebhook('twilio')(app, deps);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  function twilioCallback(sid: string) {
    const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: 'AC1' };
    return app.inject({
      method: 'POST',
      url: '/webhooks/twilio',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
  }

  it('takes bursts of reports beyond the per-client API limit', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await twilioCallback(`SM${i}`)).statusCode).toBe(200);
      const infobip = await app.inject({
        method: 'POST',
        url: `/webhooks/infobip?token=${infobipWebhookToken(API_KEY)}`,
        payload: { results: [{ messageId: String(i), to: '1', status: INFOBIP_STATUSES.DELIVERED_TO_HANDSET }] },
      });
      expect(infobip.statusCode).toBe(200);
    }
    expect(ingested.filter((i) => i.provider === 'twilio')).toHaveLength(5);
    expect(ingested.filter((i) => i.provider === 'infobip')).toHaveLength(5);
    // The API itself is still limited: its third request in the minute is refused.
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/status' })).statusCode);
    expect(codes).toContain(429);
  });

  it('refuses forged reports with the JSON 401', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: '/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      payload: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ message: 'Invalid signature.' });
    const infobip = await app.inject({ method: 'POST', url: '/webhooks/infobip?token=x', payload: { results: [] } });
    expect(infobip.statusCode).toBe(401);
    expect(infobip.json()).toEqual({ message: 'Invalid signature.' });
  });

  it('answers 500 when the reports cannot be stored, so that the provider sends them again', async () => {
    failing = true;
    try {
      const response = await twilioCallback('SM-late');
      expect(response.statusCode).toBe(500);
    } finally {
      failing = false;
    }
  });
});
