// Writing a campaign in the dashboard: the live price, sending at once or saving a Draft, and a Draft's life.

import { countryTest, effectiveCountries } from '../domain/destinations.js';
import { countParts } from '../domain/gsm.js';
import { COMPOSE_RECIPIENTS_MAX, INVALID_LISTED_MAX } from '../domain/limits.js';
import { sendingSenderKey } from '../domain/opt-out.js';
import {
  type Quote,
  recipientList,
  type UnpricedReason,
  withoutRecipients,
  withoutSuppressed,
} from '../domain/pricing.js';
import { scheduleIsPast } from '../domain/sending.js';
import { smartEncode } from '../domain/smart-encoding.js';
import { renderText, ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import type { Account } from '../store/accounts.js';
import { type Campaign, getCampaign } from '../store/campaigns.js';
import { deleteDraft, readDraft, type SendDraftResult, saveDraft, sendDraft, updateDraft } from '../store/drafts.js';
import { suppressedAmong } from '../store/suppressions.js';
import { campaignOrNotFound } from './campaigns.js';
import { type Actor, authenticated, type UseCaseContext } from './context.js';
import { booleanField, type Fields, isBlank } from './form-fields.js';
import { conflict, invalid, invalidOne, notFound, type Outcome, ok } from './outcome.js';
import { rateCardsOf } from './rate-cards.js';
import { refusedAtLoss, refusedPlaces, routeProvidersOf } from './route-margins.js';
import { readScheduledAt } from './sending-fields.js';
import {
  messageRows,
  priceSendingYielding,
  sendWindowHold,
  suppressedRows,
  validateNewSending,
} from './sending-validation.js';
import { spendLimitErrors } from './spend-limit-errors.js';

/** A compose form's price: the quote of what can be sent, what cannot and why, against the balance. */
export interface PriceSummary {
  readonly quote: Quote;
  /** Characters as counted for parts (an extension-table character counts 2 in GSM-7). */
  readonly characters: number;
  /** The first INVALID_LISTED_MAX numbers that cannot be priced, in the order given, with why in words. */
  readonly invalid: readonly { readonly recipient: string; readonly reason: string }[];
  readonly invalidTotal: number;
  /** The account as read with the session: its currency and balance. */
  readonly account: Account;
  /**
   * Null when smart encoding would change nothing in the message; else whether it is on, and the text, parts and
   * saving it gives (the quote itself is the one of the choice made).
   */
  readonly smartEncoding: {
    readonly on: boolean;
    readonly text: string;
    readonly parts: number;
    readonly savedMinor: number;
  } | null;
}

/** Whether the account sends to a country: the operator's list and its own choice. */
function countryAllowedFor(account: Account) {
  return countryTest(effectiveCountries(account.allowedCountries, account.chosenCountries));
}

/** Why a number of a compose form will not be sent, in words for the person typing it. */
function unpricedText(why: UnpricedReason): string {
  switch (why.kind) {
    case 'format':
      return renderText('composeNotANumber');
    case 'unknown_prefix':
      return renderText('composeUnknownPrefix');
    case 'no_rate':
      return renderText('composeNoRate', {
        destination: why.operator ? `${why.country} ${why.operator}` : why.country,
      });
    case 'country_not_allowed':
      return renderText('composeCountryNotAllowed', { country: why.country });
  }
}

/** A recipient as it was given, as text. */
function givenText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** The first INVALID_LISTED_MAX of the recipients not sent, in the order given. */
function firstListed(
  listed: { readonly index: number; readonly recipient: string; readonly reason: string }[],
): { readonly recipient: string; readonly reason: string }[] {
  return listed
    .sort((a, b) => a.index - b.index)
    .slice(0, INVALID_LISTED_MAX)
    .map(({ recipient, reason }) => ({ recipient, reason }));
}

/**
 * The quote without the recipients a route rule would refuse to send at a loss, and those recipients with the words
 * sending them would be refused with (a 422 keyed `recipients.N`): the form lists them, as it lists the numbers that
 * cannot be priced, and leaves them out of the total.
 */
async function withoutRefusedAtLoss(
  deps: UseCaseContext['deps'],
  account: Account,
  quote: Quote,
  fields: Fields,
): Promise<{ quote: Quote; listed: { index: number; recipient: string; reason: string }[] }> {
  const providers = routeProvidersOf(deps.providers);
  const refused = await refusedAtLoss(deps.db, providers, authenticated(account), quote, { sender: fields.sender });
  const listed = refusedPlaces(refused, fields.recipients).map(({ index, given }) => ({
    index,
    recipient: givenText(given),
    reason: ruleText.noRouteAtRate(`recipients.${index}`),
  }));
  return { quote: withoutRecipients(quote, refused, account.taxRatePpm), listed };
}

/** The public API names the schedule `scheduled_at`; the compose form names it `schedule`. Texts stay the same. */
function withScheduleKey(errors: ValidationErrors): ValidationErrors {
  const renamed = new ValidationErrors();
  for (const [field, texts] of Object.entries(errors.toJSON().errors)) {
    for (const text of texts) renamed.add(field === 'scheduled_at' ? 'schedule' : field, text);
  }
  return renamed;
}

/** The compose form's fields as the public API's sending fields; the draft flag read aside; a past schedule refused. */
function composeFields(fields: Fields, errors: ValidationErrors, nowUs: number): { sending: Fields; draft: boolean } {
  const draft = fields.draft;
  if (draft !== undefined && draft !== null && typeof draft !== 'boolean')
    errors.add('draft', ruleText.boolean('draft'));
  const list = recipientList(fields.recipients);
  if (list !== null && list.length > COMPOSE_RECIPIENTS_MAX) {
    errors.add('recipients', ruleText.maxItems('recipients', COMPOSE_RECIPIENTS_MAX));
  }
  const scheduledAtUs = isBlank(fields.schedule) ? null : readScheduledAt(fields.schedule);
  if (typeof scheduledAtUs === 'number' && scheduleIsPast(scheduledAtUs, nowUs)) {
    errors.add('schedule', TEXTS.schedulePast);
  }
  return {
    sending: {
      message: fields.message,
      recipients: fields.recipients,
      sender: fields.sender,
      scheduled_at: fields.schedule,
      smart_encoding: fields.smart_encoding,
      send_window: fields.send_window,
      validity_minutes: fields.validity_minutes,
    },
    draft: draft === true,
  };
}

/** Why a Draft was not sent, as the answer tells it. */
function draftNotSent(result: Exclude<SendDraftResult, { ok: true }>, currency: string): Outcome<never> {
  switch (result.reason) {
    case 'insufficient_balance':
      return invalidOne('balance', TEXTS.insufficientBalance);
    case 'spend_limit':
      return invalid(spendLimitErrors(result, currency));
    case 'changed':
      return conflict(TEXTS.draftChanged);
    case 'not_draft':
      return conflict(ruleText.notDraft(result.status));
    case 'not_found':
      return notFound;
  }
}

export function createComposeServices({ deps, api }: UseCaseContext) {
  const { db, plan } = deps;

  /** Validates compose fields into a draft's content (every rule of a sending but the balance). */
  async function draftContent(actor: Actor, fields: Fields) {
    const errors = new ValidationErrors();
    const { sending } = composeFields(fields, errors, db.nowUs());
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
        // Without the suppressed ones; the list is read again when the draft is sent.
        recipients: quote.recipients,
        sendWindow: options.sendWindow,
        validityMinutes: options.validityMinutes,
      },
    } as const;
  }

  return {
    /**
     * The calculation of POST /sendings/calculate, summarised: what cannot be priced is listed (the first
     * INVALID_LISTED_MAX, with the text its error would have) instead of failing the whole request.
     */
    async price(actor: Actor, fields: Fields): Promise<Outcome<PriceSummary>> {
      const errors = new ValidationErrors();
      const list = recipientList(fields.recipients);
      if (list !== null && list.length > COMPOSE_RECIPIENTS_MAX) {
        return invalidOne('recipients', ruleText.maxItems('recipients', COMPOSE_RECIPIENTS_MAX));
      }
      const invalidListed: { index: number; recipient: string; reason: string }[] = [];
      let invalidTotal = 0;
      const account = actor.account;
      const wanted = booleanField(fields, 'smart_encoding', errors) === true;
      const rates = await rateCardsOf(db).forAccount(account.id);
      if (rates === null) return invalidOne('recipients', ruleText.noPriceList(account.currency));
      const context = { plan, rates, taxRatePpm: account.taxRatePpm, countryAllowed: countryAllowedFor(account) };
      const pricing = { message: fields.message, recipients: fields.recipients };
      // The saving is told whether or not it is taken: priced smart-encoded first, then as written when not wanted.
      const encodable = typeof fields.message === 'string' && smartEncode(fields.message) !== fields.message;
      const smart = encodable
        ? await priceSendingYielding(pricing, context, new ValidationErrors(), {
            smartEncoding: true,
            onUnpriced: () => {},
          })
        : null;
      const priced = await priceSendingYielding(pricing, context, errors, {
        smartEncoding: wanted,
        onUnpriced: (index, value, _apiText, why) => {
          invalidTotal++;
          if (invalidListed.length < INVALID_LISTED_MAX) {
            invalidListed.push({ index, recipient: givenText(value), reason: unpricedText(why) });
          }
        },
      });
      if (!priced.ok) return invalid(priced.errors);
      const suppressed = await suppressedAmong(db, account.id, priced.quote.recipients, sendingSenderKey(fields));
      const sendable = withoutSuppressed(priced.quote, suppressed, account.taxRatePpm);
      const atLoss = await withoutRefusedAtLoss(deps, account, sendable, fields);
      invalidTotal += atLoss.listed.length;
      invalidListed.push(...atLoss.listed);
      return ok({
        quote: atLoss.quote,
        characters: countParts(fields.message as string).units,
        invalid: firstListed(invalidListed),
        invalidTotal,
        account,
        smartEncoding:
          smart?.ok && smart.quote.smartEncoding
            ? {
                on: wanted,
                text: smart.quote.text,
                parts: smart.quote.partsPerMessage,
                savedMinor: smart.quote.smartEncoding.savedMinor,
              }
            : null,
      });
    },

    /** A new sending exactly as POST /sendings makes it (priced, stored, reserved), or a Draft (nothing reserved). */
    async compose(actor: Actor, fields: Fields): Promise<Outcome<Campaign>> {
      const errors = new ValidationErrors();
      const { sending, draft } = composeFields(fields, errors, db.nowUs());
      if (!errors.empty) return invalid(errors);
      if (draft) {
        const prepared = await draftContent(actor, fields);
        if (!prepared.ok) return invalid(prepared.errors);
        const saved = await saveDraft(db, prepared.content);
        return campaignOrNotFound(db, actor.account.id, saved.id);
      }
      const created = await api.createSending(authenticated(actor.account), sending, undefined);
      if (!created.ok) return invalid(withScheduleKey(created.errors));
      return campaignOrNotFound(db, actor.account.id, created.sendingId);
    },

    /** Replaces a Draft's message, recipients, sender, schedule, send window and validity (validated as for sending). */
    async updateDraft(actor: Actor, sendingId: number, fields: Fields): Promise<Outcome<Campaign>> {
      const existing = await getCampaign(db, actor.account.id, sendingId);
      if (!existing) return notFound;
      if (existing.sending.status !== 'Draft') return conflict(ruleText.notDraft(existing.sending.status));
      const prepared = await draftContent(actor, fields);
      if (!prepared.ok) return invalid(prepared.errors);
      const result = await updateDraft(db, sendingId, prepared.content);
      if (!result.ok) return result.reason === 'not_found' ? notFound : conflict(ruleText.notDraft(result.status));
      return campaignOrNotFound(db, actor.account.id, sendingId);
    },

    /** Sends a Draft: priced again with today's rates and reserved, as a new sending would be. */
    async sendDraft(actor: Actor, sendingId: number): Promise<Outcome<Campaign>> {
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
        send_window: draft.sending.sendWindow,
        validity_minutes: draft.sending.validityMinutes,
      });
      if (!validated.ok) return invalid(validated.errors);
      const { quote, options } = validated;
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
        suppressed: suppressedRows(quote),
        sendWindow: sendWindowHold(plan, quote, options.sendWindow),
        validityMinutes: options.validityMinutes,
      });
      if (!result.ok) return draftNotSent(result, actor.account.currency);
      deps.workSignal?.notify();
      return campaignOrNotFound(db, accountId, sendingId);
    },

    async deleteDraft(actor: Actor, sendingId: number): Promise<Outcome<null>> {
      const result = await deleteDraft(db, actor.account.id, sendingId);
      if (result.ok) return ok(null);
      return result.reason === 'not_found' ? notFound : conflict(ruleText.notDraft(result.status));
    },
  };
}
