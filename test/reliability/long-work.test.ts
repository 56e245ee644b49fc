// Long work (pricing, storing and cancelling a large sending) lets other requests of the process through meanwhile.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { createApiServices } from '../../src/services/api-services.js';
import type { AuthenticatedAccount } from '../../src/services/ports.js';
import type { Db } from '../../src/store/db.js';
import { auditLedger, credit, getBalance } from '../../src/store/ledger.js';
import { CANCEL_MESSAGES_PER_BATCH, cancelSending } from '../../src/store/sending-cancel.js';
import { createSending, findByIdempotencyKey, getSending } from '../../src/store/sendings.js';
import { routerWith } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { newSending } from '../support/store-fixtures.js';

/** Large enough to take many steps, small enough to keep the suite quick; the benchmark runs a million. */
const RECIPIENTS = 50_000;
/** Latvia Tele2 on the default price list: 0.041 a part. */
const RATE_MINOR = 410;

function latvianNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(37_120_000_000 + i));
}

/**
 * Starts `work`, and `probe` at the first turn of the event loop after it: which of the two finished first. Only the
 * order of events is compared: a `work` that never gives the loop a turn finishes before `probe` even starts.
 */
async function probeDuring(work: () => Promise<unknown>, probe: () => Promise<unknown>) {
  const order: string[] = [];
  let probed: Promise<unknown> = Promise.resolve();
  setImmediate(() => {
    probed = probe().then(() => order.push('probe'));
  });
  await work();
  order.push('work');
  await new Promise((resolve) => setImmediate(resolve));
  await probed;
  return order;
}

async function messagesByStatus(db: Db, sendingId: number): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('sending_id', '=', sendingId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function refundsOf(db: Db, sendingId: number): Promise<number[]> {
  const rows = await db.kysely
    .selectFrom('ledger_entries')
    .select('amount_minor')
    .where('sending_id', '=', sendingId)
    .where('kind', '=', 'refund')
    .execute();
  return rows.map((r) => Number(r.amount_minor));
}

describeEachEngine('long work and the event loop', (engine) => {
  let api: ApiApp;
  let services: ReturnType<typeof createApiServices>;
  const recipients = latvianNumbers(RECIPIENTS);
  const total = RECIPIENTS * RATE_MINOR;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    services = createApiServices({ db: engine.db, plan: loadNumberingPlan(), availableTypes: new Set(['default']) });
  });
  afterAll(() => api.close());

  async function holder(balance: string): Promise<{ account: ApiAccount; authenticated: AuthenticatedAccount }> {
    const account = await api.account({ balance });
    const authenticated = await services.authenticate(account.token);
    if (!authenticated || 'suspended' in authenticated) throw new Error('the new token does not authenticate');
    return { account, authenticated };
  }

  /** What GET /balance asks the database: the account with its balance, by the token. */
  const balanceRequest = (account: ApiAccount) => () => services.authenticate(account.token);

  it('answers a balance request while a large calculate is being priced', async () => {
    const { account, authenticated } = await holder('1');
    // More recipients than the other cases: pricing is all this request does, and on PostgreSQL the balance query
    // must come back from the server while it runs.
    const many = latvianNumbers(RECIPIENTS * 4);
    let priced = 0;
    const order = await probeDuring(async () => {
      const result = await services.calculate(authenticated, { message: 'Hi', recipients: many });
      if (result.ok) priced = result.quote.recipients.length;
    }, balanceRequest(account));
    expect(order).toEqual(['probe', 'work']);
    expect(priced).toBe(many.length);
  });

  it('answers a balance request while a large sending is created, and reserves exactly its total once', async () => {
    const { account, authenticated } = await holder('100000');
    const before = await getBalance(engine.db, account.id);
    let sendingId = 0;
    const order = await probeDuring(async () => {
      const created = await services.createSending(
        authenticated,
        { message: 'Hi', recipients, sender: 'MegaShop' },
        undefined,
      );
      if (!created.ok) throw new Error('the sending was refused');
      sendingId = created.sendingId;
    }, balanceRequest(account));
    expect(order).toEqual(['probe', 'work']);
    expect(await getBalance(engine.db, account.id)).toBe((before ?? 0) - total);
    expect(await messagesByStatus(engine.db, sendingId)).toEqual({ queued: RECIPIENTS });
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    // Not left for the worker of a later test to send.
    expect(await cancelSending(engine.db, sendingId)).toEqual({
      ok: true,
      refundedMinor: total,
      accountId: account.id,
    });
  });

  it('answers a balance request while a large sending is cancelled, and refunds it exactly once', async () => {
    const { account, authenticated } = await holder('100000');
    const before = await getBalance(engine.db, account.id);
    const created = await services.createSending(
      authenticated,
      { message: 'Hi', recipients, sender: 'MegaShop' },
      undefined,
    );
    if (!created.ok) throw new Error('the sending was refused');
    let refunded = 0;
    const order = await probeDuring(async () => {
      const result = await services.cancelSending(account.id, created.sendingId);
      if (result.ok) refunded = result.refundedMinor;
    }, balanceRequest(account));
    expect(order).toEqual(['probe', 'work']);
    expect(refunded).toBe(total);
    expect(await getBalance(engine.db, account.id)).toBe(before);
    expect(await refundsOf(engine.db, created.sendingId)).toEqual([total]);
    expect(await messagesByStatus(engine.db, created.sendingId)).toEqual({ cancelled: RECIPIENTS });
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('finishes a cancel whose process stopped part-way: the worker ends the rest, with no second refund', async () => {
    const account = await api.account();
    const shape = { recipients: CANCEL_MESSAGES_PER_BATCH * 3 + 7, rateMinor: RATE_MINOR };
    await credit(engine.db, account.id, shape.recipients * RATE_MINOR, 'top-up');
    const created = await createSending(engine.db, newSending(account.id, shape));
    if (!created.ok) throw new Error('the sending was refused');
    const sendingId = created.sending.id;

    // The process "dies" after the cancel's first batch of messages: later transactions of this handle fail.
    let transactions = 0;
    const dying: Db = {
      ...engine.db,
      transaction: (work, options) => {
        transactions++;
        if (transactions > 2) return Promise.reject(new Error('process stopped'));
        return engine.db.transaction(work, options);
      },
    };
    await expect(cancelSending(dying, sendingId, account.id)).rejects.toThrow('process stopped');
    expect((await getSending(engine.db, account.id, sendingId))?.status).toBe('Cancelled');
    expect(await messagesByStatus(engine.db, sendingId)).toEqual({
      cancelled: CANCEL_MESSAGES_PER_BATCH,
      queued: shape.recipients - CANCEL_MESSAGES_PER_BATCH,
    });
    expect(await getBalance(engine.db, account.id)).toBe(shape.recipients * RATE_MINOR);

    // A worker starting up finishes it, and leases none of its messages.
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(() => engine.db.nowUs()) });
    const round = await dispatcher.runOnce();
    expect(round.leased).toBe(0);
    expect(await messagesByStatus(engine.db, sendingId)).toEqual({ cancelled: shape.recipients });
    expect(await refundsOf(engine.db, sendingId)).toEqual([shape.recipients * RATE_MINOR]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('identifies a large request under an Idempotency-Key by the hash of its fields as one JSON text', async () => {
    const { account, authenticated } = await holder('100000');
    // Numbers as JSON numbers and strings, and a duplicate: the hash covers the request as sent.
    const sent = [...recipients.slice(0, RECIPIENTS / 2), Number(recipients[0]), recipients[1]];
    const fields = { message: 'Hi', recipients: sent, sender: 'MegaShop' };
    const created = await services.createSending(authenticated, fields, 'large-1');
    if (!created.ok) throw new Error('the sending was refused');
    const stored = await findByIdempotencyKey(engine.db, account.id, 'large-1');
    const canonical = JSON.stringify(['Hi', sent, 'MegaShop', null, null, null]);
    expect(stored?.requestSha256).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(await services.createSending(authenticated, fields, 'large-1')).toEqual({
      ok: true,
      sendingId: created.sendingId,
    });
    expect(await cancelSending(engine.db, created.sendingId)).toMatchObject({ ok: true });
  });

  it('runs no other request inside a large open transaction: a write made meanwhile survives its rollback', async () => {
    const { account } = await holder('100000');
    const before = (await getBalance(engine.db, account.id)) ?? 0;
    let topUp: Promise<unknown> = Promise.resolve();
    // The last row does not add up to the declared subtotal: the insert fails at the end and rolls back.
    const shape = { recipients: RECIPIENTS, rateMinor: RATE_MINOR, badRowAt: RECIPIENTS - 1, badParts: 2 };
    const sending = newSending(account.id, shape);
    const rows = sending.messages as Iterable<unknown>;
    let produced = 0;
    const watched = (function* () {
      for (const row of rows) {
        // Half-way through the insert, another request of the process credits the account.
        if (++produced === RECIPIENTS / 2) topUp = credit(engine.db, account.id, 12_345, 'top-up');
        yield row;
      }
    })();
    await expect(
      createSending(engine.db, { ...sending, messages: watched as typeof sending.messages }),
    ).rejects.toThrow(/do not match/);
    await topUp;
    expect(await getBalance(engine.db, account.id)).toBe(before + 12_345);
    const stored = await sql<{ n: number | string }>`
      select count(*) as n from sendings where account_id = ${account.id}`.execute(engine.db.kysely);
    expect(Number(stored.rows[0]?.n)).toBe(0);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });
});
