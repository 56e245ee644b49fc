// The opt-out list: idempotent additions with a history, removal, lookups of a sending's recipients in batches,
// pages and prefix search, each account's list its own.
import { expect, it } from 'vitest';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { createSending } from '../../src/store/sendings.js';
import {
  addSuppressions,
  findSuppression,
  listSuppressions,
  removeSuppression,
  SUPPRESSION_LIST_READ_MAX,
  SUPPRESSION_LOOKUP_BATCH,
  suppressedAmong,
  suppressionHistory,
} from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../support/store-fixtures.js';

describeEachEngine('suppressions', (engine) => {
  it('adds idempotently, keeping the first source, and records each change once', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    expect(
      await addSuppressions(db, accountId, ['37120000001', '37120000002', '37120000001'], {
        source: 'api',
        actor: 'token main',
      }),
    ).toEqual(['37120000001', '37120000002']);
    expect(await addSuppressions(db, accountId, ['37120000002', '37120000003'], { source: 'operator' })).toEqual([
      '37120000003',
    ]);
    expect(await findSuppression(db, accountId, '37120000002')).toMatchObject({ phone: '37120000002', source: 'api' });
    expect(await findSuppression(db, accountId, '37120000009')).toBeUndefined();

    expect(await removeSuppression(db, accountId, '37120000001', { source: 'dashboard', actor: 'a@b.lv' })).toBe(true);
    expect(await removeSuppression(db, accountId, '37120000001', { source: 'dashboard' })).toBe(false);
    expect(await findSuppression(db, accountId, '37120000001')).toBeUndefined();

    const history = await suppressionHistory(db, accountId, { page: 1, perPage: 10 });
    expect(history.map((c) => [c.phone, c.action, c.source, c.actor])).toEqual([
      ['37120000001', 'remove', 'dashboard', 'a@b.lv'],
      ['37120000003', 'add', 'operator', null],
      ['37120000002', 'add', 'api', 'token main'],
      ['37120000001', 'add', 'api', 'token main'],
    ]);
    expect(
      (await suppressionHistory(db, accountId, { page: 1, perPage: 10, phone: '37120000001' })).map((c) => c.action),
    ).toEqual(['remove', 'add']);
    // Added again after removal: on the list once more, with the new source.
    expect(await addSuppressions(db, accountId, ['37120000001'], { source: 'stop_message' })).toEqual(['37120000001']);
    expect(await findSuppression(db, accountId, '37120000001')).toMatchObject({ source: 'stop_message' });
  });

  it('lists in number order, a page at a time, and searches by prefix', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    await addSuppressions(
      db,
      accountId,
      ['4915100000002', '37120000001', '4915100000001', '37129999999', '4420000000'],
      {
        source: 'api',
      },
    );
    const all = await listSuppressions(db, accountId, { page: 1, perPage: 100 });
    expect(all.map((s) => s.phone)).toEqual([
      '37120000001',
      '37129999999',
      '4420000000',
      '4915100000001',
      '4915100000002',
    ]);
    expect((await listSuppressions(db, accountId, { page: 2, perPage: 2 })).map((s) => s.phone)).toEqual([
      '4420000000',
      '4915100000001',
    ]);
    expect(
      (await listSuppressions(db, accountId, { page: 1, perPage: 100, prefix: '49' })).map((s) => s.phone),
    ).toEqual(['4915100000001', '4915100000002']);
    expect(
      (await listSuppressions(db, accountId, { page: 1, perPage: 100, prefix: '3712999' })).map((s) => s.phone),
    ).toEqual(['37129999999']);
    expect(await listSuppressions(db, accountId, { page: 1, perPage: 100, prefix: '5' })).toEqual([]);
  });

  it("keeps each account's list its own", async () => {
    const db = engine.db;
    const a = await fundedAccount(db, 0, 'a');
    const b = await fundedAccount(db, 0, 'b');
    await addSuppressions(db, a, ['37120000001'], { source: 'api' });
    expect(await findSuppression(db, b, '37120000001')).toBeUndefined();
    expect(await listSuppressions(db, b, { page: 1, perPage: 10 })).toEqual([]);
    expect((await suppressedAmong(db, b, ['37120000001'])).size).toBe(0);
    expect(await removeSuppression(db, b, '37120000001', { source: 'api' })).toBe(false);
    expect(await suppressionHistory(db, b, { page: 1, perPage: 10 })).toEqual([]);
    expect(await findSuppression(db, a, '37120000001')).toBeDefined();
  });

  it('finds the suppressed among a short list in one statement', async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const accountId = await fundedAccount(db, 0);
    await addSuppressions(db, accountId, ['37120000002'], { source: 'stop_message' });
    statements.length = 0;
    const found = await suppressedAmong(db, accountId, ['37120000001', '37120000002', '37120000003']);
    expect([...found]).toEqual([['37120000002', { source: 'stop_message', sender: '' }]]);
    expect(statements.filter((s) => /suppressions/.test(s))).toHaveLength(1);
  });

  it('checks a long list against a short suppression list with one read, and a long one in bounded batches', async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const recipients = Array.from({ length: SUPPRESSION_LOOKUP_BATCH * 2 + 5 }, (_, i) => String(37120000000 + i));
    const shortList = await fundedAccount(db, 0);
    await addSuppressions(
      db,
      shortList,
      [recipients[3] as string, recipients[recipients.length - 1] as string, '4400000000'],
      {
        source: 'api',
      },
    );
    statements.length = 0;
    const found = await suppressedAmong(db, shortList, recipients);
    expect([...found.keys()].sort()).toEqual([recipients[3], recipients[recipients.length - 1]]);
    expect(statements.filter((s) => /suppressions/.test(s))).toHaveLength(1);

    const longList = await fundedAccount(db, 0);
    // More suppressions than the whole-list read takes: every other recipient.
    const suppressed = recipients.filter((_, i) => i % 2 === 0);
    expect(suppressed.length).toBeGreaterThan(SUPPRESSION_LIST_READ_MAX);
    await addSuppressions(db, longList, suppressed, { source: 'operator' });
    statements.length = 0;
    const many = await suppressedAmong(db, longList, recipients);
    expect(many.size).toBe(suppressed.length);
    expect(many.get(recipients[0] as string)).toEqual({ source: 'operator', sender: '' });
    expect(many.has(recipients[1] as string)).toBe(false);
    // The bounded read of the list, then one statement per batch of recipients, each with a fixed few parameters.
    const lookups = statements.filter((s) => /suppressions/.test(s));
    expect(lookups).toHaveLength(1 + Math.ceil(recipients.length / SUPPRESSION_LOOKUP_BATCH));
  });

  it('stores suppressed recipients as final messages outside the reservation, which the audit checks', async () => {
    const db = engine.db;
    const shape = { recipients: 3, parts: 2, rateMinor: 4397, taxMinor: 1_000 };
    const accountId = await fundedAccount(db, sendingTotalMinor(shape));
    const suppressed = ['4915100000001', '4915100000002'].map((recipient) => ({
      recipient,
      countryId: null,
      mcc: '262',
      mnc: '01',
      destination: 'Germany Telekom',
      parts: 2,
      rateMinor: 500,
      costMinor: 0,
    }));
    const created = await createSending(db, { ...newSending(accountId, shape), suppressed });
    if (!created.ok) throw new Error(created.reason);
    expect(await getBalance(db, accountId)).toBe(0);
    const rows = await db.kysely
      .selectFrom('messages')
      .select(['recipient', 'status', 'cost_minor', 'final_at_us'])
      .where('sending_id', '=', created.sending.id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.status, Number(r.cost_minor), r.final_at_us === null])).toEqual([
      ['queued', 8794, true],
      ['queued', 8794, true],
      ['queued', 8794, true],
      ['suppressed', 0, false],
      ['suppressed', 0, false],
    ]);
    expect((await auditLedger(db)).mismatches).toEqual([]);

    // A suppressed message that cost something is a broken ledger.
    const update = (cost: number) =>
      db.transaction((trx) =>
        trx
          .updateTable('messages')
          .set({ cost_minor: cost })
          .where('sending_id', '=', created.sending.id)
          .where('recipient', '=', '4915100000002')
          .execute(),
      );
    await update(10);
    try {
      expect((await auditLedger(db)).mismatches).toEqual([
        {
          problem: 'suppressed_charged',
          accountId,
          detail: expect.stringMatching(/^sending \d+: suppressed message \d+ has a cost or was handed over$/),
        },
      ]);
    } finally {
      await update(0);
    }
    // A suppressed row with a cost is refused before it is written.
    const another = await fundedAccount(db, sendingTotalMinor(shape));
    await expect(
      createSending(db, {
        ...newSending(another, shape),
        suppressed: [{ ...(suppressed[0] as (typeof suppressed)[0]), costMinor: 1 }],
      }),
    ).rejects.toThrow('has a cost');
  });

  it("matches a sending's sender: account-wide entries always, a sender's only for it, on every lookup path", async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const recipients = Array.from({ length: SUPPRESSION_LOOKUP_BATCH * 2 + 5 }, (_, i) => String(37130000000 + i));
    const [r0, r1, r2] = recipients as [string, string, string];
    for (const longList of [false, true]) {
      const accountId = await fundedAccount(db, 0);
      expect(await addSuppressions(db, accountId, [r0, r1], { source: 'stop_message' }, '37125550700')).toEqual([
        r0,
        r1,
      ]);
      await addSuppressions(db, accountId, [r1, r2], { source: 'api' });
      await addSuppressions(db, accountId, [r2], { source: 'dashboard' }, 'Cafe');
      // Past the whole-list read: a long list is looked up a batch of recipients at a time.
      if (longList)
        await addSuppressions(
          db,
          accountId,
          recipients.slice(3, 3 + SUPPRESSION_LIST_READ_MAX + 1),
          { source: 'operator' },
          'Other',
        );
      for (const phones of [[r0, r1, r2, '37139999999'], recipients]) {
        statements.length = 0;
        const fromNumber = await suppressedAmong(db, accountId, phones, '37125550700');
        expect([fromNumber.get(r0), fromNumber.get(r1), fromNumber.get(r2)]).toEqual([
          { source: 'stop_message', sender: '37125550700' },
          // Both entries apply: the account-wide one is named.
          { source: 'api', sender: '' },
          { source: 'api', sender: '' },
        ]);
        expect(fromNumber.size).toBe(3);
        const fromCafe = await suppressedAmong(db, accountId, phones, 'Cafe');
        expect([...fromCafe.keys()].sort()).toEqual([r1, r2]);
        const none = await suppressedAmong(db, accountId, phones);
        expect([...none.keys()].sort()).toEqual([r1, r2]);
        expect(statements.filter((sqlText) => /suppressions/.test(sqlText)).length).toBeLessThanOrEqual(
          3 * (1 + Math.ceil(phones.length / SUPPRESSION_LOOKUP_BATCH)),
        );
      }
      expect(await findSuppression(db, accountId, r0)).toMatchObject({ sender: '37125550700' });
      expect(await findSuppression(db, accountId, r1)).toMatchObject({ sender: '' });
      expect(await removeSuppression(db, accountId, r1, { source: 'api' }, '37125550700')).toBe(true);
      expect(await findSuppression(db, accountId, r1, '37125550700')).toBeUndefined();
      expect(await findSuppression(db, accountId, r1, '')).toBeDefined();
      // No sender given: every entry of the number, each recorded.
      expect(await removeSuppression(db, accountId, r2, { source: 'api' })).toBe(true);
      expect(await findSuppression(db, accountId, r2)).toBeUndefined();
      expect(
        (await suppressionHistory(db, accountId, { page: 1, perPage: 2, phone: r2 })).map((c) => [c.action, c.sender]),
      ).toEqual([
        ['remove', 'Cafe'],
        ['remove', ''],
      ]);
    }
  });
});
