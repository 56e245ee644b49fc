// What the edges need from the public API's use cases: the services behind it, as one interface, and their results.
import type { CountryList } from '../domain/destinations.js';
import type { Currency } from '../domain/money.js';
import type { QuoteResult } from '../domain/pricing.js';
import type { MessageStatus } from '../domain/status.js';
import type { ValidationErrors } from '../domain/texts.js';
import type { InboundServices } from './inbound.js';
import type { NumberServices } from './numbers.js';
import type { SuppressionServices } from './suppressions.js';

/**
 * What a sending the platform makes for the account may do that one through the API may not: come from a number the
 * account receives on (an inbox reply, an automatic keyword reply), and reach the one number that has just opted out
 * (the confirmation of its STOP).
 */
export interface SendingAllowances {
  readonly fromOwnNumber?: boolean;
  readonly toOptedOut?: string;
}

export interface AuthenticatedAccount {
  readonly id: number;
  readonly currency: Currency;
  readonly taxRatePpm: number;
  /** The balance read with the token, at the start of this request. */
  readonly balanceMinor: number;
  /** The countries (ISO 3166 alpha-2) it sends to, read with the token: the operator's list and the customer's
   *  choice within it; null: every country. */
  readonly countries: CountryList;
}

export interface RateFilters {
  readonly mcc?: string;
  /** A string of 0–3 digits, or null for the country-wide rows only. */
  readonly mnc?: string | null;
  readonly country?: string;
  readonly countryId?: number;
}

export interface RateView {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly country: string;
  /** The country's ISO 3166-1 alpha-2 code ("LV"); "" when the catalog has no country for the MCC. */
  readonly iso: string;
  readonly rateMinor: number;
}

export interface SendingSummary {
  readonly id: number;
  readonly text: string;
  /** Microseconds since the epoch, UTC. */
  readonly createdAtUs: number;
  readonly updatedAtUs: number;
  readonly scheduledAtUs: number;
  readonly status: string;
  readonly totalSms: number;
  /** `send_window` (recipients' local time), null when none. */
  readonly sendWindow: string | null;
  readonly validityMinutes: number | null;
  /** When the validity ends; null when none. */
  readonly expiresAtUs: number | null;
}

export type CreateSendingResult =
  | { readonly ok: true; readonly sendingId: number }
  | { readonly ok: false; readonly errors: ValidationErrors };

export interface MessageView {
  readonly id: number;
  readonly recipient: string;
  readonly destination: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly parts: number;
  readonly rateMinor: number;
  readonly costMinor: number;
  readonly status: string;
  readonly provider: string | null;
  /** The provider's last non-final word (Twilio's `sent`), or null. */
  readonly providerStatus: string | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly submittedAtUs: number | null;
  readonly finalAtUs: number | null;
  readonly updatedAtUs: number;
}

export type CancelResult =
  | { readonly ok: true; readonly sending: SendingSummary; readonly refundedMinor: number }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_pending'; readonly status: string };

/** One page of a listing and the number of rows of the whole listing. */
export interface Listed<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

export interface ApiServices {
  /** The token's account; `{ suspended: true }` for a good token of a suspended account; null for any other refusal. */
  authenticate(token: string): Promise<AuthenticatedAccount | { readonly suspended: true } | null>;
  /** Whether the database answers; for GET /status. */
  databaseReachable(): Promise<boolean>;
  /** The senders a sending may use: the account's approved ones, then the platform defaults (`platform`). */
  listSenders(accountId: number): Promise<readonly { id: number; sender: string; platform: boolean }[]>;
  countryExists(countryId: number): Promise<boolean>;
  listRates(accountId: number, filters: RateFilters): Promise<readonly RateView[]>;
  calculate(account: AuthenticatedAccount, fields: Readonly<Record<string, unknown>>): Promise<QuoteResult>;
  createSending(
    account: AuthenticatedAccount,
    fields: Readonly<Record<string, unknown>>,
    idempotencyKey: string | undefined,
    /** For sendings the platform makes for the account (inbox and keyword replies); none through the API. */
    allowances?: SendingAllowances,
  ): Promise<CreateSendingResult>;
  /** One page of the account's sendings, newest first, and how many it has in all. */
  listSendings(accountId: number, page: number, perPage: number): Promise<Listed<SendingSummary>>;
  getSending(accountId: number, sendingId: number): Promise<SendingSummary | null>;
  /** One page of a sending's messages (optionally of one status) and how many match; null when the account has no
   *  such sending. */
  listMessages(
    accountId: number,
    sendingId: number,
    page: number,
    perPage: number,
    filter?: { readonly status?: MessageStatus },
  ): Promise<Listed<MessageView> | null>;
  cancelSending(accountId: number, sendingId: number): Promise<CancelResult>;
  /** The account's opt-out list (GET/POST/DELETE /suppressions). */
  readonly suppressions: SuppressionServices;
  /** The numbers the account receives on (GET /numbers). */
  readonly numbers: Pick<NumberServices, 'list' | 'inboundUrl'>;
  /** The messages the account received (GET /inbound). */
  readonly inbound: Pick<InboundServices, 'list'>;
}
