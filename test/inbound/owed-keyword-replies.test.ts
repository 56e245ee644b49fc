// A keyword answer lost to a crash is sent later, once: a HELP is stored with its answer owed, and a process that dies
// before sending it (or after creating the sending but before recording it) leaves it to the worker's sweep, which
// sends it under the received message's idempotency key, charged once, and never again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { parseMoney } from '../../src/domain/money.js';
import { availableTypes } from '../../src/server.js';
import { createApiServices } from '../../src/services/api-services.js';
import { authenticated } from '../../src/services/context.js';
import { type KeywordReplies, type ReceivedMessage, receiveInbound } from '../../src/services/inbound.js';
import { answerOwedKeywordReplies, createKeywordReplies, keywordReplyKey } from '../../src/services/keyword-replies.js';
import { getAccount } from '../../src/store/accounts.js';
import { auditLedger, credit, getBalance, listEntries } from '../../src/store/ledger.js';
import { assignNumber } from '../../src/store/numbers.js';
import { type Browser, type DashboardApp, startDashboardApp } from '../dashboard/dashboard-app.js';
import { routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

const NUMBER = '37125550101';
const HELP_TEXT = 'Shop help: call 67000000. Reply STOP to opt out.';
/** Past the time an owed answer is left to the process that stored its keyword. */
const LATER_US = 6_000_000;

describeEachEngine('keyword answers owed after a crash', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let n = 0;
  const api = () =>
    createApiServices({ db: engine.db, plan: loadNumberingPlan(), availableTypes: availableTypes(loadConfig({})) });

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    const funded = await credit(engine.db, a.accountId, parseMoney('10'), 'test funds');
    if (!funded.ok) throw new Error(funded.reason);
    await assignNumber(engine.db, a.accountId, NUMBER, null);
    await a.json(a.post('/app/api/keywords', { help_text: HELP_TEXT }));
  });
  afterAll(() => dash.close());

  const realReplies = (): KeywordReplies => createKeywordReplies(engine.db, api(), () => {});
  /** The process dies as it turns to the answer: nothing of it is created. */
  const dying: KeywordReplies = async () => {
    throw new Error('process died');
  };
  const receiveHelp = (from: string, replies: KeywordReplies, text = 'HELP') =>
    receiveInbound(
      engine.db,
      {
        provider: 'smpp',
        providerMessageId: `owed-${engine.name}-${++n}`,
        from,
        to: NUMBER,
        text,
        receivedAtUs: engine.db.nowUs(),
      } satisfies ReceivedMessage,
      () => {},
      replies,
    );
  const answersTo = async (phone: string) =>
    engine.db.kysely
      .selectFrom('sendings')
      .innerJoin('messages', 'messages.sending_id', 'sendings.id')
      .select(['sendings.id', 'sendings.text', 'sendings.sender', 'sendings.total_minor'])
      .where('sendings.account_id', '=', a.accountId)
      .where('messages.recipient', '=', phone)
      .execute();
  const reservations = async () =>
    (await listEntries(engine.db, a.accountId, { page: 1, perPage: 1000 })).filter((e) => e.kind === 'reservation');
  const sweep = (afterUs: number) =>
    answerOwedKeywordReplies(engine.db, realReplies(), () => {}, engine.db.nowUs() + afterUs);

  it('sends the answer a crash lost, once, charged once; sweeping again creates nothing', async () => {
    const phone = '37126000201';
    const stored = await receiveHelp(phone, dying);
    expect(stored).toMatchObject({ status: 'stored', optOut: 'help' });
    expect(await answersTo(phone)).toEqual([]);
    const before = (await getBalance(engine.db, a.accountId)) ?? 0;
    const reservedBefore = (await reservations()).length;

    // Left to the process that stored it for a few seconds: not taken up yet.
    expect(await sweep(0)).toBe(0);
    expect(await answersTo(phone)).toEqual([]);

    expect(await sweep(LATER_US)).toBe(1);
    const answers = await answersTo(phone);
    expect(answers.map((s) => [s.text, s.sender])).toEqual([[HELP_TEXT, NUMBER]]);
    const cost = Number(answers[0]?.total_minor);
    expect(cost).toBeGreaterThan(0);
    expect((await getBalance(engine.db, a.accountId)) ?? 0).toBe(before - cost);
    expect((await reservations()).length).toBe(reservedBefore + 1);

    expect(await sweep(LATER_US)).toBe(0);
    expect(await sweep(LATER_US * 10)).toBe(0);
    expect(await answersTo(phone)).toHaveLength(1);
    expect((await getBalance(engine.db, a.accountId)) ?? 0).toBe(before - cost);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('records the sending a process created but did not record, instead of sending a second one', async () => {
    const phone = '37126000202';
    const stored = await receiveHelp(phone, dying);
    if (stored.status !== 'stored') throw new Error('not stored');
    // The process created the answer's sending, under its key, then died before recording it.
    const account = await getAccount(engine.db, a.accountId);
    if (!account) throw new Error('no account');
    const created = await api().createSending(
      authenticated(account),
      { message: HELP_TEXT, recipients: [phone], sender: NUMBER },
      keywordReplyKey(stored.message.id),
      { fromOwnNumber: true },
    );
    expect(created.ok).toBe(true);
    const balance = (await getBalance(engine.db, a.accountId)) ?? 0;

    expect(await sweep(LATER_US)).toBe(1);
    expect(await answersTo(phone)).toHaveLength(1);
    expect((await getBalance(engine.db, a.accountId)) ?? 0).toBe(balance);
    const inbound = await engine.db.kysely
      .selectFrom('inbound_messages')
      .select(['auto_reply', 'auto_reply_sending_id', 'auto_reply_refusal', 'auto_reply_owed_at_us'])
      .where('id', '=', stored.message.id)
      .executeTakeFirstOrThrow();
    expect({ ...inbound, auto_reply_sending_id: Number(inbound.auto_reply_sending_id) }).toEqual({
      auto_reply: 'help',
      auto_reply_sending_id: created.ok ? created.sendingId : -1,
      auto_reply_refusal: null,
      auto_reply_owed_at_us: null,
    });
    expect(await sweep(LATER_US)).toBe(0);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it("answers at once as before when nothing fails, and the worker's maintenance takes up one left owed", async () => {
    const answered = '37126000203';
    await receiveHelp(answered, realReplies());
    expect(await answersTo(answered)).toHaveLength(1);

    const lost = '37126000204';
    await receiveHelp(lost, dying);
    let offsetUs = 0;
    const clockUs = () => engine.db.nowUs() + offsetUs;
    const dispatcher = createDispatcher({
      db: engine.db,
      router: routerWith(clockUs),
      clockUs,
      owedKeywordReplies: (nowUs) => answerOwedKeywordReplies(engine.db, realReplies(), () => {}, nowUs),
    });
    await dispatcher.runOnce();
    expect(await answersTo(lost)).toEqual([]);
    offsetUs = 60_000_000;
    await dispatcher.runOnce();
    expect((await answersTo(lost)).map((s) => s.text)).toEqual([HELP_TEXT]);
    offsetUs = 120_000_000;
    await dispatcher.runOnce();
    expect(await answersTo(lost)).toHaveLength(1);
    expect(await answersTo(answered)).toHaveLength(1);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('sends a STOP confirmation left owed to the number that opted out, and gives up an answer owed too long', async () => {
    await a.json(a.post('/app/api/keywords', { confirmations: true }));
    const stopped = '37126000205';
    expect(await receiveHelp(stopped, dying, 'STOP')).toMatchObject({ status: 'stored', optOut: 'suppressed' });
    expect(await sweep(LATER_US)).toBe(1);
    expect((await answersTo(stopped)).map((s) => s.sender)).toEqual([NUMBER]);
    expect(await sweep(LATER_US)).toBe(0);

    // Owed for hours (no worker ran): too late to answer a HELP; given up, nothing sent or charged.
    const late = '37126000206';
    await receiveHelp(late, dying);
    const balance = await getBalance(engine.db, a.accountId);
    expect(await sweep(3 * 60 * 60 * 1_000_000)).toBe(1);
    expect(await answersTo(late)).toEqual([]);
    expect(await getBalance(engine.db, a.accountId)).toBe(balance);
    expect(await sweep(LATER_US)).toBe(0);
    await a.json(a.post('/app/api/keywords', { confirmations: false }));
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });
});
