// Every request and response example of the published API page, as a client sends and reads them.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import { replaceRates } from '../../src/store/rates.js';
import { addSender } from '../../src/store/senders.js';
import { createToken, revokeTokenAsOperator } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const ISO_US_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const YMD_HIS_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Sends raw HTTP/1.1 over a socket, byte for byte (as curl does with `-G -d '{…}'`), and returns status and body. */
function rawRequest(baseUrl: string, head: string): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, body });
    });
  });
}

describeEachEngine('the published API page', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    acme = await api.account({ balance: '450' });
  });
  afterAll(() => api.close());

  const get = (url: string, account: ApiAccount = acme) =>
    api.app.inject({
      method: 'GET',
      url,
      headers: { ...account.headers, 'content-type': 'application/json', accept: 'application/json' },
    });
  const post = (url: string, payload: unknown, account: ApiAccount = acme) =>
    api.app.inject({
      method: 'POST',
      url,
      headers: { ...account.headers, 'content-type': 'application/json', accept: 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  describe('GET /balance', () => {
    it('shows a GBP balance of 450 as the page does', async () => {
      const res = await get('/balance');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(JSON_TYPE);
      expect(res.body).toBe('{"balance":"450.000","sign":"£","code":"GBP"}');
    });

    it('truncates the balance to three decimals, never rounding up', async () => {
      const account = await api.account({ balance: '449.1206' });
      expect((await get('/balance', account)).json()).toEqual({ balance: '449.120', sign: '£', code: 'GBP' });
    });

    it("shows the account's own currency sign and code", async () => {
      const euro = await api.account({ currency: 'EUR', balance: '0.0009' });
      const dollar = await api.account({ currency: 'USD' });
      expect((await get('/balance', euro)).json()).toEqual({ balance: '0.000', sign: '€', code: 'EUR' });
      expect((await get('/balance', dollar)).json()).toEqual({ balance: '0.000', sign: '$', code: 'USD' });
    });
  });

  describe('401 on every endpoint that needs a token', () => {
    const endpoints: readonly { method: 'GET' | 'POST'; url: string }[] = [
      { method: 'GET', url: '/balance' },
      { method: 'GET', url: '/senders' },
      { method: 'GET', url: '/rates' },
      { method: 'POST', url: '/sendings/calculate' },
      { method: 'GET', url: '/sendings' },
      { method: 'POST', url: '/sendings' },
      { method: 'GET', url: '/sendings/301' },
    ];

    const authorizations = async (): Promise<[string, Record<string, string>][]> => {
      const account = await api.account({ balance: '10' });
      const revoked = await createToken(engine.db, account.id);
      await revokeTokenAsOperator(engine.db, revoked.id);
      const expired = await createToken(engine.db, account.id, { expiresAtUs: engine.db.nowUs() - 1 });
      const unknown = `smsgic_${'A'.repeat(43)}`;
      return [
        ['no Authorization header', {}],
        ['a Basic scheme', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
        ['Bearer without a token', { authorization: 'Bearer' }],
        ['a malformed token', { authorization: 'Bearer not-a-token' }],
        ['a token with a stray word', { authorization: `Bearer ${account.token} extra` }],
        ['an unknown token', { authorization: `Bearer ${unknown}` }],
        ['a revoked token', { authorization: `Bearer ${revoked.token}` }],
        ['an expired token', { authorization: `Bearer ${expired.token}` }],
      ];
    };

    it('answers {"message":"Unauthenticated."} for a missing, malformed, unknown, revoked or expired token', async () => {
      for (const [why, headers] of await authorizations()) {
        for (const { method, url } of endpoints) {
          const res = await api.app.inject({
            method,
            url,
            headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
            ...(method === 'POST' && { payload: '{"message":"message","recipients":["50670503888225"]}' }),
          });
          expect({ why, method, url, status: res.statusCode, body: res.body }).toEqual({
            why,
            method,
            url,
            status: 401,
            body: '{"message":"Unauthenticated."}',
          });
          expect(res.headers['content-type']).toBe(JSON_TYPE);
        }
      }
    });

    it('lets the same requests through with a valid token', async () => {
      for (const { method, url } of endpoints.filter((e) => e.method === 'GET' && !e.url.includes('301'))) {
        expect((await api.app.inject({ method, url, headers: acme.headers })).statusCode).toBe(200);
      }
    });
  });

  describe('GET /senders', () => {
    it("lists the account's approved senders in the page's shape, oldest first", async () => {
      const account = await api.account({ sender: 'MegaShop' });
      const dstl = await addSender(engine.db, account.id, 'DSTLCKDM', 'approved');
      await addSender(engine.db, account.id, 'Waiting', 'pending');
      await addSender(engine.db, account.id, 'Refused', 'rejected');
      const mega = await addSender(engine.db, account.id, 'MEGA', 'approved');
      const res = await get('/senders', account);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.senders.map((s: { sender: string }) => s.sender)).toEqual(['MegaShop', 'DSTLCKDM', 'MEGA', 'SMSgic']);
      expect(body.senders[1]).toEqual({ id: dstl.id, sender: 'DSTLCKDM' });
      expect(body.senders[2]).toEqual({ id: mega.id, sender: 'MEGA' });
      expect(Object.keys(body.senders[0])).toEqual(['id', 'sender']);
      // The platform's default sender, which POST /sendings accepts from every account, comes last and marked.
      expect(body.senders[3]).toEqual({ id: expect.any(Number), sender: 'SMSgic', platform: true });
    });

    it('lists the platform default to an account without senders of its own, and a sending may use it', async () => {
      const account = await api.account({ sender: null, balance: '10' });
      const listed = (await get('/senders', account)).json();
      expect(listed).toEqual({ senders: [{ id: expect.any(Number), sender: 'SMSgic', platform: true }] });
      const created = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: account.headers,
        payload: { message: 'Hi', recipients: ['37126123456'], sender: listed.senders[0].sender },
      });
      expect(created.statusCode).toBe(200);
    });

    it('lists a platform name the account also has as its own once, as its own', async () => {
      const account = await api.account({ sender: null });
      const own = await addSender(engine.db, account.id, 'SMSgic', 'approved');
      expect((await get('/senders', account)).json()).toEqual({ senders: [{ id: own.id, sender: 'SMSgic' }] });
    });
  });

  describe('GET /rates', () => {
    let latvian: ApiAccount;

    beforeAll(async () => {
      latvian = await api.account();
      const rate = parseMoney('0.4397');
      const replaced = await replaceRates(engine.db, latvian.id, [
        { mcc: '247', mnc: '05', rateMinor: rate },
        { mcc: '247', mnc: null, rateMinor: rate },
        { mcc: '247', mnc: '01', rateMinor: parseMoney('0.04') },
        { mcc: '238', mnc: null, rateMinor: parseMoney('0.45') },
        { mcc: '238', mnc: '02', rateMinor: parseMoney('0.45') },
      ]);
      if (!replaced.ok) throw new Error(replaced.reason);
    });

    const all = [
      { mcc: '238', mnc: null, country: 'Denmark', rate: 0.45 },
      { mcc: '238', mnc: '02', country: 'Denmark', rate: 0.45 },
      { mcc: '247', mnc: null, country: 'Latvia', rate: 0.4397 },
      { mcc: '247', mnc: '01', country: 'Latvia', rate: 0.04 },
      { mcc: '247', mnc: '05', country: 'Latvia', rate: 0.4397 },
    ];

    it("lists the account's price list in the page's shape, the country-wide row first", async () => {
      const res = await get('/rates', latvian);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ rates: all });
      expect(res.body).toContain('{"mcc":"247","mnc":null,"country":"Latvia","rate":0.4397}');
    });

    it('filters by mcc, by mnc, and by mnc=null for the country-wide rows', async () => {
      expect((await get('/rates?mcc=247', latvian)).json()).toEqual({ rates: all.slice(2) });
      expect((await get('/rates?mcc=247&mnc=01', latvian)).json()).toEqual({ rates: [all[3]] });
      expect((await get('/rates?mcc=247&mnc=null', latvian)).json()).toEqual({ rates: [all[2]] });
      expect((await get('/rates?mcc=238&mnc=1', latvian)).json()).toEqual({ rates: [] });
    });

    it('filters by a part of the country name in any case', async () => {
      expect((await get('/rates?country=atv', latvian)).json()).toEqual({ rates: all.slice(2) });
      expect((await get('/rates?country=LATVIA', latvian)).json()).toEqual({ rates: all.slice(2) });
      expect((await get('/rates?country=enMA', latvian)).json()).toEqual({ rates: all.slice(0, 2) });
      expect((await get('/rates?country=Narnia', latvian)).json()).toEqual({ rates: [] });
    });

    it('filters by country_id', async () => {
      const latviaId = 1;
      const denmarkId = 59;
      expect((await get(`/rates?country_id=${latviaId}`, latvian)).json()).toEqual({ rates: all.slice(2) });
      expect((await get(`/rates?country_id=${denmarkId}`, latvian)).json()).toEqual({ rates: all.slice(0, 2) });
    });

    it('combines filters', async () => {
      expect((await get('/rates?mcc=247&mnc=null&country=latvia&country_id=1', latvian)).json()).toEqual({
        rates: [all[2]],
      });
      expect((await get('/rates?mcc=238&country=latvia', latvian)).json()).toEqual({ rates: [] });
    });

    it("reads the page's combined example sent as its curl sends it: the JSON in the query string", async () => {
      const json = '{"mcc":"742","mnc":"551","country":"Latvia","country_id":1}';
      const res = await get(`/rates?${encodeURIComponent(json)}`, latvian);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ rates: [] });
      const latviaOnly = '{"mcc":"247","mnc":"null","country":"latvia","country_id":1}';
      expect((await get(`/rates?${encodeURIComponent(latviaOnly)}`, latvian)).json()).toEqual({ rates: [all[2]] });
    });

    it('reads the JSON query string of `curl -G -d` unencoded, byte for byte, through a real socket', async () => {
      const baseUrl = await api.listen();
      const query = '{"mcc":"247","mnc":"null","country":"Latvia","country_id":1}';
      const res = await rawRequest(
        baseUrl,
        `GET /rates?${query} HTTP/1.1\r\nHost: api.smsgic.com\r\nAuthorization: Bearer ${latvian.token}\r\n` +
          'Content-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ rates: [all[2]] });
    });

    it('requires mcc when mnc is present', async () => {
      const res = await get('/rates?mnc=01', latvian);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The mcc field is required when mnc is present.',
        errors: { mcc: ['The mcc field is required when mnc is present.'] },
      });
      expect((await get('/rates?mnc=null', latvian)).json().errors).toEqual({
        mcc: ['The mcc field is required when mnc is present.'],
      });
    });

    it('refuses an mcc that is not three digits', async () => {
      for (const mcc of ['74', '7421', 'abc', '24 7']) {
        const res = await get(`/rates?mcc=${encodeURIComponent(mcc)}`, latvian);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'The mcc field format is invalid.',
          errors: { mcc: ['The mcc field format is invalid.'] },
        });
      }
    });

    it('refuses an mnc that is neither 0 to 3 digits nor the word null', async () => {
      const res = await get('/rates?mcc=247&mnc=1234', latvian);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The mnc field format is invalid.',
        errors: { mnc: ['The mnc field format is invalid.'] },
      });
    });

    it('refuses a country_id the catalog does not know', async () => {
      for (const id of ['99999', '0']) {
        const res = await get(`/rates?country_id=${id}`, latvian);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'The selected country id is invalid.',
          errors: { country_id: ['The selected country id is invalid.'] },
        });
      }
    });

    it('refuses a country_id that is not an integer', async () => {
      for (const id of ['latvia', '1.5', '-1']) {
        const res = await get(`/rates?country_id=${id}`, latvian);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'The country id field must be an integer.',
          errors: { country_id: ['The country id field must be an integer.'] },
        });
      }
    });

    it('refuses a filter sent as an array', async () => {
      const res = await get('/rates?mcc[]=247', latvian);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The mcc field must be a string.',
        errors: { mcc: ['The mcc field must be a string.'] },
      });
    });

    it('lists every failing filter at once under the general message', async () => {
      const res = await get('/rates?mcc=12&country_id=99999', latvian);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The given data was invalid.',
        errors: {
          mcc: ['The mcc field format is invalid.'],
          country_id: ['The selected country id is invalid.'],
        },
      });
    });
  });

  describe('GET /status', () => {
    it('answers ["OK"] without a token', async () => {
      const res = await api.app.inject({ method: 'GET', url: '/status', headers: { accept: 'application/json' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(JSON_TYPE);
      expect(res.body).toBe('["OK"]');
    });
  });

  describe('POST /sendings/calculate', () => {
    it("prices the page's request: one Costa Rica number at the default rate", async () => {
      const res = await post('/sendings/calculate', '{"message":"message","recipients":["50670503888225"]}');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(JSON_TYPE);
      expect(res.json()).toEqual({
        calculate: {
          info: {
            sms_count: 1,
            subtotal: 0.05,
            total: 0.05,
            tax: 0,
            encoding: 'GSM-7',
            ucs2_characters: [],
            parts_per_message: 1,
            recipients: 1,
          },
          destinations: [
            {
              numbers: [
                { phone_number: 50670503888225, destination: 'Costa Rica Claro', sms: 1, rate: 0.05, total: 0.05 },
              ],
              destination: 'Costa Rica Claro',
              sms_count: 1,
              price: 0.05,
              total: 0.05,
              mcc: '712',
              mnc: '03',
            },
          ],
        },
      });
      expect(res.body).toContain('"phone_number":50670503888225,');
    });

    describe("the numbers of the page's response", () => {
      let priced: ApiAccount;
      let taxed: ApiAccount;
      const pageRates = [
        { mcc: '238', mnc: '02', rateMinor: parseMoney('0.45') }, // Denmark Telenor
        { mcc: '525', mnc: null, rateMinor: parseMoney('0.45') }, // Singapore
        { mcc: '250', mnc: null, rateMinor: parseMoney('0.45') }, // Russia
      ];
      const request = { message: 'message', recipients: ['45879921', '6523478945', '7554684221'] };
      const destination = (phone: number, name: string) => ({
        numbers: [{ phone_number: phone, destination: name, sms: 1, rate: 0.45, total: 0.45 }],
        destination: name,
        sms_count: 1,
        price: 0.45,
        total: 0.45,
      });

      beforeAll(async () => {
        priced = await api.account();
        taxed = await api.account({ taxRate: '20' });
        for (const account of [priced, taxed]) {
          const replaced = await replaceRates(engine.db, account.id, pageRates);
          if (!replaced.ok) throw new Error(replaced.reason);
        }
      });

      it('prices 45879921, 6523478945 and 7554684221 at 0.45 each: 3 SMS, 1.35 in all', async () => {
        const res = await post('/sendings/calculate', request, priced);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.calculate.info).toMatchObject({ sms_count: 3, subtotal: 1.35, total: 1.35, tax: 0 });
        expect(body.calculate.destinations).toEqual([
          { ...destination(45879921, 'Denmark Telenor'), mcc: '238', mnc: '02' },
          { ...destination(6523478945, 'Singapore'), mcc: '525', mnc: null },
          { ...destination(7554684221, 'Russia'), mcc: '250', mnc: null },
        ]);
        for (const phone of request.recipients) expect(res.body).toContain(`"phone_number":${phone},`);
      });

      it("adds the account's tax rate to the info totals", async () => {
        const body = (await post('/sendings/calculate', request, taxed)).json();
        expect(body.calculate.info).toMatchObject({ sms_count: 3, subtotal: 1.35, tax: 0.27, total: 1.62 });
      });
    });

    it('answers the page\'s "message not sent" example word for word', async () => {
      const res = await post('/sendings/calculate', { recipients: ['50670503888225'] });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `message` post parameter with text for SMS',
        errors: { message: ['Please send `message` post parameter with text for SMS'] },
      });
    });

    it('answers the page\'s "recipients not sent" example word for word', async () => {
      const res = await post('/sendings/calculate', { message: 'message' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `recipients` post parameter with recipient`s number',
        errors: { recipients: ['Please send `recipients` post parameter with recipient`s number'] },
      });
    });

    it('answers the page\'s "data not sent" example word for word', async () => {
      for (const payload of ['{}', '']) {
        const res = await post('/sendings/calculate', payload);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'The given data was invalid.',
          errors: {
            message: ['Please send `message` post parameter with text for SMS'],
            recipients: ['Please send `recipients` post parameter with recipient`s number'],
          },
        });
      }
    });
  });

  describe('POST /sendings and GET /sendings/{id}', () => {
    it("creates a sending from the page's exact curl body, recipients as a string holding a JSON array", async () => {
      const account = await api.account({ balance: '10', sender: 'INFO' });
      const body =
        '{"message":"message","recipients":"[\\"951490713339111991\\"]","sender":"INFO","scheduled_at":"2023-08-22 09:03:42"}';
      const res = await post('/sendings', body, account);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(JSON_TYPE);
      const created = res.json();
      expect(created).toEqual({ message: 'SMS champing created', sending_id: expect.any(Number) });
      expect(Object.keys(created)).toEqual(['message', 'sending_id']);

      const shown = await get(`/sendings/${created.sending_id}`, account);
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).toEqual({
        sending: {
          id: created.sending_id,
          status: 'Pending',
          updated_at: expect.stringMatching(ISO_US_RE),
          scheduled_at: '2023-08-22 09:03:42',
        },
      });
      // Myanmar at the default 0.038 a part.
      expect((await get('/balance', account)).json().balance).toBe('9.962');
      // Its 18 digits are beyond a float's: the calculation writes them as they are.
      const quote = await post('/sendings/calculate', body, account);
      expect(quote.body).toContain('{"phone_number":951490713339111991,"destination":"Myanmar",');
    });

    it('answers the page\'s "Message not sent" example', async () => {
      const res = await post('/sendings', { recipients: ['50670503888225'], sender: 'MegaShop' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `message` post parameter with text for SMS',
        errors: { message: ['Please send `message` post parameter with text for SMS'] },
      });
    });

    it('answers the page\'s "Recipients not sent" example, keyed by recipients', async () => {
      const res = await post('/sendings', { message: 'message', sender: 'MegaShop' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `recipients` post parameter with recipient`s number',
        errors: { recipients: ['Please send `recipients` post parameter with recipient`s number'] },
      });
    });

    it('answers the page\'s "Sender not sent" example, keyed by sender', async () => {
      const res = await post('/sendings', { message: 'message', recipients: ['50670503888225'] });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Please send `sender` post parameter with name of SMS sender',
        errors: { sender: ['Please send `sender` post parameter with name of SMS sender'] },
      });
    });

    it('answers 404 with the model text for a sending that does not exist', async () => {
      const res = await get('/sendings/301');
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(JSON_TYPE);
      expect(res.body).toBe('{"message":"No query results for model 301"}');
      expect((await get('/sendings/999999999999999999999')).json()).toEqual({
        message: 'No query results for model 999999999999999999999',
      });
    });
  });

  describe('GET /sendings', () => {
    it('lists sendings newest first in the page shape, with microsecond created_at', async () => {
      const account = await api.account({ balance: '10' });
      const texts = ['Test Message', 'SEND SMS FOR ME', 'ANOTHER text of SMS'];
      const ids: number[] = [];
      for (const [i, text] of texts.entries()) {
        const res = await post(
          '/sendings',
          {
            message: text,
            recipients: ['37120000000', '37120000001'].slice(0, i + 1),
            sender: 'MegaShop',
            ...(i === 0 && { scheduled_at: '2023-04-11 15:46:26' }),
          },
          account,
        );
        expect(res.statusCode).toBe(200);
        ids.push(res.json().sending_id);
      }
      const res = await get('/sendings', account);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.sendings.map((s: { id: number }) => s.id)).toEqual([...ids].reverse());
      expect(body.sendings.at(-1)).toEqual({
        id: ids[0],
        text: 'Test Message',
        created_at: expect.stringMatching(ISO_US_RE),
        scheduled_at: '2023-04-11 15:46:26',
        status: 'Pending',
        total_sms: 1,
      });
      expect(body.sendings[0]).toEqual({
        id: ids[2],
        text: 'ANOTHER text of SMS',
        created_at: expect.stringMatching(ISO_US_RE),
        scheduled_at: expect.stringMatching(YMD_HIS_RE),
        status: 'Pending',
        total_sms: 2,
      });
      expect(Object.keys(body.sendings[0])).toEqual([
        'id',
        'text',
        'created_at',
        'scheduled_at',
        'status',
        'total_sms',
      ]);
    });

    it('answers an empty list to an account without sendings', async () => {
      const account = await api.account();
      expect((await get('/sendings', account)).body).toBe('{"sendings":[]}');
    });
  });
});

describeEachEngine('timestamps of the sendings listing', (engine) => {
  let api: ApiApp;
  let account: ApiAccount;
  let nowUs = 0;

  beforeAll(async () => {
    const db = await engine.open({ clockUs: () => nowUs });
    nowUs = Date.UTC(2023, 3, 11, 15, 46, 26) * 1000;
    api = await startApiApp(db);
    account = await api.account({ balance: '100' });
  });
  afterAll(() => api.close());

  const send = async (message: string, extra: Record<string, unknown> = {}) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: account.headers,
      payload: { message, recipients: ['37120000000'], sender: 'MegaShop', ...extra },
    });
    expect(res.statusCode).toBe(200);
    return res.json().sending_id as number;
  };
  const list = (query = '') =>
    api.app.inject({ method: 'GET', url: `/sendings${query}`, headers: account.headers }).then((r) => r.json());

  it('shows created_at to the microsecond and a now-scheduled sending at its creation second', async () => {
    nowUs = Date.UTC(2023, 3, 11, 15, 46, 26) * 1000;
    const first = await send('Test Message');
    nowUs = Date.UTC(2023, 5, 6, 12, 39, 35) * 1000 + 123_456;
    const second = await send('SEND SMS FOR ME', { scheduled_at: '2023-06-06 13:41:57' });
    expect(await list()).toEqual({
      sendings: [
        {
          id: second,
          text: 'SEND SMS FOR ME',
          created_at: '2023-06-06T12:39:35.123456Z',
          scheduled_at: '2023-06-06 13:41:57',
          status: 'Pending',
          total_sms: 1,
        },
        {
          id: first,
          text: 'Test Message',
          created_at: '2023-04-11T15:46:26.000000Z',
          scheduled_at: '2023-04-11 15:46:26',
          status: 'Pending',
          total_sms: 1,
        },
      ],
    });
    const shown = await api.app.inject({ method: 'GET', url: `/sendings/${second}`, headers: account.headers });
    expect(shown.json()).toEqual({
      sending: {
        id: second,
        status: 'Pending',
        updated_at: '2023-06-06T12:39:35.123456Z',
        scheduled_at: '2023-06-06 13:41:57',
      },
    });
  });

  it('pages with page and per_page, 100 a page by default and at most 1000', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(`page ${i}`));
    const all = (await list()).sendings.map((s: { id: number }) => s.id);
    expect(all.slice(0, 5)).toEqual([...ids].reverse());
    expect(all).toHaveLength(7);
    const ids2 = async (query: string) => (await list(query)).sendings.map((s: { id: number }) => s.id);
    expect(await ids2('?per_page=2')).toEqual(all.slice(0, 2));
    expect(await ids2('?per_page=2&page=2')).toEqual(all.slice(2, 4));
    expect(await ids2('?per_page=2&page=4')).toEqual(all.slice(6));
    expect(await ids2('?per_page=2&page=5')).toEqual([]);
    expect(await ids2('?page=1&per_page=1000')).toEqual(all);
    expect(await ids2('?page=2')).toEqual([]);
  });

  it('refuses page and per_page outside their limits', async () => {
    const cases: [string, string, string][] = [
      ['?per_page=1001', 'per_page', 'The per page field must not be greater than 1000.'],
      ['?per_page=0', 'per_page', 'The per page field must be at least 1.'],
      ['?page=0', 'page', 'The page field must be at least 1.'],
      ['?page=-1', 'page', 'The page field must be at least 1.'],
      ['?per_page=-5', 'per_page', 'The per page field must be at least 1.'],
      ['?page=two', 'page', 'The page field must be an integer.'],
      ['?per_page=1.5', 'per_page', 'The per page field must be an integer.'],
    ];
    for (const [query, field, text] of cases) {
      const res = await api.app.inject({ method: 'GET', url: `/sendings${query}`, headers: account.headers });
      expect({ query, status: res.statusCode, body: res.json() }).toEqual({
        query,
        status: 422,
        body: { message: text, errors: { [field]: [text] } },
      });
    }
  });
});
