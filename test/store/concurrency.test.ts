// Many sendings racing for one balance: exactly as many as it covers go through, and it ends at exactly zero.
import { expect, it } from 'vitest';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { createSending, listSendings } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { runStoreWorker } from '../support/processes.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../support/store-fixtures.js';

const ATTEMPTS = 50;
const AFFORDABLE = 17;
// Enough rows that each transaction lasts a few milliseconds and the racers really overlap.
const SHAPE = { recipients: 500, rateMinor: 4_397 };

describeEachEngine('concurrent sendings', (engine) => {
  async function expectExactlyAffordable(accountId: number, succeeded: number) {
    expect(succeeded).toBe(AFFORDABLE);
    expect(await getBalance(engine.db, accountId)).toBe(0);
    expect(await listSendings(engine.db, accountId, { page: 1, perPage: 100 })).toHaveLength(AFFORDABLE);
    const entries = await listEntries(engine.db, accountId, { page: 1, perPage: 100 });
    expect(entries.filter((e) => e.kind === 'reservation')).toHaveLength(AFFORDABLE);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  }

  it(`${ATTEMPTS} at once against a balance for ${AFFORDABLE}: exactly ${AFFORDABLE} succeed`, async () => {
    const accountId = await fundedAccount(engine.db, sendingTotalMinor(SHAPE) * AFFORDABLE);
    // Two connections (two pools of ten on PostgreSQL, so the transactions truly overlap; on SQLite two connections
    // to one file, whose writers take turns at BEGIN IMMEDIATE). The next test races separate processes.
    const other = await engine.open();
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        createSending(i % 2 ? other : engine.db, newSending(accountId, SHAPE)),
      ),
    );
    const refused = results.filter((r) => !r.ok);
    expect(refused.every((r) => r.reason === 'insufficient_balance')).toBe(true);
    await expectExactlyAffordable(accountId, results.length - refused.length);
  });

  it(`${ATTEMPTS} from five processes against a balance for ${AFFORDABLE}: exactly ${AFFORDABLE} succeed`, async () => {
    const accountId = await fundedAccount(engine.db, sendingTotalMinor(SHAPE) * AFFORDABLE);
    const perProcess = ATTEMPTS / 5;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        runStoreWorker<{ ok: number; insufficient: number }>([
          'sendings',
          engine.url,
          String(accountId),
          String(perProcess),
          String(SHAPE.recipients),
        ]),
      ),
    );
    expect(results.reduce((n, r) => n + r.ok + r.insufficient, 0)).toBe(ATTEMPTS);
    await expectExactlyAffordable(
      accountId,
      results.reduce((n, r) => n + r.ok, 0),
    );
  });
});
