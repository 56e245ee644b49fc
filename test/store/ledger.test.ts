// The ledger: credits and debits as a table of cases, refunds once per settlement, append-only entries, the auditor.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { auditLedger, credit, debit, getBalance, listEntries, refundSending } from '../../src/store/ledger.js';
import { createSending } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending } from '../support/store-fixtures.js';

type Step =
  | { readonly op: 'credit'; readonly amount: number; readonly expect: 'ok' | 'invalid_amount' }
  | {
      readonly op: 'debit';
      readonly amount: number;
      readonly expect: 'ok' | 'insufficient_balance' | 'invalid_amount';
    };

// Each row: one operation on a fresh account's running balance, what it answers and the balance after it.
const CASES: readonly { readonly name: string; readonly steps: readonly (Step & { readonly balance: number })[] }[] = [
  {
    name: 'credits add up exactly',
    steps: [
      { op: 'credit', amount: 4_500_000, expect: 'ok', balance: 4_500_000 },
      { op: 'credit', amount: 1, expect: 'ok', balance: 4_500_001 },
      { op: 'credit', amount: 4397, expect: 'ok', balance: 4_504_398 },
    ],
  },
  {
    name: 'a debit takes the balance down to exactly zero but not below',
    steps: [
      { op: 'credit', amount: 10_000, expect: 'ok', balance: 10_000 },
      { op: 'debit', amount: 10_001, expect: 'insufficient_balance', balance: 10_000 },
      { op: 'debit', amount: 2_500, expect: 'ok', balance: 7_500 },
      { op: 'debit', amount: 7_500, expect: 'ok', balance: 0 },
      { op: 'debit', amount: 1, expect: 'insufficient_balance', balance: 0 },
    ],
  },
  {
    name: 'zero and negative amounts are refused',
    steps: [
      { op: 'credit', amount: 0, expect: 'invalid_amount', balance: 0 },
      { op: 'credit', amount: -5, expect: 'invalid_amount', balance: 0 },
      { op: 'debit', amount: 0, expect: 'invalid_amount', balance: 0 },
      { op: 'credit', amount: 0.5, expect: 'invalid_amount', balance: 0 },
    ],
  },
];

describeEachEngine('ledger', (engine) => {
  describe('credit and debit', () => {
    for (const { name, steps } of CASES) {
      it(name, async () => {
        const db = engine.db;
        const accountId = await fundedAccount(db, 0, name);
        let written = 0;
        for (const step of steps) {
          const result =
            step.op === 'credit'
              ? await credit(db, accountId, step.amount, 'test')
              : await debit(db, accountId, step.amount, 'test');
          expect(result.ok ? 'ok' : result.reason, `${step.op} ${step.amount}`).toBe(step.expect);
          if (result.ok) {
            written++;
            expect(result.balanceMinor).toBe(step.balance);
            expect(result.entry.balanceAfterMinor).toBe(step.balance);
            expect(result.entry.amountMinor).toBe(step.op === 'credit' ? step.amount : -step.amount);
          }
          expect(await getBalance(db, accountId)).toBe(step.balance);
        }
        // Refused operations wrote nothing, and the entries add up to the balance.
        const entries = await listEntries(db, accountId, { page: 1, perPage: 100 });
        expect(entries).toHaveLength(written);
        const sum = entries.reduce((total, e) => total + e.amountMinor, 0);
        expect(sum).toBe(await getBalance(db, accountId));
      });
    }
  });

  it('a refused debit reports the balance it found', async () => {
    const accountId = await fundedAccount(engine.db, 300);
    expect(await debit(engine.db, accountId, 301)).toEqual({
      ok: false,
      reason: 'insufficient_balance',
      balanceMinor: 300,
      requiredMinor: 301,
    });
  });

  it('an unknown account is a value, not a crash', async () => {
    expect(await credit(engine.db, 987_654, 100)).toEqual({ ok: false, reason: 'account_not_found' });
    expect(await debit(engine.db, 987_654, 100)).toEqual({ ok: false, reason: 'account_not_found' });
    expect(await getBalance(engine.db, 987_654)).toBeUndefined();
  });

  it('lists entries newest first, a page at a time', async () => {
    const accountId = await fundedAccount(engine.db, 0);
    for (const amount of [1, 2, 3, 4, 5]) await credit(engine.db, accountId, amount);
    const first = await listEntries(engine.db, accountId, { page: 1, perPage: 2 });
    const third = await listEntries(engine.db, accountId, { page: 3, perPage: 2 });
    expect(first.map((e) => e.amountMinor)).toEqual([5, 4]);
    expect(third.map((e) => e.amountMinor)).toEqual([1]);
  });

  it('refunds a settlement of a sending once, however often it is written', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 100_000);
    const created = await createSending(db, newSending(accountId, { recipients: 10, rateMinor: 1_000 }));
    if (!created.ok) throw new Error(created.reason);
    const sendingId = created.sending.id;
    expect(created.balanceMinor).toBe(90_000);
    const refund = { accountId, sendingId, settlementKey: 'rejected:1', amountMinor: 3_000 };
    const results = await Promise.all([
      refundSending(db, refund),
      refundSending(db, refund),
      refundSending(db, refund),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_refunded')).toHaveLength(2);
    expect(await getBalance(db, accountId)).toBe(93_000);
    // Another settlement key is another refund; more than what is left reserved is a bug.
    const second = await refundSending(db, { ...refund, settlementKey: 'cancel', amountMinor: 7_000 });
    expect(second.ok).toBe(true);
    await expect(refundSending(db, { ...refund, settlementKey: 'too-much', amountMinor: 1 })).rejects.toThrow(
      /exceeds what remains reserved/,
    );
    expect(await getBalance(db, accountId)).toBe(100_000);
    // Another account cannot refund this sending.
    const stranger = await fundedAccount(db, 0, 'stranger');
    expect(await refundSending(db, { ...refund, accountId: stranger, settlementKey: 'x' })).toEqual({
      ok: false,
      reason: 'sending_not_found',
    });
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('refuses to update or delete an entry', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 500);
    await expect(
      db.kysely.updateTable('ledger_entries').set({ amount_minor: 1 }).where('account_id', '=', accountId).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.kysely.deleteFrom('ledger_entries').where('account_id', '=', accountId).execute()).rejects.toThrow(
      /append-only/,
    );
  });

  it('refuses a balance below zero even when written around the ledger', async () => {
    const accountId = await fundedAccount(engine.db, 10);
    await expect(
      engine.db.kysely
        .updateTable('accounts')
        .set({ balance_minor: sql`balance_minor - 11` })
        .where('id', '=', accountId)
        .execute(),
    ).rejects.toThrow();
  });

  it('the auditor finds an account whose balance disagrees with its entries', async () => {
    const db = engine.db;
    expect((await auditLedger(db)).mismatches).toEqual([]);
    const accountId = await fundedAccount(db, 1_000, 'tampered');
    await db.kysely.updateTable('accounts').set({ balance_minor: 1_001 }).where('id', '=', accountId).execute();
    const audit = await auditLedger(db);
    expect(audit.mismatches).toEqual([
      { problem: 'balance', accountId, detail: 'balance 1001 but entries add up to 1000' },
    ]);
    // Put it back so that the suite's other audits stay clean.
    await db.kysely.updateTable('accounts').set({ balance_minor: 1_000 }).where('id', '=', accountId).execute();
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
