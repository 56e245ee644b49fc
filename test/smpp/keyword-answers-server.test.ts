// Keyword answers end to end over SMPP, through a running server (API and worker in one process) bound to the SMSC
// simulator: a handset's HELP to an account's number comes in as a deliver_sm, and the account's help text goes back
// as a submit_sm from that number, charged to the account once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { changeKeywordSettings } from '../../src/store/keyword-settings.js';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { assignNumber } from '../../src/store/numbers.js';
import { eventually } from '../dispatch/support.js';
import { type ServerProcess, serverProcess } from '../reliability/crash-harness.js';
import { describeEachEngine } from '../support/databases.js';
import { openAccount } from '../support/http-app.js';

const STEP_MS = 180_000;
const NUMBER = '37125550301';
const HANDSET = '37126000301';
const HELP_TEXT = 'Bakery help: call 67000001. Reply STOP to opt out.';

describeEachEngine('keyword answers over SMPP in a running server', (engine) => {
  let sim: SmscSimulator;
  let server: ServerProcess;

  beforeAll(async () => {
    sim = await startSmscSimulator({ record: true });
    server = await serverProcess({
      name: 'keyword-smpp',
      role: 'both',
      databaseUrl: engine.url,
      env: { SMPP_URL: sim.url },
    });
    await server.start();
  }, STEP_MS);

  afterAll(async () => {
    await server?.stop();
    await sim?.close();
  });

  it(
    "answers a handset's HELP with the account's help text from the number it wrote to, charged once",
    async () => {
      const db = engine.db;
      const account = await openAccount(db, { balance: '10' });
      await assignNumber(db, account.id, NUMBER, null);
      expect(await changeKeywordSettings(db, account.id, { helpText: HELP_TEXT })).toBe('changed');

      // The server binds as it starts, before it has sent anything: a handset's message reaches it at once.
      await eventually(async () => sim.stats.bindsAccepted > 0, 60_000, 'the server bound to the SMSC');
      expect(sim.stats.submitSm).toBe(0);
      const before = (await getBalance(db, account.id)) ?? 0;

      sim.sendInbound({ from: `+${HANDSET}`, to: NUMBER, text: 'HELP' });

      const answers = () => sim.received.filter((submit) => submit.destinationAddr.replace(/^\+/, '') === HANDSET);
      await eventually(async () => answers().some((s) => s.messageId !== null), 60_000, 'the answer at the SMSC');
      expect(answers().map((s) => [s.sourceAddr.replace(/^\+/, ''), s.text])).toEqual([[NUMBER, HELP_TEXT]]);

      const inbound = await db.kysely
        .selectFrom('inbound_messages')
        .select(['text', 'auto_reply', 'auto_reply_sending_id', 'auto_reply_refusal', 'auto_reply_owed_at_us'])
        .where('account_id', '=', account.id)
        .execute();
      expect(inbound).toEqual([
        {
          text: 'HELP',
          auto_reply: 'help',
          auto_reply_sending_id: expect.anything(),
          auto_reply_refusal: null,
          auto_reply_owed_at_us: null,
        },
      ]);
      const sendingId = Number(inbound[0]?.auto_reply_sending_id);
      const sending = await db.kysely
        .selectFrom('sendings')
        .select(['text', 'sender', 'total_minor'])
        .where('id', '=', sendingId)
        .where('account_id', '=', account.id)
        .execute();
      expect(sending.map((s) => [s.text, s.sender])).toEqual([[HELP_TEXT, NUMBER]]);
      const total = Number(sending[0]?.total_minor);
      expect(total).toBeGreaterThan(0);

      // Charged once: one reservation for the answer, nothing given back once the SMSC took it.
      await eventually(
        async () =>
          (
            await db.kysely
              .selectFrom('messages')
              .select('status')
              .where('sending_id', '=', sendingId)
              .executeTakeFirst()
          )?.status !== 'submitting',
        60_000,
        'the answer handed over',
      );
      const entries = await listEntries(db, account.id, { page: 1, perPage: 100 });
      expect(entries.filter((e) => e.sendingId === sendingId).map((e) => [e.kind, e.amountMinor])).toEqual([
        ['reservation', -total],
      ]);
      expect((await getBalance(db, account.id)) ?? 0).toBe(before - total);
      expect(answers()).toHaveLength(1);
      expect((await auditLedger(db)).mismatches).toEqual([]);
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );
});
