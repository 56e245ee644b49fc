// Whether a route sends a destination at a loss: the rule that matches a recipient (as dispatch matches it), the
// providers it would hand the message to, each one's cost of a part in the customer's currency, and the customer's
// rate of a part beside them. A rule whose loss policy is `refuse` refuses a recipient every candidate of which costs
// more than its rate. Pure: the caller reads the route table, the cost lists and the conversion rates.
import { convertCostUp, type ProviderCost } from './provider-costs.js';
import {
  type CompiledRoutes,
  type RouteRule,
  type RoutingBooks,
  type RoutingInput,
  ruleOf,
  ruleProviders,
} from './routing.js';

/** One provider a rule would hand the message to, with what a part costs there. */
export interface CandidateCost {
  readonly provider: string;
  /** One part's cost in the provider's currency; null when its cost list has no price for the network. */
  readonly cost: ProviderCost | null;
  /** The same in the customer's currency, rounded up (never flattering); null when unknown or not convertible. */
  readonly costMinor: number | null;
  /** The customer's rate of a part minus `costMinor`: negative is a loss; null when the cost is unknown. */
  readonly marginMinor: number | null;
}

/** What the customer pays for one part to the destination, in the currency of the account. */
export interface CustomerRate {
  readonly rateMinor: number;
  readonly currency: string;
}

export interface RouteMargin {
  /** The rule that decides the message; null for a sending type that names its provider (no rule applies). */
  readonly rule: RouteRule | null;
  /** The rule's providers in the order attempts take them, those this process cannot use left out. */
  readonly candidates: readonly CandidateCost[];
  readonly rateMinor: number;
  readonly currency: string;
  /**
   * Every candidate costs more than the customer's rate of a part: there is at least one, and each one's cost is
   * known. A candidate whose cost is unknown may be cheaper, so it is not counted a loss.
   */
  readonly atLoss: boolean;
  /** `atLoss` and the rule's loss policy is `refuse`: the recipient is not accepted. */
  readonly refused: boolean;
}

/** The margin of a part at each provider a rule gives the message, and whether the rule refuses it at a loss. */
export function ruleMargin(
  rule: RouteRule,
  input: RoutingInput,
  books: RoutingBooks,
  defaults: readonly string[],
  customer: CustomerRate,
  usable?: (provider: string) => boolean,
): RouteMargin {
  const ratePpmOf = books.ratePpmOf ?? (() => null);
  const candidates = ruleProviders(rule, input, books, defaults, usable).map((provider): CandidateCost => {
    const cost = books.costBook.costOf(provider, input.mcc, input.mnc);
    const costMinor =
      cost === null ? null : convertCostUp(cost.amountMinor, cost.currency, customer.currency, ratePpmOf);
    return { provider, cost, costMinor, marginMinor: costMinor === null ? null : customer.rateMinor - costMinor };
  });
  const atLoss =
    candidates.length > 0 && candidates.every((c) => c.costMinor !== null && c.costMinor > customer.rateMinor);
  return {
    rule,
    candidates,
    rateMinor: customer.rateMinor,
    currency: customer.currency,
    atLoss,
    refused: atLoss && rule.loss === 'refuse',
  };
}

/**
 * `ruleMargin` of the rule the route table gives the message (`ruleOf`, the matching dispatch uses). A sending type
 * that names its provider has no rule: no candidates, never refused.
 */
export function routeMargin(
  routes: CompiledRoutes,
  input: RoutingInput,
  books: RoutingBooks,
  defaults: readonly string[],
  customer: CustomerRate,
  usable?: (provider: string) => boolean,
): RouteMargin {
  const rule = ruleOf(routes, input);
  if (rule === null) {
    return {
      rule,
      candidates: [],
      rateMinor: customer.rateMinor,
      currency: customer.currency,
      atLoss: false,
      refused: false,
    };
  }
  return ruleMargin(rule, input, books, defaults, customer, usable);
}

/** Whether any rule of the table may refuse a recipient: when none does, nothing needs to be checked. */
export function mayRefuseAtLoss(routes: CompiledRoutes): boolean {
  return routes.rules.some((rule) => rule.loss === 'refuse');
}
