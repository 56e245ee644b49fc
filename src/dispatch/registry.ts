// The one list of upstream providers, and the one place that maps their names to configured adapters: the sandbox
// always, real providers as configured. Adding a provider: its folder (a descriptor) and one line in PROVIDERS.
import type { ClockUs } from '../domain/time.js';
import type { ProviderContext, ProviderDescriptor } from './descriptor.js';
import type { DeliveryReport, InboundText, ProviderAdapter } from './provider.js';
import { infobipDescriptor } from './providers/infobip/index.js';
import { messenteDescriptor } from './providers/messente/index.js';
import {
  createSandboxProvider,
  SANDBOX_PROVIDER,
  type SandboxDelivery,
  type SandboxReply,
} from './providers/sandbox/adapter.js';
import { createMemorySandboxUpstream, type SandboxUpstream } from './providers/sandbox/upstream.js';
import { smppDescriptor } from './providers/smpp/index.js';
import { trumpiaDescriptor } from './providers/trumpia/index.js';
import { twilioDescriptor } from './providers/twilio/index.js';

/** Real providers in the order the platform's default route tries them when several are configured. */
export const PROVIDERS = [
  infobipDescriptor,
  twilioDescriptor,
  messenteDescriptor,
  trumpiaDescriptor,
  smppDescriptor,
] as const;

type Descriptor = (typeof PROVIDERS)[number];
type SettingsOf<D> = D extends ProviderDescriptor<string, infer Config> ? Config : never;

/** Each real provider's settings by its name, present when the environment enables it (src/config.ts reads them). */
export type ProviderConfig = { readonly [D in Descriptor as D['name']]?: SettingsOf<D> };

/** The descriptors as one type, for code that treats every provider alike. */
const DESCRIPTORS: readonly ProviderDescriptor[] = PROVIDERS;

export const REAL_PROVIDERS: readonly Descriptor['name'][] = PROVIDERS.map((descriptor) => descriptor.name);
export type RealProvider = Descriptor['name'];

/** The provider of this name, if this build has one. */
export function providerDescriptor(name: string): ProviderDescriptor | undefined {
  return DESCRIPTORS.find((descriptor) => descriptor.name === name);
}

/** The sending types that name a provider, in PROVIDERS order (the domain's NAMED_SENDING_TYPES, held equal by a test). */
export const PROVIDER_SENDING_TYPES: readonly string[] = DESCRIPTORS.flatMap((d) => d.sendingType ?? []);

/** Providers that push delivery reports to a webhook under PUBLIC_URL (the others are polled, or bound). */
export const WEBHOOK_PROVIDERS: readonly ProviderDescriptor[] = DESCRIPTORS.filter((d) => d.webhook !== undefined);

/** A provider's settings in `config`, untyped (undefined: not configured). */
export function settingsOf(config: ProviderConfig, name: string): unknown {
  return (config as Readonly<Record<string, unknown>>)[name];
}

/** Every provider's settings read from the environment; throws ConfigError on a bad value. */
export function readProviderConfig(env: NodeJS.ProcessEnv): ProviderConfig {
  const config: Record<string, unknown> = {};
  for (const descriptor of DESCRIPTORS) {
    const settings = descriptor.settings.read(env);
    if (settings !== undefined) config[descriptor.name] = settings;
  }
  return config as ProviderConfig;
}

/** Providers given some of their required settings but not all (not enabled), with what is unset. */
export function providersMissing(
  isSet: (variable: string) => boolean,
): { readonly name: string; readonly unset: readonly string[] }[] {
  return DESCRIPTORS.flatMap(({ name, settings }) => {
    const variables = settings.required ?? [];
    const unset = variables.filter((v) => !isSet(v));
    return unset.length > 0 && unset.length < variables.length ? [{ name, unset }] : [];
  });
}

/** Every provider this build knows, and which of them the configuration turns on: what the operator's view lists. */
export interface ProviderCatalog {
  /** The sandbox first, then the real providers in the default route's order. */
  readonly known: readonly string[];
  /** The sandbox always, and each real provider the configuration names. */
  readonly configured: ReadonlySet<string>;
}

export function providerCatalog(config: ProviderConfig): ProviderCatalog {
  const configured = new Set<string>([SANDBOX_PROVIDER]);
  for (const name of REAL_PROVIDERS) if (settingsOf(config, name) !== undefined) configured.add(name);
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
    /** Where the scripted handsets' replies (numbers ending 0006, 0007) go: the inbound service, in production. */
    readonly onReply?: (reply: SandboxReply) => Promise<void>;
    readonly delivery?: SandboxDelivery;
  };
  /** Adapters built elsewhere (tests, simulators); a name given here replaces the configured one. */
  readonly adapters?: readonly ProviderAdapter[];
  /** Where reports that providers push (SMPP receipts) go: the store, in production. */
  readonly reportSink?: ReportSink;
  /** Where messages from handsets that providers push (SMPP) go: the inbound service, in production. */
  readonly inboundSink?: InboundSink;
  /** PUBLIC_URL: where HTTP providers are told to send delivery reports. */
  readonly publicUrl?: string;
  /**
   * A provider refused our account (an SMPP bind refused), told once per change of refusal, or accepted it again
   * (null): for the operators' log.
   */
  readonly onAccountRefusal?: (provider: string, error: string | null) => void;
}

export type ReportSink = (provider: string, report: DeliveryReport) => Promise<void>;
export type InboundSink = (provider: string, message: InboundText) => Promise<void>;

export function createRegistry(options: RegistryOptions): ProviderRegistry {
  const adapters = new Map<string, ProviderAdapter>();
  adapters.set(
    SANDBOX_PROVIDER,
    createSandboxProvider({
      upstream: options.sandbox?.upstream ?? createMemorySandboxUpstream(),
      clockUs: options.clockUs,
      ...(options.sandbox?.reportDelayMs !== undefined && { reportDelayMs: options.sandbox.reportDelayMs }),
      ...(options.sandbox?.onReply && { onReply: options.sandbox.onReply }),
      ...(options.sandbox?.delivery && { delivery: options.sandbox.delivery }),
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
  const { clockUs, publicUrl, onAccountRefusal, inboundSink } = options;
  const contextFor = (name: string): ProviderContext => ({
    clockUs,
    ...(publicUrl !== undefined && { publicUrl }),
    ...(sink && { onReport: (report: DeliveryReport) => sink(name, report) }),
    ...(inboundSink && { onInbound: (message: InboundText) => inboundSink(name, message) }),
    ...(onAccountRefusal && { onAccountRefusal: (error: string | null) => onAccountRefusal(name, error) }),
  });
  for (const descriptor of DESCRIPTORS) {
    const settings = settingsOf(config, descriptor.name);
    if (settings !== undefined) adapters.set(descriptor.name, descriptor.create(settings, contextFor(descriptor.name)));
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
