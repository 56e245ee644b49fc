// db.readFirst, the short path of the per-request token lookup: it reads what is committed, never the uncommitted
// writes of a transaction open on the same connection, and sees a commit of another connection at once.
import { expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/databases.js';
import { signal } from '../support/signal.js';
import { fundedAccount } from '../support/store-fixtures.js';

/**
 * A transaction that has set the account's balance to 1 and holds it uncommitted until `release`, then rolls back
 * (`transaction` rejects with "rolled back"). Resolves once the write is made.
 */
async function uncommittedBalance(db: Db, id: number): Promise<{ release: () => void; transaction: Promise<void> }> {
  const released = signal();
  const written = signal();
  const transaction = db.transaction(async (trx) => {
    await trx.updateTable('accounts').set({ balance_minor: 1 }).where('id', '=', id).execute();
    written.fire();
    await released.fired;
    throw new Error('rolled back');
  });
  await written.fired;
  return { release: released.fire, transaction };
}

describeEachEngine('readFirst', (engine) => {
  const balanceQuery = (id: number) =>
    engine.db.kysely.selectFrom('accounts').select('balance_minor').where('id', '=', id).compile();

  it("does not read a transaction's uncommitted writes, and reads another connection's commit at once", async () => {
    const db = engine.db;
    const id = await fundedAccount(db, 5_000);
    const query = balanceQuery(id);
    const { release, transaction } = await uncommittedBalance(db, id);
    const during = db.readFirst<{ balance_minor: number | string }>(query.sql, query.parameters);
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(Number((await during)?.balance_minor)).toBe(5_000);

    const other = await engine.open();
    await other.kysely.updateTable('accounts').set({ balance_minor: 7_000 }).where('id', '=', id).execute();
    const after = await db.readFirst<{ balance_minor: number | string }>(query.sql, query.parameters);
    expect(Number(after?.balance_minor)).toBe(7_000);
    expect(await db.readFirst(query.sql, [id + 1_000])).toBeUndefined();
  });
});

describeEachEngine('readFirstValues', (engine) => {
  it('gives the first row as its values in the order selected, from committed data only, and undefined for none', async () => {
    const db = engine.db;
    const id = await fundedAccount(db, 5_000);
    const query = engine.db.kysely
      .selectFrom('accounts')
      .select(['currency', 'balance_minor', 'id', 'suspended_at_us'])
      .where('id', '=', id)
      .compile();
    const read = async () => {
      const values = await db.readFirstValues(query.sql, query.parameters);
      return values?.map((value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));
    };
    expect(await read()).toEqual(['GBP', 5_000, id, null]);

    const { release, transaction } = await uncommittedBalance(db, id);
    const during = read();
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(await during).toEqual(['GBP', 5_000, id, null]);

    const other = await engine.open();
    await other.kysely.updateTable('accounts').set({ balance_minor: 7_000 }).where('id', '=', id).execute();
    expect(await read()).toEqual(['GBP', 7_000, id, null]);
    expect(await db.readFirstValues(query.sql, [id + 1_000])).toBeUndefined();
  });
});
