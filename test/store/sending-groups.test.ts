// Group commit: concurrent creates share transactions, and each one still answers as it would have alone.
import { expect, it } from 'vitest';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { createSendingGrouped } from '../../src/store/sending-groups.js';
import type { CreateSendingResult } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../support/store-fixtures.js';

describeEachEngine('group commit of sendings', (engine) => {
  for (const badRow of [false, true]) {
    it(`answers each of many concurrent creates as alone, refusals${badRow ? ' and a failure' : ''} rolled back alone`, async () => {
      const db = engine.db;
      const one = { recipients: 1, rateMinor: 450 };
      const cost = sendingTotalMinor(one);
      const rich = await fundedAccount(db, 100 * cost, 'rich');
      const other = await fundedAccount(db, 100 * cost, 'other');
      const poor = await fundedAccount(db, 2 * cost, 'poor');
      const key = (k: string) => ({ key: k, requestSha256: `sha-${k}` });

      const requests: { account: number; what: string; promise: Promise<CreateSendingResult> }[] = [];
      const fire = (account: number, what: string, shape: Parameters<typeof newSending>[1]) =>
        requests.push({ account, what, promise: createSendingGrouped(db, newSending(account, shape)) });
      for (let i = 0; i < 40; i++) {
        fire(rich, 'plain', one);
        fire(other, 'plain', { ...one, recipients: 2 });
        if (i < 3) fire(poor, 'poor', one);
        if (badRow && i === 5) fire(rich, 'bad row', { ...one, recipients: 3, badRowAt: 1, badParts: 0 });
        if (i === 7 || i === 8) fire(rich, 'key a', { ...one, idempotency: key('a') });
        if (i === 9 || i === 30) fire(other, 'key b', { ...one, idempotency: key('b') });
      }
      const answers = await Promise.all(
        requests.map(async (r) => ({
          ...r,
          answer: await r.promise.then(
            (a) => a,
            (e: unknown) => e,
          ),
        })),
      );
      const of = (what: string) => answers.filter((a) => a.what === what).map((a) => a.answer);

      expect(of('plain').every((a) => (a as CreateSendingResult).ok)).toBe(true);
      const poor3 = of('poor') as CreateSendingResult[];
      expect(poor3.filter((a) => a.ok)).toHaveLength(2);
      expect(poor3.filter((a) => !a.ok && a.reason === 'insufficient_balance')).toHaveLength(1);
      if (badRow) expect(of('bad row')[0]).toBeInstanceOf(Error);
      for (const what of ['key a', 'key b']) {
        const [first, second] = of(what) as CreateSendingResult[];
        const created = [first, second].find((a) => a?.ok);
        const replayed = [first, second].find((a) => a && !a.ok);
        if (!created?.ok || replayed?.ok !== false || replayed.reason !== 'idempotency_key_used') {
          throw new Error(`${what}: ${JSON.stringify([first, second])}`);
        }
        expect(replayed.sending.id).toBe(created.sending.id);
      }

      // Sending ids distinct; balances exact: 40 + 1 (key a) on rich, 40 × 2 + 1 (key b) on other, 2 on poor.
      const ids = answers.flatMap((a) => {
        const answer = a.answer as CreateSendingResult;
        return answer.ok ? [answer.sending.id] : [];
      });
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40 + 1 + 40 + 1 + 2);
      expect(await getBalance(db, rich)).toBe(100 * cost - 41 * cost);
      expect(await getBalance(db, other)).toBe(100 * cost - 81 * cost);
      expect(await getBalance(db, poor)).toBe(0);
      expect((await auditLedger(db)).mismatches).toEqual([]);
      const { count } = db.kysely.fn;
      const stored = await db.kysely
        .selectFrom('sendings')
        .select([count<string>('id').as('sendings'), count<string>('created_at_us').distinct().as('transactions')])
        .where('account_id', 'in', [rich, other, poor])
        .executeTakeFirstOrThrow();
      expect(Number(stored.sendings)).toBe(ids.length);
      // Grouped: far fewer commit times than sendings (each group's creates share its transaction's time).
      expect(Number(stored.transactions)).toBeLessThan(ids.length / 4);
      const messages = await db.kysely
        .selectFrom('messages')
        .innerJoin('sendings', 'sendings.id', 'messages.sending_id')
        .select(count<string>('messages.id').as('n'))
        .where('sendings.account_id', 'in', [rich, other, poor])
        .executeTakeFirstOrThrow();
      expect(Number(messages.n)).toBe(41 + 81 + 2);
    });
  }

  it('commits in one transaction the creates that arrive in one turn, each from its own callback', async () => {
    // As requests read from their sockets in one poll: each handler runs in its own callback, and the first one's
    // transaction, on SQLite, would otherwise run to its commit before the next handler ran.
    const db = engine.db;
    const one = { recipients: 1, rateMinor: 450 };
    const account = await fundedAccount(db, 50 * sendingTotalMinor(one), 'one turn');
    const creates = 24;
    const answers = await new Promise<CreateSendingResult[]>((done, fail) => {
      const pending: Promise<CreateSendingResult>[] = [];
      for (let i = 0; i < creates; i++) {
        setImmediate(() => {
          pending.push(createSendingGrouped(db, newSending(account, one)));
          if (pending.length === creates) Promise.all(pending).then(done, fail);
        });
      }
    });
    expect(answers.every((a) => a.ok)).toBe(true);
    const { count } = db.kysely.fn;
    const stored = await db.kysely
      .selectFrom('sendings')
      .select([count<string>('id').as('sendings'), count<string>('created_at_us').distinct().as('transactions')])
      .where('account_id', '=', account)
      .executeTakeFirstOrThrow();
    expect(Number(stored.sendings)).toBe(creates);
    // Each group's creates share its transaction's time: one time, one transaction.
    expect(Number(stored.transactions)).toBe(1);
    expect(await getBalance(db, account)).toBe(50 * sendingTotalMinor(one) - creates * sendingTotalMinor(one));
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
