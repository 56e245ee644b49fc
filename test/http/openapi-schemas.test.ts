// The documented request schemas and the server's checks agree, input by input, on the edges where they once parted.
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addApiFormats } from '../../src/http/schema-formats.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

type Json = Record<string, unknown>;
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly schema: object;
}
interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { content: { 'application/json': { schema: object } } };
}

const SENDING = { message: 'Hi', recipients: ['37120000000'], sender: 'MegaShop' };
const ZERO_WIDTH_ONLY = '\u200b';

/**
 * Body fields of POST /sendings: [what the field is set to, whether the document calls it valid]. The server must
 * agree: it takes every valid one (200) and refuses every invalid one (422 on that field).
 */
const SENDING_FIELDS: readonly (readonly [string, Json, boolean])[] = [
  ['a blank message', { message: ' \t ' }, false],
  ['a message of a zero-width space', { message: ZERO_WIDTH_ONLY }, true],
  ['a message with NUL', { message: 'a\u0000b' }, false],
  ['a message with a lone surrogate', { message: 'a\ud800b' }, false],
  ['a message of 10,000 emoji (20,000 code units)', { message: '😀'.repeat(10_000) }, false],
  ['a UCS-2 message of 255 parts', { message: 'ж'.repeat(255 * 67) }, true],
  ['a UCS-2 message of 256 parts', { message: 'ж'.repeat(255 * 67 + 1) }, false],
  ['an empty recipient list', { recipients: [] }, false],
  ['a recipient of 7 digits', { recipients: ['1234567'] }, false],
  ['a recipient as a JSON integer', { recipients: [37120000000] }, true],
  ['a recipient as a fractional number', { recipients: [37120000000.5] }, false],
  ['a recipient beyond exact integers', { recipients: [2 ** 53 + 2] }, false],
  ['recipients as one JSON integer', { recipients: 37120000000 }, true],
  ['recipients as comma-separated text', { recipients: ' 37120000000 , 37120000001 ' }, true],
  ['recipients as text holding a JSON array', { recipients: '["37120000000", 37120000001]' }, true],
  ['recipients as text holding broken JSON', { recipients: '["37120000000"' }, false],
  ['recipients as text with an empty item', { recipients: '37120000000,' }, false],
  ['a sender with spaces around it', { sender: '  MegaShop ' }, true],
  ['a blank sender', { sender: '   ' }, false],
  ['a sender with NUL', { sender: 'Mega\u0000Shop' }, false],
  ['scheduled_at null', { scheduled_at: null }, true],
  ['scheduled_at blank', { scheduled_at: '  ' }, true],
  ['scheduled_at with spaces around it', { scheduled_at: ' 2199-01-01 00:00:00 ' }, true],
  ['scheduled_at before 1970 (now)', { scheduled_at: '1969-07-20 20:17:40' }, true],
  ['scheduled_at on 30 February', { scheduled_at: '2199-02-30 00:00:00' }, false],
  ['scheduled_at at 2200-01-01', { scheduled_at: '2200-01-01 00:00:00' }, false],
  ['scheduled_at in ISO form', { scheduled_at: '2199-01-01T00:00:00Z' }, false],
  ['scheduled_at a number', { scheduled_at: 0 }, false],
  ['type null', { type: null }, true],
  ['type blank', { type: '' }, true],
  ['type with a space', { type: ' default' }, false],
  ['type in capitals', { type: 'DEFAULT' }, false],
  ['callback_url null', { callback_url: null }, true],
  ['callback_url blank', { callback_url: ' ' }, true],
  ['callback_url in capitals', { callback_url: 'HTTPS://example.com/hook' }, true],
  ['callback_url over ftp', { callback_url: 'ftp://example.com/hook' }, false],
  ['callback_url to loopback', { callback_url: 'http://127.0.0.1/hook' }, false],
  ['callback_url to localhost', { callback_url: 'http://localhost/hook' }, false],
  ['callback_url to a private address', { callback_url: 'http://10.1.2.3/hook' }, false],
  ['callback_url with a line break', { callback_url: 'https://example.com/\nX: 1' }, false],
  ['callback_url of 2049 characters', { callback_url: `https://example.com/${'a'.repeat(2029)}` }, false],
  ['a field the API does not know', { colour: 'blue' }, true],
];

/** Query strings of GET /rates and GET /sendings: [query, whether the document calls it valid]. */
const QUERIES: readonly (readonly [string, string, boolean])[] = [
  ['/rates', 'mcc=247', true],
  ['/rates', 'mcc=', true],
  ['/rates', 'mcc=24', false],
  ['/rates', 'mcc=247&mnc=null', true],
  ['/rates', 'mcc=247&mnc=', true],
  ['/rates', 'mcc=247&mnc=1234', false],
  ['/rates', 'mnc=1', false],
  ['/rates', 'mcc=&mnc=1', false],
  ['/rates', 'country_id=0', false],
  ['/rates', 'country_id=abc', false],
  ['/sendings', 'page=1&per_page=1000', true],
  ['/sendings', 'page=0', false],
  ['/sendings', 'per_page=1001', false],
  ['/sendings', 'per_page=1.5', false],
];

describeEachEngine('request schemas and the server', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;
  let paths: Record<string, Record<string, Operation>>;
  const ajv = addApiFormats(new Ajv({ allErrors: true, strict: false }));

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    acme = await api.account({ balance: '100000' });
    paths = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
  });
  afterAll(() => api.close());

  const bodySchema = (path: string, method: string): ValidateFunction => {
    const schema = paths[path]?.[method]?.requestBody?.content['application/json'].schema;
    if (!schema) throw new Error(`${method} ${path} documents no JSON body`);
    return ajv.compile(schema);
  };
  /** Whether every query parameter is valid by its own schema, and a non-empty mnc comes with a non-empty mcc. */
  const queryValid = (path: string, query: string): boolean => {
    const parameters = paths[path]?.get?.parameters ?? [];
    const values = new URLSearchParams(query);
    for (const [name, text] of values) {
      const schema = parameters.find((p) => p.name === name)?.schema as { type?: string } | undefined;
      if (!schema || text === '') continue;
      const value = schema.type === 'integer' && /^\d+$/.test(text) ? Number(text) : text;
      if (!ajv.validate(schema, value)) return false;
    }
    const dependencies = (paths[path]?.get as { 'x-dependent-required'?: Record<string, string[]> } | undefined)?.[
      'x-dependent-required'
    ];
    for (const [name, needs] of Object.entries(dependencies ?? {})) {
      if (values.get(name) && !needs.every((n) => values.get(n))) return false;
    }
    return true;
  };

  it('POST /sendings: the document and the server take and refuse the same fields', { timeout: 60_000 }, async () => {
    const validate = bodySchema('/sendings', 'post');
    const verdicts = [];
    for (const [name, fields] of SENDING_FIELDS) {
      const payload = { ...SENDING, ...fields };
      const res = await api.app.inject({ method: 'POST', url: '/sendings', headers: acme.headers, payload });
      // `recipients.3` is a rule of the recipients field.
      const refusedOn =
        res.statusCode === 422 ? [...new Set(Object.keys(res.json().errors).map((k) => k.replace(/\.\d+$/, '')))] : [];
      verdicts.push({ name, document: validate(payload), server: res.statusCode === 200, refusedOn });
    }
    expect(verdicts).toEqual(
      SENDING_FIELDS.map(([name, fields, valid]) => ({
        name,
        document: valid,
        server: valid,
        refusedOn: valid ? [] : Object.keys(fields),
      })),
    );
  });

  it('query strings: the document and the server take and refuse the same filters and pages', async () => {
    const verdicts = [];
    for (const [path, query] of QUERIES) {
      const res = await api.app.inject({ method: 'GET', url: `${path}?${query}`, headers: acme.headers });
      verdicts.push({ query: `${path}?${query}`, document: queryValid(path, query), server: res.statusCode === 200 });
    }
    expect(verdicts).toEqual(
      QUERIES.map(([path, query, valid]) => ({ query: `${path}?${query}`, document: valid, server: valid })),
    );
  });

  it('refuses a path id beyond its documented maximum as an unknown one, before any look-up', async () => {
    const id = paths['/sendings/{id}']?.get?.parameters?.find((p) => p.name === 'id')?.schema;
    expect(id).toEqual(expect.objectContaining({ type: 'integer', minimum: 1, maximum: 999_999_999_999_999 }));
    for (const url of ['/sendings/1000000000000000', '/sendings/1000000000000000/messages']) {
      const res = await api.app.inject({ method: 'GET', url, headers: acme.headers });
      expect({ url, status: res.statusCode, body: res.json() }).toEqual({
        url,
        status: 404,
        body: { message: 'No query results for model 1000000000000000' },
      });
    }
  });

  it('refuses an Idempotency-Key over its documented 255 characters with the contract text', async () => {
    const header = paths['/sendings']?.post?.parameters?.find((p) => p.name === 'idempotency-key');
    expect(header).toMatchObject({ in: 'header', schema: { type: 'string', maxLength: 255 } });
    const post = (key: string) =>
      api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'idempotency-key': key },
        payload: SENDING,
      });
    expect((await post('k'.repeat(255))).statusCode).toBe(200);
    const text = 'The Idempotency-Key header must not be greater than 255 characters.';
    expect((await post('k'.repeat(256))).json()).toEqual({ message: text, errors: { 'Idempotency-Key': [text] } });
  });
});
