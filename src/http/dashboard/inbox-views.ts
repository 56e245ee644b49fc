// The inbox's answers as the contract shapes them.
import { builtInWords } from '../../domain/opt-out.js';
import type { ConversationThread } from '../../services/inbox.js';
import type { KeywordAnswers } from '../../services/keyword-replies.js';
import type { Conversation, ConversationItem } from '../../store/conversations.js';
import type {
  AutoReplyRefusalName,
  ConversationItemView,
  ConversationThreadView,
  ConversationView,
  KeywordAnswersView,
} from './contract.js';
import { isoMs } from './views.js';

const REFUSALS: readonly AutoReplyRefusalName[] = [
  'insufficient_balance',
  'spend_limit',
  'suppressed',
  'account_suspended',
  'refused',
];

export function conversationView(c: Conversation): ConversationView {
  return {
    id: c.id,
    phone: c.phone,
    number: c.number,
    last_text: c.lastText,
    last_received_at: isoMs(c.lastReceivedAtUs),
  };
}

function itemView(item: ConversationItem): ConversationItemView {
  if (item.direction === 'in') {
    return {
      direction: 'in',
      id: item.id,
      at: isoMs(item.atUs),
      text: item.text,
      number: item.number,
      auto_reply: item.autoReply,
      auto_reply_refusal: REFUSALS.find((r) => r === item.autoReplyRefusal) ?? null,
    };
  }
  return {
    direction: 'out',
    id: item.id,
    at: isoMs(item.atUs),
    text: item.text,
    sender: item.sender,
    sending_id: item.sendingId,
    status: item.status,
    provider_status: item.providerStatus,
    error: item.error,
  };
}

export function conversationThreadView(thread: ConversationThread): ConversationThreadView {
  return { phone: thread.phone, reply_from: thread.replyFrom, data: thread.items.map(itemView), total: thread.total };
}

export function keywordAnswersView(answers: KeywordAnswers): KeywordAnswersView {
  return {
    help_text: answers.helpText,
    confirmations: answers.confirmations,
    stop_text: answers.stopText,
    start_text: answers.startText,
    stop_words: answers.stopWords,
    start_words: answers.startWords,
    opt_out_scope: answers.optOutScope,
    built_in_stop_words: builtInWords('stop'),
    built_in_start_words: builtInWords('start'),
  };
}
