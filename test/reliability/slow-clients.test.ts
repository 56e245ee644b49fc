// Clients that hold connections open (slowloris: headers or a body one byte at a time, idle keep-alive) are cut off
// within bounded times, and an oversized body is answered 413 without the server reading the rest of it; all of it
// over raw TCP sockets against a listening server.
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createDb, type Db } from '../../src/store/db.js';
import { type ApiAccount, openAccount } from '../support/http-app.js';

const TIMEOUTS = {
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  keepAliveTimeoutMs: 500,
  connectionTimeoutMs: 10_000,
};
const BODY_LIMIT_BYTES = 64 * 1024;
/** Node looks for overdue requests every quarter of the headers timeout; this covers that and a busy machine. */
const SLACK_MS = 1_500;

interface RawClient {
  readonly socket: Socket;
  /** Everything the server wrote. */
  received(): string;
  /** Resolves when the server has closed the connection, with how long after the start it did. */
  readonly closed: Promise<number>;
  /** Bytes this client has written. */
  sent(): number;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let sent = 0;
    const write = socket.write.bind(socket);
    socket.write = ((chunk: string | Buffer, ...rest: never[]) => {
      sent += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof socket.write;
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => data, closed, sent: () => sent }));
    socket.once('error', reject);
  });
}

/** Writes `byte` every `everyMs` until the connection closes. */
function trickle(client: RawClient, byte: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (client.socket.destroyed || !client.socket.writable) clearInterval(timer);
    else client.socket.write(byte);
  }, everyMs);
  void client.closed.then(() => clearInterval(timer));
}

describe('slow and oversized clients', () => {
  let db: Db;
  let app: FastifyInstance;
  let port = 0;
  let customer: ApiAccount;

  beforeAll(async () => {
    db = await createDb('sqlite::memory:');
    const plan = loadNumberingPlan();
    await bootstrap(db, plan);
    customer = await openAccount(db, { balance: '10' });
    app = await buildApp({
      services: createApiServices({ db, plan, availableTypes: new Set(['default']) }),
      rateLimitPerMinute: 100_000,
      calculateRateLimitPerMinute: 100_000,
      bodyLimitBytes: BODY_LIMIT_BYTES,
      timeouts: TIMEOUTS,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const head = (method: string, path: string, headers: Record<string, string | number>) =>
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}`;

  it('cuts off a client that sends its headers one byte at a time (slowloris)', async () => {
    const client = await rawClient(port);
    client.socket.write(`${head('GET', '/status', {})}X-Slow: `);
    // Never idle long enough for an idle timeout: only the headers timeout can end this.
    trickle(client, 'a', 250);
    const ms = await client.closed;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersTimeoutMs - 100);
    expect(ms).toBeLessThan(TIMEOUTS.headersTimeoutMs + SLACK_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a client that sends its body one byte at a time', async () => {
    const client = await rawClient(port);
    client.socket.write(
      `${head('POST', '/sendings/calculate', {
        authorization: customer.headers.authorization,
        'content-type': 'application/json',
        'content-length': 1_000,
      })}\r\n{`,
    );
    trickle(client, ' ', 250);
    const ms = await client.closed;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 100);
    expect(ms).toBeLessThan(TIMEOUTS.requestTimeoutMs + SLACK_MS);
    expect(client.received()).not.toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = await rawClient(port);
    client.socket.write(`${head('GET', '/status', {})}\r\n`);
    const ms = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received()).toContain('["OK"]');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveTimeoutMs - 100);
    // Node keeps an idle keep-alive socket a further second beyond keepAliveTimeout before it closes it.
    expect(ms).toBeLessThan(TIMEOUTS.keepAliveTimeoutMs + 1_000 + SLACK_MS);
  });

  it('answers 413 to a declared oversized body at once and closes, without waiting for the body', async () => {
    const client = await rawClient(port);
    const declared = 100 * 1024 * 1024;
    client.socket.write(
      `${head('POST', '/sendings/calculate', {
        authorization: customer.headers.authorization,
        'content-type': 'application/json',
        'content-length': declared,
      })}\r\n{"message":"`,
    );
    client.socket.write('x'.repeat(8 * 1024));
    // The client sends nothing more and does not close: the server must end it.
    const ms = await client.closed;
    expect(ms).toBeLessThan(SLACK_MS);
    const answer = client.received();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('{"message":"The request body is too large."}');
    expect(client.sent()).toBeLessThan(16 * 1024);
  });

  it('answers 413 to a chunked body once it passes the limit, long before the client has sent it all', async () => {
    const client = await rawClient(port);
    client.socket.write(
      `${head('POST', '/sendings/calculate', {
        authorization: customer.headers.authorization,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      })}\r\n`,
    );
    const chunk = `${(16 * 1024).toString(16)}\r\n${'x'.repeat(16 * 1024)}\r\n`;
    // Up to 100 MiB, one 16 KiB chunk at a time, until the server answers.
    const timer = setInterval(() => {
      if (client.received() !== '' || client.socket.destroyed || client.sent() > 100 * 1024 * 1024) {
        clearInterval(timer);
        return;
      }
      client.socket.write(chunk);
    }, 2);
    const ms = await client.closed;
    clearInterval(timer);
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.sent()).toBeLessThan(BODY_LIMIT_BYTES + 1024 * 1024);
    expect(ms).toBeLessThan(5_000);
  });

  it('answers 413 to an oversized multipart body and closes without reading it', async () => {
    const client = await rawClient(port);
    const boundary = 'smsgic-boundary';
    client.socket.write(
      `${head('POST', '/sendings/calculate', {
        authorization: customer.headers.authorization,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': 50 * 1024 * 1024,
      })}\r\n--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n`,
    );
    client.socket.write('x'.repeat(4 * 1024));
    const ms = await client.closed;
    expect(ms).toBeLessThan(SLACK_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.received()).toContain('{"message":"The request body is too large."}');
  });
});
