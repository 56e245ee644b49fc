// The Infobip adapter and webhook against the loopback simulator: the exact request, answers, faults, reports.

import { describe, expect, it } from 'vitest';
import type { SubmitResult } from '../../src/dispatch/provider.js';
import { type DeliveryByDestination, parseDeliveryProfileCsv } from '../../src/dispatch/providers/delivery-profile.js';
import {
  createInfobipProvider,
  INFOBIP_PROVIDER,
  InfobipOutcomeUnknownError,
  type InfobipProvider,
  infobipBaseUrl,
} from '../../src/dispatch/providers/infobip/adapter.js';
import { infobipDescriptor } from '../../src/dispatch/providers/infobip/index.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import {
  infobipNotifyUrl,
  infobipWebhookToken,
  parseInfobipReports,
  verifyInfobipToken,
} from '../../src/dispatch/providers/infobip/webhook.js';
import {
  INFOBIP_REPORT_STATUS,
  INFOBIP_STATUSES,
  type InfobipStatusName,
  infobipReportStatus,
  infobipTimeUs,
} from '../../src/dispatch/providers/infobip/wire.js';
import type { ReportStatus } from '../../src/domain/status.js';
import { systemClockUs } from '../../src/domain/time.js';
import { providerWebhook } from '../../src/http/routes/webhooks/provider.js';
import { waitFor } from '../support/wait.js';
import { deferredCleanups, never, outgoing, type RecordingWebhook, recordingWebhook } from './support.js';

const defer = deferredCleanups();
const message = outgoing;

async function simulator(options: Parameters<typeof startInfobipSimulator>[0] = {}): Promise<InfobipSimulator> {
  const sim = await startInfobipSimulator({ record: true, reportDelayMs: null, ...options });
  defer(() => sim.close());
  return sim;
}

function adapterFor(
  sim: InfobipSimulator,
  options: { publicUrl?: string; timeoutMs?: number; apiKey?: string; absentTrustedAfterMs?: number } = {},
) {
  return createInfobipProvider(
    { baseUrl: sim.url, apiKey: options.apiKey ?? sim.apiKey },
    {
      clockUs: systemClockUs,
      ...(options.absentTrustedAfterMs !== undefined && { absentTrustedAfterMs: options.absentTrustedAfterMs }),
      ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    },
  );
}

/** A Fastify app with the API's body parsers and the Infobip webhook, listening on loopback; reports recorded. */
function webhookApp(apiKey: string): Promise<RecordingWebhook> {
  return recordingWebhook({
    provider: INFOBIP_PROVIDER,
    install: providerWebhook('infobip'),
    providers: { infobip: { baseUrl: 'https://example.api.infobip.com', apiKey } },
    publicUrl: 'http://unused',
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

describe('Infobip adapter', () => {
  it('gives Infobip the rest of the validity as options.validityPeriod in seconds, one message object per value', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim);
    const results = await provider.submit(
      [
        { ...message(201, '37120000001'), validitySeconds: 5_400 },
        { ...message(202, '37120000002'), validitySeconds: 5_400 },
        message(203, '37120000003'),
      ],
      never,
    );
    expect(results).toEqual([{ accepted: '201' }, { accepted: '202' }, { accepted: '203' }]);
    expect(JSON.parse(sim.received[0]?.body ?? '')).toEqual({
      messages: [
        {
          sender: 'SMSgic',
          destinations: [
            { to: '37120000001', messageId: '201' },
            { to: '37120000002', messageId: '202' },
          ],
          content: { text: 'Your code is 1234' },
          options: { validityPeriod: { amount: 5_400, timeUnit: 'SECONDS' } },
        },
        {
          sender: 'SMSgic',
          destinations: [{ to: '37120000003', messageId: '203' }],
          content: { text: 'Your code is 1234' },
        },
      ],
    });
  });

  it('sends a batch as one POST /sms/3/messages, grouped by sender and text, our ids as message ids', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim, { publicUrl: 'https://smsgic.example/' });
    const results = await provider.submit(
      [message(101, '37120000001'), message(102, '37120000002'), message(103, '37120000003', 'Another text', 'Acme')],
      never,
    );
    expect(results).toEqual([{ accepted: '101' }, { accepted: '102' }, { accepted: '103' }]);

    expect(sim.received).toHaveLength(1);
    const request = sim.received[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/sms/3/messages');
    expect(request?.headers.authorization).toBe(`App ${sim.apiKey}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    const notifyUrl = `https://smsgic.example/webhooks/infobip?token=${infobipWebhookToken(sim.apiKey)}`;
    expect(JSON.parse(request?.body ?? '')).toEqual({
      messages: [
        {
          sender: 'SMSgic',
          destinations: [
            { to: '37120000001', messageId: '101' },
            { to: '37120000002', messageId: '102' },
          ],
          content: { text: 'Your code is 1234' },
          webhooks: { delivery: { url: notifyUrl }, contentType: 'application/json' },
        },
        {
          sender: 'Acme',
          destinations: [{ to: '37120000003', messageId: '103' }],
          content: { text: 'Another text' },
          webhooks: { delivery: { url: notifyUrl }, contentType: 'application/json' },
        },
      ],
    });
    expect(sim.stats.acceptedByMessageId).toEqual(
      new Map([
        ['101', 1],
        ['102', 1],
        ['103', 1],
      ]),
    );
  });

  it('reads INFOBIP_BASE_URL with or without a scheme, and is built from the configuration', () => {
    expect(infobipBaseUrl('xyz12.api.infobip.com')).toBe('https://xyz12.api.infobip.com');
    expect(infobipBaseUrl('http://127.0.0.1:8101/')).toBe('http://127.0.0.1:8101');
    const provider = infobipDescriptor.create(
      { baseUrl: 'xyz12.api.infobip.com', apiKey: 'k' },
      { clockUs: systemClockUs, publicUrl: 'https://smsgic.example' },
    );
    expect(provider.name).toBe('infobip');
    expect(provider.submitBatchMax).toBe(1000);
  });

  it('refuses for good the destinations Infobip rejects in its answer, and takes the others', async () => {
    const sim = await simulator();
    sim.script({ reject: { recipient: /0004$/ } });
    const results = await adapterFor(sim).submit([message(1, '37120000001'), message(2, '37120000004')], never);
    expect(results[0]).toEqual({ accepted: '1' });
    expect(results[1]).toMatchObject({ failed: true, retryable: false });
    expect((results[1] as { error: string }).error).toMatch(/REJECTED_DESTINATION \(REJECTED 52\)/);
  });

  it('matches answers by place and number when Infobip answers with ids of its own', async () => {
    const sim = await simulator();
    // The service's answer rewritten on the way back, as if Infobip had chosen the ids.
    const ownIds: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = (await response.json()) as { messages: { messageId: string }[] };
      for (const [i, m] of body.messages.entries()) m.messageId = `ib-${i}`;
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const provider = createInfobipProvider(
      { baseUrl: sim.url, apiKey: sim.apiKey },
      { clockUs: systemClockUs, fetch: ownIds },
    );
    const results = await provider.submit(
      [message(1, '37120000001', 'a'), message(2, '37120000002', 'b'), message(3, '37120000003', 'a')],
      never,
    );
    // Sent grouped by text: 1 and 3 first, then 2.
    expect(results).toEqual([{ accepted: 'ib-0' }, { accepted: 'ib-2' }, { accepted: 'ib-1' }]);
  });

  it('keeps a destination refused for want of credit retryable: another provider may take it', async () => {
    const sim = await simulator();
    sim.script({ reject: { recipient: /0009$/, status: 'REJECTED_NOT_ENOUGH_CREDITS' } });
    const [result] = await adapterFor(sim).submit([message(1, '37120000009')], never);
    expect(result).toMatchObject({ failed: true, retryable: true });
  });

  it.each([
    { status: 500, retryAfterS: undefined, retryAfterMs: undefined },
    { status: 503, retryAfterS: 3, retryAfterMs: 3_000 },
  ])('answers HTTP $status with retryable failures, taking nothing', async ({ status, retryAfterS, retryAfterMs }) => {
    const sim = await simulator();
    sim.script({ fail: { requests: 1, status, ...(retryAfterS !== undefined && { retryAfterS }) } });
    const results = await adapterFor(sim).submit([message(1, '37120000001'), message(2, '37120000002')], never);
    for (const result of results) {
      expect(result).toMatchObject({ failed: true, retryable: true });
      expect((result as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs);
      expect((result as { error: string }).error).toContain(`HTTP ${status} E500`);
    }
    expect(sim.stats.accepted).toBe(0);
  });

  it('honours 429 with Retry-After', async () => {
    const sim = await simulator();
    sim.script({ throttle: { requests: 1, retryAfterS: 7 } });
    const results = await adapterFor(sim).submit([message(1, '37120000001')], never);
    expect(results).toEqual([
      { failed: true, retryable: true, retryAfterMs: 7_000, error: 'infobip: HTTP 429 E429 Too many requests sent.' },
    ]);
  });

  it('throws (outcome unknown) on a gateway error, since the request may have gone through', async () => {
    const sim = await simulator();
    sim.script({ fail: { requests: 1, status: 504 } });
    await expect(adapterFor(sim).submit([message(1, '37120000001')], never)).rejects.toBeInstanceOf(
      InfobipOutcomeUnknownError,
    );
  });

  it('throws on a timeout after sending, and recheck then finds what Infobip took in its logs', async () => {
    const sim = await simulator();
    sim.script({ silence: { requests: 1, process: true } });
    const provider = adapterFor(sim, { timeoutMs: 200 });
    const error = await provider
      .submit([message(11, '37120000001'), message(12, '37120000002')], never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InfobipOutcomeUnknownError);
    expect((error as InfobipOutcomeUnknownError).references).toEqual(['11', '12']);

    // 13 is missing, but the logs may lag: not trusted as absent this soon.
    expect(await provider.recheck(['11', '12', '13'], never)).toEqual([
      { found: '11' },
      { found: '12' },
      { notYet: true },
    ]);
    const logs = sim.received.find((r) => r.url.startsWith('/sms/3/logs'));
    expect(logs?.method).toBe('GET');
    expect(logs?.url).toBe('/sms/3/logs?messageId=11&messageId=12&messageId=13&limit=1000');
    expect(logs?.headers.authorization).toBe(`App ${sim.apiKey}`);
  });

  it('finds a message in the logs only under its id, to its destination, sent after its sending was stored', async () => {
    const sim = await simulator();
    // Another installation on the same account, earlier, used the same message id for another number.
    const foreign = await fetch(`${sim.url}/sms/3/messages`, {
      method: 'POST',
      headers: { authorization: `App ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [
          { sender: 'Other', destinations: [{ to: '37120000099', messageId: 'm-7' }], content: { text: 'x' } },
        ],
      }),
    });
    expect(foreign.status).toBe(200);
    const provider = adapterFor(sim, { absentTrustedAfterMs: 0 });
    const nowUs = systemClockUs();
    const asked = (recipient: string, notBeforeUs: number) =>
      provider.recheck(['m-7'], never, [{ reference: 'm-7', recipient, notBeforeUs, handedOverAtUs: nowUs }]);
    expect(await asked('37120000001', nowUs - 1_000_000)).toEqual([{ absent: true }]);
    // The same number, but sent long before this message's sending existed (a restored database's reused id).
    expect(await asked('37120000099', nowUs + 3_600_000_000)).toEqual([{ absent: true }]);
    expect(await asked('37120000099', nowUs - 1_000_000)).toEqual([{ found: 'm-7' }]);
  });

  it('trusts a message missing from lagging logs as absent only the configured time after the hand-over', async () => {
    const sim = await simulator();
    sim.script({ silence: { requests: 1, process: true }, logsLagMs: 400 });
    const provider = adapterFor(sim, { timeoutMs: 200, absentTrustedAfterMs: 60_000 });
    const handedOverAtUs = systemClockUs();
    await provider.submit([message('ref-21', '37120000021')], never).catch(() => undefined);
    const context = [
      { reference: 'ref-21', recipient: '37120000021', notBeforeUs: handedOverAtUs - 1, handedOverAtUs },
    ];
    expect(await provider.recheck(['ref-21'], never, context)).toEqual([{ notYet: true }]);
    let later = await provider.recheck(['ref-21'], never, context);
    for (let i = 0; i < 100 && !('found' in (later[0] ?? {})); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      later = await provider.recheck(['ref-21'], never, context);
    }
    expect(later).toEqual([{ found: 'ref-21' }]);
    const impatient = adapterFor(sim, { absentTrustedAfterMs: 0 });
    expect(await impatient.recheck(['ref-22'], never)).toEqual([{ absent: true }]);
  });

  it('polls the logs for final statuses when PUBLIC_URL is loopback, and asks for no webhook it could never receive', async () => {
    // Statuses turn final at once; with no notify URL, the logs are the only place they show.
    const sim = await simulator({ reportDelayMs: 0 });
    const provider = infobipDescriptor.create(
      { baseUrl: sim.url, apiKey: sim.apiKey },
      { clockUs: systemClockUs, publicUrl: 'http://127.0.0.1:3000' },
    );
    const before = sim.received.length;
    const [result] = await provider.submit([message('ref-31', '37120000031')], never);
    expect(result).toEqual({ accepted: 'ref-31' });
    expect(JSON.parse(sim.received[before]?.body ?? '{}').messages[0].webhooks).toBeUndefined();
    expect(provider.poll).toBeDefined();
    const submitted = [
      { reference: 'ref-31', providerMessageId: 'ref-31', recipient: '37120000031', submittedAtUs: 0 },
    ];
    let reports = (await provider.poll?.(submitted, never)) ?? [];
    for (let i = 0; i < 100 && reports.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reports = (await provider.poll?.(submitted, never)) ?? [];
    }
    expect(reports).toEqual([
      expect.objectContaining({ providerMessageId: 'ref-31', status: 'delivered', error: null }),
    ]);
    const reachable = infobipDescriptor.create(
      { baseUrl: sim.url, apiKey: sim.apiKey },
      { clockUs: systemClockUs, publicUrl: 'https://sms.example.com' },
    );
    expect(reachable.poll).toBeUndefined();
  });

  it('rechecks many references in look-ups within the documented 2,048 characters', async () => {
    const sim = await simulator();
    const references = Array.from({ length: 600 }, (_, i) => String(1_000_000 + i));
    const results = await adapterFor(sim, { absentTrustedAfterMs: 0 }).recheck(references, never);
    expect(results.every((r) => 'absent' in r)).toBe(true);
    const lookUps = sim.received.filter((r) => r.url.startsWith('/sms/3/logs'));
    expect(lookUps.length).toBeGreaterThan(1);
    for (const lookUp of lookUps) {
      const ids = new URL(lookUp.url, 'http://x').searchParams.getAll('messageId');
      expect(ids.join(',').length).toBeLessThanOrEqual(2048);
    }
  });

  it('refuses us, not the message (retryable elsewhere, account refused), with a clear error when the API key is wrong (the service answers its own 401)', async () => {
    const sim = await simulator();
    const results = await adapterFor(sim, { apiKey: 'wrong' }).submit([message(1, '37120000001')], never);
    expect(results).toEqual([
      {
        failed: true,
        retryable: true,
        accountRefused: true,
        error: 'infobip: the API key was refused (HTTP 401 E401 Invalid login details); check INFOBIP_API_KEY',
      },
    ]);
    expect(sim.stats.unauthorized).toBe(1);
  });

  it('refuses only the messages a 400 names, and leaves the others retryable', async () => {
    const sim = await simulator();
    const results = await adapterFor(sim).submit(
      [message(1, '37120000001', ' '), message(2, '37120000002', 'fine'), message(3, '37120000003', ' ')],
      never,
    );
    expect(results[0]).toMatchObject({ failed: true, retryable: false });
    expect((results[0] as { error: string }).error).toContain('messages[0].content.text must not be blank');
    expect(results[1]).toMatchObject({ failed: true, retryable: true });
    expect(results[2]).toMatchObject({ failed: true, retryable: false });
    expect(sim.stats.accepted).toBe(0);
  });

  it('fails retryably when nothing listens (never sent) or no time is left', async () => {
    const sim = await simulator();
    const provider = adapterFor(sim);
    await sim.close();
    const [refused] = await provider.submit([message(1, '37120000001')], never);
    expect(refused).toMatchObject({ failed: true, retryable: true });
    expect((refused as { error: string }).error).toMatch(/ECONNREFUSED/);
    const [late] = await provider.submit([message(2, '37120000002')], AbortSignal.abort());
    expect(late).toEqual({ failed: true, retryable: true, error: 'infobip: not sent, no time left' });
  });
});

describe('Infobip delivery reports', () => {
  const expected: Record<InfobipStatusName, ReportStatus | null> = {
    PENDING_WAITING_DELIVERY: null,
    PENDING_ENROUTE: null,
    PENDING_ACCEPTED: null,
    DELIVERED_TO_OPERATOR: null,
    DELIVERED_TO_HANDSET: 'delivered',
    UNDELIVERABLE_REJECTED_OPERATOR: 'undelivered',
    UNDELIVERABLE_NOT_DELIVERED: 'undelivered',
    EXPIRED_EXPIRED: 'expired',
    EXPIRED_DLR_UNKNOWN: 'expired',
    REJECTED_NETWORK: 'rejected',
    REJECTED_NOT_ENOUGH_CREDITS: 'rejected',
    REJECTED_DESTINATION: 'rejected',
  };

  it.each(Object.entries(expected))('maps %s to %s', (name, status) => {
    const documented = INFOBIP_STATUSES[name as InfobipStatusName];
    expect(INFOBIP_REPORT_STATUS[name as InfobipStatusName]).toBe(status);
    expect(infobipReportStatus(documented)).toBe(status);
  });

  it('maps statuses it does not know by their group, and ignores unknown groups', () => {
    expect(infobipReportStatus({ groupId: 3, groupName: 'DELIVERED', name: 'DELIVERED_SOMEHOW' })).toBe('delivered');
    expect(infobipReportStatus({ groupId: 2, groupName: '', name: 'NEW_UNDELIVERABLE' })).toBe('undelivered');
    expect(infobipReportStatus({ groupId: 0, groupName: 'ACCEPTED', name: 'ACCEPTED' })).toBeNull();
    expect(infobipReportStatus({ groupId: 9, groupName: 'SOMETHING', name: 'ELSE' })).toBeNull();
  });

  it('reads Infobip dates with their offset', () => {
    expect(infobipTimeUs('2025-03-01T10:00:04.000+0000')).toBe(Date.UTC(2025, 2, 1, 10, 0, 4) * 1000);
    expect(infobipTimeUs('2025-03-01T12:00:04.250+0200')).toBe(Date.UTC(2025, 2, 1, 10, 0, 4, 250) * 1000);
    expect(infobipTimeUs('yesterday')).toBeNull();
  });

  it('reads the documented report body, v2 items included', () => {
    const outcome = parseInfobipReports({
      results: [
        {
          bulkId: 'b-77',
          messageId: 'm-1',
          to: '41790000001',
          from: 'AcmeCo',
          sentAt: '2025-03-01T10:00:00.000+0000',
          doneAt: '2025-03-01T10:00:04.000+0000',
          smsCount: 1,
          mccMnc: '22801',
          callbackData: 'ord-9',
          price: { pricePerMessage: 0.01, currency: 'EUR' },
          status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' },
          error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', permanent: false },
        },
        {
          messageId: 'm-2',
          to: '41790000002',
          status: { groupId: 2, groupName: 'UNDELIVERABLE', id: 9, name: 'UNDELIVERABLE_NOT_DELIVERED' },
          error: { groupId: 1, groupName: 'HANDSET_ERRORS', id: 27, name: 'EC_ABSENT_SUBSCRIBER', permanent: false },
        },
        {
          messageId: 'm-3',
          to: '41790000003',
          status: { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE' },
        },
      ],
    });
    expect(outcome).toEqual({
      ok: true,
      notFinal: 1,
      inbound: [],
      reports: [
        {
          providerMessageId: 'm-1',
          status: 'delivered',
          error: null,
          reportedAtUs: Date.UTC(2025, 2, 1, 10, 0, 4) * 1000,
        },
        {
          providerMessageId: 'm-2',
          status: 'undelivered',
          error: 'infobip: UNDELIVERABLE_NOT_DELIVERED, EC_ABSENT_SUBSCRIBER',
          reportedAtUs: null,
        },
      ],
    });
    expect(parseInfobipReports({ results: [{ to: '1' }] })).toMatchObject({ ok: false, refusal: 'payload' });
    expect(parseInfobipReports([])).toMatchObject({ ok: false, refusal: 'payload' });
  });

  it('reads the documented inbound body (MO_JSON_2): the whole text, numbers without "+"', () => {
    const outcome = parseInfobipReports({
      results: [
        {
          messageId: 'mo-1',
          from: '+385916242493',
          to: '385921004026',
          text: 'QUIZ Correct answer is Paris',
          cleanText: 'Correct answer is Paris',
          keyword: 'QUIZ',
          receivedAt: '2025-03-01T10:00:04.000+0000',
          smsCount: 1,
          price: { pricePerMessage: 0, currency: 'EUR' },
          callbackData: 'callbackData',
        },
      ],
      messageCount: 1,
      pendingMessageCount: 0,
    });
    expect(outcome).toEqual({
      ok: true,
      reports: [],
      notFinal: 0,
      inbound: [
        { providerMessageId: 'mo-1', from: '+385916242493', to: '385921004026', text: 'QUIZ Correct answer is Paris' },
      ],
    });
    expect(parseInfobipReports({ results: [{ messageId: 'mo-2', from: '1', text: 'x' }] })).toMatchObject({
      ok: false,
      refusal: 'payload',
    });
  });

  it('derives the notify URL token from the API key and checks it in constant time', () => {
    const token = infobipWebhookToken('key-1');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(infobipWebhookToken('key-2')).not.toBe(token);
    expect(infobipNotifyUrl('https://smsgic.example/', 'key-1')).toBe(
      `https://smsgic.example/webhooks/infobip?token=${token}`,
    );
    expect(verifyInfobipToken(token, 'key-1')).toBe(true);
    expect(verifyInfobipToken(token, 'key-2')).toBe(false);
    expect(verifyInfobipToken(undefined, 'key-1')).toBe(false);
    expect(verifyInfobipToken(['a'], 'key-1')).toBe(false);
  });

  it('takes the reports the simulator posts to the notify URL, mapped to our statuses', async () => {
    const sim = await simulator({ reportDelayMs: 0 });
    sim.script({ reportStatus: [{ recipient: /0001$/, status: 'UNDELIVERABLE_NOT_DELIVERED' }] });
    const hook = await webhookApp(sim.apiKey);
    const provider: InfobipProvider = adapterFor(sim, { publicUrl: hook.url });
    const results: readonly SubmitResult[] = await provider.submit(
      [message(21, '37120000001'), message(22, '37120000002')],
      never,
    );
    expect(results).toEqual([{ accepted: '21' }, { accepted: '22' }]);
    await sim.reportsSettled();
    await waitFor(() => hook.ingested.length === 2, 'two reports');
    const byId = new Map(hook.ingested.map((r) => [r.providerMessageId, r]));
    expect(byId.get('21')).toMatchObject({
      status: 'undelivered',
      error: expect.stringContaining('EC_ABSENT_SUBSCRIBER'),
    });
    expect(byId.get('22')).toMatchObject({ status: 'delivered', error: null });
    expect(byId.get('22')?.reportedAtUs).toBeGreaterThan(0);
    expect(sim.stats.reportsDelivered).toBe(2);
  });

  it('fails at the ratio of its delivery profile the numbers its script does not name', async () => {
    const sim = await simulator({ reportDelayMs: 0, delivery: nothingDelivered('371', '247') });
    sim.script({ reportStatus: [{ recipient: /0003$/, status: 'DELIVERED_TO_HANDSET' }] });
    const hook = await webhookApp(sim.apiKey);
    const provider: InfobipProvider = adapterFor(sim, { publicUrl: hook.url });
    await provider.submit(
      [message(31, '37120000002'), message(32, '37120000003'), message(33, '4915112345678')],
      never,
    );
    await sim.reportsSettled();
    await waitFor(() => hook.ingested.length === 3, 'three reports');
    const byId = new Map(hook.ingested.map((r) => [r.providerMessageId, r.status]));
    expect([byId.get('31'), byId.get('32'), byId.get('33')]).toEqual(['undelivered', 'delivered', 'delivered']);
  });

  it('refuses a forged report with 401 and a warning, and an unreadable one with 400', async () => {
    const hook = await webhookApp('the-key');
    const body = {
      results: [{ messageId: '1', to: '1', status: INFOBIP_STATUSES.DELIVERED_TO_HANDSET }],
    };
    const forged = await hook.app.inject({ method: 'POST', url: '/webhooks/infobip?token=guess', payload: body });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ message: 'Invalid signature.' });
    const unsigned = await hook.app.inject({ method: 'POST', url: '/webhooks/infobip', payload: body });
    expect(unsigned.statusCode).toBe(401);
    const otherKey = await hook.app.inject({
      method: 'POST',
      url: `/webhooks/infobip?token=${infobipWebhookToken('another-key')}`,
      payload: body,
    });
    expect(otherKey.statusCode).toBe(401);
    expect(hook.ingested).toEqual([]);
    expect(hook.warnings.join('')).toContain('delivery report refused');

    const token = infobipWebhookToken('the-key');
    const unreadable = await hook.app.inject({
      method: 'POST',
      url: `/webhooks/infobip?token=${token}`,
      payload: { results: 'no' },
    });
    expect(unreadable.statusCode).toBe(400);
    const genuine = await hook.app.inject({ method: 'POST', url: `/webhooks/infobip?token=${token}`, payload: body });
    expect(genuine.statusCode).toBe(200);
    expect(hook.ingested).toEqual([{ providerMessageId: '1', status: 'delivered', error: null, reportedAtUs: null }]);
  });
});
