// An account's own stop and start words, received as a real provider brings them (an SMSC's deliver_sm over SMPP, an
// Infobip forward over HTTP): the own stop word suppresses the sender so that the next sending to it is refused as
// after STOP, the own start word lets it be sent to again, another account's words do nothing, and GET /inbound tells
// what each message did in `keyword_effect`.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { type InfobipSimulator, startInfobipSimulator } from '../../src/dispatch/providers/infobip/simulator.js';
import { infobipNotifyUrl } from '../../src/dispatch/providers/infobip/webhook.js';
import { createSmppProvider, type SmppProvider } from '../../src/dispatch/providers/smpp/adapter.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { TEXTS } from '../../src/domain/texts.js';
import { systemClockUs } from '../../src/domain/time.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { type ReceiveOutcome, receiveInbound } from '../../src/services/inbound.js';
import { changeKeywordAnswersFrom } from '../../src/services/keyword-replies.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, openAccount } from '../support/http-app.js';
import { waitFor } from '../support/wait.js';

describeEachEngine("an account's own stop and start words", (engine) => {
  let app: FastifyInstance;
  let sim: SmscSimulator;
  let smpp: SmppProvider;
  let infobip: InfobipSimulator;
  let forwardingUrl = '';
  let shop: ApiAccount;
  let cafe: ApiAccount;
  const outcomes: ReceiveOutcome[] = [];

  beforeAll(async () => {
    const db = engine.db;
    const plan = loadNumberingPlan();
    await bootstrap(db, plan);
    shop = await openAccount(db, { balance: '100' });
    cafe = await openAccount(db, { balance: '100' });
    await assignNumber(db, shop.id, '37125550300', null);
    await assignNumber(db, shop.id, '447491163400', null);
    await assignNumber(db, cafe.id, '37125550301', null);
    const own = await changeKeywordAnswersFrom(db, shop.id, {
      stop_words: ['basta', 'Nevajag'],
      start_words: 'Atpakaļ',
    });
    if (!own.ok) throw new Error('words refused');
    infobip = await startInfobipSimulator({ reportRetryDelayMs: 20 });
    const receive = async (message: Parameters<typeof receiveInbound>[1]) => {
      outcomes.push(await receiveInbound(db, message, () => {}));
    };
    app = await buildApp({
      services: createApiServices({ db, plan, availableTypes: new Set(['default']) }),
      rateLimitPerMinute: 1000,
      calculateRateLimitPerMinute: 1000,
      bodyLimitBytes: 1024 * 1024,
      webhooks: {
        ingest: async () => {},
        receive: async (provider, messages) => {
          for (const message of messages) await receive({ provider, ...message, receivedAtUs: db.nowUs() });
        },
        providers: { infobip: { baseUrl: infobip.url, apiKey: infobip.apiKey } },
        publicUrl: 'http://127.0.0.1',
      },
    });
    forwardingUrl = infobipNotifyUrl(await app.listen({ host: '127.0.0.1', port: 0 }), infobip.apiKey);
    sim = await startSmscSimulator();
    smpp = createSmppProvider({
      url: sim.url,
      clockUs: systemClockUs,
      onInbound: (message) => receive({ provider: 'smpp', ...message }),
      client: { reconnectBaseMs: 20 },
    });
    await smpp.open();
  });
  afterAll(async () => {
    await smpp?.close();
    await sim?.close();
    await app?.close();
    await infobip?.close();
  });

  /** A handset's message over SMPP (deliver_sm), once stored. */
  async function overSmpp(from: string, to: string, text: string): Promise<ReceiveOutcome> {
    const before = outcomes.length;
    sim.sendInbound({ from, to, text });
    await waitFor(() => outcomes.length === before + 1, 'the message stored');
    return outcomes[outcomes.length - 1] as ReceiveOutcome;
  }

  const send = (account: ApiAccount, recipient: string) =>
    app.inject({
      method: 'POST',
      url: '/sendings',
      headers: account.headers,
      payload: { message: 'Weekend sale', recipients: [recipient], sender: 'MegaShop' },
    });
  const inbound = async (account: ApiAccount) => {
    const res = await app.inject({ method: 'GET', url: '/inbound', headers: account.headers });
    expect(res.statusCode).toBe(200);
    return (res.json() as { inbound: { from: string; text: string; keyword_effect: string | null }[] }).inbound;
  };

  it('an own stop word over SMPP refuses the next sending as STOP does, and the own start word allows it again', async () => {
    const phone = '37120000301';
    expect((await send(shop, phone)).statusCode).toBe(200);
    expect(await overSmpp(phone, '37125550300', 'Basta!')).toMatchObject({ status: 'stored', optOut: 'suppressed' });
    expect(await findSuppression(engine.db, shop.id, phone)).toMatchObject({ source: 'stop_message' });
    const refused = await send(shop, phone);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.recipients).toEqual([TEXTS.allRecipientsSuppressed]);

    // The built-in STOP, from another number, is refused the same way.
    expect(await overSmpp('37120000302', '37125550300', 'STOP')).toMatchObject({ optOut: 'suppressed' });
    expect((await send(shop, '37120000302')).json()).toEqual(refused.json());

    expect(await overSmpp(phone, '37125550300', ' atpakaļ ')).toMatchObject({ optOut: 'unsuppressed' });
    expect(await findSuppression(engine.db, shop.id, phone)).toBeUndefined();
    expect((await send(shop, phone)).statusCode).toBe(200);

    expect((await inbound(shop)).map((m) => [m.from, m.text, m.keyword_effect])).toEqual([
      [phone, ' atpakaļ ', 'opt_in'],
      ['37120000302', 'STOP', 'opt_out'],
      [phone, 'Basta!', 'opt_out'],
    ]);
  });

  it('an own stop word forwarded by Infobip suppresses too; a sentence with it, or another account, does nothing', async () => {
    const phone = '37120000303';
    const stopped = await infobip.sendInbound(forwardingUrl, { from: phone, to: '447491163400', text: 'NEVAJAG' });
    expect(stopped.delivered).toBe(true);
    expect(await findSuppression(engine.db, shop.id, phone)).toMatchObject({ source: 'stop_message' });
    expect((await send(shop, phone)).statusCode).toBe(422);

    const other = '37120000304';
    await infobip.sendInbound(forwardingUrl, { from: other, to: '447491163400', text: 'basta la vista' });
    expect(await overSmpp(other, '37125550301', 'basta')).toMatchObject({ status: 'stored', optOut: null });
    expect(await findSuppression(engine.db, shop.id, other)).toBeUndefined();
    expect(await findSuppression(engine.db, cafe.id, other)).toBeUndefined();
    expect((await send(cafe, other)).statusCode).toBe(200);

    expect((await inbound(shop)).slice(0, 2).map((m) => [m.from, m.text, m.keyword_effect])).toEqual([
      [other, 'basta la vista', null],
      [phone, 'NEVAJAG', 'opt_out'],
    ]);
    expect((await inbound(cafe)).map((m) => [m.from, m.text, m.keyword_effect])).toEqual([[other, 'basta', null]]);
  });

  it('HELP is told as help', async () => {
    expect(await overSmpp('37120000305', '37125550300', 'help')).toMatchObject({ optOut: 'help' });
    expect((await inbound(shop))[0]).toMatchObject({ text: 'help', keyword_effect: 'help' });
  });
});
