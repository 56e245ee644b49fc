// The API's general rules: body formats and their faults, unknown routes and methods, request ids, server errors.
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, multipartBody, openAccount, startApiApp } from '../support/http-app.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Collects the JSON lines a Fastify logger writes. */
function logSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

const SENDING = { message: 'Hello', recipients: ['37120000000', '37120000001'], sender: 'MegaShop' };

describeEachEngine('general rules of the API', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    acme = await api.account({ balance: '1000' });
  });
  afterAll(() => api.close());

  const sendingIds = async (account: ApiAccount = acme) =>
    (await api.app.inject({ method: 'GET', url: '/sendings', headers: account.headers }))
      .json()
      .sendings.map((s: { id: number }) => s.id);

  describe('malformed bodies', () => {
    it('answers 400 {"message":"Malformed JSON in request body."} to broken JSON', async () => {
      for (const payload of ['{"message":', '{message: "hi"}', '{"a":1}}', 'null x', '[1,]']) {
        for (const url of ['/sendings', '/sendings/calculate']) {
          const res = await api.app.inject({
            method: 'POST',
            url,
            headers: { ...acme.headers, 'content-type': 'application/json' },
            payload,
          });
          expect({ payload, url, status: res.statusCode, body: res.body }).toEqual({
            payload,
            url,
            status: 400,
            body: '{"message":"Malformed JSON in request body."}',
          });
          expect(res.headers['content-type']).toBe(JSON_TYPE);
        }
      }
    });

    it('answers 400 to a JSON body that is not UTF-8', async () => {
      const payload = Buffer.concat([
        Buffer.from('{"message":"caf'),
        Buffer.from([0xe9]), // "é" in Latin-1
        Buffer.from('","recipients":["37120000000"],"sender":"MegaShop"}'),
      ]);
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'Malformed JSON in request body.' });
    });

    it('answers 400 to broken JSON sent without a JSON content type', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': 'text/plain' },
        payload: '{"message":"hi",',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'Malformed JSON in request body.' });
    });

    it('answers 400 {"message":"Malformed request body."} to a multipart body without a boundary or cut short', async () => {
      const cutShort = Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="message"\r\n\r\nHi');
      const cases: [string, Buffer | string][] = [
        ['multipart/form-data', 'message=Hi'],
        ['multipart/form-data; boundary=b0undary', cutShort],
      ];
      for (const [contentType, payload] of cases) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...acme.headers, 'content-type': contentType },
          payload,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ message: 'Malformed request body.' });
      }
    });

    it('answers a JSON body that is not an object as if no field were sent', async () => {
      for (const payload of ['[]', '"text"', '42', 'null']) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/sendings/calculate',
          headers: { ...acme.headers, 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode).toBe(422);
        expect(res.json().message).toBe('The given data was invalid.');
      }
    });
  });

  describe('unknown routes and wrong methods', () => {
    it('answers 404 {"message":"Not found."} to unknown paths, with or without a token', async () => {
      const paths = [
        '/',
        '/api/balance',
        '/balance/extra',
        '/sendings/abc',
        '/sendings/1/nothing',
        '/%ZZ',
        '/sendings/%',
      ];
      for (const url of [...paths, `/sendings/${'9'.repeat(101)}`]) {
        for (const headers of [{}, acme.headers]) {
          const res = await api.app.inject({ method: 'GET', url, headers });
          expect({ url, status: res.statusCode, body: res.body }).toEqual({
            url,
            status: 404,
            body: '{"message":"Not found."}',
          });
          expect(res.headers['content-type']).toBe(JSON_TYPE);
          expect(res.headers['x-request-id']).toMatch(UUID_RE);
        }
      }
    });

    it('answers 405 with the Laravel text and the allowed methods to a wrong method on a known route', async () => {
      const cases: [string, string, string, string][] = [
        ['GET', '/sendings/calculate', 'POST', 'sendings/calculate'],
        ['PUT', '/sendings/calculate', 'POST', 'sendings/calculate'],
        ['DELETE', '/balance', 'GET, HEAD', 'balance'],
        ['POST', '/balance', 'GET, HEAD', 'balance'],
        ['POST', '/status', 'GET, HEAD', 'status'],
        ['PATCH', '/sendings', 'GET, HEAD, POST', 'sendings'],
        ['DELETE', '/sendings/301', 'GET, HEAD', 'sendings/301'],
        ['POST', '/rates', 'GET, HEAD', 'rates'],
      ];
      for (const [method, url, allowed, path] of cases) {
        const res = await api.app.inject({ method: method as 'GET', url, headers: acme.headers });
        expect({ method, url, status: res.statusCode, body: res.json() }).toEqual({
          method,
          url,
          status: 405,
          body: { message: `The ${method} method is not supported for route ${path}. Supported methods: ${allowed}.` },
        });
        expect(res.headers.allow).toBe(allowed);
        expect(res.headers['content-type']).toBe(JSON_TYPE);
      }
      expect((await api.app.inject({ method: 'GET', url: '/sendings/calculate' })).json().message).toBe(
        'The GET method is not supported for route sendings/calculate. Supported methods: POST.',
      );
    });

    it('answers HEAD on a GET route without a body', async () => {
      const res = await api.app.inject({ method: 'HEAD', url: '/status' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
    });
  });

  describe('request ids', () => {
    it('returns an X-Request-Id on every response, a fresh one per request', async () => {
      const responses = [
        await api.app.inject({ method: 'GET', url: '/status' }),
        await api.app.inject({ method: 'GET', url: '/balance', headers: acme.headers }),
        await api.app.inject({ method: 'GET', url: '/balance' }),
        await api.app.inject({ method: 'GET', url: '/nothing' }),
        await api.app.inject({ method: 'DELETE', url: '/balance' }),
        await api.app.inject({ method: 'POST', url: '/sendings', headers: acme.headers, payload: {} }),
        await api.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...acme.headers, 'content-type': 'application/json' },
          payload: '{',
        }),
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 401, 404, 405, 422, 400]);
      const ids = responses.map((r) => r.headers['x-request-id']);
      for (const id of ids) expect(id).toMatch(UUID_RE);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("echoes a caller's sane request id and replaces one that is not", async () => {
      const echoed = await api.app.inject({
        method: 'GET',
        url: '/balance',
        headers: { ...acme.headers, 'x-request-id': 'shop-42.retry:1_A' },
      });
      expect(echoed.headers['x-request-id']).toBe('shop-42.retry:1_A');
      for (const insane of ['has spaces', 'a'.repeat(129), '<script>', 'line\tbreak', '']) {
        const res = await api.app.inject({ method: 'GET', url: '/status', headers: { 'x-request-id': insane } });
        expect(res.headers['x-request-id']).toMatch(UUID_RE);
      }
    });
  });

  describe('body formats', () => {
    it('creates a sending from a JSON body', async () => {
      const res = await api.app.inject({ method: 'POST', url: '/sendings', headers: acme.headers, payload: SENDING });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ message: 'SMS champing created', sending_id: expect.any(Number) });
    });

    it('creates a sending from a form body with recipients[]=…, brackets raw or encoded', async () => {
      for (const brackets of ['[]', '%5B%5D']) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `message=Hello+there%21&recipients${brackets}=37120000000&recipients${brackets}=37120000001&sender=MegaShop`,
        });
        expect(res.statusCode).toBe(200);
        const id = res.json().sending_id;
        const listed = (await api.app.inject({ method: 'GET', url: '/sendings', headers: acme.headers })).json();
        expect(listed.sendings[0]).toMatchObject({ id, text: 'Hello there!', total_sms: 2 });
      }
    });

    it('creates a sending from a multipart body with recipients[] fields', async () => {
      const { payload, contentType } = multipartBody([
        ['message', 'Hello from a form'],
        ['recipients[]', '37120000000'],
        ['recipients[]', '37120000001'],
        ['recipients[]', '37120000002'],
        ['sender', 'MegaShop'],
      ]);
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'content-type': contentType },
        payload,
      });
      expect(res.statusCode).toBe(200);
      const listed = (await api.app.inject({ method: 'GET', url: '/sendings', headers: acme.headers })).json();
      expect(listed.sendings[0]).toMatchObject({ id: res.json().sending_id, text: 'Hello from a form', total_sms: 3 });
    });

    it('prices the same recipients alike from JSON, form and multipart bodies', async () => {
      const json = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: acme.headers,
        payload: { message: 'Hi', recipients: ['37120000000', '4525123456'] },
      });
      const form = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&recipients[]=37120000000&recipients[]=4525123456',
      });
      const single = multipartBody([
        ['message', 'Hi'],
        ['recipients[]', '37120000000'],
        ['recipients[]', '4525123456'],
      ]);
      const multipart = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': single.contentType },
        payload: single.payload,
      });
      expect(json.statusCode).toBe(200);
      expect(form.body).toBe(json.body);
      expect(multipart.body).toBe(json.body);
    });

    it('reads a single recipients[] of a form or multipart body as a list of one', async () => {
      const form = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&recipients[]=37120000000',
      });
      const one = multipartBody([
        ['message', 'Hi'],
        ['recipients[]', '37120000000'],
      ]);
      const multipart = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': one.contentType },
        payload: one.payload,
      });
      expect(form.statusCode).toBe(200);
      expect(form.json().calculate.info.sms_count).toBe(1);
      expect(multipart.body).toBe(form.body);
    });

    it('reads a key repeated without brackets as a list, in a form, a multipart body and a query', async () => {
      const form = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&recipients=37120000000&recipients=4525123456&recipients=37120000001',
      });
      expect(form.statusCode).toBe(200);
      expect(form.json().calculate.info.sms_count).toBe(3);
      const repeated = multipartBody([
        ['message', 'Hi'],
        ['recipients', '37120000000'],
        ['recipients', '4525123456'],
        ['recipients', '37120000001'],
      ]);
      const multipart = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': repeated.contentType },
        payload: repeated.payload,
      });
      expect(multipart.body).toBe(form.body);

      // Created, every recipient is a message: none is dropped.
      const created = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&sender=MegaShop&recipients=37120000000&recipients=37120000001',
      });
      expect(created.statusCode).toBe(200);
      const listed = (await api.app.inject({ method: 'GET', url: '/sendings', headers: acme.headers })).json();
      expect(listed.sendings[0]).toMatchObject({ id: created.json().sending_id, total_sms: 2 });

      // A single value given twice is a list, which that field refuses rather than keeping one silently.
      const twice = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&message=Ho&recipients=37120000000',
      });
      expect(twice.statusCode).toBe(422);
      expect(Object.keys(twice.json().errors)).toEqual(['message']);
    });

    it('reads multipart bodies on POST and DELETE routes, beside GET and HEAD requests of the same paths', async () => {
      const account = await api.account();
      const added = multipartBody([
        ['phone_numbers[]', '37120000005'],
        ['phone_numbers[]', '37120000006'],
        ['sender', 'MegaShop'],
      ]);
      const add = await api.app.inject({
        method: 'POST',
        url: '/suppressions',
        headers: { ...account.headers, 'content-type': added.contentType },
        payload: added.payload,
      });
      expect(add.statusCode).toBe(200);
      expect(add.json()).toEqual({ added: 2 });
      const find = () =>
        api.app.inject({ method: 'GET', url: '/suppressions/37120000005?sender=MegaShop', headers: account.headers });
      expect((await find()).json().suppression).toMatchObject({ phone_number: '37120000005', sender: 'MegaShop' });
      const head = await api.app.inject({ method: 'HEAD', url: '/suppressions', headers: account.headers });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');

      // The entry of that sender is the one removed: the body's `sender` was read.
      const sender = multipartBody([['sender', 'MegaShop']]);
      const remove = await api.app.inject({
        method: 'DELETE',
        url: '/suppressions/37120000005',
        headers: { ...account.headers, 'content-type': sender.contentType },
        payload: sender.payload,
      });
      expect(remove.statusCode).toBe(200);
      expect(remove.json()).toEqual({ phone_number: '37120000005', removed: true });
      expect((await find()).statusCode).toBe(404);

      const balance = await api.app.inject({ method: 'GET', url: '/balance', headers: account.headers });
      expect(balance.statusCode).toBe(200);
      expect(balance.json()).toEqual({ balance: '0.000', sign: '£', code: 'GBP' });
    });

    it('leaves an uploaded file out of the fields of a multipart body', async () => {
      const boundary = 'f1leb0undary';
      const payload = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\nHi\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="recipients"; filename="numbers.txt"\r\n` +
          `Content-Type: text/plain\r\n\r\n37120000000\r\n--${boundary}--\r\n`,
      );
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { ...acme.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `recipients` post parameter with recipient`s number',
        errors: { recipients: ['Please send `recipients` post parameter with recipient`s number'] },
      });
    });

    it('keys the errors of a form body by field and recipient index', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&recipients[]=37120000000&recipients[]=12ab&sender=MegaShop',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The recipients.1 field format is invalid.',
        errors: { 'recipients.1': ['The recipients.1 field format is invalid.'] },
      });
    });

    it('reads the query string of a GET', async () => {
      const res = await api.app.inject({ method: 'GET', url: '/rates?mcc=247&mnc=null', headers: acme.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ rates: [{ mcc: '247', mnc: null, country: 'Latvia', rate: 0.045 }] });
    });

    it('answers JSON whatever the Accept header asks for', async () => {
      const accept = { accept: 'text/html,application/xhtml+xml' };
      const cases = [
        await api.app.inject({ method: 'GET', url: '/balance', headers: { ...acme.headers, ...accept } }),
        await api.app.inject({ method: 'GET', url: '/balance', headers: accept }),
        await api.app.inject({ method: 'GET', url: '/nowhere', headers: accept }),
        await api.app.inject({ method: 'DELETE', url: '/balance', headers: accept }),
        await api.app.inject({ method: 'GET', url: '/status', headers: accept }),
        await api.app.inject({
          method: 'POST',
          url: '/sendings/calculate',
          headers: { ...acme.headers, ...accept },
          payload: { message: 'Hi', recipients: ['37120000000'] },
        }),
      ];
      expect(cases.map((r) => r.statusCode)).toEqual([200, 401, 404, 405, 200, 200]);
      for (const res of cases) {
        expect(res.headers['content-type']).toBe(JSON_TYPE);
        expect(() => JSON.parse(res.body)).not.toThrow();
      }
    });
  });

  describe('body size limit', () => {
    let small: ApiApp;
    let account: ApiAccount;
    const LIMIT = 2048;

    beforeAll(async () => {
      small = await startApiApp(engine.db, { bodyLimitBytes: LIMIT });
      account = await small.account({ balance: '100' });
    });
    afterAll(() => small.close());

    const recipients = (n: number) => Array.from({ length: n }, (_, i) => String(37_120_000_000 + i));

    it('answers 413 with a JSON message to a JSON body over the limit, creating nothing', async () => {
      const before = await sendingIds(account);
      const payload = JSON.stringify({ message: 'Hi', recipients: recipients(200), sender: 'MegaShop' });
      expect(payload.length).toBeGreaterThan(LIMIT);
      for (const url of ['/sendings', '/sendings/calculate']) {
        const res = await small.app.inject({
          method: 'POST',
          url,
          headers: { ...account.headers, 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode).toBe(413);
        expect(res.headers['content-type']).toBe(JSON_TYPE);
        expect(res.json()).toEqual({ message: 'The request body is too large.' });
      }
      expect(await sendingIds(account)).toEqual(before);
    });

    it('answers 413 to a form body over the limit', async () => {
      const payload = `message=Hi&sender=MegaShop&${recipients(200)
        .map((r) => `recipients[]=${r}`)
        .join('&')}`;
      const res = await small.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...account.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ message: 'The request body is too large.' });
    });

    it('answers 413 to a multipart body over the limit, in one field or in many', async () => {
      const before = await sendingIds(account);
      const oneBigField = multipartBody([
        ['message', 'x'.repeat(LIMIT + 100)],
        ['recipients[]', '37120000000'],
        ['sender', 'MegaShop'],
      ]);
      const manyFields = multipartBody([
        ['message', 'Hi'],
        ['sender', 'MegaShop'],
        ...recipients(200).map((r): [string, string] => ['recipients[]', r]),
      ]);
      for (const body of [oneBigField, manyFields]) {
        const res = await small.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...account.headers, 'content-type': body.contentType },
          payload: body.payload,
        });
        expect(res.statusCode).toBe(413);
        expect(res.json()).toEqual({ message: 'The request body is too large.' });
      }
      expect(await sendingIds(account)).toEqual(before);
    });

    /** Streams a multipart body through a real socket in chunks, so that it declares no Content-Length. */
    const sendChunked = async (body: { payload: Buffer; contentType: string }) =>
      fetch(`${await small.listen()}/sendings`, {
        method: 'POST',
        headers: { ...account.headers, 'content-type': body.contentType },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < body.payload.length; i += 512) controller.enqueue(body.payload.subarray(i, i + 512));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);

    it('answers 413 to a chunked multipart body over the limit, which declares no length', async () => {
      const before = await sendingIds(account);
      const over = multipartBody([
        ['message', 'Hi'],
        ['sender', 'MegaShop'],
        ...recipients(200).map((r): [string, string] => ['recipients[]', r]),
      ]);
      const tooLarge = await sendChunked(over);
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toEqual({ message: 'The request body is too large.' });
      expect(await sendingIds(account)).toEqual(before);
      const under = multipartBody([
        ['message', 'Hi'],
        ['sender', 'MegaShop'],
        ...recipients(20).map((r): [string, string] => ['recipients[]', r]),
      ]);
      expect((await sendChunked(under)).status).toBe(200);
    });

    it('answers 413 to a chunked multipart body whose uploaded file is over the limit', async () => {
      const boundary = 'f1leb0undary';
      const payload = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="big.txt"\r\n\r\n` +
          `${'9'.repeat(LIMIT + 100)}\r\n--${boundary}--\r\n`,
      );
      const res = await sendChunked({ payload, contentType: `multipart/form-data; boundary=${boundary}` });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ message: 'The request body is too large.' });
    });

    it('accepts a body just under the limit', async () => {
      const res = await small.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: account.headers,
        payload: { message: 'Hi', recipients: recipients(50), sender: 'MegaShop' },
      });
      expect(res.statusCode).toBe(200);
    });
  });
});

describeEachEngine('server faults', (engine) => {
  let db: Db;
  let api: ApiApp;
  let account: ApiAccount;
  const log = logSink();

  beforeAll(async () => {
    db = await createDb(engine.url);
    api = await startApiApp(db, { logger: { level: 'info', stream: log.stream } });
    account = await openAccount(db, { balance: '100' });
  });
  afterAll(async () => {
    await api.close();
    await db.close().catch(() => {});
  });

  it('answers 500 {"message":"Server Error"} when the store fails mid-sending, logs it, and charges nothing', async () => {
    // The messages table is gone: the sending is priced and reserved, then its rows cannot be written.
    await sql`alter table messages rename to messages_gone`.execute(db.kysely);
    const res = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: { ...account.headers, 'x-request-id': 'fault-1' },
      payload: SENDING,
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe(JSON_TYPE);
    expect(res.headers['x-request-id']).toBe('fault-1');
    expect(res.body).toBe('{"message":"Server Error"}');
    const logged = log.lines.find((line) => line.level === 50 && line.request_id === 'fault-1');
    expect(logged).toMatchObject({ msg: 'request failed', err: { message: expect.stringMatching(/messages/) } });
    expect((logged as { err: { stack: string } }).err.stack).toContain('\n    at ');

    const balance = await api.app.inject({ method: 'GET', url: '/balance', headers: account.headers });
    expect(balance.json().balance).toBe('100.000');
    const listed = await api.app.inject({ method: 'GET', url: '/sendings', headers: account.headers });
    expect(listed.json()).toEqual({ sendings: [] });
  });

  it('answers 500 without a stack trace on every endpoint once the database is gone, and /status says DOWN', async () => {
    await db.close();
    const requests = [
      { method: 'GET', url: '/balance' },
      { method: 'GET', url: '/senders' },
      { method: 'GET', url: '/rates' },
      { method: 'GET', url: '/sendings' },
      { method: 'GET', url: '/sendings/1' },
      { method: 'POST', url: '/sendings', payload: SENDING },
      { method: 'POST', url: '/sendings/calculate', payload: SENDING },
    ] as const;
    for (const request of requests) {
      const res = await api.app.inject({ ...request, headers: { ...account.headers, accept: 'text/html' } });
      expect({ url: request.url, status: res.statusCode, body: res.body }).toEqual({
        url: request.url,
        status: 500,
        body: '{"message":"Server Error"}',
      });
      const id = res.headers['x-request-id'];
      expect(id).toMatch(UUID_RE);
      expect(log.lines.some((line) => line.level === 50 && line.request_id === id && line.err)).toBe(true);
    }
    const status = await api.app.inject({ method: 'GET', url: '/status' });
    expect(status.statusCode).toBe(503);
    expect(status.headers['content-type']).toBe(JSON_TYPE);
    expect(status.body).toBe('["DOWN"]');
  });
});
