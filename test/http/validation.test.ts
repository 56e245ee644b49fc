// Bad input to POST /sendings and POST /sendings/calculate: every field rule, wrong JSON types, and Idempotency-Key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credit, getBalance } from '../../src/store/ledger.js';
import { replaceRates } from '../../src/store/rates.js';
import { addSender } from '../../src/store/senders.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const TEXT = {
  messageRequired: 'Please send `message` post parameter with text for SMS',
  recipientsRequired: 'Please send `recipients` post parameter with recipient`s number',
  senderRequired: 'Please send `sender` post parameter with name of SMS sender',
  invalid: 'The given data was invalid.',
  format: (n: number) => `The recipients.${n} field format is invalid.`,
  noRate: (n: number) => `The recipients.${n} has no available rate.`,
  hint: (digits: string) => `send ${digits}: digits only, with the country code`,
  scheduledAt: 'The scheduled at field must match the format Y-m-d H:i:s.',
};

/** The 422 body of exactly one failing rule. */
const one = (field: string, text: string) => ({ message: text, errors: { [field]: [text] } });

const VALID = { message: 'Hi', recipients: ['37120000000'], sender: 'MegaShop' };

describeEachEngine('validation of sendings', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    acme = await api.account({ balance: '1000' });
  });
  afterAll(() => api.close());

  const post = (url: string, payload: unknown, account: ApiAccount = acme, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url,
      headers: { ...account.headers, 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(payload),
    });
  /** Sends `payload` to both endpoints (calculate ignores sender) and expects the same 422 body from each. */
  const expectBoth = async (payload: Record<string, unknown>, body: unknown) => {
    for (const url of ['/sendings', '/sendings/calculate']) {
      const res = await post(url, payload);
      expect({ url, status: res.statusCode, body: res.json() }).toEqual({ url, status: 422, body });
    }
  };
  const sendingCount = async (account: ApiAccount = acme) =>
    (await api.app.inject({ method: 'GET', url: '/sendings?per_page=1000', headers: account.headers })).json().sendings
      .length as number;

  describe('message', () => {
    it('is required: missing, null, empty or blank', async () => {
      for (const message of [undefined, null, '', '   ']) {
        await expectBoth({ ...VALID, message }, one('message', TEXT.messageRequired));
      }
    });

    it('must be a string, not a number, boolean, object or array', async () => {
      for (const message of [42, true, { text: 'Hi' }, ['Hi']]) {
        await expectBoth({ ...VALID, message }, one('message', 'The message field must be a string.'));
      }
    });

    it('must not be longer than 20,000 characters', async () => {
      await expectBoth(
        { ...VALID, message: 'a'.repeat(20_001) },
        one('message', 'The message field must not be greater than 20000 characters.'),
      );
      const longest = await post('/sendings/calculate', { ...VALID, message: 'a'.repeat(20_000) });
      expect(longest.statusCode).toBe(200);
      expect(longest.json().calculate.info.sms_count).toBe(Math.ceil(20_000 / 153));
    });

    it('must not be longer than 255 SMS parts', async () => {
      const ucs2 = 'ж'.repeat(255 * 67);
      expect((await post('/sendings/calculate', { ...VALID, message: ucs2 })).json().calculate.info.sms_count).toBe(
        255,
      );
      await expectBoth(
        { ...VALID, message: `${ucs2}ж` },
        one('message', 'The message field must not be longer than 255 SMS parts.'),
      );
    });

    it('must be valid Unicode text: a lone surrogate is refused', async () => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...acme.headers, 'content-type': 'application/json' },
        payload: '{"message":"Hi \\ud83d","recipients":["37120000000"],"sender":"MegaShop"}',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual(one('message', 'The message field must be valid Unicode text.'));
    });
  });

  describe('recipients', () => {
    it('are required: missing, null, empty string, empty array or an empty JSON array in a string', async () => {
      for (const recipients of [undefined, null, '', '  ', [], '[]']) {
        await expectBoth({ ...VALID, recipients }, one('recipients', TEXT.recipientsRequired));
      }
    });

    it('must be an array: an object, a boolean or a broken JSON array in a string is refused', async () => {
      for (const recipients of [{ 0: '37120000000' }, true, false, '["37120000000"', '[37120000000,]']) {
        await expectBoth({ ...VALID, recipients }, one('recipients', 'The recipients field must be an array.'));
      }
    });

    it('reads a plain string as the comma-separated numbers of a form field', async () => {
      const listed = await post('/sendings/calculate', { message: 'Hi', recipients: '37120000000, 4525123456' });
      expect(listed.json().calculate.info).toMatchObject({ sms_count: 2, recipients: 2 });
      await expectBoth({ ...VALID, recipients: '37120000000,hello' }, one('recipients.1', TEXT.format(1)));
    });

    it('must each be 8 to 20 digits, keyed recipients.N by their index in the request', async () => {
      const bad: unknown[] = [
        '1234567', // 7 digits
        '123456789012345678901', // 21 digits
        '+37120000000',
        ' 37120000000',
        '3712000000a',
        '',
        null,
        { number: '37120000000' },
        ['37120000000'],
        true,
        3.5,
        -37120000000,
      ];
      const recipients = ['37120000000', ...bad];
      const errors = Object.fromEntries(bad.map((_, i) => [`recipients.${i + 1}`, [TEXT.format(i + 1)]]));
      // The two that are the number written as a person would get a hint beside their error.
      const hints = { 'recipients.3': TEXT.hint('37120000000'), 'recipients.4': TEXT.hint('37120000000') };
      await expectBoth({ ...VALID, recipients }, { message: TEXT.invalid, errors, hints });
      await expectBoth({ ...VALID, recipients: ['37120000000', '1234567'] }, one('recipients.1', TEXT.format(1)));
    });

    it('keeps the strict number rule, with a hint beside the error of a number written with spaces, + or 00', async () => {
      await expectBoth(
        { ...VALID, recipients: ['37120000000', '+371 2612 3457'] },
        { ...one('recipients.1', TEXT.format(1)), hints: { 'recipients.1': TEXT.hint('37126123457') } },
      );
      // 00 is the international prefix: the digits are well formed, but no country starts with 0.
      await expectBoth(
        { ...VALID, recipients: '37120000000, (371) 2612-3457, 0037126123458, hello' },
        {
          message: TEXT.invalid,
          errors: {
            'recipients.1': [TEXT.format(1)],
            'recipients.2': [TEXT.noRate(2)],
            'recipients.3': [TEXT.format(3)],
          },
          hints: { 'recipients.1': TEXT.hint('37126123457'), 'recipients.2': TEXT.hint('37126123458') },
        },
      );
      // A number that is no number once cleaned gets no hint.
      await expectBoth({ ...VALID, recipients: ['37120000000', '+371 26'] }, one('recipients.1', TEXT.format(1)));
    });

    it('refuses a JSON number beyond exact integers, whose digits could not be kept', async () => {
      for (const token of ['12345678901234567890', '9007199254740993']) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/sendings/calculate',
          headers: { ...acme.headers, 'content-type': 'application/json' },
          payload: `{"message":"Hi","recipients":["37120000000",${token}]}`,
        });
        expect({ token, body: res.json() }).toEqual({ token, body: one('recipients.1', TEXT.format(1)) });
      }
    });

    it('may be JSON numbers while they are exact, or a string holding a JSON array', async () => {
      const numbers = await post('/sendings/calculate', { message: 'Hi', recipients: [37120000000, 4525123456] });
      const strings = await post('/sendings/calculate', { message: 'Hi', recipients: ['37120000000', '4525123456'] });
      const inString = await post('/sendings/calculate', { message: 'Hi', recipients: '["37120000000","4525123456"]' });
      expect(strings.statusCode).toBe(200);
      expect(numbers.body).toBe(strings.body);
      expect(inString.body).toBe(strings.body);
    });

    it('lists at most 100 recipient errors', async () => {
      const recipients = Array.from({ length: 150 }, (_, i) => `x${i}`);
      const res = await post('/sendings', { ...VALID, recipients });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.message).toBe(TEXT.invalid);
      expect(Object.keys(body.errors)).toEqual(Array.from({ length: 100 }, (_, i) => `recipients.${i}`));
    });

    it('must have a rate: a number no country matches, or whose country is not priced', async () => {
      await expectBoth({ ...VALID, recipients: ['37120000000', '99912345678'] }, one('recipients.1', TEXT.noRate(1)));
      const priced = await api.account({ balance: '10' });
      await replaceRates(engine.db, priced.id, [{ mcc: '247', mnc: null, rateMinor: 100 }]);
      for (const url of ['/sendings', '/sendings/calculate']) {
        const res = await post(url, { ...VALID, recipients: ['37120000000', '4525123456', '37120000001'] }, priced);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual(one('recipients.1', TEXT.noRate(1)));
      }
    });

    it('counts a duplicate once but reports each bad entry at its own index', async () => {
      const res = await post('/sendings/calculate', {
        message: 'Hi',
        recipients: ['37120000000', '37120000000', 'bad', '37120000000', 'bad'],
      });
      expect(res.json()).toEqual({
        message: TEXT.invalid,
        errors: { 'recipients.2': [TEXT.format(2)], 'recipients.4': [TEXT.format(4)] },
      });
      const ok = await post('/sendings/calculate', { message: 'Hi', recipients: ['37120000000', '37120000000'] });
      expect(ok.json().calculate.info).toMatchObject({ sms_count: 1, recipients: 1 });
    });
  });

  describe('sender', () => {
    it('is required: missing, null, empty or blank', async () => {
      for (const sender of [undefined, null, '', '  ']) {
        const res = await post('/sendings', { ...VALID, sender });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual(one('sender', TEXT.senderRequired));
      }
    });

    it('must be a string', async () => {
      for (const sender of [42, true, { name: 'MegaShop' }, ['MegaShop']]) {
        const res = await post('/sendings', { ...VALID, sender });
        expect(res.json()).toEqual(one('sender', 'The sender field must be a string.'));
      }
    });

    it('must be an approved sender of the account or a platform default', async () => {
      await addSender(engine.db, acme.id, 'Waiting', 'pending');
      await addSender(engine.db, acme.id, 'Refused', 'rejected');
      for (const sender of ['Unknown', 'Waiting', 'Refused', 'megashop']) {
        const res = await post('/sendings', { ...VALID, sender });
        expect({ sender, body: res.json() }).toEqual({
          sender,
          body: one('sender', 'The selected sender is invalid.'),
        });
      }
      for (const sender of ['MegaShop', 'SMSgic']) {
        expect((await post('/sendings', { ...VALID, sender })).statusCode).toBe(200);
      }
    });
  });

  describe('scheduled_at', () => {
    it('must match Y-m-d H:i:s and be a real time', async () => {
      const wrong: unknown[] = [
        '2023-08-22T09:03:42',
        '2023-08-22 09:03:42Z',
        '2023-08-22',
        '22.08.2023 09:03:42',
        '2023-08-22 9:03:42',
        '2023-02-30 10:00:00',
        '2023-08-22 24:00:00',
        1692695022,
        { date: '2023-08-22 09:03:42' },
        ['2023-08-22 09:03:42'],
        true,
      ];
      for (const scheduled_at of wrong) {
        const res = await post('/sendings', { ...VALID, scheduled_at });
        expect({ scheduled_at, status: res.statusCode, body: res.json() }).toEqual({
          scheduled_at,
          status: 422,
          body: one('scheduled_at', TEXT.scheduledAt),
        });
      }
    });

    it('must be before 2200-01-01 00:00:00', async () => {
      const text = 'The scheduled at field must be a date before 2200-01-01 00:00:00.';
      for (const scheduled_at of ['2200-01-01 00:00:00', '9999-12-31 23:59:59']) {
        const res = await post('/sendings', { ...VALID, scheduled_at });
        expect({ scheduled_at, status: res.statusCode, body: res.json() }).toEqual({
          scheduled_at,
          status: 422,
          body: one('scheduled_at', text),
        });
      }
      const latest = await post('/sendings', { ...VALID, scheduled_at: '2199-12-31 23:59:59' });
      expect(latest.statusCode).toBe(200);
      const shown = await api.app.inject({
        method: 'GET',
        url: `/sendings/${latest.json().sending_id}`,
        headers: acme.headers,
      });
      expect(shown.json().sending.scheduled_at).toBe('2199-12-31 23:59:59');
    });

    it('may be in the past, even before 1970, which means now', async () => {
      const past = await post('/sendings', { ...VALID, scheduled_at: '2001-09-09 01:46:40' });
      expect(past.statusCode).toBe(200);
      const beforeEpoch = await post('/sendings', { ...VALID, scheduled_at: '1969-12-31 23:59:59' });
      expect(beforeEpoch.statusCode).toBe(200);
      const listed = (await api.app.inject({ method: 'GET', url: '/sendings?per_page=2', headers: acme.headers }))
        .json()
        .sendings.map((s: { scheduled_at: string; created_at: string }) => s);
      expect(listed[1].scheduled_at).toBe('2001-09-09 01:46:40');
      // Due at once: scheduled at the second it was created.
      expect(listed[0].scheduled_at).toBe(listed[0].created_at.slice(0, 19).replace('T', ' '));
    });

    it('may be absent, empty or null, which means now', async () => {
      for (const scheduled_at of [undefined, null, '']) {
        expect((await post('/sendings', { ...VALID, scheduled_at })).statusCode).toBe(200);
      }
    });
  });

  describe('type', () => {
    it('must be one of default, infobip, twilio, messente, trumpia', async () => {
      for (const type of ['sms', 'DEFAULT', 'Twilio', 1, ['default'], { type: 'default' }, true]) {
        const res = await post('/sendings', { ...VALID, type });
        expect({ type, body: res.json() }).toEqual({ type, body: one('type', 'The selected type is invalid.') });
      }
      expect((await post('/sendings', { ...VALID, type: 'default' })).statusCode).toBe(200);
    });

    it('is refused when its provider is not configured', async () => {
      for (const type of ['infobip', 'twilio', 'messente', 'trumpia']) {
        const res = await post('/sendings', { ...VALID, type });
        expect({ type, status: res.statusCode, body: res.json() }).toEqual({
          type,
          status: 422,
          body: one('type', 'The selected type is not available on this platform.'),
        });
      }
    });

    it('refuses type trumpia with an alphanumeric sender, which Trumpia cannot send from', async () => {
      const configured = await startApiApp(engine.db, {
        env: { TRUMPIA_USERNAME: 'acme', TRUMPIA_API_KEY: 'key' },
      });
      try {
        const res = await configured.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: acme.headers,
          payload: { ...VALID, type: 'trumpia' },
        });
        expect([res.statusCode, res.json()]).toEqual([
          422,
          one('sender', 'The sender is not a valid sender: Trumpia sends from a short code or a landline number only.'),
        ]);
      } finally {
        await configured.close();
      }
    });

    it('is accepted once its provider is configured', async () => {
      const configured = await startApiApp(engine.db, {
        env: {
          TWILIO_BASE_URL: 'https://api.twilio.example',
          TWILIO_ACCOUNT_SID: 'AC123',
          TWILIO_AUTH_TOKEN: 'secret',
        },
      });
      try {
        const send = (type: string) =>
          configured.app.inject({
            method: 'POST',
            url: '/sendings',
            headers: acme.headers,
            payload: { ...VALID, type },
          });
        expect((await send('twilio')).statusCode).toBe(200);
        expect((await send('infobip')).json()).toEqual(
          one('type', 'The selected type is not available on this platform.'),
        );
      } finally {
        await configured.close();
      }
    });
  });

  describe('several failures at once', () => {
    it('lists every failing field under "The given data was invalid."', async () => {
      const res = await post('/sendings', {
        message: 42,
        recipients: ['37120000000', 'abc'],
        sender: 'Unknown',
        scheduled_at: 'tomorrow',
        type: 'pigeon',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: TEXT.invalid,
        errors: {
          message: ['The message field must be a string.'],
          'recipients.1': [TEXT.format(1)],
          sender: ['The selected sender is invalid.'],
          scheduled_at: [TEXT.scheduledAt],
          type: ['The selected type is invalid.'],
        },
      });
    });

    it('answers an empty body with the three required texts', async () => {
      const res = await post('/sendings', {});
      expect(res.json()).toEqual({
        message: TEXT.invalid,
        errors: {
          message: [TEXT.messageRequired],
          recipients: [TEXT.recipientsRequired],
          sender: [TEXT.senderRequired],
        },
      });
    });

    it('creates nothing and charges nothing for an invalid request', async () => {
      const account = await api.account({ balance: '5' });
      const res = await post('/sendings', { ...VALID, recipients: ['37120000000', 'bad'] }, account);
      expect(res.statusCode).toBe(422);
      expect(await sendingCount(account)).toBe(0);
      expect(await getBalance(engine.db, account.id)).toBe(50_000);
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first answer to the same key and body, creating and charging nothing more', async () => {
      const account = await api.account({ balance: '1' });
      const key = { 'idempotency-key': 'order-2024-0001' };
      const first = await post('/sendings', VALID, account, key);
      expect(first.statusCode).toBe(200);
      const afterFirst = await getBalance(engine.db, account.id);
      for (let i = 0; i < 3; i++) {
        const again = await post('/sendings', VALID, account, key);
        expect(again.statusCode).toBe(200);
        expect(again.body).toBe(first.body);
      }
      expect(await sendingCount(account)).toBe(1);
      expect(await getBalance(engine.db, account.id)).toBe(afterFirst);
    });

    it('recognises the same request sent as a form', async () => {
      const account = await api.account({ balance: '1' });
      const key = { 'idempotency-key': 'form-and-json' };
      const first = await post('/sendings', VALID, account, key);
      const form = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: { ...account.headers, ...key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'message=Hi&recipients[]=37120000000&sender=MegaShop',
      });
      expect(form.statusCode).toBe(200);
      expect(form.body).toBe(first.body);
      expect(await sendingCount(account)).toBe(1);
    });

    it('answers 422 keyed Idempotency-Key to the same key with a different body', async () => {
      const account = await api.account({ balance: '1' });
      const key = { 'idempotency-key': 'order-2024-0002' };
      expect((await post('/sendings', VALID, account, key)).statusCode).toBe(200);
      const other = await post('/sendings', { ...VALID, message: 'Hello' }, account, key);
      expect(other.statusCode).toBe(422);
      expect(other.json()).toEqual(
        one('Idempotency-Key', 'The Idempotency-Key was already used with a different request.'),
      );
      expect(await sendingCount(account)).toBe(1);
    });

    it('makes separate sendings without a key or with different keys', async () => {
      const account = await api.account({ balance: '1' });
      await post('/sendings', VALID, account);
      await post('/sendings', VALID, account);
      await post('/sendings', VALID, account, { 'idempotency-key': 'a' });
      await post('/sendings', VALID, account, { 'idempotency-key': 'b' });
      expect(await sendingCount(account)).toBe(4);
    });

    it('lets a key whose request was refused be used once the request can succeed', async () => {
      const account = await api.account();
      const key = { 'idempotency-key': 'retry-after-top-up' };
      expect((await post('/sendings', VALID, account, key)).json()).toEqual(one('balance', 'Insufficient balance.'));
      await credit(engine.db, account.id, 10_000);
      const res = await post('/sendings', VALID, account, key);
      expect(res.statusCode).toBe(200);
      expect((await post('/sendings', VALID, account, key)).body).toBe(res.body);
    });

    it('creates one sending when parallel requests share a key', async () => {
      const account = await api.account({ balance: '1' });
      const baseUrl = await api.listen();
      const bodies = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${baseUrl}/sendings`, {
            method: 'POST',
            headers: { ...account.headers, 'content-type': 'application/json', 'idempotency-key': 'rush' },
            body: JSON.stringify(VALID),
          }).then(async (r) => ({ status: r.status, body: await r.text() })),
        ),
      );
      expect(new Set(bodies.map((b) => `${b.status} ${b.body}`)).size).toBe(1);
      expect(bodies[0]?.status).toBe(200);
      expect(await sendingCount(account)).toBe(1);
      expect(await getBalance(engine.db, account.id)).toBe(10_000 - 410);
    });

    it('refuses a key longer than 255 characters', async () => {
      const res = await post('/sendings', VALID, acme, { 'idempotency-key': 'k'.repeat(256) });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual(
        one('Idempotency-Key', 'The Idempotency-Key header must not be greater than 255 characters.'),
      );
    });
  });
});
