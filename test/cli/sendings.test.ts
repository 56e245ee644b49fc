// `smsgic sending cancel`: a Pending sending made through the API is cancelled and its whole reservation refunded.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatMinor } from '../../src/domain/money.js';
import { auditLedger, listEntries } from '../../src/store/ledger.js';
import { getSending } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { apiOver, bearer, ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

describeEachEngine('smsgic sending cancel', (engine) => {
  let api: FastifyInstance;
  let accountId: number;
  let token: string;

  beforeAll(async () => {
    accountId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme', '--tax-rate', '21')).id;
    await ok(engine.url, 'credit', String(accountId), '100');
    token = (await ok<{ token: string }>(engine.url, 'token', 'create', String(accountId))).token;
    api = await apiOver(engine.db);
  });
  afterAll(async () => {
    await api?.close();
  });

  const balance = async () =>
    (await api.inject({ method: 'GET', url: '/balance', headers: bearer(token) })).json<{ balance: string }>().balance;

  /** A Pending sending through POST /sendings, to three countries, in two parts each. */
  async function pendingSending(): Promise<number> {
    const response = await api.inject({
      method: 'POST',
      url: '/sendings',
      headers: bearer(token),
      payload: {
        message: 'Your parcel is on its way. '.repeat(7),
        recipients: ['447911123456', '37129123456', '4915112345678'],
        sender: 'SMSgic',
        scheduled_at: '2099-01-01 09:00:00',
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ sending_id: number }>().sending_id;
  }

  it('cancels a Pending sending and refunds its whole reservation, tax included', async () => {
    expect(await balance()).toBe('100.000');
    const id = await pendingSending();
    const stored = await getSending(engine.db, accountId, id);
    expect(stored).toMatchObject({ status: 'Pending', smsCount: 6 });
    const totalMinor = stored?.totalMinor ?? 0;
    expect(totalMinor).toBeGreaterThan(stored?.subtotalMinor ?? 0);
    expect(await balance()).not.toBe('100.000');

    const cancelled = await ok(engine.url, 'sending', 'cancel', String(id));
    expect(cancelled).toEqual({ id, status: 'Cancelled', refunded: formatMinor(totalMinor) });

    expect(await balance()).toBe('100.000');
    const shown = await api.inject({ method: 'GET', url: `/sendings/${id}`, headers: bearer(token) });
    expect(shown.json()).toMatchObject({ sending: { id, status: 'Cancelled' } });
    const [refund] = await listEntries(engine.db, accountId);
    expect(refund).toMatchObject({ kind: 'refund', amountMinor: totalMinor, sendingId: id });
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it("says the refund in the account's currency", async () => {
    const id = await pendingSending();
    const totalMinor = (await getSending(engine.db, accountId, id))?.totalMinor ?? 0;
    const printed = await smsgic(engine.url, ['sending', 'cancel', String(id)]);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(printed.stdout.trim()).toBe(`Cancelled sending ${id}: £${formatMinor(totalMinor)} refunded to its account.`);
  });

  it('refuses to cancel a sending twice, and refunds only once', async () => {
    const id = await pendingSending();
    await ok(engine.url, 'sending', 'cancel', String(id));
    const entries = await listEntries(engine.db, accountId);
    expect(await fails(engine.url, 1, 'sending', 'cancel', String(id))).toBe(
      `sending ${id} is Cancelled; only a Pending sending can be cancelled`,
    );
    expect(await listEntries(engine.db, accountId)).toEqual(entries);
    expect(await balance()).toBe('100.000');
  });

  it('refuses a sending that does not exist, and a malformed id as a usage mistake', async () => {
    expect(await fails(engine.url, 1, 'sending', 'cancel', '777777')).toBe('sending 777777 does not exist');
    expect(await fails(engine.url, 2, 'sending', 'cancel', '12abc')).toMatch(/ID must be a positive integer/);
    expect(await fails(engine.url, 2, 'sending', 'cancel')).toBe('ID is required');
  });
});
