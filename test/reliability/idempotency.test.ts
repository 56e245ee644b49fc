// Idempotency-Key on POST /sendings under concurrency, across two servers on one database, across accounts, and
// across its 24-hour window (an injected clock): one key, one sending, one reservation, one answer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { auditLedger, credit, getBalance } from '../../src/store/ledger.js';
import { IDEMPOTENCY_KEY_TTL_MS } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, openAccount, startApiApp } from '../support/http-app.js';

/** Requests racing with one key: enough to overlap inside both servers' transactions. */
const RACERS = 40;
/** Rounds of two racing retries at a balance for exactly one sending: the race was lost in most rounds. */
const LOW_BALANCE_TRIALS = 20;
const RECIPIENTS = ['37120000000', '37120000001', '37120000002'];
const BODY = { message: 'Your order has shipped', recipients: RECIPIENTS, sender: 'MegaShop' };
const REFUSED_KEY = 'The Idempotency-Key was already used with a different request.';

interface Answer {
  readonly status: number;
  readonly body: { sending_id?: number; message?: string; errors?: Record<string, string[]> };
}

async function post(baseUrl: string, account: ApiAccount, body: object, key?: string): Promise<Answer> {
  const res = await fetch(`${baseUrl}/sendings`, {
    method: 'POST',
    headers: {
      ...account.headers,
      'content-type': 'application/json',
      ...(key !== undefined && { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The account's sendings as stored, with their reservations (kind, amount) from the ledger. */
async function stored(db: Db, accountId: number) {
  const sendings = await db.kysely
    .selectFrom('sendings')
    .select(['id', 'total_minor', 'recipients_count', 'idempotency_key'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
  const reservations = await db.kysely
    .selectFrom('ledger_entries')
    .select(['sending_id', 'amount_minor'])
    .where('account_id', '=', accountId)
    .where('kind', '=', 'reservation')
    .orderBy('id')
    .execute();
  const messages = await db.kysely
    .selectFrom('messages')
    .innerJoin('sendings', 'sendings.id', 'messages.sending_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('sendings.account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return {
    sendings: sendings.map((s) => ({
      id: Number(s.id),
      totalMinor: Number(s.total_minor),
      recipients: Number(s.recipients_count),
      key: s.idempotency_key,
    })),
    reservations: reservations.map((r) => ({ sendingId: Number(r.sending_id), amountMinor: Number(r.amount_minor) })),
    messages: Number(messages.n),
  };
}

describeEachEngine('Idempotency-Key on POST /sendings', (engine) => {
  let first: ApiApp;
  let second: ApiApp;
  /** Two servers, each with its own connection (pool), on one database: a client's retries may land on either. */
  let urls: [string, string];

  beforeAll(async () => {
    first = await startApiApp(engine.db);
    second = await startApiApp(await engine.open());
    urls = [await first.listen(), await second.listen()];
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  const balance = async (account: ApiAccount) => getBalance(engine.db, account.id);

  it('answers concurrent requests with one key and body with one sending, one reservation, one id', async () => {
    const account = await first.account({ balance: '100' });
    const before = await balance(account);
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => post(urls[i % 2] as string, account, BODY, 'order-1')),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    const ids = new Set(answers.map((a) => a.body.sending_id));
    expect(ids.size).toBe(1);
    const [id] = ids;

    const { sendings, reservations, messages } = await stored(engine.db, account.id);
    expect(sendings).toEqual([{ id, totalMinor: expect.any(Number), recipients: 3, key: 'order-1' }]);
    const total = sendings[0]?.totalMinor ?? 0;
    expect(total).toBeGreaterThan(0);
    expect(reservations).toEqual([{ sendingId: id, amountMinor: -total }]);
    expect(messages).toBe(RECIPIENTS.length);
    expect(await balance(account)).toBe((before ?? 0) - total);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('gives both of two racing retries the first answer when the balance covers only one sending', async () => {
    // What one sending of BODY costs, learnt from an account of its own.
    const probe = await first.account({ balance: '100' });
    expect((await post(urls[0], probe, BODY)).status).toBe(200);
    const total = (await stored(engine.db, probe.id)).sendings[0]?.totalMinor ?? 0;
    expect(total).toBeGreaterThan(0);
    for (let trial = 0; trial < LOW_BALANCE_TRIALS; trial++) {
      const account = await first.account();
      const funded = await credit(engine.db, account.id, total);
      expect(funded.ok).toBe(true);
      const key = `low-balance-${trial}`;
      const answers = await Promise.all([post(urls[0], account, BODY, key), post(urls[1], account, BODY, key)]);
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]?.status).toBe(200);
      const { sendings, reservations } = await stored(engine.db, account.id);
      expect(sendings.map((s) => s.id)).toEqual([answers[0]?.body.sending_id]);
      expect(reservations).toEqual([{ sendingId: answers[0]?.body.sending_id, amountMinor: -total }]);
      expect(await balance(account)).toBe(0);
    }
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('lets exactly one of concurrent different bodies under one key through and refuses the others', async () => {
    const account = await first.account({ balance: '100' });
    const bodies = Array.from({ length: 12 }, (_, i) => ({ ...BODY, message: `Variant ${i}` }));
    const answers = await Promise.all(bodies.map((body, i) => post(urls[i % 2] as string, account, body, 'shared')));
    const accepted = answers.filter((a) => a.status === 200);
    expect(accepted).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(refused).toEqual({
        status: 422,
        body: { message: REFUSED_KEY, errors: { 'Idempotency-Key': [REFUSED_KEY] } },
      });
    }
    const { sendings, reservations } = await stored(engine.db, account.id);
    expect(sendings.map((s) => s.id)).toEqual([accepted[0]?.body.sending_id]);
    expect(reservations).toHaveLength(1);
    // The stored sending is the winner's own body, and replaying that body answers with it.
    const winner = answers.indexOf(accepted[0] as Answer);
    const replay = await post(urls[1], account, bodies[winner] as object, 'shared');
    expect(replay).toEqual(accepted[0]);
  });

  it("keeps one account's key apart from another's, even when both race with it", async () => {
    const a = await first.account({ balance: '100' });
    const b = await first.account({ balance: '100' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(urls[i % 2] as string, i < 10 ? a : b, BODY, 'same-key')),
    );
    expect(new Set(answers.map((x) => x.status))).toEqual(new Set([200]));
    const idsOfA = new Set(answers.slice(0, 10).map((x) => x.body.sending_id));
    const idsOfB = new Set(answers.slice(10).map((x) => x.body.sending_id));
    expect(idsOfA.size).toBe(1);
    expect(idsOfB.size).toBe(1);
    expect([...idsOfA][0]).not.toBe([...idsOfB][0]);
    for (const [account, ids] of [
      [a, idsOfA],
      [b, idsOfB],
    ] as const) {
      const { sendings, reservations } = await stored(engine.db, account.id);
      expect(sendings.map((s) => s.id)).toEqual([...ids]);
      expect(reservations).toHaveLength(1);
      // Each account sees its own sending, and the other's id is no sending of its own.
      const other = account === a ? [...idsOfB][0] : [...idsOfA][0];
      const foreign = await fetch(`${urls[0]}/sendings/${other}`, { headers: account.headers });
      expect(foreign.status).toBe(404);
    }
  });

  it('replays the first answer after the sending moved on (cancelled), creating and charging nothing', async () => {
    const account = await first.account({ balance: '100' });
    const later = { ...BODY, scheduled_at: '2199-01-01 00:00:00' };
    const created = await post(urls[0], account, later, 'cancel-then-retry');
    expect(created.status).toBe(200);
    const cancelled = await fetch(`${urls[1]}/sendings/${created.body.sending_id}/cancel`, {
      method: 'POST',
      headers: account.headers,
    });
    expect(cancelled.status).toBe(200);
    const afterCancel = await balance(account);
    expect(await post(urls[1], account, later, 'cancel-then-retry')).toEqual(created);
    expect(await balance(account)).toBe(afterCancel);
    expect((await stored(engine.db, account.id)).sendings).toHaveLength(1);
  });

  it('forgets a key after 24 hours: the same request then makes a new sending, charged once more', async () => {
    let nowUs = Date.UTC(2031, 0, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const clocked = await startApiApp(db);
    try {
      const url = await clocked.listen();
      const account = await openAccount(db, { balance: '100' });
      const start = await balance(account);
      const firstAnswer = await post(url, account, BODY, 'daily-report');
      expect(firstAnswer.status).toBe(200);
      const total = (await stored(engine.db, account.id)).sendings[0]?.totalMinor ?? 0;

      // One second before the window closes: the same answer, and a different body is still refused.
      nowUs += IDEMPOTENCY_KEY_TTL_MS * US_PER_MS - 1_000_000;
      expect(await post(url, account, BODY, 'daily-report')).toEqual(firstAnswer);
      expect((await post(url, account, { ...BODY, message: 'Other' }, 'daily-report')).status).toBe(422);
      expect(await balance(account)).toBe((start ?? 0) - total);

      // The window has closed: a new sending under the same key, and from then on that one is the answer.
      nowUs += 1_000_000;
      const secondAnswer = await post(url, account, BODY, 'daily-report');
      expect(secondAnswer.status).toBe(200);
      expect(secondAnswer.body.sending_id).not.toBe(firstAnswer.body.sending_id);
      expect(await post(url, account, BODY, 'daily-report')).toEqual(secondAnswer);
      expect(await balance(account)).toBe((start ?? 0) - 2 * total);

      const { sendings, reservations } = await stored(engine.db, account.id);
      expect(sendings.map((s) => [s.id, s.key])).toEqual([
        [firstAnswer.body.sending_id, null],
        [secondAnswer.body.sending_id, 'daily-report'],
      ]);
      expect(reservations.map((r) => r.sendingId)).toEqual(sendings.map((s) => s.id));

      // After another day a different body under the key is a new request, not a conflict.
      nowUs += IDEMPOTENCY_KEY_TTL_MS * US_PER_MS;
      const third = await post(url, account, { ...BODY, message: 'A new day' }, 'daily-report');
      expect(third.status).toBe(200);
      expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    } finally {
      await clocked.close();
    }
  });
});
