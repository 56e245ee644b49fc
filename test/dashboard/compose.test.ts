// Compose and campaigns in the dashboard: the live price, sending at once or as a Draft, and what became of a sending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { parseMoney } from '../../src/domain/money.js';
import type {
  CampaignView,
  CreatedTokenView,
  Page,
  PriceView,
  RecipientView,
} from '../../src/http/dashboard/contract.js';
import { auditLedger, credit, listEntries } from '../../src/store/ledger.js';
import { replaceRates } from '../../src/store/rates.js';
import { addSuppressions } from '../../src/store/suppressions.js';
import { routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const LATVIA = ['37126000001', '37126000002', '37129000003'];
const MIXED = ['37126000011', '447400123456', '4525123456', '447400123457', '37120000012'];

describeEachEngine('dashboard compose and campaigns', (engine) => {
  let dash: DashboardApp;
  let b: Browser;
  let token: string;

  const fund = async (browser: Browser, amount: string) => {
    const done = await credit(engine.db, browser.accountId, parseMoney(amount), 'test funds');
    if (!done.ok) throw new Error(done.reason);
  };
  const publicPost = (url: string, payload: object) =>
    dash.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  const balance = async (browser: Browser) =>
    (await browser.json<{ account: { balance: string } }>(browser.get('/app/api/me'))).account.balance;
  const reservations = async (browser: Browser, sendingId: number) =>
    (await listEntries(engine.db, browser.accountId, { page: 1, perPage: 1000 })).filter(
      (e) => e.kind === 'reservation' && e.sendingId === sendingId,
    );

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    b = await dash.customer();
    await fund(b, '100');
    token = (await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'compare' }), 201)).token;
  });
  afterAll(() => dash.close());

  describe('price', () => {
    it('summarises a GSM-7 text: parts, characters (an extension character counts two), destinations', async () => {
      const price = await b.json<PriceView>(
        b.post('/app/api/price', { message: `${'x'.repeat(150)}€[]`, recipients: LATVIA }),
      );
      expect(price).toEqual({
        smart_encoding: null,
        encoding: 'GSM-7',
        ucs2_characters: [],
        characters: 156,
        parts: 1,
        recipients: 3,
        valid: 3,
        invalid: [],
        invalid_total: 0,
        suppressed: 0,
        destinations: [
          {
            country: 'Latvia Tele2',
            iso: 'LV',
            country_name: 'Latvia',
            mcc: '247',
            mnc: '02',
            recipients: 2,
            rate: '0.041',
            cost: '0.082',
          },
          expect.objectContaining({ recipients: 1 }),
        ],
        subtotal: expect.any(String),
        tax: '0',
        total: expect.any(String),
        currency: 'GBP',
        sign: '£',
        balance: '100.000',
        affordable: true,
      });
      const long = await b.json<PriceView>(b.post('/app/api/price', { message: 'x'.repeat(161), recipients: LATVIA }));
      expect([long.parts, long.characters]).toEqual([2, 161]);
    });

    it('lists the characters that force UCS-2', async () => {
      const price = await b.json<PriceView>(
        b.post('/app/api/price', { message: 'Grüße ✓ ж 😀 ✓', recipients: ['37126000001'] }),
      );
      expect(price.encoding).toBe('UCS-2');
      expect(price.ucs2_characters).toEqual(['✓', 'ж', '😀']);
      expect(price.characters).toBe(14);
      expect(price.parts).toBe(1);
    });

    it("names a network as the campaign's recipients do: the operator's name, the MCC/MNC beside it", async () => {
      const d = await dash.customer();
      await fund(d, '1');
      // 37126100001 is on LMT, 247/01.
      const price = await d.json<PriceView>(d.post('/app/api/price', { message: 'Hi', recipients: ['37126100001'] }));
      expect(price.destinations.map(({ country, mcc, mnc }) => [country, mcc, mnc])).toEqual([
        ['Latvia LMT', '247', '01'],
      ]);
      for (const draft of [false, true]) {
        const campaign = await d.json<CampaignView>(
          d.post('/app/api/sendings', { message: 'Hi', recipients: ['37126100001'], sender: 'SMSgic', draft }),
          201,
        );
        const listed = await d.json<Page<RecipientView>>(d.get(`/app/api/sendings/${campaign.id}/messages`));
        expect(
          listed.data.map(({ destination, mcc, mnc }) => [destination, mcc, mnc]),
          `draft: ${draft}`,
        ).toEqual([['Latvia LMT', '247', '01']]);
      }
    });

    it('offers smart encoding for a text it makes GSM-7, with the saving, and prices the choice made', async () => {
      // 80 characters with Latvian letters: 2 UCS-2 parts as written, 1 GSM-7 part with plain letters.
      const message = `Jūsu pasūtījums ir ceļā. ${'x'.repeat(55)}`;
      const asWritten = await b.json<PriceView>(b.post('/app/api/price', { message, recipients: LATVIA }));
      expect(asWritten).toMatchObject({ encoding: 'UCS-2', parts: 2, total: '0.248' });
      expect(asWritten.smart_encoding).toEqual({
        on: false,
        text: `Jusu pasutijums ir cela. ${'x'.repeat(55)}`,
        parts: 1,
        saved: '0.124',
      });
      const smart = await b.json<PriceView>(
        b.post('/app/api/price', { message, recipients: LATVIA, smart_encoding: true }),
      );
      expect(smart).toMatchObject({ encoding: 'GSM-7', parts: 1, total: '0.124', ucs2_characters: [] });
      expect(smart.smart_encoding).toMatchObject({ on: true, parts: 1, saved: '0.124' });
      const cyrillic = await b.json<PriceView>(b.post('/app/api/price', { message: 'Код ā', recipients: LATVIA }));
      expect(cyrillic.smart_encoding).toBeNull();
    });

    const NOT_A_NUMBER =
      'Not a phone number: use 8 to 20 digits in international format, with the country code and no "+".';

    it('lists numbers it cannot price, saying why in words, and prices the rest', async () => {
      const price = await b.json<PriceView>(
        b.post('/app/api/price', {
          message: 'Hi',
          recipients: ['37126000001', 'abc', '12', '37126000001', '99912345678', 37126000002],
        }),
      );
      expect(price.invalid).toEqual([
        { recipient: 'abc', reason: NOT_A_NUMBER },
        { recipient: '12', reason: NOT_A_NUMBER },
        { recipient: '99912345678', reason: 'No country uses this number prefix.' },
      ]);
      expect(price).toMatchObject({ recipients: 5, valid: 2, invalid_total: 3, total: '0.082' });
      const empty = await b.json<PriceView>(b.post('/app/api/price', { message: 'Hi', recipients: [] }));
      expect(empty).toMatchObject({ recipients: 0, valid: 0, total: '0', destinations: [] });
      const noMessage = await b.post('/app/api/price', { message: '', recipients: LATVIA });
      expect(noMessage.statusCode).toBe(422);
      expect(noMessage.json().errors).toEqual({ message: ['Please send `message` post parameter with text for SMS'] });
    });

    it('names the destination a price list has no rate for', async () => {
      const other = await dash.customer();
      const replaced = await replaceRates(engine.db, other.accountId, [{ mcc: '247', mnc: null, rateMinor: 400 }]);
      expect(replaced.ok).toBe(true);
      const price = await other.json<PriceView>(
        other.post('/app/api/price', { message: 'Hi', recipients: ['37126000001', '447400123456'] }),
      );
      expect(price.invalid).toEqual([
        { recipient: '447400123456', reason: 'No price for United Kingdom Three in your price list.' },
      ]);
      expect(price).toMatchObject({ valid: 1, invalid_total: 1, total: '0.04' });
    });

    it('totals exactly what POST /sendings/calculate totals, tax included', async () => {
      const taxed = await dash.customer();
      await engine.db.kysely
        .updateTable('accounts')
        .set({ tax_rate_ppm: 205_000 })
        .where('id', '=', taxed.accountId)
        .execute();
      const taxedToken = (await taxed.json<CreatedTokenView>(taxed.post('/app/api/tokens', { name: 't' }), 201)).token;
      const message = 'Your code is 123456 — thanks';
      const calc = await dash.app.inject({
        method: 'POST',
        url: '/sendings/calculate',
        headers: { authorization: `Bearer ${taxedToken}` },
        payload: { message, recipients: MIXED },
      });
      expect(calc.statusCode, calc.body).toBe(200);
      const { info, destinations } = calc.json().calculate;
      const price = await taxed.json<PriceView>(taxed.post('/app/api/price', { message, recipients: MIXED }));
      expect([price.subtotal, price.tax, price.total]).toEqual([
        String(info.subtotal),
        String(info.tax),
        String(info.total),
      ]);
      expect(price.parts * price.valid).toBe(info.sms_count);
      expect(price.destinations.map((d) => [d.country, d.recipients, d.rate, d.cost])).toEqual(
        destinations.map((d: { numbers: unknown[]; price: number; total: number }, i: number) => [
          price.destinations[i]?.country,
          d.numbers.length,
          String(d.price),
          String(d.total),
        ]),
      );
      expect(price.affordable).toBe(false);
    });

    it('prices a million recipients within the body limit', async () => {
      const numbers: string[] = [];
      for (let i = 0; i < 1_000_000; i++) numbers.push(String(447400000000 + i));
      const payload = JSON.stringify({ message: 'Sale today', recipients: numbers });
      const res = await b.request('POST', '/app/api/price', {
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      const price = res.json<PriceView>();
      expect(price).toMatchObject({ recipients: 1_000_000, valid: 1_000_000, invalid_total: 0, parts: 1 });
      expect(price.affordable).toBe(false);
    }, 120_000);
  });

  describe('compose', () => {
    it('sends and saves drafts smart-encoded when asked: the text sent, and its price, are the plain-letter ones', async () => {
      const message = `Jūsu pasūtījums ir ceļā. ${'x'.repeat(55)}`;
      const plain = `Jusu pasutijums ir cela. ${'x'.repeat(55)}`;
      const before = await balance(b);
      const sent = await b.json<CampaignView>(
        b.post('/app/api/sendings', { message, recipients: LATVIA, sender: 'SMSgic', smart_encoding: true }),
        201,
      );
      expect(sent).toMatchObject({ text: plain, encoding: 'GSM-7', parts_total: 3 });
      expect(Number(before) - Number(await balance(b))).toBeCloseTo(0.124, 6);
      const draft = await b.json<CampaignView>(
        b.post('/app/api/sendings', {
          message,
          recipients: LATVIA,
          sender: 'SMSgic',
          smart_encoding: true,
          draft: true,
        }),
        201,
      );
      expect(draft).toMatchObject({ text: plain, status: 'Draft' });
    });

    it('sends at once: priced, stored and reserved exactly as POST /sendings does', async () => {
      const before = await balance(b);
      const sent = await b.json<CampaignView>(
        b.post('/app/api/sendings', { message: 'Hello from the dashboard', recipients: LATVIA, sender: 'SMSgic' }),
        201,
      );
      expect(sent).toMatchObject({
        text: 'Hello from the dashboard',
        sender: 'SMSgic',
        type: 'default',
        status: 'Pending',
        recipients: 3,
        parts_total: 3,
        encoding: 'GSM-7',
        refunded: '0',
        counts: {
          queued: 3,
          submitting: 0,
          submitted: 0,
          delivered: 0,
          undelivered: 0,
          expired: 0,
          rejected: 0,
          failed: 0,
        },
      });
      const publicView = await dash.app.inject({
        method: 'GET',
        url: `/sendings/${sent.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(publicView.json().sending.status).toBe('Pending');
      expect(await reservations(b, sent.id)).toHaveLength(1);
      expect(Number(before) - Number(await balance(b))).toBeCloseTo(Number(sent.total), 3);
    });

    it("answers bad input with the public API's fields and texts, the schedule under its own name", async () => {
      const bad = { message: '', recipients: ['123', '37126000001'], sender: 'Nobody', schedule: 'tomorrow' };
      const res = await b.post('/app/api/sendings', bad);
      expect(res.statusCode).toBe(422);
      const ours = res.json();
      const theirs = (await publicPost('/sendings', { ...bad, scheduled_at: bad.schedule })).json();
      const { scheduled_at: scheduleTexts, ...rest } = theirs.errors;
      expect(ours).toEqual({ message: theirs.message, errors: { ...rest, schedule: scheduleTexts } });
      expect(ours.errors.schedule).toEqual(['The scheduled at field must match the format Y-m-d H:i:s.']);
    });

    it('refuses a schedule in the past, for a sending, a draft and a draft edited; the public API still sends it', async () => {
      const past = { message: 'Hi', recipients: LATVIA, sender: 'SMSgic', schedule: '2020-01-01 10:00:00' };
      const refused = {
        message: 'The schedule is in the past: choose a later date and time, or send at once.',
        errors: { schedule: ['The schedule is in the past: choose a later date and time, or send at once.'] },
      };
      const before = await balance(b);
      for (const payload of [past, { ...past, draft: true }]) {
        const res = await b.post('/app/api/sendings', payload);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual(refused);
      }
      const draft = await b.json<CampaignView>(
        b.post('/app/api/sendings', { ...past, schedule: '', draft: true }),
        201,
      );
      const edited = await b.request('PUT', `/app/api/sendings/${draft.id}`, { payload: past });
      expect(edited.statusCode).toBe(422);
      expect(edited.json()).toEqual(refused);
      expect(await balance(b)).toBe(before);
      const theirs = await publicPost('/sendings', { ...past, scheduled_at: past.schedule });
      expect(theirs.statusCode).toBe(200);
    });

    it("refuses a sending the balance cannot pay, with the public API's text, and reserves nothing", async () => {
      const poor = await dash.customer();
      const res = await poor.post('/app/api/sendings', { message: 'Hi', recipients: LATVIA, sender: 'SMSgic' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ message: 'Insufficient balance.', errors: { balance: ['Insufficient balance.'] } });
      expect((await poor.json<Page<CampaignView>>(poor.get('/app/api/sendings'))).total).toBe(0);
    });

    it('saves a Draft: nothing reserved; edited; then sent on the same id, reserved once', async () => {
      const before = await balance(b);
      const draft = await b.json<CampaignView>(
        b.post('/app/api/sendings', {
          message: 'Draft text',
          recipients: LATVIA,
          sender: 'SMSgic',
          schedule: '2099-01-01 10:00:00',
          draft: true,
        }),
        201,
      );
      expect(draft).toMatchObject({ status: 'Draft', recipients: 3, scheduled_at: '2099-01-01T10:00:00.000Z' });
      expect(Object.values(draft.counts).every((n) => n === 0)).toBe(true);
      expect(await balance(b)).toBe(before);
      expect(await reservations(b, draft.id)).toEqual([]);
      const listed = await dash.app.inject({
        method: 'GET',
        url: '/sendings',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(listed.json().sendings.find((s: { id: number }) => s.id === draft.id).status).toBe('Draft');

      // Its recipients read back page by page (what an edit form loads), priced with today's rates.
      const firstPage = await b.json<Page<RecipientView>>(b.get(`/app/api/sendings/${draft.id}/messages?per_page=2`));
      expect(firstPage).toMatchObject({ total: 3, page: 1, per_page: 2 });
      expect(firstPage.data).toEqual([
        {
          id: 1,
          recipient: '37126000001',
          country: 'Latvia',
          iso: 'LV',
          destination: 'Latvia Tele2',
          mcc: '247',
          mnc: '02',
          parts: 1,
          cost: '0.041',
          charged: '0',
          refunded: '0',
          status: 'queued',
          provider_status: null,
          error: null,
          updated_at: expect.stringMatching(/Z$/),
        },
        expect.objectContaining({ id: 2, recipient: '37126000002', status: 'queued' }),
      ]);
      const secondPage = await b.json<Page<RecipientView>>(
        b.get(`/app/api/sendings/${draft.id}/messages?per_page=2&page=2`),
      );
      expect(secondPage.data.map((r) => [r.id, r.recipient])).toEqual([[3, '37129000003']]);
      const searched = await b.json<Page<RecipientView>>(b.get(`/app/api/sendings/${draft.id}/messages?search=9000`));
      expect(searched.data.map((r) => r.recipient)).toEqual(['37129000003']);
      const delivered = await b.json<Page<RecipientView>>(
        b.get(`/app/api/sendings/${draft.id}/messages?status=delivered`),
      );
      expect(delivered.total).toBe(0);

      const edited = await b.json<CampaignView>(
        b.request('PUT', `/app/api/sendings/${draft.id}`, {
          payload: { message: 'Edited draft', recipients: ['37126000001'], sender: 'SMSgic' },
        }),
      );
      expect(edited).toMatchObject({ id: draft.id, status: 'Draft', text: 'Edited draft', recipients: 1 });
      // Without a schedule it goes as soon as it is sent: its time reads as its creation, as a new draft's does.
      expect(edited.scheduled_at).toBe(edited.created_at);

      const sent = await b.json<CampaignView>(b.post(`/app/api/sendings/${draft.id}/send`));
      expect(sent).toMatchObject({
        id: draft.id,
        status: 'Pending',
        text: 'Edited draft',
        recipients: 1,
        total: '0.041',
      });
      expect(sent.counts.queued).toBe(1);
      expect(await reservations(b, draft.id)).toHaveLength(1);
      expect((await reservations(b, draft.id))[0]?.amountMinor).toBe(-410);

      const again = await b.post(`/app/api/sendings/${draft.id}/send`);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({
        message: 'Only a Draft can be sent, changed or deleted; this sending is Pending.',
      });
      expect(await reservations(b, draft.id)).toHaveLength(1);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('leaves out numbers that opted out: the price without them, a Draft sent later records them at no cost', async () => {
      const c = await dash.customer();
      await fund(c, '10');
      await addSuppressions(engine.db, c.accountId, [LATVIA[2] as string], { source: 'dashboard' });
      const price = await c.json<PriceView>(c.post('/app/api/price', { message: 'Hi', recipients: LATVIA }));
      const withoutIt = await c.json<PriceView>(
        c.post('/app/api/price', { message: 'Hi', recipients: LATVIA.slice(0, 2) }),
      );
      expect(price).toMatchObject({ recipients: 3, valid: 2, suppressed: 1, invalid_total: 0, total: withoutIt.total });
      expect(price.destinations).toEqual(withoutIt.destinations);

      const draft = await c.json<CampaignView>(
        c.post('/app/api/sendings', { message: 'Hi', recipients: LATVIA, sender: 'SMSgic', draft: true }),
        201,
      );
      expect(draft).toMatchObject({ status: 'Draft', recipients: 2, total: withoutIt.total });
      // Opted out after the draft was saved: left out when it is sent, recorded as suppressed, nothing reserved for it.
      await addSuppressions(engine.db, c.accountId, [LATVIA[1] as string], { source: 'stop_message' });
      const before = parseMoney(await balance(c));
      const sent = await c.json<CampaignView>(c.post(`/app/api/sendings/${draft.id}/send`));
      expect(sent).toMatchObject({ status: 'Pending', recipients: 1, total: '0.041' });
      expect(sent.counts).toMatchObject({ queued: 1, suppressed: 1 });
      expect(before - parseMoney(await balance(c))).toBe(410);
      const messages = await c.json<Page<RecipientView>>(c.get(`/app/api/sendings/${draft.id}/messages`));
      expect(messages.data.map((m) => [m.recipient, m.status, m.cost])).toEqual([
        ['37126000001', 'queued', '0.041'],
        ['37126000002', 'suppressed', '0'],
      ]);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);

      // Every recipient opted out: the public API's refusal, and the Draft stays a Draft.
      await addSuppressions(engine.db, c.accountId, [LATVIA[0] as string], { source: 'api' });
      const other = await c.json(
        c.post('/app/api/sendings', { message: 'Hi', recipients: LATVIA, sender: 'SMSgic', draft: true }),
        422,
      );
      expect(other).toEqual({
        message: 'Every recipient has opted out of messages from this account; nothing was sent.',
        errors: { recipients: ['Every recipient has opted out of messages from this account; nothing was sent.'] },
      });
    });

    it('sends a Draft once when two requests race', async () => {
      const draft = await b.json<CampaignView>(
        b.post('/app/api/sendings', { message: 'Race', recipients: LATVIA, sender: 'SMSgic', draft: true }),
        201,
      );
      const [first, second] = await Promise.all([
        b.post(`/app/api/sendings/${draft.id}/send`),
        b.post(`/app/api/sendings/${draft.id}/send`),
      ]);
      expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
      expect(await reservations(b, draft.id)).toHaveLength(1);
      const messages = await engine.db.kysely
        .selectFrom('messages')
        .select('id')
        .where('sending_id', '=', draft.id)
        .execute();
      expect(messages).toHaveLength(3);
    });

    it("keeps a Draft the balance cannot pay as a Draft, with the public API's text", async () => {
      const poor = await dash.customer();
      const draft = await poor.json<CampaignView>(
        poor.post('/app/api/sendings', { message: 'Later', recipients: LATVIA, sender: 'SMSgic', draft: true }),
        201,
      );
      const res = await poor.post(`/app/api/sendings/${draft.id}/send`);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ message: 'Insufficient balance.', errors: { balance: ['Insufficient balance.'] } });
      expect((await poor.json<CampaignView>(poor.get(`/app/api/sendings/${draft.id}`))).status).toBe('Draft');
      await fund(poor, '1');
      expect((await poor.json<CampaignView>(poor.post(`/app/api/sendings/${draft.id}/send`))).status).toBe('Pending');
    });

    it('deletes a Draft, and nothing else', async () => {
      const draft = await b.json<CampaignView>(
        b.post('/app/api/sendings', { message: 'Bin me', recipients: LATVIA, sender: 'SMSgic', draft: true }),
        201,
      );
      expect((await b.request('DELETE', `/app/api/sendings/${draft.id}`)).statusCode).toBe(204);
      expect((await b.get(`/app/api/sendings/${draft.id}`)).statusCode).toBe(404);
      const sent = await b.json<CampaignView>(
        b.post('/app/api/sendings', { message: 'Keep me', recipients: LATVIA, sender: 'SMSgic' }),
        201,
      );
      const res = await b.request('DELETE', `/app/api/sendings/${sent.id}`);
      expect(res.statusCode).toBe(409);
      expect((await b.get(`/app/api/sendings/${sent.id}`)).statusCode).toBe(200);
    });
  });

  describe('campaigns', () => {
    let c: Browser;
    let dispatched: CampaignView;
    beforeAll(async () => {
      c = await dash.customer();
      await fund(c, '10');
      // The sandbox's script: …0001 undelivered, …0004 refused at submission (refunded), others delivered.
      const recipients = ['37126100001', '37126100004', '37126100006', '37126100007', '37126200008'];
      dispatched = await c.json<CampaignView>(
        c.post('/app/api/sendings', { message: 'Dispatched', recipients, sender: 'SMSgic' }),
        201,
      );
      const dispatcher = createDispatcher({
        db: engine.db,
        router: routerWith(() => engine.db.nowUs()),
        clockUs: () => engine.db.nowUs(),
      });
      await dispatcher.runUntilIdle();
    });

    it('counts messages per status and shows what was refunded', async () => {
      const view = await c.json<CampaignView>(c.get(`/app/api/sendings/${dispatched.id}`));
      expect(view.status).toBe('Completed');
      expect(view.counts).toEqual({
        queued: 0,
        submitting: 0,
        submitted: 0,
        delivered: 3,
        undelivered: 1,
        expired: 0,
        rejected: 1,
        failed: 0,
        cancelled: 0,
        suppressed: 0,
      });
      // The one refused at submission (…0004, Latvia LMT at 0.039) came back.
      expect(view.refunded).toBe('0.039');
      const page = await c.json<Page<CampaignView>>(c.get('/app/api/sendings?status=Completed'));
      expect(page).toMatchObject({ total: 1, page: 1, per_page: 50 });
      expect(page.data[0]).toEqual(view);
      expect((await c.get('/app/api/sendings?status=Lost')).json().errors).toEqual({
        status: ['The selected status is invalid.'],
      });
    });

    it('lists recipients, filtered by status and searched by a part of the number', async () => {
      const all = await c.json<Page<RecipientView>>(c.get(`/app/api/sendings/${dispatched.id}/messages?per_page=2`));
      expect(all).toMatchObject({ total: 5, per_page: 2 });
      expect(all.data[0]).toEqual({
        id: expect.any(Number),
        recipient: '37126100001',
        country: 'Latvia',
        iso: 'LV',
        destination: 'Latvia LMT',
        mcc: '247',
        mnc: '01',
        parts: 1,
        cost: '0.039',
        charged: '0.039',
        refunded: '0',
        status: 'undelivered',
        provider_status: null,
        error: expect.any(String),
        updated_at: expect.stringMatching(/Z$/),
      });
      // The one refused at submission shows its cost refunded, nothing charged.
      expect(all.data[1]).toMatchObject({ recipient: '37126100004', cost: '0.039', charged: '0', refunded: '0.039' });
      const delivered = await c.json<Page<RecipientView>>(
        c.get(`/app/api/sendings/${dispatched.id}/messages?status=delivered`),
      );
      expect(delivered.data.map((r) => r.recipient)).toEqual(['37126100006', '37126100007', '37126200008']);
      const searched = await c.json<Page<RecipientView>>(
        c.get(`/app/api/sendings/${dispatched.id}/messages?search=${encodeURIComponent('+371 261')}`),
      );
      expect(searched.total).toBe(4);
      const both = await c.json<Page<RecipientView>>(
        c.get(`/app/api/sendings/${dispatched.id}/messages?search=0008&status=delivered`),
      );
      expect(both.data.map((r) => r.recipient)).toEqual(['37126200008']);
      const nothing = await c.json<Page<RecipientView>>(
        c.get(`/app/api/sendings/${dispatched.id}/messages?search=abc`),
      );
      expect(nothing).toMatchObject({ total: 0, data: [] });
    });

    it('cancels a Pending sending with a full refund, and refuses any other with 409', async () => {
      const scheduled = await c.json<CampaignView>(
        c.post('/app/api/sendings', {
          message: 'Tomorrow',
          recipients: LATVIA,
          sender: 'SMSgic',
          schedule: '2099-06-01 08:00:00',
        }),
        201,
      );
      const cancelled = await c.json<CampaignView>(c.post(`/app/api/sendings/${scheduled.id}/cancel`));
      expect(cancelled).toMatchObject({ id: scheduled.id, status: 'Cancelled', refunded: scheduled.total });
      expect(cancelled.counts).toMatchObject({ queued: 0, cancelled: LATVIA.length });
      const recipients = await c.json<Page<RecipientView>>(c.get(`/app/api/sendings/${scheduled.id}/messages`));
      expect(recipients.data.map((r) => r.status)).toEqual(LATVIA.map(() => 'cancelled'));
      const again = await c.post(`/app/api/sendings/${scheduled.id}/cancel`);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual({ message: 'Only a Pending sending can be cancelled; this sending is Cancelled.' });
      expect((await c.post(`/app/api/sendings/${dispatched.id}/cancel`)).statusCode).toBe(409);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });
  });
});
