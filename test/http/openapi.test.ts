// The OpenAPI document the server publishes: version 3, every documented endpoint, and who needs a token.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { type ApiApp, startApiApp } from '../support/http-app.js';

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }>;
}

/** Answers any request can get (protocol, limits, faults, database down); routes with a token add 401. */
const ALWAYS = ['400', '408', '413', '417', '429', '431', '500', '503'];

describeEachEngine('GET /openapi.json', (engine) => {
  let api: ApiApp;
  let document: {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
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
        'GET /suppressions',
        'POST /suppressions',
        'GET /suppressions/{phone}',
        'DELETE /suppressions/{phone}',
        'GET /numbers',
        'GET /inbound',
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

  it('documents every answer of every operation, each with its JSON body schema', () => {
    const expected: Record<string, string[]> = {
      'GET /status': ['200', ...ALWAYS],
      'GET /balance': ['200', '401', ...ALWAYS],
      'GET /senders': ['200', '401', ...ALWAYS],
      'GET /rates': ['200', '401', '422', ...ALWAYS],
      'POST /sendings/calculate': ['200', '401', '415', '422', ...ALWAYS],
      'GET /sendings': ['200', '401', '422', ...ALWAYS],
      'POST /sendings': ['200', '401', '415', '422', ...ALWAYS],
      'GET /sendings/{id}': ['200', '401', '404', ...ALWAYS],
      'GET /sendings/{id}/messages': ['200', '401', '404', '422', ...ALWAYS],
      'POST /sendings/{id}/cancel': ['200', '401', '404', '415', '422', ...ALWAYS],
      'GET /suppressions': ['200', '401', '422', ...ALWAYS],
      'POST /suppressions': ['200', '401', '415', '422', ...ALWAYS],
      'GET /suppressions/{phone}': ['200', '401', '404', '422', ...ALWAYS],
      'DELETE /suppressions/{phone}': ['200', '401', '404', '422', ...ALWAYS],
      'GET /numbers': ['200', '401', ...ALWAYS],
      'GET /inbound': ['200', '401', '422', ...ALWAYS],
    };
    const documented: Record<string, string[]> = {};
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const id = `${method.toUpperCase()} ${path}`;
        documented[id] = Object.keys(operation.responses).sort();
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.content?.['application/json']?.schema, `${id} ${status}`).toBeDefined();
        }
        expect(operation.responses['429']?.headers, id).toHaveProperty('Retry-After');
      }
    }
    expect(documented).toEqual(Object.fromEntries(Object.entries(expected).map(([id, s]) => [id, s.sort()])));
  });

  it('bounds the path ids as the server does, and describes each request body for JSON, forms and multipart', () => {
    for (const path of ['/sendings/{id}', '/sendings/{id}/messages', '/sendings/{id}/cancel']) {
      for (const operation of Object.values(document.paths[path] ?? {})) {
        expect(operation.parameters?.find((p) => p.in === 'path')).toEqual({
          in: 'path',
          name: 'id',
          required: true,
          description: expect.any(String),
          schema: { type: 'integer', minimum: 1, maximum: 999_999_999_999_999 },
        });
      }
    }
    for (const operation of Object.values(document.paths['/suppressions/{phone}'] ?? {})) {
      expect(operation.parameters?.find((p) => p.in === 'path')).toMatchObject({
        in: 'path',
        name: 'phone',
        required: true,
        schema: { type: 'string', pattern: '^\\d{8,20}$' },
      });
    }
    for (const path of ['/sendings', '/sendings/calculate', '/suppressions']) {
      const body = document.paths[path]?.post?.requestBody;
      expect(Object.keys(body?.content ?? {}).sort()).toEqual(
        ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].sort(),
      );
      expect(body?.content['application/json']?.schema).toMatchObject({ type: 'object', additionalProperties: true });
    }
  });
});
