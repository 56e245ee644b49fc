// Answers to keywords: HELP gets the account's help text, and (when the account turns confirmations on) STOP and START
// get a confirmation. Each answer is an ordinary one-recipient sending of the account, priced and reserved by the
// same service as any other, from the number the keyword came to; one that cannot be sent is recorded as not sent.
// An answer is owed from the moment its keyword is stored: one a process did not get to send is sent by the worker's
// sweep, under an idempotency key of the received message, so it is sent once whatever retries it.
import {
  KEYWORD_REPLY_CHARS_MAX,
  KEYWORD_REPLY_GIVE_UP_MS,
  KEYWORD_REPLY_RETRY_AFTER_MS,
  OPT_OUT_WORD_CHARS_MAX,
} from '../domain/limits.js';
import {
  checkOptOutWords,
  OPT_OUT_SCOPES,
  type OptOutIntent,
  type OptOutScope,
  type OptOutWordProblem,
} from '../domain/opt-out.js';
import { KEYWORD_CONFIRMATIONS, optOutWordText, ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import { US_PER_MS } from '../domain/time.js';
import { getAccount } from '../store/accounts.js';
import { recordAutoReply } from '../store/conversations.js';
import type { Db } from '../store/db.js';
import { type InboundMessage, type KeywordEffect, owedKeywordReplies, settleOwedReply } from '../store/inbound.js';
import {
  changeKeywordSettings,
  type KeywordSettings,
  type KeywordSettingsChange,
  type OptOutWordsDecision,
  readKeywordSettings,
} from '../store/keyword-settings.js';
import { findByIdempotencyKey } from '../store/sendings.js';
import { authenticated } from './context.js';
import { booleanField, type Fields, isBlank } from './form-fields.js';
import type { KeywordReplies } from './inbound.js';
import { invalid, notFound, type Outcome, ok } from './outcome.js';
import type { ApiServices } from './ports.js';

/** An account's keyword answers as its settings show them: the confirmations' texts as they are sent. */
export interface KeywordAnswers {
  readonly helpText: string | null;
  readonly confirmations: boolean;
  readonly stopText: string;
  readonly startText: string;
  /** The account's own opt-out and opt-in words (upper case), beside the built-in keywords. */
  readonly stopWords: readonly string[];
  readonly startWords: readonly string[];
  /** Whom a STOP reply suppresses the number for: every sending of the account, or its sender's only. */
  readonly optOutScope: OptOutScope;
}

/** Why an automatic reply was not sent, as recorded on the received message. */
export type AutoReplyRefusal = 'insufficient_balance' | 'spend_limit' | 'suppressed' | 'account_suspended' | 'refused';

function answersOf(settings: KeywordSettings): KeywordAnswers {
  return {
    helpText: settings.helpText,
    confirmations: settings.confirmations,
    stopText: settings.stopText ?? KEYWORD_CONFIRMATIONS.stop,
    startText: settings.startText ?? KEYWORD_CONFIRMATIONS.start,
    stopWords: settings.stopWords,
    startWords: settings.startWords,
    optOutScope: settings.optOutScope,
  };
}

/** The opt-out scope of a change: 'account' or 'sender'; undefined when absent (or malformed, told in `errors`). */
export function optOutScopeField(
  fields: Fields,
  errors: ValidationErrors,
  name = 'opt_out_scope',
): OptOutScope | undefined {
  if (!(name in fields) || fields[name] === undefined) return undefined;
  const value = fields[name];
  const scope = OPT_OUT_SCOPES.find((known) => known === value);
  if (scope === undefined) errors.add(name, ruleText.selectedInvalid(name));
  return scope;
}

export async function keywordAnswers(db: Db, accountId: number): Promise<Outcome<KeywordAnswers>> {
  const settings = await readKeywordSettings(db, accountId);
  return settings ? ok(answersOf(settings)) : notFound;
}

/** A text setting: a string up to the limit; blank (or null) clears it. Undefined when the field is absent. */
function replyText(fields: Fields, name: string, errors: ValidationErrors): string | null | undefined {
  if (!(name in fields)) return undefined;
  const value = fields[name];
  if (isBlank(value)) return null;
  if (typeof value !== 'string') {
    errors.add(name, ruleText.string(name));
    return undefined;
  }
  const text = value.trim();
  if (text.length > KEYWORD_REPLY_CHARS_MAX) {
    errors.add(name, ruleText.maxChars(name, KEYWORD_REPLY_CHARS_MAX));
    return undefined;
  }
  return text;
}

/**
 * A list of words: an array of texts, or one text of words separated by commas or spaces; null or blank: none.
 * Undefined when the field is absent (or not a list, told in `errors`).
 */
function wordList(fields: Fields, name: string, errors: ValidationErrors): readonly unknown[] | undefined {
  if (!(name in fields)) return undefined;
  const value = fields[name];
  if (isBlank(value)) return [];
  if (typeof value === 'string') return value.split(/[\s,]+/u).filter((word) => word !== '');
  if (Array.isArray(value)) return value;
  errors.add(name, ruleText.array(name));
  return undefined;
}

function wordProblemText(problem: OptOutWordProblem, field: string): string {
  switch (problem.kind) {
    case 'not_text':
      return optOutWordText.notText(field);
    case 'format':
      return optOutWordText.format(problem.word, OPT_OUT_WORD_CHARS_MAX);
    case 'duplicate':
      return optOutWordText.duplicate(problem.word);
    case 'both':
      return optOutWordText.both(problem.word);
    case 'built_in':
      return optOutWordText.builtIn(problem.word, problem.intent);
    case 'too_many':
      return optOutWordText.tooMany(problem.max);
  }
}

/**
 * Changes an account's keyword answers from `{ help_text?, confirmations?, stop_text?, start_text?, stop_words?,
 * start_words? }` (a field left out is kept; a blank text clears it: no HELP answer, or the platform's confirmation
 * text; a list of words replaces the account's own words, checked together with the other list as kept). The
 * dashboard and the operator's CLI both come here.
 */
export async function changeKeywordAnswersFrom(
  db: Db,
  accountId: number,
  fields: Fields,
): Promise<Outcome<KeywordAnswers>> {
  const errors = new ValidationErrors();
  const helpText = replyText(fields, 'help_text', errors);
  const stopText = replyText(fields, 'stop_text', errors);
  const startText = replyText(fields, 'start_text', errors);
  const confirmations = booleanField(fields, 'confirmations', errors);
  const givenStop = wordList(fields, 'stop_words', errors);
  const givenStart = wordList(fields, 'start_words', errors);
  const optOutScope = optOutScopeField(fields, errors);
  if (!errors.empty) return invalid(errors);
  const change: KeywordSettingsChange = {
    ...(optOutScope !== undefined && { optOutScope }),
    ...(helpText !== undefined && { helpText }),
    ...(stopText !== undefined && { stopText }),
    ...(startText !== undefined && { startText }),
    ...(confirmations !== undefined && { confirmations }),
  };
  // A list given replaces the account's own words of its kind, checked together with the other list as it is kept.
  const words: OptOutWordsDecision | undefined =
    givenStop === undefined && givenStart === undefined
      ? undefined
      : (current) => {
          const checked = checkOptOutWords({ stop: givenStop ?? current.stop, start: givenStart ?? current.start });
          if (checked.ok) {
            return {
              ...(givenStop !== undefined && { stop: checked.words.stop }),
              ...(givenStart !== undefined && { start: checked.words.start }),
            };
          }
          // A problem of both lists together is told on the list that was changed.
          const changed = givenStop !== undefined ? 'stop_words' : 'start_words';
          for (const problem of checked.problems) {
            const field = 'list' in problem ? `${problem.list}_words` : changed;
            errors.add(field, wordProblemText(problem, field));
          }
          return null;
        };
  const outcome = await changeKeywordSettings(db, accountId, change, words);
  if (outcome === 'not_found') return notFound;
  if (outcome === 'refused') return invalid(errors);
  return keywordAnswers(db, accountId);
}

/** Why `createSending` refused an automatic reply, in one word. */
function refusalOf(errors: ValidationErrors): AutoReplyRefusal {
  const byField = errors.toJSON().errors;
  if (byField.balance !== undefined) return 'insufficient_balance';
  if (byField.spend_limit !== undefined) return 'spend_limit';
  if (byField.recipients?.includes(TEXTS.allRecipientsSuppressed)) return 'suppressed';
  return 'refused';
}

/**
 * The idempotency key of the answer to a received message: the same for every attempt at it. Its arrow cannot come in
 * an HTTP header (read as Latin-1), so no request of the public API can take it first.
 */
export function keywordReplyKey(inboundId: number): string {
  return `keyword\u2192${inboundId}`;
}

/**
 * The answers to keywords, sent through the public API's `createSending` (priced, reserved, refused without the
 * balance) from the number the keyword came to, under the received message's idempotency key (`keywordReplyKey`):
 * an attempt after one that created the sending finds it, never a second one. HELP is answered when the account has
 * a help text; STOP and START when it turned confirmations on. Only the STOP confirmation reaches the number that has
 * just opted out; a HELP from a suppressed number gets nothing (recorded as `suppressed`). Whatever becomes of it, the
 * answer is owed no more; an error leaves it owed.
 */
export function createKeywordReplies(
  db: Db,
  api: Pick<ApiServices, 'createSending'>,
  log: (fields: Record<string, unknown>, message: string) => void,
): KeywordReplies {
  return async (message, intent) => {
    const [account, settings] = await Promise.all([
      getAccount(db, message.accountId),
      readKeywordSettings(db, message.accountId),
    ]);
    const answers = settings && answersOf(settings);
    const text = !answers
      ? null
      : intent === 'help'
        ? answers.helpText
        : !answers.confirmations
          ? null
          : answers[`${intent}Text`];
    if (!account || text === null) {
      await settleOwedReply(db, message.id);
      return;
    }
    if (account.suspendedAtUs !== null) {
      await recordAutoReply(db, message.id, { kind: intent, sendingId: null, refusal: 'account_suspended' });
      return;
    }
    const key = keywordReplyKey(message.id);
    const earlier = await findByIdempotencyKey(db, account.id, key);
    if (earlier) {
      await recordAutoReply(db, message.id, { kind: intent, sendingId: earlier.id, refusal: null });
      return;
    }
    const created = await api.createSending(
      authenticated(account),
      { message: text, recipients: [message.from], sender: message.to },
      key,
      { fromOwnNumber: true, ...(intent === 'stop' && { toOptedOut: message.from }) },
    );
    if (created.ok) {
      await recordAutoReply(db, message.id, { kind: intent, sendingId: created.sendingId, refusal: null });
      return;
    }
    if (created.errors.toJSON().errors['Idempotency-Key'] !== undefined) {
      // Another attempt sent it meanwhile, with the text as it was then: that sending is the answer.
      const first = await findByIdempotencyKey(db, account.id, key);
      if (first) {
        await recordAutoReply(db, message.id, { kind: intent, sendingId: first.id, refusal: null });
        return;
      }
    }
    const refusal = refusalOf(created.errors);
    if (refusal === 'refused') {
      log({ inboundId: message.id, errors: created.errors.toJSON().errors }, 'automatic keyword reply refused');
    }
    await recordAutoReply(db, message.id, { kind: intent, sendingId: null, refusal });
  };
}

const INTENT_OF_EFFECT: Readonly<Record<KeywordEffect, OptOutIntent>> = {
  help: 'help',
  opt_out: 'stop',
  opt_in: 'start',
};

/** Keyword answers taken up by one sweep, at most. */
const OWED_SWEEP_BATCH = 100;

/**
 * The worker's sweep: the keyword answers owed for more than KEYWORD_REPLY_RETRY_AFTER_MS (their process stopped
 * before it sent them, or sending failed) are sent through `replies`, once each (`keywordReplyKey`); one owed longer
 * than KEYWORD_REPLY_GIVE_UP_MS is given up, too late to answer anything. Returns how many it took up.
 */
export async function answerOwedKeywordReplies(
  db: Db,
  replies: KeywordReplies,
  log: (fields: Record<string, unknown>, message: string) => void,
  nowUs: number,
): Promise<number> {
  const owed = await owedKeywordReplies(db, nowUs - KEYWORD_REPLY_RETRY_AFTER_MS * US_PER_MS, OWED_SWEEP_BATCH);
  for (const { message, owedAtUs } of owed) {
    const intent = message.keywordEffect === null ? null : INTENT_OF_EFFECT[message.keywordEffect];
    if (intent === null || owedAtUs < nowUs - KEYWORD_REPLY_GIVE_UP_MS * US_PER_MS) {
      if (intent !== null) log({ inboundId: message.id }, 'keyword answer owed too long: given up');
      await settleOwedReply(db, message.id);
      continue;
    }
    await answerOwed(replies, message, intent, log);
  }
  return owed.length;
}

async function answerOwed(
  replies: KeywordReplies,
  message: InboundMessage,
  intent: OptOutIntent,
  log: (fields: Record<string, unknown>, message: string) => void,
): Promise<void> {
  try {
    await replies(message, intent);
  } catch (error) {
    log({ inboundId: message.id, err: error }, 'owed keyword answer failed; tried again later');
  }
}
