// What the log says of each request: one line when it is answered (at info), and the request id on every line a
// request's own code writes, whatever the level.
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyRequestLogger, REDACTED, withLogRedaction } from '../../src/http/logging.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

/** The log's lines as written (raw JSON text), to check fields and their order. */
function logSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line);
      done();
    },
  });
  return { stream, lines };
}

describeEachEngine('the request log line', (engine) => {
  const log = logSink();
  let api: ApiApp;
  let base = '';
  let customer: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db, { logger: { level: 'info', stream: log.stream } });
    base = await api.listen();
    customer = await api.account({ balance: '10' });
  });
  afterAll(() => api.close());

  it('says, once a request is answered, its id, method, URL without secret values, status, time and address', async () => {
    log.lines.length = 0;
    const res = await fetch(`${base}/balance?api_key=SECRET-in-query&page=2&session_id=SECRET2`, {
      headers: { ...customer.headers, 'x-request-id': 'shop-7.retry:2' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('shop-7.retry:2');
    const lines = log.lines.filter((line) => line.includes('shop-7.retry:2'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'request_id',
      'method',
      'url',
      'status_code',
      'response_time_ms',
      'remote_address',
      'msg',
    ]);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      request_id: 'shop-7.retry:2',
      method: 'GET',
      url: `/balance?api_key=${REDACTED}&page=2&session_id=${REDACTED}`,
      status_code: 200,
      response_time_ms: expect.any(Number),
      remote_address: '127.0.0.1',
      msg: 'request completed',
    });
    expect(log.lines.join('\n')).not.toContain('SECRET');
  });

  it('is written for refused requests too, with the generated request id', async () => {
    log.lines.length = 0;
    const res = await fetch(`${base}/balance`, { headers: { authorization: 'Bearer smsgic_unknown' } });
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id');
    const lines = log.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ request_id: id, url: '/balance', status_code: 401, msg: 'request completed' }),
    ]);
  });
});

describe("a request's own logger", () => {
  const log = logSink();
  const app = Fastify({
    logger: withLogRedaction({ level: 'warn', stream: log.stream }),
    childLoggerFactory: lazyRequestLogger,
    requestIdHeader: 'x-request-id',
  });
  app.get('/work', async (request) => {
    request.log.info('not at warn');
    request.log.warn({ step: 1, password: 'SECRET-password' }, 'first');
    request.log.child({ part: 'inner' }).error('second');
    const log = request.log as typeof request.log & { isLevelEnabled(level: string): boolean };
    return { level: log.level, info: log.isLevelEnabled('info') };
  });
  app.get('/quiet', async () => ({ ok: true }));
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it('binds the request id to every line the request writes, redacted, and writes nothing below its level', async () => {
    log.lines.length = 0;
    const res = await app.inject({ url: '/work', headers: { 'x-request-id': 'req-1' } });
    expect(res.json()).toEqual({ level: 'warn', info: false });
    const lines = log.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, reqId: 'req-1', step: 1, password: REDACTED, msg: 'first' }),
      expect.objectContaining({ level: 50, reqId: 'req-1', part: 'inner', msg: 'second' }),
    ]);
  });

  it('writes nothing for a request that logs nothing', async () => {
    log.lines.length = 0;
    const res = await app.inject({ url: '/quiet' });
    expect(res.statusCode).toBe(200);
    expect(log.lines).toEqual([]);
  });
});
