import { describe, expect, it } from 'vitest';
import { costBookOf } from './cost-lists.js';
import { overlaidCostBook, routeTableFromJson, SimulationTally } from './route-simulation.js';

const KNOWN = ['sandbox', 'twilio'];

describe('routeTableFromJson', () => {
  it('reads the table routes list --json prints, in the file order, the default kept apart', () => {
    const read = routeTableFromJson(
      JSON.stringify({
        routes: [
          {
            id: 7,
            position: 1,
            default: false,
            mcc: '247',
            mnc: null,
            prefix: null,
            account_id: null,
            type: null,
            sender_kind: null,
            strategy: 'least_cost',
            providers: ['twilio', 'sandbox'],
            min_delivery_ppm: 950000,
            max_latency_ms: null,
            min_reports: 20,
            loss: 'refuse',
          },
          { prefix: '+44', strategy: 'fixed', providers: 'sandbox' },
          { default: true, position: null, strategy: 'failover', providers: [] },
        ],
      }),
      KNOWN,
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.hasDefault).toBe(true);
    expect(read.rules.map((r) => [r.position, r.isDefault, r.mcc, r.prefix, r.strategy, r.providers])).toEqual([
      [1, false, '247', null, 'least_cost', ['twilio', 'sandbox']],
      [2, false, null, '44', 'fixed', ['sandbox']],
      [3, true, null, null, 'failover', []],
    ]);
    expect(read.rules[0]).toMatchObject({ quality: { minDeliveryPpm: 950_000, minReports: 20 }, loss: 'refuse' });
  });

  it('names the rule and the problem of a bad file', () => {
    const problem = (value: unknown) => {
      const read = routeTableFromJson(typeof value === 'string' ? value : JSON.stringify(value), KNOWN);
      return read.ok ? null : read.problem;
    };
    expect(problem('[')).toMatch(/^not JSON: /);
    expect(problem({ rules: [] })).toBe('expected a list of rules, or an object with "routes"');
    expect(problem([5])).toBe('rule 1: a rule is an object');
    expect(problem([{ providers: ['sandbox'] }, { strategy: 'cheapest', providers: ['sandbox'] }])).toBe(
      'rule 2: strategy must be one of fixed, failover, least_cost',
    );
    expect(problem([{ providers: ['sandbox'], type: 'pigeon' }])).toBe('rule 1: unknown sending type "pigeon"');
    expect(problem([{ providers: ['sandbox'], min_reports: -1 }])).toBe(
      'rule 1: min_reports must be a whole number or null',
    );
    expect(problem([{ providers: [] }])).toBe('rule 1: a rule names at least one provider');
    expect(problem([{ default: true }, { default: true }])).toBe('more than one rule is marked "default": true');
  });
});

describe('SimulationTally', () => {
  it('adds up actual and proposed per currency, provider and country', () => {
    const tally = new SimulationTally();
    const quality = { reports: 10, delivered: 9, meanLatencyMs: 1 };
    for (const to of ['twilio', 'sandbox', null]) {
      tally.add({
        currency: 'GBP',
        countryIso: 'LV',
        countryName: 'Latvia',
        revenueMinor: 1_000,
        actual: { provider: 'sandbox', costMinor: 300, quality: null },
        proposed: { provider: to, costMinor: to === 'twilio' ? 100 : to === null ? null : 300, quality },
      });
    }
    const result = tally.result();
    expect(result.totals).toEqual([
      {
        currency: 'GBP',
        moved: 1,
        unrouted: 1,
        refused: 0,
        refusedRevenueMinor: 0,
        actual: expect.objectContaining({ messages: 3, revenueMinor: 3_000, costMinor: 900, marginMinor: 2_100 }),
        proposed: expect.objectContaining({
          messages: 3,
          revenueMinor: 2_000,
          costMinor: 400,
          costUnknown: 0,
          marginMinor: 1_600,
          qualityKnown: 2,
          expectedDeliveryPpm: 900_000,
        }),
      },
    ]);
    expect(result.providers.map((r) => [r.key, r.actual.messages, r.proposed.messages])).toEqual([
      ['', 0, 1],
      ['sandbox', 3, 1],
      ['twilio', 0, 1],
    ]);
    expect(result.countries.map((r) => [r.key, r.label, r.actual.messages])).toEqual([['LV', 'Latvia', 3]]);
  });
});

describe('overlaidCostBook', () => {
  it("takes a proposed provider's list whole, every other provider's from the current book", () => {
    const current = costBookOf(1, [
      { provider: 'sandbox', currency: 'GBP', rows: [{ mcc: '248', mnc: null, costMinor: 5 }] },
      { provider: 'twilio', currency: 'GBP', rows: [{ mcc: '247', mnc: null, costMinor: 7 }] },
    ]);
    const proposed = costBookOf(0, [
      { provider: 'sandbox', currency: 'EUR', rows: [{ mcc: '247', mnc: null, costMinor: 3 }] },
    ]);
    const book = overlaidCostBook(current, proposed, new Set(['sandbox']));
    expect(book.costOf('sandbox', '247', '01')).toEqual({ amountMinor: 3, currency: 'EUR' });
    expect(book.costOf('sandbox', '248', null)).toBeNull();
    expect(book.costOf('twilio', '247', null)).toEqual({ amountMinor: 7, currency: 'GBP' });
  });
});
