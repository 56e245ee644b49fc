// The inbox in the dashboard: conversations (a handset's number and the number of ours it wrote to), one number's
// messages both ways, and a reply to it: priced as Compose prices, sent as Compose sends (the public API's
// `createSending`), from the number of ours it last wrote to. Also the account's keyword answers (HELP, confirmations).
import { CONVERSATION_ITEMS_MAX } from '../domain/limits.js';
import { keywordText, ValidationErrors } from '../domain/texts.js';
import type { Campaign } from '../store/campaigns.js';
import {
  type Conversation,
  type ConversationItem,
  conversationMessages,
  lastNumberWrittenTo,
  listConversations,
} from '../store/conversations.js';
import { campaignOrNotFound } from './campaigns.js';
import { createComposeServices, type PriceSummary } from './compose.js';
import { type Actor, authenticated, type UseCaseContext } from './context.js';
import { type Fields, intField, type PageOf, pageField, pageOf } from './form-fields.js';
import { changeKeywordAnswersFrom, type KeywordAnswers, keywordAnswers } from './keyword-replies.js';
import { searchPrefix } from './opt-outs.js';
import { invalid, invalidOne, notFound, type Outcome, ok } from './outcome.js';
import { phoneOf } from './suppressions.js';

/** One number's messages both ways, oldest first, and the number a reply goes from. */
export interface ConversationThread {
  readonly phone: string;
  /** The number of ours the phone last wrote to: a reply's sender. */
  readonly replyFrom: string;
  /** The newest messages, oldest first. */
  readonly items: readonly ConversationItem[];
  /** How many there are in all (more than shown when older ones are left out). */
  readonly total: number;
}

export function createInboxServices(context: UseCaseContext) {
  const { deps, api } = context;
  const { db } = deps;
  const compose = createComposeServices(context);

  /** The phone of a path, and the number of ours it last wrote to; undefined when it never wrote to the account. */
  async function threadOf(actor: Actor, phoneText: string) {
    const phone = phoneOf(phoneText);
    if (phone === null) return undefined;
    const replyFrom = await lastNumberWrittenTo(db, actor.account.id, phone);
    return replyFrom === undefined ? undefined : { phone, replyFrom };
  }

  return {
    async conversations(actor: Actor, fields: Fields): Promise<Outcome<PageOf<Conversation>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const prefix = searchPrefix(fields, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listConversations(db, actor.account.id, { ...page, prefix });
      return ok(pageOf(found.rows, page, found.total));
    },

    async conversation(actor: Actor, phoneText: string, fields: Fields): Promise<Outcome<ConversationThread>> {
      const errors = new ValidationErrors();
      const limit = intField(fields, 'limit', errors) ?? CONVERSATION_ITEMS_MAX;
      if (!errors.empty) return invalid(errors);
      const thread = await threadOf(actor, phoneText);
      if (thread === undefined) return notFound;
      const shown = Math.min(Math.max(limit, 1), CONVERSATION_ITEMS_MAX);
      const { items, total } = await conversationMessages(db, actor.account.id, thread.phone, shown);
      return ok({ ...thread, items: items.reverse(), total });
    },

    /** What a reply would cost: Compose's price for the one number. */
    async replyPrice(actor: Actor, phoneText: string, fields: Fields): Promise<Outcome<PriceSummary>> {
      const thread = await threadOf(actor, phoneText);
      if (thread === undefined) return notFound;
      return compose.price(actor, {
        message: fields.message,
        recipients: [thread.phone],
        smart_encoding: fields.smart_encoding,
      });
    },

    /** Sends a reply: a sending of the one number from ours it last wrote to, priced and reserved as any other. */
    async reply(actor: Actor, phoneText: string, fields: Fields): Promise<Outcome<Campaign>> {
      const thread = await threadOf(actor, phoneText);
      if (thread === undefined) {
        return phoneOf(phoneText) === null ? notFound : invalidOne('recipients', keywordText.noConversation);
      }
      const created = await api.createSending(
        authenticated(actor.account),
        {
          message: fields.message,
          recipients: [thread.phone],
          sender: thread.replyFrom,
          smart_encoding: fields.smart_encoding,
        },
        undefined,
        { fromOwnNumber: true },
      );
      if (!created.ok) return invalid(created.errors);
      return campaignOrNotFound(db, actor.account.id, created.sendingId);
    },

    keywordAnswers(actor: Actor): Promise<Outcome<KeywordAnswers>> {
      return keywordAnswers(db, actor.account.id);
    },

    changeKeywordAnswers(actor: Actor, fields: Fields): Promise<Outcome<KeywordAnswers>> {
      return changeKeywordAnswersFrom(db, actor.account.id, fields);
    },
  };
}
