// Twilio Programmable Messaging on the wire: the Messages resource, its error body, statuses and our reading of them.
import type { ReportStatus } from '../../../domain/status.js';

export const TWILIO_API_VERSION = '2010-04-01';
export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';
/** Where Twilio POSTs status callbacks, under PUBLIC_URL. */
export const TWILIO_WEBHOOK_PATH = '/webhooks/twilio';
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** The Messages list of an account: POST here creates (sends) a message. */
export function twilioMessagesPath(accountSid: string): string {
  return `/${TWILIO_API_VERSION}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

/**
 * One Message resource: GET here fetches it, its `status`, `error_code` and `error_message` included ("Fetch a Message
 * resource", twilio.com/docs/messaging/api/message-resource).
 */
export function twilioMessagePath(accountSid: string, sid: string): string {
  return `/${TWILIO_API_VERSION}/Accounts/${encodeURIComponent(accountSid)}/Messages/${encodeURIComponent(sid)}.json`;
}

/** The Message resource as the 201 answer (and a fetch) carries it (the fields read or produced here). */
export interface TwilioMessageResource {
  readonly sid: string;
  readonly account_sid: string;
  readonly messaging_service_sid: string | null;
  readonly from: string | null;
  readonly to: string;
  readonly body: string;
  readonly status: TwilioMessageStatus;
  readonly num_segments: string;
  readonly num_media: string;
  readonly direction: string;
  readonly api_version: string;
  readonly price: string | null;
  readonly price_unit: string | null;
  readonly error_code: number | null;
  readonly error_message: string | null;
  readonly date_created: string;
  readonly date_updated: string;
  readonly date_sent: string | null;
  readonly uri: string;
  readonly subresource_uris: Readonly<Record<string, string>>;
}

/** Twilio's error body (RestException). */
export interface TwilioErrorBody {
  readonly code: number;
  readonly message: string;
  readonly more_info: string;
  readonly status: number;
}

export const TWILIO_MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

/**
 * Every documented MessageStatus and what it means for us; null: not final (or inbound), ignored. `sent` is the
 * carrier's acceptance, not the handset's: a delivered or undelivered callback follows where the carrier reports.
 * `failed` (Twilio could not send it) and `canceled` (a scheduled message withdrawn) never reached the handset:
 * rejected. `read` implies delivery. `partially_delivered`: not every part arrived, so the message did not.
 */
export const TWILIO_REPORT_STATUS: Readonly<Record<TwilioMessageStatus, ReportStatus | null>> = {
  queued: null,
  sending: null,
  sent: null,
  failed: 'rejected',
  delivered: 'delivered',
  undelivered: 'undelivered',
  receiving: null,
  received: null,
  accepted: null,
  scheduled: null,
  read: 'delivered',
  partially_delivered: 'undelivered',
  canceled: 'rejected',
};

/** Our status for a Twilio status word; null when it is not final or not known. */
export function twilioReportStatus(status: unknown): ReportStatus | null {
  return typeof status === 'string' && Object.hasOwn(TWILIO_REPORT_STATUS, status)
    ? TWILIO_REPORT_STATUS[status as TwilioMessageStatus]
    : null;
}

/**
 * The statuses of an outbound message on its way, before any final one (Message resource, "Message status values"):
 * shown beside our `submitted`, `sent` above all (handed to the carrier, which may never send a receipt).
 */
export const TWILIO_PENDING_STATUSES: ReadonlySet<string> = new Set<TwilioMessageStatus>([
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
]);

/** The status word when it says an outbound message is on its way (not final, not inbound); else null. */
export function twilioPendingStatus(status: unknown): TwilioMessageStatus | null {
  return typeof status === 'string' && TWILIO_PENDING_STATUSES.has(status) ? (status as TwilioMessageStatus) : null;
}

/**
 * Error codes of a refused create that trying again (later, or with another provider) may fix. Everything else in a
 * 4xx is about the message or the account and stays refused. Src: twilio.com/docs/api/errors.
 */
export const TWILIO_RETRYABLE_CODES: ReadonlySet<number> = new Set([
  20429, // too many concurrent requests: not processed, safe to retry
  21611, // this From has too many queued messages
]);

/** Codes that mean our credentials or account settings are wrong rather than the message. */
export const TWILIO_MISCONFIGURATION_CODES: ReadonlySet<number> = new Set([
  20003, // authenticate
  20404, // the account (or resource) was not found
  21606, // From is not a number of this account
]);

/** The documentation page of an error code, as Twilio's `more_info` gives it. */
export function twilioMoreInfo(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

/** RFC 2822 dates as Twilio writes them ("Sat, 01 Mar 2025 10:00:04 +0000"). */
export function twilioDate(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}
