// The dashboard's JSON API under /app/api: paths, request bodies and answers, shared by the server and the web client.
// Types only (and constants): nothing here runs I/O, so the browser bundle can import it.
//
// General rules
// - Every answer is JSON (except the CSV exports). Errors use the public API's shapes: `{ message }`, and for bad
//   input 422 `{ message, errors: { field: [text, …] } }`.
// - The session is an httpOnly, SameSite=Lax cookie (`smsgic_session`, `Secure` when served over TLS).
// - CSRF: every request that is not GET/HEAD must carry the header `x-csrf-token` with the `csrfToken` of the current
//   session (from `GET /app/api/me`, or from the answer of signup/login). Signup and login, which have no session yet,
//   must be `Content-Type: application/json` and, when the browser sends `Origin`, come from the same origin.
//   A missing or wrong token answers 403 `{ message: 'CSRF token mismatch.' }`.
// - Without a session: 401 `{ message: 'Unauthenticated.' }`. A customer route for an id of another account: 404
//   `{ message: 'Not found.' }`. An admin route for a non-admin: 403 `{ message: 'Forbidden.' }`.
// - Money is a decimal string in the account's currency with the currency's own precision as the public API writes
//   it (e.g. "12.500"), never a float. Times are ISO 8601 UTC strings ("2026-11-25T10:00:00.000Z") or null.
// - Lists are paginated: `?page=1&per_page=50` (per_page at most 500); the answer is `Page<T>`.
// - A text (in a body or a query string) holding a control character is refused: 422 on that field, `The name field
//   must not contain control characters.`; tab, line feed and carriage return are allowed in `message`, `note`,
//   `numbers` and a CSV body. JSON nested more than 32 levels deep: 422 `The recipients field is nested too deeply.` on its field.
import type { LedgerKind } from '../../domain/ledger.js';
import type { OptOutScope, SuppressionSource } from '../../domain/opt-out.js';
import type { SendingStatus } from '../../domain/sending.js';
import type { MessageStatus } from '../../domain/status.js';
import type { ServerTextCode, TextCode, TextParams } from '../../domain/texts.js';

export const DASHBOARD_BASE = '/app';
export const DASHBOARD_API = '/app/api';
export const SESSION_COOKIE = 'smsgic_session';
export const CSRF_HEADER = 'x-csrf-token';
export {
  COMPOSE_RECIPIENTS_MAX,
  INVALID_LISTED_MAX,
  KEYWORD_REPLY_CHARS_MAX,
  OPT_OUT_WORD_CHARS_MAX,
  OPT_OUT_WORDS_MAX,
  SUPPRESSION_IMPORT_MAX,
  SUPPRESSIONS_PER_REQUEST_MAX,
  WEBHOOK_SECRET_GRACE_MS,
} from '../../domain/limits.js';

export type Role = 'customer' | 'admin';

export interface Page<T> {
  readonly data: readonly T[];
  readonly page: number;
  readonly per_page: number;
  readonly total: number;
}

export interface ErrorBody {
  readonly message: string;
  readonly errors?: Readonly<Record<string, readonly string[]>>;
  /** Why, for a client to act on: `account_suspended` on the 403 of every route a suspended account may not use. */
  readonly reason?: string;
  /**
   * The message as a code of the server texts' catalogue (domain/texts.ts) with its parameters, for the dashboard to
   * say in its language (`server.<code>`); absent when the message is not one of the catalogue.
   */
  readonly code?: ServerTextCode;
  readonly params?: TextParams;
  /** The same for each text of `errors`, field by field in the same order: null for a text outside the catalogue. */
  readonly codes?: Readonly<Record<string, readonly (TextCode | null)[]>>;
}

// --- Accounts and sessions ------------------------------------------------------------------------------------------

/** POST /app/api/signup → 201 Me (and the session cookie). 422 on bad input; an email in use is a 422 on `email`. */
export interface SignupRequest {
  readonly email: string;
  /** At least 10 characters. */
  readonly password: string;
  readonly company: string;
  /** ISO 4217 code the platform supports (e.g. "EUR", "GBP", "USD"). */
  readonly currency: string;
}

/** POST /app/api/login → 200 Me. Wrong email or password: 422 with the same text either way (no user enumeration):
 *  `{ message: 'These credentials do not match our records.', errors: { email: [that text] } }`. Too many failures within
 *  15 minutes (5 for one email from one address, 100 for one email from any, 50 from one address for any emails; a
 *  wrong current password of POST /password counts too): 429
 *  `{ message: 'Too many login attempts. Please try again in N seconds.' }` with `Retry-After`. */
export interface LoginRequest {
  readonly email: string;
  readonly password: string;
}

/** POST /app/api/logout → 204. POST /app/api/password → 204 (other sessions of the user are ended). */
export interface PasswordChangeRequest {
  readonly current_password: string;
  readonly password: string;
}

export interface AccountView {
  readonly id: number;
  readonly name: string;
  readonly currency: string;
  /** Currency sign, e.g. "€". */
  readonly sign: string;
  readonly balance: string;
  readonly tax_rate: string;
  readonly suspended: boolean;
}

/** GET /app/api/me → 200 Me, or 401. */
export interface Me {
  readonly user: { readonly id: number; readonly email: string; readonly role: Role };
  readonly account: AccountView;
  readonly csrfToken: string;
}

// --- Invitations ------------------------------------------------------------------------------------------------------

/** The operator invites someone to a customer account (POST /admin/accounts/:id/invitations); empty: its email. */
export interface InvitationRequest {
  readonly email?: string;
}

/** A new invitation: the token goes in the link (`/app/invite#<token>`) and is shown this once. */
export interface NewInvitationView {
  readonly email: string;
  readonly token: string;
  readonly expires_at: string;
}

/** What an open link shows (POST /invitations/open with `{ token }`). */
export interface InvitationView {
  readonly email: string;
  readonly account_name: string;
  readonly expires_at: string;
}

/** Choosing the password (POST /invitations/accept): signs the new user in, answered like a sign-in. */
export interface AcceptInvitationRequest {
  readonly token: string;
  readonly password: string;
}

// --- API tokens -----------------------------------------------------------------------------------------------------

export interface TokenView {
  readonly id: number;
  readonly name: string;
  /** The first characters, for telling tokens apart ("smsgic_AbC12xY"). */
  readonly prefix: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
  readonly expires_at: string | null;
}

/** GET /app/api/tokens → { data: TokenView[] }. POST /app/api/tokens { name } → 201 CreatedTokenView.
 *  POST /app/api/tokens/:id/revoke → 200 TokenView. */
export interface CreatedTokenView extends TokenView {
  /** The token itself; shown this once, never again. */
  readonly token: string;
}

// --- Webhook secret ------------------------------------------------------------------------------------------------

/** GET /app/api/webhook-secret → WebhookSecretView: the key of the HMAC-SHA256 that signs the account's status
 *  callbacks. POST /app/api/webhook-secret/rotate → 200 WebhookSecretView with a new random secret; the replaced one
 *  keeps signing callbacks for WEBHOOK_SECRET_GRACE_MS (header `X-Smsgic-Signature` under the replaced secret,
 *  `X-Smsgic-Signature-New` under the new one), then the new one alone signs `X-Smsgic-Signature`. */
export interface WebhookSecretView {
  readonly secret: string;
  /** While the replaced secret still signs callbacks: until when; null otherwise. */
  readonly previous_valid_until: string | null;
  /** When the secret was last rotated; null if it never was. */
  readonly rotated_at: string | null;
}

// --- Inbound URL --------------------------------------------------------------------------------------------------

/** GET /app/api/inbound-url → InboundUrlView. POST /app/api/inbound-url `{ inbound_url }` (a public http(s) URL; "" or
 *  null clears it) → 200 InboundUrlView, or 422 under `inbound_url`. Each received message is POSTed there as JSON
 *  (id, from, to, text, received_at, parts, keyword_effect), signed with `X-Smsgic-Signature` as status callbacks are. */
export interface InboundUrlView {
  /** Null: received messages are not POSTed anywhere. */
  readonly inbound_url: string | null;
}

// --- Destination countries ------------------------------------------------------------------------------------------

export interface CountryView {
  /** ISO 3166 alpha-2 ("LV"): the dashboard names the country by it in its language. */
  readonly iso: string;
  /** The English name ("Latvia"). */
  readonly name: string;
}

/** GET /app/api/countries → CountriesView. POST /app/api/countries `{ countries: "all" | ["LV", …] }` → 200
 *  CountriesView, or 422 under `countries` when a code is no country or one the operator does not allow. Null: every
 *  country. */
export interface CountriesView {
  /** The countries the operator lets the account send to. */
  readonly allowed: readonly CountryView[] | null;
  /** The account's own choice among them. */
  readonly chosen: readonly CountryView[] | null;
  /** Where its sendings go: both lists together. */
  readonly sends_to: readonly CountryView[] | null;
}

/** GET /app/api/spend-limits → SpendLimitsView. POST /app/api/spend-limits `{ daily?, monthly? }` (a decimal amount
 *  in the account's currency, or "" / null for no limit; a field left out is kept) → 200 SpendLimitsView, or 422.
 *  POST /app/api/admin/accounts/:id/spend-limits: the same for the operator. A sending that would take what the
 *  account's sendings hold in the UTC day or month past its limit is refused (422 under `spend_limit`). */
export interface SpendLimitsView {
  /** Null: no limit. */
  readonly daily: string | null;
  readonly monthly: string | null;
}

// --- Balance and transactions ---------------------------------------------------------------------------------------

export type TransactionKind = LedgerKind;

/** GET /app/api/transactions?page&per_page&kind → Page<TransactionView>, newest first.
 *  GET /app/api/transactions.csv?kind → text/csv (all of them, same columns, header row; `amount` and `balance_after`
 *  as plain decimals with four decimals, the exact ledger value: "-0.0410", "30.5820"; `created_at` ISO-8601 UTC to
 *  the millisecond). */
export interface TransactionView {
  readonly id: number;
  readonly kind: TransactionKind;
  /** Signed: credits and refunds positive, reservations and debits negative. */
  readonly amount: string;
  readonly balance_after: string;
  readonly sending_id: number | null;
  readonly note: string | null;
  readonly created_at: string;
}

// --- Senders and rates ----------------------------------------------------------------------------------------------

/** GET /app/api/senders → { data: SenderView[] } (the account's own, every status, and the platform's approved).
 *  POST /app/api/senders { name } → 201 SenderView with status "pending" (422 on a bad or duplicate name). */
export interface SenderView {
  readonly id: number;
  readonly name: string;
  readonly status: 'approved' | 'pending' | 'rejected';
  /** A platform default sender, usable by every account. */
  readonly platform: boolean;
  readonly created_at: string;
}

/** GET /app/api/rates?country&country_id&mcc&mnc → { data: RateView[] } with the public API's filters and texts. */
export interface RateView {
  /** The English name of the country the MCC names ("Latvia"); "" when the catalog has none. */
  readonly country: string;
  /** Its ISO 3166-1 alpha-2 code ("LV"), for the dashboard to name it in its language; "" with no country. */
  readonly iso: string;
  readonly mcc: string;
  readonly mnc: string | null;
  readonly rate: string;
}

// --- Compose --------------------------------------------------------------------------------------------------------

/** POST /app/api/price → 200 PriceView: the same calculation as POST /sendings/calculate, summarised for a form. */
export interface PriceRequest {
  readonly message: string;
  readonly recipients: readonly string[];
  /** Replace characters outside GSM 03.38 by look-alikes when that makes the text GSM-7. */
  readonly smart_encoding?: boolean;
  /**
   * The sender it would go from: a route rule may match on it (those refusing to send at a loss are told), and numbers
   * opted out of that sender's sendings only are left out too.
   */
  readonly sender?: string;
}

export interface PriceView {
  /**
   * Null when smart encoding would change nothing; else whether it was asked for (the figures below are for that
   * choice), the text it sends, its parts and what it saves against the text as written.
   */
  readonly smart_encoding: {
    readonly on: boolean;
    readonly text: string;
    readonly parts: number;
    readonly saved: string;
  } | null;
  readonly encoding: 'GSM-7' | 'UCS-2';
  /** The distinct characters of the message that are not in GSM 03.38 (they force UCS-2). */
  readonly ucs2_characters: readonly string[];
  /** Characters as counted for parts (an extension-table character counts 2 in GSM-7). */
  readonly characters: number;
  readonly parts: number;
  readonly recipients: number;
  readonly valid: number;
  /** Up to INVALID_LISTED_MAX of them, in the order given; with the recipients a route rule would refuse at a loss
   *  (the reason is the text of the 422 that sending them would get). */
  readonly invalid: readonly { readonly recipient: string; readonly reason: string }[];
  readonly invalid_total: number;
  /** Valid recipients on the account's suppression list (opted out): not sent, not priced. */
  readonly suppressed: number;
  readonly destinations: readonly {
    /** The destination's English name: the country and the operator when known ("Latvia LMT"). */
    readonly country: string;
    /** The country's ISO 3166-1 alpha-2 code ("LV") and English name ("Latvia"), for naming it in the dashboard's
     *  language (the name is the start of `country`). */
    readonly iso: string;
    readonly country_name: string;
    readonly mcc: string | null;
    readonly mnc: string | null;
    readonly recipients: number;
    readonly rate: string;
    readonly cost: string;
  }[];
  readonly subtotal: string;
  readonly tax: string;
  readonly total: string;
  readonly currency: string;
  readonly sign: string;
  readonly balance: string;
  /** Whether the balance covers the total. */
  readonly affordable: boolean;
}

/** POST /app/api/sendings → 201 CampaignView. With `draft: true` the sending is saved as "Draft": nothing reserved,
 *  editable, sent later with POST /app/api/sendings/:id/send (priced and reserved then, exactly like a new sending).
 *  Bad input: 422 with the public API's fields and texts (message, recipients, sender, schedule). */
export interface ComposeRequest {
  readonly message: string;
  readonly recipients: readonly string[];
  readonly sender: string;
  /** "YYYY-MM-DD HH:MM:SS" UTC, as the public API takes it; absent or empty: at once. */
  readonly schedule?: string;
  readonly draft?: boolean;
  /** As in PriceRequest: the text is sent (and a draft saved) smart-encoded. */
  readonly smart_encoding?: boolean;
  /** As the public API's: quiet hours in each recipient's local time, `HH:MM-HH:MM`; a draft keeps it. */
  readonly send_window?: string;
  /** As the public API's: minutes within which each message must be handed over; a draft keeps it. */
  readonly validity_minutes?: string | number;
}

// --- Campaigns ------------------------------------------------------------------------------------------------------

/** A message's status, the domain's own list (`domain/status.ts`), so a new status reaches every screen's switch. */
export type MessageStatusName = MessageStatus;

/** GET /app/api/sendings?page&per_page&status → Page<CampaignView>, newest first. GET /app/api/sendings/:id →
 *  CampaignView. POST /app/api/sendings/:id/cancel (Pending only; 409 otherwise) → CampaignView.
 *  POST /app/api/sendings/:id/send (Draft only) → CampaignView. DELETE /app/api/sendings/:id (Draft only) → 204. */
export interface CampaignView {
  readonly id: number;
  readonly text: string;
  readonly sender: string;
  readonly type: string;
  readonly status: SendingStatus;
  readonly created_at: string;
  readonly scheduled_at: string;
  readonly recipients: number;
  readonly parts_total: number;
  readonly encoding: string;
  readonly total: string;
  readonly refunded: string;
  /** Messages per status (every status present, zeros included). */
  readonly counts: Readonly<Record<MessageStatusName, number>>;
  /** Its quiet hours (`HH:MM-HH:MM`, recipients' local time), present when it has them; a Draft's as saved. */
  readonly send_window?: string;
  /** Its validity in minutes, present when it has one; a Draft's as saved, counted from when it is sent. */
  readonly validity_minutes?: number;
}

/** GET /app/api/sendings/:id/messages?status&search&page&per_page → Page<RecipientView>. `search` matches a part of
 *  the number. */
export interface RecipientView {
  readonly id: number;
  readonly recipient: string;
  /** The English name of the country the number was priced to ("Latvia"), null when it was not priced. */
  readonly country: string | null;
  /** Its ISO 3166-1 alpha-2 code ("LV"), null with it. */
  readonly iso: string | null;
  /** The name its destination is shown by, the same as in Compose's price panel: "Latvia LMT" (the country and the
   *  operator when known), the country alone otherwise; "" when it was not priced to a destination. */
  readonly destination: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly parts: number;
  readonly cost: string;
  /** What stays charged for the message (before tax): its cost once a provider accepted it, else "0". */
  readonly charged: string;
  /** What is refunded for it (before tax): its cost once final with no provider having accepted it, the parts not
   *  taken of one accepted only partly, else "0". Both are "0" while it is queued or being handed over (reserved). */
  readonly refunded: string;
  readonly status: MessageStatusName;
  /** The provider's last word short of a final one, as it spells it (Twilio's `sent`: handed to the carrier), or
   *  null. Never changes `status`. */
  readonly provider_status: string | null;
  readonly error: string | null;
  readonly updated_at: string;
}

// --- Opt-outs (the account's suppression list) ----------------------------------------------------------------------

/** Who put a number on the list: through the API, in the dashboard, the platform operator, or a STOP reply. */
export type OptOutSource = SuppressionSource;

/** GET /app/api/opt-outs?page&per_page&search → Page<OptOutView> in number order; `search` keeps the numbers starting
 *  with it (digits; "+", "00" and phone punctuation are dropped: "+44 7700" searches 447700). A number on the list is
 *  never sent to: a sending records it as `suppressed`, at no cost. */
export interface OptOutView {
  /** International digits without "+". */
  readonly phone: string;
  readonly source: OptOutSource;
  readonly created_at: string;
  /** The sender (a name, or a number's digits) whose sendings the entry applies to; null: every sending. */
  readonly sender: string | null;
}

/** POST /app/api/opt-outs { numbers: "text", sender?: "text" } → 200 OptOutsAdded (`sender`: the entries apply to
 *  sendings from that sender only; absent or blank: to every sending; malformed: 422 on `sender`): one or several numbers typed or pasted (one a line,
 *  or separated by commas, semicolons or spaces; read as Compose reads recipients), at most
 *  SUPPRESSIONS_PER_REQUEST_MAX. Any that is not a number: 422 on `numbers` naming each, nothing added.
 *  POST /app/api/opt-outs/import, body text/csv (a file as Compose takes one: the column of numbers, a header row
 *  allowed; a header `sender` column gives each row's sender, blank for every sending) → 200 OptOutsImported. All or nothing: any row that is not a number is a 422 on `csv` whose texts name the
 *  first rows by their line in the file (`Line 3: “abc” is not a phone number …`), and nothing is added. At most
 *  SUPPRESSION_IMPORT_MAX numbers.
 *  DELETE /app/api/opt-outs/:phone?sender → 204: the entry of that sender (blank or absent: the account-wide one);
 *  404 when not on the list.
 *  GET /app/api/opt-outs/:phone/history → { data: OptOutChangeView[] }, newest first (404 if never on the list).
 *  GET /app/api/opt-outs.csv → text/csv of the whole list, number order: `phone,source,created_at,sender` (UTC;
 *  sender blank for an account-wide entry). */
export interface OptOutsAdded {
  readonly added: number;
  /** Numbers given that were on the list already (they keep their first source and time). */
  readonly already: number;
}

export interface OptOutsImported extends OptOutsAdded {
  /** Number rows the file held. */
  readonly rows: number;
}

export interface OptOutChangeView {
  readonly action: 'add' | 'remove';
  readonly source: OptOutSource;
  /** Who: the dashboard user's email; null through the API or a STOP reply. */
  readonly actor: string | null;
  readonly at: string;
  /** The entry's sender; null: the account-wide entry. */
  readonly sender: string | null;
}

// --- Operator (role admin) ------------------------------------------------------------------------------------------

/** GET /app/api/admin/accounts?search&page&per_page → Page<AdminAccountView>.
 *  POST /app/api/admin/accounts NewAccountRequest → 201 AdminAccountView (422 on bad input).
 *  POST /app/api/admin/accounts/:id/tax-rate { tax_rate: "20.5" } → AdminAccountView: sendings priced afterwards are
 *  taxed at the new rate; those already stored keep their tax.
 *  POST /app/api/admin/accounts/:id/credit { amount: "100.00", note? } → AdminAccountView (422 on a bad amount).
 *  POST /app/api/admin/accounts/:id/suspend { suspended: boolean } → AdminAccountView. A suspended account's API
 *  tokens and sessions are refused (API: 401) until it is reinstated. */
export interface AdminAccountView extends AccountView {
  readonly email: string | null;
  readonly created_at: string;
  readonly sendings: number;
}

/**
 * The operator opens a customer account. No user is made: the owner's email is kept on the account, and an invitation
 * (below) lets the owner choose a password.
 */
export interface NewAccountRequest {
  readonly name: string;
  /** ISO 4217 code the platform supports (e.g. "EUR", "GBP", "USD"). */
  readonly currency: string;
  /** A percentage from 0 to 100 with at most four decimals ("20", "7,125"); 0 when absent. */
  readonly tax_rate?: string;
  /** Credited at once (a ledger entry noted `Opening credit`) when given. */
  readonly opening_credit?: string;
  readonly email?: string;
}

/** GET /app/api/admin/senders?status → Page<AdminSenderView>. POST /app/api/admin/senders/:id/approve and
 *  /reject → AdminSenderView. */
export interface AdminSenderView extends SenderView {
  readonly account_id: number | null;
  readonly account_name: string | null;
}

/** GET /app/api/admin/rates?account_id&currency → { data: RateView[] }: an account's own list, or without account_id
 *  the platform default list of `currency` (the base one, GBP, when absent).
 *  POST /app/api/admin/rates/import?account_id&currency&dry_run → body text/csv (the CLI's format, with an optional `currency`
 *  column) → RatesImported; a bad line is a 422 naming the line, a list in another currency than the account's a 422
 *  saying so, and nothing is imported.
 *  GET /app/api/admin/rates.csv?account_id&currency → text/csv, the list in the format the import reads (without
 *  account_id the default list of `currency`, the base one when absent). */
export interface RatesImported {
  readonly imported: number;
  /** The currency of the list replaced. */
  readonly currency: string;
  /** With `dry_run=true` in the query: nothing was written, the diff is what the import would do. */
  readonly dry_run: boolean;
  /** Rows the list did not have, rows it loses, and rows whose price changes; ordered by MCC, then MNC. */
  readonly added: readonly RateDiffRow[];
  readonly removed: readonly RateDiffRow[];
  readonly changed: readonly RateDiffChange[];
  /** How many rows keep their price. */
  readonly unchanged: number;
}

export interface RateDiffRow {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly rate: string;
}

export interface RateDiffChange {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly old_rate: string;
  readonly new_rate: string;
}

/** GET /app/api/admin/price-lists?account_id → { data: PriceListView[] }: the platform default lists (one per
 *  currency, the base one first) and, with account_id, that account's own (without: every own list that prices). */
export interface PriceListView {
  readonly list: 'default' | 'account';
  readonly account_id: number | null;
  readonly account_name: string | null;
  /** ISO 4217 code of the list's prices, and its sign. */
  readonly currency: string;
  readonly sign: string;
  /** `imported` as they are, or `converted` from the base default list. */
  readonly source: 'imported' | 'converted';
  /** For a converted list: 1 `converted_from` = `rate` `currency`, quoted on `rate_date` (YYYY-MM-DD). */
  readonly converted_from: string | null;
  readonly rate: string | null;
  readonly rate_date: string | null;
  /** How many rates the list holds (0: it prices nothing). */
  readonly rates: number;
}

/** GET /app/api/admin/providers → { data: ProviderHealthView[] }, from the messages of the last hour. */
export interface ProviderHealthView {
  readonly name: string;
  readonly configured: boolean;
  readonly submitted_last_hour: number;
  readonly delivered_last_hour: number;
  /** Messages not delivered (`NOT_DELIVERED_STATUSES` of domain/status.ts), as `VolumeDay.failed` counts them. */
  readonly failed_last_hour: number;
  readonly last_error: string | null;
  readonly last_activity_at: string | null;
}

/** GET /app/api/admin/volume?days=30 → { data: VolumeDay[] }, one row per UTC day, oldest first, zeros included. */
export interface VolumeDay {
  readonly day: string;
  readonly sendings: number;
  readonly messages: number;
  readonly parts: number;
  readonly delivered: number;
  /** Messages not delivered (`NOT_DELIVERED_STATUSES` of domain/status.ts). */
  readonly failed: number;
}

/** GET /app/api/admin/costs → { data: CostListView[] }: every provider of the platform (the sandbox first) with its
 *  cost list (`currency` null and `rows` 0 when it has none).
 *  POST /app/api/admin/costs/preview?provider&currency → body text/csv (`mcc,mnc,cost`, optionally `currency`) →
 *  CostsDiff with `replaced` false: what importing it would change, written nowhere.
 *  POST /app/api/admin/costs/import?provider&currency → the same body → CostsDiff with `replaced` true: the list is
 *  replaced whole. An unknown provider, a bad currency or a bad line (named) is a 422 and nothing is written.
 *  GET /app/api/admin/costs.csv?provider → text/csv, the list in the format the import reads (404 without a list). */
export interface CostListView {
  readonly provider: string;
  readonly currency: string | null;
  readonly rows: number;
  /** Moves on with every replacement; 0 without a list. */
  readonly version: number;
  readonly updated_at: string | null;
}

/** One part's cost to a network (`mnc` null: the whole country), a decimal in the list's currency ("0.0310"). */
export interface CostRowView {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly cost: string;
}

export interface CostChangeView {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly old: string;
  readonly new: string;
}

export interface CostsDiff {
  readonly provider: string;
  /** The list's currency after the import, and before it (null: the provider had no list). */
  readonly currency: string;
  readonly currency_before: string | null;
  readonly added: readonly CostRowView[];
  readonly removed: readonly CostRowView[];
  readonly changed: readonly CostChangeView[];
  readonly unchanged: number;
  readonly replaced: boolean;
  /** The list's version after the replacement; null for a preview. */
  readonly version: number | null;
}

/** One rule of the operator's route table. `position` is null for the default rule, which is always last. */
export interface RouteRuleView {
  readonly id: number;
  readonly position: number | null;
  readonly default: boolean;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly prefix: string | null;
  readonly account_id: number | null;
  readonly type: string | null;
  readonly sender_kind: 'alphanumeric' | 'numeric' | null;
  readonly strategy: 'fixed' | 'failover' | 'least_cost';
  /** In order; empty on the default rule: the configured providers in the built-in order. */
  readonly providers: readonly string[];
  readonly min_delivery_ppm: number | null;
  readonly max_latency_ms: number | null;
  readonly min_reports: number | null;
  readonly loss: 'send' | 'refuse';
}

/**
 * GET /app/api/admin/routes → RouteTableView. POST /app/api/admin/routes { strategy, providers: "a,b", mcc?, mnc?,
 * prefix?, account_id?, type?, sender_kind?, min_delivery? (percent), max_latency_ms?, min_reports?, loss?,
 * position? } → 201 RouteRuleView (422 on a bad field, naming it). POST /app/api/admin/routes/:id (the same fields)
 * → RouteRuleView. POST /app/api/admin/routes/:id/move { position } → RouteRuleView. DELETE /app/api/admin/routes/:id
 * → 204 (409 for the default rule).
 */
export interface RouteTableView {
  readonly data: readonly RouteRuleView[];
  /** Every provider a rule may name. */
  readonly providers: readonly string[];
}

/** How the margin report groups its messages. */
export type MarginGroupingName = 'day' | 'country' | 'provider' | 'account';

/**
 * One group's (or one currency's) money, before tax, in `currency`: decimal strings (exact, as every amount) and the
 * same in integer minor units (1/10000) for charts. `cost_unknown`: messages a provider took at an unknown cost.
 */
export interface MarginAmountsView {
  readonly currency: string;
  /** The currency's sign, for `money()`. */
  readonly sign: string;
  readonly messages: number;
  readonly charged: string;
  readonly refunded: string;
  readonly revenue: string;
  readonly cost: string;
  readonly cost_unknown: number;
  readonly margin: string;
  readonly revenue_minor: number;
  readonly cost_minor: number;
  readonly margin_minor: number;
}

export interface MarginRowView extends MarginAmountsView {
  /** The day (YYYY-MM-DD), country ISO code, provider name or account id; '' for none (no country, no provider). */
  readonly key: string;
  /** The key again for a day or a provider, the country's English name ("Latvia"; the dashboard names it by its ISO
   *  code in its language), the account's name. */
  readonly label: string;
}

/**
 * GET /app/api/admin/margin?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|country|provider|account → MarginReportView (the last
 * 30 days by day by default; 422 on a bad day, a reversed or too long range). GET /app/api/admin/margin.csv with the
 * same query → text/csv of the rows.
 */
export interface MarginReportView {
  readonly from: string;
  readonly to: string;
  readonly by: MarginGroupingName;
  readonly rows: readonly MarginRowView[];
  readonly totals: readonly MarginAmountsView[];
}

// --- Route simulation -----------------------------------------------------------------------------------------------

/** One side of a simulation (what happened, or what the proposal would have had), in `currency`: decimal strings. */
export interface SimulationFiguresView {
  readonly messages: number;
  readonly revenue: string;
  readonly cost: string;
  /** Messages with a provider but no known cost. */
  readonly cost_unknown: number;
  /** Messages a rule with the loss policy `refuse` would have refused (not in `messages`); 0 on the actual side. */
  readonly refused: number;
  /** The revenue those messages brought, lost under the proposal. */
  readonly refused_revenue: string;
  readonly margin: string;
  readonly margin_minor: number;
  /** The mean delivered share the quality books give the providers, ppm; null when none is known. */
  readonly expected_delivery_ppm: number | null;
}

export interface SimulationRowView {
  readonly currency: string;
  readonly sign: string;
  /** A provider's name ('' none would take it) or a country's ISO code ('' unknown). */
  readonly key: string;
  readonly label: string;
  readonly actual: SimulationFiguresView;
  readonly proposed: SimulationFiguresView;
}

export interface SimulationTotalView extends Omit<SimulationRowView, 'key' | 'label'> {
  /** Messages the proposal sends to another provider; messages no provider of it would take. */
  readonly moved: number;
  readonly unrouted: number;
  /** Messages the proposal refuses at a loss, and the revenue they brought (the proposed side's figures again). */
  readonly refused: number;
  readonly refused_revenue: string;
}

/**
 * POST /app/api/admin/routes/simulate {days, rule?: "new" | rule id, the rule's fields as POST /admin/routes takes
 * them, cost_provider?, csv?, currency?} → RouteSimulationView: the last `days` days' handed-over messages replayed
 * against the current table with that rule added or changed and/or that provider's cost list; nothing is written.
 * 422 names the field at fault.
 */
export interface RouteSimulationView {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly totals: readonly SimulationTotalView[];
  readonly providers: readonly SimulationRowView[];
  readonly countries: readonly SimulationRowView[];
  /**
   * Providers the table's rules name that the server's configuration has none of: the replay assumes every provider
   * a rule names is available (the sending workers' configuration may differ).
   */
  readonly unconfigured_providers: readonly string[];
}

// --- Inbox and keyword answers --------------------------------------------------------------------------------------

/** GET /app/api/conversations?search&page&per_page → Page<ConversationView>: one per (handset number, number of ours
 *  it wrote to), the one with the latest message received first; `search` keeps the handset numbers starting with it
 *  (as the opt-outs' search reads it). */
export interface ConversationView {
  readonly id: number;
  /** The handset's number, international digits without "+". */
  readonly phone: string;
  /** The number of ours it wrote to. */
  readonly number: string;
  /** The last message received in it, and when. */
  readonly last_text: string;
  readonly last_received_at: string;
}

/** What a received keyword's automatic reply became: sent (its sending in the conversation), or why not:
 *  `insufficient_balance`, `spend_limit`, `suppressed` (the number has opted out), `account_suspended`, `refused`. */
export type AutoReplyRefusalName =
  | 'insufficient_balance'
  | 'spend_limit'
  | 'suppressed'
  | 'account_suspended'
  | 'refused';

export type ConversationItemView =
  | {
      readonly direction: 'in';
      readonly id: number;
      readonly at: string;
      readonly text: string;
      /** The number of ours it came to. */
      readonly number: string;
      /** The automatic reply its keyword asked for, or null. */
      readonly auto_reply: 'help' | 'stop' | 'start' | null;
      readonly auto_reply_refusal: AutoReplyRefusalName | null;
    }
  | {
      readonly direction: 'out';
      /** The message's id, within its sending (campaign) `sending_id`. */
      readonly id: number;
      readonly at: string;
      readonly text: string;
      readonly sender: string;
      readonly sending_id: number;
      /** As a campaign's recipients show it. */
      readonly status: MessageStatusName;
      readonly provider_status: string | null;
      readonly error: string | null;
    };

/** GET /app/api/conversations/:phone?limit → ConversationThreadView: the newest `limit` (at most 500, the default)
 *  messages between the account and the number, both ways, oldest first; 404 when the number never wrote to the
 *  account. POST /app/api/conversations/:phone/price `{ message, smart_encoding? }` → PriceView (Compose's, for the one
 *  number). POST /app/api/conversations/:phone/reply `{ message, smart_encoding? }` → 201 CampaignView: a sending of
 *  the one number from `reply_from`, priced and reserved as Compose's are; refused with the public API's 422 texts
 *  (`balance`: Insufficient balance., `recipients`: the number has opted out, …). */
export interface ConversationThreadView {
  readonly phone: string;
  /** The number of ours the phone last wrote to: replies are sent from it. */
  readonly reply_from: string;
  readonly data: readonly ConversationItemView[];
  /** Messages in all (more than `data` holds when older ones are left out). */
  readonly total: number;
}

/** GET /app/api/keywords → KeywordAnswersView. POST /app/api/keywords `{ help_text?, confirmations?, stop_text?,
 *  start_text?, stop_words?, start_words?, opt_out_scope? }` → 200 KeywordAnswersView (a field left out is kept; a blank text clears
 *  it: no answer to HELP, or the platform's confirmation text; at most KEYWORD_REPLY_CHARS_MAX characters each). Each
 *  answer is a sending of the account, charged as any other, from the number the keyword came to. `stop_words` and
 *  `start_words` (an array, or one text of words separated by commas or spaces; empty: none) replace the account's own
 *  words: each one word of letters or digits up to OPT_OUT_WORD_CHARS_MAX, any case, none twice, none both a stop
 *  and a start word, none a built-in keyword, at most OPT_OUT_WORDS_MAX together; 422 under the list's name.
 *  `opt_out_scope`: `account` or `sender`, else 422 under its name. */
export interface KeywordAnswersView {
  /** The answer to HELP; null: HELP is not answered. */
  readonly help_text: string | null;
  /** STOP and START are confirmed by a reply (off unless turned on). */
  readonly confirmations: boolean;
  /** The confirmations' texts as sent. */
  readonly stop_text: string;
  readonly start_text: string;
  /** The account's own opt-out and opt-in words (upper case), beside the built-in ones. */
  readonly stop_words: readonly string[];
  readonly start_words: readonly string[];
  /** Whom a STOP reply suppresses the number for: `account` (every sending, the default) or `sender` (only the
   *  sendings from the sender, name or number, the reply answered; START takes that same entry away). */
  readonly opt_out_scope: OptOutScope;
  /** The built-in keywords, every language: a reply of one of these alone always counts. */
  readonly built_in_stop_words: readonly string[];
  readonly built_in_start_words: readonly string[];
}

// --- Numbers and account controls (operator) -------------------------------------------------------------------------

/**
 * GET /app/api/admin/numbers?account_id → { data: OperatorNumberView[] } (422 under `account_id` for no such account).
 * POST /app/api/admin/numbers { number, keyword?, account_id } → 201 OperatorNumberView (200 when the account had it
 * already); 422 naming a bad `number` (3 to 20 digits), `keyword` (one word) or `account_id`; 409 { message } when
 * another account has it. POST /app/api/admin/numbers/unassign { number, keyword? } → OperatorNumberView, or 422 under
 * `number` when nobody has it. The same rules as `smsgic numbers`.
 */
export interface OperatorNumberView {
  readonly id: number;
  readonly number: string;
  /** Upper case; null: the whole number. */
  readonly keyword: string | null;
  readonly account_id: number;
  readonly account_name: string;
  /** Assigned since (ISO 8601). */
  readonly created_at: string;
}

/** GET /app/api/admin/accounts/:id/controls → AccountControlsView (404 for no such account). Changed through
 *  POST /app/api/admin/accounts/:id/countries `{ countries: "all" | "LV, EE" }` and …/spend-limits `{ daily, monthly }`. */
export interface AccountControlsView {
  readonly countries: CountriesView;
  readonly spend_limits: SpendLimitsView;
}
