// The server's texts as codes: the dashboard's API sends each error's code and parameters beside its words, for the
// dashboard to say them in the user's language; the public API's error bodies stay word for word what they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeText } from '../../src/domain/texts.js';
import type { CreatedTokenView, ErrorBody } from '../../src/http/dashboard/contract.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, PASSWORD, startDashboardApp } from './dashboard-app.js';

describeEachEngine('server texts as codes', (engine) => {
  let dash: DashboardApp;
  let b: Browser;
  let token: string;

  /** The body exactly as sent (the test browser's `json()` leaves the codes out). */
  const sent = (res: { body: string }) => JSON.parse(res.body) as ErrorBody;
  const publicApi = (method: 'GET' | 'POST', url: string, payload?: string, headers: Record<string, string> = {}) =>
    dash.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(payload !== undefined && { payload }),
    });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    b = await dash.customer();
    token = (await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'texts' }), 201)).token;
  });
  afterAll(() => dash.close());

  describe('the dashboard API', () => {
    it('sends the code and parameters of a field error beside its words, top level and per field', async () => {
      const res = await b.post('/app/api/sendings', { message: 'Hi', recipients: ['12ab'], sender: 'SMSgic' });
      expect(res.statusCode).toBe(422);
      const body = sent(res);
      expect(body.message).toBe('The recipients.0 field format is invalid.');
      expect(body.code).toBe('formatInvalid');
      expect(body.params).toEqual({ field: 'recipients.0' });
      expect(body.errors).toEqual({ 'recipients.0': ['The recipients.0 field format is invalid.'] });
      expect(body.codes).toEqual({ 'recipients.0': [{ code: 'formatInvalid', params: { field: 'recipients.0' } }] });
    });

    it('codes each of several errors, and the generic message', async () => {
      const res = await dash.browser().post('/app/api/signup', { email: 'nobody', password: 'short', currency: 'EUR' });
      expect(res.statusCode).toBe(422);
      const body = sent(res);
      expect(body.code).toBe('givenDataInvalid');
      expect(body.codes).toMatchObject({
        email: [{ code: 'email', params: { field: 'email' } }],
        password: [{ code: 'minChars', params: { field: 'password', count: 10 } }],
      });
      const minimum = await b.post('/app/api/password', { current_password: PASSWORD, password: 'short' });
      expect(sent(minimum)).toEqual({
        message: 'The password field must be at least 10 characters.',
        code: 'minChars',
        params: { field: 'password', count: 10 },
        errors: { password: ['The password field must be at least 10 characters.'] },
        codes: { password: [{ code: 'minChars', params: { field: 'password', count: 10 } }] },
      });
    });

    it('codes a wrong password at sign-in, and an answer without fields', async () => {
      const res = await dash.browser().post('/app/api/login', { email: b.email, password: 'not the password' });
      expect(res.statusCode).toBe(422);
      expect(sent(res)).toMatchObject({
        message: 'These credentials do not match our records.',
        code: 'badCredentials',
        params: {},
        codes: { email: [{ code: 'badCredentials', params: {} }] },
      });
      const missing = await b.get('/app/api/sendings/999999999');
      expect(missing.statusCode).toBe(404);
      expect(sent(missing)).toEqual({ message: 'Not found.', code: 'notFound', params: {} });
      const unknown = await b.get('/app/api/sendings/abc');
      expect(unknown.statusCode).toBe(404);
      expect(sent(unknown)).toEqual({ message: 'Not found.', code: 'notFound', params: {} });
    });

    it('codes a text with words the user typed, kept as typed', async () => {
      const res = await b.post('/app/api/opt-outs', { numbers: 'not 12x' });
      expect(res.statusCode).toBe(422);
      expect(sent(res)).toMatchObject({
        message: 'The given data was invalid.',
        code: 'givenDataInvalid',
        params: {},
        codes: {
          numbers: [
            { code: 'optOutNotANumber', params: { text: 'not' } },
            { code: 'optOutNotANumber', params: { text: '12x' } },
          ],
        },
      });
    });

    it('codes a text within a text: the line of a price list and what is wrong on it', async () => {
      const admin = await dash.admin();
      const res = await admin.request('POST', `/app/api/admin/rates/import?account_id=${b.accountId}`, {
        payload: 'mcc,mnc,rate\n247,01,0.05\n24x,01,0.05\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.statusCode).toBe(422);
      const body = sent(res);
      expect(body.message).toBe('Line 3: mcc "24x" is not 3 digits; nothing was imported.');
      expect(body.code).toBe('csvLine');
      expect(body.params).toEqual({ line: '3', problem: 'mcc "24x" is not 3 digits' });
      expect(describeText(String(body.params?.problem))).toEqual({ code: 'csvMcc', params: { mcc: '24x' } });
    });
  });

  describe('the public API', () => {
    it.each([
      [
        'a sending without its fields',
        () => publicApi('POST', '/sendings', '{}'),
        422,
        '{"message":"The given data was invalid.","errors":{"message":["Please send `message` post parameter with text for SMS"],"recipients":["Please send `recipients` post parameter with recipient`s number"],"sender":["Please send `sender` post parameter with name of SMS sender"]}}',
      ],
      [
        'a recipient that is not a number',
        () => publicApi('POST', '/sendings', '{"message":"Hi","recipients":["12ab"],"sender":"SMSgic"}'),
        422,
        '{"message":"The recipients.0 field format is invalid.","errors":{"recipients.0":["The recipients.0 field format is invalid."]}}',
      ],
      [
        'an unknown sending',
        () => publicApi('GET', '/sendings/999999999'),
        404,
        '{"message":"No query results for model 999999999"}',
      ],
      [
        'no token',
        () => publicApi('GET', '/sendings', undefined, { authorization: '' }),
        401,
        '{"message":"Unauthenticated."}',
      ],
      [
        'malformed JSON',
        () => publicApi('POST', '/sendings', '{"message":'),
        400,
        '{"message":"Malformed JSON in request body."}',
      ],
      [
        'a wrong method',
        () => publicApi('GET', '/sendings/calculate'),
        405,
        '{"message":"The GET method is not supported for route sendings/calculate. Supported methods: POST."}',
      ],
      [
        'a sender name too long',
        () => publicApi('POST', '/sendings', '{"message":"Hi","recipients":["37126000001"],"sender":"ABCDEFGHIJKLM"}'),
        422,
        '{"message":"The selected sender is invalid.","errors":{"sender":["The selected sender is invalid."]}}',
      ],
    ])('answers %s byte for byte as before', async (_name, call, status, body) => {
      const res = await call();
      expect(res.statusCode).toBe(status);
      expect(res.body).toBe(body);
    });
  });
});
