// "What if": the last days' handed-over messages replayed against a proposed route table and/or proposed cost lists,
// beside what actually happened; nothing is written. Routing is the router's own (the compiled table's match, then
// the rule's provider order); the proposed provider's cost is converted into the account's currency at the rates the
// message recorded. The CLI (`smsgic routes simulate`) and the operator's Routes page both come here.
import { type CostList, costBookOf, parseCostsCsv } from '../domain/cost-lists.js';
import { MARGIN_DAYS_MAX } from '../domain/limits.js';
import { messageProviderCost } from '../domain/margins.js';
import { CURRENCIES, currencyOf } from '../domain/money.js';
import { PLATFORM_CURRENCY } from '../domain/price-lists.js';
import type { CostBook, QualityBook } from '../domain/provider-costs.js';
import { ruleMargin } from '../domain/route-margin.js';
import {
  messageRevenueMinor,
  overlaidCostBook,
  routeTableFromJson,
  type SimulationResult,
  SimulationTally,
} from '../domain/route-simulation.js';
import {
  compileRoutes,
  providerOrder,
  type RouteRule,
  type RoutingBooks,
  type RoutingInput,
  routeRuleProblem,
  ruleOf,
} from '../domain/routing.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { US_PER_DAY } from '../store/admin-views.js';
import type { Db } from '../store/db.js';
import { readQualityBook } from '../store/delivery-quality.js';
import { dayText } from '../store/margins.js';
import { costList, readCostBook } from '../store/provider-costs.js';
import { conversionRatesPpm } from '../store/rates.js';
import { listRouteRules } from '../store/route-rules.js';
import { type HandedOverMessage, handedOverMessages } from '../store/route-simulation.js';
import type { Fields } from './form-fields.js';
import { invalid, type Outcome, ok } from './outcome.js';
import { routeRuleFieldsFrom } from './routes.js';

export type { SimulationResult };

export interface SimulationRequest {
  /** The last `days` UTC days, today included (sendings stored since the first one's midnight). */
  readonly days: number;
  /** The whole proposed table (the default rule among them); null: the current table. */
  readonly rules: readonly RouteRule[] | null;
  /** Proposed cost lists; every other provider keeps its current one. */
  readonly costs: readonly CostList[];
  /** Only this account's sendings; null: every account's. */
  readonly accountId?: number | null;
}

export interface RouteSimulation extends SimulationResult {
  /** The first and last UTC day replayed, YYYY-MM-DD (what `report margin --from --to` takes). */
  readonly from: string;
  readonly to: string;
  readonly days: number;
  /** Whether the table replayed was a proposed one, and which providers' lists were proposed. */
  readonly proposedTable: boolean;
  readonly proposedCosts: readonly string[];
  /**
   * Providers the replayed table's rules name that this process's configuration has none of. The replay cannot know
   * the configuration of the workers that would send (the table is shared), so every provider a rule names is
   * assumed available; these are named so that the operator can tell. Null: this process's configuration is unknown.
   */
  readonly unconfigured: readonly string[] | null;
}

export interface SimulationDeps {
  readonly db: Db;
  /** Every provider a rule may name. */
  readonly knownProviders: readonly string[];
  /** What the default rule naming no providers means. */
  readonly defaultProviders: readonly string[];
  /** The providers this process's configuration turns on; absent: not known (nothing is said of them). */
  readonly configured?: ReadonlySet<string>;
}

/** A refusal of a proposal, in the operator's words; `field` for the dashboard's form. */
export interface ProposalProblem {
  readonly ok: false;
  readonly field: string;
  readonly problem: string;
}

export function daysProblem(days: number): string | null {
  return Number.isSafeInteger(days) && days >= 1 && days <= MARGIN_DAYS_MAX
    ? null
    : `days must be a whole number from 1 to ${MARGIN_DAYS_MAX}`;
}

/**
 * A proposed cost list from CSV (`mcc,mnc,cost[,currency]`, as `smsgic costs import` reads it): in `currency`, else
 * the one the file states, else the provider's stored list's, else the platform's base currency.
 */
export async function proposedCostList(
  deps: Pick<SimulationDeps, 'db' | 'knownProviders'>,
  provider: string,
  csv: string,
  currency?: string,
): Promise<{ readonly ok: true; readonly list: CostList } | ProposalProblem> {
  if (!deps.knownProviders.includes(provider)) {
    return {
      ok: false,
      field: 'cost_provider',
      problem: `"${provider}" is not a provider of this platform (${deps.knownProviders.join(', ')})`,
    };
  }
  const given = currency?.trim().toUpperCase();
  if (given !== undefined && given !== '' && currencyOf(given) === undefined) {
    return {
      ok: false,
      field: 'currency',
      problem: `"${currency}" is not a currency of the platform (${Object.keys(CURRENCIES).join(', ')})`,
    };
  }
  const parsed = parseCostsCsv(csv);
  if (!parsed.ok) return { ok: false, field: 'csv', problem: `line ${parsed.line}: ${parsed.message}` };
  if (given && parsed.currency !== null && parsed.currency !== given) {
    return { ok: false, field: 'currency', problem: `the list states ${parsed.currency} but ${given} was asked for` };
  }
  const listCurrency =
    (given || null) ?? parsed.currency ?? (await costList(deps.db, provider))?.currency ?? PLATFORM_CURRENCY;
  return { ok: true, list: { provider, currency: listCurrency, rows: parsed.rows } };
}

/**
 * A proposed table from JSON (as `smsgic routes list --json` prints it); a file without a default rule keeps the
 * current one.
 */
export async function proposedTableFromJson(
  deps: Pick<SimulationDeps, 'db' | 'knownProviders'>,
  text: string,
): Promise<{ readonly ok: true; readonly rules: readonly RouteRule[] } | ProposalProblem> {
  const read = routeTableFromJson(text, deps.knownProviders);
  if (!read.ok) return { ok: false, field: 'rules', problem: read.problem };
  if (read.hasDefault) return { ok: true, rules: read.rules };
  const current = (await listRouteRules(deps.db)).filter((r) => r.isDefault);
  return { ok: true, rules: [...read.rules, ...current] };
}

/** The current table with one rule changed (`ruleId`) or added at `position` (default: last before the default). */
export function tableWithRule(
  current: readonly RouteRule[],
  ruleId: number | null,
  fields: Omit<RouteRule, 'id' | 'position' | 'isDefault'>,
  position?: number,
): readonly RouteRule[] | null {
  if (ruleId !== null) {
    const existing = current.find((r) => r.id === ruleId);
    if (existing === undefined) return null;
    const changed: RouteRule = existing.isDefault
      ? {
          ...existing,
          strategy: fields.strategy,
          providers: fields.providers,
          quality: fields.quality,
          loss: fields.loss,
        }
      : { ...existing, ...fields };
    return current.map((r) => (r.id === ruleId ? changed : r));
  }
  const ordinary = current.filter((r) => !r.isDefault);
  const at = Math.min(Math.max(position ?? ordinary.length + 1, 1), ordinary.length + 1);
  const added: RouteRule = { ...fields, id: 0, position: at, isDefault: false };
  const moved = ordinary.map((r) => (r.position >= at ? { ...r, position: r.position + 1 } : r));
  return [...moved, added, ...current.filter((r) => r.isDefault)];
}

/** The rates to convert a message's proposed cost: those the message recorded where they apply, else today's. */
function ratesOf(message: HandedOverMessage, current: ReadonlyMap<string, number>) {
  return (currency: string): number | null => {
    if (currency === message.providerCostCurrency && message.providerCostFromPpm !== null) {
      return message.providerCostFromPpm;
    }
    if (currency === message.currency && message.providerCostToPpm !== null) return message.providerCostToPpm;
    return current.get(currency) ?? null;
  };
}

function routingInputOf(message: HandedOverMessage): RoutingInput {
  return {
    type: message.type,
    mcc: message.mcc,
    mnc: message.mnc,
    recipient: message.recipient,
    accountId: message.accountId,
    sender: message.sender,
  };
}

/**
 * Replays the handed-over messages of the last `days` days against the proposal, page by page, and adds them up. A
 * sending type that names its provider keeps it; a `default` one takes the first provider the proposed table's rule
 * gives it (least cost with the proposed costs). Every provider a rule names counts as available. A message whose
 * rule has the loss policy `refuse` and would have refused it (`ruleMargin`, as a new sending is refused: every
 * candidate's cost of a part, converted as the replay converts costs, above the rate of a part the message recorded)
 * is counted as refused, its revenue as lost, instead of sent.
 */
export async function simulateRoutes(deps: SimulationDeps, request: SimulationRequest): Promise<RouteSimulation> {
  const { db } = deps;
  const today = Math.floor(db.nowUs() / US_PER_DAY);
  const from = today - request.days + 1;
  const [rules, currentCosts, quality, rates] = await Promise.all([
    request.rules ?? listRouteRules(db),
    readCostBook(db),
    readQualityBook(db),
    conversionRatesPpm(db),
  ]);
  const proposedProviders = new Set(request.costs.map((list) => list.provider));
  const costBook: CostBook = overlaidCostBook(currentCosts, costBookOf(0, request.costs), proposedProviders);
  const qualityBook: QualityBook = quality;
  const routes = compileRoutes(rules);
  const books: RoutingBooks = { costBook, qualityBook, ratePpmOf: (currency) => rates.get(currency) ?? null };
  const tally = new SimulationTally();
  const pages = handedOverMessages(db, {
    fromUs: from * US_PER_DAY,
    toUs: (today + 1) * US_PER_DAY,
    accountId: request.accountId ?? null,
  });
  for await (const page of pages) {
    for (const message of page) {
      const input = routingInputOf(message);
      const rule = ruleOf(routes, input);
      const proposedProvider =
        rule !== null ? (providerOrder(rule, input, books, deps.defaultProviders)[0] ?? null) : message.provider;
      const refused =
        rule !== null &&
        rule.loss === 'refuse' &&
        ruleMargin(rule, input, { ...books, ratePpmOf: ratesOf(message, rates) }, deps.defaultProviders, {
          rateMinor: message.rateMinor,
          currency: message.currency,
        }).refused;
      const proposedCost =
        proposedProvider === null
          ? null
          : messageProviderCost(
              costBook,
              { provider: proposedProvider, mcc: message.mcc, mnc: message.mnc, parts: message.parts },
              message.currency,
              ratesOf(message, rates),
            );
      tally.add({
        currency: message.currency,
        countryIso: message.countryIso,
        countryName: message.countryName,
        revenueMinor: messageRevenueMinor(message),
        actual: {
          provider: message.provider,
          costMinor: message.providerCostAccountMinor,
          quality: qualityBook.qualityOf(message.provider, message.mcc),
        },
        proposed: {
          provider: proposedProvider,
          refused,
          costMinor: proposedCost?.accountAmountMinor ?? null,
          quality: proposedProvider === null ? null : qualityBook.qualityOf(proposedProvider, message.mcc),
        },
      });
    }
  }
  return {
    ...tally.result(),
    from: dayText(from),
    to: dayText(today),
    days: request.days,
    proposedTable: request.rules !== null,
    proposedCosts: [...proposedProviders],
    unconfigured: unconfiguredOf(rules, deps.configured),
  };
}

/** The providers `rules` name that `configured` has not, in the order first named; null when it is not known. */
function unconfiguredOf(rules: readonly RouteRule[], configured: ReadonlySet<string> | undefined): string[] | null {
  if (configured === undefined) return null;
  const named = new Set(rules.flatMap((rule) => rule.providers));
  return [...named].filter((name) => !configured.has(name));
}

/** What the default rule matches: everything (its own match fields are never changed). */
const ANY_MESSAGE = {
  mcc: null,
  mnc: null,
  prefix: null,
  accountId: null,
  sendingType: null,
  senderKind: null,
} as const;

function fieldText(fields: Fields, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/**
 * The operator page's simulation: the current table with the rule of the form (`rule`: "new", or the id of the rule
 * being edited; empty: no rule change) and/or a cost list (`cost_provider` and `csv`, optionally `currency`), over
 * `days` days.
 */
export function createRouteSimulationServices(deps: SimulationDeps) {
  return {
    async simulate(fields: Fields): Promise<Outcome<RouteSimulation>> {
      const errors = new ValidationErrors();
      const daysText = fieldText(fields, 'days') || '7';
      const days = /^\d{1,4}$/.test(daysText) ? Number(daysText) : Number.NaN;
      if (Number.isNaN(days)) errors.add('days', ruleText.integer('days'));
      else if (days < 1) errors.add('days', ruleText.minNumber('days', 1));
      else if (days > MARGIN_DAYS_MAX) errors.add('days', ruleText.maxNumber('days', MARGIN_DAYS_MAX));
      let rules: readonly RouteRule[] | null = null;
      const ruleWord = fieldText(fields, 'rule');
      if (ruleWord !== '') {
        const read = routeRuleFieldsFrom(fields, deps.knownProviders);
        const ruleId = ruleWord === 'new' ? null : /^\d{1,15}$/.test(ruleWord) ? Number(ruleWord) : Number.NaN;
        if (Number.isNaN(ruleId)) errors.add('rule', 'rule must be "new" or the id of a rule');
        else if (!read.ok) errors.add(read.field, read.problem);
        else {
          const current = await listRouteRules(deps.db);
          const isDefault = ruleId !== null && current.find((r) => r.id === ruleId)?.isDefault === true;
          const problem = routeRuleProblem(
            isDefault ? { ...read.fields, ...ANY_MESSAGE } : read.fields,
            read.fields,
            isDefault,
          );
          const position = /^\d{1,9}$/.test(fieldText(fields, 'position'))
            ? Number(fieldText(fields, 'position'))
            : undefined;
          if (problem !== null) errors.add('rule', problem);
          else {
            rules = tableWithRule(current, ruleId, read.fields, position);
            if (rules === null) errors.add('rule', `no route rule ${ruleId}`);
          }
        }
      }
      const costs: CostList[] = [];
      const provider = fieldText(fields, 'cost_provider');
      const csv = typeof fields.csv === 'string' ? fields.csv : '';
      if (provider !== '' || csv.trim() !== '') {
        if (provider === '') errors.add('cost_provider', 'choose the provider the cost list is for');
        else if (csv.trim() === '') errors.add('csv', 'the cost list is empty');
        else {
          const list = await proposedCostList(deps, provider, csv, fieldText(fields, 'currency') || undefined);
          if (list.ok) costs.push(list.list);
          else errors.add(list.field, list.problem);
        }
      }
      if (!errors.empty) return invalid(errors);
      return ok(await simulateRoutes(deps, { days, rules, costs }));
    },
  };
}

export type RouteSimulationServices = ReturnType<typeof createRouteSimulationServices>;
