// The operator's route table as use cases: list, add, edit, remove, move rules, and try a number against them. The
// CLI and the dashboard's operator page both call these.
import { MoneyError, parsePercentPpm } from '../domain/money.js';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { PLATFORM_CURRENCY } from '../domain/price-lists.js';
import { createRateCard, priceSending, type RateCard } from '../domain/pricing.js';
import { type CandidateCost, ruleMargin } from '../domain/route-margin.js';
import {
  LOSS_POLICIES,
  type LossPolicy,
  ROUTE_STRATEGIES,
  type RouteRule,
  type RouteStrategy,
  SENDER_KINDS,
  type SenderKind,
} from '../domain/routing.js';
import { isSendingType, type SendingType } from '../domain/sending.js';
import { renderText } from '../domain/texts.js';
import { getAccount } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import { rateListAt } from '../store/rates.js';
import {
  addRouteRule,
  listRouteRules,
  moveRouteRule,
  type RouteRuleChange,
  type RouteRuleFields,
  readRouteTable,
  removeRouteRule,
  updateRouteRule,
} from '../store/route-rules.js';
import { conflict, invalidOne, notFound, type Outcome, ok } from './outcome.js';
import { rateCardsOf } from './rate-cards.js';
import { readRoutingBooks } from './route-margins.js';

export type { RouteRule } from '../domain/routing.js';

/** A rule as the operator writes it (CLI options, dashboard form fields): text, empty or absent for none. */
export interface RouteRuleInput {
  readonly strategy?: unknown;
  readonly providers?: unknown;
  readonly mcc?: unknown;
  readonly mnc?: unknown;
  readonly prefix?: unknown;
  readonly account_id?: unknown;
  readonly type?: unknown;
  readonly sender_kind?: unknown;
  /** Percent, "95" or "99.5". */
  readonly min_delivery?: unknown;
  readonly max_latency_ms?: unknown;
  readonly min_reports?: unknown;
  readonly loss?: unknown;
}

export type RouteFieldsRead =
  | { readonly ok: true; readonly fields: RouteRuleFields }
  | { readonly ok: false; readonly field: string; readonly problem: string };

export type RouteChange =
  | { readonly ok: true; readonly rule: RouteRule }
  | {
      readonly ok: false;
      readonly reason: 'not-found' | 'default-rule' | 'invalid';
      readonly field?: string;
      readonly problem: string;
    };

/** What a number would be routed to. */
export interface RouteTest {
  readonly mcc: string | null;
  readonly mnc: string | null;
  /** Null for a sending type that names its provider: no rule applies. */
  readonly rule: RouteRule | null;
  /** Providers in the order attempts take them, least cost ordered by the cost lists and delivery quality. */
  readonly providers: readonly string[];
  /**
   * What a part costs at each provider beside what the customer pays for it: the account's rate (without an
   * account, the platform's default list in its own currency); null for a sending type that names its provider.
   */
  readonly margin: RouteTestMargin | null;
}

/** A route's margin of one part, as `routes test` shows it. */
export interface RouteTestMargin {
  readonly currency: string;
  /** The customer's rate of a part; null when the price list has none for the number. */
  readonly rateMinor: number | null;
  /** In the order of `providers`; margins null without a rate. */
  readonly candidates: readonly CandidateCost[];
  /** Every provider costs more than the rate. */
  readonly atLoss: boolean;
  /** At a loss under a rule whose loss policy is refuse: a sending to the number is refused. */
  readonly refused: boolean;
}

class FieldProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

function whole(field: string, value: unknown): number | null {
  const given = text(value);
  if (given === null) return null;
  if (!/^\d{1,15}$/.test(given)) throw new FieldProblem(field, `${field} must be a whole number, got "${given}"`);
  return Number(given);
}

function oneOf<T extends string>(field: string, values: readonly T[], value: unknown): T | null {
  const given = text(value);
  if (given === null) return null;
  const found = values.find((v) => v === given);
  if (found === undefined)
    throw new FieldProblem(field, renderText('routeOneOf', { field, values: values.join(', '), given }));
  return found;
}

function readFields(input: RouteRuleInput, knownProviders: readonly string[]): RouteRuleFields {
  const providers = (text(input.providers) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const name of providers) {
    if (!knownProviders.includes(name)) {
      const known = knownProviders.join(', ');
      throw new FieldProblem('providers', renderText('routeUnknownProvider', { name, known }));
    }
  }
  const type = text(input.type);
  if (type !== null && !isSendingType(type)) throw new FieldProblem('type', renderText('routeUnknownType', { type }));
  let minDeliveryPpm: number | null = null;
  const minDelivery = text(input.min_delivery);
  if (minDelivery !== null) {
    try {
      minDeliveryPpm = parsePercentPpm(minDelivery);
    } catch (error) {
      if (error instanceof MoneyError) {
        throw new FieldProblem('min_delivery', renderText('routeMinDelivery', { problem: error.message }));
      }
      throw error;
    }
  }
  return {
    strategy: oneOf<RouteStrategy>('strategy', ROUTE_STRATEGIES, input.strategy) ?? 'failover',
    providers,
    mcc: text(input.mcc),
    mnc: text(input.mnc),
    prefix: text(input.prefix)?.replace(/^\+/, '') ?? null,
    accountId: whole('account_id', input.account_id),
    sendingType: type as SendingType | null,
    senderKind: oneOf<SenderKind>('sender_kind', SENDER_KINDS, input.sender_kind),
    quality: {
      minDeliveryPpm,
      maxLatencyMs: whole('max_latency_ms', input.max_latency_ms),
      minReports: whole('min_reports', input.min_reports),
    },
    loss: oneOf<LossPolicy>('loss', LOSS_POLICIES, input.loss) ?? 'send',
  };
}

/** The operator's fields as a rule's, or the field at fault and why. */
export function routeRuleFieldsFrom(input: RouteRuleInput, knownProviders: readonly string[]): RouteFieldsRead {
  try {
    return { ok: true, fields: readFields(input, knownProviders) };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, field: error.field, problem: error.message };
    throw error;
  }
}

export interface RouteServicesDeps {
  readonly db: Db;
  readonly plan: NumberingPlan;
  /** Every provider a rule may name (the registry's). */
  readonly knownProviders: readonly string[];
  /** The built-in default order: what the default rule naming no providers means. */
  readonly defaultProviders: readonly string[];
}

function changed(result: RouteRuleChange): RouteChange {
  return result;
}

export function createRouteServices(deps: RouteServicesDeps) {
  const { db, knownProviders } = deps;
  const fieldsOr = <T>(input: RouteRuleInput, then: (fields: RouteRuleFields) => Promise<T>) => {
    const read = routeRuleFieldsFrom(input, knownProviders);
    if (!read.ok)
      return Promise.resolve({ ok: false, reason: 'invalid', field: read.field, problem: read.problem } as const);
    return then(read.fields);
  };
  return {
    knownProviders,
    list: (): Promise<RouteRule[]> => listRouteRules(db),
    add: (input: RouteRuleInput, position?: number): Promise<RouteChange> =>
      fieldsOr(input, async (fields) => changed(await addRouteRule(db, fields, position))),
    update: (id: number, input: RouteRuleInput): Promise<RouteChange> =>
      fieldsOr(input, async (fields) => changed(await updateRouteRule(db, id, fields))),
    remove: async (id: number): Promise<RouteChange> => changed(await removeRouteRule(db, id)),
    move: async (id: number, position: number): Promise<RouteChange> => changed(await moveRouteRule(db, id, position)),
    /** Which rule a message to `number` would match, and the providers it would go to. */
    async test(probe: {
      readonly number: string;
      readonly accountId: number | null;
      readonly type: SendingType;
      readonly sender: string | null;
    }): Promise<RouteTest | null> {
      const digits = probe.number.replace(/^\+/, '');
      const resolution = /^\d{3,20}$/.test(digits) ? deps.plan.resolve(digits) : null;
      if (resolution === null) return null;
      if (probe.type !== 'default') {
        return { mcc: resolution.mcc, mnc: resolution.mnc, rule: null, providers: [probe.type], margin: null };
      }
      const { routes } = await readRouteTable(db);
      const input = {
        type: probe.type,
        mcc: resolution.mcc,
        mnc: resolution.mnc,
        recipient: digits,
        accountId: probe.accountId,
        sender: probe.sender,
      };
      const rule = routes.match(input);
      const books = await readRoutingBooks(db, { quality: true });
      const customer = await customerRate(db, deps.plan, probe.accountId, digits);
      const margin = ruleMargin(rule, input, books, deps.defaultProviders, {
        rateMinor: customer.rateMinor ?? 0,
        currency: customer.currency,
      });
      const known = customer.rateMinor !== null;
      return {
        mcc: resolution.mcc,
        mnc: resolution.mnc,
        rule,
        providers: margin.candidates.map((c) => c.provider),
        margin: {
          currency: customer.currency,
          rateMinor: customer.rateMinor,
          candidates: known ? margin.candidates : margin.candidates.map((c) => ({ ...c, marginMinor: null })),
          atLoss: known && margin.atLoss,
          refused: known && margin.refused,
        },
      };
    },
  };
}

export type RouteServices = ReturnType<typeof createRouteServices>;

/**
 * What a customer pays for one part to `digits`, priced as a sending is: the account's price list (its own, else the
 * default list of its currency), or without an account the platform's default list in its own currency.
 */
async function customerRate(
  db: Db,
  plan: NumberingPlan,
  accountId: number | null,
  digits: string,
): Promise<{ readonly currency: string; readonly rateMinor: number | null }> {
  let currency = PLATFORM_CURRENCY;
  let card: RateCard | null;
  if (accountId !== null) {
    currency = (await getAccount(db, accountId))?.currency ?? PLATFORM_CURRENCY;
    card = await rateCardsOf(db).forAccount(accountId);
  } else {
    card = createRateCard((await rateListAt(db, { owner: 0, currency })).rows);
  }
  if (card === null) return { currency, rateMinor: null };
  const priced = priceSending({ message: '.', recipients: [digits] }, { plan, rates: card, taxRatePpm: 0 });
  return { currency, rateMinor: priced.ok ? (priced.quote.destinations[0]?.rateMinor ?? null) : null };
}

/** A change as the dashboard answers it: the rule, or 422 naming the field, 404, or 409 for the default rule. */
export function routeOutcome(change: RouteChange): Outcome<RouteRule> {
  if (change.ok) return ok(change.rule);
  switch (change.reason) {
    case 'invalid':
      return invalidOne(change.field ?? 'rule', change.problem);
    case 'not-found':
      return notFound;
    case 'default-rule':
      return conflict(change.problem);
  }
}

export { builtInProviderOrder } from './route-margins.js';
