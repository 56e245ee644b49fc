// The Trumpia adapter against its simulator on loopback: the exact request, ids, failures, and polled reports.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SubmittedMessage } from '../../src/dispatch/provider.js';
import { createTrumpiaProvider, TrumpiaOutcomeUnknownError } from '../../src/dispatch/providers/trumpia/adapter.js';
import { trumpiaDescriptor } from '../../src/dispatch/providers/trumpia/index.js';
import { startTrumpiaSimulator, type TrumpiaSimulator } from '../../src/dispatch/providers/trumpia/simulator.js';
import { systemClockUs } from '../../src/domain/time.js';
import { closedPort, never, outgoing } from './support.js';

/** A landline of the account: Trumpia sends from a short code or a landline number only (direct-sms.php `sender`). */
const SENDER = '15550001';

function message(recipient: string, options: { reference?: string; sender?: string; text?: string } = {}) {
  return outgoing(options.reference ?? recipient, recipient, options.text, options.sender ?? SENDER);
}

describe('Trumpia adapter', () => {
  let sim: TrumpiaSimulator;
  const config = () => ({ baseUrl: sim.url, username: sim.username, apiKey: sim.apiKey });
  const adapter = (options: { timeoutMs?: number; concurrency?: number } = {}) =>
    createTrumpiaProvider(config(), { clockUs: systemClockUs, ...options });

  beforeAll(async () => {
    sim = await startTrumpiaSimulator();
  });
  afterEach(() => {
    sim.script({ rejectNumbers: null, blockNumbers: null, outcomes: [], reportDelayMs: 0, regressOnce: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('PUTs a direct SMS exactly as the REST API documents it, E.164 with country_code 0 outside North America', async () => {
    const before = sim.received.length;
    const results = await adapter().submit([message('37120000001')], never);
    const request = sim.received[before];
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe('/rest/v1/smsgic/sms');
    expect(request?.headers['x-apikey']).toBe(sim.apiKey);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toBe(
      '{"mobile_number":"+37120000001","country_code":0,"message":"Your code is 1234","sender":"15550001"}',
    );
    expect(results).toEqual([{ accepted: sim.acceptedRequests().at(-1)?.requestId }]);
  });

  it('sends a North American number as 10 digits with country_code 1, and a numeric sender as given', async () => {
    const before = sim.received.length;
    await adapter().submit([message('12025550123', { sender: '+15550001' })], never);
    expect(sim.received[before]?.body).toBe(
      '{"mobile_number":"2025550123","country_code":1,"message":"Your code is 1234","sender":"15550001"}',
    );
    expect(sim.stats.acceptedByRecipient.get('12025550123')).toBe(1);
  });

  it('sends a batch in parallel, one result per message in the batch order, each recipient once', async () => {
    const recipients = Array.from({ length: 60 }, (_, i) => `4479000${String(i).padStart(5, '0')}`);
    const results = await adapter().submit(
      recipients.map((r) => message(r)),
      never,
    );
    const ids = new Map(sim.acceptedRequests().map((r) => [r.recipient, r.requestId]));
    expect(results).toEqual(recipients.map((r) => ({ accepted: ids.get(r) })));
    for (const r of recipients) expect(sim.stats.acceptedByRecipient.get(r)).toBe(1);
  });

  it('maps a 5xx and MPCE0301 (temporary fault) to retryable failures', async () => {
    sim.script({ fail: { requests: 1, status: 503 } });
    const [temporary] = await adapter().submit([message('37120000010')], never);
    expect(temporary).toEqual({
      failed: true,
      retryable: true,
      error: 'trumpia: MPCE0301 temporary fault, retry in a few moments',
    });
    sim.script({ fail: { requests: 1, status: 502, statusCode: null } });
    const [bare] = await adapter().submit([message('37120000011')], never);
    expect(bare).toEqual({ failed: true, retryable: true, error: 'trumpia: server error (502): {}' });
  });

  it('maps a 429 to a retryable failure that carries Retry-After', async () => {
    sim.script({ fail: { requests: 1, status: 429, retryAfterS: 3 } });
    const [result] = await adapter().submit([message('37120000012')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      retryAfterMs: 3_000,
      error: 'trumpia: too many requests (429): {}',
    });
  });

  it('refuses a blocked number for good: {"status":"failed","blocked_mobile":…} carries no request_id', async () => {
    // trumpia.com/api/docs/rest/functions/report.php: a blocked mobile answers failed with blocked_mobile.
    sim.script({ blockNumbers: /0017$/ });
    const results = await adapter().submit([message('12025550017'), message('12025550018')], never);
    expect(results).toEqual([
      { failed: true, retryable: false, error: 'trumpia: failed, blocked mobile 2025550017' },
      { accepted: sim.acceptedRequests().at(-1)?.requestId },
    ]);
  });

  it('refuses before sending a text over the 140 bytes Trumpia takes to the US and Canada', async () => {
    const sends = sim.stats.sends;
    const gsm161 = 'a'.repeat(161);
    const ucs71 = 'ж'.repeat(71);
    const results = await adapter().submit(
      [
        message('12025550020', { text: gsm161 }),
        message('12025550021', { text: ucs71 }),
        message('12025550022', { text: 'a'.repeat(160) }),
        message('12025550023', { text: 'ж'.repeat(70) }),
      ],
      never,
    );
    expect(results.slice(0, 2)).toEqual([
      {
        failed: true,
        retryable: false,
        error: 'trumpia: not sent, the text takes 141 bytes and Trumpia takes at most 140 to the US and Canada',
      },
      {
        failed: true,
        retryable: false,
        error: 'trumpia: not sent, the text takes 142 bytes and Trumpia takes at most 140 to the US and Canada',
      },
    ]);
    expect(results.slice(2).every((r) => 'accepted' in r)).toBe(true);
    expect(sim.stats.sends - sends).toBe(2);
  });

  it('is told "too long" (MRME1054) by the simulator for over 140 bytes to country_code 1, as Trumpia documents', async () => {
    const put = (body: object) =>
      fetch(`${sim.url}/rest/v1/${sim.username}/sms`, {
        method: 'PUT',
        headers: { 'x-apikey': sim.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const long = await put({ mobile_number: '2025550030', country_code: 1, message: 'a'.repeat(161) });
    expect([long.status, await long.json()]).toEqual([400, { status_code: 'MRME1054' }]);
    const fits = await put({ mobile_number: '2025550031', country_code: 1, message: 'a'.repeat(160) });
    expect(fits.status).toBe(200);
  });

  it('refuses an alphanumeric sender for good instead of sending without it', async () => {
    const sends = sim.stats.sends;
    const [result] = await adapter().submit([message('12025550040', { sender: 'SMSgic' })], never);
    expect(result).toEqual({
      failed: true,
      retryable: false,
      error: 'trumpia: not sent, the sender "SMSgic" is no short code or landline number Trumpia can send from',
    });
    expect(sim.stats.sends).toBe(sends);
  });

  it('refuses invalid numbers for good: MRME codes of the send answer', async () => {
    sim.script({ rejectNumbers: /0013$/ });
    // 1 + a 10-digit number starting with 1: Trumpia refuses it (MRME1053).
    const results = await adapter().submit([message('37120000013'), message('11025550123')], never);
    expect(results).toEqual([
      { failed: true, retryable: false, error: 'trumpia: MRME2001 the mobile number is incorrectly formatted' },
      {
        failed: true,
        retryable: false,
        error: 'trumpia: MRME1053 the mobile number may not start with 0 (or 1 with country_code 1)',
      },
    ]);
  });

  it('refuses us, not the message (retryable elsewhere, account refused), with a clear error when the account has no credits (MPCE3201)', async () => {
    sim.script({ fail: { requests: 1, status: 400, statusCode: 'MPCE3201' } });
    const [result] = await adapter().submit([message('37120000014')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      accountRefused: true,
      error: 'trumpia: MPCE3201 not enough domestic text credits',
    });
  });

  it('refuses us, not the message (retryable elsewhere, account refused), with a misconfiguration error on bad credentials (MPCE0101)', async () => {
    const wrong = createTrumpiaProvider({ ...config(), apiKey: 'wrong' }, { clockUs: systemClockUs });
    const [result] = await wrong.submit([message('37120000015')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      accountRefused: true,
      error: 'trumpia: MPCE0101 the request failed to be authenticated: check TRUMPIA_USERNAME and TRUMPIA_API_KEY',
    });
    const stranger = createTrumpiaProvider({ ...config(), username: 'someone' }, { clockUs: systemClockUs });
    expect((await stranger.submit([message('37120000016')], never))[0]).toMatchObject({
      retryable: true,
      accountRefused: true,
    });
    expect(sim.stats.acceptedByRecipient.get('37120000015')).toBeUndefined();
  });

  it('throws on a timeout after the request left, and recheck then knows only what it saw', async () => {
    sim.script({ hang: { requests: 1 } });
    const provider = adapter({ timeoutMs: 500, concurrency: 1 });
    const batch = [message('37120000020', { reference: 'r-20' }), message('37120000021', { reference: 'r-21' })];
    const thrown = await provider.submit(batch, never).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(TrumpiaOutcomeUnknownError);
    expect((thrown as TrumpiaOutcomeUnknownError).unknownReferences).toEqual(['r-20']);
    const rechecked = await provider.recheck?.(['r-20', 'r-21'], never);
    expect(rechecked?.[0]).toEqual({ unknown: true });
    expect(rechecked?.[1]).toHaveProperty('found');
    expect(sim.stats.acceptedByRecipient.get('37120000020')).toBe(1);
  });

  it('fails retryably without sending when Trumpia is unreachable or the time has run out', async () => {
    const port = await closedPort();
    const down = createTrumpiaProvider(
      { baseUrl: `http://127.0.0.1:${port}`, username: 'u', apiKey: 'k' },
      { clockUs: systemClockUs },
    );
    const [unreachable] = await down.submit([message('37120000030')], never);
    expect(unreachable).toMatchObject({ failed: true, retryable: true });
    const sends = sim.stats.sends;
    const [late] = await adapter().submit([message('37120000031')], AbortSignal.abort());
    expect(late).toEqual({
      failed: true,
      retryable: true,
      error: 'trumpia: not sent, the time for this batch ran out',
    });
    expect(sim.stats.sends).toBe(sends);
  });

  it('builds from the environment configuration for the registry', async () => {
    const provider = trumpiaDescriptor.create(config(), { clockUs: systemClockUs });
    expect(provider.name).toBe('trumpia');
    expect(provider.poll).toBeTypeOf('function');
    expect((await provider.submit([message('37120000040')], never))[0]).toHaveProperty('accepted');
  });

  describe('reports by polling', () => {
    async function submitted(recipients: readonly string[]): Promise<SubmittedMessage[]> {
      const results = await adapter().submit(
        recipients.map((r) => message(r, { text: r.endsWith('9') ? 'x'.repeat(1601) : 'Hi' })),
        never,
      );
      return results.map((r, i) => ({
        reference: `p-${i}`,
        providerMessageId: (r as { accepted: string }).accepted,
        recipient: recipients[i] as string,
        submittedAtUs: 0,
      }));
    }

    it('asks GET /report/{request_id} with the API key, and reports nothing while in progress (MPCE4001)', async () => {
      sim.script({ reportDelayMs: 60_000 });
      const [one] = await submitted(['37120000050']);
      const before = sim.received.length;
      expect(await adapter().poll?.([one as SubmittedMessage], never)).toEqual([]);
      const request = sim.received[before];
      expect(request?.method).toBe('GET');
      expect(request?.path).toBe(`/rest/v1/smsgic/report/${one?.providerMessageId}`);
      expect(request?.headers['x-apikey']).toBe(sim.apiKey);
      expect(sim.stats.inProgressAnswers).toBeGreaterThan(0);
    });

    it('maps sent, blocked, failed and MRME outcomes once the report is ready', async () => {
      sim.script({
        outcomes: [
          { mobile: /0061$/, outcome: { blocked: true } },
          { mobile: /0062$/, outcome: { failed: true } },
          { mobile: /0063$/, outcome: { statusCode: 'MRME1251' } },
        ],
      });
      const messages = await submitted(['37120000060', '37120000061', '37120000062', '37120000063', '37120000069']);
      const reports = await adapter().poll?.(messages, never);
      const byId = new Map(reports?.map((r) => [r.providerMessageId, r]));
      expect(messages.map((m) => byId.get(m.providerMessageId))).toEqual([
        // "sent" is Trumpia's last word: no handset receipt follows, so it stands for delivered.
        { providerMessageId: messages[0]?.providerMessageId, status: 'delivered', error: null },
        {
          providerMessageId: messages[1]?.providerMessageId,
          status: 'rejected',
          error: 'trumpia: failed, blocked mobile 37120000061',
        },
        { providerMessageId: messages[2]?.providerMessageId, status: 'undelivered', error: 'trumpia: failed' },
        {
          providerMessageId: messages[3]?.providerMessageId,
          status: 'rejected',
          error: 'trumpia: MRME1251 the message includes characters that are not allowed',
        },
        {
          providerMessageId: messages[4]?.providerMessageId,
          status: 'rejected',
          error: 'trumpia: MRME1054 the message is too long',
        },
      ]);
    });

    it('reports nothing for a report that goes back to in progress after its outcome', async () => {
      sim.script({ regressOnce: true });
      const messages = await submitted(['37120000070']);
      const provider = adapter();
      expect(await provider.poll?.(messages, never)).toHaveLength(1);
      expect(await provider.poll?.(messages, never)).toEqual([]);
      expect(await provider.poll?.(messages, never)).toHaveLength(1);
    });

    it('fails a poll that learnt nothing because Trumpia answered with an account error', async () => {
      const messages = await submitted(['37120000080']);
      sim.script({ failReports: { requests: 1, status: 503 } });
      await expect(adapter().poll?.(messages, never)).rejects.toThrow('MPCE0301');
      const wrong = createTrumpiaProvider({ ...config(), apiKey: 'wrong' }, { clockUs: systemClockUs });
      await expect(wrong.poll?.(messages, never)).rejects.toThrow('MPCE0101');
    });
  });
});

describe('Trumpia simulator', () => {
  let sim: TrumpiaSimulator;
  beforeAll(async () => {
    sim = await startTrumpiaSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('refuses a body without a message (MRME2151) or without a number (MRME2152)', async () => {
    const put = (body: unknown) =>
      fetch(`${sim.url}/rest/v1/${sim.username}/sms`, {
        method: 'PUT',
        headers: { 'x-apikey': sim.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noMessage = await put({ mobile_number: '2025550123' });
    expect([noMessage.status, await noMessage.json()]).toEqual([400, { status_code: 'MRME2151' }]);
    const noNumber = await put({ message: 'Hi' });
    expect([noNumber.status, await noNumber.json()]).toEqual([400, { status_code: 'MRME2152' }]);
  });

  it('answers an unknown request_id with MPRE2301', async () => {
    const response = await fetch(`${sim.url}/rest/v1/${sim.username}/report/nope`, {
      headers: { 'x-apikey': sim.apiKey },
    });
    expect(await response.json()).toEqual({ status_code: 'MPRE2301' });
  });
});
