// `smsgic report margin`: revenue net of refunds, provider cost and margin per group, as JSON, a table and CSV.
import { beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { formatMinor } from '../../src/domain/money.js';
import type { CostBook } from '../../src/domain/provider-costs.js';
import { fakeClock, numberEndingWith, RATE_MINOR, routerWith, sendingOf } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

/** 0.1000 of the account's currency (GBP, the default) a part at the sandbox, anywhere. */
const BOOK: CostBook = {
  version: 1,
  costOf: (provider) => (provider === 'sandbox' ? { amountMinor: 1_000, currency: 'GBP' } : null),
};

interface Amounts {
  currency: string;
  messages: number;
  charged: string;
  refunded: string;
  revenue: string;
  cost: string;
  cost_unknown: number;
  margin: string;
}

describeEachEngine('smsgic report margin', (engine) => {
  let accountId: number;

  beforeAll(async () => {
    accountId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'Margin & Sons')).id;
    await ok(engine.url, 'credit', String(accountId), '100');
    // Three numbers: one refused (refunded), two taken by the sandbox.
    await sendingOf(
      engine.db,
      accountId,
      ['0004', '0006', '0007'].map((suffix) => numberEndingWith(suffix)),
    );
    const clock = fakeClock();
    await createDispatcher({
      db: engine.db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      costBook: () => BOOK,
    }).runUntilIdle();
  });

  it('reports per account, in JSON, a table and CSV, over the last 30 days by default', async () => {
    const report = await ok<{
      from: string;
      to: string;
      by: string;
      rows: (Amounts & { label: string })[];
      totals: Amounts[];
    }>(engine.url, 'report', 'margin', '--by', 'account');
    const expected = {
      currency: 'GBP',
      messages: 3,
      charged: formatMinor(3 * RATE_MINOR),
      refunded: formatMinor(RATE_MINOR),
      revenue: formatMinor(2 * RATE_MINOR),
      cost: formatMinor(2 * 1_000),
      cost_unknown: 0,
      margin: formatMinor(2 * RATE_MINOR - 2_000),
    };
    expect(report.by).toBe('account');
    expect(report.rows).toEqual([{ ...expected, key: String(accountId), label: 'Margin & Sons' }]);
    expect(report.totals).toEqual([expected]);

    const table = await smsgic(engine.url, ['report', 'margin', '--by', 'account']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Margin by account, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\), before tax\n/);
    expect(table.stdout).toContain('Margin & Sons');
    expect(table.stdout).toContain(`£${expected.margin}`);

    const csv = await smsgic(engine.url, ['report', 'margin', '--by', 'provider', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(
      'currency,group,name,messages,charged,refunded,revenue,cost,cost_unknown,margin\r\n' +
        `GBP,sandbox,sandbox,3,${expected.charged},${expected.refunded},${expected.revenue},${expected.cost},0,${expected.margin}\r\n`,
    );
  });

  it('takes a range of days, and refuses a wrong day, a reversed range and an unknown grouping', async () => {
    const empty = await ok<{ rows: unknown[]; from: string; to: string }>(
      engine.url,
      'report',
      'margin',
      '--from',
      '2020-01-01',
      '--to',
      '2020-01-31',
    );
    expect(empty).toMatchObject({ from: '2020-01-01', to: '2020-01-31', rows: [] });
    expect(await fails(engine.url, 2, 'report', 'margin', '--from', '2026-02-30')).toMatch(/from/);
    expect(await fails(engine.url, 2, 'report', 'margin', '--from', '2020-02-01', '--to', '2020-01-01')).toMatch(
      /before or equal/,
    );
    expect(await fails(engine.url, 2, 'report', 'margin', '--by', 'week')).toMatch(/by/);
  });
});
