// The inbox in the dashboard: conversations listed and searched, one number's messages both ways in time order, a
// reply priced as Compose prices and charged exactly once through the same sending path; and the keyword answers
// (HELP, STOP/START confirmations) sent as charged sendings from the number the keyword came to, or recorded as not
// sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import { builtInWords } from '../../src/domain/opt-out.js';
import { KEYWORD_CONFIRMATIONS, TEXTS } from '../../src/domain/texts.js';
import type {
  CampaignView,
  ConversationThreadView,
  ConversationView,
  KeywordAnswersView,
  Page,
  PriceView,
} from '../../src/http/dashboard/contract.js';
import { availableTypes } from '../../src/server.js';
import { createApiServices } from '../../src/services/api-services.js';
import { type ReceivedMessage, receiveInbound } from '../../src/services/inbound.js';
import { createKeywordReplies } from '../../src/services/keyword-replies.js';
import { auditLedger, credit, getBalance, listEntries } from '../../src/store/ledger.js';
import { assignNumber } from '../../src/store/numbers.js';
import { getSending } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard inbox and keyword answers', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let other: Browser;
  let n = 0;
  /**
   * The database's clock, as a provider's message is stamped, once it has moved past everything stored before (the
   * clock counts milliseconds): never ahead of the clock, so an answer is never older than what it answers, and
   * never at the same time as what came before, so the thread's order is the order of the test.
   */
  const stamp = async () => {
    const before = engine.db.nowUs();
    while (engine.db.nowUs() <= before) await new Promise((resolve) => setTimeout(resolve, 1));
    return engine.db.nowUs();
  };

  const fund = async (browser: Browser, amount: string) => {
    const done = await credit(engine.db, browser.accountId, parseMoney(amount), 'test funds');
    if (!done.ok) throw new Error(done.reason);
  };
  const replies = () => {
    const api = createApiServices({
      db: engine.db,
      plan: loadNumberingPlan(),
      availableTypes: availableTypes(loadConfig({})),
    });
    return createKeywordReplies(engine.db, api, () => {});
  };
  const receive = async (over: Partial<ReceivedMessage>) =>
    receiveInbound(
      engine.db,
      {
        provider: 'smpp',
        providerMessageId: `inbox-${engine.name}-${++n}`,
        from: '37126000001',
        to: '37125550001',
        text: 'hello',
        receivedAtUs: await stamp(),
        ...over,
      },
      () => {},
      replies(),
    );
  const thread = (browser: Browser, phone: string) =>
    browser.json<ConversationThreadView>(browser.get(`/app/api/conversations/${phone}`));
  const balanceMinor = async (browser: Browser) => (await getBalance(engine.db, browser.accountId)) ?? 0;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    other = await dash.customer();
    await fund(a, '10');
    await assignNumber(engine.db, a.accountId, '37125550001', null);
    await assignNumber(engine.db, a.accountId, '37125550002', null);
  });
  afterAll(() => dash.close());

  describe('inbox', () => {
    it('lists one conversation per (number, our number), newest first, searched by prefix and paged', async () => {
      await receive({ from: '37126000001', to: '37125550001', text: 'first' });
      await receive({ from: '447400123456', to: '37125550002', text: 'from the UK' });
      await receive({ from: '37126000001', to: '37125550001', text: 'second' });
      await receive({ from: '37126000001', to: '37125550002', text: 'to the other number' });
      // Delivered late by its provider: stored, but not the conversation's last message.
      await receive({ from: '37126000001', to: '37125550001', text: 'late', receivedAtUs: 1_000 });

      const page = await a.json<Page<ConversationView>>(a.get('/app/api/conversations'));
      expect(page.total).toBe(3);
      expect(page.data.map((c) => [c.phone, c.number, c.last_text])).toEqual([
        ['37126000001', '37125550002', 'to the other number'],
        ['37126000001', '37125550001', 'second'],
        ['447400123456', '37125550002', 'from the UK'],
      ]);
      const found = await a.json<Page<ConversationView>>(a.get('/app/api/conversations?search=%2B44%207400'));
      expect(found.data.map((c) => c.phone)).toEqual(['447400123456']);
      const second = await a.json<Page<ConversationView>>(a.get('/app/api/conversations?page=2&per_page=2'));
      expect(second).toMatchObject({ total: 3, page: 2, per_page: 2, data: [{ phone: '447400123456' }] });

      expect((await other.json<Page<ConversationView>>(other.get('/app/api/conversations'))).total).toBe(0);
      expect((await other.get('/app/api/conversations/37126000001')).statusCode).toBe(404);
      expect((await a.get('/app/api/conversations/37129999999')).statusCode).toBe(404);
    });

    it('shows the messages sent to a number and those it sent, in time order, with their statuses', async () => {
      const phone = '37126000002';
      await receive({ from: phone, text: 'Is my order ready?' });
      const campaign = await a.json<CampaignView>(
        a.post('/app/api/sendings', {
          message: 'Your order is ready',
          recipients: [phone, '37126000003'],
          sender: 'SMSgic',
        }),
        201,
      );
      await receive({ from: phone, to: '37125550002', text: 'Thanks!' });

      const view = await thread(a, phone);
      expect(view.reply_from).toBe('37125550002');
      expect(view.total).toBe(3);
      expect(view.data.map((item) => [item.direction, item.text])).toEqual([
        ['in', 'Is my order ready?'],
        ['out', 'Your order is ready'],
        ['in', 'Thanks!'],
      ]);
      expect(view.data[1]).toMatchObject({ sending_id: campaign.id, sender: 'SMSgic', status: 'queued' });
      // The other recipient of the same sending is not this conversation's.
      expect(view.data.filter((item) => item.direction === 'out')).toHaveLength(1);
    });

    it('prices a reply as Compose does and charges exactly that, from the number last written to', async () => {
      const phone = '37126000004';
      await receive({ from: phone, to: '37125550001', text: 'Call me?' });
      const price = await a.json<PriceView>(
        a.post(`/app/api/conversations/${phone}/price`, { message: 'Calling now' }),
      );
      expect(price).toMatchObject({ recipients: 1, valid: 1, parts: 1, total: '0.041', affordable: true });
      const before = await balanceMinor(a);
      const sent = await a.json<CampaignView>(
        a.post(`/app/api/conversations/${phone}/reply`, { message: 'Calling now' }),
        201,
      );
      expect(sent).toMatchObject({ sender: '37125550001', recipients: 1, total: '0.041', text: 'Calling now' });
      expect(before - (await balanceMinor(a))).toBe(parseMoney('0.041'));
      const reservations = (await listEntries(engine.db, a.accountId, { page: 1, perPage: 1000 })).filter(
        (e) => e.sendingId === sent.id,
      );
      expect(reservations.map((e) => [e.kind, e.amountMinor])).toEqual([['reservation', -parseMoney('0.041')]]);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
      const view = await thread(a, phone);
      expect(view.data.map((item) => [item.direction, item.text])).toEqual([
        ['in', 'Call me?'],
        ['out', 'Calling now'],
      ]);
    });

    it("refuses a reply with the contract's texts: an opted-out number, no balance, a number that never wrote", async () => {
      await receive({ from: '37126000005', text: 'STOP' });
      const stopped = await a.post('/app/api/conversations/37126000005/reply', { message: 'Wait' });
      expect(stopped.statusCode).toBe(422);
      expect(stopped.json().errors.recipients).toEqual([TEXTS.allRecipientsSuppressed]);

      const poor = await dash.customer();
      await assignNumber(engine.db, poor.accountId, '37125550009', null);
      await receive({ from: '37126000006', to: '37125550009', text: 'hi' });
      const before = await auditLedger(engine.db);
      const broke = await poor.post('/app/api/conversations/37126000006/reply', { message: 'Hello' });
      expect(broke.statusCode).toBe(422);
      expect(broke.json().errors.balance).toEqual([TEXTS.insufficientBalance]);
      expect(await getBalance(engine.db, poor.accountId)).toBe(0);
      expect((await auditLedger(engine.db)).mismatches).toEqual(before.mismatches);

      expect((await a.post('/app/api/conversations/37129999998/reply', { message: 'Hi' })).statusCode).toBe(422);
      expect((await a.post('/app/api/conversations/not-a-number/reply', { message: 'Hi' })).statusCode).toBe(404);
    });

    it('never sends from a number of ours through the public API, only approved senders', async () => {
      const res = await a.post('/app/api/sendings', {
        message: 'From our number',
        recipients: ['37126000001'],
        sender: '37125550001',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.sender).toEqual(['The selected sender is invalid.']);
    });
  });

  describe('keyword answers', () => {
    const settings = (browser: Browser) => browser.json<KeywordAnswersView>(browser.get('/app/api/keywords'));

    it('starts with no HELP answer and confirmations off, and changes them field by field', async () => {
      const fresh = await dash.customer();
      expect(await settings(fresh)).toEqual({
        help_text: null,
        confirmations: false,
        opt_out_scope: 'account',
        stop_text: KEYWORD_CONFIRMATIONS.stop,
        start_text: KEYWORD_CONFIRMATIONS.start,
        stop_words: [],
        start_words: [],
        built_in_stop_words: builtInWords('stop'),
        built_in_start_words: builtInWords('start'),
      });
      await fresh.json(fresh.post('/app/api/keywords', { help_text: 'Shop: call 67000000', confirmations: true }));
      await fresh.json(fresh.post('/app/api/keywords', { stop_text: 'Bye.' }));
      expect(await settings(fresh)).toEqual({
        help_text: 'Shop: call 67000000',
        confirmations: true,
        opt_out_scope: 'account',
        stop_text: 'Bye.',
        start_text: KEYWORD_CONFIRMATIONS.start,
        stop_words: [],
        start_words: [],
        built_in_stop_words: builtInWords('stop'),
        built_in_start_words: builtInWords('start'),
      });
      await fresh.json(fresh.post('/app/api/keywords', { stop_text: '', help_text: '' }));
      expect(await settings(fresh)).toMatchObject({ help_text: null, stop_text: KEYWORD_CONFIRMATIONS.stop });
      const bad = await fresh.post('/app/api/keywords', { help_text: 'x'.repeat(613), confirmations: 'maybe' });
      expect(bad.statusCode).toBe(422);
      expect(Object.keys(bad.json().errors).sort()).toEqual(['confirmations', 'help_text']);
    });

    it('answers HELP with the help text, charged as a sending from the number it came to', async () => {
      const phone = '37126000010';
      const silent = await receive({ from: phone, text: 'help' });
      expect(silent.status === 'stored' && silent.message.id).toBeTruthy();
      expect((await thread(a, phone)).data.map((i) => i.direction)).toEqual(['in']);

      await a.json(a.post('/app/api/keywords', { help_text: 'Shop help: call 67000000. Reply STOP to opt out.' }));
      const before = await balanceMinor(a);
      await receive({ from: phone, to: '37125550002', text: 'HELP' });
      const view = await thread(a, phone);
      expect(view.data.map((i) => [i.direction, i.text])).toEqual([
        ['in', 'help'],
        ['in', 'HELP'],
        ['out', 'Shop help: call 67000000. Reply STOP to opt out.'],
      ]);
      const out = view.data[2];
      if (out?.direction !== 'out') throw new Error('no reply');
      expect(out.sender).toBe('37125550002');
      expect(view.data[1]).toMatchObject({ auto_reply: 'help', auto_reply_refusal: null });
      const sending = await getSending(engine.db, a.accountId, out.sending_id);
      expect(before - (await balanceMinor(a))).toBe(sending?.totalMinor);
      expect(sending?.totalMinor).toBeGreaterThan(0);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('confirms STOP (to the number that just opted out) and START only when turned on', async () => {
      const phone = '37126000011';
      await a.json(a.post('/app/api/keywords', { confirmations: false }));
      await receive({ from: phone, text: 'STOP' });
      await receive({ from: phone, text: 'START' });
      expect((await thread(a, phone)).data.map((i) => i.direction)).toEqual(['in', 'in']);

      await a.json(a.post('/app/api/keywords', { confirmations: true, start_text: 'Welcome back.' }));
      await receive({ from: phone, text: 'Stop' });
      await receive({ from: phone, text: 'HELP' });
      await receive({ from: phone, text: 'start' });
      const view = await thread(a, phone);
      expect(view.data.slice(2).map((i) => [i.direction, i.text])).toEqual([
        ['in', 'Stop'],
        ['out', KEYWORD_CONFIRMATIONS.stop],
        ['in', 'HELP'],
        ['in', 'start'],
        ['out', 'Welcome back.'],
      ]);
      // HELP came while the number was opted out: not answered, and recorded so.
      expect(view.data[4]).toMatchObject({ auto_reply: 'help', auto_reply_refusal: 'suppressed' });
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    });

    it('records an answer the balance does not cover as not sent, moving no money', async () => {
      const poor = await dash.customer();
      await assignNumber(engine.db, poor.accountId, '37125550010', null);
      await poor.json(poor.post('/app/api/keywords', { help_text: 'Help text', confirmations: true }));
      await receive({ from: '37126000012', to: '37125550010', text: 'HELP' });
      await receive({ from: '37126000012', to: '37125550010', text: 'STOP' });
      const view = await thread(poor, '37126000012');
      expect(
        view.data.map((i) => (i.direction === 'in' ? [i.text, i.auto_reply, i.auto_reply_refusal] : i.text)),
      ).toEqual([
        ['HELP', 'help', 'insufficient_balance'],
        ['STOP', 'stop', 'insufficient_balance'],
      ]);
      expect(await getBalance(engine.db, poor.accountId)).toBe(0);
      expect(await listEntries(engine.db, poor.accountId, { page: 1, perPage: 10 })).toEqual([]);
    });
  });
});
