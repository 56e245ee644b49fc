// Security headers by path: the dashboard under /app (pages and its JSON API, whichever plugin declares them) gets a
// strict CSP and framing/sniffing/referrer policies; the public API gets nosniff and no caching, its bodies untouched;
// HSTS only on requests that came over TLS, as told by a trusted proxy.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createDb, type Db } from '../../src/store/db.js';
import { type ApiAccount, openAccount } from '../support/http-app.js';

const plan = loadNumberingPlan();
const EXPECTED_CSP: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'frame-ancestors': "'none'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'object-src': "'none'",
};

function cspDirectives(header: unknown): Record<string, string> {
  expect(typeof header).toBe('string');
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name as string, values.join(' ')];
      }),
  );
}

async function appWith(db: Db, trustProxy: boolean | readonly string[] = false): Promise<FastifyInstance> {
  const app = await buildApp({
    services: createApiServices({ db, plan, availableTypes: new Set(['default']) }),
    rateLimitPerMinute: 100_000,
    calculateRateLimitPerMinute: 100_000,
    bodyLimitBytes: 1024 * 1024,
    trustProxy,
  });
  // Dashboard-like routes declared afterwards in a plugin of their own, as the dashboard's are.
  await app.register(async (dashboard) => {
    dashboard.get('/app/__probe', async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><title>probe</title>'),
    );
    dashboard.get('/app/api/__probe', async () => ({ ok: true }));
    dashboard.get('/app/assets/__probe.js', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=31536000, immutable').type('text/javascript').send('1'),
    );
  });
  await app.ready();
  return app;
}

describe('security headers', () => {
  let db: Db;
  let app: FastifyInstance;
  let customer: ApiAccount;

  beforeAll(async () => {
    db = await createDb('sqlite::memory:');
    await bootstrap(db, plan);
    customer = await openAccount(db, { balance: '450' });
    app = await appWith(db);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('gives dashboard pages a strict CSP, DENY framing, nosniff, a referrer policy and no caching', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/__probe' });
    expect(res.statusCode).toBe(200);
    expect(cspDirectives(res.headers['content-security-policy'])).toEqual(EXPECTED_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('covers the dashboard JSON API and unknown /app paths alike', async () => {
    for (const url of ['/app/api/__probe', '/app/api/none-such', '/app']) {
      const res = await app.inject({ method: 'GET', url });
      expect(cspDirectives(res.headers['content-security-policy']), url).toEqual(EXPECTED_CSP);
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('leaves the caching a route chose itself (static assets)', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/assets/__probe.js' });
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives the public API nosniff and no-store without changing any documented body or status', async () => {
    const balance = await app.inject({ method: 'GET', url: '/balance', headers: customer.headers });
    expect(balance.statusCode).toBe(200);
    expect(balance.json()).toEqual({ balance: '450.000', sign: '£', code: 'GBP' });
    expect(balance.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(balance.headers['x-content-type-options']).toBe('nosniff');
    expect(balance.headers['cache-control']).toBe('no-store');
    expect(balance.headers['content-security-policy']).toBeUndefined();

    const status = await app.inject({ method: 'GET', url: '/status' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual(['OK']);
    expect(status.headers['x-content-type-options']).toBe('nosniff');

    const unauthenticated = await app.inject({ method: 'GET', url: '/balance' });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.json()).toEqual({ message: 'Unauthenticated.' });
    expect(unauthenticated.headers['cache-control']).toBe('no-store');

    const missing = await app.inject({ method: 'GET', url: '/sendings/99999', headers: customer.headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: 'No query results for model 99999' });
    expect(missing.headers['x-content-type-options']).toBe('nosniff');

    const unknown = await app.inject({ method: 'GET', url: '/nothing-here' });
    expect(unknown.json()).toEqual({ message: 'Not found.' });
    expect(unknown.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends HSTS only over TLS, and believes X-Forwarded-Proto only from a trusted proxy', async () => {
    // Not trusting any proxy: the header is anyone's word.
    const plain = await app.inject({ method: 'GET', url: '/status', headers: { 'x-forwarded-proto': 'https' } });
    expect(plain.headers['strict-transport-security']).toBeUndefined();

    const behindProxy = await appWith(db, ['10.0.0.5']);
    try {
      const fromProxy = await behindProxy.inject({
        method: 'GET',
        url: '/app/__probe',
        remoteAddress: '10.0.0.5',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(fromProxy.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const api = await behindProxy.inject({
        method: 'GET',
        url: '/balance',
        remoteAddress: '10.0.0.5',
        headers: { ...customer.headers, 'x-forwarded-proto': 'https' },
      });
      expect(api.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const forged = await behindProxy.inject({
        method: 'GET',
        url: '/app/__probe',
        remoteAddress: '203.0.113.9',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(forged.headers['strict-transport-security']).toBeUndefined();
      const plainHttp = await behindProxy.inject({
        method: 'GET',
        url: '/app/__probe',
        remoteAddress: '10.0.0.5',
        headers: { 'x-forwarded-proto': 'http' },
      });
      expect(plainHttp.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await behindProxy.close();
    }
  });
});
