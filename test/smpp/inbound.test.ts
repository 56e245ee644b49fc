// Messages from handsets over SMPP: deliver_sm and data_sm that are not receipts, decoded by data_coding, their parts
// (UDH 8- or 16-bit reference, SAR TLVs) put back together, answered, stored once for the number's account, and a STOP
// suppressing the sender.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundText } from '../../src/dispatch/provider.js';
import { createSmppProvider, type SmppProvider } from '../../src/dispatch/providers/smpp/adapter.js';
import { InboundAssembler } from '../../src/dispatch/providers/smpp/inbound.js';
import type { DeliverSmPdu } from '../../src/dispatch/providers/smpp/pdu.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { inboundPdus } from '../../src/dispatch/providers/smpp/simulator-inbound.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { systemClockUs } from '../../src/domain/time.js';
import { type ReceiveOutcome, receiveInbound } from '../../src/services/inbound.js';
import type { Db } from '../../src/store/db.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';
import { waitFor } from '../support/wait.js';

const LONG_GSM =
  'Yes please, deliver it on Tuesday after 17:00 to the back door; the code is 4321 and the dog is friendly. '.repeat(
    3,
  );
const LONG_UCS2 = 'Привет! Доставьте, пожалуйста, во вторник после пяти вечера к задней двери. '.repeat(2);

it('puts parts together in any order, by UDH or SAR, and keeps them until the message is stored', () => {
  let sequence = 0;
  const next = () => ++sequence;
  for (const concat of ['udh', 'udh16', 'sar'] as const) {
    const assembler = new InboundAssembler();
    const pdus = inboundPdus({ from: '+37120000001', to: '1881', text: LONG_GSM, concat, reversed: true }, next);
    expect(pdus.length).toBe(3);
    const results = pdus.map((pdu) => assembler.accept(pdu as DeliverSmPdu, 1_000));
    expect(results.slice(0, 2).map((r) => r.kind)).toEqual(['partial', 'partial']);
    const last = results[2];
    if (last?.kind !== 'complete') throw new Error(`${concat}: not complete`);
    expect(last.message).toMatchObject({ from: '+37120000001', to: '1881', text: LONG_GSM });
    // The last part delivered again before the message was stored completes it again, with the same id.
    const again = assembler.accept(pdus[2] as DeliverSmPdu, 2_000);
    expect(again).toMatchObject({ kind: 'complete', message: { providerMessageId: last.message.providerMessageId } });
    assembler.forget(last.key);
    expect(assembler.pending).toBe(0);
  }
});

it('reach the registry’s inbound sink from the SMPP provider configured by SMPP_URL, with the time they arrived', async () => {
  const sim = await startSmscSimulator();
  const got: { provider: string; message: InboundText }[] = [];
  const registry = createRegistry({
    clockUs: () => 1_700_000_000_000_000,
    providers: { smpp: { url: sim.url } },
    inboundSink: async (provider, message) => {
      got.push({ provider, message });
    },
  });
  try {
    await (registry.get('smpp') as SmppProvider).open();
    sim.sendInbound({ from: '37120000009', to: '1881', text: 'via the registry' });
    await waitFor(() => got.length === 1, 'the message at the sink');
    expect(got[0]).toEqual({
      provider: 'smpp',
      message: {
        providerMessageId: expect.stringMatching(/^mo-[0-9a-f]{32}$/),
        from: '37120000009',
        // The simulator sends source_addr_ton 1.
        senderFormat: 'international',
        to: '1881',
        // And dest_addr_ton 0.
        destinationFormat: 'unknown',
        text: 'via the registry',
        receivedAtUs: 1_700_000_000_000_000,
      },
    });
  } finally {
    await registry.close();
    await sim.close();
  }
});

/**
 * The SMSC simulator and our SMPP client bound to it (`query` on its URL) for the suite, storing each message it brings
 * into `db()` once `before` has set the accounts up; `outcomes` is what each came to, in order.
 */
function simulatedRoute(db: () => Db, number: string, query: string, name?: string) {
  const route = {
    sim: undefined as unknown as SmscSimulator,
    provider: undefined as unknown as SmppProvider,
    accountId: 0,
    outcomes: [] as ReceiveOutcome[],
  };
  beforeAll(async () => {
    route.accountId = await fundedAccount(db(), 0, name);
    await assignNumber(db(), route.accountId, number, null);
    route.sim = await startSmscSimulator();
    route.provider = createSmppProvider({
      url: `${route.sim.url}${query}`,
      clockUs: systemClockUs,
      onInbound: async (message) => {
        route.outcomes.push(await receiveInbound(db(), { provider: 'smpp', ...message }, () => {}));
      },
      client: { reconnectBaseMs: 20 },
    });
    await route.provider.open();
  });
  afterAll(async () => {
    await route.provider?.close();
    await route.sim?.close();
  });
  return route;
}

describeEachEngine('messages from handsets over SMPP', (engine) => {
  const route = simulatedRoute(() => engine.db, '37125550100', '');
  const { outcomes } = route;

  async function received(send: Parameters<SmscSimulator['sendInbound']>[0]) {
    const before = outcomes.length;
    const answers = route.sim.stats.deliverSmResp + route.sim.stats.dataSmResp;
    const sent = route.sim.sendInbound(send);
    await waitFor(() => outcomes.length === before + 1, 'the message stored');
    await waitFor(
      () => route.sim.stats.deliverSmResp + route.sim.stats.dataSmResp === answers + sent,
      'every part answered',
    );
    return outcomes[outcomes.length - 1] as ReceiveOutcome;
  }

  it('stores single and concatenated messages in every encoding and message class, each part answered', async () => {
    const texts: string[] = [];
    for (const message of [
      { text: 'Hello @ £5 {ok}' },
      { text: LONG_GSM },
      { text: LONG_GSM, concat: 'udh16' as const, reference: 0x1234 },
      { text: LONG_GSM, concat: 'sar' as const, reference: 0x0102 },
      { text: LONG_UCS2 },
      { text: 'Grüße aus Köln', latin1: true },
      { text: 'Sent as data_sm', command: 'data_sm' as const },
      // The handset's message class passed on in data_coding (0xF0, 0x19), as some SMSCs do.
      { text: 'Flash: call me @ 5', messageClass: 0 as const },
      { text: LONG_UCS2, messageClass: 1 as const, reference: 0x43 },
      // GSM-7 septets under data_coding 1 (IA5), as the npm smpp package writes them.
      { text: 'Mail a@b.lv, £5 [ok] é', gsmAsIa5: true },
      { text: LONG_GSM, gsmAsIa5: true, reference: 0x44 },
    ]) {
      const outcome = await received({ from: '+37120000002', to: '37125550100', ...message });
      expect(outcome).toMatchObject({ status: 'stored', message: { accountId: route.accountId, from: '37120000002' } });
      texts.push(message.text);
    }
    const listed = await listInbound(engine.db, route.accountId, { page: 1, perPage: 20 });
    expect(listed.rows.map((m) => m.text).reverse()).toEqual(texts);
    expect(listed.rows.every((m) => m.provider === 'smpp' && m.to === '37125550100')).toBe(true);
    expect(route.provider.stats().pendingInboundParts).toBe(0);
  });

  it('suppresses the sender of a STOP for the number’s account, and drops a message to nobody’s number', async () => {
    expect(await received({ from: '37120000003', to: '37125550100', text: 'STOP' })).toMatchObject({
      status: 'stored',
      optOut: 'suppressed',
    });
    expect(await findSuppression(engine.db, route.accountId, '37120000003')).toMatchObject({ source: 'stop_message' });
    expect(await received({ from: '37120000003', to: '37199999999', text: 'hello' })).toEqual({ status: 'unrouted' });
  });
});

describeEachEngine('messages from handsets over SMPP, addressed in national form (simulator, country=LV)', (engine) => {
  const route = simulatedRoute(() => engine.db, '37125550160', '?country=LV', 'national');
  const { outcomes } = route;

  it('reaches the account of the number written without its country code (dest_addr_ton 2), sender read alike', async () => {
    route.sim.sendInbound({ from: '20000016', fromTon: 2, to: '25550160', toTon: 2, text: 'STOP' });
    await waitFor(() => outcomes.length === 1, 'the message stored');
    expect(outcomes[0]).toMatchObject({
      status: 'stored',
      optOut: 'suppressed',
      message: { accountId: route.accountId, from: '37120000016', to: '37125550160' },
    });
    expect(await findSuppression(engine.db, route.accountId, '37120000016')).toMatchObject({ source: 'stop_message' });
  });
});
