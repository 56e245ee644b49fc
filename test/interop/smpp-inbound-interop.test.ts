// Messages from handsets sent by an SMSC built on the independent npm `smpp` package to our ESME client: deliver_sm
// with esm_class 0 (SMPP 3.4 §4.6.1, §5.2.12) answered deliver_sm_resp, stored for the number's account, and a STOP
// (in GSM-7 or, in Russian, in UCS-2) suppressing the sender, also when the SMSC passes on the handset's GSM 03.38
// data coding scheme (a message class) as data_coding, and the package's own default: GSM 03.38 septets under
// data_coding 1 (IA5), which must not be read as IA5 (an "@" is a NUL there, which PostgreSQL refuses to store); the
// sender read by its source_addr_ton (SMPP 3.4 §5.2.5), a national one made international by the receiving number;
// and each reading of data_coding 1 a route may be given (SMPP_URL ia5=auto|gsm|ascii).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmppProvider, type SmppProvider } from '../../src/dispatch/providers/smpp/adapter.js';
import { systemClockUs } from '../../src/domain/time.js';
import { type ReceiveOutcome, receiveInbound } from '../../src/services/inbound.js';
import type { Db } from '../../src/store/db.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';
import { waitFor } from '../support/wait.js';
import { type PackagePdu, type PeerSmsc, startPeerSmsc } from './smpp-peer.js';

/**
 * Our SMPP client on `smsc` (with `query` on its URL), storing each message it brings; resolved once bound. `stored()`
 * counts the messages taken (stored or not), `outcomes` is what each came to, in order.
 */
async function bindTo(
  db: Db,
  smsc: PeerSmsc,
  query = '',
): Promise<{ provider: SmppProvider; stored(): number; outcomes: ReceiveOutcome[] }> {
  let stored = 0;
  const outcomes: ReceiveOutcome[] = [];
  const provider = createSmppProvider({
    url: `${smsc.url}${query}`,
    clockUs: systemClockUs,
    onInbound: async (message) => {
      outcomes.push(await receiveInbound(db, { provider: 'smpp', ...message }, () => {}));
      stored++;
    },
    client: { reconnectBaseMs: 20, binds: 1 },
  });
  await provider.open();
  await waitFor(() => smsc.sessions.length === 1, 'the bind');
  return { provider, stored: () => stored, outcomes };
}

type Route = { smsc: PeerSmsc } & Awaited<ReturnType<typeof bindTo>>;

/** One SMSC and one bound client per `queries` entry, in that order; closed after the suite. */
function routesFor(db: () => Db, queries: readonly string[], before: () => Promise<void>): Route[] {
  const routes: Route[] = [];
  beforeAll(async () => {
    await before();
    for (const query of queries) {
      const smsc = await startPeerSmsc();
      routes.push({ smsc, ...(await bindTo(db(), smsc, query)) });
    }
  });
  afterAll(async () => {
    for (const { provider, smsc } of routes) {
      await provider.close();
      await smsc.close();
    }
  });
  return routes;
}

describeEachEngine('messages from handsets sent by the npm smpp package', (engine) => {
  let smsc: PeerSmsc;
  let provider: SmppProvider;
  let accountId: number;
  let stored = () => 0;

  beforeAll(async () => {
    accountId = await fundedAccount(engine.db, 0);
    await assignNumber(engine.db, accountId, '37125550200', null);
    smsc = await startPeerSmsc();
    ({ provider, stored } = await bindTo(engine.db, smsc));
  });
  afterAll(async () => {
    await provider?.close();
    await smsc?.close();
  });

  const answers = () => smsc.log.filter((e) => e.pdu.command === 'deliver_sm_resp').map((e) => e.pdu as PackagePdu);

  it('stores a deliver_sm with esm_class 0, answers it, and suppresses the sender of STOP', async () => {
    const session = smsc.sessions[0];
    session.deliver_sm({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '37120000010',
      destination_addr: '37125550200',
      esm_class: 0,
      data_coding: 0,
      short_message: 'Is my order ready?',
    });
    await waitFor(() => stored() === 1 && answers().length === 1, 'the first message stored and answered');
    session.deliver_sm({
      source_addr: '+37120000011',
      destination_addr: '37125550200',
      esm_class: 0,
      data_coding: 0,
      short_message: 'STOP',
    });
    await waitFor(() => stored() === 2 && answers().length === 2, 'STOP stored and answered');
    session.deliver_sm({
      source_addr: '37120000012',
      destination_addr: '37125550200',
      esm_class: 0,
      data_coding: 8,
      short_message: 'СТОП',
    });
    await waitFor(() => stored() === 3 && answers().length === 3, 'СТОП stored and answered');

    expect(answers().map((a) => a.command_status)).toEqual([0, 0, 0]);
    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => [m.from, m.to, m.text]).reverse()).toEqual([
      ['37120000010', '37125550200', 'Is my order ready?'],
      ['37120000011', '37125550200', 'STOP'],
      ['37120000012', '37125550200', 'СТОП'],
    ]);
    expect(await findSuppression(engine.db, accountId, '37120000011')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(engine.db, accountId, '37120000012')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(engine.db, accountId, '37120000010')).toBeUndefined();
  });

  it("reads a data_coding that carries the handset's message class (GSM 03.38 coding groups) as text", async () => {
    const session = smsc.sessions[0];
    const before = answers().length;
    // 1111 0001: class 1, the default alphabet, which the package writes as GSM 03.38 septets, one an octet.
    session.deliver_sm({
      source_addr: '37120000013',
      destination_addr: '37125550200',
      data_coding: 0xf1,
      short_message: 'STOP',
    });
    // 0001 1000: class 0 in UCS-2, the handset's octets passed on as they came.
    session.deliver_sm({
      source_addr: '37120000014',
      destination_addr: '37125550200',
      data_coding: 0x18,
      short_message: Buffer.from([0x04, 0x21, 0x04, 0x22, 0x04, 0x1e, 0x04, 0x1f]),
    });
    await waitFor(() => stored() === 5 && answers().length === before + 2, 'both stored and answered');

    expect(
      answers()
        .slice(before)
        .map((a) => a.command_status),
    ).toEqual([0, 0]);
    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
    expect(listed.rows.map((m) => [m.from, m.text]).reverse()).toEqual([
      ['37120000013', 'STOP'],
      ['37120000014', 'СТОП'],
    ]);
    expect(await findSuppression(engine.db, accountId, '37120000013')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(engine.db, accountId, '37120000014')).toMatchObject({ source: 'stop_message' });
  });

  it('reads source_addr by its TON: a national STOP suppresses the international number', async () => {
    const session = smsc.sessions[0];
    const before = answers().length;
    const storedBefore = stored();
    const senders: [number, string][] = [
      // National (TON 2): a number of the receiving number's country, Latvia.
      [2, '29123470'],
      // Unknown (TON 0): international when valid, else national when valid.
      [0, '0029123471'],
      [0, '+371 2912 3472'],
      // International (TON 1): the country code is there, as the SMSC says.
      [1, '29123473'],
      // Alphanumeric (TON 5): kept as it is, digits or not.
      [5, 'INFO'],
      [5, '29123474'],
    ];
    for (const [ton, sourceAddr] of senders) {
      session.deliver_sm({
        source_addr_ton: ton,
        source_addr_npi: ton === 5 ? 0 : 1,
        source_addr: sourceAddr,
        destination_addr: '37125550200',
        data_coding: 0,
        short_message: 'STOP',
      });
    }
    await waitFor(
      () => stored() === storedBefore + senders.length && answers().length === before + senders.length,
      'every message stored and answered',
    );

    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: senders.length });
    // Stored as they were answered, in no set order.
    expect(listed.rows.map((m) => [m.from, m.keywordEffect]).sort()).toEqual([
      ['29123473', 'opt_out'],
      ['29123474', 'opt_out'],
      ['37129123470', 'opt_out'],
      ['37129123471', 'opt_out'],
      ['37129123472', 'opt_out'],
      ['INFO', null],
    ]);
    expect(await findSuppression(engine.db, accountId, '37129123470')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(engine.db, accountId, '29123470')).toBeUndefined();
  });

  it("reads the package's default data_coding (1, with GSM 03.38 septets) as the handset wrote it", async () => {
    const session = smsc.sessions[0];
    const before = answers().length;
    const text = 'Mail me at a@b.lv, £5 for 2_3 [ok] é';
    const status = await new Promise<number>((resolve) =>
      session.deliver_sm(
        { source_addr: '37120000015', destination_addr: '37125550200', short_message: text },
        (resp: PackagePdu) => resolve(resp.command_status),
      ),
    );
    expect(status).toBe(0);
    await waitFor(() => stored() === 12 && answers().length === before + 1, 'the message stored and answered');
    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 1 });
    expect(listed.rows.map((m) => [m.from, m.text])).toEqual([['37120000015', text]]);
  });
});

describeEachEngine("the route's reading of data_coding 1 (SMPP_URL ia5=), with the npm smpp package", (engine) => {
  let accountId: number;
  const routes = routesFor(
    () => engine.db,
    ['', '?ia5=gsm', '?ia5=ascii'],
    async () => {
      accountId = await fundedAccount(engine.db, 0);
      await assignNumber(engine.db, accountId, '37125550300', null);
    },
  );

  /** Sends both texts over each route (auto, gsm, ascii) and answers what each route stored, in that order. */
  async function storedTexts(): Promise<string[][]> {
    const texts: string[][] = [];
    for (const [index, route] of routes.entries()) {
      const session = route.smsc.sessions[0];
      // GSM 03.38 septets under data_coding 1, the package's default: ü is 0x7E, no octet below 0x20.
      session.deliver_sm({
        source_addr: `3712000010${index}`,
        destination_addr: '37125550300',
        short_message: 'Müller',
      });
      // True IA5 (ASCII) with a TAB, under data_coding 1.
      session.deliver_sm({
        source_addr: `3712000011${index}`,
        destination_addr: '37125550300',
        data_coding: 1,
        short_message: Buffer.from('Total:\t5 EUR', 'ascii'),
      });
      await waitFor(() => route.stored() === 2, 'both stored');
      const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
      texts.push(listed.rows.map((m) => m.text).sort());
    }
    return texts;
  }

  it('reads IA5 as GSM 03.38 on a control octet by default, always with ia5=gsm, never with ia5=ascii', async () => {
    expect(await storedTexts()).toEqual([
      // auto: "Müller" has no control octet, so it is read as IA5; the TAB is one, so that text is read as GSM.
      ['M~ller', 'Total:Ç5 EUR'],
      ['Müller', 'Total:Ç5 EUR'],
      ['M~ller', 'Total:\t5 EUR'],
    ]);
  });
});

describeEachEngine("a national sender to a short code, read in the route's country (SMPP_URL country=)", (engine) => {
  let smsc: PeerSmsc;
  let provider: SmppProvider;
  let accountId: number;
  let stored = () => 0;

  beforeAll(async () => {
    accountId = await fundedAccount(engine.db, 0);
    await assignNumber(engine.db, accountId, '1881', null);
    smsc = await startPeerSmsc();
    ({ provider, stored } = await bindTo(engine.db, smsc, '?country=LV'));
  });
  afterAll(async () => {
    await provider?.close();
    await smsc?.close();
  });

  it('suppresses the international number of a national STOP to the short code', async () => {
    const session = smsc.sessions[0];
    session.deliver_sm({
      source_addr_ton: 2,
      source_addr: '29123480',
      destination_addr: '1881',
      short_message: 'STOP',
    });
    session.deliver_sm({ source_addr_ton: 0, source_addr: '29123481', destination_addr: '1881', short_message: 'hi' });
    await waitFor(() => stored() === 2, 'both stored');
    const listed = await listInbound(engine.db, accountId, { page: 1, perPage: 2 });
    expect(listed.rows.map((m) => m.from).sort()).toEqual(['37129123480', '37129123481']);
    expect(await findSuppression(engine.db, accountId, '37129123480')).toMatchObject({ source: 'stop_message' });
  });
});

describeEachEngine("a destination in national form, read by dest_addr_ton and the route's country", (engine) => {
  let latvian: number;
  let british: number;
  const routes = routesFor(
    () => engine.db,
    ['?country=LV', '?country=GB', ''],
    async () => {
      latvian = await fundedAccount(engine.db, 0, 'lv');
      british = await fundedAccount(engine.db, 0, 'gb');
      await assignNumber(engine.db, latvian, '37125550400', null);
      await assignNumber(engine.db, latvian, '1883', null);
      await assignNumber(engine.db, british, '447491163443', null);
    },
  );

  /** Sends each [dest_addr_ton, destination_addr] over route `index`; answers the number each was stored for. */
  async function receivedOn(index: number, destinations: [number, string][], text = 'hi'): Promise<string[]> {
    const route = routes[index];
    if (route === undefined) throw new Error(`no route ${index}`);
    const before = route.outcomes.length;
    for (const [sent, [ton, destination]] of destinations.entries()) {
      // One at a time: the outcomes are then in the order sent.
      const status = await new Promise<number>((resolve) =>
        route.smsc.sessions[0].deliver_sm(
          {
            source_addr_ton: 1,
            source_addr: '37120000030',
            dest_addr_ton: ton,
            dest_addr_npi: ton === 5 ? 0 : 1,
            destination_addr: destination,
            data_coding: 0,
            short_message: `${text} ${ton} ${destination}`,
          },
          (resp: PackagePdu) => resolve(resp.command_status),
        ),
      );
      expect(status).toBe(0);
      await waitFor(() => route.outcomes.length === before + sent + 1, 'taken');
    }
    return route.outcomes.slice(before).map((o) => (o.status === 'unrouted' ? 'unrouted' : o.message.to));
  }

  it("finds the route country's number a national destination names, and a short code as it is", async () => {
    expect(
      await receivedOn(0, [
        // National (TON 2), with its trunk prefix, and unknown (TON 0): read as numbers of Latvia.
        [2, '25550400'],
        [0, '25550400'],
        [0, '2555 0400'],
        // "+" or the "00" international prefix: the country code is there.
        [0, '+371 2555 0400'],
        [0, '0037125550400'],
        [1, '37125550400'],
        // A short code matches as it is, whatever the TON says.
        [2, '1883'],
        [0, '1883'],
        [6, '1883'],
      ]),
    ).toEqual([...Array(6).fill('37125550400'), '1883', '1883', '1883']);
    expect(
      await receivedOn(1, [
        [2, '07491 163443'],
        [0, '07491163443'],
        [2, '7491163443'],
      ]),
    ).toEqual(['447491163443', '447491163443', '447491163443']);
    const listed = await listInbound(engine.db, latvian, { page: 1, perPage: 20 });
    expect(listed.total).toBe(9);
    expect((await listInbound(engine.db, british, { page: 1, perPage: 20 })).total).toBe(3);
  });

  it('reads a national sender by the number a national destination names, and suppresses it on STOP', async () => {
    const route = routes[0];
    if (route === undefined) throw new Error('no route');
    const before = route.outcomes.length;
    route.smsc.sessions[0].deliver_sm({
      source_addr_ton: 2,
      source_addr: '29123490',
      dest_addr_ton: 2,
      destination_addr: '25550400',
      short_message: 'STOP',
    });
    await waitFor(() => route.outcomes.length === before + 1, 'the STOP taken');
    expect(route.outcomes[before]).toMatchObject({
      status: 'stored',
      optOut: 'suppressed',
      message: { accountId: latvian, from: '37129123490', to: '37125550400' },
    });
    expect(await findSuppression(engine.db, latvian, '37129123490')).toMatchObject({ source: 'stop_message' });
  });

  it("never finds a number of another country than the route's, nor reads a national one with no country", async () => {
    // A British number written nationally, over the Latvian route: no Latvian number, and never the British one.
    // A number the TON says is national but written as another country's international number: not that number.
    expect(
      await receivedOn(0, [
        [2, '07491163443'],
        [0, '07491163443'],
        [2, '447491163443'],
      ]),
    ).toEqual(['unrouted', 'unrouted', 'unrouted']);
    // A route with no country: a national destination is read by nothing, as before; the international digits and a
    // short code still are.
    expect(
      await receivedOn(2, [
        [2, '25550400'],
        [0, '25550400'],
        [0, '37125550400'],
        [2, '1883'],
      ]),
    ).toEqual(['unrouted', 'unrouted', '37125550400', '1883']);
  });
});
