import { describe, expect, it } from 'vitest';
import { costBookOf } from './cost-lists.js';
import { EMPTY_QUALITY_BOOK } from './provider-costs.js';
import { routeMargin } from './route-margin.js';
import { BUILT_IN_DEFAULT_RULE, compileRoutes, NO_QUALITY_THRESHOLDS, type RouteRule } from './routing.js';

const LATVIA = {
  type: 'default' as const,
  mcc: '247',
  mnc: '01',
  recipient: '37126123456',
  accountId: 7,
  sender: 'Shop',
};

function rule(id: number, fields: Partial<RouteRule>): RouteRule {
  return {
    ...BUILT_IN_DEFAULT_RULE,
    id,
    position: id,
    isDefault: false,
    mcc: '247',
    strategy: 'failover',
    quality: NO_QUALITY_THRESHOLDS,
    ...fields,
  };
}

const books = {
  costBook: costBookOf(1, [
    { provider: 'infobip', currency: 'GBP', rows: [{ mcc: '247', mnc: null, costMinor: 500 }] },
    { provider: 'twilio', currency: 'USD', rows: [{ mcc: '247', mnc: '01', costMinor: 500 }] },
    { provider: 'sandbox', currency: 'GBP', rows: [{ mcc: '247', mnc: null, costMinor: 100 }] },
  ]),
  qualityBook: EMPTY_QUALITY_BOOK,
  // 1 GBP = 1.25 USD.
  ratePpmOf: (currency: string) => ({ GBP: 1_000_000, USD: 1_250_000 })[currency] ?? null,
};

describe('routeMargin', () => {
  it('converts each candidate into the customer currency and refuses when every one costs more than the rate', () => {
    const routes = compileRoutes([rule(1, { providers: ['infobip', 'twilio'], loss: 'refuse' })]);
    const margin = routeMargin(routes, LATVIA, books, [], { rateMinor: 390, currency: 'GBP' });
    expect(margin.rule?.id).toBe(1);
    expect(margin.candidates).toEqual([
      { provider: 'infobip', cost: { amountMinor: 500, currency: 'GBP' }, costMinor: 500, marginMinor: -110 },
      { provider: 'twilio', cost: { amountMinor: 500, currency: 'USD' }, costMinor: 400, marginMinor: -10 },
    ]);
    expect(margin).toMatchObject({ atLoss: true, refused: true, rateMinor: 390, currency: 'GBP' });
  });

  it('does not refuse when one candidate is cheaper, its cost unknown, or the rule sends at a loss', () => {
    const customer = { rateMinor: 390, currency: 'GBP' };
    const cheaper = compileRoutes([rule(1, { providers: ['infobip', 'sandbox'], loss: 'refuse' })]);
    expect(routeMargin(cheaper, LATVIA, books, [], customer)).toMatchObject({ atLoss: false, refused: false });
    const unknown = compileRoutes([rule(1, { providers: ['infobip', 'messente'], loss: 'refuse' })]);
    expect(routeMargin(unknown, LATVIA, books, [], customer)).toMatchObject({ atLoss: false, refused: false });
    const send = compileRoutes([rule(1, { providers: ['infobip'], loss: 'send' })]);
    expect(routeMargin(send, LATVIA, books, [], customer)).toMatchObject({ atLoss: true, refused: false });
  });

  it('matches as dispatch does: the first matching rule, fixed takes one provider, unusable ones left out', () => {
    const routes = compileRoutes([
      rule(1, { accountId: 8, providers: ['sandbox'], loss: 'refuse' }),
      rule(2, { strategy: 'fixed', providers: ['infobip'], loss: 'refuse' }),
      rule(3, { providers: ['sandbox'], loss: 'refuse' }),
    ]);
    const customer = { rateMinor: 390, currency: 'GBP' };
    const fixed = routeMargin(routes, LATVIA, books, [], customer);
    expect(fixed.rule?.id).toBe(2);
    expect(fixed.candidates.map((c) => c.provider)).toEqual(['infobip']);
    expect(fixed.refused).toBe(true);
    const none = routeMargin(routes, LATVIA, books, [], customer, (name) => name !== 'infobip');
    expect(none).toMatchObject({ candidates: [], atLoss: false, refused: false });
    // A type that names its provider has no rule.
    expect(routeMargin(routes, { ...LATVIA, type: 'infobip' }, books, [], customer)).toMatchObject({
      rule: null,
      refused: false,
    });
  });

  it('the default rule naming none takes the built-in order', () => {
    const routes = compileRoutes([{ ...BUILT_IN_DEFAULT_RULE, id: 5, loss: 'refuse' }]);
    const margin = routeMargin(routes, LATVIA, books, ['infobip'], { rateMinor: 390, currency: 'GBP' });
    expect(margin.candidates.map((c) => c.provider)).toEqual(['infobip']);
    expect(margin.refused).toBe(true);
  });
});
