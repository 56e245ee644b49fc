// Which provider takes a message, decided here alone: the sending's type when it names a provider, else the first
// rule of the operator's route table that matches it (domain/routing.ts), with failover across the rule's providers.
// The lease records each choice; failover and hold-back ask the same function.

import { type CostBook, EMPTY_COST_BOOK, EMPTY_QUALITY_BOOK, type QualityBook } from '../domain/provider-costs.js';
import {
  BUILT_IN_DEFAULT_RULE,
  type CompiledRoutes,
  compileRoutes,
  type RouteRule,
  type RoutingInput,
  ruleOf,
  ruleProviders,
} from '../domain/routing.js';
import type { SendingType } from '../domain/sending.js';
import type { ClockUs } from '../domain/time.js';
import type { Db } from '../store/db.js';
import type { DispatchSending, LeasedMessage, RouteChoice } from '../store/dispatch-queue.js';
import { readRouteTable } from '../store/route-rules.js';
import type { ProviderAdapter } from './provider.js';
import { type CircuitPolicy, ProviderHealth, type ProviderHealthState } from './provider-health.js';
import { SANDBOX_PROVIDER } from './providers/sandbox/adapter.js';
import { PROVIDERS, type ProviderRegistry } from './registry.js';
import type { RoutingBooks } from './routing-books.js';

/**
 * A route of a table written in code: messages to this network (MCC + MNC), or to this country (MCC alone, `mnc`
 * absent), go to `providers` in order (failover). Network routes come before country routes.
 */
export interface Route {
  readonly mcc: string;
  readonly mnc?: string | null;
  readonly providers: readonly string[];
}

/** A route table fixed in code (tests, embedded uses); without one the router follows the operator's table. */
export interface RouteTable {
  readonly routes: readonly Route[];
  /** Where messages no route matches go (and those whose network is unknown); empty: nowhere, they fail. */
  readonly defaultProviders: readonly string[];
}

/** What routing knows of a message: its sending's type, its network, and what rules may match on. */
export type RoutedMessage = RoutingInput;

export interface Router {
  /**
   * Follows the operator's route table: one query for its version, the rules read again only when it moved (by any
   * process). A router given a table in code keeps that table.
   */
  refresh(db: Db): Promise<void>;
  /** The rule of the route table that decides the message; null for a sending type that names its provider. */
  ruleFor(message: RoutedMessage): RouteRule | null;
  /** The ordered providers a message may go to, as configured (whatever their health); empty when none serves it. */
  providersFor(message: RoutedMessage): readonly string[];
  /**
   * The provider of attempt `attempt` (from 1): attempt N takes the Nth provider of the live list, round again after
   * the last; null when none serves the message. A `default` message skips providers whose circuit is open (all of
   * them open: the list as configured); a named type keeps its provider.
   */
  providerFor(message: RoutedMessage, attempt: number): string | null;
  /** `providerFor` and the rule that decided it (the rule is recorded only for the operator's table), for the lease. */
  choose(message: RoutedMessage, attempt: number): RouteChoice;
  adapter(name: string): ProviderAdapter | undefined;
  /** Every adapter a route or a type can reach (for polling and throttles). */
  adapters(): readonly ProviderAdapter[];
  /** The providers' circuit breakers, which the worker tells of each hand-over call. */
  readonly circuits: ProviderHealth;
  /** Each used provider's circuit, for logs and metrics. */
  health(): readonly ProviderHealthState[];
  /** The registry's `onReportStored`: pushed reports stored, callbacks possibly due. */
  onReportStored(listener: () => void): () => void;
  /** The cost lists as this router last read them (settlement records each hand-over's cost with the same book). */
  costBook(): CostBook;
}

export interface RouterOptions {
  /** The circuits' clock; default the system's. Tests pass a fake one. */
  readonly clockUs?: ClockUs;
  readonly circuit?: Partial<CircuitPolicy>;
  /** Circuits shared with another router (else the router makes its own). */
  readonly circuits?: ProviderHealth;
  /** The providers' costs, read when a least-cost rule orders its providers; default: none known. */
  readonly costBook?: () => CostBook;
  /** The providers' delivery quality, for least-cost thresholds; default: none known (every provider passes). */
  readonly qualityBook?: () => QualityBook;
  /** Currency rates to compare costs quoted in different currencies; default: none. */
  readonly ratePpmOf?: (currency: string) => number | null;
  /**
   * The database's books (cost lists, delivery quality, conversion rates), brought up to date with the route table
   * at every `refresh`; they stand in for the three options above.
   */
  readonly books?: RoutingBooks;
}

/** The message and its sending as routing sees them (lease, failover and hold-back alike). */
export function routedMessage(
  message: Pick<LeasedMessage, 'mcc' | 'mnc' | 'recipient'>,
  sending: Pick<DispatchSending, 'type' | 'accountId' | 'sender'>,
): RoutedMessage {
  return {
    type: sending.type,
    mcc: message.mcc,
    mnc: message.mnc,
    recipient: message.recipient,
    accountId: sending.accountId,
    sender: sending.sender,
  };
}

/**
 * The platform's routing without a table: the configured real providers in order; the sandbox only when no real
 * provider is configured at all. A configured provider this build has no adapter for never falls back to the sandbox
 * (which would pretend to deliver and charge): its messages find no provider, fail and are refunded.
 */
export function defaultRouteTable(registry: ProviderRegistry): RouteTable {
  const real = registry.realProviders();
  if (real.length > 0) return { routes: [], defaultProviders: real };
  return { routes: [], defaultProviders: registry.unavailable.length > 0 ? [] : [SANDBOX_PROVIDER] };
}

/** A table in code as rules: network routes first, then country routes, each in the order listed; then the default. */
function rulesOfTable(table: RouteTable): RouteRule[] {
  const network = table.routes.filter((r) => r.mnc !== undefined && r.mnc !== null);
  const country = table.routes.filter((r) => r.mnc === undefined || r.mnc === null);
  return [...network, ...country].map(
    (route, i): RouteRule => ({
      ...BUILT_IN_DEFAULT_RULE,
      id: -(i + 1),
      position: i + 1,
      isDefault: false,
      mcc: route.mcc,
      mnc: route.mnc ?? null,
      providers: route.providers,
    }),
  );
}

function checkTable(registry: ProviderRegistry, table: RouteTable): void {
  for (const route of table.routes) {
    if (route.providers.length === 0) throw new Error(`the route of MCC ${route.mcc} has no provider`);
  }
  for (const providers of [table.defaultProviders, ...table.routes.map((r) => r.providers)]) {
    for (const name of providers) {
      if (!registry.get(name)) throw new Error(`route names provider ${name}, which is not configured`);
    }
  }
}

/**
 * A router over `registry`. With `table`, routing follows that table for good; without one, it follows the
 * operator's route table (`refresh`), whose default rule naming no providers means `defaultRouteTable`.
 */
export function createRouter(registry: ProviderRegistry, table?: RouteTable, options: RouterOptions = {}): Router {
  if (table !== undefined) checkTable(registry, table);
  const fromDatabase = table === undefined;
  const defaults = (table ?? defaultRouteTable(registry)).defaultProviders;
  let routes: CompiledRoutes = compileRoutes(table === undefined ? [] : rulesOfTable(table));
  let version: number | null = null;
  // A provider the customer chose: that one only, no failover to another; none when it is not configured.
  const named = new Map<SendingType, readonly string[]>(
    PROVIDERS.flatMap(({ name, sendingType }) =>
      sendingType === undefined ? [] : [[sendingType, registry.get(name) ? [name] : []] as const],
    ),
  );
  const costBook = options.books?.costBook ?? options.costBook ?? (() => EMPTY_COST_BOOK);
  const qualityBook = options.books?.qualityBook ?? options.qualityBook ?? (() => EMPTY_QUALITY_BOOK);
  const ratePpmOf = options.books?.ratePpmOf ?? options.ratePpmOf;
  const books = () => ({ costBook: costBook(), qualityBook: qualityBook(), ...(ratePpmOf && { ratePpmOf }) });
  const ruleFor = (message: RoutedMessage): RouteRule | null => ruleOf(routes, message);
  // A rule may name a provider this process has no configuration for (the table is shared): it is skipped.
  const usable = fromDatabase ? (name: string) => registry.get(name) !== undefined : undefined;
  const providersOf = (message: RoutedMessage, rule: RouteRule | null): readonly string[] => {
    if (rule === null) return named.get(message.type) ?? [];
    return ruleProviders(rule, message, books(), defaults, usable);
  };
  const circuits =
    options.circuits ??
    new ProviderHealth({
      ...(options.clockUs && { clockUs: options.clockUs }),
      ...(options.circuit && { policy: options.circuit }),
    });
  /**
   * A `default` message's providers that take traffic now. When every one is open the list stays as configured: its
   * messages are then held back by the worker until a circuit lets them through, rather than failed for want of one.
   */
  const live = (providers: readonly string[]): readonly string[] => {
    if (providers.length < 2) return providers;
    const up = providers.filter((name) => circuits.routable(name));
    return up.length > 0 ? up : providers;
  };
  const reachable = [
    ...new Set([...defaults, ...(table?.routes.flatMap((r) => r.providers) ?? []), ...registry.names()]),
  ];
  const choose = (message: RoutedMessage, attempt: number): RouteChoice => {
    const rule = ruleFor(message);
    const configured = providersOf(message, rule);
    const list = message.type === 'default' ? live(configured) : configured;
    const provider = list.length === 0 ? null : (list[(attempt - 1) % list.length] ?? null);
    // Recorded only for a rule of the operator's table (the built-in default before any table is read has id 0).
    return { provider, ruleId: fromDatabase && rule !== null && rule.id > 0 ? rule.id : null };
  };
  return {
    async refresh(db) {
      await options.books?.refresh();
      if (!fromDatabase) return;
      const read = await readRouteTable(db);
      if (read.version !== version) {
        routes = read.routes;
        version = read.version;
      }
    },
    ruleFor,
    providersFor: (message) => providersOf(message, ruleFor(message)),
    providerFor: (message, attempt) => choose(message, attempt).provider,
    choose,
    adapter: (name) => registry.get(name),
    // Every configured provider: a rule of the operator's table may name any of them.
    adapters: () => reachable.flatMap((name) => registry.get(name) ?? []),
    circuits,
    health: () => circuits.snapshot(),
    onReportStored: (listener) => registry.onReportStored(listener),
    costBook,
  };
}
