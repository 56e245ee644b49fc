// What the dashboard's API does, over the store, the pricing core and the public API's own sending services.
import type { ProviderConfig } from '../config.js';
import {
  type AdminAccountView,
  type AdminSenderView,
  type CampaignView,
  COMPOSE_RECIPIENTS_MAX,
  type CreatedTokenView,
  INVALID_LISTED_MAX,
  type Me,
  type Page,
  type PriceView,
  type ProviderHealthView,
  type RatesImported,
  type RateView,
  type RecipientView,
  type SenderView,
  type TokenView,
  type TransactionView,
  type VolumeDay,
} from '../dashboard/contract.js';
import { SANDBOX_PROVIDER } from '../dispatch/providers/sandbox/adapter.js';
import { REAL_PROVIDERS } from '../dispatch/registry.js';
import { countParts } from '../domain/gsm.js';
import { CURRENCIES, currencyOf, formatMinor, MoneyError, parseMoney } from '../domain/money.js';
import { priceSending, recipientList, type UnpricedReason } from '../domain/pricing.js';
import { parseRatesCsv } from '../domain/rates-csv.js';
import { senderNameProblem } from '../domain/sender-name.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../domain/status.js';
import { ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import type { ApiServices, AuthenticatedAccount, RateFilters } from '../http/ports.js';
import type { Account } from '../store/accounts.js';
import { getAccount } from '../store/accounts.js';
import {
  getAccountForAdmin,
  listAccountsForAdmin,
  priceList,
  providerActivity,
  setAccountSuspended,
  US_PER_DAY,
  volumeByDay,
} from '../store/admin-views.js';
import {
  type Campaign,
  DASHBOARD_PER_PAGE_MAX,
  getCampaign,
  listCampaigns,
  listRecipients,
} from '../store/campaigns.js';
import { type Draft, deleteDraft, readDraft, saveDraft, sendDraft, updateDraft } from '../store/drafts.js';
import { credit, debit, type LedgerKind } from '../store/ledger.js';
import { claimLoginAttempt, DEFAULT_LOGIN_LIMITS, type LoginLimits, loginSucceeded } from '../store/login-failures.js';
import { replaceRates } from '../store/rates.js';
import { listAccountSenders, listSendersForReview, requestSender, reviewSender } from '../store/sender-reviews.js';
import type { SenderStatus } from '../store/senders.js';
import { cancelSending } from '../store/sending-cancel.js';
import type { SendingStatus } from '../store/sendings.js';
import { type ActiveSession, createSession, findSession, type NewSession, revokeSession } from '../store/sessions.js';
import { US_PER_MS } from '../store/time.js';
import { createToken, listTokens, revokeToken } from '../store/tokens.js';
import { allTransactions, listTransactions } from '../store/transactions.js';
import {
  changePassword,
  createCustomer,
  findUserByEmail,
  foldEmail,
  getUser,
  isOperatorAccount,
} from '../store/users.js';
import { type ApiServicesDeps, createApiServices } from './api-services.js';
import {
  accountView,
  adminAccountView,
  adminSenderView,
  amountText,
  balanceText,
  campaignView,
  createdTokenView,
  isoMs,
  recipientView,
  senderView,
  TRANSACTION_CSV_HEADER,
  tokenView,
  transactionCsvLine,
  transactionView,
} from './dashboard-views.js';
import {
  dummyPasswordHash,
  hashPassword,
  PASSWORD_CHARS_MAX,
  PASSWORD_CHARS_MIN,
  verifyPassword,
} from './passwords.js';
import { rateCardsOf } from './rate-cards.js';
import { messageRows, priceSendingYielding, validateNewSending } from './sending-validation.js';

export interface DashboardServicesDeps extends ApiServicesDeps {
  /** The configured upstream providers, for the operator's provider view. */
  readonly providers?: ProviderConfig;
  readonly loginLimits?: LoginLimits;
  /** The public API's services over the same database; built from the other deps when absent. */
  readonly api?: ApiServices;
}

/** Whoever a session cookie names, as read at the start of the request. */
export type Actor = ActiveSession;

/** Why a request was refused, as a value; HTTP turns each kind into its status code and body. */
export type Refusal =
  | { readonly ok: false; readonly kind: 'invalid'; readonly errors: ValidationErrors }
  | { readonly ok: false; readonly kind: 'not_found' }
  | { readonly ok: false; readonly kind: 'conflict'; readonly message: string }
  | { readonly ok: false; readonly kind: 'throttled'; readonly message: string; readonly retryAfterSeconds: number };

export type Outcome<T> = { readonly ok: true; readonly value: T } | Refusal;

export interface SignedIn {
  readonly me: Me;
  /** The new session: its id goes to the cookie. */
  readonly session: NewSession;
}

type Fields = Readonly<Record<string, unknown>>;

const EMAIL_CHARS_MAX = 254;
const NAME_CHARS_MAX = 255;
const TOKEN_NAME_CHARS_MAX = 100;
const NOTE_CHARS_MAX = 500;
export const DASHBOARD_PER_PAGE_DEFAULT = 50;
const VOLUME_DAYS_DEFAULT = 30;
const VOLUME_DAYS_MAX = 366;
const PROVIDER_WINDOW_MS = 60 * 60 * 1000;

/** Why a number of a compose form will not be sent, in words for the person typing it. */
function unpricedText(why: UnpricedReason): string {
  switch (why.kind) {
    case 'format':
      return 'Not a phone number: use 8 to 20 digits in international format, with the country code and no "+".';
    case 'unknown_prefix':
      return 'No country uses this number prefix.';
    case 'no_rate':
      return `No price for ${why.operator ? `${why.country} ${why.operator}` : why.country} in your price list.`;
  }
}
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const invalid = (errors: ValidationErrors): Refusal => ({ ok: false, kind: 'invalid', errors });
const invalidOne = (field: string, text: string): Refusal => invalid(new ValidationErrors().add(field, text));
const notFound: Refusal = { ok: false, kind: 'not_found' };
const conflict = (message: string): Refusal => ({ ok: false, kind: 'conflict', message });
const tooManyLogins = (seconds: number): Refusal => ({
  ok: false,
  kind: 'throttled',
  message: ruleText.tooManyLogins(seconds),
  retryAfterSeconds: seconds,
});

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A text field: absent or blank is `required`'s error when required, undefined otherwise. */
function textField(
  fields: Fields,
  name: string,
  errors: ValidationErrors,
  rules: { readonly required?: boolean; readonly max?: number } = {},
): string | undefined {
  const value = fields[name];
  if (isBlank(value)) {
    if (rules.required) errors.add(name, ruleText.required(name));
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(name, ruleText.string(name));
    return undefined;
  }
  if (rules.max !== undefined && value.length > rules.max) {
    errors.add(name, ruleText.maxChars(name, rules.max));
    return undefined;
  }
  return value;
}

/** A whole number field (a number or digits); undefined when absent. */
function intField(fields: Fields, name: string, errors: ValidationErrors): number | undefined {
  const value = fields[name];
  if (isBlank(value)) return undefined;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(n)) {
    errors.add(name, ruleText.integer(name));
    return undefined;
  }
  return n;
}

function pageField(fields: Fields, errors: ValidationErrors): { page: number; perPage: number } {
  const page = intField(fields, 'page', errors) ?? 1;
  const perPage = intField(fields, 'per_page', errors) ?? DASHBOARD_PER_PAGE_DEFAULT;
  if (!errors.has('page') && page < 1) errors.add('page', ruleText.minNumber('page', 1));
  if (!errors.has('per_page') && perPage < 1) errors.add('per_page', ruleText.minNumber('per_page', 1));
  if (!errors.has('per_page') && perPage > DASHBOARD_PER_PAGE_MAX)
    errors.add('per_page', ruleText.maxNumber('per_page', DASHBOARD_PER_PAGE_MAX));
  return { page, perPage };
}

/** An optional field that must be one of `values`. */
function oneOfField<T extends string>(
  fields: Fields,
  name: string,
  values: readonly T[],
  errors: ValidationErrors,
): T | undefined {
  const value = fields[name];
  if (isBlank(value)) return undefined;
  const found = values.find((v) => v === value);
  if (found === undefined) errors.add(name, ruleText.selectedInvalid(name));
  return found;
}

function pageOf<T>(data: readonly T[], page: { page: number; perPage: number }, total: number): Page<T> {
  return { data, page: page.page, per_page: page.perPage, total };
}

/** The account as the public API's services take it (currency resolved, balance as read with the session). */
function authenticated(account: Account): AuthenticatedAccount {
  const currency = currencyOf(account.currency);
  if (!currency) throw new Error(`account ${account.id} has unknown currency ${account.currency}`);
  return { id: account.id, currency, taxRatePpm: account.taxRatePpm, balanceMinor: account.balanceMinor };
}

/** The public API names the schedule `scheduled_at`; the compose form names it `schedule`. Texts stay the same. */
function withScheduleKey(errors: ValidationErrors): ValidationErrors {
  const renamed = new ValidationErrors();
  for (const [field, texts] of Object.entries(errors.toJSON().errors)) {
    for (const text of texts) renamed.add(field === 'scheduled_at' ? 'schedule' : field, text);
  }
  return renamed;
}

const SENDING_STATUSES: readonly SendingStatus[] = [
  'Draft',
  'Pending',
  'Processing',
  'Completed',
  'Cancelled',
  'Failed',
];
const LEDGER_KINDS: readonly LedgerKind[] = ['credit', 'debit', 'reservation', 'refund'];
const SENDER_STATUSES: readonly SenderStatus[] = ['approved', 'pending', 'rejected'];

export function createDashboardServices(deps: DashboardServicesDeps) {
  const { db, plan } = deps;
  const api =
    deps.api ??
    createApiServices({
      db,
      plan,
      availableTypes: deps.availableTypes,
      ...(deps.allowPrivateCallbacks !== undefined && { allowPrivateCallbacks: deps.allowPrivateCallbacks }),
      ...(deps.workSignal && { workSignal: deps.workSignal }),
    });
  const loginLimits = deps.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  // Made now, so that the first login for an unknown email takes no longer than any other.
  void dummyPasswordHash().catch(() => {});

  function me(session: ActiveSession): Me {
    return { user: { ...session.user }, account: accountView(session.account), csrfToken: session.csrfToken };
  }

  async function signIn(userId: number): Promise<SignedIn> {
    const session = await createSession(db, userId);
    const active = await findSession(db, session.sessionId);
    if (!active) throw new Error(`session ${session.id} vanished`);
    return { me: me(active), session };
  }

  async function campaignOrNotFound(accountId: number, sendingId: number): Promise<Outcome<CampaignView>> {
    const campaign = await getCampaign(db, accountId, sendingId);
    return campaign ? ok(campaignView(campaign)) : notFound;
  }

  /** The compose form's fields as the public API's sending fields; the draft flag read aside. */
  function composeFields(fields: Fields, errors: ValidationErrors): { sending: Fields; draft: boolean } {
    const draft = fields.draft;
    if (draft !== undefined && draft !== null && typeof draft !== 'boolean')
      errors.add('draft', ruleText.boolean('draft'));
    const list = recipientList(fields.recipients);
    if (list !== null && list.length > COMPOSE_RECIPIENTS_MAX) {
      errors.add('recipients', ruleText.maxItems('recipients', COMPOSE_RECIPIENTS_MAX));
    }
    return {
      sending: {
        message: fields.message,
        recipients: fields.recipients,
        sender: fields.sender,
        scheduled_at: fields.schedule,
      },
      draft: draft === true,
    };
  }

  /** Validates compose fields into a draft's content (every rule of a sending but the balance). */
  async function draftContent(actor: Actor, fields: Fields) {
    const errors = new ValidationErrors();
    const { sending } = composeFields(fields, errors);
    if (!errors.empty) return { ok: false, errors } as const;
    const validated = await validateNewSending(deps, authenticated(actor.account), sending);
    if (!validated.ok) return { ok: false, errors: withScheduleKey(validated.errors) } as const;
    const { quote, options } = validated;
    return {
      ok: true,
      content: {
        accountId: actor.account.id,
        text: validated.text,
        sender: options.sender,
        type: options.type,
        scheduledAtUs: options.scheduledAtUs,
        encoding: quote.encoding,
        partsPerMessage: quote.partsPerMessage,
        smsCount: quote.smsCount,
        subtotalMinor: quote.subtotalMinor,
        taxMinor: quote.taxMinor,
        totalMinor: quote.totalMinor,
        recipients: quote.recipients,
      },
    } as const;
  }

  /**
   * A Draft's recipients as a page of RecipientView, priced with today's rates: none is a message yet, so each is
   * `queued` and its id is its position in the draft.
   */
  async function draftRecipients(
    account: Account,
    draft: Draft,
    page: { page: number; perPage: number },
    status: MessageStatus | undefined,
    search: string | undefined,
  ): Promise<Page<RecipientView>> {
    const positions: number[] = [];
    if (status === undefined || status === 'queued') {
      draft.recipients.forEach((recipient, i) => {
        if (search === undefined || recipient.includes(search)) positions.push(i);
      });
    }
    const shown = positions.slice((page.page - 1) * page.perPage, page.page * page.perPage);
    const numbers = shown.map((i) => draft.recipients[i] as string);
    const priced = priceSending(
      { message: draft.sending.text, recipients: numbers },
      { plan, rates: await rateCardsOf(db).forAccount(account.id), taxRatePpm: account.taxRatePpm },
      new ValidationErrors(),
      { onUnpriced: () => {} },
    );
    const byNumber = new Map<string, { country: string; mcc: string | null; mnc: string | null; costMinor: number }>();
    if (priced.ok) {
      const { quote } = priced;
      quote.recipients.forEach((recipient, i) => {
        const destination = quote.destinations[quote.destinationOf[i] as number];
        if (!destination) return;
        byNumber.set(recipient, {
          country: destination.country.name,
          mcc: destination.mcc,
          mnc: destination.mnc,
          costMinor: destination.rateMinor * quote.partsPerMessage,
        });
      });
    }
    const data = shown.map((position, i): RecipientView => {
      const recipient = numbers[i] as string;
      const found = byNumber.get(recipient);
      return {
        id: position + 1,
        recipient,
        country: found?.country ?? null,
        mcc: found?.mcc ?? null,
        mnc: found?.mnc ?? null,
        parts: draft.sending.partsPerMessage,
        cost: amountText(found?.costMinor ?? 0),
        status: 'queued',
        provider_status: null,
        error: null,
        updated_at: isoMs(draft.sending.updatedAtUs),
      };
    });
    return pageOf(data, page, positions.length);
  }

  return {
    /** The session a cookie names; null when there is none or it has ended. */
    session(sessionId: string): Promise<Actor | null> {
      return findSession(db, sessionId);
    },

    me,

    /** Whether the country catalog has this id (the rate filters' `country_id`). */
    countryExists: (countryId: number) => api.countryExists(countryId),

    async signup(fields: Fields): Promise<Outcome<SignedIn>> {
      const errors = new ValidationErrors();
      const email = textField(fields, 'email', errors, { required: true, max: EMAIL_CHARS_MAX });
      if (email !== undefined && !EMAIL_RE.test(email.trim())) errors.add('email', ruleText.email('email'));
      const password = textField(fields, 'password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      if (password !== undefined && password.length < PASSWORD_CHARS_MIN) {
        errors.add('password', ruleText.minChars('password', PASSWORD_CHARS_MIN));
      }
      const company = textField(fields, 'company', errors, { required: true, max: NAME_CHARS_MAX });
      const currencyText = textField(fields, 'currency', errors, { required: true });
      const currency = currencyText?.trim().toUpperCase();
      if (currency !== undefined && !Object.hasOwn(CURRENCIES, currency)) {
        errors.add('currency', ruleText.selectedInvalid('currency'));
      }
      if (!errors.empty || !email || !password || !company || !currency) return invalid(errors);
      const created = await createCustomer(db, {
        email,
        passwordHash: await hashPassword(password),
        company,
        currency,
      });
      if (!created.ok) return invalidOne('email', ruleText.taken('email'));
      return ok(await signIn(created.user.id));
    },

    /**
     * Checks the credentials; an unknown email and a wrong password fail alike, in about the same time (the password
     * is checked against a dummy hash). Too many failures for the email from this address, for the email from any, or
     * from this address for any → throttled.
     */
    async login(fields: Fields, ip: string, previous: Actor | null): Promise<Outcome<SignedIn>> {
      const errors = new ValidationErrors();
      const email = textField(fields, 'email', errors, { required: true, max: EMAIL_CHARS_MAX });
      const password = textField(fields, 'password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      if (!errors.empty || email === undefined || password === undefined) return invalid(errors);
      const folded = foldEmail(email);
      // Claimed before the check, so that requests sent at once cannot all be checked before any failure counts.
      const claim = await claimLoginAttempt(db, folded, ip, loginLimits);
      if (!claim.ok) return tooManyLogins(claim.retryAfterSeconds);
      const user = await findUserByEmail(db, email);
      const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      // A wrong password leaves the claim counted as a failure.
      if (!user || !matches) return invalidOne('email', TEXTS.badCredentials);
      await loginSucceeded(db, claim.attemptId, folded, ip);
      if (previous) await revokeSession(db, previous.id);
      return ok(await signIn(user.id));
    },

    async logout(actor: Actor): Promise<void> {
      await revokeSession(db, actor.id);
    },

    /** Replaces the password once the current one is confirmed; the user's other sessions end. */
    async changePassword(actor: Actor, fields: Fields, ip: string): Promise<Outcome<null>> {
      const errors = new ValidationErrors();
      const current = textField(fields, 'current_password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      const password = textField(fields, 'password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      if (password !== undefined && password.length < PASSWORD_CHARS_MIN) {
        errors.add('password', ruleText.minChars('password', PASSWORD_CHARS_MIN));
      }
      if (!errors.empty || current === undefined || password === undefined) return invalid(errors);
      const folded = foldEmail(actor.user.email);
      // Counted with the sign-ins: a stolen session is no way around their limits.
      const claim = await claimLoginAttempt(db, folded, ip, loginLimits);
      if (!claim.ok) return tooManyLogins(claim.retryAfterSeconds);
      const user = await getUser(db, actor.user.id);
      if (!user) return notFound;
      if (!(await verifyPassword(current, user.passwordHash))) {
        return invalidOne('current_password', TEXTS.passwordIncorrect);
      }
      await loginSucceeded(db, claim.attemptId, folded, ip);
      await changePassword(db, user.id, await hashPassword(password), actor.id);
      return ok(null);
    },

    // --- API tokens ---------------------------------------------------------------------------------------------

    async tokens(actor: Actor): Promise<TokenView[]> {
      return (await listTokens(db, actor.account.id)).map(tokenView);
    },

    async createToken(actor: Actor, fields: Fields): Promise<Outcome<CreatedTokenView>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true, max: TOKEN_NAME_CHARS_MAX });
      if (!errors.empty || name === undefined) return invalid(errors);
      const created = await createToken(db, actor.account.id, { name: name.trim() });
      const info = (await listTokens(db, actor.account.id)).find((t) => t.id === created.id);
      if (!info) throw new Error(`token ${created.id} vanished`);
      return ok(createdTokenView(info, created.token));
    },

    async revokeToken(actor: Actor, tokenId: number): Promise<Outcome<TokenView>> {
      const result = await revokeToken(db, actor.account.id, tokenId);
      return result.ok ? ok(tokenView(result.token)) : notFound;
    },

    // --- Balance and transactions -------------------------------------------------------------------------------

    async transactions(actor: Actor, fields: Fields): Promise<Outcome<Page<TransactionView>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listTransactions(db, actor.account.id, {
        ...page,
        perPageMax: DASHBOARD_PER_PAGE_MAX,
        ...(kind !== undefined && { kind }),
      });
      return ok(pageOf(found.rows.map(transactionView), page, found.total));
    },

    /** Every transaction as CSV lines (header first), read a batch at a time. */
    transactionsCsv(actor: Actor, fields: Fields): Outcome<AsyncIterable<string>> {
      const errors = new ValidationErrors();
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      const accountId = actor.account.id;
      async function* lines(): AsyncGenerator<string> {
        yield `${TRANSACTION_CSV_HEADER}\r\n`;
        for await (const batch of allTransactions(db, accountId, kind)) {
          yield batch.map((entry) => `${transactionCsvLine(entry)}\r\n`).join('');
        }
      }
      return ok(lines());
    },

    // --- Senders and rates --------------------------------------------------------------------------------------

    async senders(actor: Actor): Promise<SenderView[]> {
      return (await listAccountSenders(db, actor.account.id)).map(senderView);
    },

    async requestSender(actor: Actor, fields: Fields): Promise<Outcome<SenderView>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true });
      if (name !== undefined) {
        const problem = senderNameProblem(name);
        if (problem) errors.add('name', ruleText.senderName('name', problem));
      }
      if (!errors.empty || name === undefined) return invalid(errors);
      const result = await requestSender(db, actor.account.id, name);
      return result.ok ? ok(senderView(result.sender)) : invalidOne('name', ruleText.taken('name'));
    },

    async rates(actor: Actor, filters: RateFilters): Promise<RateView[]> {
      return (await api.listRates(actor.account.id, filters)).map((r) => ({
        country: r.country,
        mcc: r.mcc,
        mnc: r.mnc,
        rate: amountText(r.rateMinor),
      }));
    },

    // --- Compose ------------------------------------------------------------------------------------------------

    /**
     * The calculation of POST /sendings/calculate, summarised: what cannot be priced is listed (the first
     * INVALID_LISTED_MAX, with the text its error would have) instead of failing the whole request.
     */
    async price(actor: Actor, fields: Fields): Promise<Outcome<PriceView>> {
      const errors = new ValidationErrors();
      const list = recipientList(fields.recipients);
      if (list !== null && list.length > COMPOSE_RECIPIENTS_MAX) {
        return invalidOne('recipients', ruleText.maxItems('recipients', COMPOSE_RECIPIENTS_MAX));
      }
      const invalidListed: { recipient: string; reason: string }[] = [];
      let invalidTotal = 0;
      const account = actor.account;
      const rates = await rateCardsOf(db).forAccount(account.id);
      const priced = await priceSendingYielding(
        { message: fields.message, recipients: fields.recipients },
        { plan, rates, taxRatePpm: account.taxRatePpm },
        errors,
        {
          onUnpriced: (_index, value, _apiText, why) => {
            invalidTotal++;
            if (invalidListed.length < INVALID_LISTED_MAX) {
              invalidListed.push({
                recipient: typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
                reason: unpricedText(why),
              });
            }
          },
        },
      );
      if (!priced.ok) return invalid(priced.errors);
      const { quote } = priced;
      const parts = countParts(fields.message as string);
      const currency = currencyOf(account.currency);
      return ok({
        encoding: quote.encoding,
        ucs2_characters: [...quote.ucs2Characters],
        characters: parts.units,
        parts: quote.partsPerMessage,
        recipients: quote.recipients.length + invalidTotal,
        valid: quote.recipients.length,
        invalid: invalidListed,
        invalid_total: invalidTotal,
        destinations: quote.destinations.map((d) => ({
          country: d.name,
          mcc: d.mcc,
          mnc: d.mnc,
          recipients: d.numbers,
          rate: amountText(d.rateMinor),
          cost: amountText(d.totalMinor),
        })),
        subtotal: amountText(quote.subtotalMinor),
        tax: amountText(quote.taxMinor),
        total: amountText(quote.totalMinor),
        currency: account.currency,
        sign: currency?.sign ?? account.currency,
        balance: balanceText(account.balanceMinor),
        affordable: account.balanceMinor >= quote.totalMinor,
      });
    },

    /** A new sending exactly as POST /sendings makes it (priced, stored, reserved), or a Draft (nothing reserved). */
    async compose(actor: Actor, fields: Fields): Promise<Outcome<CampaignView>> {
      const errors = new ValidationErrors();
      const { sending, draft } = composeFields(fields, errors);
      if (!errors.empty) return invalid(errors);
      if (draft) {
        const prepared = await draftContent(actor, fields);
        if (!prepared.ok) return invalid(prepared.errors);
        const saved = await saveDraft(db, prepared.content);
        return campaignOrNotFound(actor.account.id, saved.id);
      }
      const created = await api.createSending(authenticated(actor.account), sending, undefined);
      if (!created.ok) return invalid(withScheduleKey(created.errors));
      return campaignOrNotFound(actor.account.id, created.sendingId);
    },

    /** Replaces a Draft's message, recipients, sender and schedule (validated as for sending). */
    async updateDraft(actor: Actor, sendingId: number, fields: Fields): Promise<Outcome<CampaignView>> {
      const existing = await getCampaign(db, actor.account.id, sendingId);
      if (!existing) return notFound;
      if (existing.sending.status !== 'Draft') return conflict(ruleText.notDraft(existing.sending.status));
      const prepared = await draftContent(actor, fields);
      if (!prepared.ok) return invalid(prepared.errors);
      const result = await updateDraft(db, sendingId, prepared.content);
      if (!result.ok) return result.reason === 'not_found' ? notFound : conflict(ruleText.notDraft(result.status));
      return campaignOrNotFound(actor.account.id, sendingId);
    },

    /** Sends a Draft: priced again with today's rates and reserved, as a new sending would be. */
    async sendDraft(actor: Actor, sendingId: number): Promise<Outcome<CampaignView>> {
      const accountId = actor.account.id;
      const draft = await readDraft(db, accountId, sendingId);
      if (!draft) {
        const campaign = await getCampaign(db, accountId, sendingId);
        return campaign ? conflict(ruleText.notDraft(campaign.sending.status)) : notFound;
      }
      const validated = await validateNewSending(deps, authenticated(actor.account), {
        message: draft.sending.text,
        recipients: draft.recipients,
        sender: draft.sending.sender,
        type: draft.sending.type,
      });
      if (!validated.ok) return invalid(validated.errors);
      const { quote } = validated;
      const scheduledAtUs = draft.sending.scheduledAtUs > db.nowUs() ? draft.sending.scheduledAtUs : null;
      const result = await sendDraft(db, {
        accountId,
        sendingId,
        expectedUpdatedAtUs: draft.sending.updatedAtUs,
        scheduledAtUs,
        encoding: quote.encoding,
        partsPerMessage: quote.partsPerMessage,
        recipients: quote.recipients.length,
        smsCount: quote.smsCount,
        subtotalMinor: quote.subtotalMinor,
        taxMinor: quote.taxMinor,
        totalMinor: quote.totalMinor,
        messages: messageRows(quote),
      });
      if (!result.ok) {
        switch (result.reason) {
          case 'insufficient_balance':
            return invalidOne('balance', TEXTS.insufficientBalance);
          case 'changed':
            return conflict(TEXTS.draftChanged);
          case 'not_draft':
            return conflict(ruleText.notDraft(result.status));
          case 'not_found':
            return notFound;
        }
      }
      deps.workSignal?.notify();
      return campaignOrNotFound(accountId, sendingId);
    },

    async deleteDraft(actor: Actor, sendingId: number): Promise<Outcome<null>> {
      const result = await deleteDraft(db, actor.account.id, sendingId);
      if (result.ok) return ok(null);
      return result.reason === 'not_found' ? notFound : conflict(ruleText.notDraft(result.status));
    },

    // --- Campaigns ----------------------------------------------------------------------------------------------

    async campaigns(actor: Actor, fields: Fields): Promise<Outcome<Page<CampaignView>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const status = oneOfField(fields, 'status', SENDING_STATUSES, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listCampaigns(db, actor.account.id, { ...page, ...(status !== undefined && { status }) });
      return ok(
        pageOf(
          found.rows.map((c: Campaign) => campaignView(c)),
          page,
          found.total,
        ),
      );
    },

    campaign(actor: Actor, sendingId: number): Promise<Outcome<CampaignView>> {
      return campaignOrNotFound(actor.account.id, sendingId);
    },

    async cancel(actor: Actor, sendingId: number): Promise<Outcome<CampaignView>> {
      const result = await cancelSending(db, sendingId, actor.account.id);
      if (!result.ok) {
        return result.reason === 'not_found' ? notFound : conflict(ruleText.notCancellable(result.status));
      }
      return campaignOrNotFound(actor.account.id, sendingId);
    },

    async recipients(actor: Actor, sendingId: number, fields: Fields): Promise<Outcome<Page<RecipientView>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const status = oneOfField<MessageStatus>(fields, 'status', MESSAGE_STATUSES, errors);
      const rawSearch = textField(fields, 'search', errors, { max: 64 });
      if (!errors.empty) return invalid(errors);
      // Numbers are stored as digits: "+371 26-12" looks for "3712612"; anything else matches no number.
      const search = rawSearch?.replace(/[\s+()-]/g, '');
      if (search !== undefined && !/^\d*$/.test(search)) {
        return (await getCampaign(db, actor.account.id, sendingId)) ? ok(pageOf([], page, 0)) : notFound;
      }
      const draft = await readDraft(db, actor.account.id, sendingId);
      if (draft) return ok(await draftRecipients(actor.account, draft, page, status, search));
      const found = await listRecipients(db, actor.account.id, sendingId, {
        ...page,
        ...(status !== undefined && { status }),
        ...(search !== undefined && { search }),
      });
      if (!found) return notFound;
      return ok(pageOf(found.rows.map(recipientView), page, found.total));
    },

    // --- Operator -----------------------------------------------------------------------------------------------

    admin: {
      async accounts(fields: Fields): Promise<Outcome<Page<AdminAccountView>>> {
        const errors = new ValidationErrors();
        const page = pageField(fields, errors);
        const search = textField(fields, 'search', errors, { max: NAME_CHARS_MAX });
        if (!errors.empty) return invalid(errors);
        const found = await listAccountsForAdmin(db, {
          ...page,
          perPageMax: DASHBOARD_PER_PAGE_MAX,
          ...(search !== undefined && { search }),
        });
        return ok(pageOf(found.rows.map(adminAccountView), page, found.total));
      },

      /** A positive amount credits the account, a negative one debits it (never below zero). */
      async credit(accountId: number, fields: Fields): Promise<Outcome<AdminAccountView>> {
        const errors = new ValidationErrors();
        const raw = fields.amount;
        let amountMinor: number | undefined;
        if (isBlank(raw)) errors.add('amount', ruleText.required('amount'));
        else if (typeof raw !== 'string' && typeof raw !== 'number') errors.add('amount', ruleText.string('amount'));
        else {
          try {
            amountMinor = parseMoney(String(raw));
            if (amountMinor === 0) errors.add('amount', ruleText.notZero('amount'));
          } catch (error) {
            if (!(error instanceof MoneyError)) throw error;
            errors.add('amount', ruleText.formatInvalid('amount'));
          }
        }
        const note = textField(fields, 'note', errors, { max: NOTE_CHARS_MAX });
        if (!errors.empty || amountMinor === undefined) return invalid(errors);
        if (!(await getAccount(db, accountId))) return notFound;
        const result =
          amountMinor > 0
            ? await credit(db, accountId, amountMinor, note)
            : await debit(db, accountId, -amountMinor, note);
        if (!result.ok) {
          if (result.reason === 'account_not_found') return notFound;
          if (result.reason === 'insufficient_balance') return invalidOne('amount', TEXTS.insufficientBalance);
          if (result.reason === 'balance_ceiling') {
            return invalidOne('amount', ruleText.balanceCeiling(formatMinor(result.ceilingMinor)));
          }
          return invalidOne('amount', ruleText.formatInvalid('amount'));
        }
        const view = await getAccountForAdmin(db, accountId);
        return view ? ok(adminAccountView(view)) : notFound;
      },

      async suspend(accountId: number, fields: Fields): Promise<Outcome<AdminAccountView>> {
        const suspended = fields.suspended;
        if (typeof suspended !== 'boolean') {
          return invalidOne(
            'suspended',
            suspended === undefined ? ruleText.required('suspended') : ruleText.boolean('suspended'),
          );
        }
        // Suspending the operators' own account would lock every operator out, with no one left to reinstate it.
        if (suspended && (await isOperatorAccount(db, accountId))) {
          return invalidOne('suspended', TEXTS.operatorAccountNotSuspendable);
        }
        if (!(await setAccountSuspended(db, accountId, suspended))) return notFound;
        const view = await getAccountForAdmin(db, accountId);
        return view ? ok(adminAccountView(view)) : notFound;
      },

      async senders(fields: Fields): Promise<Outcome<Page<AdminSenderView>>> {
        const errors = new ValidationErrors();
        const page = pageField(fields, errors);
        const status = oneOfField(fields, 'status', SENDER_STATUSES, errors);
        if (!errors.empty) return invalid(errors);
        const found = await listSendersForReview(db, {
          ...page,
          perPageMax: DASHBOARD_PER_PAGE_MAX,
          ...(status !== undefined && { status }),
        });
        return ok(pageOf(found.rows.map(adminSenderView), page, found.total));
      },

      async reviewSender(senderId: number, status: 'approved' | 'rejected'): Promise<Outcome<AdminSenderView>> {
        const sender = await reviewSender(db, senderId, status);
        return sender ? ok(adminSenderView(sender)) : notFound;
      },

      /** An account's own price list, or the platform default without `account_id`. */
      async rates(fields: Fields): Promise<Outcome<RateView[]>> {
        const errors = new ValidationErrors();
        const accountId = intField(fields, 'account_id', errors);
        if (!errors.empty) return invalid(errors);
        if (accountId !== undefined && !(await getAccount(db, accountId))) return notFound;
        const rows = await priceList(db, accountId ?? null);
        return ok(
          rows.map((r) => ({ country: r.country ?? '', mcc: r.mcc, mnc: r.mnc, rate: amountText(r.rateMinor) })),
        );
      },

      /** Replaces a price list from CSV (`mcc,mnc,rate`), all or nothing, as `smsgic rates import` does. */
      async importRates(fields: Fields, csv: string): Promise<Outcome<RatesImported>> {
        const errors = new ValidationErrors();
        const accountId = intField(fields, 'account_id', errors);
        if (!errors.empty) return invalid(errors);
        if (accountId !== undefined && !(await getAccount(db, accountId))) return notFound;
        const parsed = parseRatesCsv(csv);
        if (!parsed.ok) return invalidOne('csv', ruleText.csvLine(parsed.line, parsed.message));
        if (accountId === undefined && parsed.rows.length === 0) {
          return invalidOne('csv', 'The default price list cannot be empty; nothing was imported.');
        }
        const result = await replaceRates(db, accountId ?? null, parsed.rows);
        if (!result.ok) {
          if (result.reason === 'account_not_found') return notFound;
          // parseRatesCsv refuses what replaceRates would: reaching here is a disagreement between the two.
          throw new Error(`rates refused after parsing: ${result.reason}`);
        }
        return ok({ imported: result.imported });
      },

      /** Every provider the platform knows, with what it did within the last hour. */
      async providers(): Promise<ProviderHealthView[]> {
        const sinceUs = db.nowUs() - PROVIDER_WINDOW_MS * US_PER_MS;
        const activity = new Map((await providerActivity(db, sinceUs)).map((a) => [a.provider, a]));
        const config = deps.providers ?? {};
        const configured = (name: string) =>
          name === SANDBOX_PROVIDER ||
          (name === 'smpp' ? config.smppUrl !== undefined : config[name as keyof ProviderConfig] !== undefined);
        const names = [SANDBOX_PROVIDER, ...REAL_PROVIDERS, ...[...activity.keys()].sort()];
        return [...new Set(names)].map((name) => {
          const seen = activity.get(name);
          return {
            name,
            configured: configured(name),
            submitted_last_hour: seen?.submitted ?? 0,
            delivered_last_hour: seen?.delivered ?? 0,
            failed_last_hour: seen?.failed ?? 0,
            last_error: seen?.lastError ?? null,
            last_activity_at:
              seen?.lastActivityAtUs == null ? null : new Date(Math.floor(seen.lastActivityAtUs / 1000)).toISOString(),
          };
        });
      },

      /** One row per UTC day, oldest first, days without traffic included. */
      async volume(fields: Fields): Promise<Outcome<VolumeDay[]>> {
        const errors = new ValidationErrors();
        const days = intField(fields, 'days', errors) ?? VOLUME_DAYS_DEFAULT;
        if (!errors.has('days') && days < 1) errors.add('days', ruleText.minNumber('days', 1));
        if (!errors.has('days') && days > VOLUME_DAYS_MAX)
          errors.add('days', ruleText.maxNumber('days', VOLUME_DAYS_MAX));
        if (!errors.empty) return invalid(errors);
        const today = Math.floor(db.nowUs() / US_PER_DAY);
        const first = today - days + 1;
        const rows = new Map((await volumeByDay(db, first * US_PER_DAY)).map((r) => [r.day, r]));
        const out: VolumeDay[] = [];
        for (let day = first; day <= today; day++) {
          const row = rows.get(day);
          out.push({
            day: new Date(day * 86_400_000).toISOString().slice(0, 10),
            sendings: row?.sendings ?? 0,
            messages: row?.messages ?? 0,
            parts: row?.parts ?? 0,
            delivered: row?.delivered ?? 0,
            failed: row?.failed ?? 0,
          });
        }
        return ok(out);
      },
    },
  };
}

export type DashboardServices = ReturnType<typeof createDashboardServices>;
