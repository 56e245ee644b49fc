// One received message, whatever provider brought it: routed to the owner of the number or keyword, stored once, and a
// STOP or START applied to the owner's suppression list; a message to nobody's number is stored nowhere.
import { expect, it } from 'vitest';
import type { SenderFormat } from '../../src/domain/inbound.js';
import { type ReceivedMessage, receiveInbound } from '../../src/services/inbound.js';
import { listConversations } from '../../src/store/conversations.js';
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

  it('names a sender written in national or any other form by its international digits, everywhere', async () => {
    const db = engine.db;
    const account = await fundedAccount(db, 0, 'national');
    await assignNumber(db, account, '37126660003', null);
    await assignNumber(db, account, '447491163443', null);
    await assignNumber(db, account, '7789', null);
    const from = async (sender: string, to: string, text = 'hi', senderFormat?: SenderFormat) => {
      const outcome = await receiveInbound(db, message({ from: sender, to, text, senderFormat }), log);
      return outcome.status === 'stored' ? outcome.message.from : outcome.status;
    };
    // A Latvian handset's STOP as its network wrote it, without the country code, to a Latvian number: the number
    // sendings go to (37129123456) is suppressed.
    expect(await from('29123456', '37126660003', 'STOP')).toBe('37129123456');
    expect(await findSuppression(db, account, '37129123456')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(db, account, '29123456')).toBeUndefined();
    expect((await listConversations(db, account, { page: 1, perPage: 10 })).rows.map((c) => c.phone)).toEqual([
      '37129123456',
    ]);
    // "+", spaces, the "00" international prefix, even a stray "00" before a national number.
    expect(await from('+371 2912 3457', '37126660003')).toBe('37129123457');
    expect(await from('00371 29123458', '37126660003')).toBe('37129123458');
    expect(await from('0029123459', '37126660003')).toBe('37129123459');
    // A national number keeps its trunk prefix out (the United Kingdom's 0).
    expect(await from('07911 123456', '447491163443')).toBe('447911123456');
    // A valid international number stays what it is, whatever number it came to.
    expect(await from('385916242493', '37126660003')).toBe('385916242493');
    // No country to read it by (a short code), or no valid reading: the digits as written.
    expect(await from('29123456', '7789')).toBe('29123456');
    expect(await from('123', '37126660003')).toBe('123');
    // A name stays a name.
    expect(await from(' Shop ', '37126660003')).toBe('Shop');
    // A short code names no country; its route may (SMPP_URL country=), one the plan knows.
    const routed = async (sender: string, routeCountry: string) => {
      const outcome = await receiveInbound(db, message({ from: sender, to: '7789', routeCountry }), log);
      return outcome.status === 'stored' ? outcome.message.from : outcome.status;
    };
    expect(await routed('29123463', 'LV')).toBe('37129123463');
    expect(await routed('29123464', 'XX')).toBe('29123464');
    // What the provider says of the form (SMPP's TON) comes first.
    expect(await from('29123460', '37126660003', 'hi', 'international')).toBe('29123460');
    expect(await from('29123461', '37126660003', 'hi', 'national')).toBe('37129123461');
    expect(await from('29123462', '37126660003', 'hi', 'alphanumeric')).toBe('29123462');
  });

  it("finds the number a destination in national form names, in the route's country, and never guesses", async () => {
    const db = engine.db;
    const latvian = await fundedAccount(db, 0, 'lv-dest');
    const american = await fundedAccount(db, 0, 'us-dest');
    const egyptian = await fundedAccount(db, 0, 'eg-dest');
    await assignNumber(db, latvian, '37126660010', null);
    await assignNumber(db, latvian, '7790', null);
    await assignNumber(db, american, '12015550123', null);
    // Egypt's 20 15550123, whose digits are also the United States' 201 555 0123 written nationally.
    await assignNumber(db, egyptian, '2015550123', null);
    const to = async (destination: string, over: Partial<ReceivedMessage> = {}) => {
      const outcome = await receiveInbound(db, message({ to: destination, ...over }), log);
      return outcome.status === 'stored' ? [outcome.message.accountId, outcome.message.to] : outcome.status;
    };
    const lv = { routeCountry: 'LV' };
    // Read in the route's country: national (TON 2), not said (TON 0), spaced; "+" and "00" name the country.
    expect(await to('26660010', { ...lv, destinationFormat: 'national' })).toEqual([latvian, '37126660010']);
    expect(await to('2666 0010', lv)).toEqual([latvian, '37126660010']);
    expect(await to('+371 2666 0010')).toEqual([latvian, '37126660010']);
    expect(await to('0037126660010')).toEqual([latvian, '37126660010']);
    // A short code as it is, whatever the TON says.
    expect(await to('7790', { ...lv, destinationFormat: 'national' })).toEqual([latvian, '7790']);
    // The national sender of a national destination is read in the country of the number found.
    const stop = await receiveInbound(db, message({ to: '26660010', from: '29123465', text: 'STOP', ...lv }), log);
    expect(stop).toMatchObject({ status: 'stored', message: { from: '37129123465', to: '37126660010' } });
    expect(await findSuppression(db, latvian, '37129123465')).toMatchObject({ source: 'stop_message' });

    // With no route country a national destination names nothing, as before.
    expect(await to('26660010', { destinationFormat: 'national' })).toBe('unrouted');
    expect(await to('26660010')).toBe('unrouted');
    // Said to be national in the United States: the American number, never the Egyptian one its digits also are.
    const us = { routeCountry: 'US' };
    expect(await to('201 555 0123', { ...us, destinationFormat: 'national' })).toEqual([american, '12015550123']);
    // A number of one country said to be national in another: not that number.
    expect(await to('37126660010', { ...us, destinationFormat: 'national' })).toBe('unrouted');
    // Form not said: both are owned, and which was meant cannot be told, so neither.
    logged.length = 0;
    expect(await to('2015550123', us)).toBe('unrouted');
    expect(logged).toMatchObject([{ fields: { to: '2015550123', numbers: ['2015550123', '12015550123'] } }]);
    // International digits stay international; said so, never read in the route's country.
    expect(await to('2015550123')).toEqual([egyptian, '2015550123']);
    expect(await to('2015550123', { ...us, destinationFormat: 'international' })).toEqual([egyptian, '2015550123']);
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
