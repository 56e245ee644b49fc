// The OpenAPI document the server publishes: version 3, every documented endpoint, and who needs a token.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { type ApiApp, startApiApp } from '../support/http-app.js';

describeEachEngine('GET /openapi.json', (engine) => {
  let api: ApiApp;
  let document: {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { security?: unknown[] }>>;
    security?: unknown[];
    components?: { securitySchemes?: Record<string, unknown> };
  };

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    const res = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    document = res.json();
  });
  afterAll(() => api.close());

  it('is an OpenAPI 3 document served without a token', () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info).toMatchObject({ title: 'SMSgic API', version: expect.any(String) });
  });

  it('lists every documented path and the extensions, with their methods, and nothing else', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /balance',
        'GET /senders',
        'GET /rates',
        'GET /status',
        'POST /sendings/calculate',
        'GET /sendings',
        'POST /sendings',
        'GET /sendings/{id}',
        'GET /sendings/{id}/messages',
        'POST /sendings/{id}/cancel',
      ].sort(),
    );
  });

  it('requires a bearer token everywhere but GET /status', () => {
    expect(document.components?.securitySchemes?.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/status']?.get?.security).toEqual([]);
    for (const [path, methods] of Object.entries(document.paths)) {
      if (path === '/status') continue;
      for (const operation of Object.values(methods)) expect(operation.security).toBeUndefined();
    }
  });
});
