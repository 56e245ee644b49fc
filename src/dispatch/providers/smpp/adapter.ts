// The SMPP provider adapter: SMPP_URL to binds, a batch of messages to submit_sm, receipts to our delivery reports.
import type { ClockUs } from '../../../domain/time.js';
import type {
  DeliveryReport,
  InboundText,
  OutgoingMessage,
  ProviderAdapter,
  RecheckResult,
  SubmitResult,
  SubmittedMessage,
} from '../../provider.js';
import { type ClientOptions, type ClientStats, type MessageOutcome, type MessageReport, SmppClient } from './client.js';
import { IA5_READINGS } from './encoding.js';
import type { SmppInboundMessage } from './inbound.js';
import { FIELD_CHARS_MAX, relativeSmppTime } from './pdu.js';
import { type BindOutcome, parseSmppUrl, type SmppUrl } from './session.js';

export const SMPP_PROVIDER = 'smpp';
/** Messages one `submit` takes: each is up to 255 submit_sm, answered as fast as the binds' windows allow. */
export const SMPP_SUBMIT_BATCH_MAX = 1_000;
/** How often the worker collects the receipts the SMSC pushed (kept here until asked for). */
export const SMPP_POLL_INTERVAL_MS = 2_000;
/** Reports kept for `poll`, and submit outcomes kept for `recheck`; the oldest are forgotten beyond these. */
export const SMPP_REPORTS_KEPT_MAX = 100_000;
export const SMPP_OUTCOMES_KEPT_MAX = 100_000;

/** Settings read from SMPP_URL's query string, each with its limits. */
const URL_SETTINGS = {
  binds: { min: 1, max: 64 },
  window: { min: 1, max: 10_000 },
  timeout_ms: { min: 100, max: 300_000 },
  enquire_link_ms: { min: 1_000, max: 3_600_000 },
} as const;

/**
 * What a route does with messages whose submit_sm_resp never came (the connection dropped, or no answer in time).
 * SMPP 3.4 has no way to ask an SMSC about a message by our reference (query_sm, §4.8, needs the SMSC's id), so one
 * of two risks has to be chosen per route:
 * - `resend` (default, as Kannel does): submits a dropped connection left unanswered go again on the next bind, up to
 *   3 times; the recipient may get a message twice when the SMSC had taken it. A submit that timed out on a live link
 *   stays unknown (charged, unconfirmed) as before.
 * - `fail`: nothing is sent again; every message left without an answer ends `failed` at once and is not charged,
 *   though the SMSC may have taken (and may deliver) it.
 */
export type SmppLostPolicy = 'resend' | 'fail';

export interface SmppConfig {
  readonly url: SmppUrl;
  readonly client: Pick<
    ClientOptions,
    | 'binds'
    | 'windowSize'
    | 'responseTimeoutMs'
    | 'enquireLinkIntervalMs'
    | 'systemType'
    | 'onLost'
    | 'longMessages'
    | 'ia5'
  >;
  readonly onLost: SmppLostPolicy;
  /**
   * The country of the route's numbers (ISO 3166-1 alpha-2, `country=LV`): a handset's sender without its country code
   * that came to a number naming no country (a short code) is read as a number of it. Absent: none.
   */
  readonly country?: string;
}

/**
 * SMPP_URL: `smpp://system_id:password@host:port` (`smpps://` for TLS), optionally with
 * `?binds=4&window=50&timeout_ms=10000&enquire_link_ms=30000&system_type=X&on_lost=resend&long=udh&ia5=auto`
 * and `&country=LV` (`long`: how texts of several parts go, see LongMessageMode; `on_lost`: see SmppLostPolicy;
 * `ia5`: how a handset's text under data_coding 1 is read, see Ia5Reading; `country`: see SmppConfig).
 */
export function parseSmppConfig(text: string): { ok: true; config: SmppConfig } | { ok: false; error: string } {
  const parsed = parseSmppUrl(text);
  if (!parsed.ok) return parsed;
  const { params } = parsed.url;
  const numbers: Partial<Record<keyof typeof URL_SETTINGS, number>> = {};
  for (const [name, { min, max }] of Object.entries(URL_SETTINGS) as [
    keyof typeof URL_SETTINGS,
    typeof URL_SETTINGS.binds,
  ][]) {
    const raw = params.get(name);
    if (raw === null) continue;
    const value = Number(raw);
    if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
      return { ok: false, error: `SMPP_URL ${name} must be a whole number in ${min}..${max}, got "${raw}"` };
    }
    numbers[name] = value;
  }
  const onLost = params.get('on_lost') ?? 'resend';
  if (onLost !== 'resend' && onLost !== 'fail') {
    return { ok: false, error: `SMPP_URL on_lost must be resend or fail, got "${onLost}"` };
  }
  const long = params.get('long') ?? 'udh';
  if (long !== 'udh' && long !== 'sar' && long !== 'payload') {
    return { ok: false, error: `SMPP_URL long must be udh, sar or payload, got "${long}"` };
  }
  const ia5 = params.get('ia5') ?? 'auto';
  const ia5Reading = IA5_READINGS.find((reading) => reading === ia5);
  if (ia5Reading === undefined) {
    return { ok: false, error: `SMPP_URL ia5 must be ${IA5_READINGS.join(', ')}, got "${ia5}"` };
  }
  const country = params.get('country')?.toUpperCase() ?? undefined;
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) {
    return { ok: false, error: `SMPP_URL country must be a two-letter ISO 3166-1 code such as LV, got "${country}"` };
  }
  const systemType = params.get('system_type') ?? undefined;
  if (systemType !== undefined && systemType.length > FIELD_CHARS_MAX.system_type) {
    return { ok: false, error: `SMPP_URL system_type is at most ${FIELD_CHARS_MAX.system_type} characters` };
  }
  return {
    ok: true,
    config: {
      url: parsed.url,
      client: {
        ...(numbers.binds !== undefined && { binds: numbers.binds }),
        ...(numbers.window !== undefined && { windowSize: numbers.window }),
        ...(numbers.timeout_ms !== undefined && { responseTimeoutMs: numbers.timeout_ms }),
        ...(numbers.enquire_link_ms !== undefined && { enquireLinkIntervalMs: numbers.enquire_link_ms }),
        ...(systemType !== undefined && { systemType }),
        onLost: onLost === 'resend' ? 'resend' : 'unknown',
        longMessages: long,
        ia5: ia5Reading,
      },
      onLost,
      ...(country !== undefined && { country }),
    },
  };
}

/** Thrown by `submit` when some message left without an answer; `results` has null for those. The worker rechecks. */
export class SmppOutcomeUnknownError extends Error {
  override name = 'SmppOutcomeUnknownError';
  constructor(
    readonly results: readonly (SubmitResult | null)[],
    readonly unknownReferences: readonly string[],
    firstError: string,
  ) {
    super(`smpp: ${unknownReferences.length} message(s) sent without an answer (${firstError})`);
  }
}

export interface SmppProviderOptions {
  /** SMPP_URL. */
  readonly url: string;
  readonly clockUs: ClockUs;
  readonly name?: string;
  /** Reports as they arrive (the push path); they are also kept for `poll`. */
  readonly onReport?: (report: DeliveryReport) => void | Promise<void>;
  /** Messages from handsets, whole, as they arrive; a rejection has the SMSC deliver the last part again. */
  readonly onInbound?: (message: InboundText) => Promise<void>;
  /** Overrides of the client's settings (tests: short timeouts). */
  readonly client?: Partial<Omit<ClientOptions, 'url' | 'onReport' | 'onLateAcceptance' | 'onInbound'>>;
}

export interface SmppProvider extends ProviderAdapter {
  /** Binds now rather than on first use, so receipts queued at the SMSC start flowing. */
  open(): Promise<BindOutcome[]>;
  close(): Promise<void>;
  stats(): ClientStats;
}

/** What this process knows of a reference it handed over, for `recheck`. */
type Known =
  | { readonly found: string; readonly partsTaken?: number; readonly error?: string }
  | { readonly absent: true }
  | { readonly unknown: true };

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * Builds the adapter; throws on an invalid SMPP_URL (a configuration error, found at start-up). Binds lazily on the
 * first submit, poll or recheck, or at once with `open()`.
 */
export function createSmppProvider(options: SmppProviderOptions): SmppProvider {
  const parsed = parseSmppConfig(options.url);
  if (!parsed.ok) throw new RangeError(parsed.error);
  const { clockUs } = options;
  const { onLost, country } = parsed.config;
  const reports = new Map<string, DeliveryReport>();
  const known = new Map<string, Known>();

  function toReport(report: MessageReport): DeliveryReport {
    return {
      providerMessageId: report.messageId,
      status: report.status,
      error: report.error,
      reportedAtUs: report.doneAtUs ?? clockUs(),
    };
  }

  const client = new SmppClient({
    ...parsed.config.client,
    ...options.client,
    url: parsed.config.url,
    onReport: async (report) => {
      const delivery = toReport(report);
      remember(reports, delivery.providerMessageId, delivery, SMPP_REPORTS_KEPT_MAX);
      await options.onReport?.(delivery);
    },
    ...(options.onInbound && {
      onInbound: (message: SmppInboundMessage) =>
        options.onInbound?.({
          ...message,
          ...(country !== undefined && { routeCountry: country }),
          receivedAtUs: clockUs(),
        }),
    }),
    onLateAcceptance: (context, partIndex, partId) => {
      if (partIndex === 0 && typeof context === 'string') {
        remember(known, context, { found: partId }, SMPP_OUTCOMES_KEPT_MAX);
      }
    },
  });
  let opened: Promise<BindOutcome[]> | null = null;
  const open = () => {
    opened ??= client.open();
    return opened;
  };

  function resultOf(reference: string, outcome: MessageOutcome): SubmitResult | null {
    switch (outcome.kind) {
      case 'accepted':
        remember(known, reference, { found: outcome.messageId }, SMPP_OUTCOMES_KEPT_MAX);
        return { accepted: outcome.messageId };
      case 'refused':
        if (outcome.acceptedPartIds.length > 0) {
          // Part of it is at the SMSC and the rest was refused for good (a final status, or part retries used up):
          // never sent again (the recipient would get parts twice), charged for the parts the SMSC took.
          const messageId = outcome.acceptedPartIds[0] as string;
          const partsTaken = outcome.acceptedPartIds.length;
          remember(known, reference, { found: messageId, partsTaken, error: outcome.error }, SMPP_OUTCOMES_KEPT_MAX);
          return { failed: true, retryable: false, error: outcome.error, partsTaken, providerMessageId: messageId };
        }
        remember(known, reference, { absent: true }, SMPP_OUTCOMES_KEPT_MAX);
        return { failed: true, retryable: outcome.retryable, error: outcome.error };
      case 'unsent':
        remember(known, reference, { absent: true }, SMPP_OUTCOMES_KEPT_MAX);
        return { failed: true, retryable: true, error: outcome.error };
      case 'unknown':
        if (outcome.acceptedPartIds.length === 0 && onLost === 'fail') {
          remember(known, reference, { absent: true }, SMPP_OUTCOMES_KEPT_MAX);
          return {
            failed: true,
            retryable: false,
            error: `${outcome.error}; counted as not sent (on_lost=fail), though the SMSC may have taken it`,
          };
        }
        if (outcome.acceptedPartIds.length > 0) {
          const messageId = outcome.acceptedPartIds[0] as string;
          remember(known, reference, { found: messageId }, SMPP_OUTCOMES_KEPT_MAX);
          return { accepted: messageId };
        }
        remember(known, reference, { unknown: true }, SMPP_OUTCOMES_KEPT_MAX);
        return null;
    }
  }

  return {
    name: options.name ?? SMPP_PROVIDER,
    submitBatchMax: SMPP_SUBMIT_BATCH_MAX,
    pollIntervalMs: SMPP_POLL_INTERVAL_MS,
    open,
    listen: () => void open(),
    stats: () => client.stats(),
    close: () => client.close(),

    async submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]> {
      void open();
      const outcomes = await Promise.all(
        batch.map((message) =>
          client.submit(
            {
              source: message.sender,
              destination: message.recipient,
              encoding: message.encoding,
              parts: message.parts,
              // What is left of the sending's validity, relative: the SMSC counts it from its own clock.
              ...(message.validitySeconds !== undefined && {
                validityPeriod: relativeSmppTime(message.validitySeconds),
              }),
            },
            { signal, context: message.reference },
          ),
        ),
      );
      const results = outcomes.map((outcome, i) => resultOf((batch[i] as OutgoingMessage).reference, outcome));
      const unknown: string[] = [];
      let firstError = '';
      results.forEach((result, i) => {
        if (result !== null) return;
        unknown.push((batch[i] as OutgoingMessage).reference);
        firstError ||= (outcomes[i] as { error: string }).error;
      });
      if (unknown.length > 0) throw new SmppOutcomeUnknownError(results, unknown, firstError);
      return results as SubmitResult[];
    },

    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      void open();
      // SMPP has no lookup by our reference (query_sm needs the SMSC's id): only what this process saw counts.
      return references.map((reference): RecheckResult => known.get(reference) ?? { unknown: true });
    },

    async poll(submitted: readonly SubmittedMessage[]): Promise<readonly DeliveryReport[]> {
      void open();
      const found: DeliveryReport[] = [];
      for (const message of submitted) {
        const report = reports.get(message.providerMessageId);
        if (report) found.push(report);
      }
      return found;
    },
  };
}
