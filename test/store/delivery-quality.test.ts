// Delivery quality: the final reports a transaction applies are counted per provider, country and hour in that same
// transaction, one row per group, and read back as a QualityBook over a sliding window.
import { expect, it } from 'vitest';
import type { DeliveryQuality } from '../../src/domain/provider-costs.js';
import type { ExecutedQuery } from '../../src/store/db.js';
import { readQualityBook, US_PER_HOUR } from '../../src/store/delivery-quality.js';
import { type LeaseRouting, leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { applyReports, type ProviderReport } from '../../src/store/reports.js';
import { createSending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { numberEndingWith, type SendingOptions, sendingTo } from '../dispatch/support.js';
import { describeEachEngine, type Engine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

const LEASE_US = 60_000 * US_PER_MS;
/** A whole hour, so that the buckets of the test are known. */
const T0 = Date.UTC(2031, 4, 6, 10, 0, 0) * US_PER_MS;

let serial = 0;

/**
 * `n` messages of one sending handed over to `provider` at `atUs` and accepted; returns the provider ids. Each call
 * uses numbers of its own, so the suites' sendings never share one.
 */
async function handedOver(engine: Engine, n: number, provider: string, atUs: number, options: SendingOptions = {}) {
  const recipients = Array.from({ length: n }, () => numberEndingWith('0009', serial++));
  const accountId = await fundedAccount(engine.db, sendingTo(0, recipients, options).totalMinor);
  const created = await createSending(engine.db, { ...sendingTo(accountId, recipients, options), scheduledAtUs: 0 });
  if (!created.ok) throw new Error(created.reason);
  const plan: LeaseRouting = () => ({ provider, ruleId: null });
  const lease = await leaseDueMessages(
    engine.db,
    { workerId: `w-${provider}`, nowUs: atUs, leaseUs: LEASE_US, limit: 1_000 },
    plan,
  );
  const ours = lease.messages.filter((m) => m.sendingId === created.sending.id);
  expect(ours).toHaveLength(n);
  const pids = ours.map((m) => `${provider}-${m.id}`);
  const recorded = await recordOutcomes(
    engine.db,
    { workerId: `w-${provider}`, nowUs: atUs },
    { accepted: ours.map((m, i) => ({ id: m.id, providerMessageId: pids[i] as string, nextPollAtUs: atUs + 1 })) },
  );
  expect(recorded.notHeld).toBe(0);
  return pids;
}

function report(provider: string, pid: string, status: ProviderReport['status'], reportedAtUs: number): ProviderReport {
  return { provider, providerMessageId: pid, status, reportedAtUs };
}

const quality = (reports: number, delivered: number, meanLatencyMs: number | null): DeliveryQuality => ({
  reports,
  delivered,
  meanLatencyMs,
});

describeEachEngine('delivery quality', (engine) => {
  it('counts final reports with the latency from the hand-over, once each, and not a non-final word', async () => {
    const [a, b, c, d] = await handedOver(engine, 4, 'q-one', T0);
    const at = T0 + 10 * 1_000_000;
    const applied = await applyReports(engine.db, at, [
      report('q-one', a as string, 'delivered', T0 + 1_500_000),
      report('q-one', b as string, 'undelivered', T0 + 4_500_000),
      report('q-one', c as string, 'submitted', T0 + 1_000_000),
      // A duplicate of a's report, and a later final report of a: the first final status stands.
      report('q-one', a as string, 'delivered', T0 + 1_500_000),
      report('q-one', a as string, 'expired', T0 + 9_000_000),
    ]);
    expect(applied.applied).toBe(2);
    let book = await readQualityBook(engine.db, { nowUs: at });
    expect(book.qualityOf('q-one', '247')).toEqual(quality(2, 1, 3_000));
    expect(book.qualityOf('q-one', '246')).toBeNull();
    expect(book.qualityOf('another', '247')).toBeNull();

    // Applied again later in the same hour: nothing moves, nothing is counted; a new final report adds up.
    await applyReports(engine.db, at + 1_000_000, [
      report('q-one', b as string, 'undelivered', T0 + 4_500_000),
      report('q-one', d as string, 'delivered', T0 + 2_000_000),
    ]);
    book = await readQualityBook(engine.db, { nowUs: at + 1_000_000 });
    expect(book.qualityOf('q-one', '247')).toEqual(quality(3, 2, 2_667));
  });

  it('keeps providers and countries apart and slides its window over whole hours', async () => {
    const [lv1, lv2] = await handedOver(engine, 2, 'q-two', T0);
    const [ee1] = await handedOver(engine, 1, 'q-two', T0, { mcc: '248' });
    const [other1] = await handedOver(engine, 1, 'q-three', T0);
    // lv1 and other1 are reported in the first hour, ee1 two hours later, lv2 a day and a half later.
    await applyReports(engine.db, T0 + 60_000_000, [
      report('q-two', lv1 as string, 'delivered', T0 + 20_000_000),
      report('q-three', other1 as string, 'rejected', T0 + 30_000_000),
    ]);
    await applyReports(engine.db, T0 + 2 * US_PER_HOUR, [
      report('q-two', ee1 as string, 'delivered', T0 + 2 * US_PER_HOUR),
    ]);
    const firstDay = await readQualityBook(engine.db, { nowUs: T0 + 3 * US_PER_HOUR });
    expect(firstDay.qualityOf('q-two', '247')).toEqual(quality(1, 1, 20_000));
    expect(firstDay.qualityOf('q-two', '248')).toEqual(quality(1, 1, 2 * 3_600_000));
    expect(firstDay.qualityOf('q-three', '247')).toEqual(quality(1, 0, 30_000));

    const lateUs = T0 + 36 * US_PER_HOUR;
    await applyReports(engine.db, lateUs, [report('q-two', lv2 as string, 'expired', lateUs)]);
    // 24 hours back from T0 + 36 h: the first hours have left the window.
    const later = await readQualityBook(engine.db, { nowUs: lateUs + 1 });
    expect(later.qualityOf('q-two', '247')).toEqual(quality(1, 0, 36 * 3_600_000));
    expect(later.qualityOf('q-two', '248')).toBeNull();
    expect(later.qualityOf('q-three', '247')).toBeNull();
    // A window of two days takes them all in again.
    const twoDays = await readQualityBook(engine.db, { nowUs: lateUs + 1, windowUs: 48 * US_PER_HOUR });
    expect(twoDays.qualityOf('q-two', '247')).toEqual(quality(2, 1, 18 * 3_600_000 + 10_000));
  });

  it('writes a batch of reports with one statement for all its groups, never one per message', async () => {
    const start = T0 + 100 * US_PER_HOUR;
    const lv = await handedOver(engine, 30, 'q-four', start);
    const ee = await handedOver(engine, 20, 'q-four', start, { mcc: '248' });
    const statements: ExecutedQuery[] = [];
    const watched = await engine.open({ onQuery: (query) => statements.push(query) });
    const at = start + 5_000_000;
    await applyReports(watched, at, [
      ...lv.map((pid) => report('q-four', pid, 'delivered', start + 1_000_000)),
      ...ee.map((pid, i) => report('q-four', pid, i % 2 === 0 ? 'delivered' : 'undelivered', start + 2_000_000)),
    ]);
    const writes = statements.filter((s) => /delivery_quality/.test(s.sql));
    expect(writes).toHaveLength(1);
    const book = await readQualityBook(engine.db, { nowUs: at });
    expect(book.qualityOf('q-four', '247')).toEqual(quality(30, 30, 1_000));
    expect(book.qualityOf('q-four', '248')).toEqual(quality(20, 10, 2_000));
  });
});
