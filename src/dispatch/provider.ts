// The one interface every upstream SMS provider adapter implements: submit, and optionally recheck and poll.
import type { Encoding } from '../domain/gsm.js';
import type { SenderFormat } from '../domain/inbound.js';
import type { ReportStatus } from '../domain/status.js';

/** One message as an adapter hands it over. */
export interface OutgoingMessage {
  /** Our message id as text: the key a provider can be asked about again (recheck) and idempotency keys derive from. */
  readonly reference: string;
  /** International digits without "+". */
  readonly recipient: string;
  readonly sender: string;
  readonly text: string;
  readonly encoding: Encoding;
  /** The text cut as GSM 03.38 parts (`splitParts`), for protocols that send each part themselves (SMPP). */
  readonly parts: readonly string[];
  /** This hand-over attempt's number, counted from 1 over all routes. */
  readonly attempt: number;
  /**
   * Seconds the message may still be delivered in (what is left of its sending's `validity_minutes` at the
   * hand-over, at least 1), for the provider's own validity field; absent: no validity, the provider's default.
   */
  readonly validitySeconds?: number;
}

/**
 * What became of one message of a submit. `accepted`: the provider took it, with its id. `failed`: it did not, and
 * certainly did not: `retryable` when trying again later (or elsewhere) may help (throttled, temporarily down), not
 * when the message itself was refused (bad number, blocked); `retryAfterMs` when the provider said when.
 * `accountRefused`: the provider refused us, not the message (credentials refused, account disabled): it took
 * nothing, so the message is retryable elsewhere, and the provider is marked down until an operator acts.
 * `partsTaken`: a provider that takes each part itself (SMPP) took that many parts, under `providerMessageId` (the
 * first part's id), then refused the rest for good; the message is never sent again (the recipient would get those
 * parts twice) and is charged for the parts taken only.
 */
export type SubmitResult =
  | { readonly accepted: string }
  | {
      readonly failed: true;
      readonly retryable: boolean;
      readonly error: string;
      readonly retryAfterMs?: number;
      readonly accountRefused?: true;
      readonly partsTaken?: number;
      readonly providerMessageId?: string;
    };

/** What a provider knows of a reference after a hand-over whose answer was lost. */
export type RecheckResult =
  /** Taken, with its id; `partsTaken` (with the refusal's `error`) when only some of its parts were, as in SubmitResult. */
  | { readonly found: string; readonly partsTaken?: number; readonly error?: string }
  | { readonly absent: true }
  /**
   * Not there yet, but too soon after the hand-over to trust that (the provider's records lag): asked again later,
   * never sent again meanwhile.
   */
  | { readonly notYet: true }
  /** The provider cannot tell (no lookup by our reference, or it has forgotten). */
  | { readonly unknown: true };

/** What the worker knows of a rechecked reference, so that a provider's record is matched on more than the id. */
export interface RecheckContext {
  readonly reference: string;
  /** International digits without "+". */
  readonly recipient: string;
  /** No hand-over of it can be older than this (its sending was stored then). */
  readonly notBeforeUs: number;
  /** When the call whose answer was lost started; absent after a crash (not known). */
  readonly handedOverAtUs?: number;
}

/**
 * The id we give providers for a message: our row id under the installation's own id (drawn once per database), so
 * that two installations on one provider account, or one database created anew, never name the same message alike.
 */
export function messageReference(installationId: string, messageId: number): string {
  return `${installationId}-${messageId}`;
}

/** A message accepted by a polling provider, as `poll` is asked about it. */
export interface SubmittedMessage {
  readonly reference: string;
  readonly providerMessageId: string;
  readonly recipient: string;
  readonly submittedAtUs: number;
}

/** A delivery report, normalised by the adapter to our statuses. */
export interface DeliveryReport {
  readonly providerMessageId: string;
  readonly status: ReportStatus;
  readonly error?: string | null;
  /** When the provider says it happened, if it says. */
  readonly reportedAtUs?: number | null;
  /** With status `submitted`: the provider's own non-final word (Twilio's `sent`, `queued`…), shown on the message. */
  readonly providerStatus?: string | null;
}

/** A message from a handset to one of the platform's numbers, as a provider hands it over. */
export interface InboundText {
  /** The provider's id of it: a redelivery carries the same one. */
  readonly providerMessageId: string;
  /**
   * The sender as the provider wrote it (trimmed): a number in whatever form it came ("+", spaces, "00", national) or
   * a name. The inbound service makes a number international digits (services/inbound-sender.ts), one rule for all.
   */
  readonly from: string;
  /** How the provider says `from` is written (SMPP's source_addr_ton); absent: not said. */
  readonly senderFormat?: SenderFormat;
  /**
   * The country of the route it came over (SMPP_URL `country=`, ISO alpha-2): a `to` in national form is read as a
   * number of it, and a national `from` to a `to` that names no country (a short code).
   */
  readonly routeCountry?: string;
  /**
   * The number or short code it was sent to as the provider wrote it (trimmed): digits, maybe with "+", spaces or in
   * national form. The inbound service reads it as one of the platform's numbers (services/inbound-destination.ts).
   */
  readonly to: string;
  /** How the provider says `to` is written (SMPP's dest_addr_ton); absent: not said. */
  readonly destinationFormat?: SenderFormat;
  readonly text: string;
  readonly receivedAtUs: number;
}

export interface ProviderAdapter {
  /** The name routes and messages use (`sandbox`, `infobip`, `smpp`…). */
  readonly name: string;
  /** Messages one `submit` call takes at most. */
  readonly submitBatchMax: number;
  /**
   * Hands the batch over. Returns one result per message, in the batch's order. Throws when the outcome is not known
   * (a timeout after the request left, a dropped connection): the worker then rechecks, and never sends blindly again.
   * `signal` aborts the call when the worker's lease on the messages runs short.
   */
  submit(batch: readonly OutgoingMessage[], signal: AbortSignal): Promise<readonly SubmitResult[]>;
  /**
   * For providers whose reports and handsets' messages come over a connection of ours (SMPP): opens it now, so that
   * they arrive before the first message is sent (a HELP to a number of a server that has not sent anything yet).
   * Never throws; a connection that fails is retried in the background.
   */
  listen?(): void;
  /**
   * Whether the provider holds these references (after a crash or an unknown outcome); one result per reference.
   * `context` (same order) lets a provider that is asked by id check that what it holds is this message.
   */
  recheck?(
    references: readonly string[],
    signal: AbortSignal,
    context?: readonly RecheckContext[],
  ): Promise<readonly RecheckResult[]>;
  /** For providers that report only when asked: the reports available now for these messages (none yet is fine). */
  poll?(submitted: readonly SubmittedMessage[], signal: AbortSignal): Promise<readonly DeliveryReport[]>;
  /** How long after acceptance, and then how often, a polling provider is asked about a message. */
  readonly pollIntervalMs?: number;
  /**
   * When given, the asks about one message grow apart with its age (half of it), from pollIntervalMs up to this: a
   * provider asked once per message is asked often while reports are likely, rarely once they are not.
   */
  readonly pollIntervalMaxMs?: number;
  /** Messages a poll round asks about at most (each may be a request of its own); default REPORT_POLL_BATCH_MAX. */
  readonly pollBatchMax?: number;
  /**
   * How long an accepted message waits for a final report before it is expired; default the worker's
   * (reportWaitMaxMs, 72 h). Shorter for a provider whose last word is often a non-final status (Twilio's `sent`).
   */
  readonly reportWaitMaxMs?: number;
  /** Ends connections the adapter keeps open (SMPP binds) when the worker shuts down. */
  close?(): Promise<void>;
}

export function isAccepted(result: SubmitResult): result is { readonly accepted: string } {
  return 'accepted' in result;
}
