// Replaying traffic against a proposed route table or cost lists: each handed-over message is tallied twice, as it
// went (its recorded provider, cost and revenue) and as the proposal would have sent it (the provider the proposed
// table chooses, that provider's cost converted at the message's recorded rates). Per currency, per provider and per
// destination country, with the delivery ratio the quality books expect of the provider. Pure: the service feeds it.
import { type CostBook, type DeliveryQuality, deliveryRatioPpm } from './provider-costs.js';
import {
  LOSS_POLICIES,
  type LossPolicy,
  ROUTE_STRATEGIES,
  type RouteRule,
  type RouteStrategy,
  routeRuleProblem,
  SENDER_KINDS,
  type SenderKind,
} from './routing.js';
import { isSendingType, type SendingType } from './sending.js';

/** One side's figures (minor units of the group's currency). */
export interface SimulationFigures {
  readonly messages: number;
  /** What the platform keeps of the messages' prices (net of refunds): the same on both sides unless none routes. */
  readonly revenueMinor: number;
  /** The providers' cost, in the account's currency; messages whose cost is unknown are left out of it. */
  readonly costMinor: number;
  /** Messages with a provider but no known cost (no cost list row, or no conversion rate). */
  readonly costUnknown: number;
  /**
   * Messages a rule whose loss policy is `refuse` would have refused (every candidate costs more than the customer's
   * rate of a part): not sent, so in neither `messages`, revenue nor cost. Always 0 on the actual side.
   */
  readonly refused: number;
  /** The revenue those refused messages brought, which the proposal would have lost. */
  readonly refusedRevenueMinor: number;
  /** revenue − cost. */
  readonly marginMinor: number;
  /** Messages whose provider has delivery reports in the quality books for the destination country. */
  readonly qualityKnown: number;
  /** The mean delivered share the quality books give those messages' providers, ppm; null when none is known. */
  readonly expectedDeliveryPpm: number | null;
}

/** What one group had, and what it would have had. */
export interface SimulationRow {
  readonly currency: string;
  /** The provider's name (`''`: no provider would take it), or the country's ISO code (`''`: unknown). */
  readonly key: string;
  /** The country's name; the key again for a provider. */
  readonly label: string;
  readonly actual: SimulationFigures;
  readonly proposed: SimulationFigures;
}

/** One currency's totals, with how many messages the proposal sends to another provider. */
export interface SimulationTotal {
  readonly currency: string;
  readonly actual: SimulationFigures;
  readonly proposed: SimulationFigures;
  /** Messages the proposal sends to another provider than the one that took them. */
  readonly moved: number;
  /** Messages no provider of the proposal would take (they would fail and be refunded). */
  readonly unrouted: number;
  /** Messages the proposal refuses at a loss (the same as `proposed.refused`). */
  readonly refused: number;
  /** Their revenue, lost under the proposal (the same as `proposed.refusedRevenueMinor`). */
  readonly refusedRevenueMinor: number;
}

export interface SimulationResult {
  readonly totals: readonly SimulationTotal[];
  readonly providers: readonly SimulationRow[];
  readonly countries: readonly SimulationRow[];
}

/** A handed-over message as replayed: how it went and what the proposal would do. */
export interface ReplayedMessage {
  readonly currency: string;
  readonly countryIso: string | null;
  readonly countryName: string | null;
  readonly revenueMinor: number;
  readonly actual: {
    readonly provider: string;
    /** In the account's currency; null when unknown. */
    readonly costMinor: number | null;
    readonly quality: DeliveryQuality | null;
  };
  /** Null provider: nothing in the proposal would take it, or its rule refuses it at a loss (`refused`). */
  readonly proposed: {
    readonly provider: string | null;
    /** A rule whose loss policy is `refuse` would not have accepted it (`routeMargin(…).refused`). */
    readonly refused?: boolean;
    readonly costMinor: number | null;
    readonly quality: DeliveryQuality | null;
  };
}

class Sums {
  messages = 0;
  revenueMinor = 0;
  costMinor = 0;
  costUnknown = 0;
  qualityKnown = 0;
  ratioPpmSum = 0;
  refused = 0;
  refusedRevenueMinor = 0;

  refuse(revenueMinor: number): void {
    this.refused++;
    this.refusedRevenueMinor += revenueMinor;
  }

  add(revenueMinor: number, costMinor: number | null, hasProvider: boolean, quality: DeliveryQuality | null): void {
    this.messages++;
    this.revenueMinor += revenueMinor;
    if (costMinor !== null) this.costMinor += costMinor;
    else if (hasProvider) this.costUnknown++;
    const ratio = quality === null || !hasProvider ? null : deliveryRatioPpm(quality);
    if (ratio !== null) {
      this.qualityKnown++;
      this.ratioPpmSum += ratio;
    }
  }

  figures(): SimulationFigures {
    return {
      messages: this.messages,
      revenueMinor: this.revenueMinor,
      costMinor: this.costMinor,
      costUnknown: this.costUnknown,
      refused: this.refused,
      refusedRevenueMinor: this.refusedRevenueMinor,
      marginMinor: this.revenueMinor - this.costMinor,
      qualityKnown: this.qualityKnown,
      expectedDeliveryPpm: this.qualityKnown === 0 ? null : Math.floor(this.ratioPpmSum / this.qualityKnown),
    };
  }
}

interface Group {
  readonly currency: string;
  readonly key: string;
  label: string;
  readonly actual: Sums;
  readonly proposed: Sums;
}

function groupIn(groups: Map<string, Group>, currency: string, key: string, label: string): Group {
  const id = `${currency}\u0000${key}`;
  let group = groups.get(id);
  if (group === undefined) {
    group = { currency, key, label, actual: new Sums(), proposed: new Sums() };
    groups.set(id, group);
  }
  return group;
}

function rowsOf(groups: Map<string, Group>): SimulationRow[] {
  return [...groups.values()]
    .map((g) => ({
      currency: g.currency,
      key: g.key,
      label: g.label,
      actual: g.actual.figures(),
      proposed: g.proposed.figures(),
    }))
    .sort((a, b) => compare(a.currency, b.currency) || compare(a.key, b.key));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adds messages up as they come (memory grows with the groups, never with the messages). */
export class SimulationTally {
  private readonly totals = new Map<string, Group & { moved: number; unrouted: number }>();
  private readonly providers = new Map<string, Group>();
  private readonly countries = new Map<string, Group>();

  add(message: ReplayedMessage): void {
    const { currency, actual, proposed } = message;
    const proposedRevenue = proposed.provider === null ? 0 : message.revenueMinor;
    let total = this.totals.get(currency);
    if (total === undefined) {
      total = { currency, key: '', label: '', actual: new Sums(), proposed: new Sums(), moved: 0, unrouted: 0 };
      this.totals.set(currency, total);
    }
    const country = groupIn(this.countries, currency, message.countryIso ?? '', message.countryName ?? '');
    for (const group of [total, country]) {
      group.actual.add(message.revenueMinor, actual.costMinor, true, actual.quality);
      if (proposed.refused === true) group.proposed.refuse(message.revenueMinor);
      else group.proposed.add(proposedRevenue, proposed.costMinor, proposed.provider !== null, proposed.quality);
    }
    groupIn(this.providers, currency, actual.provider, actual.provider).actual.add(
      message.revenueMinor,
      actual.costMinor,
      true,
      actual.quality,
    );
    // A refused message goes to no provider: it is counted in the totals and its country only.
    if (proposed.refused === true) return;
    const to = proposed.provider ?? '';
    groupIn(this.providers, currency, to, to).proposed.add(
      proposedRevenue,
      proposed.costMinor,
      proposed.provider !== null,
      proposed.quality,
    );
    if (proposed.provider === null) total.unrouted++;
    else if (proposed.provider !== actual.provider) total.moved++;
  }

  result(): SimulationResult {
    return {
      totals: [...this.totals.values()]
        .sort((a, b) => compare(a.currency, b.currency))
        .map((t) => ({
          currency: t.currency,
          actual: t.actual.figures(),
          proposed: t.proposed.figures(),
          moved: t.moved,
          unrouted: t.unrouted,
          refused: t.proposed.refused,
          refusedRevenueMinor: t.proposed.refusedRevenueMinor,
        })),
      providers: rowsOf(this.providers),
      countries: rowsOf(this.countries),
    };
  }
}

/** The current book with some providers' lists replaced by proposed ones (a proposed provider's list is all of it). */
export function overlaidCostBook(current: CostBook, proposed: CostBook, providers: ReadonlySet<string>): CostBook {
  return Object.freeze({
    version: current.version,
    costOf: (provider: string, mcc: string | null, mnc: string | null) =>
      providers.has(provider) ? proposed.costOf(provider, mcc, mnc) : current.costOf(provider, mcc, mnc),
  });
}

/**
 * A message's revenue as the margin report counts it: its price (rate × parts), less, once its sending is settled or
 * cancelled, what went back of it (price − what was kept).
 */
export function messageRevenueMinor(message: {
  readonly rateMinor: number;
  readonly parts: number;
  readonly keptMinor: number;
  readonly settled: boolean;
}): number {
  const charged = message.rateMinor * message.parts;
  return message.settled ? message.keptMinor : charged;
}

export type RouteTableRead =
  | { readonly ok: true; readonly rules: readonly RouteRule[]; readonly hasDefault: boolean }
  | { readonly ok: false; readonly problem: string };

class TableProblem extends Error {}

function nullableText(value: unknown, where: string, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new TableProblem(`${where}: ${field} must be a string or null`);
  return value;
}

function nullableWhole(value: unknown, where: string, field: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new TableProblem(`${where}: ${field} must be a whole number or null`);
  }
  return n;
}

function choice<T extends string>(values: readonly T[], value: unknown, where: string, field: string): T | null {
  const text = nullableText(value, where, field);
  if (text === null) return null;
  const found = values.find((v) => v === text);
  if (found === undefined) throw new TableProblem(`${where}: ${field} must be one of ${values.join(', ')}`);
  return found;
}

function ruleOf(item: unknown, index: number, known: readonly string[]): RouteRule {
  const where = `rule ${index + 1}`;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TableProblem(`${where}: a rule is an object`);
  }
  const r = item as Record<string, unknown>;
  const isDefault = r.default === true;
  if (r.default !== undefined && typeof r.default !== 'boolean') {
    throw new TableProblem(`${where}: default must be true or false`);
  }
  const providers =
    typeof r.providers === 'string'
      ? r.providers
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '')
      : r.providers === undefined || r.providers === null
        ? []
        : r.providers;
  if (!Array.isArray(providers) || providers.some((p) => typeof p !== 'string')) {
    throw new TableProblem(`${where}: providers must be a list of provider names`);
  }
  for (const name of providers as string[]) {
    if (!known.includes(name))
      throw new TableProblem(`${where}: unknown provider "${name}" (known: ${known.join(', ')})`);
  }
  const type = nullableText(r.type, where, 'type');
  if (type !== null && !isSendingType(type)) throw new TableProblem(`${where}: unknown sending type "${type}"`);
  const rule: RouteRule = {
    id: -(index + 1),
    position: index + 1,
    isDefault,
    mcc: isDefault ? null : nullableText(r.mcc, where, 'mcc'),
    mnc: isDefault ? null : nullableText(r.mnc, where, 'mnc'),
    prefix: isDefault ? null : (nullableText(r.prefix, where, 'prefix')?.replace(/^\+/, '') ?? null),
    accountId: isDefault ? null : nullableWhole(r.account_id, where, 'account_id'),
    sendingType: isDefault ? null : (type as SendingType | null),
    senderKind: isDefault ? null : choice<SenderKind>(SENDER_KINDS, r.sender_kind, where, 'sender_kind'),
    strategy: choice<RouteStrategy>(ROUTE_STRATEGIES, r.strategy, where, 'strategy') ?? 'failover',
    providers: providers as string[],
    quality: {
      minDeliveryPpm: nullableWhole(r.min_delivery_ppm, where, 'min_delivery_ppm'),
      maxLatencyMs: nullableWhole(r.max_latency_ms, where, 'max_latency_ms'),
      minReports: nullableWhole(r.min_reports, where, 'min_reports'),
    },
    loss: choice<LossPolicy>(LOSS_POLICIES, r.loss, where, 'loss') ?? 'send',
  };
  const problem = routeRuleProblem(rule, rule, isDefault);
  if (problem !== null) throw new TableProblem(`${where}: ${problem}`);
  return rule;
}

/**
 * A whole route table from JSON, as `smsgic routes list --json` prints it (`{"routes": [...]}`, or the list alone):
 * the rules in the file's order, at most one marked `"default": true`. `known`: the providers a rule may name.
 */
export function routeTableFromJson(text: string, known: readonly string[]): RouteTableRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  const list =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as { routes?: unknown }).routes
      : parsed;
  if (!Array.isArray(list)) return { ok: false, problem: 'expected a list of rules, or an object with "routes"' };
  try {
    const rules = list.map((item, index) => ruleOf(item, index, known));
    const defaults = rules.filter((r) => r.isDefault).length;
    if (defaults > 1) return { ok: false, problem: 'more than one rule is marked "default": true' };
    return { ok: true, rules, hasDefault: defaults === 1 };
  } catch (error) {
    if (error instanceof TableProblem) return { ok: false, problem: error.message };
    throw error;
  }
}
