// Hostile input to the dashboard's JSON API: control characters in every text field, and bodies nested absurdly deep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import type { CampaignView } from '../../src/http/dashboard/contract.js';
import { credit } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, PASSWORD, startDashboardApp } from './dashboard-app.js';

const LATVIA = ['37126000001', '37126000002'];
const CONTROLS = ['\u0000', '\u0001'] as const;
const DEEP_LEVELS = 100_000;

type Who = 'anyone' | 'customer' | 'admin';
interface TextInput {
  readonly who: Who;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** The path; `:draft` and `:sending` are filled in. */
  readonly path: string;
  /** The field as the 422 names it. */
  readonly field: string;
  /** The request with `bad` in the field: a body, or (GET) query parameters. */
  readonly fields: (bad: string) => Record<string, unknown>;
}

const compose = (bad: string, field: string): Record<string, unknown> =>
  field === 'recipients.0'
    ? { message: 'Hello', recipients: [`3712600${bad}0001`], sender: 'SMSgic' }
    : { message: 'Hello', recipients: LATVIA, sender: 'SMSgic', [field]: `x${bad}y` };

/** Every text a dashboard route reads from a body or a query string. */
const INPUTS: readonly TextInput[] = [
  ...['email', 'password', 'company', 'currency'].map(
    (field): TextInput => ({
      who: 'anyone',
      method: 'POST',
      path: '/app/api/signup',
      field,
      fields: (bad) => ({
        email: 'hostile@example.com',
        password: PASSWORD,
        company: 'Hostile',
        currency: 'EUR',
        [field]: field === 'email' ? `hostile${bad}@example.com` : `EU${bad}R`,
      }),
    }),
  ),
  ...['email', 'password'].map(
    (field): TextInput => ({
      who: 'anyone',
      method: 'POST',
      path: '/app/api/login',
      field,
      fields: (bad) => ({ email: 'someone@example.com', password: PASSWORD, [field]: `a${bad}@example.com` }),
    }),
  ),
  ...['current_password', 'password'].map(
    (field): TextInput => ({
      who: 'customer',
      method: 'POST',
      path: '/app/api/password',
      field,
      fields: (bad) => ({ current_password: PASSWORD, password: 'a new password!', [field]: `pass${bad}word!!` }),
    }),
  ),
  { who: 'customer', method: 'POST', path: '/app/api/tokens', field: 'name', fields: (bad) => ({ name: `t${bad}` }) },
  { who: 'customer', method: 'POST', path: '/app/api/senders', field: 'name', fields: (bad) => ({ name: `S${bad}` }) },
  ...['country', 'mcc', 'mnc'].map(
    (field): TextInput => ({
      who: 'customer',
      method: 'GET',
      path: '/app/api/rates',
      field,
      fields: (bad) => ({ mcc: '247', [field]: `2${bad}` }),
    }),
  ),
  ...['message', 'recipients.0'].map(
    (field): TextInput => ({
      who: 'customer',
      method: 'POST',
      path: '/app/api/price',
      field,
      fields: (bad) => compose(bad, field),
    }),
  ),
  ...['message', 'recipients.0', 'sender', 'schedule'].flatMap((field): TextInput[] => [
    { who: 'customer', method: 'POST', path: '/app/api/sendings', field, fields: (bad) => compose(bad, field) },
    { who: 'customer', method: 'PUT', path: '/app/api/sendings/:draft', field, fields: (bad) => compose(bad, field) },
  ]),
  ...['status', 'page', 'per_page'].map(
    (field): TextInput => ({
      who: 'customer',
      method: 'GET',
      path: '/app/api/sendings',
      field,
      fields: (bad) => ({ [field]: `1${bad}` }),
    }),
  ),
  ...['status', 'search'].map(
    (field): TextInput => ({
      who: 'customer',
      method: 'GET',
      path: '/app/api/sendings/:sending/messages',
      field,
      fields: (bad) => ({ [field]: `371${bad}` }),
    }),
  ),
  ...['/app/api/transactions', '/app/api/transactions.csv'].map(
    (path): TextInput => ({ who: 'customer', method: 'GET', path, field: 'kind', fields: (bad) => ({ kind: bad }) }),
  ),
  {
    who: 'admin',
    method: 'GET',
    path: '/app/api/admin/accounts',
    field: 'search',
    fields: (bad) => ({ search: `acme${bad}` }),
  },
  ...['amount', 'note'].map(
    (field): TextInput => ({
      who: 'admin',
      method: 'POST',
      path: '/app/api/admin/accounts/:account/credit',
      field,
      fields: (bad) => ({ amount: '1', [field]: `1${bad}` }),
    }),
  ),
  ...['name', 'currency', 'tax_rate', 'opening_credit', 'email'].map(
    (field): TextInput => ({
      who: 'admin',
      method: 'POST',
      path: '/app/api/admin/accounts',
      field,
      fields: (bad) => ({ name: 'Acme', currency: 'EUR', [field]: `1${bad}` }),
    }),
  ),
  {
    who: 'admin',
    method: 'POST',
    path: '/app/api/admin/accounts/:account/tax-rate',
    field: 'tax_rate',
    fields: (bad) => ({ tax_rate: `2${bad}` }),
  },
  {
    who: 'admin',
    method: 'GET',
    path: '/app/api/admin/rates.csv',
    field: 'account_id',
    fields: (bad) => ({ account_id: `1${bad}` }),
  },
  {
    who: 'admin',
    method: 'POST',
    path: '/app/api/admin/accounts/:account/suspend',
    field: 'suspended',
    fields: (bad) => ({ suspended: `true${bad}` }),
  },
  {
    who: 'admin',
    method: 'GET',
    path: '/app/api/admin/senders',
    field: 'status',
    fields: (bad) => ({ status: `approved${bad}` }),
  },
  {
    who: 'admin',
    method: 'GET',
    path: '/app/api/admin/rates',
    field: 'account_id',
    fields: (bad) => ({ account_id: `1${bad}` }),
  },
  {
    who: 'admin',
    method: 'GET',
    path: '/app/api/admin/volume',
    field: 'days',
    fields: (bad) => ({ days: `7${bad}` }),
  },
];

describeEachEngine('dashboard hostile input', (engine) => {
  let dash: DashboardApp;
  let customer: Browser;
  let admin: Browser;
  let ids: Record<string, number>;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db, { dashboardRateLimitPerMinute: 100_000 });
    customer = await dash.customer();
    admin = await dash.admin();
    const funded = await credit(engine.db, customer.accountId, parseMoney('100'), 'test funds');
    if (!funded.ok) throw new Error(funded.reason);
    const draft = await customer.json<CampaignView>(
      customer.post('/app/api/sendings', { message: 'Draft', recipients: LATVIA, sender: 'SMSgic', draft: true }),
      201,
    );
    const sent = await customer.json<CampaignView>(
      customer.post('/app/api/sendings', { message: 'Sent', recipients: LATVIA, sender: 'SMSgic' }),
      201,
    );
    ids = { draft: draft.id, sending: sent.id, account: customer.accountId };
  });
  afterAll(() => dash.close());

  const send = (input: TextInput, fields: Record<string, unknown>) => {
    const browser = input.who === 'admin' ? admin : input.who === 'customer' ? customer : dash.browser();
    const path = input.path.replace(/:(\w+)/g, (_, name: string) => String(ids[name]));
    if (input.method === 'GET') {
      const query = new URLSearchParams(fields as Record<string, string>).toString();
      return browser.get(`${path}?${query}`);
    }
    return browser.request(input.method, path, { payload: fields });
  };

  describe('control characters', () => {
    for (const input of INPUTS) {
      for (const bad of CONTROLS) {
        const name = `U+${bad.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
        it(`refuses ${name} in ${input.field} of ${input.method} ${input.path} with a 422 on that field`, async () => {
          const res = await send(input, input.fields(bad));
          expect(res.statusCode, res.body).toBe(422);
          const body = res.json() as { message: string; errors: Record<string, string[]> };
          const text = `The ${input.field.replaceAll('_', ' ')} field must not contain control characters.`;
          expect(body.errors[input.field], res.body).toEqual([text]);
        });
      }
    }

    it('refuses them in a price list sent as CSV, naming the csv', async () => {
      for (const bad of CONTROLS) {
        const res = await admin.request('POST', '/app/api/admin/rates/import', {
          payload: `mcc,mnc,rate\n247,${bad},0.1\n`,
          headers: { 'content-type': 'text/csv' },
        });
        expect(res.statusCode, res.body).toBe(422);
        expect(res.json().errors).toEqual({ csv: ['The csv field must not contain control characters.'] });
      }
    });

    it('keeps tabs and line breaks in a message and a note, which may span lines', async () => {
      const price = await customer.post('/app/api/price', { message: 'Line one\r\nLine two\tend', recipients: LATVIA });
      expect(price.statusCode, price.body).toBe(200);
      const credited = await admin.post(`/app/api/admin/accounts/${customer.accountId}/credit`, {
        amount: '1',
        note: 'bank transfer\nref 42',
      });
      expect(credited.statusCode, credited.body).toBe(200);
    });
  });

  describe(`bodies nested ${DEEP_LEVELS.toLocaleString('en')} levels deep`, () => {
    const deep = (inner: string) => '['.repeat(DEEP_LEVELS) + inner + ']'.repeat(DEEP_LEVELS);
    const POSTS: readonly [Who, 'POST' | 'PUT', string, string][] = [
      ['customer', 'POST', '/app/api/price', `{"message":"Hi","recipients":${deep('"37126000001"')}}`],
      [
        'customer',
        'POST',
        '/app/api/sendings',
        `{"message":"Hi","recipients":${deep('"37126000001"')},"sender":"SMSgic"}`,
      ],
      ['customer', 'PUT', '/app/api/sendings/:draft', `{"message":"Hi","recipients":${deep('1')},"sender":"SMSgic"}`],
      ['customer', 'POST', '/app/api/tokens', `{"name":${deep('"x"')}}`],
      ['anyone', 'POST', '/app/api/login', `{"email":"a@example.com","password":${deep('"x"')}}`],
      ['admin', 'POST', '/app/api/admin/accounts/:account/credit', `{"amount":"1","note":${deep('"x"')}}`],
    ];

    for (const [who, method, path, body] of POSTS) {
      it(`answers ${method} ${path} with a 422 on the nested field`, async () => {
        const browser = who === 'admin' ? admin : who === 'customer' ? customer : dash.browser();
        const res = await browser.request(
          method,
          path.replace(/:(\w+)/g, (_, name: string) => String(ids[name])),
          {
            payload: body,
            headers: { 'content-type': 'application/json' },
          },
        );
        expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
        const field = /"(\w+)":\[\[/.exec(body)?.[1] as string;
        const text = `The ${field} field is nested too deeply.`;
        expect(res.json()).toEqual({ message: text, errors: { [field]: [text] } });
      });
    }

    it('answers the public API alike', async () => {
      const token = (await customer.json<{ token: string }>(customer.post('/app/api/tokens', { name: 'deep' }), 201))
        .token;
      for (const url of ['/sendings/calculate', '/sendings']) {
        const res = await dash.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: `{"message":"Hi","recipients":${deep('"37126000001"')},"sender":"SMSgic"}`,
        });
        expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
        const text = 'The recipients field is nested too deeply.';
        expect(res.json()).toEqual({ message: text, errors: { recipients: [text] } });
      }
    });
  });
});
