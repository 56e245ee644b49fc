// The Messente adapter against its simulator on loopback: the exact request, ids, and every scripted failure's mapping.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage, SubmitResult } from '../../src/dispatch/provider.js';
import { retryAfterMs as retryAfterMsOf } from '../../src/dispatch/providers/http/transport.js';
import { createMessenteProvider, MessenteOutcomeUnknownError } from '../../src/dispatch/providers/messente/adapter.js';
import { messenteDescriptor } from '../../src/dispatch/providers/messente/index.js';
import { type MessenteSimulator, startMessenteSimulator } from '../../src/dispatch/providers/messente/simulator.js';
import { systemClockUs } from '../../src/domain/time.js';
import { closedPort, never, outgoing } from './support.js';

const PUBLIC_URL = 'https://smsgic.example';

function message(recipient: string, reference = recipient, text?: string): OutgoingMessage {
  return outgoing(reference, recipient, text);
}

describe('Messente adapter', () => {
  let sim: MessenteSimulator;
  const config = () => ({ baseUrl: sim.url, username: sim.username, password: sim.password });
  const adapter = (options: { timeoutMs?: number; publicUrl?: string; concurrency?: number } = {}) =>
    createMessenteProvider(config(), { clockUs: systemClockUs, publicUrl: PUBLIC_URL, ...options });

  beforeAll(async () => {
    // No reports here: the webhook has its own tests.
    sim = await startMessenteSimulator({ dlrDelayMs: null });
  });
  afterEach(() => {
    sim.script({ rejectNumbers: null, outcomes: [], dlrDelayMs: null });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('posts one omnimessage per recipient exactly as Omnichannel documents it', async () => {
    const before = sim.received.length;
    const results = await adapter().submit([message('37120000001')], never);

    const request = sim.received[before];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/omnimessage');
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
    );
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toBe(
      '{"to":"+37120000001","messages":[{"channel":"sms","sender":"SMSgic","text":"Your code is 1234","autoconvert":"off"}],' +
        '"dlr_url":"https://smsgic.example/webhooks/messente"}',
    );
    // The provider id is the SMS channel's message_id (what DLRs carry), not the omnimessage_id.
    const sent = sim.acceptedMessages().at(-1);
    expect(results).toEqual([{ accepted: sent?.messageId }]);
    expect(sent?.messageId).not.toBe(sent?.omnimessageId);
  });

  it('gives Messente the rest of the validity as the SMS channel ttl in seconds', async () => {
    const before = sim.received.length;
    await adapter().submit([{ ...message('37120000004'), validitySeconds: 5_400 }], never);
    expect(JSON.parse(sim.received[before]?.body ?? '').messages).toEqual([
      { channel: 'sms', sender: 'SMSgic', text: 'Your code is 1234', autoconvert: 'off', ttl: 5_400 },
    ]);
  });

  it('sends autoconvert off, so an account set to convert never changes the text that was priced', async () => {
    // messente-api docs/SMS.md: `autoconvert` (on|full|off) falls back to the account's setting when absent.
    sim.script({ accountAutoconvert: 'full' });
    try {
      await adapter().submit([message('37120000003', '37120000003', 'Prix: 5 € – merci')], never);
      expect(sim.acceptedMessages().at(-1)?.autoconvert).toBe('off');
    } finally {
      sim.script({ accountAutoconvert: 'on' });
    }
  });

  it('leaves dlr_url out without PUBLIC_URL, and accepts a base URL spelled with /v1 as the SDKs do', async () => {
    const before = sim.received.length;
    const provider = createMessenteProvider({ ...config(), baseUrl: `${sim.url}/v1/` }, { clockUs: systemClockUs });
    await provider.submit([message('37120000002')], never);
    expect(sim.received[before]?.path).toBe('/v1/omnimessage');
    expect(JSON.parse(sim.received[before]?.body ?? '{}')).not.toHaveProperty('dlr_url');
  });

  it('sends a batch in parallel, one result per message in the batch order, each recipient once', async () => {
    const recipients = Array.from({ length: 60 }, (_, i) => `3712100${String(i).padStart(4, '0')}`);
    const results = await adapter().submit(
      recipients.map((r) => message(r)),
      never,
    );
    const ids = new Map(sim.acceptedMessages().map((m) => [m.to, m.messageId]));
    expect(results).toEqual(recipients.map((r) => ({ accepted: ids.get(`+${r}`) })));
    for (const r of recipients) expect(sim.stats.acceptedByRecipient.get(r)).toBe(1);
  });

  it('maps a 5xx to a retryable failure', async () => {
    sim.script({ fail: { requests: 1, status: 503 } });
    const [result] = await adapter().submit([message('37120000010')], never);
    expect(result).toMatchObject({ failed: true, retryable: true });
    expect((result as { error: string }).error).toContain('server error (503)');
    expect(sim.stats.acceptedByRecipient.get('37120000010')).toBeUndefined();
  });

  it('maps a 429 to a retryable failure that carries Retry-After', async () => {
    sim.script({ fail: { requests: 1, status: 429, retryAfterS: 7 } });
    const [result] = await adapter().submit([message('37120000011')], never);
    expect(result).toEqual({
      failed: true,
      retryable: true,
      retryAfterMs: 7_000,
      error: 'messente: too many requests (429): 429 Too Many Requests: Too Many Requests',
    });
  });

  it('refuses an invalid number for good with the 400 error body (code 105 at payload[to])', async () => {
    sim.script({ rejectNumbers: /0013$/ });
    const results = await adapter().submit([message('37120000013'), message('37120000014')], never);
    expect(results[0]).toEqual({
      failed: true,
      retryable: false,
      error: 'messente: refused (400): 105 Invalid data at payload[to]: Invalid phone number',
    });
    expect(results[1]).toHaveProperty('accepted');
  });

  it('refuses us, not the message (retryable elsewhere, account refused), with a misconfiguration error on bad credentials (401)', async () => {
    const provider = createMessenteProvider({ ...config(), password: 'wrong' }, { clockUs: systemClockUs });
    const results = await provider.submit([message('37120000015')], never);
    expect(results[0]).toMatchObject({ failed: true, retryable: true, accountRefused: true });
    const error = (results[0] as { error: string }).error;
    expect(error).toContain('authentication refused (401)');
    expect(error).toContain('check MESSENTE_USERNAME and MESSENTE_PASSWORD');
    expect(error).toContain('103 Unauthorized');
  });

  it('throws on a timeout after the request left, and recheck then knows only what it saw', async () => {
    sim.script({ hang: { requests: 1 } });
    // One lane: the hung request is the first one read, the other waits for it.
    const provider = adapter({ timeoutMs: 500, concurrency: 1 });
    const batch = [message('37120000020', 'r-20'), message('37120000021', 'r-21')];
    const thrown = await provider.submit(batch, never).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(MessenteOutcomeUnknownError);
    expect((thrown as MessenteOutcomeUnknownError).unknownReferences).toEqual(['r-20']);
    const rechecked = await provider.recheck?.(['r-20', 'r-21', 'r-never'], never);
    expect(rechecked?.[0]).toEqual({ unknown: true });
    expect(rechecked?.[1]).toHaveProperty('found');
    expect(rechecked?.[2]).toEqual({ unknown: true });
    // Messente did take the hung one: it must not be sent again, and it was sent once.
    expect(sim.stats.acceptedByRecipient.get('37120000020')).toBe(1);
  });

  it('fails retryably without sending when the provider is unreachable or the time has run out', async () => {
    const port = await closedPort();
    const down = createMessenteProvider(
      { baseUrl: `http://127.0.0.1:${port}`, username: 'u', password: 'p' },
      { clockUs: systemClockUs },
    );
    const [unreachable] = (await down.submit([message('37120000030')], never)) as SubmitResult[];
    expect(unreachable).toMatchObject({ failed: true, retryable: true });
    expect((unreachable as { error: string }).error).toContain('ECONNREFUSED');

    const sends = sim.stats.sends;
    const [late] = await adapter().submit([message('37120000031')], AbortSignal.abort());
    expect(late).toEqual({
      failed: true,
      retryable: true,
      error: 'messente: not sent, the time for this batch ran out',
    });
    expect(sim.stats.sends).toBe(sends);
  });

  it('polls the status endpoint for reports that no webhook brought', async () => {
    sim.script({ dlrDelayMs: 0, outcomes: [{ to: /0041$/, status: 'FAILED', err: 3, error: 'Invalid number' }] });
    const provider = adapter({ publicUrl: '' });
    const results = await provider.submit([message('37120000040'), message('37120000041')], never);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const submitted = results.map((r, i) => ({
      reference: `p-${i}`,
      providerMessageId: (r as { accepted: string }).accepted,
      recipient: '',
      submittedAtUs: 0,
    }));
    const reports = await provider.poll?.(submitted, never);
    expect(reports).toHaveLength(2);
    expect(reports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          providerMessageId: submitted[0]?.providerMessageId,
          status: 'delivered',
          error: null,
        }),
        expect.objectContaining({
          providerMessageId: submitted[1]?.providerMessageId,
          status: 'rejected',
          error: 'messente: FAILED err 3 (invalid number): Invalid number',
        }),
      ]),
    );
    expect(reports?.[0]?.reportedAtUs).toBeGreaterThan(0);
  });

  it('builds from the environment configuration for the registry, with DLRs at PUBLIC_URL', async () => {
    const before = sim.received.length;
    const provider = messenteDescriptor.create(config(), { clockUs: systemClockUs, publicUrl: PUBLIC_URL });
    expect(provider.name).toBe('messente');
    await provider.submit([message('37120000050')], never);
    expect(JSON.parse(sim.received[before]?.body ?? '{}').dlr_url).toBe(`${PUBLIC_URL}/webhooks/messente`);
  });

  it('asks for no DLR at a loopback PUBLIC_URL, and polls the status endpoint every minute instead', async () => {
    const before = sim.received.length;
    const provider = messenteDescriptor.create(config(), {
      clockUs: systemClockUs,
      publicUrl: 'http://127.0.0.1:3000',
    });
    await provider.submit([message('37120000051')], never);
    expect(JSON.parse(sim.received[before]?.body ?? '{}').dlr_url).toBeUndefined();
    expect(provider.pollIntervalMs).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const nowMs = Date.UTC(2030, 0, 1);
    expect(retryAfterMsOf('12', nowMs)).toBe(12_000);
    expect(retryAfterMsOf(new Date(nowMs + 5_000).toUTCString(), nowMs)).toBe(5_000);
    expect(retryAfterMsOf('soon', nowMs)).toBeUndefined();
    expect(retryAfterMsOf(null, nowMs)).toBeUndefined();
  });
});

describe('Messente simulator', () => {
  let sim: MessenteSimulator;
  beforeAll(async () => {
    sim = await startMessenteSimulator({ dlrDelayMs: null });
  });
  afterAll(async () => {
    await sim.close();
  });
  const auth = () => `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;

  it('answers a malformed omnimessage with 400 and Messente error items', async () => {
    const response = await fetch(`${sim.url}/v1/omnimessage`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+37120000001', messages: [{ channel: 'sms', sender: 'X' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        { title: 'Missing data', detail: 'SMS text is missing', code: '106', source: 'payload[messages][0][text]' },
      ],
    });
  });

  it('answers wrong credentials with 401 and code 103', async () => {
    const response = await fetch(`${sim.url}/v1/omnimessage`, {
      method: 'POST',
      headers: { authorization: 'Basic eDp5', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ title: 'Unauthorized', code: '103' }] });
  });
});
