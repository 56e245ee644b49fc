// The one place that maps provider names to configured adapters: the sandbox always, real providers as configured.
import type { ProviderConfig } from '../config.js';
import { NAMED_SENDING_TYPES } from '../domain/sending.js';
import type { ClockUs } from '../domain/time.js';
import type { DeliveryReport, ProviderAdapter } from './provider.js';
import { infobipProviderFromConfig } from './providers/infobip/adapter.js';
import { messenteProviderFromConfig } from './providers/messente/adapter.js';
import { createSandboxProvider, SANDBOX_PROVIDER } from './providers/sandbox/adapter.js';
import { createMemorySandboxUpstream, type SandboxUpstream } from './providers/sandbox/upstream.js';
import { smppProviderFromEnv } from './providers/smpp/adapter.js';
import { trumpiaProviderFromConfig } from './providers/trumpia/adapter.js';
import { twilioProviderFromConfig } from './providers/twilio/adapter.js';

/** Real providers in the order the platform's default route tries them when several are configured. */
export const REAL_PROVIDERS = [...NAMED_SENDING_TYPES, 'smpp'] as const;
export type RealProvider = (typeof REAL_PROVIDERS)[number];

/** Every provider this build knows, and which of them the configuration turns on: what the operator's view lists. */
export interface ProviderCatalog {
  /** The sandbox first, then the real providers in the default route's order. */
  readonly known: readonly string[];
  /** The sandbox always, and each real provider the configuration names. */
  readonly configured: ReadonlySet<string>;
}

export function providerCatalog(config: ProviderConfig): ProviderCatalog {
  const configured = new Set<string>([SANDBOX_PROVIDER]);
  for (const name of REAL_PROVIDERS) {
    if (name === 'smpp' ? config.smppUrl !== undefined : config[name] !== undefined) configured.add(name);
  }
  return { known: [SANDBOX_PROVIDER, ...REAL_PROVIDERS], configured };
}

export interface ProviderRegistry {
  get(name: string): ProviderAdapter | undefined;
  /** Every registered provider, the sandbox included. */
  names(): readonly string[];
  /** Configured real providers, in REAL_PROVIDERS order: the default route; empty means the sandbox. */
  realProviders(): readonly string[];
  /** Providers named in the configuration that this build has no adapter for (their messages fail and are refunded). */
  readonly unavailable: readonly string[];
  /** Closes every adapter's connections. */
  close(): Promise<void>;
  /**
   * Calls `listener` after each report a provider pushed has gone through `reportSink` (its status changes and their
   * callbacks are stored): the worker of this process then delivers those callbacks without waiting for its poll.
   */
  onReportStored(listener: () => void): () => void;
}

export interface RegistryOptions {
  readonly clockUs: ClockUs;
  /** The environment's providers (src/config.ts); absent in tests. */
  readonly providers?: ProviderConfig;
  readonly sandbox?: {
    /** Where the sandbox records what it accepted: shared by every process when table-backed. Default: memory. */
    readonly upstream?: SandboxUpstream;
    readonly reportDelayMs?: number;
  };
  /** Adapters built elsewhere (tests, simulators); a name given here replaces the configured one. */
  readonly adapters?: readonly ProviderAdapter[];
  /** Where reports that providers push (SMPP receipts) go: the store, in production. */
  readonly reportSink?: ReportSink;
  /** PUBLIC_URL: where HTTP providers are told to send delivery reports. */
  readonly publicUrl?: string;
  /** An SMPP bind refused (once per change of refusal), or accepted again (null): for the operators' log. */
  readonly onSmppBindRefusal?: (error: string | null) => void;
}

export type ReportSink = (provider: string, report: DeliveryReport) => Promise<void>;

/**
 * Adapter factories of real providers by name, each given the configuration. None is built yet: a configured
 * provider without a factory is reported in `unavailable`. SMPP and the HTTP providers add theirs here.
 */
type Factory = (
  config: ProviderConfig,
  clockUs: ClockUs,
  sink: ReportSink | undefined,
  publicUrl: string | undefined,
  options: RegistryOptions,
) => ProviderAdapter;

const FACTORIES: Partial<Record<RealProvider, Factory>> = {
  infobip: (config, clockUs, _sink, publicUrl) => infobipProviderFromConfig(config, clockUs, publicUrl),
  twilio: (config, clockUs, _sink, publicUrl) => twilioProviderFromConfig(config, clockUs, publicUrl),
  messente: (config, clockUs, _sink, publicUrl) => messenteProviderFromConfig(config, clockUs, publicUrl),
  trumpia: (config, clockUs) => trumpiaProviderFromConfig(config, clockUs),
  smpp: (config, clockUs, sink, _publicUrl, options) =>
    smppProviderFromEnv(
      config.smppUrl as string,
      clockUs,
      sink && ((report) => sink('smpp', report)),
      options.onSmppBindRefusal,
    ),
};

function configured(config: ProviderConfig): RealProvider[] {
  return REAL_PROVIDERS.filter((name) => (name === 'smpp' ? config.smppUrl !== undefined : config[name] !== undefined));
}

export function createRegistry(options: RegistryOptions): ProviderRegistry {
  const adapters = new Map<string, ProviderAdapter>();
  adapters.set(
    SANDBOX_PROVIDER,
    createSandboxProvider({
      upstream: options.sandbox?.upstream ?? createMemorySandboxUpstream(),
      clockUs: options.clockUs,
      ...(options.sandbox?.reportDelayMs !== undefined && { reportDelayMs: options.sandbox.reportDelayMs }),
    }),
  );
  const unavailable: string[] = [];
  const config = options.providers ?? {};
  const stored = new Set<() => void>();
  const given = options.reportSink;
  const sink: ReportSink | undefined =
    given &&
    (async (provider, report) => {
      await given(provider, report);
      for (const listener of stored) listener();
    });
  for (const name of configured(config)) {
    const factory = FACTORIES[name];
    if (factory) adapters.set(name, factory(config, options.clockUs, sink, options.publicUrl, options));
    else unavailable.push(name);
  }
  for (const adapter of options.adapters ?? []) adapters.set(adapter.name, adapter);
  const real = REAL_PROVIDERS.filter((name) => adapters.has(name));
  return {
    get: (name) => adapters.get(name),
    names: () => [...adapters.keys()],
    realProviders: () => real,
    unavailable,
    onReportStored: (listener) => {
      stored.add(listener);
      return () => stored.delete(listener);
    },
    close: async () => {
      await Promise.all([...adapters.values()].map((adapter) => adapter.close?.()));
    },
  };
}
