// One received message, whatever provider brought it: routed to the owner of the number or keyword, stored once, and a
// STOP or START applied to the owner's suppression list; a message to nobody's number is stored nowhere.
import { expect, it } from 'vitest';
import { type ReceivedMessage, receiveInbound } from '../../src/services/inbound.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression, suppressionHistory } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('receiving a message', (engine) => {
  const logged: { fields: Record<string, unknown>; message: string }[] = [];
  const log = (fields: Record<string, unknown>, message: string) => logged.push({ fields, message });
  let n = 0;
  const message = (over: Partial<ReceivedMessage>): ReceivedMessage => ({
    provider: 'smpp',
    providerMessageId: `r-${++n}`,
    from: '37120000001',
    to: '37126660001',
    text: 'hello',
    receivedAtUs: 1_000 + n,
    ...over,
  });

  it('stores a retried delivery once', async () => {
    const db = engine.db;
    const account = await fundedAccount(db, 0);
    await assignNumber(db, account, '37126660001', null);
    const first = message({ providerMessageId: 'dup-1', text: 'once' });
    expect(await receiveInbound(db, first, log)).toMatchObject({
      status: 'stored',
      message: { accountId: account, text: 'once' },
      optOut: null,
    });
    expect(await receiveInbound(db, first, log)).toMatchObject({ status: 'duplicate', message: { text: 'once' } });
    const listed = await listInbound(db, account, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => m.text)).toEqual(['once']);
  });

  it('suppresses the sender on STOP and lifts it on START, for the owner only', async () => {
    const db = engine.db;
    const owner = await fundedAccount(db, 0, 'owner');
    const other = await fundedAccount(db, 0, 'other');
    await assignNumber(db, owner, '37126660002', null);
    const stop = message({ to: '37126660002', from: '37120000050', text: ' Stop! ' });
    expect(await receiveInbound(db, stop, log)).toMatchObject({ status: 'stored', optOut: 'suppressed' });
    expect(await findSuppression(db, owner, '37120000050')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(db, other, '37120000050')).toBeUndefined();
    // The same STOP delivered again changes nothing more.
    expect(await receiveInbound(db, stop, log)).toMatchObject({ status: 'duplicate' });

    const start = message({ to: '37126660002', from: '37120000050', text: 'start' });
    expect(await receiveInbound(db, start, log)).toMatchObject({ status: 'stored', optOut: 'unsuppressed' });
    expect(await findSuppression(db, owner, '37120000050')).toBeUndefined();
    const history = await suppressionHistory(db, owner, { page: 1, perPage: 10, phone: '37120000050' });
    expect(history.map((c) => [c.action, c.source, c.actor])).toEqual([
      ['remove', 'stop_message', 'smpp'],
      ['add', 'stop_message', 'smpp'],
    ]);
    // HELP and a sentence with STOP in it are stored and change nothing.
    expect(await receiveInbound(db, message({ to: '37126660002', text: 'HELP' }), log)).toMatchObject({
      optOut: 'help',
    });
    await receiveInbound(db, message({ to: '37126660002', from: '37120000051', text: 'please do not stop' }), log);
    expect(await findSuppression(db, owner, '37120000051')).toBeUndefined();
    expect((await listInbound(db, owner, { page: 1, perPage: 10 })).total).toBe(4);
  });

  it('routes a shared short code by its keyword, and stores nothing for a number nobody has', async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    await assignNumber(db, a, '7788', 'alpha');
    await assignNumber(db, b, '7788', 'beta');
    expect(await receiveInbound(db, message({ to: '7788', text: 'BETA hi' }), log)).toMatchObject({
      status: 'stored',
      message: { accountId: b },
    });
    logged.length = 0;
    const lost = message({ to: '7788', text: 'gamma hi', providerMessageId: 'lost-1' });
    expect(await receiveInbound(db, lost, log)).toEqual({ status: 'unrouted' });
    expect(await receiveInbound(db, message({ to: '37100000000' }), log)).toEqual({ status: 'unrouted' });
    expect(logged).toMatchObject([
      { fields: { provider: 'smpp', providerMessageId: 'lost-1', to: '7788' } },
      { fields: { to: '37100000000' } },
    ]);
    const stored = await db.kysely
      .selectFrom('inbound_messages')
      .select('id')
      .where('provider_message_id', '=', 'lost-1')
      .execute();
    expect(stored).toEqual([]);
    expect((await listInbound(db, a, { page: 1, perPage: 10 })).total).toBe(0);
  });
});
