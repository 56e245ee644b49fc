// The opt-out scope: with `sender`, a STOP reply to one of the account's numbers suppresses the number only for
// sendings from that number (START takes that same entry away), and money stays exact; with `account` (the default) a
// STOP suppresses it for every sending as before. Entries added by hand may name a sender or none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { TEXTS } from '../../src/domain/texts.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { changeKeywordAnswersFrom } from '../../src/services/keyword-replies.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { assignNumber } from '../../src/store/numbers.js';
import { addSender } from '../../src/store/senders.js';
import { findSuppression, suppressionHistory } from '../../src/store/suppressions.js';
import { fakeClock, routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const STOP_REASON = 'The recipient opted out by replying STOP.';

describeEachEngine('the opt-out scope', (engine) => {
  let api: ApiApp;
  let numbers = 0;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  const post = (account: ApiAccount, url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const get = (account: ApiAccount, url: string) => api.app.inject({ method: 'GET', url, headers: account.headers });
  const del = (account: ApiAccount, url: string) => api.app.inject({ method: 'DELETE', url, headers: account.headers });

  /** An account with two numbers it sends from and receives on, and the opt-out scope given. */
  async function accountWithNumbers(scope: 'account' | 'sender') {
    const account = await api.account({ balance: '10' });
    const a = String(37125550400 + numbers++ * 2);
    const b = String(Number(a) + 1);
    for (const number of [a, b]) {
      await assignNumber(engine.db, account.id, number, null);
      await addSender(engine.db, account.id, number, 'approved');
    }
    const changed = await changeKeywordAnswersFrom(engine.db, account.id, { opt_out_scope: scope });
    expect(changed.ok && changed.value.optOutScope).toBe(scope);
    return { account, a, b };
  }

  let replies = 0;
  const reply = (from: string, to: string, text: string) =>
    receiveInbound(
      engine.db,
      { provider: 'smpp', providerMessageId: `scope-${++replies}`, from, to, text, receivedAtUs: engine.db.nowUs() },
      () => {},
    );

  async function dispatchAll() {
    const clock = fakeClock(Date.now() * 1000);
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    await dispatcher.runUntilIdle();
    clock.advanceMs(5_000);
    await dispatcher.runUntilIdle();
  }

  it('with scope sender, a STOP to A suppresses sendings from A but not from B, charged exactly; START lifts it', async () => {
    const { account, a, b } = await accountWithNumbers('sender');
    const stopper = '37126120010';
    const other = '37126120011';
    expect(await reply(stopper, a, 'STOP')).toMatchObject({ status: 'stored', optOut: 'suppressed' });
    expect(await findSuppression(engine.db, account.id, stopper, a)).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(engine.db, account.id, stopper, '')).toBeUndefined();
    expect((await get(account, `/suppressions/${stopper}`)).json().suppression).toMatchObject({ sender: a });

    // Calculate from A lists the number apart and names the entry it matched; from B it is priced.
    const fromA = (
      await post(account, '/sendings/calculate', { message: 'Hi', recipients: [stopper, other], sender: a })
    ).json().calculate;
    expect(fromA.suppressed).toEqual([
      { phone_number: Number(stopper), reason: `${STOP_REASON} It applies to sendings from ${a}.`, sender: a },
    ]);
    expect(fromA.info.recipients).toBe(1);
    const fromB = (
      await post(account, '/sendings/calculate', { message: 'Hi', recipients: [stopper, other], sender: b })
    ).json().calculate;
    expect(fromB.suppressed).toBeUndefined();
    expect(fromB.info.recipients).toBe(2);
    // A sender written with "+" is the same number.
    const plus = (
      await post(account, '/sendings/calculate', { message: 'Hi', recipients: [stopper], sender: `+${a}` })
    ).json().calculate;
    expect(plus.suppressed).toHaveLength(1);

    const oneMinor = Math.round(fromA.info.total * 10_000);
    const twoMinor = Math.round(fromB.info.total * 10_000);
    const before = (await getBalance(engine.db, account.id)) as number;
    const sentA = await post(account, '/sendings', { message: 'Hi', recipients: [stopper, other], sender: a });
    expect(sentA.statusCode).toBe(200);
    expect(before - ((await getBalance(engine.db, account.id)) as number)).toBe(oneMinor);
    const sentB = await post(account, '/sendings', { message: 'Hi', recipients: [stopper, other], sender: b });
    expect(sentB.statusCode).toBe(200);
    expect(before - ((await getBalance(engine.db, account.id)) as number)).toBe(oneMinor + twoMinor);
    // Every recipient a STOP to A covers: refused from A, sent from B.
    const refused = await post(account, '/sendings', { message: 'Hi', recipients: [stopper], sender: a });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.recipients).toEqual([TEXTS.allRecipientsSuppressed]);

    await dispatchAll();
    const messagesOf = async (id: number) =>
      ((await get(account, `/sendings/${id}/messages`)).json().messages as { recipient: string; status: string }[])
        .map((m) => [m.recipient, m.status === 'suppressed' ? 'suppressed' : 'sent'])
        .sort();
    expect(await messagesOf(sentA.json().sending_id)).toEqual([
      [stopper, 'suppressed'],
      [other, 'sent'],
    ]);
    expect(await messagesOf(sentB.json().sending_id)).toEqual([
      [stopper, 'sent'],
      [other, 'sent'],
    ]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);

    // START to B takes away nothing (the entry is A's); START to A lifts it.
    expect(await reply(stopper, b, 'START')).toMatchObject({ optOut: 'unsuppressed' });
    expect(await findSuppression(engine.db, account.id, stopper, a)).toBeDefined();
    expect(await reply(stopper, a, 'start')).toMatchObject({ optOut: 'unsuppressed' });
    expect(await findSuppression(engine.db, account.id, stopper)).toBeUndefined();
    expect((await post(account, '/sendings', { message: 'Hi', recipients: [stopper], sender: a })).statusCode).toBe(
      200,
    );
    const history = await suppressionHistory(engine.db, account.id, { page: 1, perPage: 10, phone: stopper });
    expect(history.map((change) => [change.action, change.sender])).toEqual([
      ['remove', a],
      ['add', a],
    ]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('with scope account (the default), a STOP to A suppresses sendings from every sender, as before', async () => {
    const account = await api.account({ balance: '10' });
    const a = '37125550480';
    await assignNumber(engine.db, account.id, a, null);
    expect(
      (await post(account, '/sendings/calculate', { message: 'Hi', recipients: ['37126120020'] })).statusCode,
    ).toBe(200);
    expect(await reply('37126120020', a, 'STOP')).toMatchObject({ optOut: 'suppressed' });
    expect(await findSuppression(engine.db, account.id, '37126120020', '')).toMatchObject({ source: 'stop_message' });
    const refused = await post(account, '/sendings', {
      message: 'Hi',
      recipients: ['37126120020'],
      sender: account.sender,
    });
    expect(refused.json().errors.recipients).toEqual([TEXTS.allRecipientsSuppressed]);
    const calc = (
      await post(account, '/sendings/calculate', { message: 'Hi', recipients: ['37126120020'], sender: 'Other' })
    ).json().calculate;
    // An account-wide entry reads as it always did: no sender named.
    expect(calc.suppressed).toEqual([{ phone_number: 37126120020, reason: STOP_REASON }]);
    expect((await get(account, '/suppressions')).json().suppressions).toEqual([
      { phone_number: '37126120020', source: 'stop_message', created_at: expect.any(String) },
    ]);
    expect(await reply('37126120020', a, 'START')).toMatchObject({ optOut: 'unsuppressed' });
    expect((await get(account, '/suppressions')).json().suppressions).toEqual([]);
  });

  describe('entries added by hand through the API', () => {
    it('name a sender or none, listed, found, removed and applied accordingly', async () => {
      const account = await api.account({ balance: '10' });
      await addSender(engine.db, account.id, 'Cafe', 'approved');
      expect(
        (
          await post(account, '/suppressions', { phone_numbers: ['37126120030', '37126120031'], sender: ' MegaShop ' })
        ).json(),
      ).toEqual({ added: 2 });
      expect((await post(account, '/suppressions', { phone_numbers: ['37126120031'] })).json()).toEqual({ added: 1 });
      expect(
        (await post(account, '/suppressions', { phone_numbers: ['37126120031'], sender: 'MegaShop' })).json(),
      ).toEqual({ added: 0 });
      expect((await get(account, '/suppressions')).json().suppressions).toEqual([
        { phone_number: '37126120030', source: 'api', created_at: expect.any(String), sender: 'MegaShop' },
        { phone_number: '37126120031', source: 'api', created_at: expect.any(String) },
        { phone_number: '37126120031', source: 'api', created_at: expect.any(String), sender: 'MegaShop' },
      ]);
      expect((await get(account, '/suppressions/37126120030')).json().suppression).toMatchObject({
        sender: 'MegaShop',
      });
      expect((await get(account, '/suppressions/37126120030?sender=Cafe')).statusCode).toBe(404);

      const fromShop = (
        await post(account, '/sendings/calculate', {
          message: 'Hi',
          recipients: ['37126120030', '37126120031', '37126120032'],
          sender: 'MegaShop',
        })
      ).json().calculate;
      // The account-wide entry of …031 is the one named: it applies whatever the sender.
      expect(
        fromShop.suppressed.map((s: { phone_number: number; sender?: string }) => [s.phone_number, s.sender]),
      ).toEqual([
        [37126120030, 'MegaShop'],
        [37126120031, undefined],
      ]);
      const fromCafe = (
        await post(account, '/sendings/calculate', {
          message: 'Hi',
          recipients: ['37126120030', '37126120031', '37126120032'],
          sender: 'Cafe',
        })
      ).json().calculate;
      expect(fromCafe.suppressed.map((s: { phone_number: number }) => s.phone_number)).toEqual([37126120031]);

      // DELETE with a sender takes that entry alone; without, every entry of the number.
      expect((await del(account, '/suppressions/37126120031?sender=MegaShop')).statusCode).toBe(200);
      expect((await get(account, '/suppressions/37126120031')).json().suppression.sender).toBeUndefined();
      expect((await del(account, '/suppressions/37126120031?sender=MegaShop')).statusCode).toBe(404);
      expect((await del(account, '/suppressions/37126120030')).statusCode).toBe(200);
      expect((await get(account, '/suppressions')).json().suppressions).toHaveLength(1);
    });

    it('refuse a malformed sender in the contract shape, adding nothing', async () => {
      const account = await api.account();
      const bad = await post(account, '/suppressions', { phone_numbers: ['37126120040'], sender: 'x'.repeat(21) });
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toEqual({
        message: 'A sender is 1 to 20 characters: a sender name, or a number.',
        errors: { sender: ['A sender is 1 to 20 characters: a sender name, or a number.'] },
      });
      const both = await post(account, '/suppressions', { phone_numbers: ['12'], sender: 5 });
      expect(both.json().errors).toEqual({
        'phone_numbers.0': ['The phone numbers.0 field format is invalid.'],
        sender: ['The sender field must be a string.'],
      });
      expect((await get(account, '/suppressions')).json()).toEqual({ suppressions: [] });
    });
  });
});
