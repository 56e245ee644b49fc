// Numbers and keywords of shared short codes, each with one owner; received messages stored once per provider message,
// listed per account by number and time.
import { expect, it } from 'vitest';
import { listInbound, storeInbound } from '../../src/store/inbound.js';
import {
  assignNumber,
  listAccountNumbers,
  listAllNumbers,
  resolveReceivingNumber,
  resolveReceivingNumbers,
  unassignNumber,
} from '../../src/store/numbers.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('numbers and inbound messages', (engine) => {
  it('gives a number or a keyword of a shared code to one account at most', async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    const whole = await assignNumber(db, a, '37120000100', null);
    expect(whole).toMatchObject({ ok: true, created: true, number: { accountId: a, keyword: null } });
    expect(await assignNumber(db, a, '37120000100', null)).toMatchObject({ ok: true, created: false });
    expect(await assignNumber(db, b, '37120000100', null)).toEqual({ ok: false, reason: 'taken', ownerAccountId: a });
    // A keyword of a number someone has whole is refused, and the whole number while a keyword of it is assigned.
    expect(await assignNumber(db, b, '37120000100', 'pizza')).toMatchObject({ ok: false, ownerAccountId: a });

    expect(await assignNumber(db, a, '1234', 'Pizza')).toMatchObject({ ok: true, number: { keyword: 'PIZZA' } });
    expect(await assignNumber(db, b, '1234', 'BURGER')).toMatchObject({ ok: true, number: { accountId: b } });
    expect(await assignNumber(db, b, '1234', 'pizza')).toEqual({ ok: false, reason: 'taken', ownerAccountId: a });
    expect(await assignNumber(db, b, '1234', null)).toMatchObject({ ok: false, reason: 'taken' });

    expect((await listAccountNumbers(db, a)).map((n) => [n.number, n.keyword])).toEqual([
      ['1234', 'PIZZA'],
      ['37120000100', null],
    ]);
    expect((await listAccountNumbers(db, b)).map((n) => [n.number, n.keyword])).toEqual([['1234', 'BURGER']]);
    expect((await listAllNumbers(db)).length).toBeGreaterThanOrEqual(3);

    expect(await unassignNumber(db, '1234', 'PIZZA')).toMatchObject({ accountId: a });
    expect(await unassignNumber(db, '1234', 'pizza')).toBeNull();
    expect(await assignNumber(db, b, '1234', 'pizza')).toMatchObject({ ok: true, number: { accountId: b } });
    expect(await unassignNumber(db, '37120000100', null)).toMatchObject({ accountId: a });
    expect(await assignNumber(db, b, '37120000100', null)).toMatchObject({ ok: true, number: { accountId: b } });
  });

  it('resolves a received text to the owner of the number or of its first word on a shared code', async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    await assignNumber(db, a, '37120000200', null);
    await assignNumber(db, a, '5678', 'CAKE');
    await assignNumber(db, b, '5678', 'TEA');
    expect(await resolveReceivingNumber(db, '37120000200', 'anything at all')).toMatchObject({ accountId: a });
    expect(await resolveReceivingNumber(db, '37120000200', '')).toMatchObject({ accountId: a });
    expect(await resolveReceivingNumber(db, '5678', '  cake please')).toMatchObject({ accountId: a, keyword: 'CAKE' });
    expect(await resolveReceivingNumber(db, '5678', 'Tea with milk')).toMatchObject({ accountId: b });
    expect(await resolveReceivingNumber(db, '5678', 'coffee')).toBeUndefined();
    expect(await resolveReceivingNumber(db, '5678', 'teapot')).toBeUndefined();
    expect(await resolveReceivingNumber(db, '9999', 'tea')).toBeUndefined();
  });

  it('resolves each of the numbers a destination may be that someone receives on, in the order given', async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    await assignNumber(db, a, '37120000210', null);
    await assignNumber(db, b, '5679', 'TEA');
    await assignNumber(db, a, '5679', 'CAKE');
    const owners = async (numbers: string[], text: string) =>
      (await resolveReceivingNumbers(db, numbers, text)).map((n) => [n.number, n.accountId]);
    expect(await owners(['20000210', '37120000210'], 'hi')).toEqual([['37120000210', a]]);
    expect(await owners(['5679', '37120000210', '5679'], 'tea please')).toEqual([
      ['5679', b],
      ['37120000210', a],
    ]);
    expect(await owners(['5679', '9998'], 'coffee')).toEqual([]);
    expect(await owners([], 'tea')).toEqual([]);
  });

  it('stores a message once per provider id and lists it by number and time, each account its own', async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    const na = await assignNumber(db, a, '37120000300', null);
    const na2 = await assignNumber(db, a, '37120000301', null);
    const nb = await assignNumber(db, b, '37120000302', null);
    if (!na.ok || !na2.ok || !nb.ok) throw new Error('assign failed');
    const base = { from: '4915100000001', provider: 'smpp', text: 'hello' };
    const first = await storeInbound(db, {
      ...base,
      accountId: a,
      numberId: na.number.id,
      to: '37120000300',
      providerMessageId: 'm1',
      receivedAtUs: 1_000,
    });
    expect(first).toMatchObject({ created: true, message: { accountId: a, to: '37120000300', text: 'hello' } });
    const retry = await storeInbound(db, {
      ...base,
      accountId: a,
      numberId: na.number.id,
      to: '37120000300',
      text: 'changed',
      providerMessageId: 'm1',
      receivedAtUs: 5_000,
    });
    expect(retry).toEqual({ created: false, message: first.message });
    // The same id from another provider is another message.
    await storeInbound(db, {
      ...base,
      provider: 'twilio',
      accountId: a,
      numberId: na2.number.id,
      to: '37120000301',
      providerMessageId: 'm1',
      receivedAtUs: 2_000,
    });
    await storeInbound(db, {
      ...base,
      accountId: a,
      numberId: na.number.id,
      to: '37120000300',
      providerMessageId: 'm3',
      receivedAtUs: 3_000,
    });
    await storeInbound(db, {
      ...base,
      accountId: b,
      numberId: nb.number.id,
      to: '37120000302',
      providerMessageId: 'm4',
      receivedAtUs: 2_500,
    });

    const all = await listInbound(db, a, { page: 1, perPage: 10 });
    expect(all.total).toBe(3);
    expect(all.rows.map((m) => [m.provider, m.providerMessageId])).toEqual([
      ['smpp', 'm3'],
      ['twilio', 'm1'],
      ['smpp', 'm1'],
    ]);
    expect((await listInbound(db, a, { page: 2, perPage: 2 })).rows.map((m) => m.providerMessageId)).toEqual(['m1']);
    expect(
      (await listInbound(db, a, { page: 1, perPage: 10, number: '37120000300' })).rows.map((m) => m.providerMessageId),
    ).toEqual(['m3', 'm1']);
    const window = await listInbound(db, a, { page: 1, perPage: 10, fromUs: 2_000, toUs: 2_999 });
    expect(window.rows.map((m) => m.provider)).toEqual(['twilio']);
    expect(window.total).toBe(1);
    // Another account's number or messages are never listed.
    expect(await listInbound(db, a, { page: 1, perPage: 10, number: '37120000302' })).toEqual({ rows: [], total: 0 });
    expect((await listInbound(db, b, { page: 1, perPage: 10 })).rows.map((m) => m.providerMessageId)).toEqual(['m4']);

    // Taking the number back keeps its messages the account's.
    await unassignNumber(db, '37120000300', null);
    const kept = await listInbound(db, a, { page: 1, perPage: 10, number: '37120000300' });
    expect(kept.rows.map((m) => [m.providerMessageId, m.numberId])).toEqual([
      ['m3', null],
      ['m1', null],
    ]);
  });
});
