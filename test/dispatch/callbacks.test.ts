// Customer status callbacks: signed, retried with backoff against a real HTTP server, each delivered exactly once.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DELIVERY_HEADER, SIGNATURE_HEADER } from '../../src/dispatch/callbacks.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { getAccount } from '../../src/store/accounts.js';
import { callbackCounts } from '../../src/store/callbacks.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, storedSending } from './support.js';

interface Received {
  readonly body: string;
  readonly signature: string;
  readonly delivery: string;
  readonly answered: number;
}

/** A receiver that answers 503 to its first `failures` requests, then 204. */
function flakyReceiver(failures: number) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = received.length < failures ? 503 : 204;
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers[SIGNATURE_HEADER.toLowerCase()] ?? ''),
        delivery: String(request.headers[DELIVERY_HEADER.toLowerCase()] ?? ''),
        answered,
      });
      response.statusCode = answered;
      response.end();
    });
  });
  return { server, received };
}

describeEachEngine('status callbacks', (engine) => {
  const receiver = flakyReceiver(5);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/smsgic-status`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

  it('delivers each status change exactly once after the receiver failed five times, signed', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { accountId, sending } = await storedSending(db, [numberEndingWith('0009'), numberEndingWith('0004')], {
      callbackUrl: url,
    });
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      callbacks: { backoffBaseMs: 1_000, backoffCapMs: 60_000, timeoutMs: 2_000, allowPrivate: true },
    });
    // Each round POSTs what is due; between rounds the clock passes the longest backoff.
    for (let round = 0; round < 12; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(60_000);
    }

    // Three changes: the first number accepted, then delivered; the second refused at submission.
    const delivered = receiver.received.filter((r) => r.answered === 204);
    expect(receiver.received.filter((r) => r.answered === 503)).toHaveLength(5);
    expect(delivered).toHaveLength(3);
    expect(new Set(delivered.map((r) => r.delivery)).size).toBe(3);
    const triesOf = (delivery: string) => receiver.received.filter((r) => r.delivery === delivery).length;
    expect(Math.max(...delivered.map((r) => triesOf(r.delivery)))).toBeGreaterThanOrEqual(3);
    expect(await callbackCounts(db, sending.id)).toEqual({ pending: 0, delivered: 3, abandoned: 0 });

    const secret = (await getAccount(db, accountId))?.webhookSecret ?? '';
    for (const request of receiver.received) {
      expect(request.signature).toBe(createHmac('sha256', secret).update(request.body).digest('hex'));
    }
    const bodies = delivered.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    const summary = bodies
      .map((b) => [String(b.recipient).slice(-4), b.status, b.error === null])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(summary).toEqual([
      ['0004', 'rejected', false],
      ['0009', 'delivered', true],
      ['0009', 'submitted', true],
    ]);
    for (const body of bodies) {
      expect(body.sending_id).toBe(sending.id);
      expect(typeof body.message_id).toBe('number');
      expect(String(body.status_at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    }
  });

  it('abandons a callback after its last attempt, and queues none for sendings without a callback_url', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const { sending } = await storedSending(db, [numberEndingWith('0004')], { callbackUrl: 'http://127.0.0.1:9/' });
    const quiet = await storedSending(db, [numberEndingWith('0009')]);
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      callbacks: { attemptsMax: 3, backoffBaseMs: 1_000, backoffCapMs: 1_000, timeoutMs: 1_000, allowPrivate: true },
    });
    for (let round = 0; round < 5; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(5_000);
    }
    expect(await callbackCounts(db, sending.id)).toEqual({ pending: 0, delivered: 0, abandoned: 1 });
    expect(await callbackCounts(db, quiet.sending.id)).toEqual({ pending: 0, delivered: 0, abandoned: 0 });
  });
});
