// The tables as Kysely sees them; rows stay inside src/store and leave it only as domain objects.
import type { ColumnType, Generated } from 'kysely';

/**
 * A BIGINT column. pg returns int8 as a decimal string (it may exceed 2^53) and better-sqlite3 as a number; the store
 * reads it through `minorFrom` (money) or `intFrom` (ids, counts, microseconds), never through parseFloat.
 */
export type Int8 = ColumnType<number | string, number, number>;
export type NullableInt8 = ColumnType<number | string | null, number | null, number | null>;
/** A nullable BIGINT column an insert may leave out. */
export type OptionalInt8 = ColumnType<number | string | null, number | null | undefined, number | null>;
/** A BIGINT primary key the database assigns. */
export type Id = ColumnType<number | string, never, never>;

export interface AccountsTable {
  id: Id;
  name: string;
  email: string | null;
  currency: string;
  tax_rate_ppm: number;
  balance_minor: Int8;
  webhook_secret: string;
  created_at_us: Int8;
  updated_at_us: Int8;
  /** Set while the account is suspended: its tokens and dashboard sessions are refused. */
  suspended_at_us: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** The secret before the last rotation, valid for signatures until `webhook_secret_previous_until_us`. */
  webhook_secret_previous: ColumnType<string | null, string | null | undefined, string | null>;
  webhook_secret_previous_until_us: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** When the secret was last rotated; null if it never was. */
  webhook_secret_rotated_at_us: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** ISO 3166 alpha-2 codes, comma-separated, the operator lets the account send to; null: every country. */
  allowed_countries: ColumnType<string | null, string | null | undefined, string | null>;
  /** The customer's own choice among the allowed countries, same form; null: all the operator allows. */
  chosen_countries: ColumnType<string | null, string | null | undefined, string | null>;
  /** Caps on what sendings may take per UTC day and month (reservations less refunds); null: no cap. */
  daily_spend_limit_minor: ColumnType<number | string | null, number | null | undefined, number | null>;
  monthly_spend_limit_minor: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** Where the account's received messages are POSTed, signed as status callbacks are; null: nowhere. */
  inbound_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** The answer to a HELP reply; null: none is sent. */
  help_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: a STOP or START reply is confirmed by a reply of ours (charged as any sending). */
  keyword_confirmations: ColumnType<number, number | undefined, number>;
  /** The texts of those confirmations; null: the platform's own. */
  stop_text: ColumnType<string | null, string | null | undefined, string | null>;
  start_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** The account's own opt-out and opt-in words, beside the built-in ones: upper case, one space between; '' none. */
  stop_words: ColumnType<string, string | undefined, string>;
  start_words: ColumnType<string, string | undefined, string>;
  /** Whom a STOP reply suppresses the number for: 'account' (every sending) or 'sender' (the sender it answered). */
  opt_out_scope: ColumnType<string, string | undefined, string>;
}

export interface ApiTokensTable {
  id: Id;
  account_id: Int8;
  name: string;
  prefix: string;
  token_sha256: string;
  created_at_us: Int8;
  last_used_at_us: NullableInt8;
  revoked_at_us: NullableInt8;
  expires_at_us: NullableInt8;
}

export interface LedgerEntriesTable {
  id: Id;
  account_id: Int8;
  kind: string;
  amount_minor: Int8;
  balance_after_minor: Int8;
  sending_id: NullableInt8;
  settlement_key: string | null;
  reference: string | null;
  note: string | null;
  created_at_us: Int8;
}

export interface SendersTable {
  id: Id;
  account_id: NullableInt8;
  name: string;
  status: string;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface RatesTable {
  id: Id;
  account_id: NullableInt8;
  mcc: string;
  mnc: string | null;
  rate_minor: Int8;
  /** The currency of the list the row belongs to. */
  currency: string;
  created_at_us: Int8;
}

export interface RateListsTable {
  /** The price list's owner: its account's id, or 0 for the platform's default lists (one per currency). */
  list_owner: Int8;
  currency: string;
  /** Changed in the transaction of every rewrite of the list; a list without a row is at version 0. */
  version: Int8;
  /** 'imported' or 'converted' (from the base default list). */
  source: string;
  /** For a converted list: the base list's currency, the rate in millionths and the day it was quoted for. */
  base_currency: string | null;
  conversion_rate_ppm: NullableInt8;
  rate_date: string | null;
}

export interface CountriesTable {
  id: number;
  iso: string;
  name: string;
  name_folded: string;
  dial_code: string;
  mcc: string | null;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface CountryMccsTable {
  mcc: string;
  country_id: number;
  rank: number;
  created_at_us: Int8;
}

export interface SendingsTable {
  id: Id;
  account_id: Int8;
  text: string;
  sender: string;
  type: string;
  status: string;
  scheduled_at_us: Int8;
  created_at_us: Int8;
  updated_at_us: Int8;
  recipients_count: Int8;
  sms_parts_total: Int8;
  encoding: string;
  parts_per_message: number;
  subtotal_minor: Int8;
  tax_minor: Int8;
  total_minor: Int8;
  idempotency_key: string | null;
  request_sha256: string | null;
  callback_url: string | null;
  dispatch_settled_at_us: NullableInt8;
  /** When a lease last took messages of this sending; leases go to the open sending served longest ago. */
  last_leased_at_us: ColumnType<number | string, number | undefined, number>;
  /**
   * 0: a lease looks at it; else parked, a time no earlier than its first queued message is next due (the largest
   * safe integer: none queued). See migration 0030.
   */
  next_due_at_us: ColumnType<number | string, number | undefined, number>;
  /** `HH:MM-HH:MM` in each recipient's local time; null: any time. */
  send_window: string | null;
  /** Minutes after the sending was due its messages may still be handed over; null: no limit. */
  validity_minutes: number | null;
  /** When the validity ends; messages still queued then end `expired`. */
  expires_at_us: NullableInt8;
}

export interface MessagesTable {
  id: Id;
  sending_id: Int8;
  recipient: string;
  country_id: number | null;
  mcc: string | null;
  mnc: string | null;
  destination: string;
  parts: number;
  rate_minor: Int8;
  cost_minor: Int8;
  status: Generated<string>;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  attempts: Generated<number>;
  submitted_at_us: NullableInt8;
  final_at_us: NullableInt8;
  created_at_us: Int8;
  updated_at_us: Int8;
  lease_owner: string | null;
  lease_expires_at_us: NullableInt8;
  next_attempt_at_us: ColumnType<number | string, number | undefined, number>;
  next_poll_at_us: NullableInt8;
  /** The provider's last non-final status word (Twilio's `sent`, `queued`…), null when it reported none. */
  provider_status: ColumnType<string | null, string | null | undefined, string | null>;
  /** The route rule that decided the provider at the latest lease; null for a named type or before any lease. */
  route_rule_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** What the provider charges for it, in its own currency; null when unknown (written with the submit result). */
  provider_cost_minor: OptionalInt8;
  provider_cost_currency: ColumnType<string | null, string | null | undefined, string | null>;
  /** The same in the account's currency, rounded up; null when unknown or not convertible. */
  provider_cost_account_minor: OptionalInt8;
  /** The conversion rates used (1 base unit = ppm / 10^6 of the currency) for the provider's and the account's. */
  provider_cost_from_ppm: OptionalInt8;
  provider_cost_to_ppm: OptionalInt8;
}

/** Final delivery reports per provider, MCC ('' unknown) and UTC hour, for the delivery quality. */
export interface DeliveryQualityTable {
  provider: string;
  mcc: string;
  hour_us: Int8;
  reports: Int8;
  delivered: Int8;
  latency_ms_sum: Int8;
}

export interface PendingReportsTable {
  id: Id;
  provider: string;
  provider_message_id: string;
  status: string;
  error: string | null;
  reported_at_us: Int8;
  received_at_us: Int8;
  provider_status: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CallbackOutboxTable {
  id: Id;
  /** A sent message's status change: its message and sending (null for a received message). */
  message_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  sending_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** A received message to POST to `url` (the account's inbound_url when it arrived); null for a status change. */
  inbound_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  url: ColumnType<string | null, string | null | undefined, string | null>;
  status: string;
  error: string | null;
  event_at_us: Int8;
  state: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at_us: Int8;
  last_error: string | null;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface SandboxSubmissionsTable {
  reference: string;
  provider_message_id: string;
  recipient: string;
  accepted_at_us: Int8;
  submit_calls: Generated<number>;
}

export interface UsersTable {
  id: Id;
  account_id: Int8;
  email: string;
  /** The email trimmed and lower-cased: unique, so that one address cannot sign up twice in another case. */
  email_folded: string;
  /** `scrypt$ln=15,r=8,p=1$<salt>$<key>`: the parameters and the salt travel with the key. */
  password_hash: string;
  role: string;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface SessionsTable {
  id: Id;
  /** SHA-256 of the cookie's session id; the id itself is never stored. */
  session_sha256: string;
  user_id: Int8;
  csrf_token: string;
  created_at_us: Int8;
  last_seen_at_us: Int8;
  expires_at_us: Int8;
  revoked_at_us: NullableInt8;
}

export interface LoginFailuresTable {
  id: Id;
  email_folded: string;
  ip: string;
  attempted_at_us: Int8;
}

export interface SendingDraftsTable {
  sending_id: Int8;
  /** The draft's distinct recipients, one per line. */
  recipients: string;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface SuppressionsTable {
  id: Id;
  account_id: Int8;
  /** International digits without "+". */
  phone: string;
  source: string;
  created_at_us: Int8;
  /** The sender (a name, or a number's digits) the entry applies to; '' for every sending of the account. */
  sender: ColumnType<string, string | undefined, string>;
}

export interface SuppressionChangesTable {
  id: Id;
  account_id: Int8;
  phone: string;
  action: string;
  source: string;
  actor: string | null;
  at_us: Int8;
  /** The entry's sender; '' for the whole account. */
  sender: ColumnType<string, string | undefined, string>;
}

export interface NumbersTable {
  id: Id;
  /** Digits: a long number in international form without "+", or a short code. */
  number: string;
  /** Upper case; null when the account has the whole number. */
  keyword: string | null;
  account_id: Int8;
  created_at_us: Int8;
}

export interface InboundMessagesTable {
  id: Id;
  account_id: Int8;
  number_id: NullableInt8;
  from_phone: string;
  to_number: string;
  text: string;
  provider: string;
  provider_message_id: string;
  received_at_us: Int8;
  /** What the text did to the opt-out list: opt_out, opt_in, help; null: nothing. */
  keyword_effect: ColumnType<string | null, string | null | undefined, string | null>;
  /** The automatic reply the message asked for (`help`, `stop`, `start`); null: none. */
  auto_reply: ColumnType<string | null, string | null | undefined, string | null>;
  /** The sending that carries it; null when none was sent. */
  auto_reply_sending_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** Why it was not sent (`insufficient_balance`, `suppressed`, …); null when it was, or none was asked. */
  auto_reply_refusal: ColumnType<string | null, string | null | undefined, string | null>;
  /** When a keyword answer became owed, stored with the message; null once it was sent, refused or not needed. */
  auto_reply_owed_at_us: ColumnType<number | string | null, number | null | undefined, number | null>;
}

/** One per (account, handset number, our number): the inbox's list, with the last message received. */
export interface ConversationsTable {
  id: Id;
  account_id: Int8;
  phone: string;
  number: string;
  last_inbound_id: Int8;
  last_received_at_us: Int8;
}

export interface InvitationsTable {
  id: Id;
  account_id: Int8;
  /** SHA-256 (hex) of the link's token; the token is shown once and never stored. */
  token_sha256: string;
  email: string;
  created_by: string;
  created_at_us: Int8;
  expires_at_us: Int8;
  ended_at_us: NullableInt8;
  /** `accepted` (the owner's user made) or `replaced` (a newer invitation of the account); null while open. */
  outcome: string | null;
}

export interface ProviderCostListsTable {
  /** The provider's name, as the registry spells it. */
  provider: string;
  currency: string;
  /** Moved on in the transaction of every replacement of the list. */
  version: Int8;
  updated_at_us: Int8;
}

export interface ProviderCostsTable {
  provider: string;
  mcc: string;
  /** Null for the country-wide row. */
  mnc: string | null;
  /** One part's cost in 1/10000 of the list's currency. */
  cost_minor: Int8;
}

export interface InstallationTable {
  id: number;
  /** 32 hex digits, drawn at the schema's creation. */
  installation_id: string;
}

export interface RouteRulesTable {
  id: Id;
  position: number;
  is_default: ColumnType<number, number | undefined, number>;
  mcc: string | null;
  mnc: string | null;
  prefix: string | null;
  account_id: NullableInt8;
  sending_type: string | null;
  sender_kind: string | null;
  strategy: string;
  /** Provider names in order, separated by commas; empty for none. */
  providers: string;
  min_delivery_ppm: number | null;
  max_latency_ms: NullableInt8;
  min_reports: number | null;
  loss_policy: string;
  created_at_us: Int8;
  updated_at_us: Int8;
}

export interface RouteTableTable {
  id: number;
  /** Moves on every change of `route_rules`. */
  version: Int8;
}

export interface Schema {
  accounts: AccountsTable;
  api_tokens: ApiTokensTable;
  ledger_entries: LedgerEntriesTable;
  senders: SendersTable;
  rates: RatesTable;
  rate_lists: RateListsTable;
  countries: CountriesTable;
  country_mccs: CountryMccsTable;
  sendings: SendingsTable;
  messages: MessagesTable;
  pending_reports: PendingReportsTable;
  callback_outbox: CallbackOutboxTable;
  sandbox_submissions: SandboxSubmissionsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  sending_drafts: SendingDraftsTable;
  installation: InstallationTable;
  suppressions: SuppressionsTable;
  suppression_changes: SuppressionChangesTable;
  numbers: NumbersTable;
  inbound_messages: InboundMessagesTable;
  invitations: InvitationsTable;
  provider_cost_lists: ProviderCostListsTable;
  provider_costs: ProviderCostsTable;
  route_rules: RouteRulesTable;
  route_table: RouteTableTable;
  delivery_quality: DeliveryQualityTable;
  conversations: ConversationsTable;
}
