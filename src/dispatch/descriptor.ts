// What one upstream provider brings to the platform, in one value exported by its folder: its name, its sending type,
// its settings read from the environment, its adapter factory and its delivery-report webhook.
import type { NamedSendingType } from '../domain/sending.js';
import type { ClockUs } from '../domain/time.js';
import type { DeliveryReport, InboundText, ProviderAdapter } from './provider.js';

/** What every adapter factory is given besides the provider's own settings. */
export interface ProviderContext {
  readonly clockUs: ClockUs;
  /** PUBLIC_URL: where HTTP providers are told to send delivery reports; absent or loopback, they are polled. */
  readonly publicUrl?: string;
  /**
   * Where reports the provider pushes over its own connection go as they arrive (SMPP receipts): the store, in
   * production. Absent: they wait for the worker's poll.
   */
  readonly onReport?: (report: DeliveryReport) => Promise<void>;
  /**
   * Where messages from handsets the provider pushes over its own connection go (SMPP deliver_sm that are not
   * receipts): the inbound service, in production. Resolves once stored; a rejection has the provider deliver it again.
   * Absent: they are acknowledged and dropped.
   */
  readonly onInbound?: (message: InboundText) => Promise<void>;
  /** The provider refused our account (an SMPP bind refused), told once per change of refusal; null: accepted again. */
  readonly onAccountRefusal?: (error: string | null) => void;
}

/** A provider's settings as the environment gives them. */
export interface ProviderSettings<Config> {
  /** The provider's settings when the environment enables it, else undefined; throws ConfigError on a bad value. */
  read(env: NodeJS.ProcessEnv): Config | undefined;
  /**
   * The variables that must all be set to enable it (a *_BASE_URL with a default is not one): with some but not all
   * of them set, the start log says which are missing.
   */
  readonly required?: readonly string[];
  /** Added to that warning, to say why one of them has no default (an empty string when nothing is to be said). */
  why?(unset: readonly string[]): string;
}

/** One webhook request, as the generic route gives it to a provider's reader. */
export interface WebhookRequest {
  /** The path and query string as requested. */
  readonly url: string;
  readonly query: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed body; a Buffer of the exact bytes when the webhook asks for `rawBodyMax`. */
  readonly body: unknown;
  readonly ip: string;
}

/** A line for the request's log: its fields (the provider's name is added first) and its message. */
export interface WebhookLogLine {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/** What a reader made of a request: reports to store then `reply` with 200, or a refusal to answer as it says. */
export type WebhookAnswer =
  | {
      readonly ok: true;
      /** Stored before answering (nothing to store: none). */
      readonly reports: readonly DeliveryReport[];
      /** Messages from handsets the request carries, stored before answering (the time they arrived is added). */
      readonly inbound?: readonly Omit<InboundText, 'receivedAtUs'>[];
      /** The 200 answer's content type, when `reply` is text of a type of its own (Twilio's TwiML). */
      readonly replyType?: string;
      /** The 200 answer's body; undefined: an empty body. */
      readonly reply: unknown;
      /** Logged at info (a genuine request something was skipped from). */
      readonly note?: WebhookLogLine;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 401;
      /** The answer's `message`. */
      readonly message: string;
      /** Logged at warn. */
      readonly log: WebhookLogLine;
    };

/** A provider's delivery-report webhook, served at `path` while the provider is configured (404 otherwise). */
export interface ProviderWebhook<Config> {
  readonly path: string;
  /**
   * When the signature covers the exact bytes sent: the body is kept as a Buffer of at most this many bytes, whatever
   * its content type (the route gets a scope of its own, so the app's body parsers are unaffected).
   */
  readonly rawBodyMax?: number;
  /** Checks then reads one request under the provider's settings and PUBLIC_URL (schemes that sign the URL need it). */
  read(request: WebhookRequest, config: Config, publicUrl: string): WebhookAnswer;
}

/**
 * One provider. The registry (src/dispatch/registry.ts) lists every descriptor once; provider names, sending types,
 * settings, adapters and webhook routes are all derived from that list.
 */
export interface ProviderDescriptor<Name extends string = string, Config = unknown> {
  /** The name routes, messages and reports use. */
  readonly name: Name;
  /**
   * The sending type (`type` of `POST /sendings`) that names this provider, if any. It must also be listed in the
   * domain's NAMED_SENDING_TYPES (the browser's list), which a test holds equal to the registry's.
   */
  readonly sendingType?: NamedSendingType;
  readonly settings: ProviderSettings<Config>;
  /** The adapter for these settings; a provider that reports only when asked polls through the adapter's `poll`. */
  create(config: Config, context: ProviderContext): ProviderAdapter;
  /** Where the provider pushes delivery reports over HTTP; absent: it is polled, or reports over its own link. */
  readonly webhook?: ProviderWebhook<Config>;
}

/** A descriptor with its name and settings' types kept, for the registry's typed configuration. */
export function defineProvider<const Name extends string, Config>(
  descriptor: ProviderDescriptor<Name, Config>,
): ProviderDescriptor<Name, Config> {
  return descriptor;
}
