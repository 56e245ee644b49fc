// Messente's DLR webhook: signatures over the raw body (hex and base64), reports mapped, forgeries refused with 401.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryReport, OutgoingMessage } from '../../src/dispatch/provider.js';
import { createMessenteProvider } from '../../src/dispatch/providers/messente/adapter.js';
import { type MessenteSimulator, startMessenteSimulator } from '../../src/dispatch/providers/messente/simulator.js';
import { messenteSignature, readMessenteWebhook } from '../../src/dispatch/providers/messente/webhook.js';
import { systemClockUs } from '../../src/domain/time.js';
import { installBodyParsers } from '../../src/http/body.js';
import { installErrorHandling } from '../../src/http/errors.js';
import { providerWebhook, type WebhookDeps } from '../../src/http/routes/webhooks/provider.js';

const PASSWORD = 'messente-secret';
const DLR = JSON.stringify({
  status: 'DELIVRD',
  sender: 'AcmeCo',
  err: 0,
  message_id: '0f9c-77',
  to: '+37250000001',
  channel: 'sms',
  error: null,
  omnimessage_id: '7d1e-77',
  timestamp: '2025-03-01T10:00:04.123456',
});

describe('Messente webhook body (pure)', () => {
  const raw = Buffer.from(DLR);

  it('accepts the signature as hex and as base64, since Messente does not say which', () => {
    const hex = messenteSignature(raw, PASSWORD);
    const base64 = createHmac('sha256', PASSWORD).update(raw).digest('base64');
    for (const signature of [hex, hex.toUpperCase(), base64, base64.replace(/=+$/, '')]) {
      const read = readMessenteWebhook(raw, signature, PASSWORD);
      expect(read).toMatchObject({ ok: true, reports: [{ providerMessageId: '0f9c-77', status: 'delivered' }] });
    }
  });

  it('refuses a missing signature, a wrong one, and one made with another key', () => {
    expect(readMessenteWebhook(raw, undefined, PASSWORD)).toMatchObject({ ok: false, refusal: 'unsigned' });
    expect(readMessenteWebhook(raw, 'abc', PASSWORD)).toMatchObject({ ok: false, refusal: 'bad-signature' });
    const other = messenteSignature(raw, 'another-password');
    expect(readMessenteWebhook(raw, other, PASSWORD)).toMatchObject({ ok: false, refusal: 'bad-signature' });
    const tampered = Buffer.from(DLR.replace('DELIVRD', 'UNDELIV'));
    expect(readMessenteWebhook(tampered, messenteSignature(raw, PASSWORD), PASSWORD)).toMatchObject({
      ok: false,
      refusal: 'bad-signature',
    });
  });

  it('refuses a signed body that is not a report, and skips another channel', () => {
    const junk = Buffer.from('not json');
    expect(readMessenteWebhook(junk, messenteSignature(junk, PASSWORD), PASSWORD)).toMatchObject({
      ok: false,
      refusal: 'malformed',
    });
    const viber = Buffer.from(JSON.stringify({ ...JSON.parse(DLR), channel: 'viber' }));
    expect(readMessenteWebhook(viber, messenteSignature(viber, PASSWORD), PASSWORD)).toEqual({
      ok: true,
      reports: [],
      skipped: 'a viber result',
    });
  });
});

describe('POST /webhooks/messente', () => {
  let sim: MessenteSimulator;
  let app: FastifyInstance;
  let appUrl: string;
  const ingested: { provider: string; reports: readonly DeliveryReport[] }[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    sim = await startMessenteSimulator({ password: PASSWORD, dlrDelayMs: 0 });
    const deps: WebhookDeps = {
      ingest: async (provider, reports) => {
        ingested.push({ provider, reports });
      },
      providers: { messente: { baseUrl: sim.url, username: sim.username, password: PASSWORD } },
      publicUrl: 'set below',
    };
    // As the API app is built: its parsers and error shapes, and a global rate limit the webhook must not hit.
    app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void logLines.push(line) } } });
    installErrorHandling(app);
    await installBodyParsers(app, 1024 * 1024);
    await app.register(rateLimit, { global: true, hook: 'preParsing', max: 2, timeWindow: 60_000 });
    app.post('/echo', async (request) => ({
      bodyType: Buffer.isBuffer(request.body) ? 'buffer' : typeof request.body,
    }));
    await providerWebhook('messente')(app, deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    ingested.length = 0;
    logLines.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    await app.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${appUrl}/webhooks/messente`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('takes the simulator’s signed reports and hands them to the store mapped to our statuses', async () => {
    sim.script({ outcomes: [{ to: /0002$/, status: 'UNDELIV', err: 2, error: 'Expired' }] });
    const adapter = createMessenteProvider(
      { baseUrl: sim.url, username: sim.username, password: PASSWORD },
      { clockUs: systemClockUs, publicUrl: appUrl },
    );
    const batch: OutgoingMessage[] = ['37250000001', '37250000002'].map((recipient) => ({
      reference: recipient,
      recipient,
      sender: 'AcmeCo',
      text: 'Hi',
      encoding: 'GSM-7',
      parts: ['Hi'],
      attempt: 1,
    }));
    const results = await adapter.submit(batch, new AbortController().signal);
    const [delivered, expired] = results.map((r) => (r as { accepted: string }).accepted);
    await sim.reportsSettled();

    expect(sim.stats.reportsPosted).toBe(2);
    const reports = ingested.flatMap((i) => i.reports);
    expect(new Set(ingested.map((i) => i.provider))).toEqual(new Set(['messente']));
    expect(reports).toHaveLength(2);
    expect(reports.find((r) => r.providerMessageId === delivered)).toMatchObject({ status: 'delivered', error: null });
    expect(reports.find((r) => r.providerMessageId === expired)).toMatchObject({
      status: 'expired',
      error: 'messente: UNDELIV err 2 (sending message expired): Expired',
    });
  });

  it('refuses a forged report with 401 and a warning, and stores nothing', async () => {
    const response = await post(DLR, { 'x-messente-signature': messenteSignature(DLR, 'guessed-password') });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Invalid signature.' });
    const unsigned = await post(DLR, {});
    expect(unsigned.status).toBe(401);
    expect(ingested).toEqual([]);
    const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; refusal?: string });
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          msg: 'delivery report refused: invalid signature',
          refusal: 'bad-signature',
        }),
        expect.objectContaining({ level: 40, refusal: 'unsigned' }),
      ]),
    );
  });

  it('verifies the exact bytes received, whitespace and key order included, in either digest notation', async () => {
    const spaced = `{ "message_id": "0f9c-78",\n  "status": "EXPIRED", "err": 2, "channel": "sms" }`;
    const base64 = createHmac('sha256', PASSWORD).update(spaced).digest('base64');
    const response = await post(spaced, { 'x-messente-signature': base64 });
    expect(response.status).toBe(200);
    expect(ingested[0]?.reports).toEqual([
      {
        providerMessageId: '0f9c-78',
        status: 'expired',
        error: 'messente: EXPIRED err 2 (sending message expired)',
        reportedAtUs: null,
      },
    ]);
  });

  it('answers 400 to a signed body that is no report', async () => {
    const body = '{"hello":"world"}';
    const response = await post(body, { 'x-messente-signature': messenteSignature(body, PASSWORD) });
    expect(response.status).toBe(400);
    expect(ingested).toEqual([]);
  });

  it('is never rate limited, and leaves the app’s own JSON parsing alone', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await post(DLR, { 'x-messente-signature': messenteSignature(DLR, PASSWORD) });
      expect(response.status).toBe(200);
    }
    expect(ingested).toHaveLength(5);
    const echo = await fetch(`${appUrl}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ bodyType: 'object' });
  });

  it('is not found when Messente is not configured', async () => {
    const bare = Fastify();
    await providerWebhook('messente')(bare, { ingest: async () => {}, providers: {}, publicUrl: '' });
    const response = await bare.inject({ method: 'POST', url: '/webhooks/messente', payload: DLR });
    expect(response.statusCode).toBe(404);
    await bare.close();
  });
});
