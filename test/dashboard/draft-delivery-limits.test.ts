// A dashboard Draft keeps its send window and validity: stored with it, shown when it is read back, refused with the
// texts a sending gets, and applied when it is sent (messages held until the window opens, the validity's end set).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import { ruleText, windowTexts } from '../../src/domain/texts.js';
import type { CampaignView, CreatedTokenView } from '../../src/http/dashboard/contract.js';
import { auditLedger, credit } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

/** Riga: +02:00 in January. */
const LATVIA = ['37126000001', '37126000002'];
/** 10:00 UTC, 12:00 in Riga: before a 13:00-20:00 window, which opens there at 11:00 UTC. */
const SCHEDULE = '2099-01-15 10:00:00';
const OPENS_US = Date.UTC(2099, 0, 15, 11, 0) * 1000;
const DUE_US = Date.UTC(2099, 0, 15, 10, 0) * 1000;

describeEachEngine('dashboard drafts with a send window and validity', (engine) => {
  let dash: DashboardApp;
  let b: Browser;
  let token: string;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    b = await dash.customer();
    const funded = await credit(engine.db, b.accountId, parseMoney('10'), 'test funds');
    if (!funded.ok) throw new Error(funded.reason);
    token = (await b.json<CreatedTokenView>(b.post('/app/api/tokens', { name: 'draft limits' }), 201)).token;
  });
  afterAll(() => dash.close());

  const publicApi = (method: 'GET' | 'POST', url: string, payload?: object) =>
    dash.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined && { payload }),
    });
  const nextAttempts = async (sendingId: number) =>
    (
      await engine.db.kysely
        .selectFrom('messages')
        .select(['recipient', 'next_attempt_at_us'])
        .where('sending_id', '=', sendingId)
        .orderBy('recipient')
        .execute()
    ).map((m) => [m.recipient, Number(m.next_attempt_at_us)]);

  it('saves them with the draft, shows them read back, and applies them when it is sent', async () => {
    const draft = await b.json<CampaignView>(
      b.post('/app/api/sendings', {
        message: 'Quiet please',
        recipients: LATVIA,
        sender: 'SMSgic',
        schedule: SCHEDULE,
        send_window: ' 13:00-20:00 ',
        validity_minutes: '90',
        draft: true,
      }),
      201,
    );
    expect(draft).toMatchObject({ status: 'Draft', send_window: '13:00-20:00', validity_minutes: 90 });
    const reread = await b.json<CampaignView>(b.get(`/app/api/sendings/${draft.id}`));
    expect(reread).toMatchObject({ status: 'Draft', send_window: '13:00-20:00', validity_minutes: 90 });

    const sent = await b.json<CampaignView>(b.post(`/app/api/sendings/${draft.id}/send`));
    expect(sent).toMatchObject({ status: 'Pending', send_window: '13:00-20:00', validity_minutes: 90 });
    const shown = await publicApi('GET', `/sendings/${draft.id}`);
    expect(shown.json().sending).toMatchObject({
      send_window: '13:00-20:00',
      validity_minutes: 90,
      expires_at: '2099-01-15T11:30:00.000000Z',
    });
    expect(await nextAttempts(draft.id)).toEqual(LATVIA.map((r) => [r, OPENS_US]));

    // The same sending made through the public API is held and ends exactly the same way.
    const direct = await publicApi('POST', '/sendings', {
      message: 'Quiet please',
      recipients: LATVIA,
      sender: 'SMSgic',
      scheduled_at: SCHEDULE,
      send_window: '13:00-20:00',
      validity_minutes: 90,
    });
    expect(direct.statusCode).toBe(200);
    const directId = direct.json().sending_id as number;
    expect((await publicApi('GET', `/sendings/${directId}`)).json().sending.expires_at).toBe(
      shown.json().sending.expires_at,
    );
    expect(await nextAttempts(directId)).toEqual(await nextAttempts(draft.id));
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('keeps an edit of them: changed, then taken off, and a draft sent without them goes at any time', async () => {
    const base = { message: 'Edit me', recipients: LATVIA, sender: 'SMSgic', schedule: SCHEDULE };
    const draft = await b.json<CampaignView>(
      b.post('/app/api/sendings', { ...base, send_window: '13:00-20:00', draft: true }),
      201,
    );
    expect(draft.send_window).toBe('13:00-20:00');
    expect(draft.validity_minutes).toBeUndefined();
    const changed = await b.json<CampaignView>(
      b.request('PUT', `/app/api/sendings/${draft.id}`, {
        payload: { ...base, send_window: '21:00-07:00', validity_minutes: 30 },
      }),
    );
    expect(changed).toMatchObject({ send_window: '21:00-07:00', validity_minutes: 30 });
    const cleared = await b.json<CampaignView>(
      b.request('PUT', `/app/api/sendings/${draft.id}`, {
        payload: { ...base, send_window: '', validity_minutes: '' },
      }),
    );
    expect(cleared.send_window).toBeUndefined();
    expect(cleared.validity_minutes).toBeUndefined();
    const sent = await b.json<CampaignView>(b.post(`/app/api/sendings/${draft.id}/send`));
    expect(sent.status).toBe('Pending');
    const shown = (await publicApi('GET', `/sendings/${draft.id}`)).json().sending;
    expect(shown.send_window).toBeUndefined();
    expect(shown.expires_at).toBeUndefined();
    // Nothing held: each message may go as soon as the sending is due.
    expect((await nextAttempts(draft.id)).every(([, at]) => (at as number) <= DUE_US)).toBe(true);
  });

  it('refuses bad ones with the texts a sending gets, on saving and on editing a draft, and stores nothing', async () => {
    const base = { message: 'Bad', recipients: LATVIA, sender: 'SMSgic' };
    const kept = await b.json<CampaignView>(
      b.post('/app/api/sendings', { ...base, send_window: '08:00-20:00', validity_minutes: 60, draft: true }),
      201,
    );
    const before = (await b.json<{ total: number }>(b.get('/app/api/sendings?status=Draft'))).total;
    for (const [fields, field, text] of [
      [{ send_window: '25:00-07:00' }, 'send_window', windowTexts.sendWindowFormat],
      [{ send_window: '08:00-08:00' }, 'send_window', windowTexts.sendWindowFormat],
      [{ send_window: 800 }, 'send_window', windowTexts.sendWindowFormat],
      [{ validity_minutes: 0 }, 'validity_minutes', ruleText.minNumber('validity_minutes', 1)],
      [{ validity_minutes: 4321 }, 'validity_minutes', ruleText.maxNumber('validity_minutes', 4320)],
      [{ validity_minutes: 'soon' }, 'validity_minutes', ruleText.integer('validity_minutes')],
    ] as const) {
      const publicAnswer = await publicApi('POST', '/sendings', { ...base, ...fields });
      expect(publicAnswer.statusCode).toBe(422);
      expect(publicAnswer.json().errors[field]).toEqual([text]);
      for (const res of [
        await b.post('/app/api/sendings', { ...base, ...fields, draft: true }),
        await b.request('PUT', `/app/api/sendings/${kept.id}`, { payload: { ...base, ...fields } }),
      ]) {
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({ message: text, errors: { [field]: [text] } });
      }
    }
    expect((await b.json<{ total: number }>(b.get('/app/api/sendings?status=Draft'))).total).toBe(before);
    expect(await b.json<CampaignView>(b.get(`/app/api/sendings/${kept.id}`))).toMatchObject({
      text: 'Bad',
      send_window: '08:00-20:00',
      validity_minutes: 60,
    });
  });
});
