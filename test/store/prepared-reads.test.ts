// Prepared reads: built and compiled once per database, then run with each call's values; they read what is
// committed, and a read whose text would depend on an argument's value is refused when it is first made.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { preparedRead } from '../../src/store/prepared-reads.js';
import { addSender, findUsableSender } from '../../src/store/senders.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

const balanceOf = preparedRead((db: Db, accountId: number, floor: number) =>
  db.kysely
    .selectFrom('accounts')
    .select(['id', 'balance_minor'])
    .where('id', '=', accountId)
    .where('balance_minor', '>=', floor)
    .where('currency', 'in', ['GBP', 'EUR', 'USD'])
    .compile(),
);

describeEachEngine('prepared reads', (engine) => {
  it("runs the text compiled once with each call's values, and sees what is committed", async () => {
    const db = engine.db;
    const first = await fundedAccount(db, 1_000, 'first');
    const second = await fundedAccount(db, 5_000, 'second');
    expect((await balanceOf(db, first, 0)).map((row) => Number(row.balance_minor))).toEqual([1_000]);
    expect((await balanceOf(db, second, 0)).map((row) => Number(row.balance_minor))).toEqual([5_000]);
    expect(await balanceOf(db, second, 5_001)).toEqual([]);
    await db.transaction(async (trx) => {
      await sql`update accounts set balance_minor = 7000 where id = ${first}`.execute(trx);
    });
    expect((await balanceOf(db, first, 0)).map((row) => Number(row.balance_minor))).toEqual([7_000]);
  });

  it('is compiled per database: another database gets its own text and rows', async () => {
    const other = await engine.open();
    const account = await fundedAccount(engine.db, 2_500, 'per database');
    expect((await balanceOf(other, account, 0)).map((row) => Number(row.balance_minor))).toEqual([2_500]);
    await other.close();
  });

  it('refuses a read that uses an argument other than as a value', async () => {
    const shaped = preparedRead((db: Db, column: string) =>
      db.kysely
        .selectFrom('accounts')
        .select(sql.ref(typeof column === 'string' ? column : 'id').as('x'))
        .compile(),
    );
    await expect(async () => shaped(engine.db, 'name')).rejects.toThrow(/uses 0 of its 1 arguments/);
  });

  it("finds the sender a sending may use through one: the account's own before the platform's", async () => {
    const db = engine.db;
    const account = await fundedAccount(db, 100, 'sender');
    await addSender(db, null, 'Shared', 'approved');
    await addSender(db, account, 'Shared', 'approved');
    await addSender(db, account, 'Waiting', 'pending');
    expect((await findUsableSender(db, account, 'Shared'))?.accountId).toBe(account);
    expect(await findUsableSender(db, account, 'Waiting')).toBeUndefined();
    expect((await findUsableSender(db, account + 1_000, 'Shared'))?.accountId).toBeNull();
  });
});
