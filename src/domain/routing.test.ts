import { describe, expect, it } from 'vitest';
import type { CostBook, DeliveryQuality, QualityBook } from './provider-costs.js';
import { EMPTY_COST_BOOK, EMPTY_QUALITY_BOOK } from './provider-costs.js';
import {
  BUILT_IN_DEFAULT_RULE,
  compileRoutes,
  NO_QUALITY_THRESHOLDS,
  providerOrder,
  type RouteRule,
  type RoutingInput,
  routeRuleProblem,
  senderKindOf,
} from './routing.js';

let nextId = 1;
function rule(fields: Partial<RouteRule>): RouteRule {
  const id = nextId++;
  return { ...BUILT_IN_DEFAULT_RULE, id, position: id, isDefault: false, providers: ['p'], ...fields };
}

const lmt: RoutingInput = {
  type: 'default',
  mcc: '247',
  mnc: '01',
  recipient: '37120000001',
  accountId: 7,
  sender: 'Shop',
};

const NO_BOOKS = { costBook: EMPTY_COST_BOOK, qualityBook: EMPTY_QUALITY_BOOK };

describe('route rule matching', () => {
  it('takes the first rule in order that matches, whatever its field is', () => {
    const country = rule({ position: 2, mcc: '247', providers: ['country'] });
    const network = rule({ position: 3, mcc: '247', mnc: '01', providers: ['network'] });
    const prefix = rule({ position: 1, prefix: '3712', providers: ['prefix'] });
    const table = compileRoutes([network, country, prefix]);
    expect(table.match(lmt).id).toBe(prefix.id);
    expect(table.match({ ...lmt, recipient: '37130000001' }).id).toBe(country.id);
    // Moved first, the network rule wins over the others for its network only.
    const moved = compileRoutes([{ ...network, position: 0 }, country, prefix]);
    expect(moved.match(lmt).id).toBe(network.id);
    expect(moved.match({ ...lmt, mnc: '02' }).id).toBe(prefix.id);
    expect(moved.match({ ...lmt, mnc: '02', recipient: '37160000001' }).id).toBe(country.id);
  });

  it('matches MCC + MNC only on that network, and unknown networks only by number or catch-alls', () => {
    const network = rule({ mcc: '247', mnc: '02' });
    const byNumber = rule({ prefix: '371' });
    const table = compileRoutes([network, byNumber]);
    expect(table.match(lmt).id).toBe(byNumber.id);
    expect(table.match({ ...lmt, mnc: '02' }).id).toBe(network.id);
    expect(table.match({ ...lmt, mcc: null, mnc: null }).id).toBe(byNumber.id);
    expect(table.match({ ...lmt, mcc: null, mnc: null, recipient: '44700' }).isDefault).toBe(true);
  });

  it('matches account, sending type and sender kind, null being any', () => {
    const account = rule({ accountId: 8, providers: ['a8'] });
    const numeric = rule({ senderKind: 'numeric', providers: ['num'] });
    const typed = rule({ sendingType: 'default', mcc: '248', providers: ['typed'] });
    const table = compileRoutes([account, numeric, typed]);
    expect(table.match(lmt).isDefault).toBe(true);
    expect(table.match({ ...lmt, accountId: 8 }).id).toBe(account.id);
    expect(table.match({ ...lmt, sender: '+37120000000' }).id).toBe(numeric.id);
    expect(table.match({ ...lmt, mcc: '248' }).id).toBe(typed.id);
    expect(table.match({ ...lmt, mcc: '248', type: 'infobip' }).isDefault).toBe(true);
    expect(senderKindOf('12345')).toBe('numeric');
    expect(senderKindOf('Shop 24')).toBe('alphanumeric');
  });

  it('falls back to the default rule, the built-in one when the table has none', () => {
    expect(compileRoutes([]).match(lmt)).toBe(BUILT_IN_DEFAULT_RULE);
    const own = { ...BUILT_IN_DEFAULT_RULE, id: 99, providers: ['x'] };
    const table = compileRoutes([own, rule({ mcc: '248' })]);
    expect(table.match(lmt)).toBe(own);
    expect(table.rules.at(-1)).toBe(own);
  });

  it('finds the rule among 10,000 as it does among one', () => {
    const rules: RouteRule[] = [];
    for (let i = 0; i < 10_000; i++) {
      rules.push(
        rule({
          position: i + 1,
          accountId: 1000 + (i % 500),
          prefix: `44${String(i).padStart(5, '0')}`,
          providers: [`p${i}`],
        }),
      );
    }
    const last = rule({ position: 10_001, mcc: '247', providers: ['latvia'] });
    const big = compileRoutes([...rules, last]);
    expect(big.match(lmt).id).toBe(last.id);
    expect(big.match({ ...lmt, accountId: 1000 + (1234 % 500), recipient: '4401234999' }).providers).toEqual(['p1234']);
    // Work per message is bounded by the buckets looked in, not by the rules: count the rules examined.
    let examined = 0;
    const counted = (r: RouteRule): RouteRule =>
      Object.defineProperty({ ...r }, 'accountId', {
        get: () => {
          examined++;
          return r.accountId;
        },
      });
    const countedBig = compileRoutes([...rules, last].map(counted));
    const countedSmall = compileRoutes([last].map(counted));
    const examine = (table: ReturnType<typeof compileRoutes>) => {
      examined = 0;
      for (let i = 0; i < 1000; i++) table.match({ ...lmt, recipient: `44${i}`, accountId: 1000 + (i % 500) });
      return examined;
    };
    expect(examine(countedBig)).toBeLessThanOrEqual(examine(countedSmall) + 3 * 1000);
    expect(examine(countedSmall)).toBeGreaterThan(0);
  });

  it('refuses rules that cannot work', () => {
    const action = {
      strategy: 'fixed' as const,
      providers: ['a', 'b'],
      quality: NO_QUALITY_THRESHOLDS,
      loss: 'send' as const,
    };
    const match = { ...BUILT_IN_DEFAULT_RULE };
    expect(routeRuleProblem(match, action)).toMatch(/exactly one/);
    expect(routeRuleProblem({ ...match, mnc: '01' }, { ...action, providers: ['a'] })).toMatch(/needs an MCC/);
    expect(routeRuleProblem({ ...match, prefix: '37a' }, { ...action, providers: ['a'] })).toMatch(/prefix/);
    expect(routeRuleProblem(match, { ...action, strategy: 'failover', providers: [] })).toMatch(/at least one/);
    expect(routeRuleProblem(match, { ...action, strategy: 'failover', providers: [] }, true)).toBeNull();
  });
});

describe('route strategies', () => {
  const costs: Record<string, { amountMinor: number; currency: string } | undefined> = {
    a: { amountMinor: 300, currency: 'EUR' },
    b: { amountMinor: 100, currency: 'EUR' },
    c: { amountMinor: 200, currency: 'EUR' },
  };
  const costBook: CostBook = { version: 1, costOf: (p) => costs[p] ?? null };
  const qualities: Record<string, DeliveryQuality | undefined> = {
    b: { reports: 100, delivered: 50, meanLatencyMs: 1000 },
    c: { reports: 100, delivered: 99, meanLatencyMs: 90_000 },
    a: { reports: 3, delivered: 0, meanLatencyMs: null },
  };
  const qualityBook: QualityBook = { qualityOf: (p) => qualities[p] ?? null };

  it('fixed gives the one provider, failover the list', () => {
    expect(providerOrder(rule({ strategy: 'fixed', providers: ['x'] }), lmt, NO_BOOKS, ['d'])).toEqual(['x']);
    expect(providerOrder(rule({ strategy: 'failover', providers: ['x', 'y'] }), lmt, NO_BOOKS, ['d'])).toEqual([
      'x',
      'y',
    ]);
    expect(providerOrder(BUILT_IN_DEFAULT_RULE, lmt, NO_BOOKS, ['d', 'e'])).toEqual(['d', 'e']);
  });

  it('least cost sorts by cost, unknown cost last', () => {
    const r = rule({ strategy: 'least_cost', providers: ['u', 'a', 'b', 'c'] });
    expect(providerOrder(r, lmt, { costBook, qualityBook: EMPTY_QUALITY_BOOK }, [])).toEqual(['b', 'c', 'a', 'u']);
    expect(providerOrder(r, lmt, NO_BOOKS, [])).toEqual(['u', 'a', 'b', 'c']);
  });

  it('least cost puts providers failing the quality thresholds after the passing ones', () => {
    const r = rule({
      strategy: 'least_cost',
      providers: ['a', 'b', 'c', 'u'],
      quality: { minDeliveryPpm: 900_000, maxLatencyMs: 60_000, minReports: 10 },
    });
    // b fails delivery, c fails latency; a has too few reports and u none: both pass.
    expect(providerOrder(r, lmt, { costBook, qualityBook }, [])).toEqual(['a', 'u', 'b', 'c']);
    const lenient = { ...r, quality: { ...r.quality, maxLatencyMs: null } };
    expect(providerOrder(lenient, lmt, { costBook, qualityBook }, [])).toEqual(['c', 'a', 'u', 'b']);
  });

  it('least cost compares costs in one currency through the rates', () => {
    const mixed: CostBook = {
      version: 1,
      costOf: (p) => (p === 'x' ? { amountMinor: 100, currency: 'EUR' } : { amountMinor: 90, currency: 'GBP' }),
    };
    const r = rule({ strategy: 'least_cost', providers: ['x', 'y'] });
    const rates = (c: string) => ({ GBP: 1_000_000, EUR: 1_200_000 })[c] ?? null;
    // 90 GBP = 108 EUR: x is cheaper. Without rates, y's cost cannot be compared: unknown, last.
    expect(providerOrder(r, lmt, { costBook: mixed, qualityBook: EMPTY_QUALITY_BOOK, ratePpmOf: rates }, [])).toEqual([
      'x',
      'y',
    ]);
    const flipped = rule({ strategy: 'least_cost', providers: ['y', 'x'] });
    expect(
      providerOrder(flipped, lmt, { costBook: mixed, qualityBook: EMPTY_QUALITY_BOOK, ratePpmOf: rates }, []),
    ).toEqual(['x', 'y']);
  });
});
