// Group commit: concurrent creates share transactions, and each one still answers as it would have alone.
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Db, ExecutedQuery } from '../../src/store/db.js';
import { auditLedger, getBalance } from '../../src/store/ledger.js';
import { createSendingGrouped } from '../../src/store/sending-groups.js';
import { type CreateSendingResult, storeSending } from '../../src/store/sendings.js';
import { describeEachEngine } from '../support/databases.js';
import { signal } from '../support/signal.js';
import { fundedAccount, newSending, sendingTotalMinor } from '../support/store-fixtures.js';

describeEachEngine('group commit of sendings', (engine) => {
  let recorded: Db;
  let recording: ExecutedQuery[] | null = null;
  beforeAll(async () => {
    recorded = await engine.open({ onQuery: (query) => recording?.push(query) });
  });
  /** The answers of creates fired in one turn (one group), and the statements their group sent. */
  const oneGroup = async (creates: readonly [number, Parameters<typeof newSending>[1]][]) => {
    recording = [];
    const answers = await Promise.all(
      creates.map(([account, shape]) => createSendingGrouped(recorded, newSending(account, shape))),
    );
    const statements = recording.map((q) => q.sql);
    recording = null;
    return { answers, statements };
  };
  const messagesOf = async (account: number) => {
    const row = await engine.db.kysely
      .selectFrom('messages')
      .innerJoin('sendings', 'sendings.id', 'messages.sending_id')
      .select(engine.db.kysely.fn.count<string>('messages.id').as('n'))
      .where('sendings.account_id', '=', account)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  it('commits a group of one-recipient creates in four statements on PostgreSQL, of one account or of two', async () => {
    const one = { recipients: 1, rateMinor: 450 };
    const cost = sendingTotalMinor(one);
    const first = await fundedAccount(engine.db, 20 * cost, 'trips one');
    const second = await fundedAccount(engine.db, 20 * cost, 'trips two');

    const alone = await oneGroup(Array.from({ length: 8 }, () => [first, one] as const));
    const both = await oneGroup(Array.from({ length: 8 }, (_, i) => [i % 2 ? second : first, one] as const));

    for (const { answers, statements } of [alone, both]) {
      expect(answers.every((a) => a.ok)).toBe(true);
      // begin, the accounts locked with their balances read, the group's writes, commit.
      if (engine.name === 'postgres') expect(statements).toHaveLength(4);
    }
    const balances = both.answers.map((a) => (a.ok ? a.balanceMinor : null));
    expect(balances).toEqual([11, 19, 10, 18, 9, 17, 8, 16].map((n) => n * cost));
    expect(await getBalance(engine.db, first)).toBe(8 * cost);
    expect(await getBalance(engine.db, second)).toBe(16 * cost);
    expect(await messagesOf(first)).toBe(12);
    expect(await messagesOf(second)).toBe(4);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('refuses in a group as alone: balance short mid-group, daily and monthly caps reached, a key used before and twice, a key expired', async () => {
    const one = { recipients: 1, rateMinor: 450 };
    const cost = sendingTotalMinor(one);
    const poor = await fundedAccount(engine.db, 2 * cost, 'trips poor');
    const capped = await fundedAccount(engine.db, 10 * cost, 'trips capped');
    await engine.db.kysely
      .updateTable('accounts')
      .set({ daily_spend_limit_minor: 2 * cost })
      .where('id', '=', capped)
      .execute();
    const monthly = await fundedAccount(engine.db, 10 * cost, 'trips monthly');
    await engine.db.kysely
      .updateTable('accounts')
      .set({ monthly_spend_limit_minor: 2 * cost })
      .where('id', '=', monthly)
      .execute();
    expect((await createSendingGrouped(engine.db, newSending(monthly, one))).ok).toBe(true);
    const keyed = await fundedAccount(engine.db, 10 * cost, 'trips keyed');
    const key = (k: string) => ({ ...one, idempotency: { key: k, requestSha256: `sha-${k}` } });
    const before = await createSendingGrouped(engine.db, newSending(keyed, key('old')));
    const stale = await createSendingGrouped(engine.db, newSending(keyed, key('stale')));
    if (!before.ok || !stale.ok) throw new Error(JSON.stringify([before, stale]));
    // Its key expired: a day and an hour ago.
    await engine.db.kysely
      .updateTable('sendings')
      .set({ created_at_us: engine.db.nowUs() - 25 * 3600 * 1e6 })
      .where('id', '=', stale.sending.id)
      .execute();

    const { answers, statements } = await oneGroup([
      [poor, one],
      [capped, one],
      [keyed, key('old')],
      [poor, one],
      [keyed, key('new')],
      [capped, one],
      [poor, one],
      [capped, one],
      [keyed, key('new')],
      [keyed, one],
      [keyed, key('stale')],
      [monthly, one],
      [monthly, one],
    ]);
    // The refusals were decided within the group: it was not undone to run its creates one savepoint each.
    expect(statements.filter((q) => /sending_create/.test(q))).toEqual([]);
    // begin, the expired keys forgotten, the accounts locked and read, the spend of each capped account (read after
    // the lock: a statement of its own sees what was committed while it waited), the keys looked up, the group's
    // writes, commit: a statement for all keys, not one per key.
    if (engine.name === 'postgres') expect(statements).toHaveLength(8);
    const outcome = (a: CreateSendingResult) => (a.ok ? ['ok', a.balanceMinor / cost] : [a.reason]);
    expect(answers.map(outcome)).toEqual([
      ['ok', 1],
      ['ok', 9],
      ['idempotency_key_used'],
      ['ok', 0],
      ['ok', 7],
      ['ok', 8],
      ['insufficient_balance'],
      ['spend_limit'],
      ['idempotency_key_used'],
      ['ok', 6],
      ['ok', 5],
      ['ok', 8],
      ['spend_limit'],
    ]);
    const sendingIdOf = (a: CreateSendingResult | undefined) => (a && 'sending' in a ? a.sending?.id : undefined);
    expect(sendingIdOf(answers[2])).toBe(before.sending.id);
    expect(sendingIdOf(answers[8])).toBe(sendingIdOf(answers[4]));
    expect(sendingIdOf(answers[10])).toBeGreaterThan(stale.sending.id);
    expect(answers[6]).toMatchObject({ reason: 'insufficient_balance', balanceMinor: 0, requiredMinor: cost });
    expect(answers[7]).toMatchObject({ reason: 'spend_limit', period: 'daily', spentMinor: 2 * cost });
    expect(answers[12]).toMatchObject({ reason: 'spend_limit', period: 'monthly', spentMinor: 2 * cost });
    expect(await getBalance(engine.db, monthly)).toBe(8 * cost);
    expect(await getBalance(engine.db, poor)).toBe(0);
    expect(await getBalance(engine.db, capped)).toBe(8 * cost);
    expect(await getBalance(engine.db, keyed)).toBe(5 * cost);
    expect([await messagesOf(poor), await messagesOf(capped), await messagesOf(keyed)]).toEqual([2, 2, 5]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it.skipIf(engine.name !== 'postgres')(
    'counts against a cap the create committed elsewhere while the group waited for its account',
    async () => {
      const one = { recipients: 1, rateMinor: 450 };
      const cost = sendingTotalMinor(one);
      const account = await fundedAccount(engine.db, 10 * cost, 'trips raced');
      await engine.db.kysely
        .updateTable('accounts')
        .set({ daily_spend_limit_minor: 2 * cost })
        .where('id', '=', account)
        .execute();
      const elsewhere = await engine.open();
      const released = signal();
      const reserved = signal();
      // Another process's create: its reservation written, its transaction (and the account's lock) held open.
      const first = elsewhere.transaction(async (trx) => {
        const result = await storeSending(trx, 'postgres', elsewhere.nowUs(), newSending(account, one), false);
        reserved.fire();
        await released.fired;
        return result;
      });
      await reserved.fired;
      recording = [];
      const group = Promise.all([1, 2].map(() => createSendingGrouped(recorded, newSending(account, one))));
      // The group waits for the account's lock until the other create commits.
      for (;;) {
        const { rows } = await sql<{ n: string }>`
          select count(*) as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(engine.db.kysely);
        if (Number(rows[0]?.n) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      released.fire();
      expect((await first).ok).toBe(true);
      const answers = await group;
      // Decided within the group, from the balance and spend read once the lock was granted.
      expect(recording.filter((q) => /sending_create/.test(q.sql))).toEqual([]);
      recording = null;
      expect(answers.map((a) => (a.ok ? 'ok' : a.reason))).toEqual(['ok', 'spend_limit']);
      expect(answers[0]).toMatchObject({ balanceMinor: 8 * cost });
      expect(answers[1]).toMatchObject({ period: 'daily', spentMinor: 2 * cost });
      expect(await getBalance(engine.db, account)).toBe(8 * cost);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    },
  );

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
