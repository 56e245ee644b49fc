// Which provider takes a message: the sending's type, or for `default` an ordered route table with failover.

import type { SendingType } from '../domain/sending.js';
import type { ClockUs } from '../domain/time.js';
import type { RoutePlan } from '../store/dispatch-queue.js';
import type { ProviderAdapter } from './provider.js';
import { type CircuitPolicy, ProviderHealth, type ProviderHealthState } from './provider-health.js';
import { SANDBOX_PROVIDER } from './providers/sandbox/adapter.js';
import { PROVIDERS, type ProviderRegistry } from './registry.js';

/**
 * A route: messages to this network (MCC + MNC), or to this country (MCC alone, `mnc` absent), go to `providers`, in
 * order: the first takes each message's first attempt, the next one the attempt after a retryable refusal, and so on,
 * round again after the last.
 */
export interface Route {
  readonly mcc: string;
  readonly mnc?: string | null;
  readonly providers: readonly string[];
}

export interface RouteTable {
  readonly routes: readonly Route[];
  /** Where messages no route matches go (and those whose network is unknown); empty: nowhere, they fail. */
  readonly defaultProviders: readonly string[];
}

export interface Router {
  /** The ordered providers a message may go to, as configured (whatever their health); empty when none serves it. */
  providersFor(message: RoutedMessage): readonly string[];
  /**
   * The provider of attempt `attempt` (from 1); null when none serves the message. A `default` message's route skips
   * providers whose circuit is open (all of them open: the route as configured); a named type keeps its provider.
   */
  providerFor(message: RoutedMessage, attempt: number): string | null;
  adapter(name: string): ProviderAdapter | undefined;
  /** Every adapter a route or a type can reach (for polling and throttles). */
  adapters(): readonly ProviderAdapter[];
  /** The same choices as data, as they stand now, for the lease statement to record each message's provider. */
  plan(): RoutePlan;
  /** The providers' circuit breakers, which the worker tells of each hand-over call. */
  readonly circuits: ProviderHealth;
  /** Each used provider's circuit, for logs and metrics. */
  health(): readonly ProviderHealthState[];
  /** The registry's `onReportStored`: pushed reports stored, callbacks possibly due. */
  onReportStored(listener: () => void): () => void;
}

export interface RouterOptions {
  /** The circuits' clock; default the system's. Tests pass a fake one. */
  readonly clockUs?: ClockUs;
  readonly circuit?: Partial<CircuitPolicy>;
  /** Circuits shared with another router (else the router makes its own). */
  readonly circuits?: ProviderHealth;
}

export interface RoutedMessage {
  readonly type: SendingType;
  readonly mcc: string | null;
  readonly mnc: string | null;
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

export function createRouter(
  registry: ProviderRegistry,
  table: RouteTable = defaultRouteTable(registry),
  options: RouterOptions = {},
): Router {
  for (const route of table.routes) {
    if (route.providers.length === 0) throw new Error(`the route of MCC ${route.mcc} has no provider`);
  }
  for (const providers of [table.defaultProviders, ...table.routes.map((r) => r.providers)]) {
    for (const name of providers) {
      if (!registry.get(name)) throw new Error(`route names provider ${name}, which is not configured`);
    }
  }
  // Lookups by "mcc:mnc" then "mcc"; the first route listed for a key wins, as an ordered table reads.
  const byNetwork = new Map<string, readonly string[]>();
  const byCountry = new Map<string, readonly string[]>();
  for (const route of table.routes) {
    if (route.mnc !== undefined && route.mnc !== null) {
      const key = `${route.mcc}:${route.mnc}`;
      if (!byNetwork.has(key)) byNetwork.set(key, route.providers);
    } else if (!byCountry.has(route.mcc)) byCountry.set(route.mcc, route.providers);
  }
  // A provider the customer chose: that one only, no failover to another; none when it is not configured.
  const named = new Map<SendingType, readonly string[]>(
    PROVIDERS.flatMap(({ name, sendingType }) =>
      sendingType === undefined ? [] : [[sendingType, registry.get(name) ? [name] : []] as const],
    ),
  );
  const providersFor = (message: RoutedMessage): readonly string[] => {
    if (message.type !== 'default') return named.get(message.type) ?? [];
    if (message.mcc !== null) {
      if (message.mnc !== null) {
        const network = byNetwork.get(`${message.mcc}:${message.mnc}`);
        if (network) return network;
      }
      const country = byCountry.get(message.mcc);
      if (country) return country;
    }
    return table.defaultProviders;
  };
  const reachable = new Set<string>([...table.defaultProviders, ...table.routes.flatMap((r) => r.providers)]);
  for (const name of registry.names()) reachable.add(name);
  const circuits =
    options.circuits ??
    new ProviderHealth({
      ...(options.clockUs && { clockUs: options.clockUs }),
      ...(options.circuit && { policy: options.circuit }),
    });
  /**
   * A `default` route's providers that take traffic now. When every one is open the route stays as configured: its
   * messages are then held back by the worker until a circuit lets them through, rather than failed for want of one.
   */
  const live = (providers: readonly string[]): readonly string[] => {
    if (providers.length < 2) return providers;
    const up = providers.filter((name) => circuits.routable(name));
    return up.length > 0 ? up : providers;
  };
  return {
    providersFor,
    providerFor(message, attempt) {
      const configured = providersFor(message);
      const list = message.type === 'default' ? live(configured) : configured;
      if (list.length === 0) return null;
      return list[(attempt - 1) % list.length] ?? null;
    },
    adapter: (name) => registry.get(name),
    adapters: () => [...reachable].flatMap((name) => registry.get(name) ?? []),
    // Built on each lease, so that the lease statement itself records the provider that is up at that moment.
    plan: () => ({
      byType: named,
      byNetwork: [...byNetwork].map(([key, providers]) => {
        const [mcc = '', mnc = ''] = key.split(':');
        return { mcc, mnc, providers: live(providers) };
      }),
      byCountry: [...byCountry].map(([mcc, providers]) => ({ mcc, providers: live(providers) })),
      defaults: live(table.defaultProviders),
    }),
    circuits,
    health: () => circuits.snapshot(),
    onReportStored: (listener) => registry.onReportStored(listener),
  };
}
