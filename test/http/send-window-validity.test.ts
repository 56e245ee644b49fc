// send_window and validity_minutes on POST /sendings and calculate: stored and shown on the sending, a message outside
// its recipient's local window waiting until it opens (an injected clock), one past its validity ended `expired` and
// refunded exactly, and bad values refused with 422.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createDispatcher, type Dispatcher } from '../../src/dispatch/worker.js';
import { ruleText, windowTexts } from '../../src/domain/texts.js';
import type { Db } from '../../src/store/db.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { US_PER_MS } from '../../src/store/time.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

/** Riga (EET, +02:00 in January) and Copenhagen (CET, +01:00): one priced number each on the default list. */
const LATVIA = '37120000000';
const DENMARK = '4525123456';
/** 19:30 UTC on 15 January 2030: 21:30 in Riga and 20:30 in Copenhagen, both after an 08:00-20:00 window. */
const START_MS = Date.UTC(2030, 0, 15, 19, 30);

describeEachEngine('send window and validity through the API', (engine) => {
  const clock = fakeClock(START_MS * US_PER_MS);
  let db: Db;
  let api: ApiApp;
  let account: ApiAccount;
  let upstream: ReturnType<typeof createMemorySandboxUpstream>;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    db = await engine.open({ clockUs: clock.clockUs });
    api = await startApiApp(db);
    account = await api.account({ balance: '10', taxRate: '20' });
    upstream = createMemorySandboxUpstream({ soleProcess: true });
    dispatcher = createDispatcher({ db, router: routerWith(clock.clockUs, { upstream }), clockUs: clock.clockUs });
  });
  afterAll(() => api.close());

  const post = (url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  const advanceTo = (ms: number) => clock.advanceMs(ms - clock.clockUs() / US_PER_MS);
  const statuses = async (id: number) =>
    Object.fromEntries(
      ((await get(`/sendings/${id}/messages`)).json().messages as { recipient: string; status: string }[]).map((m) => [
        m.recipient,
        m.status,
      ]),
    );

  it('refuses bad values with 422 in the contract shape, on POST /sendings and on calculate', async () => {
    const base = { message: 'Hello', recipients: [LATVIA], sender: 'MegaShop' };
    for (const [fields, field, text] of [
      [{ send_window: '25:00-07:00' }, 'send_window', windowTexts.sendWindowFormat],
      [{ send_window: '08:00-08:00' }, 'send_window', windowTexts.sendWindowFormat],
      [{ send_window: 800 }, 'send_window', windowTexts.sendWindowFormat],
      [{ validity_minutes: 0 }, 'validity_minutes', ruleText.minNumber('validity_minutes', 1)],
      [{ validity_minutes: 4321 }, 'validity_minutes', ruleText.maxNumber('validity_minutes', 4320)],
      [{ validity_minutes: 'soon' }, 'validity_minutes', ruleText.integer('validity_minutes')],
      [{ validity_minutes: 1.5 }, 'validity_minutes', ruleText.integer('validity_minutes')],
    ] as const) {
      for (const url of ['/sendings', '/sendings/calculate']) {
        const res = await post(url, { ...base, ...fields });
        expect(res.statusCode, `${url} ${JSON.stringify(fields)}`).toBe(422);
        expect(res.json()).toEqual({ message: text, errors: { [field]: [text] } });
      }
    }
    expect(await getBalance(db, account.id)).toBe(100_000);
  });

  it('calculate prices a sending with a window and a validity as without them', async () => {
    const plain = await post('/sendings/calculate', { message: 'Hello', recipients: [LATVIA, DENMARK] });
    const timed = await post('/sendings/calculate', {
      message: 'Hello',
      recipients: [LATVIA, DENMARK],
      send_window: '08:00-20:00',
      validity_minutes: 90,
    });
    expect(timed.statusCode).toBe(200);
    expect(timed.json()).toEqual(plain.json());
  });

  it('holds each message until the window opens in its recipient local time, then sends it', async () => {
    const res = await post('/sendings', {
      message: 'Good morning',
      recipients: [LATVIA, DENMARK],
      sender: 'MegaShop',
      send_window: ' 08:00-20:00 ',
    });
    expect(res.statusCode).toBe(200);
    const id = res.json().sending_id as number;
    const shown = (await get(`/sendings/${id}`)).json().sending;
    expect(shown).toMatchObject({ id, status: 'Pending', send_window: '08:00-20:00' });
    expect(shown).not.toHaveProperty('validity_minutes');
    expect(shown).not.toHaveProperty('expires_at');

    await dispatcher.runUntilIdle();
    expect(upstream.size).toBe(0);
    expect(await statuses(id)).toEqual({ [LATVIA]: 'queued', [DENMARK]: 'queued' });

    // 08:00 in Riga is 06:00 UTC on the 16th; a minute before, nothing goes.
    advanceTo(Date.UTC(2030, 0, 16, 5, 59));
    await dispatcher.runUntilIdle();
    expect(upstream.size).toBe(0);
    advanceTo(Date.UTC(2030, 0, 16, 6, 0));
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'delivered', [DENMARK]: 'queued' });
    // 08:00 in Copenhagen is 07:00 UTC.
    advanceTo(Date.UTC(2030, 0, 16, 7, 0));
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'delivered', [DENMARK]: 'delivered' });
    expect((await get(`/sendings/${id}`)).json().sending.status).toBe('Completed');
  });

  it('a window crossing midnight sends at once inside it', async () => {
    // 07:00 UTC is 09:00 in Riga: inside 21:00-10:00.
    const res = await post('/sendings', {
      message: 'Now',
      recipients: [LATVIA],
      sender: 'MegaShop',
      send_window: '21:00-10:00',
    });
    const id = res.json().sending_id as number;
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'delivered' });
  });

  it('a message not handed over within its validity ends expired and its whole price comes back, exactly', async () => {
    // 07:00 UTC is 09:00 in Riga, outside 20:00-22:00: the message waits, and its 30 minutes run out first.
    const before = (await getBalance(db, account.id)) as number;
    const res = await post('/sendings', {
      message: 'Evening offer',
      recipients: [LATVIA],
      sender: 'MegaShop',
      send_window: '20:00-22:00',
      validity_minutes: '30',
    });
    expect(res.statusCode).toBe(200);
    const id = res.json().sending_id as number;
    const reserved = before - ((await getBalance(db, account.id)) as number);
    expect(reserved).toBeGreaterThan(0);
    const shown = (await get(`/sendings/${id}`)).json().sending;
    expect(shown).toMatchObject({ send_window: '20:00-22:00', validity_minutes: 30 });
    expect(shown.expires_at).toBe('2030-01-16T07:30:00.000000Z');

    clock.advanceMs(30 * 60_000 - 1);
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'queued' });
    expect(await getBalance(db, account.id)).toBe(before - reserved);

    clock.advanceMs(1);
    await dispatcher.runUntilIdle();
    const [message] = (await get(`/sendings/${id}/messages`)).json().messages;
    expect(message).toMatchObject({
      status: 'expired',
      error: windowTexts.expiredBeforeHandOver,
      charged: 0,
      refunded: message.cost,
    });
    expect((await get(`/sendings/${id}`)).json().sending.status).toBe('Failed');
    expect(await getBalance(db, account.id)).toBe(before);
    expect((await auditLedger(db)).mismatches).toEqual([]);

    // Later rounds, and the window opening, change nothing: the message is final.
    advanceTo(Date.UTC(2030, 0, 16, 18, 0));
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'expired' });
    expect(await getBalance(db, account.id)).toBe(before);
  });

  it('a message handed over within its validity is sent and charged as usual', async () => {
    const before = (await getBalance(db, account.id)) as number;
    const res = await post('/sendings', {
      message: 'Code 1234',
      recipients: [LATVIA],
      sender: 'MegaShop',
      validity_minutes: 5,
    });
    const id = res.json().sending_id as number;
    await dispatcher.runUntilIdle();
    expect(await statuses(id)).toEqual({ [LATVIA]: 'delivered' });
    expect(await getBalance(db, account.id)).toBeLessThan(before);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('an Idempotency-Key replay with another validity is a different request', async () => {
    const body = { message: 'Keyed', recipients: [LATVIA], sender: 'MegaShop', validity_minutes: 10 };
    const headers = { ...account.headers, 'idempotency-key': 'windows-key-1' };
    const first = await api.app.inject({ method: 'POST', url: '/sendings', headers, payload: body });
    expect(first.statusCode).toBe(200);
    const replay = await api.app.inject({ method: 'POST', url: '/sendings', headers, payload: body });
    expect(replay.json()).toEqual(first.json());
    const changed = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers,
      payload: { ...body, validity_minutes: 20 },
    });
    expect(changed.statusCode).toBe(422);
    expect(Object.keys(changed.json().errors)).toEqual(['Idempotency-Key']);
  });
});
