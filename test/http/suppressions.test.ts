// The opt-out list through the API: its endpoints, each account's list its own, and a suppressed recipient never
// priced, reserved or charged, but recorded as a `suppressed` message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { addSuppressions } from '../../src/store/suppressions.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const ALL_SUPPRESSED = 'Every recipient has opted out of messages from this account; nothing was sent.';

describeEachEngine('suppressions over HTTP', (engine) => {
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  const post = (account: ApiAccount, url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const get = (account: ApiAccount, url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  const del = (account: ApiAccount, url: string) => api.app.inject({ method: 'DELETE', url, headers: account.headers });

  describe('the endpoints', () => {
    it('add idempotently, list in number order with a prefix search, find one and remove it', async () => {
      const acme = await api.account();
      const added = await post(acme, '/suppressions', {
        phone_numbers: ['37120000001', 4915100000001, '37120000001', '37129999999'],
      });
      expect(added.statusCode).toBe(200);
      expect(added.json()).toEqual({ added: 3 });
      expect((await post(acme, '/suppressions', { phone_numbers: ['37120000001'] })).json()).toEqual({ added: 0 });

      const listed = await get(acme, '/suppressions');
      expect(listed.statusCode).toBe(200);
      expect(listed.json().suppressions).toEqual([
        { phone_number: '37120000001', source: 'api', created_at: expect.stringMatching(/^\d{4}-.*\.\d{6}Z$/) },
        { phone_number: '37129999999', source: 'api', created_at: expect.any(String) },
        { phone_number: '4915100000001', source: 'api', created_at: expect.any(String) },
      ]);
      expect((await get(acme, '/suppressions?search=371&per_page=1&page=2')).json().suppressions).toMatchObject([
        { phone_number: '37129999999' },
      ]);
      expect((await get(acme, '/suppressions?search=49')).json().suppressions).toHaveLength(1);

      const one = await get(acme, '/suppressions/4915100000001');
      expect(one.statusCode).toBe(200);
      expect(one.json().suppression).toMatchObject({ phone_number: '4915100000001', source: 'api' });

      const removed = await del(acme, '/suppressions/4915100000001');
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({ phone_number: '4915100000001', removed: true });
      expect((await get(acme, '/suppressions/4915100000001')).json()).toEqual({
        message: 'No query results for model 4915100000001',
      });
      expect((await del(acme, '/suppressions/4915100000001')).statusCode).toBe(404);
    });

    it('refuse malformed input in the contract shape, and a missing token', async () => {
      const acme = await api.account();
      const bad = await post(acme, '/suppressions', { phone_numbers: ['37120000001', '+371 2000', 12] });
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toEqual({
        message: 'The given data was invalid.',
        errors: {
          'phone_numbers.1': ['The phone numbers.1 field format is invalid.'],
          'phone_numbers.2': ['The phone numbers.2 field format is invalid.'],
        },
      });
      expect((await post(acme, '/suppressions', {})).json()).toEqual({
        message: 'The phone numbers field is required.',
        errors: { phone_numbers: ['The phone numbers field is required.'] },
      });
      expect((await post(acme, '/suppressions', { phone_numbers: '37120000001' })).statusCode).toBe(422);
      expect((await get(acme, '/suppressions?search=abc')).json()).toEqual({
        message: 'The search field format is invalid.',
        errors: { search: ['The search field format is invalid.'] },
      });
      expect((await get(acme, '/suppressions/12ab')).statusCode).toBe(404);
      expect((await get(acme, '/suppressions/12ab')).json()).toEqual({ message: 'No query results for model 12ab' });
      expect(await get(acme, '/suppressions/12ab')).toMatchObject({ statusCode: 404 });
      const anonymous = await api.app.inject({ method: 'GET', url: '/suppressions' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toEqual({ message: 'Unauthenticated.' });
      // Nothing was added by the refused requests.
      expect((await get(acme, '/suppressions')).json()).toEqual({ suppressions: [] });
    });

    it("keep each account's list its own", async () => {
      const a = await api.account();
      const b = await api.account();
      await post(a, '/suppressions', { phone_numbers: ['37120000001'] });
      expect((await get(b, '/suppressions')).json()).toEqual({ suppressions: [] });
      expect((await get(b, '/suppressions/37120000001')).statusCode).toBe(404);
      expect((await del(b, '/suppressions/37120000001')).statusCode).toBe(404);
      expect((await get(a, '/suppressions/37120000001')).statusCode).toBe(200);
      // B's sending to that number is sent and priced in full: A's list is not B's.
      const quote = await post(b, '/sendings/calculate', { message: 'Hi', recipients: ['37120000001'] });
      expect(quote.json().calculate.suppressed).toBeUndefined();
      expect(quote.json().calculate.info).toMatchObject({ recipients: 1, sms_count: 1 });
    });
  });

  describe('money', () => {
    it('prices, reserves and charges the two numbers that did not opt out, and records the third as suppressed', async () => {
      const acme = await api.account({ balance: '10' });
      // 37126120000 and …0001 are Latvia LMT; the third opted out by a STOP reply.
      const recipients = ['37126120000', '37126120001', '37126120005'];
      await addSuppressions(engine.db, acme.id, ['37126120005'], { source: 'stop_message' });
      await post(acme, '/suppressions', { phone_numbers: ['37126120005'] });

      const full = await post(acme, '/sendings/calculate', { message: 'Hi', recipients: recipients.slice(0, 2) });
      const quote = await post(acme, '/sendings/calculate', { message: 'Hi', recipients });
      expect(quote.statusCode).toBe(200);
      const calc = quote.json().calculate;
      expect(calc.info).toEqual(full.json().calculate.info);
      expect(calc.destinations).toEqual(full.json().calculate.destinations);
      expect(calc.suppressed).toEqual([
        { phone_number: 37126120005, reason: 'The recipient opted out by replying STOP.' },
      ]);
      // The field comes last and only when some recipient is suppressed: other answers are as they were.
      expect(full.body).not.toContain('suppressed');
      expect(
        quote.body.endsWith(
          ',"suppressed":[{"phone_number":37126120005,"reason":"The recipient opted out by replying STOP."}]}}',
        ),
      ).toBe(true);
      const twoMinor = Math.round(calc.info.total * 10_000);

      const before = (await getBalance(engine.db, acme.id)) as number;
      const created = await post(acme, '/sendings', { message: 'Hi', recipients, sender: acme.sender });
      expect(created.statusCode).toBe(200);
      const id = created.json().sending_id as number;
      expect(before - ((await getBalance(engine.db, acme.id)) as number)).toBe(twoMinor);
      expect((await get(acme, `/sendings/${id}`)).json().sending.status).toBe('Pending');
      expect((await get(acme, '/sendings')).json().sendings[0]).toMatchObject({ id, total_sms: 2 });

      const clock = fakeClock(Date.now() * 1000);
      const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
      await dispatcher.runUntilIdle();
      clock.advanceMs(5_000);
      await dispatcher.runUntilIdle();

      expect((await get(acme, `/sendings/${id}`)).json().sending.status).toBe('Completed');
      const messages = (await get(acme, `/sendings/${id}/messages`)).json().messages as Record<string, unknown>[];
      expect(messages.map((m) => [m.recipient, m.status, m.cost])).toEqual([
        ['37126120000', 'delivered', calc.destinations[0].numbers[0].total],
        ['37126120001', 'undelivered', calc.destinations[0].numbers[1].total],
        ['37126120005', 'suppressed', 0],
      ]);
      expect(messages[2]).toMatchObject({
        provider: null,
        submitted_at: null,
        attempts: 0,
        final_at: expect.any(String),
      });
      // Both taken by the provider stay charged; nothing came back and nothing was taken for the third.
      expect(before - ((await getBalance(engine.db, acme.id)) as number)).toBe(twoMinor);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('refuses a sending whose every recipient opted out, and reserves nothing', async () => {
      const acme = await api.account({ balance: '10' });
      await post(acme, '/suppressions', { phone_numbers: ['37126120000', '37126120001'] });
      const before = await getBalance(engine.db, acme.id);
      const refused = await post(acme, '/sendings', {
        message: 'Hi',
        recipients: ['37126120000', '37126120001'],
        sender: acme.sender,
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toEqual({ message: ALL_SUPPRESSED, errors: { recipients: [ALL_SUPPRESSED] } });
      expect(await getBalance(engine.db, acme.id)).toBe(before);
      expect((await get(acme, '/sendings')).json()).toEqual({ sendings: [] });
      // The calculation still answers, every number listed apart and nothing priced.
      const calc = (await post(acme, '/sendings/calculate', { message: 'Hi', recipients: ['37126120000'] })).json()
        .calculate;
      expect(calc.info).toMatchObject({ sms_count: 0, subtotal: 0, total: 0, recipients: 0 });
      expect(calc.destinations).toEqual([]);
      expect(calc.suppressed).toHaveLength(1);

      // Taken off the list, the number is sent to again.
      await del(acme, '/suppressions/37126120000');
      expect(
        (await post(acme, '/sendings', { message: 'Hi', recipients: ['37126120000'], sender: acme.sender })).statusCode,
      ).toBe(200);
    });
  });
});
