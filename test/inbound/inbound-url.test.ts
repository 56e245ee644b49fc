// The account's inbound_url: each received message POSTed there as JSON through the status callbacks' outbox, signed
// with X-Smsgic-Signature under the account's webhook secret (checked here with node:crypto alone), and tried again
// after a failed answer; the URL is checked as a sending's callback_url is.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { changeInboundUrl, readInboundUrl } from '../../src/services/inbound-url.js';
import { getAccount } from '../../src/store/accounts.js';
import { inboundCallbackCounts } from '../../src/store/callbacks.js';
import { assignNumber } from '../../src/store/numbers.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

interface Received {
  readonly path: string;
  readonly body: string;
  readonly signature: string;
  readonly delivery: string;
  readonly contentType: string;
  readonly answered: number;
}

/** A receiver that answers 500 to its first request, then 200. */
function receiver() {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = received.length === 0 ? 500 : 200;
      received.push({
        path: request.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['x-smsgic-signature'] ?? ''),
        delivery: String(request.headers['x-smsgic-delivery'] ?? ''),
        contentType: String(request.headers['content-type'] ?? ''),
        answered,
      });
      response.statusCode = answered;
      response.end();
    });
  });
  return { server, received };
}

describeEachEngine('inbound_url', (engine) => {
  const hook = receiver();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/smsgic/inbound`;
  });
  afterAll(() => new Promise<void>((resolve) => hook.server.close(() => resolve())));

  it('POSTs a received STOP, signed, again after a 500, once delivered', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const accountId = await fundedAccount(db, 0);
    await assignNumber(db, accountId, '37126661000', null);
    expect(await changeInboundUrl(db, accountId, url, true)).toEqual({ ok: true, value: { url } });
    const outcome = await receiveInbound(
      db,
      {
        provider: 'smpp',
        providerMessageId: 'in-url-1',
        from: '37120001111',
        to: '37126661000',
        text: 'STOP',
        receivedAtUs: Date.UTC(2030, 0, 1, 12, 30, 15) * 1000 + 250,
      },
      () => {},
    );
    if (outcome.status !== 'stored') throw new Error(`not stored: ${outcome.status}`);
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      callbacks: { backoffBaseMs: 1_000, backoffCapMs: 60_000, timeoutMs: 2_000, allowPrivate: true },
    });
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(60_000);
    }

    expect(hook.received.map((r) => r.answered)).toEqual([500, 200]);
    const [first, second] = hook.received as [Received, Received];
    expect(second.body).toBe(first.body);
    expect(second.delivery).toBe(first.delivery);
    expect(second.path).toBe('/smsgic/inbound');
    expect(second.contentType).toBe('application/json');
    const secret = (await getAccount(db, accountId))?.webhookSecret ?? '';
    expect(secret).not.toBe('');
    for (const request of hook.received) {
      expect(request.signature).toBe(createHmac('sha256', secret).update(request.body, 'utf8').digest('hex'));
    }
    expect(JSON.parse(second.body)).toEqual({
      id: outcome.message.id,
      from: '37120001111',
      to: '37126661000',
      text: 'STOP',
      received_at: '2030-01-01T12:30:15.000250Z',
      parts: 1,
      keyword_effect: 'opt_out',
    });
    expect(await inboundCallbackCounts(db, outcome.message.id)).toEqual({ pending: 0, delivered: 1, abandoned: 0 });
  });

  it('queues nothing for an account without an inbound_url, nor for a redelivery', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    await assignNumber(db, accountId, '37126661001', null);
    const message = {
      provider: 'smpp',
      providerMessageId: 'in-url-2',
      from: '37120001112',
      to: '37126661001',
      text: 'Hello',
      receivedAtUs: 1_000,
    };
    const first = await receiveInbound(db, message, () => {});
    if (first.status !== 'stored') throw new Error('not stored');
    expect(await inboundCallbackCounts(db, first.message.id)).toEqual({ pending: 0, delivered: 0, abandoned: 0 });

    await changeInboundUrl(db, accountId, 'https://hooks.example.com/in', false);
    expect((await receiveInbound(db, message, () => {})).status).toBe('duplicate');
    expect(await inboundCallbackCounts(db, first.message.id)).toEqual({ pending: 0, delivered: 0, abandoned: 0 });
  });

  it('refuses an internal or non-http address and clears with a blank value', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const internal = await changeInboundUrl(db, accountId, 'http://127.0.0.1:8080/in', false);
    expect(internal).toMatchObject({ ok: false, kind: 'invalid' });
    if (internal.ok || internal.kind !== 'invalid') throw new Error('accepted');
    expect(internal.errors.toJSON().errors).toEqual({
      inbound_url: ['The callback url must not point to a private, loopback, link-local or multicast address.'],
    });
    expect(await changeInboundUrl(db, accountId, 'ftp://example.com/in', false)).toMatchObject({ kind: 'invalid' });
    expect(await readInboundUrl(db, accountId)).toEqual({ ok: true, value: { url: null } });
    await changeInboundUrl(db, accountId, 'https://hooks.example.com/in', false);
    expect(await readInboundUrl(db, accountId)).toEqual({ ok: true, value: { url: 'https://hooks.example.com/in' } });
    expect(await changeInboundUrl(db, accountId, '  ', false)).toEqual({ ok: true, value: { url: null } });
    expect(await readInboundUrl(db, accountId)).toEqual({ ok: true, value: { url: null } });
  });
});
