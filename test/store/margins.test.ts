// The margin reconciles: sendings run through the worker (sandbox provider: delivered, refused and refunded, retried,
// cancelled) with a cost list in two currencies; the margin report's revenue is exactly what the ledger kept, and its
// cost exactly the providers' costs recorded on the messages.
import { expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import type { CostBook, ProviderCost } from '../../src/domain/provider-costs.js';
import { createAccount } from '../../src/store/accounts.js';
import { US_PER_DAY } from '../../src/store/admin-views.js';
import type { Db } from '../../src/store/db.js';
import { auditLedger, credit, listEntries } from '../../src/store/ledger.js';
import { MARGIN_GROUPINGS, type MarginRow, marginReport } from '../../src/store/margins.js';
import { recordConversion } from '../../src/store/rates.js';
import { cancelSending } from '../../src/store/sending-cancel.js';
import { fakeClock, numberEndingWith, routerWith, type SendingOptions, sendingOf } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

/** The sandbox's cost list: 12.34 pence a part to LMT (Latvia), 0.20 EUR to Estonia; nothing for Lithuania. */
const COSTS: Record<string, ProviderCost> = {
  '247/01': { amountMinor: 1_234, currency: 'GBP' },
  '248': { amountMinor: 2_000, currency: 'EUR' },
};
const BOOK: CostBook = {
  version: 1,
  costOf: (provider, mcc, mnc) =>
    provider === 'sandbox' ? (COSTS[`${mcc}/${mnc}`] ?? COSTS[mcc ?? ''] ?? null) : null,
};
/** 1 GBP = 1.14 EUR. */
const EUR_PPM = 1_140_000;

async function accountIn(db: Db, currency: string, name: string): Promise<number> {
  const account = await createAccount(db, { name, currency });
  const credited = await credit(db, account.id, 10_000_000, 'opening balance');
  if (!credited.ok) throw new Error(credited.reason);
  return account.id;
}

let serial = 0;
const numbers = (...suffixes: string[]) => suffixes.map((suffix) => numberEndingWith(suffix, serial++));

function totalsByCurrency(rows: readonly MarginRow[]) {
  const totals = new Map<
    string,
    { charged: number; refunded: number; revenue: number; cost: number; unknown: number }
  >();
  for (const row of rows) {
    const t = totals.get(row.currency) ?? { charged: 0, refunded: 0, revenue: 0, cost: 0, unknown: 0 };
    t.charged += row.chargedMinor;
    t.refunded += row.refundedMinor;
    t.revenue += row.revenueMinor;
    t.cost += row.costMinor;
    t.unknown += row.costUnknown;
    totals.set(row.currency, t);
    expect(row.marginMinor).toBe(row.revenueMinor - row.costMinor);
  }
  return Object.fromEntries(totals);
}

describeEachEngine('margin reconciliation', (engine) => {
  it("reports revenue as the ledger kept it and cost as the providers' recorded costs, per currency", async () => {
    const db = engine.db;
    const converted = await recordConversion(db, 'EUR', { ratePpm: EUR_PPM, rateDate: '2025-11-28' });
    expect(converted.ok).toBe(true);
    const gbp = await accountIn(db, 'GBP', 'Pounds Ltd');
    const eur = await accountIn(db, 'EUR', 'Euro OÜ');
    const lv: SendingOptions = { mcc: '247', mnc: '01' };
    const ee: SendingOptions = { mcc: '248', mnc: '02' };
    const lt: SendingOptions = { mcc: '246', mnc: '01' };
    // 0001 undelivered, 0003 rejected by the network (charged); 0004 refused (refunded); 0005 retried, then taken.
    await sendingOf(db, gbp, numbers('0001', '0004', '0005', '0006', '0007'), { ...lv, parts: 2 });
    await sendingOf(db, gbp, numbers('0009', '0004'), lt);
    await sendingOf(db, gbp, numbers('0010'), ee);
    await sendingOf(db, eur, numbers('0003', '0004', '0008'), { ...ee, rateMinor: 500 });
    await sendingOf(db, eur, numbers('0011'), { ...lv, rateMinor: 600 });
    await sendingOf(db, eur, numbers('0004', '0004'), { ...lv, rateMinor: 700 });
    const later = await sendingOf(db, eur, numbers('0012'), { ...lv, scheduledAtUs: db.nowUs() + 3_600_000_000 });
    expect(await cancelSending(db, later.id, eur)).toMatchObject({ ok: true });

    const clock = fakeClock();
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => BOOK,
    });
    await dispatcher.runUntilIdle();
    clock.advanceMs(60_000);
    await dispatcher.runUntilIdle();

    // Each message a provider took carries its cost; a refused one none, an unpriced network none.
    const messages = await db.kysely
      .selectFrom('messages')
      .select([
        'recipient',
        'submitted_at_us',
        'provider_cost_minor',
        'provider_cost_currency',
        'provider_cost_account_minor',
        'provider_cost_from_ppm',
        'provider_cost_to_ppm',
      ])
      .execute();
    const costOf = (suffix: string) =>
      messages
        .filter((m) => m.recipient.endsWith(suffix))
        .map((m) => [
          m.provider_cost_minor === null ? null : Number(m.provider_cost_minor),
          m.provider_cost_currency,
          m.provider_cost_account_minor === null ? null : Number(m.provider_cost_account_minor),
          m.provider_cost_from_ppm === null ? null : Number(m.provider_cost_from_ppm),
          m.provider_cost_to_ppm === null ? null : Number(m.provider_cost_to_ppm),
        ]);
    expect(costOf('0006')).toEqual([[2_468, 'GBP', 2_468, 1_000_000, 1_000_000]]);
    expect(costOf('0005')).toEqual([[2_468, 'GBP', 2_468, 1_000_000, 1_000_000]]);
    expect(costOf('0009')).toEqual([[null, null, null, null, null]]);
    // 0.20 EUR for a pounds account: 2000 / 1.14 = 1754.39, rounded up.
    expect(costOf('0010')).toEqual([[2_000, 'EUR', 1_755, EUR_PPM, 1_000_000]]);
    // 12.34 pence for a euro account: 1234 × 1.14 = 1406.76, rounded up.
    expect(costOf('0011')).toEqual([[1_234, 'GBP', 1_407, 1_000_000, EUR_PPM]]);
    expect(costOf('0004').every(([amount]) => amount === null)).toBe(true);
    expect(costOf('0012')).toEqual([[null, null, null, null, null]]);

    // What the ledger charged each currency's accounts: reservations less refunds.
    const ledger: Record<string, { charged: number; refunded: number }> = {};
    for (const [id, currency] of [
      [gbp, 'GBP'],
      [eur, 'EUR'],
    ] as const) {
      const entries = await listEntries(db, id);
      ledger[currency] = {
        charged: -entries.filter((e) => e.kind === 'reservation').reduce((sum, e) => sum + e.amountMinor, 0),
        refunded: entries.filter((e) => e.kind === 'refund').reduce((sum, e) => sum + e.amountMinor, 0),
      };
    }
    const recordedCost = (currency: 'GBP' | 'EUR') =>
      messages
        .filter((m) => m.provider_cost_account_minor !== null)
        .filter(
          (m) => (currency === 'GBP') === ['0001', '0005', '0006', '0007', '0010'].includes(m.recipient.slice(-4)),
        )
        .reduce((sum, m) => sum + Number(m.provider_cost_account_minor), 0);
    expect(recordedCost('GBP')).toBe(4 * 2_468 + 1_755);
    expect(recordedCost('EUR')).toBe(2 * 2_000 + 1_407);

    const today = Math.floor(db.nowUs() / US_PER_DAY);
    for (const by of MARGIN_GROUPINGS) {
      const rows = await marginReport(db, { fromUs: today * US_PER_DAY, toUs: (today + 1) * US_PER_DAY, by });
      const totals = totalsByCurrency(rows);
      for (const currency of ['GBP', 'EUR'] as const) {
        const kept = ledger[currency] as { charged: number; refunded: number };
        expect(totals[currency]).toMatchObject({
          charged: kept.charged,
          refunded: kept.refunded,
          revenue: kept.charged - kept.refunded,
          cost: recordedCost(currency),
        });
      }
      // The Lithuanian message was taken at an unknown cost.
      expect(totals.GBP?.unknown).toBe(1);
      expect(totals.EUR?.unknown).toBe(0);
    }
    const byProvider = await marginReport(db, {
      fromUs: today * US_PER_DAY,
      toUs: (today + 1) * US_PER_DAY,
      by: 'provider',
    });
    // The cancelled sending's message never had a provider: its own group, all refunded, no cost.
    expect(byProvider.find((r) => r.currency === 'EUR' && r.key === '')).toMatchObject({
      messages: 1,
      revenueMinor: 0,
      costMinor: 0,
    });
    const byAccount = await marginReport(db, {
      fromUs: today * US_PER_DAY,
      toUs: (today + 1) * US_PER_DAY,
      by: 'account',
    });
    expect(byAccount.map((r) => [r.currency, r.label])).toEqual([
      ['EUR', 'Euro OÜ'],
      ['GBP', 'Pounds Ltd'],
    ]);
    // Nothing stored the day before.
    expect(await marginReport(db, { fromUs: (today - 1) * US_PER_DAY, toUs: today * US_PER_DAY, by: 'day' })).toEqual(
      [],
    );
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
});
