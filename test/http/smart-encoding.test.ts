// smart_encoding on calculate and POST /sendings: a Latvian text priced and sent as GSM-7 when asked, the contract's
// answers unchanged when not, the saving told exactly, and the reservation what calculate quoted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countParts } from '../../src/domain/gsm.js';
import { TEXTS } from '../../src/domain/texts.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, multipartBody, startApiApp } from '../support/http-app.js';

/** Latvia Tele2 (0.041) and Denmark Telenor (0.04) on the default price list. */
const RECIPIENTS = ['37120000000', '4525123456'];
/** 84 characters with Latvian letters: UCS-2 in 2 parts (70 a part), GSM-7 in 1 once they are plain letters. */
const LATVIAN = `Jūsu pasūtījums ir ceļā, kurjers zvanīs. ${'Paldies! '.repeat(4)}Kods 12`;
const SENT = `Jusu pasutijums ir cela, kurjers zvanis. ${'Paldies! '.repeat(4)}Kods 12`;

describeEachEngine('smart encoding through the API', (engine) => {
  let api: ApiApp;
  let account: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    account = await api.account({ balance: '10', taxRate: '20' });
  });
  afterAll(() => api.close());

  const post = (url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });

  it('the text really is 2 UCS-2 parts as written and 1 GSM-7 part smart-encoded', () => {
    expect(countParts(LATVIAN)).toMatchObject({ encoding: 'UCS-2', parts: 2 });
    expect(countParts(SENT)).toMatchObject({ encoding: 'GSM-7', parts: 1 });
  });

  it('calculate without the field answers exactly as before: no smart_encoding in info', async () => {
    const res = await post('/sendings/calculate', { message: LATVIAN, recipients: RECIPIENTS });
    expect(res.statusCode).toBe(200);
    const info = res.json().calculate.info;
    expect(info).toMatchObject({ encoding: 'UCS-2', parts_per_message: 2, sms_count: 4, subtotal: 0.162 });
    expect(info).not.toHaveProperty('smart_encoding');
  });

  it('calculate with smart_encoding prices 1 part and tells the text as written and the saving', async () => {
    const res = await post('/sendings/calculate', { message: LATVIAN, recipients: RECIPIENTS, smart_encoding: true });
    expect(res.statusCode).toBe(200);
    const info = res.json().calculate.info;
    // 1 part × (0.041 + 0.04) = 0.081, 20% tax 0.0162: 0.0972; as written 2 parts: 0.1944; saved 0.0972.
    expect(info).toMatchObject({
      encoding: 'GSM-7',
      ucs2_characters: [],
      parts_per_message: 1,
      sms_count: 2,
      subtotal: 0.081,
      tax: 0.0162,
      total: 0.0972,
      smart_encoding: {
        applied: true,
        original_encoding: 'UCS-2',
        original_parts_per_message: 2,
        original_total: 0.1944,
        saved: 0.0972,
      },
    });
    expect(res.json().calculate.destinations.map((d: { sms_count: number }) => d.sms_count)).toEqual([1, 1]);
  });

  it('a text that keeps a character with no look-alike is not changed, and says so', async () => {
    const res = await post('/sendings/calculate', { message: 'Код ā', recipients: RECIPIENTS, smart_encoding: '1' });
    expect(res.statusCode).toBe(200);
    expect(res.json().calculate.info).toMatchObject({
      encoding: 'UCS-2',
      smart_encoding: { applied: false, original_encoding: 'UCS-2', saved: 0 },
    });
  });

  it('POST /sendings with smart_encoding (a form field) reserves the 1-part total and stores the text it sends', async () => {
    const before = await getBalance(engine.db, account.id);
    const form = multipartBody([
      ['message', LATVIAN],
      ['recipients', RECIPIENTS.join(',')],
      ['sender', 'MegaShop'],
      ['smart_encoding', 'true'],
    ]);
    const res = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: { ...account.headers, 'content-type': form.contentType },
      payload: form.payload,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ message: 'SMS champing created', sending_id: expect.any(Number) });
    expect((before ?? 0) - ((await getBalance(engine.db, account.id)) ?? 0)).toBe(972);
    const list = await api.app.inject({ method: 'GET', url: '/sendings', headers: account.headers });
    const stored = list.json().sendings.find((s: { id: number }) => s.id === res.json().sending_id);
    expect(stored).toMatchObject({ text: SENT, total_sms: 2 });
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('POST /sendings without it sends the text as written, 2 parts each', async () => {
    const res = await post('/sendings', { message: LATVIAN, recipients: RECIPIENTS, sender: 'MegaShop' });
    expect(res.statusCode).toBe(200);
    const list = await api.app.inject({ method: 'GET', url: '/sendings', headers: account.headers });
    expect(list.json().sendings.find((s: { id: number }) => s.id === res.json().sending_id)).toMatchObject({
      text: LATVIAN,
      total_sms: 4,
    });
  });

  it('refuses a value that is not yes or no, with the rest of the errors', async () => {
    const res = await post('/sendings', { message: LATVIAN, recipients: RECIPIENTS, smart_encoding: 'maybe' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toMatchObject({
      smart_encoding: ['The smart encoding field must be true or false.'],
      sender: [TEXTS.senderRequired],
    });
  });
});
