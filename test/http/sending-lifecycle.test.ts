// A sending seen through the API from creation to its per-recipient delivery statuses, and the cancel extension.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { formatBalance, parseMoney } from '../../src/domain/money.js';
import { listEntries } from '../../src/store/ledger.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const sumOf = (amounts: readonly number[]) => amounts.reduce((a, b) => a + b, 0);

describeEachEngine('sending lifecycle over HTTP', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;
  let other: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    acme = await api.account({ balance: '10' });
    other = await api.account({ balance: '10' });
  });
  afterAll(() => api.close());

  const post = (account: ApiAccount, url: string, payload?: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, ...(payload && { payload }) });
  const get = (account: ApiAccount, url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  const balance = async (account: ApiAccount) => (await get(account, '/balance')).json().balance as string;

  it('shows each recipient delivered, undelivered or refused, and refunds the refused one', async () => {
    const created = await post(acme, '/sendings', {
      message: 'Your code is 1234',
      recipients: ['37126120000', '37126120001', '37126120004'],
      sender: acme.sender,
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().sending_id as number;
    const before = await balance(acme);

    const clock = fakeClock(Date.now() * 1000);
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    clock.advanceMs(5_000);
    await dispatcher.runUntilIdle();

    expect((await get(acme, `/sendings/${id}`)).json().sending.status).toBe('Completed');
    const listed = await get(acme, `/sendings/${id}/messages`);
    expect(listed.statusCode).toBe(200);
    const statuses = listed
      .json()
      .messages.map((m: { recipient: string; status: string; provider: string }) => [
        m.recipient,
        m.status,
        m.provider,
      ]);
    expect(statuses).toEqual([
      ['37126120000', 'delivered', 'sandbox'],
      ['37126120001', 'undelivered', 'sandbox'],
      ['37126120004', 'rejected', 'sandbox'],
    ]);
    const refused = listed.json().messages[2];
    expect(refused).toMatchObject({ submitted_at: null, error: expect.stringContaining('refused') });
    // The refused message's cost came back; the two a provider took stay charged.
    const refundMinor = parseMoney(String(refused.cost));
    expect(await balance(acme)).toBe(formatBalance(parseMoney(before) + refundMinor));
  });

  it('shows per message what was charged and what was refunded, agreeing with the ledger', async () => {
    const created = await post(acme, '/sendings', {
      message: 'Your code is 5678',
      recipients: ['37126130000', '37126130004'],
      sender: acme.sender,
    });
    const id = created.json().sending_id as number;
    const queued = (await get(acme, `/sendings/${id}/messages`)).json().messages;
    // Before dispatch both are reserved: neither charged nor refunded yet.
    expect(queued.map((m: { charged: number; refunded: number }) => [m.charged, m.refunded])).toEqual([
      [0, 0],
      [0, 0],
    ]);

    const clock = fakeClock(Date.now() * 1000);
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    clock.advanceMs(5_000);
    await dispatcher.runUntilIdle();

    const messages = (await get(acme, `/sendings/${id}/messages`)).json().messages as {
      recipient: string;
      status: string;
      cost: number;
      charged: number;
      refunded: number;
    }[];
    expect(messages.map((m) => [m.recipient, m.status, m.cost, m.charged, m.refunded])).toEqual([
      ['37126130000', 'delivered', 0.039, 0.039, 0],
      ['37126130004', 'rejected', 0.039, 0, 0.039],
    ]);
    const entries = (await listEntries(engine.db, acme.id)).filter((e) => e.sendingId === id);
    const reservedMinor = -sumOf(entries.filter((e) => e.kind === 'reservation').map((e) => e.amountMinor));
    const refundMinor = sumOf(entries.filter((e) => e.kind === 'refund').map((e) => e.amountMinor));
    expect(refundMinor).toBe(parseMoney('0.039'));
    expect(sumOf(messages.map((m) => parseMoney(String(m.charged))))).toBe(reservedMinor - refundMinor);
    expect(sumOf(messages.map((m) => parseMoney(String(m.refunded))))).toBe(refundMinor);
  });

  it('paginates messages and hides another account’s sending behind the model 404', async () => {
    const created = await post(acme, '/sendings', {
      message: 'Hi',
      recipients: ['37126120010', '37126120011', '37126120012'],
      sender: acme.sender,
    });
    const id = created.json().sending_id as number;
    const page2 = await get(acme, `/sendings/${id}/messages?page=2&per_page=2`);
    expect(page2.json().messages.map((m: { recipient: string }) => m.recipient)).toEqual(['37126120012']);
    expect((await get(other, `/sendings/${id}/messages`)).json()).toEqual({
      message: `No query results for model ${id}`,
    });
    expect((await post(other, `/sendings/${id}/cancel`)).statusCode).toBe(404);
  });

  it('filters a sending’s messages by status, counting only those, and refuses an unknown status with 422', async () => {
    const created = await post(acme, '/sendings', {
      message: 'Your code is 9012',
      recipients: ['37126140000', '37126140004', '37126140006'],
      sender: acme.sender,
    });
    const id = created.json().sending_id as number;
    const clock = fakeClock(Date.now() * 1000);
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    clock.advanceMs(5_000);
    await dispatcher.runUntilIdle();
    const recipientsOf = (body: { messages: { recipient: string }[] }) => body.messages.map((m) => m.recipient);

    const delivered = await get(acme, `/sendings/${id}/messages?status=delivered&per_page=1`);
    expect(delivered.statusCode).toBe(200);
    expect(recipientsOf(delivered.json())).toEqual(['37126140000']);
    expect(delivered.headers['x-total-count']).toBe('2');
    expect(delivered.headers.link).toContain(
      `/sendings/${id}/messages?status=delivered&per_page=1&page=2>; rel="next"`,
    );
    const rejected = await get(acme, `/sendings/${id}/messages?status=rejected`);
    expect(recipientsOf(rejected.json())).toEqual(['37126140004']);
    expect(rejected.json().messages[0]).toMatchObject({ status: 'rejected', charged: 0, refunded: 0.039 });
    const queued = await get(acme, `/sendings/${id}/messages?status=queued`);
    expect(queued.json()).toEqual({ messages: [] });
    expect(queued.headers['x-total-count']).toBe('0');
    expect(recipientsOf((await get(acme, `/sendings/${id}/messages?status=`)).json())).toHaveLength(3);

    const unknown = await get(acme, `/sendings/${id}/messages?status=Delivered`);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toEqual({
      message: 'The selected status is invalid.',
      errors: { status: ['The selected status is invalid.'] },
    });
    const both = await get(acme, `/sendings/${id}/messages?status=lost&page=0`);
    expect(both.json()).toEqual({
      message: 'The given data was invalid.',
      errors: { page: ['The page field must be at least 1.'], status: ['The selected status is invalid.'] },
    });
    expect((await get(other, `/sendings/${id}/messages?status=delivered`)).statusCode).toBe(404);
  });

  it('gives the total count and first, prev, next and last links of a listing in headers, bodies unchanged', async () => {
    const pager = await api.account({ balance: '10' });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await post(pager, '/sendings', {
        message: `Note ${i}`,
        recipients: ['37126120040', '37126120041', '37126120042'],
        sender: pager.sender,
        scheduled_at: '2099-01-01 09:00:00',
      });
      ids.push(created.json().sending_id as number);
    }
    const links = (header: unknown) =>
      Object.fromEntries(
        String(header)
          .split(', ')
          .map((link) => {
            const [, url, rel] = /^<([^>]+)>; rel="(\w+)"$/.exec(link) ?? [];
            const parsed = new URL(url as string);
            return [rel, `${parsed.pathname}${parsed.search}`];
          }),
      );

    const middle = await get(pager, '/sendings?per_page=2&page=2&tag=a%20b');
    expect(middle.statusCode).toBe(200);
    expect(middle.headers['x-total-count']).toBe('5');
    expect(links(middle.headers.link)).toEqual({
      first: '/sendings?per_page=2&page=1&tag=a+b',
      prev: '/sendings?per_page=2&page=1&tag=a+b',
      next: '/sendings?per_page=2&page=3&tag=a+b',
      last: '/sendings?per_page=2&page=3&tag=a+b',
    });
    expect(Object.keys(middle.json())).toEqual(['sendings']);
    expect(middle.json().sendings.map((s: { id: number }) => s.id)).toEqual([ids[2], ids[1]]);

    const first = await get(pager, '/sendings');
    expect(first.headers['x-total-count']).toBe('5');
    expect(links(first.headers.link)).toEqual({
      first: '/sendings?page=1&per_page=100',
      last: '/sendings?page=1&per_page=100',
    });
    // The other account's sendings are not counted.
    expect((await get(other, '/sendings')).headers['x-total-count']).toBe('0');

    const messages = await get(pager, `/sendings/${ids[0]}/messages?per_page=2&page=2`);
    expect(messages.headers['x-total-count']).toBe('3');
    expect(links(messages.headers.link)).toEqual({
      first: `/sendings/${ids[0]}/messages?per_page=2&page=1`,
      prev: `/sendings/${ids[0]}/messages?per_page=2&page=1`,
      last: `/sendings/${ids[0]}/messages?per_page=2&page=2`,
    });
    expect(messages.json().messages.map((m: { recipient: string }) => m.recipient)).toEqual(['37126120042']);
    const beyond = await get(pager, `/sendings/${ids[0]}/messages?per_page=2&page=9`);
    expect(beyond.json()).toEqual({ messages: [] });
    expect(links(beyond.headers.link)).toMatchObject({ prev: `/sendings/${ids[0]}/messages?per_page=2&page=2` });
  });

  it('cancels a Pending sending with a full refund, and refuses to cancel it twice', async () => {
    const before = await balance(acme);
    const created = await post(acme, '/sendings', {
      message: 'Tomorrow',
      recipients: ['37126120020', '37126120021'],
      sender: acme.sender,
      scheduled_at: '2099-01-01 09:00:00',
    });
    const id = created.json().sending_id as number;
    expect(await balance(acme)).not.toBe(before);

    const cancelled = await post(acme, `/sendings/${id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      sending: { id, status: 'Cancelled', scheduled_at: '2099-01-01 09:00:00' },
    });
    expect(await balance(acme)).toBe(before);

    const again = await post(acme, `/sendings/${id}/cancel`);
    expect(again.statusCode).toBe(422);
    expect(again.json()).toEqual({
      message: 'Only a Pending sending can be cancelled; this sending is Cancelled.',
      errors: { status: ['Only a Pending sending can be cancelled; this sending is Cancelled.'] },
    });
    expect((await post(acme, '/sendings/999999/cancel')).json()).toEqual({
      message: 'No query results for model 999999',
    });
  });
});
