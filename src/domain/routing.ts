// The operator's route table: ordered rules that match a message (destination, account, sending type, sender kind)
// and give it an ordered list of providers (fixed, failover, least cost). Pure: the store reads the rules, the
// dispatch router applies them.
import {
  type CostBook,
  convertCostUp,
  type DeliveryQuality,
  deliveryRatioPpm,
  type QualityBook,
} from './provider-costs.js';
import type { SendingType } from './sending.js';

/** `fixed`: one provider. `failover`: the providers in order. `least_cost`: the cheapest for the network first. */
export const ROUTE_STRATEGIES = ['fixed', 'failover', 'least_cost'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

/** What a sender name is: letters (`alphanumeric`) or a number (`numeric`). */
export const SENDER_KINDS = ['alphanumeric', 'numeric'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];

/** What a sending whose route would lose money should do: be sent anyway, or be refused. */
export const LOSS_POLICIES = ['send', 'refuse'] as const;
export type LossPolicy = (typeof LOSS_POLICIES)[number];

/** The longest number prefix a rule may match on (an E.164 number has at most 15 digits). */
export const ROUTE_PREFIX_DIGITS_MAX = 15;

/** What a rule matches; null matches anything. */
export interface RouteMatch {
  /** Destination country (3 digits). */
  readonly mcc: string | null;
  /** Destination network (2 or 3 digits), only together with `mcc`. */
  readonly mnc: string | null;
  /** The recipient's number starts with these digits. */
  readonly prefix: string | null;
  readonly accountId: number | null;
  readonly sendingType: SendingType | null;
  readonly senderKind: SenderKind | null;
}

/** When a least-cost rule trusts a provider's delivery quality; null: no threshold. */
export interface QualityThresholds {
  /** Minimum delivered share, parts per million. */
  readonly minDeliveryPpm: number | null;
  /** Maximum mean time from hand-over to delivery report. */
  readonly maxLatencyMs: number | null;
  /** Final reports needed before the quality counts; fewer: the provider passes. */
  readonly minReports: number | null;
}

/** What a rule does with the messages it matches. */
export interface RouteAction {
  readonly strategy: RouteStrategy;
  /** In order; the default rule's may be empty: the configured providers in the built-in default order. */
  readonly providers: readonly string[];
  readonly quality: QualityThresholds;
  readonly loss: LossPolicy;
}

export interface RouteRule extends RouteMatch, RouteAction {
  readonly id: number;
  /** Order in the table, from 1; the default rule comes after every other whatever its position. */
  readonly position: number;
  /** The rule that matches everything, last; it always exists. */
  readonly isDefault: boolean;
}

/** What routing knows of a message; null: unknown (a rule that needs it does not match). */
export interface RoutingInput {
  readonly type: SendingType;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly recipient?: string | null;
  readonly accountId?: number | null;
  readonly sender?: string | null;
}

export const NO_QUALITY_THRESHOLDS: QualityThresholds = Object.freeze({
  minDeliveryPpm: null,
  maxLatencyMs: null,
  minReports: null,
});

/** The default rule of a table nobody configured: every message, the built-in default order. */
export const BUILT_IN_DEFAULT_RULE: RouteRule = Object.freeze({
  id: 0,
  position: 1,
  isDefault: true,
  mcc: null,
  mnc: null,
  prefix: null,
  accountId: null,
  sendingType: null,
  senderKind: null,
  strategy: 'failover',
  providers: [],
  quality: NO_QUALITY_THRESHOLDS,
  loss: 'send',
});

export function senderKindOf(sender: string): SenderKind {
  return /^\+?\d+$/.test(sender) ? 'numeric' : 'alphanumeric';
}

function digitsOf(recipient: string): string {
  return recipient.replace(/\D/g, '');
}

/** Whether `rule` matches the message, on every field it names. */
export function ruleMatches(rule: RouteMatch, input: RoutingInput): boolean {
  if (rule.accountId !== null && rule.accountId !== (input.accountId ?? null)) return false;
  if (rule.sendingType !== null && rule.sendingType !== input.type) return false;
  if (rule.mcc !== null && rule.mcc !== input.mcc) return false;
  if (rule.mnc !== null && rule.mnc !== input.mnc) return false;
  if (rule.senderKind !== null) {
    if (input.sender === null || input.sender === undefined) return false;
    if (senderKindOf(input.sender) !== rule.senderKind) return false;
  }
  if (rule.prefix !== null) {
    if (input.recipient === null || input.recipient === undefined) return false;
    if (!digitsOf(input.recipient).startsWith(rule.prefix)) return false;
  }
  return true;
}

/** Null when the match and action can make a rule, else why not (in the operator's words). */
export function routeRuleProblem(match: RouteMatch, action: RouteAction, isDefault = false): string | null {
  if (match.mcc !== null && !/^\d{3}$/.test(match.mcc)) return 'an MCC is 3 digits';
  if (match.mnc !== null) {
    if (match.mcc === null) return 'an MNC needs an MCC';
    if (!/^\d{2,3}$/.test(match.mnc)) return 'an MNC is 2 or 3 digits';
  }
  if (match.prefix !== null && !new RegExp(`^\\d{1,${ROUTE_PREFIX_DIGITS_MAX}}$`).test(match.prefix)) {
    return `a number prefix is 1 to ${ROUTE_PREFIX_DIGITS_MAX} digits`;
  }
  if (match.accountId !== null && !(Number.isSafeInteger(match.accountId) && match.accountId > 0)) {
    return 'an account is a positive id';
  }
  if (!(ROUTE_STRATEGIES as readonly string[]).includes(action.strategy)) {
    return `a strategy is one of ${ROUTE_STRATEGIES.join(', ')}`;
  }
  if (!(LOSS_POLICIES as readonly string[]).includes(action.loss)) return 'a loss policy is send or refuse';
  if (new Set(action.providers).size !== action.providers.length) return 'a provider is named twice';
  if (!isDefault) {
    if (action.providers.length === 0) return 'a rule names at least one provider';
    if (action.strategy === 'fixed' && action.providers.length !== 1) return 'a fixed rule names exactly one provider';
  } else if (action.strategy === 'fixed' && action.providers.length > 1) {
    return 'a fixed rule names exactly one provider';
  }
  const { minDeliveryPpm, maxLatencyMs, minReports } = action.quality;
  if (minDeliveryPpm !== null && !(Number.isSafeInteger(minDeliveryPpm) && minDeliveryPpm >= 0)) {
    return 'a minimum delivery ratio is 0 to 1000000 ppm';
  }
  if (minDeliveryPpm !== null && minDeliveryPpm > 1_000_000) return 'a minimum delivery ratio is 0 to 1000000 ppm';
  if (maxLatencyMs !== null && !(Number.isSafeInteger(maxLatencyMs) && maxLatencyMs >= 0)) {
    return 'a maximum latency is a whole number of milliseconds';
  }
  if (minReports !== null && !(Number.isSafeInteger(minReports) && minReports >= 0)) {
    return 'a minimum number of reports is a whole number';
  }
  return null;
}

/** A route table ready to match: the first rule in order that matches, found through an index. */
export interface CompiledRoutes {
  /** The rules in order, the default last. */
  readonly rules: readonly RouteRule[];
  readonly defaultRule: RouteRule;
  match(input: RoutingInput): RouteRule;
}

const ANY = '*';

/** The index key of what a rule matches on the destination: its prefix, else its network, else its country. */
function destinationKey(rule: RouteMatch): string {
  if (rule.prefix !== null) return `p:${rule.prefix}`;
  if (rule.mcc !== null) return rule.mnc !== null ? `n:${rule.mcc}:${rule.mnc}` : `c:${rule.mcc}`;
  return ANY;
}

function inOrder(a: RouteRule, b: RouteRule): number {
  return a.position - b.position || a.id - b.id;
}

/**
 * Compiles rules (the default among them, else the built-in one) into buckets by (account, destination), each in
 * order: a message looks in at most 2 × (prefixes of its number + 3) buckets, so a table of 10,000 rules costs about
 * what one of a single rule does. The first matching rule of each bucket is a candidate; the earliest candidate wins.
 */
export function compileRoutes(rules: readonly RouteRule[]): CompiledRoutes {
  const defaultRule = rules.find((r) => r.isDefault) ?? BUILT_IN_DEFAULT_RULE;
  const ordered = rules.filter((r) => !r.isDefault).sort(inOrder);
  const buckets = new Map<string, RouteRule[]>();
  for (const rule of ordered) {
    const key = `${rule.accountId ?? ANY}/${destinationKey(rule)}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(rule);
    else buckets.set(key, [rule]);
  }
  const all = [...ordered, defaultRule];
  return {
    rules: all,
    defaultRule,
    match(input) {
      if (buckets.size === 0) return defaultRule;
      const accounts = input.accountId !== null && input.accountId !== undefined ? [`${input.accountId}`, ANY] : [ANY];
      const destinations = [ANY];
      if (input.mcc !== null) {
        destinations.push(`c:${input.mcc}`);
        if (input.mnc !== null) destinations.push(`n:${input.mcc}:${input.mnc}`);
      }
      if (input.recipient) {
        const digits = digitsOf(input.recipient);
        const longest = Math.min(digits.length, ROUTE_PREFIX_DIGITS_MAX);
        for (let n = 1; n <= longest; n++) destinations.push(`p:${digits.slice(0, n)}`);
      }
      let best: RouteRule | null = null;
      for (const account of accounts) {
        for (const destination of destinations) {
          const bucket = buckets.get(`${account}/${destination}`);
          if (!bucket) continue;
          for (const rule of bucket) {
            if (best !== null && inOrder(rule, best) >= 0) break;
            if (ruleMatches(rule, input)) {
              best = rule;
              break;
            }
          }
        }
      }
      return best ?? defaultRule;
    },
  };
}

/** What least-cost routing reads: the providers' costs and delivery quality, and currency rates to compare costs. */
export interface RoutingBooks {
  readonly costBook: CostBook;
  readonly qualityBook: QualityBook;
  /** `1 base = ratePpm / 10^6 currency`; null when unknown. Costs in currencies that cannot be compared are unknown. */
  readonly ratePpmOf?: (currency: string) => number | null;
}

/** Whether a provider's delivery quality passes the thresholds; unknown or too few reports pass. */
export function qualityPasses(quality: DeliveryQuality | null, thresholds: QualityThresholds): boolean {
  if (quality === null || quality.reports <= 0) return true;
  if (thresholds.minReports !== null && quality.reports < thresholds.minReports) return true;
  if (thresholds.minDeliveryPpm !== null) {
    const ratio = deliveryRatioPpm(quality);
    if (ratio !== null && ratio < thresholds.minDeliveryPpm) return false;
  }
  if (thresholds.maxLatencyMs !== null && quality.meanLatencyMs !== null) {
    if (quality.meanLatencyMs > thresholds.maxLatencyMs) return false;
  }
  return true;
}

/**
 * `providers` cheapest first for the message's network, those whose quality passes the thresholds before those that
 * fail (kept, last); unknown cost sorts after known ones; ties keep the configured order. Costs are compared in the
 * currency of the first provider with a known cost (others converted, rounded up; unconvertible: unknown).
 */
export function leastCostOrder(
  providers: readonly string[],
  input: Pick<RoutingInput, 'mcc' | 'mnc'>,
  thresholds: QualityThresholds,
  books: RoutingBooks,
): readonly string[] {
  const ratePpmOf = books.ratePpmOf ?? (() => null);
  let currency: string | null = null;
  const scored = providers.map((name, index) => {
    const cost = books.costBook.costOf(name, input.mcc, input.mnc);
    let amount: number | null = null;
    if (cost !== null) {
      currency ??= cost.currency;
      amount = convertCostUp(cost.amountMinor, cost.currency, currency, ratePpmOf);
    }
    const passes = qualityPasses(books.qualityBook.qualityOf(name, input.mcc), thresholds);
    return { name, index, amount, passes };
  });
  scored.sort((a, b) => {
    if (a.passes !== b.passes) return a.passes ? -1 : 1;
    if (a.amount !== b.amount) {
      if (a.amount === null) return 1;
      if (b.amount === null) return -1;
      return a.amount - b.amount;
    }
    return a.index - b.index;
  });
  return scored.map((s) => s.name);
}

/** The rule of the route table that decides a message: null for a sending type that names its provider. */
export function ruleOf(routes: CompiledRoutes, input: RoutingInput): RouteRule | null {
  return input.type === 'default' ? routes.match(input) : null;
}

/**
 * The providers a rule gives a message, in the order attempts take them: fixed → its one provider, failover → its
 * list, least cost → its list by cost and quality. A rule naming none (the default) uses `defaults`.
 */
export function providerOrder(
  rule: RouteAction,
  input: RoutingInput,
  books: RoutingBooks,
  defaults: readonly string[],
): readonly string[] {
  const providers = rule.providers.length > 0 ? rule.providers : defaults;
  switch (rule.strategy) {
    case 'fixed':
      return providers.slice(0, 1);
    case 'failover':
      return providers;
    case 'least_cost':
      return leastCostOrder(providers, input, rule.quality, books);
  }
}

/**
 * `providerOrder` without the providers this process cannot use (`usable`; absent: every one): a rule may name a
 * provider the configuration has none of. The built-in default order (`defaults` itself) is kept as it is.
 */
export function ruleProviders(
  rule: RouteAction,
  input: RoutingInput,
  books: RoutingBooks,
  defaults: readonly string[],
  usable?: (provider: string) => boolean,
): readonly string[] {
  const order = providerOrder(rule, input, books, defaults);
  return usable !== undefined && order !== defaults ? order.filter(usable) : order;
}
