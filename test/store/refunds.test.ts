// Refunds through the production paths (settlement, cancel) never give back more than a sending reserved, nor what a
// provider accepted, however often they are attempted; and the auditor finds a refund written around the guard.
import { expect, it } from 'vitest';
import { dispatchRefundMinor } from '../../src/domain/status.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { auditLedger, getBalance, listEntries, postEntry, refundSending } from '../../src/store/ledger.js';
import { listMessages } from '../../src/store/messages.js';
import { applyReports } from '../../src/store/reports.js';
import { cancelSending } from '../../src/store/sending-cancel.js';
import { createSending, type Sending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { numberEndingWith, RATE_MINOR, type SendingOptions, sendingTo, statusOf } from '../dispatch/support.js';
import { describeEachEngine, type Engine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const LEASE_US = 60_000 * US_PER_MS;
/** Tax makes the dispatch refund carry a share of it, so what is kept differs from the accepted cost. */
const WITH_TAX = { taxMinor: 101 };

/** A sending to `n` numbers on a fresh account holding exactly its total, with all its messages leased by `workerId`. */
async function leasedSending(engine: Engine, n: number, workerId: string, options: SendingOptions = WITH_TAX) {
  const recipients = Array.from({ length: n }, (_, i) => numberEndingWith('0009', i));
  const accountId = await fundedAccount(engine.db, sendingTo(0, recipients, options).totalMinor);
  const created = await createSending(engine.db, sendingTo(accountId, recipients, options));
  if (!created.ok) throw new Error(created.reason);
  const messages = [];
  for (;;) {
    const lease = await leaseDueMessages(
      engine.db,
      { workerId, nowUs: engine.db.nowUs(), leaseUs: LEASE_US, limit: 100 },
      SANDBOX_ONLY,
    );
    if (lease.messages.length === 0) break;
    messages.push(...lease.messages.filter((m) => m.sendingId === created.sending.id));
  }
  expect(messages).toHaveLength(n);
  return { accountId, sending: created.sending as Sending, messages };
}

/** The dispatch refund of `sending` when what providers accepted of it cost `acceptedCostMinor`. */
function refundFor(sending: Sending, acceptedCostMinor: number): number {
  return dispatchRefundMinor({ subtotalMinor: sending.subtotalMinor, taxMinor: sending.taxMinor, acceptedCostMinor });
}

describeEachEngine('refunds', (engine) => {
  it('settles a failed sending once: recording its outcomes again, cancelling, or refunding more moves nothing', async () => {
    const { accountId, sending, messages } = await leasedSending(engine, 3, 'settle-twice');
    const failed = { final: messages.map((m) => ({ id: m.id, status: 'failed' as const, error: 'no route' })) };
    const now = () => ({ workerId: 'settle-twice', nowUs: engine.db.nowUs() });
    expect(await recordOutcomes(engine.db, now(), failed)).toEqual({ recorded: 3, notHeld: 0 });
    expect(await getBalance(engine.db, accountId)).toBe(sending.totalMinor);

    // The same outcomes again (a worker retrying after a lost answer), twice at once.
    const again = await Promise.all([
      recordOutcomes(engine.db, now(), failed),
      recordOutcomes(engine.db, now(), failed),
    ]);
    expect(again).toEqual([
      { recorded: 0, notHeld: 3 },
      { recorded: 0, notHeld: 3 },
    ]);
    expect(await cancelSending(engine.db, sending.id, accountId)).toEqual({
      ok: false,
      reason: 'not_pending',
      status: 'Failed',
    });
    const dispatchKey = {
      accountId,
      sendingId: sending.id,
      settlementKey: 'dispatch',
      amountMinor: sending.totalMinor,
    };
    expect(await refundSending(engine.db, dispatchKey)).toMatchObject({ ok: false, reason: 'already_refunded' });
    await expect(refundSending(engine.db, { ...dispatchKey, settlementKey: 'more', amountMinor: 1 })).rejects.toThrow(
      /exceeds what remains reserved/,
    );

    expect(await getBalance(engine.db, accountId)).toBe(sending.totalMinor);
    const refunds = (await listEntries(engine.db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([['dispatch', sending.totalMinor]]);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('cancels once: a second cancel, at once or later, refunds nothing more', async () => {
    const recipients = [numberEndingWith('0009', 1), numberEndingWith('0009', 2)];
    const later = { scheduledAtUs: engine.db.nowUs() + 3600 * 1_000_000, taxMinor: 55 };
    const accountId = await fundedAccount(engine.db, sendingTo(0, recipients, later).totalMinor);
    const created = await createSending(engine.db, sendingTo(accountId, recipients, later));
    if (!created.ok) throw new Error(created.reason);
    const other = await engine.open();
    const results = await Promise.all([
      cancelSending(engine.db, created.sending.id, accountId),
      cancelSending(other, created.sending.id, accountId),
    ]);
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, refundedMinor: created.sending.totalMinor, accountId }]);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'not_pending', status: 'Cancelled' }]);
    expect(await getBalance(engine.db, accountId)).toBe(created.sending.totalMinor);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('refuses a refund that would give back a message a provider accepted, though the reservation covers it', async () => {
    const { accountId, sending, messages } = await leasedSending(engine, 2, 'half-accepted');
    const [accepted, refused] = messages;
    if (!accepted || !refused) throw new Error('two messages were leased');
    await recordOutcomes(
      engine.db,
      { workerId: 'half-accepted', nowUs: engine.db.nowUs() },
      {
        accepted: [{ id: accepted.id, providerMessageId: 'p-1', nextPollAtUs: engine.db.nowUs() + LEASE_US }],
        final: [{ id: refused.id, status: 'rejected', error: 'refused' }],
      },
    );
    const settled = (await listEntries(engine.db, accountId)).filter((e) => e.kind === 'refund');
    expect(settled).toHaveLength(1);
    const keptMinor = sending.totalMinor - (settled[0]?.amountMinor ?? 0);
    expect(keptMinor).toBeGreaterThan(0);
    // What is left reserved would cover it, but it is what the accepted message costs.
    await expect(
      refundSending(engine.db, { accountId, sendingId: sending.id, settlementKey: 'goodwill', amountMinor: keptMinor }),
    ).rejects.toThrow(/would give back messages a provider accepted/);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('charges a message the SMSC took only some parts of for those parts, and refunds the rest at settlement', async () => {
    // 3 parts each, with tax: the refund carries the tax share of the parts not taken.
    const options = { parts: 3, taxMinor: 2_671 };
    const { accountId, sending, messages } = await leasedSending(engine, 2, 'parts-taken', options);
    const [whole, partial] = messages;
    if (!whole || !partial) throw new Error('two messages were leased');
    const nowUs = engine.db.nowUs();
    await recordOutcomes(
      engine.db,
      { workerId: 'parts-taken', nowUs },
      {
        accepted: [{ id: whole.id, providerMessageId: 'whole-1', nextPollAtUs: nowUs + LEASE_US }],
        final: [
          {
            id: partial.id,
            status: 'rejected',
            error: 'smpp: submit_sm refused 0x00000045 (2 of 3 parts accepted)',
            partsTaken: 2,
            providerMessageId: 'partial-1',
          },
        ],
      },
    );
    const acceptedCostMinor = RATE_MINOR * 3 + RATE_MINOR * 2;
    const refundMinor = refundFor(sending, acceptedCostMinor);
    const refunds = (await listEntries(engine.db, accountId)).filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.settlementKey, e.amountMinor])).toEqual([['dispatch', refundMinor]]);
    expect(await getBalance(engine.db, accountId)).toBe(refundMinor);
    const stored = await listMessages(engine.db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(stored.find((m) => m.id === partial.id)).toMatchObject({
      status: 'rejected',
      costMinor: RATE_MINOR * 2,
      providerMessageId: 'partial-1',
    });
    expect(stored.find((m) => m.id === whole.id)).toMatchObject({ status: 'submitted', costMinor: RATE_MINOR * 3 });

    // Receipts of the parts it did take come later: the status stays final and the money does not move.
    await applyReports(engine.db, engine.db.nowUs(), [
      { provider: 'sandbox', providerMessageId: 'partial-1', status: 'delivered' },
      { provider: 'sandbox', providerMessageId: 'whole-1', status: 'delivered' },
    ]);
    const after = await listMessages(engine.db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(after.find((m) => m.id === partial.id)).toMatchObject({ status: 'rejected', costMinor: RATE_MINOR * 2 });
    expect(after.find((m) => m.id === whole.id)).toMatchObject({ status: 'delivered' });
    expect(await getBalance(engine.db, accountId)).toBe(refundMinor);
    expect((await listEntries(engine.db, accountId)).filter((e) => e.kind === 'refund')).toHaveLength(1);
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
  });

  it('settles from the rows an outcome or a receipt just wrote when they are all its messages, else reads them', async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    /** Statements that count a sending's messages from the table. */
    const countsRead = () => statements.filter((text) => /from messages where sending_id (in\b|= any)/i.test(text));

    // One recipient: its outcome and its receipt settle and complete it from the row they wrote.
    const one = await leasedSending(engine, 1, 'known-one');
    const [only] = one.messages;
    if (!only) throw new Error('one message was leased');
    await recordOutcomes(
      db,
      { workerId: 'known-one', nowUs: db.nowUs() },
      { accepted: [{ id: only.id, providerMessageId: 'known-one-1', nextPollAtUs: db.nowUs() + LEASE_US }] },
    );
    const oneRefund = refundFor(one.sending, RATE_MINOR);
    expect(await getBalance(db, one.accountId)).toBe(oneRefund);
    expect(await statusOf(db, one.accountId, one.sending.id)).toBe('Processing');
    await applyReports(db, db.nowUs(), [
      { provider: 'sandbox', providerMessageId: 'known-one-1', status: 'delivered' },
    ]);
    expect(await statusOf(db, one.accountId, one.sending.id)).toBe('Completed');
    expect(countsRead()).toEqual([]);

    // Two recipients whose outcomes come in two batches: the second batch holds one of its messages, so the sending's
    // messages are counted from the table, and the first one's acceptance is not forgotten.
    const two = await leasedSending(engine, 2, 'known-two');
    const [first, second] = two.messages;
    if (!first || !second) throw new Error('two messages were leased');
    await recordOutcomes(
      db,
      { workerId: 'known-two', nowUs: db.nowUs() },
      { accepted: [{ id: first.id, providerMessageId: 'known-two-1', nextPollAtUs: db.nowUs() + LEASE_US }] },
    );
    expect(await getBalance(db, two.accountId)).toBe(0);
    await recordOutcomes(
      db,
      { workerId: 'known-two', nowUs: db.nowUs() },
      { final: [{ id: second.id, status: 'failed', error: 'no route' }] },
    );
    const twoRefund = refundFor(two.sending, RATE_MINOR);
    expect(await getBalance(db, two.accountId)).toBe(twoRefund);
    expect(await statusOf(db, two.accountId, two.sending.id)).toBe('Processing');
    expect(countsRead().length).toBeGreaterThan(0);
    await applyReports(db, db.nowUs(), [
      { provider: 'sandbox', providerMessageId: 'known-two-1', status: 'delivered' },
    ]);
    expect(await statusOf(db, two.accountId, two.sending.id)).toBe('Completed');
    expect((await listEntries(db, two.accountId)).filter((e) => e.kind === 'refund')).toHaveLength(1);
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  // Last: the entries written around the guard stay (the ledger is append-only), so later audits would see them.
  it('the auditor finds refunds written around the guard: past the reservation, or of an accepted message', async () => {
    const { accountId, sending, messages } = await leasedSending(engine, 2, 'tampered');
    const [accepted, refused] = messages;
    if (!accepted || !refused) throw new Error('two messages were leased');
    await recordOutcomes(
      engine.db,
      { workerId: 'tampered', nowUs: engine.db.nowUs() },
      {
        accepted: [{ id: accepted.id, providerMessageId: 'p-2', nextPollAtUs: engine.db.nowUs() + LEASE_US }],
        final: [{ id: refused.id, status: 'rejected', error: 'refused' }],
      },
    );
    expect((await auditLedger(engine.db)).mismatches).toEqual([]);
    const settledMinor = (await listEntries(engine.db, accountId)).find((e) => e.kind === 'refund')?.amountMinor ?? 0;
    const around = (settlementKey: string, amountMinor: number) =>
      engine.db.transaction((trx) =>
        postEntry(trx, engine.db.nowUs(), {
          accountId,
          kind: 'refund',
          amountMinor,
          sendingId: sending.id,
          settlementKey,
          reference: `sending:${sending.id}`,
        }),
      );
    // Within the reservation, but the accepted message's cost.
    await around('around-1', sending.totalMinor - settledMinor);
    const audit = await auditLedger(engine.db);
    expect(audit.mismatches).toEqual([
      {
        problem: 'over_refund',
        accountId,
        detail: `sending ${sending.id} got back more than it reserved less ${accepted.costMinor} its accepted messages cost`,
      },
    ]);
    // Past the reservation itself, on a sending with nothing accepted.
    const other = await leasedSending(engine, 1, 'tampered-too');
    await recordOutcomes(
      engine.db,
      { workerId: 'tampered-too', nowUs: engine.db.nowUs() },
      { final: other.messages.map((m) => ({ id: m.id, status: 'failed' as const, error: 'no route' })) },
    );
    await engine.db.transaction((trx) =>
      postEntry(trx, engine.db.nowUs(), {
        accountId: other.accountId,
        kind: 'refund',
        amountMinor: 1,
        sendingId: other.sending.id,
        settlementKey: 'around-2',
      }),
    );
    expect((await auditLedger(engine.db)).mismatches).toContainEqual({
      problem: 'over_refund',
      accountId: other.accountId,
      detail: `sending ${other.sending.id} got back 1 more than it reserved`,
    });
  });
});
