// Prices a sending: recipients + text + an account's rates + its tax rate → a Quote shaped like `calculate`, or errors.
import { countParts, type Encoding, ucs2Characters } from './gsm.js';
import { MESSAGE_CHARS_MAX, MESSAGE_PARTS_MAX, RECIPIENT_ERRORS_MAX } from './limits.js';
import { addMoney, multiplyMoney, subtractMoney, taxOf } from './money.js';
import type { Country, NumberingPlan, Resolution } from './numbering/types.js';
import type { SuppressionMatch, SuppressionSource } from './opt-out.js';
import { isRecipientNumber, normaliseRecipient } from './recipient-text.js';
import { smartEncode } from './smart-encoding.js';
import { ruleText, TEXTS, ValidationErrors } from './texts.js';

/** An account's price list: the price of one SMS part to a network (mnc) or to a whole country (mnc null). */
export interface RateCard {
  rateFor(mcc: string, mnc: string | null): number | undefined;
}

export interface RateRow {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly rateMinor: number;
}

export function createRateCard(rows: Iterable<RateRow>): RateCard {
  const byKey = new Map<string, number>();
  for (const row of rows) byKey.set(`${row.mcc}:${row.mnc ?? ''}`, row.rateMinor);
  return { rateFor: (mcc, mnc) => byKey.get(`${mcc}:${mnc ?? ''}`) };
}

/**
 * The name a destination is shown by, everywhere (the calculate response, Compose's price panel, a campaign's
 * recipients): the country and the operator's name when known ("Latvia LMT"), the country alone otherwise. The
 * network's MCC/MNC is secondary detail, shown beside it, never instead of the operator's name.
 */
export function destinationName(countryName: string, operatorName: string | null): string {
  return operatorName ? `${countryName} ${operatorName}` : countryName;
}

/** One destination of a quote: a country and, when known, its operator; all its numbers share one rate. */
export interface QuoteDestination {
  /** "Denmark Telenor", or the country alone when the operator is unknown. */
  readonly name: string;
  readonly country: Country;
  readonly operator: string | null;
  /** The network the numbers belong to (operator MCC/MNC when known, else the country's MCC and null). */
  readonly mcc: string | null;
  readonly mnc: string | null;
  /** Price of one part, in minor units: the operator's own rate, else the country-wide one. */
  readonly rateMinor: number;
  /** Distinct numbers priced to this destination. */
  readonly numbers: number;
  readonly smsCount: number;
  readonly totalMinor: number;
}

/** What smart encoding changed in a quote: the price of the text as written, beside the quote's own. */
export interface SmartEncodingSaving {
  /** Whether any character was replaced (false: the text was GSM-7 already, or kept a character with no look-alike). */
  readonly applied: boolean;
  readonly originalEncoding: Encoding;
  readonly originalPartsPerMessage: number;
  /** The total (tax included) the text as written would have cost. */
  readonly originalTotalMinor: number;
  /** originalTotalMinor − the quote's total. */
  readonly savedMinor: number;
}

export interface Quote {
  /** The text priced and to be sent: the message as written, or its smart encoding when that was asked for. */
  readonly text: string;
  /** Present when smart encoding was asked for. */
  readonly smartEncoding: SmartEncodingSaving | null;
  readonly encoding: Encoding;
  /** Characters that forced UCS-2, in order of first appearance (empty for GSM-7 texts). */
  readonly ucs2Characters: readonly string[];
  /** Parts of one message; every recipient receives the same text. */
  readonly partsPerMessage: number;
  /** Distinct recipients in order of first appearance. */
  readonly recipients: readonly string[];
  /** For each recipient, the index of its destination. */
  readonly destinationOf: Int32Array;
  /** For each recipient, what its number resolved to (country, operator, validity). */
  readonly resolutions: readonly Resolution[];
  readonly destinations: readonly QuoteDestination[];
  readonly smsCount: number;
  readonly subtotalMinor: number;
  readonly taxMinor: number;
  readonly totalMinor: number;
  /**
   * Recipients on the account's suppression list, in order of first appearance: left out of everything above (never
   * priced into the totals, never reserved), each with the destination it would have had. Empty when none is.
   */
  readonly suppressed: readonly SuppressedRecipient[];
}

/** A recipient left out of a quote because its number opted out. */
export interface SuppressedRecipient {
  readonly recipient: string;
  readonly resolution: Resolution;
  /** The destination it would have been priced to (its name, network and rate). */
  readonly destination: QuoteDestination;
  readonly source: SuppressionSource;
  /** The sender of the entry it matched; '' for the account-wide one. */
  readonly sender: string;
}

export type QuoteResult =
  | { readonly ok: true; readonly quote: Quote }
  | { readonly ok: false; readonly errors: ValidationErrors };

export interface PricingContext {
  readonly plan: NumberingPlan;
  readonly rates: RateCard;
  /** The account's tax rate in millionths (20% = 200000). */
  readonly taxRatePpm: number;
  /** Whether the account sends to a country (its ISO 3166 alpha-2 code); absent: it sends to every country. */
  readonly countryAllowed?: ((iso: string) => boolean) | undefined;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * The recipients field as a list: an array as is, or a string holding a JSON array (the published example sends
 * that), or a comma-separated string of numbers (what a plain form field carries). Null when it is none of these.
 */
export function recipientList(value: unknown): readonly unknown[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === 'number') return [value];
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return text.split(',').map((part) => part.trim());
}

/** A recipient as its digits, or null when it is not 8 to 20 digits (numbers are accepted while they are exact). */
export function recipientDigits(value: unknown): string | null {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) text = String(value);
  else return null;
  return isRecipientNumber(text) ? text : null;
}

/** Beside a refused recipient written as a person would ("+371 2612 3457", "0037126123457"): what to send instead. */
function hintRecipient(errors: ValidationErrors, index: number, value: unknown): void {
  if (typeof value !== 'string') return;
  const normalised = normaliseRecipient(value);
  if (normalised !== value && isRecipientNumber(normalised)) {
    errors.hint(`recipients.${index}`, ruleText.recipientHint(normalised));
  }
}

/** Checks the `message` field; returns the text when it can be priced. Errors go into `errors`. */
export function checkMessage(value: unknown, errors: ValidationErrors): string | null {
  if (isBlank(value)) {
    errors.add('message', TEXTS.messageRequired);
    return null;
  }
  if (typeof value !== 'string') {
    errors.add('message', ruleText.string('message'));
    return null;
  }
  if (!value.isWellFormed()) {
    errors.add('message', ruleText.wellFormed('message'));
    return null;
  }
  // NUL is no character of an SMS (GSM 03.38 has none, and PostgreSQL cannot store one).
  if (value.includes('\u0000')) {
    errors.add('message', ruleText.formatInvalid('message'));
    return null;
  }
  if (value.length > MESSAGE_CHARS_MAX) {
    errors.add('message', ruleText.maxChars('message', MESSAGE_CHARS_MAX));
    return null;
  }
  if (countParts(value).parts > MESSAGE_PARTS_MAX) {
    errors.add('message', ruleText.maxParts('message', MESSAGE_PARTS_MAX));
    return null;
  }
  return value;
}

interface DestinationDraft {
  name: string;
  country: Country;
  operator: string | null;
  mcc: string | null;
  mnc: string | null;
  rateMinor: number;
  numbers: number;
}

function rateOf(resolution: Resolution, rates: RateCard): number | undefined {
  if (resolution.mcc !== null && resolution.mnc !== null) {
    const own = rates.rateFor(resolution.mcc, resolution.mnc);
    if (own !== undefined) return own;
  }
  if (resolution.mcc !== null) {
    const countryWide = rates.rateFor(resolution.mcc, null);
    if (countryWide !== undefined) return countryWide;
  }
  // A country with several MCCs (India, the US) has its country-wide rate under any of them.
  for (const mcc of resolution.country.mccs) {
    const countryWide = rates.rateFor(mcc, null);
    if (countryWide !== undefined) return countryWide;
  }
  return undefined;
}

const NO_RATE = -1;

export interface PricingOptions {
  /** Replace characters outside GSM 03.38 by their look-alikes when that makes the text GSM-7 (`smartEncode`). */
  readonly smartEncoding?: boolean;
  /**
   * Prices what can be priced instead of refusing: each recipient that is malformed or has no rate is handed here,
   * with the text its error would have had, and left out of the quote; an empty recipient list is an empty quote.
   * Only the message and the shape of the recipients field still fail. For a live summary of a form.
   */
  readonly onUnpriced?: (index: number, value: unknown, reason: string, why: UnpricedReason) => void;
}

/**
 * Why a recipient could not be priced: not 8–20 digits; a prefix no country uses; a destination the price list has no
 * rate for (its country and operator given, for telling the user which); a country the account does not send to.
 */
export type UnpricedReason =
  | { readonly kind: 'format' }
  | { readonly kind: 'unknown_prefix' }
  | { readonly kind: 'no_rate'; readonly country: string; readonly operator: string | null }
  | { readonly kind: 'country_not_allowed'; readonly country: string };

/**
 * Validates and prices `message` and `recipients` (fields as received). Duplicate recipients are priced once;
 * per-recipient errors are keyed `recipients.N` by their index in the request, at most RECIPIENT_ERRORS_MAX listed.
 * Errors found earlier by the caller (other fields) may be passed in so that all of them come back together.
 */
export function priceSending(
  fields: { readonly message: unknown; readonly recipients: unknown },
  context: PricingContext,
  errors: ValidationErrors = new ValidationErrors(),
  options: PricingOptions = {},
): QuoteResult {
  const steps = priceSendingSteps(fields, context, errors, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Recipients priced between two pauses of `priceSendingSteps`: a few milliseconds of work. */
export const RECIPIENTS_PER_PRICING_STEP = 8192;

/**
 * `priceSending` as steps: the generator pauses after every RECIPIENTS_PER_PRICING_STEP recipients and returns the
 * result when done, so that a caller can let other work run between steps while a million recipients are priced.
 */
export function* priceSendingSteps(
  fields: { readonly message: unknown; readonly recipients: unknown },
  context: PricingContext,
  errors: ValidationErrors = new ValidationErrors(),
  options: PricingOptions = {},
): Generator<void, QuoteResult, void> {
  const text = checkMessage(fields.message, errors);
  const { onUnpriced } = options;

  let list: readonly unknown[] | null = null;
  if (isBlank(fields.recipients) || (Array.isArray(fields.recipients) && fields.recipients.length === 0)) {
    if (onUnpriced) list = [];
    else errors.add('recipients', TEXTS.recipientsRequired);
  } else {
    list = recipientList(fields.recipients);
    if (list === null) errors.add('recipients', ruleText.array('recipients'));
    else if (list.length === 0 && !onUnpriced) errors.add('recipients', TEXTS.recipientsRequired);
  }
  if (list === null || (list.length === 0 && !onUnpriced)) return { ok: false, errors };

  const { plan, rates, countryAllowed } = context;
  const seen = new Set<string>();
  const recipients: string[] = [];
  const resolutions: Resolution[] = [];
  const destinationOf = new Int32Array(list.length);
  const destinations: DestinationDraft[] = [];
  const destinationByKey = new Map<string, number>();
  // Resolutions are shared objects, so each is priced once however many numbers lead to it.
  const destinationByResolution = new Map<Resolution, number>();
  let recipientErrors = 0;

  for (let i = 0; i < list.length; i++) {
    if (i > 0 && i % RECIPIENTS_PER_PRICING_STEP === 0) yield;
    const digits = recipientDigits(list[i]);
    if (digits === null) {
      if (onUnpriced) {
        onUnpriced(i, list[i], ruleText.formatInvalid(`recipients.${i}`), { kind: 'format' });
        continue;
      }
      errors.add(`recipients.${i}`, ruleText.formatInvalid(`recipients.${i}`));
      hintRecipient(errors, i, list[i]);
      if (++recipientErrors >= RECIPIENT_ERRORS_MAX) break;
      continue;
    }
    if (seen.has(digits)) continue;
    seen.add(digits);
    const resolution = plan.resolve(digits);
    if (resolution !== null && countryAllowed !== undefined && !countryAllowed(resolution.country.iso)) {
      const refusal = ruleText.countryNotAllowed(`recipients.${i}`, resolution.country.name);
      if (onUnpriced) {
        onUnpriced(i, list[i], refusal, { kind: 'country_not_allowed', country: resolution.country.name });
        continue;
      }
      errors.add(`recipients.${i}`, refusal);
      if (++recipientErrors >= RECIPIENT_ERRORS_MAX) break;
      continue;
    }
    let destination = resolution === null ? NO_RATE : destinationByResolution.get(resolution);
    if (destination === undefined && resolution !== null) {
      const rateMinor = rateOf(resolution, rates);
      if (rateMinor === undefined) {
        destination = NO_RATE;
      } else {
        const { country, operator } = resolution;
        const key = `${country.id}|${operator ?? ''}|${rateMinor}`;
        destination = destinationByKey.get(key);
        if (destination === undefined) {
          destination = destinations.length;
          destinationByKey.set(key, destination);
          destinations.push({
            name: destinationName(country.name, operator),
            country,
            operator,
            mcc: resolution.mcc,
            mnc: resolution.mnc,
            rateMinor,
            numbers: 0,
          });
        }
      }
      destinationByResolution.set(resolution, destination);
    }
    if (destination === NO_RATE || destination === undefined || resolution === null) {
      if (onUnpriced) {
        const why: UnpricedReason =
          resolution === null
            ? { kind: 'unknown_prefix' }
            : { kind: 'no_rate', country: resolution.country.name, operator: resolution.operator ?? null };
        onUnpriced(i, list[i], ruleText.noAvailableRate(`recipients.${i}`), why);
        continue;
      }
      errors.add(`recipients.${i}`, ruleText.noAvailableRate(`recipients.${i}`));
      hintRecipient(errors, i, list[i]);
      if (++recipientErrors >= RECIPIENT_ERRORS_MAX) break;
      continue;
    }
    destinationOf[recipients.length] = destination;
    recipients.push(digits);
    resolutions.push(resolution);
    (destinations[destination] as DestinationDraft).numbers++;
  }

  if (text === null || !errors.empty) return { ok: false, errors };

  const sent = options.smartEncoding === true ? smartEncode(text) : text;
  const parts = countParts(sent);
  const priced = pricedDestinations(destinations, parts.parts, context.taxRatePpm);
  return {
    ok: true,
    quote: {
      text: sent,
      smartEncoding:
        options.smartEncoding === true
          ? savingOf(countParts(text), sent !== text, destinations, context.taxRatePpm, priced.totalMinor)
          : null,
      encoding: parts.encoding,
      ucs2Characters: parts.encoding === 'UCS-2' ? ucs2Characters(sent) : [],
      partsPerMessage: parts.parts,
      recipients,
      destinationOf: destinationOf.subarray(0, recipients.length),
      resolutions,
      ...priced,
      suppressed: [],
    },
  };
}

/** The destinations with their counts and totals, and the quote's totals over them, tax included. */
function pricedDestinations(drafts: readonly DestinationDraft[], partsPerMessage: number, taxRatePpm: number) {
  let smsCount = 0;
  let subtotalMinor = 0;
  const destinations: QuoteDestination[] = drafts.map((d) => {
    const destinationSms = multiplyMoney(d.numbers, partsPerMessage);
    const totalMinor = multiplyMoney(d.rateMinor, destinationSms);
    smsCount += destinationSms;
    subtotalMinor = addMoney(subtotalMinor, totalMinor);
    return Object.freeze({ ...d, smsCount: destinationSms, totalMinor });
  });
  const taxMinor = taxOf(subtotalMinor, taxRatePpm);
  return { destinations, smsCount, subtotalMinor, taxMinor, totalMinor: addMoney(subtotalMinor, taxMinor) };
}

/**
 * The quote without the suppressed recipients (`sourceOf`: each suppressed number and the entry it matched): they move to
 * `suppressed`, and the counts, destinations (one left without numbers is gone) and totals are those of the others,
 * tax computed again on the smaller subtotal. The same quote when none of its recipients is suppressed.
 */
export function withoutSuppressed(
  quote: Quote,
  sourceOf: ReadonlyMap<string, SuppressionMatch>,
  taxRatePpm: number,
): Quote {
  if (sourceOf.size === 0) return quote;
  const suppressed: SuppressedRecipient[] = [...quote.suppressed];
  const kept = keptOnly(quote, taxRatePpm, (recipient, resolution, destination) => {
    const match = sourceOf.get(recipient);
    if (match === undefined) return false;
    suppressed.push({ recipient, resolution, destination, source: match.source, sender: match.sender });
    return true;
  });
  return kept === quote ? quote : { ...kept, suppressed };
}

/**
 * The quote without `dropped` recipients (digits), priced again as `withoutSuppressed` prices what remains; they are
 * not recorded anywhere in it (the caller says why they were left out). The same quote when none is among them.
 */
export function withoutRecipients(quote: Quote, dropped: ReadonlySet<string>, taxRatePpm: number): Quote {
  if (dropped.size === 0) return quote;
  return keptOnly(quote, taxRatePpm, (recipient) => dropped.has(recipient));
}

function keptOnly(
  quote: Quote,
  taxRatePpm: number,
  drops: (recipient: string, resolution: Resolution, destination: QuoteDestination) => boolean,
): Quote {
  const recipients: string[] = [];
  const resolutions: Resolution[] = [];
  const destinationOf = new Int32Array(quote.recipients.length);
  const kept = quote.destinations.map((d) => ({ ...d, numbers: 0 }));
  for (let i = 0; i < quote.recipients.length; i++) {
    const recipient = quote.recipients[i] as string;
    const d = quote.destinationOf[i] as number;
    const resolution = quote.resolutions[i] as Resolution;
    if (drops(recipient, resolution, quote.destinations[d] as QuoteDestination)) continue;
    destinationOf[recipients.length] = d;
    recipients.push(recipient);
    resolutions.push(resolution);
    (kept[d] as DestinationDraft).numbers++;
  }
  if (recipients.length === quote.recipients.length) return quote;
  // Renumber the destinations that still have numbers, in their order.
  const renumbered = new Int32Array(kept.length).fill(-1);
  const drafts: DestinationDraft[] = [];
  kept.forEach((d, index) => {
    if (d.numbers === 0) return;
    renumbered[index] = drafts.length;
    const { name, country, operator, mcc, mnc, rateMinor, numbers } = d;
    drafts.push({ name, country, operator, mcc, mnc, rateMinor, numbers });
  });
  for (let i = 0; i < recipients.length; i++) destinationOf[i] = renumbered[destinationOf[i] as number] as number;
  const repriced = pricedDestinations(drafts, quote.partsPerMessage, taxRatePpm);
  return {
    ...quote,
    recipients,
    destinationOf: destinationOf.subarray(0, recipients.length),
    resolutions,
    ...repriced,
    // What smart encoding saved, on the recipients that remain.
    smartEncoding:
      quote.smartEncoding === null
        ? null
        : savingOf(
            { encoding: quote.smartEncoding.originalEncoding, parts: quote.smartEncoding.originalPartsPerMessage },
            quote.smartEncoding.applied,
            drafts,
            taxRatePpm,
            repriced.totalMinor,
          ),
  };
}

/** What the text as written would have cost, priced exactly as the quote is, and what smart encoding saved. */
function savingOf(
  original: { readonly encoding: Encoding; readonly parts: number },
  applied: boolean,
  destinations: readonly DestinationDraft[],
  taxRatePpm: number,
  totalMinor: number,
): SmartEncodingSaving {
  const originalTotalMinor = pricedDestinations(destinations, original.parts, taxRatePpm).totalMinor;
  return {
    applied,
    originalEncoding: original.encoding,
    originalPartsPerMessage: original.parts,
    originalTotalMinor,
    savedMinor: subtractMoney(originalTotalMinor, totalMinor),
  };
}
