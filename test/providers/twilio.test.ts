// The Twilio adapter and webhook against the loopback simulator: the exact request, answers, faults, signed callbacks.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DeliveryByDestination, parseDeliveryProfileCsv } from '../../src/dispatch/providers/delivery-profile.js';
import {
  createTwilioProvider,
  TWILIO_PROVIDER,
  TwilioOutcomeUnknownError,
  twilioSenderFields,
} from '../../src/dispatch/providers/twilio/adapter.js';
import { twilioDescriptor } from '../../src/dispatch/providers/twilio/index.js';
import { startTwilioSimulator, type TwilioSimulator } from '../../src/dispatch/providers/twilio/simulator.js';
import {
  parseTwilioStatusCallback,
  twilioSignature,
  urlVariants,
  verifyTwilioSignature,
} from '../../src/dispatch/providers/twilio/webhook.js';
import {
  TWILIO_MESSAGE_STATUSES,
  TWILIO_REPORT_STATUS,
  type TwilioMessageStatus,
  twilioReportStatus,
} from '../../src/dispatch/providers/twilio/wire.js';
import type { ReportStatus } from '../../src/domain/status.js';
import { systemClockUs } from '../../src/domain/time.js';
import { providerWebhook } from '../../src/http/routes/webhooks/provider.js';
import { waitFor } from '../support/wait.js';
import { deferredCleanups, never, outgoing, type RecordingWebhook, recordingWebhook } from './support.js';

const defer = deferredCleanups();
const message = outgoing;

async function simulator(options: Parameters<typeof startTwilioSimulator>[0] = {}): Promise<TwilioSimulator> {
  const sim = await startTwilioSimulator({ record: true, callbackDelayMs: null, ...options });
  defer(() => sim.close());
  return sim;
}

function adapterFor(
  sim: TwilioSimulator,
  options: { publicUrl?: string; timeoutMs?: number; authToken?: string; requestsInFlightMax?: number } = {},
) {
  return createTwilioProvider(
    { baseUrl: sim.url, accountSid: sim.accountSid, authToken: options.authToken ?? sim.authToken },
    {
      clockUs: systemClockUs,
      ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.requestsInFlightMax !== undefined && { requestsInFlightMax: options.requestsInFlightMax }),
    },
  );
}

/** A Fastify app with the API's body parsers and the Twilio webhook, on loopback; PUBLIC_URL is its own address. */
function webhookApp(authToken: string): Promise<RecordingWebhook> {
  return recordingWebhook({
    provider: TWILIO_PROVIDER,
    install: providerWebhook('twilio'),
    providers: { twilio: { baseUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken } },
    defer,
  });
}

/** A pretend network: numbers starting {prefix} are in MCC {mcc}, which delivers nothing; the rest are unknown. */
function nothingDelivered(prefix: string, mcc: string): DeliveryByDestination {
  const parsed = parseDeliveryProfileCsv(`mcc,mnc,delivered_percent\n${mcc},,0\n`);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return {
    profile: parsed.profile,
    destinationOf: (digits) => (digits.startsWith(prefix) ? { mcc, mnc: null } : null),
  };
}

describe('Twilio adapter', () => {
  it('creates each message with one form POST, Basic auth and the StatusCallback, and keeps the SID', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim, { publicUrl: 'https://smsgic.example' });
    const results = await provider.submit([message(1, '14155550100', 'Hi & bye +1')], never);
    expect(results).toHaveLength(1);
    const sid = (results[0] as { accepted: string }).accepted;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);

    expect(sim.received).toHaveLength(1);
    const request = sim.received[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`,
    );
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toBe(
      'To=%2B14155550100&From=SMSgic&Body=Hi+%26+bye+%2B1&StatusCallback=https%3A%2F%2Fsmsgic.example%2Fwebhooks%2Ftwilio',
    );
    expect(sim.stats.acceptedByRecipient).toEqual(new Map([['14155550100', 1]]));
  });

  it('gives Twilio the rest of the validity as ValidityPeriod in seconds, at most its 36,000', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim);
    await provider.submit([{ ...message(1, '14155550100', 'Hi'), validitySeconds: 5_400 }], never);
    await provider.submit([{ ...message(2, '14155550101', 'Hi'), validitySeconds: 3 * 86_400 }], never);
    expect(sim.received.map((r) => new URLSearchParams(r.body).get('ValidityPeriod'))).toEqual(['5400', '36000']);
  });

  it('sends numbers in E.164, short codes and alphanumeric senders as they are, services by SID', () => {
    expect(twilioSenderFields('15005550006')).toEqual({ From: '+15005550006' });
    expect(twilioSenderFields('+15005550006')).toEqual({ From: '+15005550006' });
    expect(twilioSenderFields('12345')).toEqual({ From: '12345' });
    expect(twilioSenderFields('AcmeCo')).toEqual({ From: 'AcmeCo' });
    const service = `MG${'a'.repeat(32)}`;
    expect(twilioSenderFields(service)).toEqual({ MessagingServiceSid: service });
  });

  it('is built from the configuration', () => {
    const provider = twilioDescriptor.create(
      { baseUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken: 't' },
      { clockUs: systemClockUs },
    );
    expect(provider.name).toBe('twilio');
    expect(provider.submitBatchMax).toBe(100);
  });

  it('sends a batch in parallel, never more requests at once than its limit', async () => {
    const sim = await simulator({ responseDelayMs: 20 });
    const provider = adapterFor(sim, { requestsInFlightMax: 3 });
    const batch = Array.from({ length: 30 }, (_, i) => message(i, `1415555${String(i).padStart(4, '0')}`));
    const results = await provider.submit(batch, never);
    expect(results.every((r) => 'accepted' in r)).toBe(true);
    expect(new Set(results.map((r) => (r as { accepted: string }).accepted)).size).toBe(30);
    expect(sim.duplicates()).toEqual([]);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(sim.stats.maxInFlight).toBeGreaterThan(1);
  });

  it.each([
    { code: 21211 as const, text: "The 'To' number is not a valid phone number." },
    { code: 21610 as const, text: 'Attempt to send to unsubscribed recipient' },
  ])('refuses for good a number Twilio refuses with $code', async ({ code, text }) => {
    const sim = await simulator();
    sim.script({ reject: { recipient: /0004$/, code } });
    const results = await adapterFor(sim).submit([message(1, '14155550004'), message(2, '14155550005')], never);
    expect(results[0]).toEqual({ failed: true, retryable: false, error: `twilio: refused, HTTP 400 ${code} ${text}` });
    expect(results[1]).toHaveProperty('accepted');
  });

  it('honours 429 (20429) with Retry-After', async () => {
    const sim = await simulator();
    sim.script({ throttle: { requests: 1, retryAfterS: 2 } });
    const [result] = await adapterFor(sim).submit([message(1, '14155550100')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      retryAfterMs: 2_000,
      error: 'twilio: HTTP 429 20429 Too Many Requests',
    });
    expect(sim.stats.accepted).toBe(0);
  });

  it('fails retryably on 500 and 503, and throws (outcome unknown) on a gateway 502', async () => {
    const sim = await simulator();
    sim.script({ fail: { requests: 2, status: 503 } });
    const provider = adapterFor(sim, { requestsInFlightMax: 1 });
    const results = await provider.submit([message(1, '14155550101'), message(2, '14155550102')], never);
    expect(results).toEqual([
      { failed: true, retryable: true, error: 'twilio: HTTP 503 20500 Internal Server Error' },
      { failed: true, retryable: true, error: 'twilio: HTTP 503 20500 Internal Server Error' },
    ]);
    sim.script({ fail: { requests: 1, status: 502 } });
    await expect(provider.submit([message(3, '14155550103')], never)).rejects.toBeInstanceOf(TwilioOutcomeUnknownError);
  });

  it('throws on a timeout after sending, with the others answered, and recheck tells what it saw', async () => {
    const sim = await simulator();
    sim.script({ silence: { requests: 1, process: true } });
    const provider = adapterFor(sim, { timeoutMs: 200, requestsInFlightMax: 1 });
    sim.script({ reject: { recipient: /0003$/ } });
    const error = await provider
      .submit([message(1, '14155550001'), message(2, '14155550002'), message(3, '14155550003')], never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(TwilioOutcomeUnknownError);
    const unknown = error as TwilioOutcomeUnknownError;
    expect(unknown.unknownReferences).toEqual(['1']);
    expect(unknown.results[0]).toBeNull();
    expect(unknown.results[1]).toHaveProperty('accepted');
    const sid = (unknown.results[1] as { accepted: string }).accepted;
    // Twilio has no lookup by our reference: what the process saw, else "cannot tell" (never sent blindly again).
    expect(await provider.recheck(['1', '2', '3', '4'], never)).toEqual([
      { unknown: true },
      { found: sid },
      { absent: true },
      { unknown: true },
    ]);
    expect(sim.stats.accepted).toBe(2);
  });

  it('refuses us, not the message (retryable elsewhere, account refused), with a clear error when the credentials are wrong (Twilio 20003)', async () => {
    const sim = await simulator();
    const [result] = await adapterFor(sim, { authToken: 'wrong' }).submit([message(1, '14155550100')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      accountRefused: true,
      error:
        'twilio: the credentials were refused (HTTP 401 20003 Authenticate); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    });
  });

  it('fails retryably when nothing listens, or when no time is left', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim);
    await sim.close();
    const [refused] = await provider.submit([message(1, '14155550100')], never);
    expect(refused).toMatchObject({ failed: true, retryable: true });
    expect((refused as { error: string }).error).toMatch(/ECONNREFUSED/);
    const [late] = await provider.submit([message(2, '14155550100')], AbortSignal.abort());
    expect(late).toEqual({ failed: true, retryable: true, error: 'twilio: not sent, no time left' });
  });
});

describe('Twilio statuses fetched when no callback can reach us', () => {
  const submitted = (sid: string, recipient: string) => ({
    reference: sid,
    providerMessageId: sid,
    recipient,
    submittedAtUs: systemClockUs(),
  });

  it('asks only with a public PUBLIC_URL for callbacks; else polls the Message resource', () => {
    const credentials = { baseUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken: 't' };
    const clockUs = systemClockUs;
    expect(twilioDescriptor.create(credentials, { clockUs, publicUrl: 'https://smsgic.example' }).poll).toBeUndefined();
    for (const publicUrl of ['http://127.0.0.1:3000', 'http://localhost:3000', undefined]) {
      const polled = twilioDescriptor.create(credentials, { clockUs, publicUrl });
      expect(polled.poll).toBeTypeOf('function');
      expect(polled.pollBatchMax).toBeGreaterThan(0);
      expect(polled.pollIntervalMaxMs).toBeGreaterThan(polled.pollIntervalMs ?? 0);
    }
  });

  it('reads status, error_code and what is not final from the fetched Message, with Basic auth', async () => {
    const sim = await simulator({ callbackDelayMs: 0 });
    sim.script({
      holdAt: [{ recipient: /0002$/, status: 'sent' }],
      finalStatus: [{ recipient: /0003$/, status: 'undelivered', errorCode: 30005 }],
    });
    const provider = createTwilioProvider(
      { baseUrl: sim.url, accountSid: sim.accountSid, authToken: sim.authToken },
      { clockUs: systemClockUs, publicUrl: 'https://smsgic.example', pollStatuses: true },
    );
    const batch = [message(1, '14155550001'), message(2, '14155550002'), message(3, '14155550003')];
    const sids = (await provider.submit(batch, never)).map((r) => (r as { accepted: string }).accepted);
    await sim.callbacksSettled();
    // No StatusCallback given, even with a PUBLIC_URL: none would come.
    const creates = sim.received.filter((r) => r.method === 'POST');
    expect(creates.map((r) => new URLSearchParams(r.body).has('StatusCallback'))).toEqual([false, false, false]);
    const reports = await provider.poll?.(
      sids.map((sid, i) => submitted(sid as string, `1415555000${i + 1}`)),
      never,
    );
    expect(new Map(reports?.map((r) => [r.providerMessageId, r]))).toEqual(
      new Map([
        [sids[0], { providerMessageId: sids[0], status: 'delivered', error: null }],
        [sids[1], { providerMessageId: sids[1], status: 'submitted', providerStatus: 'sent' }],
        [sids[2], { providerMessageId: sids[2], status: 'undelivered', error: 'twilio: undelivered (error 30005)' }],
      ]),
    );
    const fetches = sim.received.filter((r) => r.method === 'GET');
    expect(fetches.map((r) => r.path).sort()).toEqual(
      sids.map((sid) => `/2010-04-01/Accounts/${sim.accountSid}/Messages/${sid}.json`).sort(),
    );
    expect(sim.stats.fetches).toBe(3);

    // A message Twilio does not know says nothing; refused credentials are an error, asked again later.
    expect(await provider.poll?.([submitted(`SM${'0'.repeat(32)}`, '14155550009')], never)).toEqual([]);
    const wrong = createTwilioProvider(
      { baseUrl: sim.url, accountSid: sim.accountSid, authToken: 'wrong' },
      { clockUs: systemClockUs, pollStatuses: true },
    );
    await expect(wrong.poll?.([submitted(sids[0] as string, '14155550001')], never)).rejects.toThrow(
      /message fetches failed .*401 20003/,
    );
  });
});

describe('Twilio status callbacks', () => {
  const expected: Record<TwilioMessageStatus, ReportStatus | null> = {
    queued: null,
    sending: null,
    sent: null,
    failed: 'rejected',
    delivered: 'delivered',
    undelivered: 'undelivered',
    receiving: null,
    received: null,
    accepted: null,
    scheduled: null,
    read: 'delivered',
    partially_delivered: 'undelivered',
    canceled: 'rejected',
  };

  it.each(TWILIO_MESSAGE_STATUSES.map((s) => [s, expected[s]]))('maps %s to %s', (status, ours) => {
    expect(TWILIO_REPORT_STATUS[status]).toBe(ours);
    expect(twilioReportStatus(status)).toBe(ours);
  });

  it("signs as Twilio's published example does", () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifyTwilioSignature('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '9999' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(
      false,
    );
    expect(verifyTwilioSignature('54321', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
  });

  it('takes an array parameter as each distinct value, sorted', () => {
    const data = 'https://a.example/hookAa1Ab2Ab3';
    const expectedSignature = createHmac('sha1', 't').update(data).digest('base64');
    expect(twilioSignature('t', 'https://a.example/hook', { Ab: ['3', '2', '3'], Aa: '1' })).toBe(expectedSignature);
  });

  it('accepts a signature made over the URL with or without its default port', () => {
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };
    expect(urlVariants('https://smsgic.example/webhooks/twilio')).toEqual([
      'https://smsgic.example/webhooks/twilio',
      'https://smsgic.example:443/webhooks/twilio',
    ]);
    const withPort = twilioSignature('t', 'https://smsgic.example:443/webhooks/twilio', params);
    expect(verifyTwilioSignature('t', 'https://smsgic.example/webhooks/twilio', params, withPort)).toBe(true);
    const withoutPort = twilioSignature('t', 'http://smsgic.example/webhooks/twilio', params);
    expect(verifyTwilioSignature('t', 'http://smsgic.example:80/webhooks/twilio', params, withoutPort)).toBe(true);
  });

  it('reads the documented callback fields', () => {
    expect(
      parseTwilioStatusCallback({
        MessageSid: 'SM01',
        SmsSid: 'SM01',
        MessageStatus: 'undelivered',
        SmsStatus: 'undelivered',
        ErrorCode: '30003',
        AccountSid: 'AC1',
        From: '+15005550006',
        To: '+14155550100',
        ApiVersion: '2010-04-01',
        RawDlrDoneDate: '2503011000',
      }),
    ).toEqual({
      ok: true,
      notFinal: 0,
      reports: [{ providerMessageId: 'SM01', status: 'undelivered', error: 'twilio: undelivered (error 30003)' }],
    });
    // `sent` ends nothing, but is passed on to be shown beside `submitted`; an inbound word is not.
    expect(parseTwilioStatusCallback({ MessageSid: 'SM01', MessageStatus: 'sent' })).toEqual({
      ok: true,
      notFinal: 1,
      reports: [{ providerMessageId: 'SM01', status: 'submitted', providerStatus: 'sent' }],
    });
    expect(parseTwilioStatusCallback({ MessageSid: 'SM01', MessageStatus: 'received' })).toEqual({
      ok: true,
      notFinal: 1,
      reports: [],
    });
    expect(parseTwilioStatusCallback({ MessageStatus: 'sent' })).toMatchObject({ ok: false, refusal: 'payload' });
  });

  it('takes the callbacks the simulator signs and posts, mapped to our statuses', async () => {
    const sim = await simulator({ callbackDelayMs: 0 });
    sim.script({ finalStatus: [{ recipient: /0001$/, status: 'undelivered', errorCode: 30005 }] });
    const hook = await webhookApp(sim.authToken);
    const provider = adapterFor(sim, { publicUrl: hook.url });
    const results = await provider.submit([message(1, '14155550001'), message(2, '14155550002')], never);
    const [undeliveredSid, deliveredSid] = results.map((r) => (r as { accepted: string }).accepted);
    await sim.callbacksSettled();
    await waitFor(() => hook.ingested.length === 4, 'two `sent` and two final reports');
    expect(sim.stats.callbacksPosted).toBe(4);
    const sent = hook.ingested.filter((r) => r.status === 'submitted');
    expect(sent).toHaveLength(2);
    expect(sent).toEqual(
      expect.arrayContaining([
        { providerMessageId: undeliveredSid, status: 'submitted', providerStatus: 'sent' },
        { providerMessageId: deliveredSid, status: 'submitted', providerStatus: 'sent' },
      ]),
    );
    const byId = new Map(hook.ingested.filter((r) => r.status !== 'submitted').map((r) => [r.providerMessageId, r]));
    expect(byId.get(undeliveredSid as string)).toEqual({
      providerMessageId: undeliveredSid,
      status: 'undelivered',
      error: 'twilio: undelivered (error 30005)',
    });
    expect(byId.get(deliveredSid as string)).toEqual({
      providerMessageId: deliveredSid,
      status: 'delivered',
      error: null,
    });
  });

  it('fails at the ratio of its delivery profile the numbers its script does not name', async () => {
    const sim = await simulator({ callbackDelayMs: 0, delivery: nothingDelivered('1415', '310') });
    sim.script({ finalStatus: [{ recipient: /0003$/, status: 'delivered' }] });
    const hook = await webhookApp(sim.authToken);
    const provider = adapterFor(sim, { publicUrl: hook.url });
    const results = await provider.submit(
      [message(1, '14155550002'), message(2, '14155550003'), message(3, '442071838750')],
      never,
    );
    const sids = results.map((r) => (r as { accepted: string }).accepted);
    await sim.callbacksSettled();
    await waitFor(() => hook.ingested.filter((r) => r.status !== 'submitted').length === 3, 'three final reports');
    const finals = new Map(hook.ingested.filter((r) => r.status !== 'submitted').map((r) => [r.providerMessageId, r]));
    expect(sids.map((sid) => finals.get(sid as string)?.status)).toEqual(['undelivered', 'delivered', 'delivered']);
    expect(finals.get(sids[0] as string)?.error).toBe('twilio: undelivered (error 30003)');
  });

  it('refuses a forged callback with 401 and a warning', async () => {
    const hook = await webhookApp('the-token');
    const url = `${hook.url}/webhooks/twilio`;
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered', AccountSid: 'AC1' };
    const post = (signature: string | undefined, body: Record<string, string>) =>
      hook.app.inject({
        method: 'POST',
        url: '/webhooks/twilio',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature !== undefined && { 'x-twilio-signature': signature }),
        },
        payload: new URLSearchParams(body).toString(),
      });
    const unsigned = await post(undefined, params);
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toEqual({ message: 'Invalid signature.' });
    expect((await post(twilioSignature('another-token', url, params), params)).statusCode).toBe(401);
    const tampered = await post(twilioSignature('the-token', url, params), { ...params, MessageStatus: 'failed' });
    expect(tampered.statusCode).toBe(401);
    expect(hook.ingested).toEqual([]);
    expect(hook.warnings.join('')).toContain('status callback refused');

    const genuine = await post(twilioSignature('the-token', url, params), params);
    expect(genuine.statusCode).toBe(200);
    expect(hook.ingested).toEqual([{ providerMessageId: 'SM1', status: 'delivered', error: null }]);
  });
});
