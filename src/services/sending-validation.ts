// Checks and prices a new sending's fields with the account's rates: what POST /sendings and the dashboard share.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { countryTest } from '../domain/destinations.js';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { sendingSenderKey } from '../domain/opt-out.js';
import {
  priceSendingSteps,
  type Quote,
  type QuoteResult,
  recipientDigits,
  recipientList,
  withoutSuppressed,
} from '../domain/pricing.js';
import { timeZoneOfCountry } from '../domain/send-window.js';
import type { SendingType } from '../domain/sending.js';
import { ruleText, SERVER_TEXTS, TEXTS, ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import { receivesOn } from '../store/numbers.js';
import { findUsableSender } from '../store/senders.js';
import { readSendingContext, SENDING_CONTEXT_RECIPIENTS_MAX, type SendingContext } from '../store/sending-context.js';
import type { MessageRow, SendWindowHold } from '../store/sendings.js';
import { suppressedAmong } from '../store/suppressions.js';
import { booleanField } from './form-fields.js';
import type { AuthenticatedAccount, SendingAllowances } from './ports.js';
import { rateCardsOf } from './rate-cards.js';
import { type ProviderChoice, refuseAtLoss, routeProvidersOf } from './route-margins.js';
import { readSendingOptions, type SendingOptions } from './sending-fields.js';

export type { SendingAllowances } from './ports.js';

export interface SendingValidationDeps {
  readonly db: Db;
  readonly plan: NumberingPlan;
  /** Sending types that have a provider behind them; `default` always has one (platform routing). */
  readonly availableTypes: ReadonlySet<SendingType>;
  /** callback_url may name private and loopback addresses (CALLBACK_ALLOW_PRIVATE); refused by default. */
  readonly allowPrivateCallbacks?: boolean;
  /**
   * The providers the platform knows and has configured, as its dispatch routes to them: a rule refusing to send at a
   * loss looks at those it would use. Absent: every provider a rule names, no built-in default order.
   */
  readonly providers?: ProviderChoice;
}

export type ValidatedSending =
  | {
      readonly ok: true;
      readonly text: string;
      readonly quote: Quote;
      readonly options: SendingOptions & { readonly sender: string };
    }
  | { readonly ok: false; readonly errors: ValidationErrors };

/** The per-recipient rows of a quote, one at a time, so a million recipients never exist as a million objects. */
export function* messageRows(quote: Quote): Generator<MessageRow> {
  const parts = quote.partsPerMessage;
  for (let i = 0; i < quote.recipients.length; i++) {
    const destination = quote.destinations[quote.destinationOf[i] as number];
    const resolution = quote.resolutions[i];
    if (destination === undefined || resolution === undefined) throw new Error('quote rows out of step');
    yield {
      recipient: quote.recipients[i] as string,
      countryId: resolution.country.id,
      mcc: destination.mcc,
      mnc: destination.mnc,
      destination: destination.name,
      parts,
      rateMinor: destination.rateMinor,
      costMinor: parts * destination.rateMinor,
    };
  }
}

/**
 * What the store needs to hold a sending's messages until its send window opens: the window, the distinct countries
 * of the priced recipients, and the time zone each reads it in (`timeZoneOfCountry`). Null without a window.
 */
export function sendWindowHold(plan: NumberingPlan, quote: Quote, window: string | null): SendWindowHold | null {
  if (window === null) return null;
  const countryIds = new Set<number | null>();
  for (const resolution of quote.resolutions) countryIds.add(resolution.country.id);
  return {
    text: window,
    countryIds: [...countryIds],
    zoneOfCountry: (countryId) => {
      const country = countryId === null ? undefined : plan.countryById(countryId);
      return timeZoneOfCountry(country?.iso ?? '');
    },
  };
}

/** The rows of the recipients left out as suppressed: stored final at once, costing nothing. */
export function suppressedRows(quote: Quote): MessageRow[] {
  return quote.suppressed.map(({ recipient, resolution, destination }) => ({
    recipient,
    countryId: resolution.country.id,
    mcc: destination.mcc,
    mnc: destination.mnc,
    destination: destination.name,
    parts: quote.partsPerMessage,
    rateMinor: destination.rateMinor,
    costMinor: 0,
  }));
}

/**
 * `priceSending`, giving the event loop a turn between its steps: a million recipients take a second or so to price,
 * and other requests and timers of this process go on meanwhile instead of waiting for all of it.
 */
export async function priceSendingYielding(...args: Parameters<typeof priceSendingSteps>): Promise<QuoteResult> {
  const steps = priceSendingSteps(...args);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** Characters a recipient takes in a text list at most, as far as reading the facts together goes. */
const RECIPIENT_TEXT_CHARS = 64;

/** The facts of a sending read together (`readSendingContext`), with the sender's name they were read for. */
interface ContextRead {
  readonly facts: SendingContext;
  readonly senderName: string;
}

/**
 * The facts a new sending is checked against, read in one statement when it has at most SENDING_CONTEXT_RECIPIENTS_MAX
 * recipients (or none that could be read: it is refused all the same); null for a longer list, whose reads stay
 * their own (the suppressions a batch of numbers at a time).
 */
async function readContext(
  db: Db,
  account: AuthenticatedAccount,
  fields: Readonly<Record<string, unknown>>,
): Promise<ContextRead | null> {
  const given = fields.recipients;
  // A long text is not split or parsed here only to find it has too many: pricing reads it once.
  if (typeof given === 'string' && given.length > SENDING_CONTEXT_RECIPIENTS_MAX * RECIPIENT_TEXT_CHARS) return null;
  const list = recipientList(given) ?? [];
  if (list.length > SENDING_CONTEXT_RECIPIENTS_MAX) return null;
  const phones = new Set<string>();
  for (const recipient of list) {
    const digits = recipientDigits(recipient);
    if (digits !== null) phones.add(digits);
  }
  // The name as the sending's options read it (`readSendingOptions`); one with a NUL names no sender.
  const sender = fields.sender;
  const senderName = typeof sender === 'string' && !sender.includes('\u0000') ? sender.trim() : '';
  const facts = await readSendingContext(db, account.id, [...phones], sendingSenderKey(fields), senderName);
  return { facts, senderName };
}

/**
 * Prices message and recipients with the account's rates (its own list, else the default list of its currency), the
 * message smart-encoded when `smart_encoding` asks for it, leaving out the recipients on the account's suppression
 * list (one indexed lookup when there are none). An account whose currency has no list is refused as a whole (under
 * `recipients`, which cannot be priced), never priced from a list in another currency.
 */
export async function quoteFor(
  deps: SendingValidationDeps,
  account: AuthenticatedAccount,
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
  allowances: SendingAllowances = {},
): Promise<QuoteResult> {
  return quoteWith(deps, account, fields, errors, allowances, await readContext(deps.db, account, fields));
}

/** `quoteFor` with the facts read together (`readContext`), or each read on its own without them. */
async function quoteWith(
  deps: SendingValidationDeps,
  account: AuthenticatedAccount,
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
  allowances: SendingAllowances,
  context: ContextRead | null,
): Promise<QuoteResult> {
  const smartEncoding = booleanField(fields, 'smart_encoding', errors) === true;
  const facts = context?.facts;
  const rates = await rateCardsOf(deps.db).forAccount(account.id, facts && { list: facts.rateList });
  if (rates === null) {
    errors.add('recipients', ruleText.noPriceList(account.currency.code));
    return { ok: false, errors } as const;
  }
  const priced = await priceSendingYielding(
    { message: fields.message, recipients: fields.recipients },
    { plan: deps.plan, rates, taxRatePpm: account.taxRatePpm, countryAllowed: countryTest(account.countries) },
    errors,
    { smartEncoding },
  );
  if (!priced.ok) return priced;
  const { recipients } = priced.quote;
  const suppressed =
    facts !== undefined && recipients.every((recipient) => facts.phones.has(recipient))
      ? new Map(facts.suppressed)
      : await suppressedAmong(deps.db, account.id, recipients, sendingSenderKey(fields));
  if (allowances.toOptedOut !== undefined) suppressed.delete(allowances.toOptedOut);
  const quote = withoutSuppressed(priced.quote, suppressed, account.taxRatePpm);
  // A recipient whose route's rule refuses to send at a loss is refused here, before anything is reserved.
  await refuseAtLoss(
    deps.db,
    routeProvidersOf(deps.providers),
    account,
    quote,
    fields,
    errors,
    facts?.routeTableVersion,
  );
  if (!errors.empty) return { ok: false, errors } as const;
  return { ok: true, quote };
}

/** Whether the account may send under `sender`: as the facts read together say, else read now (`findUsableSender`). */
async function senderUsable(db: Db, accountId: number, sender: string, context: ContextRead | null): Promise<boolean> {
  if (context !== null && context.senderName === sender) return context.facts.senderUsable;
  return (await findUsableSender(db, accountId, sender)) !== undefined;
}

/**
 * Every rule of a new sending but the balance: message and recipients priced, then sender (one the account may use),
 * scheduled_at, type (a provider behind it) and callback_url, all failures together with the contract's texts.
 */
export async function validateNewSending(
  deps: SendingValidationDeps,
  account: AuthenticatedAccount,
  fields: Readonly<Record<string, unknown>>,
  allowances: SendingAllowances = {},
): Promise<ValidatedSending> {
  const errors = new ValidationErrors();
  const context = await readContext(deps.db, account, fields);
  const priced = await quoteWith(deps, account, fields, errors, allowances, context);
  const options = readSendingOptions(fields, errors, { allowPrivateCallbacks: deps.allowPrivateCallbacks === true });
  if (
    options.sender !== null &&
    !(await senderUsable(deps.db, account.id, options.sender, context)) &&
    !(allowances.fromOwnNumber === true && (await receivesOn(deps.db, account.id, options.sender)))
  ) {
    errors.add('sender', ruleText.selectedInvalid('sender'));
  }
  if (!errors.has('type') && !deps.availableTypes.has(options.type)) {
    errors.add('type', ruleText.notConfigured('type'));
  }
  if (
    options.type === 'trumpia' &&
    !errors.has('type') &&
    options.sender !== null &&
    !/^\+?\d{3,15}$/.test(options.sender)
  ) {
    // Trumpia's `sender` is a short code or a landline number (trumpia.com/api/docs/rest/functions/direct-sms.php):
    // refused here rather than sent from the account's default number, which the customer did not choose.
    errors.add('sender', ruleText.senderName('sender', SERVER_TEXTS.senderShortCodeOnly));
  }
  if (priced.ok && priced.quote.recipients.length === 0) errors.add('recipients', TEXTS.allRecipientsSuppressed);
  if (!priced.ok || !errors.empty || options.sender === null) return { ok: false, errors };
  return {
    ok: true,
    text: priced.quote.text,
    quote: priced.quote,
    options: { ...options, sender: options.sender },
  };
}
