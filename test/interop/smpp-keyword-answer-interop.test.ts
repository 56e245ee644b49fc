// Keyword answers through a running server (API and worker in one process) bound to an SMSC built on the independent
// npm `smpp` package. The server binds as its worker starts: before it has sent anything, the SMSC hands it a
// handset's HELP (deliver_sm, SMPP 3.4 §4.6.1, with the package's own choice of data_coding), which is stored for the
// number's account and answered with the account's help text as a submit_sm from that number, charged once; a STOP
// suppresses the handset, so that a later sending to it from that account is refused (POST /sendings, 422).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatBalance } from '../../src/domain/money.js';
import { changeKeywordSettings } from '../../src/store/keyword-settings.js';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { assignNumber } from '../../src/store/numbers.js';
import { eventually } from '../dispatch/support.js';
import { type ServerProcess, serverProcess } from '../reliability/crash-harness.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, openAccount } from '../support/http-app.js';
import { type PackagePdu, type PackageSession, type PeerSmsc, startPeerSmsc } from './smpp-peer.js';

const STEP_MS = 180_000;
const WAIT_MS = 60_000;
const NUMBER = '37125550401';
const HANDSET = '37126000401';
const STOPPING_HANDSET = '37126000402';
const HELP_TEXT = 'Bakery help: call 67000001. Reply STOP to opt out.';
const ALL_SUPPRESSED = 'Every recipient has opted out of messages from this account; nothing was sent.';

interface InboundRow {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly keyword_effect: string | null;
}

describeEachEngine('keyword answers through a running server bound to the npm smpp package', (engine) => {
  let smsc: PeerSmsc;
  let server: ServerProcess;
  let account: ApiAccount;

  beforeAll(async () => {
    smsc = await startPeerSmsc();
    server = await serverProcess({
      name: 'keyword-smpp-peer',
      role: 'both',
      databaseUrl: engine.url,
      env: { SMPP_URL: `${smsc.url}?binds=1` },
    });
    await server.start();
    account = await openAccount(engine.db, { balance: '10' });
    await assignNumber(engine.db, account.id, NUMBER, null);
    expect(await changeKeywordSettings(engine.db, account.id, { helpText: HELP_TEXT })).toBe('changed');
  }, STEP_MS);

  afterAll(async () => {
    await server?.stop();
    await smsc?.close();
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: object) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...account.headers, ...(body && { 'content-type': 'application/json' }) },
      ...(body && { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const inbound = async () => (await api('GET', '/inbound')).json.inbound as InboundRow[];
  const pdus = (command: string) => smsc.log.filter((e) => e.pdu.command === command).map((e) => e.pdu as PackagePdu);
  const submitsTo = (handset: string) =>
    pdus('submit_sm').filter((pdu) => String(pdu.destination_addr).replace(/^\+/, '') === handset);

  /** The session of the server's bind, once the SMSC has seen it. */
  async function boundSession(): Promise<PackageSession> {
    let bind: { connection: number } | undefined;
    await eventually(
      async () => {
        bind = smsc.log.find((e) => e.pdu.command === 'bind_transceiver' || e.pdu.command === 'bind_receiver');
        return bind !== undefined;
      },
      WAIT_MS,
      'the bind at the SMSC',
    );
    return smsc.sessions[(bind as { connection: number }).connection];
  }

  /** Sends a deliver_sm and resolves with the command_status of its deliver_sm_resp. */
  function deliver(session: PackageSession, fields: PackagePdu): Promise<number> {
    return new Promise((resolve) => session.deliver_sm(fields, (resp: PackagePdu) => resolve(resp.command_status)));
  }

  it(
    "answers a handset's HELP, sent before anything else, with the account's help text from its number, charged once",
    async () => {
      // Bound as the worker started, with nothing sent: the SMSC can hand a handset's message over at once.
      const session = await boundSession();
      expect(pdus('submit_sm')).toEqual([]);
      const before = (await getBalance(engine.db, account.id)) ?? 0;
      expect((await api('GET', '/balance')).json.balance).toBe(formatBalance(before));

      // The link is kept up from the SMSC's side too: its enquire_link is answered.
      const link = await new Promise<PackagePdu>((resolve) => session.enquire_link(resolve));
      expect([link.command, link.command_status]).toEqual(['enquire_link_resp', 0]);

      // The package picks data_coding itself (1, IA5, for "HELP") and numbers its PDUs from 1, as our side does.
      const status = await deliver(session, {
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: HANDSET,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: NUMBER,
        esm_class: 0,
        short_message: 'HELP',
      });
      expect(status).toBe(0);
      expect(pdus('deliver_sm_resp').map((resp) => resp.command_status)).toEqual([0]);

      await eventually(async () => (await inbound()).length === 1, WAIT_MS, 'the HELP in GET /inbound');
      expect(await inbound()).toEqual([
        expect.objectContaining({ from: HANDSET, to: NUMBER, text: 'HELP', keyword_effect: 'help' }),
      ]);

      await eventually(async () => submitsTo(HANDSET).length > 0, WAIT_MS, 'the answer at the SMSC');
      const answer = submitsTo(HANDSET)[0] as PackagePdu;
      // From the number as an international one (TON 1, NPI 1), so that the handset can write back to it.
      expect([
        answer.source_addr_ton,
        answer.source_addr_npi,
        answer.source_addr,
        answer.dest_addr_ton,
        answer.short_message.message,
      ]).toEqual([1, 1, NUMBER, 1, HELP_TEXT]);

      // Charged once: one reservation for the answer, nothing given back once the SMSC took it.
      const row = await engine.db.kysely
        .selectFrom('inbound_messages')
        .select('auto_reply_sending_id')
        .where('account_id', '=', account.id)
        .executeTakeFirstOrThrow();
      const sendingId = Number(row.auto_reply_sending_id);
      const sending = await engine.db.kysely
        .selectFrom('sendings')
        .select(['text', 'sender', 'total_minor'])
        .where('id', '=', sendingId)
        .where('account_id', '=', account.id)
        .executeTakeFirstOrThrow();
      expect([sending.text, sending.sender]).toEqual([HELP_TEXT, NUMBER]);
      const total = Number(sending.total_minor);
      expect(total).toBeGreaterThan(0);
      await eventually(
        async () =>
          (
            await engine.db.kysely
              .selectFrom('messages')
              .select('status')
              .where('sending_id', '=', sendingId)
              .executeTakeFirst()
          )?.status !== 'submitting',
        WAIT_MS,
        'the answer handed over',
      );
      const entries = await listEntries(engine.db, account.id, { page: 1, perPage: 100 });
      expect(entries.filter((e) => e.sendingId === sendingId).map((e) => [e.kind, e.amountMinor])).toEqual([
        ['reservation', -total],
      ]);
      expect((await api('GET', '/balance')).json.balance).toBe(formatBalance(before - total));
      expect(submitsTo(HANDSET)).toHaveLength(1);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );

  it(
    "stores a handset's STOP as an opt-out, after which a sending to it from that account is refused",
    async () => {
      const session = await boundSession();
      const status = await deliver(session, {
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: STOPPING_HANDSET,
        destination_addr: NUMBER,
        short_message: 'STOP',
      });
      expect(status).toBe(0);
      await eventually(
        async () => (await inbound()).some((m) => m.from === STOPPING_HANDSET),
        WAIT_MS,
        'the STOP in GET /inbound',
      );
      expect((await inbound()).filter((m) => m.from === STOPPING_HANDSET)).toEqual([
        expect.objectContaining({ to: NUMBER, text: 'STOP', keyword_effect: 'opt_out' }),
      ]);

      const before = (await api('GET', '/balance')).json.balance;
      const refused = await api('POST', '/sendings', {
        message: 'Fresh bread at 8',
        recipients: [STOPPING_HANDSET],
        sender: account.sender,
      });
      expect(refused).toEqual({
        status: 422,
        json: { message: ALL_SUPPRESSED, errors: { recipients: [ALL_SUPPRESSED] } },
      });
      expect((await api('GET', '/balance')).json.balance).toBe(before);
      // No confirmation unless the account asks for them, and nothing else went to the number.
      expect(submitsTo(STOPPING_HANDSET)).toEqual([]);
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );
});
