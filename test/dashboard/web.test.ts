// The web client under /app (files, index.html for client routes, 503 when not built), `/`, and the API's 404s there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { type DashboardApp, startDashboardApp } from './dashboard-app.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/app/assets/index-abc123.js"></script></head></html>';

describeEachEngine('dashboard web client', (engine) => {
  let built: DashboardApp;
  let unbuilt: DashboardApp;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'smsgic-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("dashboard");');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    built = await startDashboardApp(engine.db, { webRoot: root });
    unbuilt = await startDashboardApp(engine.db);
  });
  afterAll(async () => {
    await built.close();
    await unbuilt.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (dash: DashboardApp, url: string, method: 'GET' | 'HEAD' = 'GET') => dash.app.inject({ method, url });

  describe('built', () => {
    it('serves index.html at /app, /app/ and every client route', async () => {
      for (const url of [
        '/app',
        '/app/',
        '/app/campaigns/12',
        '/app/admin/accounts?search=x',
        '/app/assets/missing.js',
      ]) {
        const res = await get(built, url);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type'], url).toMatch(/^text\/html/);
        expect(res.body).toBe(INDEX);
        expect(res.headers['cache-control']).toBe('no-cache');
      }
      expect((await get(built, '/app/campaigns', 'HEAD')).statusCode).toBe(200);
    });

    it('serves the built files, hashed assets cached for good', async () => {
      const asset = await get(built, '/app/assets/index-abc123.js');
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect(asset.body).toBe('console.log("dashboard");');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const icon = await get(built, '/app/favicon.svg');
      expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(icon.headers['cache-control']).toBe('no-cache');
    });

    it('never serves a file outside its folder', async () => {
      for (const url of ['/app/../package.json', '/app/%2e%2e/%2e%2e/package.json', '/app/..%2fpackage.json']) {
        const res = await get(built, url);
        expect(res.body, url).not.toContain('"name": "smsgic"');
      }
    });

    it('sends / to /app/', async () => {
      const res = await get(built, '/');
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/app/');
    });
  });

  describe('not built', () => {
    it('answers /app with a plain 503 saying so, while the API under /app/api works', async () => {
      for (const url of ['/app', '/app/', '/app/campaigns']) {
        const res = await get(unbuilt, url);
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(res.body).toMatch(/^The dashboard is not built/);
      }
      const me = await get(unbuilt, '/app/api/me');
      expect(me.statusCode).toBe(401);
      expect(me.json()).toEqual({ message: 'Unauthenticated.', code: 'unauthenticated', params: {} });
    });
  });

  it('answers unknown /app/api paths with 404 JSON, and a known one with the wrong method with 405', async () => {
    for (const dash of [built, unbuilt]) {
      for (const url of ['/app/api', '/app/api/', '/app/api/nothing', '/app/api/sendings/1/nothing']) {
        const res = await get(dash, url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json()).toEqual({ message: 'Not found.', code: 'notFound', params: {} });
      }
      const post = await dash.app.inject({ method: 'POST', url: '/app/api/nothing', payload: {} });
      expect(post.statusCode).toBe(404);
      expect(post.json()).toEqual({ message: 'Not found.', code: 'notFound', params: {} });
      const wrong = await get(dash, '/app/api/logout');
      expect(wrong.statusCode).toBe(405);
      expect(wrong.headers.allow).toBe('POST');
      expect(wrong.json()).toMatchObject({ code: 'methodNotAllowed', params: { method: 'GET', allowed: 'POST' } });
    }
  });

  it('leaves the public API as it was: its OpenAPI document has no dashboard path, its routes answer the same', async () => {
    const doc = (await get(built, '/openapi.json')).json();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app'))).toEqual([]);
    expect(Object.keys(doc.paths)).not.toContain('/');
    const status = await get(built, '/status');
    expect(status.json()).toEqual(['OK']);
    const unknown = await get(built, '/nothing');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ message: 'Not found.' });
  });
});

describeEachEngine('dashboard rate limit', (engine) => {
  let dash: DashboardApp;
  beforeAll(async () => {
    dash = await startDashboardApp(engine.db, { rateLimitPerMinute: 5, dashboardRateLimitPerMinute: 8 });
  });
  afterAll(() => dash.close());

  it("counts dashboard requests apart from the public API's per-account limit", async () => {
    const b = await dash.customer();
    const token = (await b.json<{ token: string }>(b.post('/app/api/tokens', { name: 'rl' }), 201)).token;
    // The dashboard's requests use none of the public API's allowance...
    for (let i = 0; i < 5; i++) expect((await b.get('/app/api/me')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await dash.app.inject({
        method: 'GET',
        url: '/balance',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode, `public request ${i + 1}`).toBe(200);
    }
    // ...and have their own, per user: 8 a minute here, two of which are left (token creation and five reads).
    for (let i = 0; i < 2; i++) expect((await b.get('/app/api/me')).statusCode).toBe(200);
    const limited = await b.get('/app/api/me');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ message: 'Too Many Attempts.' });
    const other = await dash.customer();
    expect((await other.get('/app/api/me')).statusCode).toBe(200);
  });
});
