// The tables as Kysely sees them; rows stay inside src/store and leave it only as domain objects.
import type { ColumnType, Generated } from 'kysely';

/**
 * A BIGINT column. pg returns int8 as a decimal string (it may exceed 2^53) and better-sqlite3 as a number; the store
 * reads it through `minorFrom` (money) or `intFrom` (ids, counts, microseconds), never through parseFloat.
 */
export type Int8 = ColumnType<number | string, number, number>;
export type NullableInt8 = ColumnType<number | string | null, number | null, number | null>;
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
  message_id: Int8;
  sending_id: Int8;
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
}

export interface SuppressionChangesTable {
  id: Id;
  account_id: Int8;
  phone: string;
  action: string;
  source: string;
  actor: string | null;
  at_us: Int8;
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
}

export interface InstallationTable {
  id: number;
  /** 32 hex digits, drawn at the schema's creation. */
  installation_id: string;
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
}
