// Opt-out: what a reply's words ask for (stop, start again, help), where a suppression came from, and why it is shown.
import { OPT_OUT_WORD_CHARS_MAX, OPT_OUT_WORDS_MAX } from './limits.js';
import { SUPPRESSION_REASONS, SUPPRESSION_SENDER_REASON } from './texts.js';

export type OptOutIntent = 'stop' | 'start' | 'help';

/**
 * The keywords of each language, as a recipient writes them alone in a reply. English follows the carriers'
 * (CTIA) list. Another language is one more entry: its words in capitals, as `toUpperCase()` gives them.
 */
export const OPT_OUT_KEYWORDS: Readonly<Record<string, Readonly<Record<OptOutIntent, readonly string[]>>>> = {
  en: {
    stop: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
    start: ['START', 'UNSTOP'],
    help: ['HELP'],
  },
  lv: { stop: ['ATTEIKT'], start: ['SĀKT'], help: [] },
  ru: { stop: ['СТОП'], start: ['СТАРТ'], help: [] },
};

const INTENT_BY_WORD: ReadonlyMap<string, OptOutIntent> = new Map(
  Object.values(OPT_OUT_KEYWORDS).flatMap((byIntent) =>
    (Object.entries(byIntent) as [OptOutIntent, readonly string[]][]).flatMap(([intent, words]) =>
      words.map((word) => [word.normalize('NFC'), intent] as const),
    ),
  ),
);

/** Punctuation and spaces a reply may end with: "Stop!", "stop." and "STOP ." are STOP. */
const TRAILING_PUNCTUATION = /[\p{P}\s]+$/u;

/** An account's own opt-out (stop) and opt-in (start) words, beside the built-in ones; folded (see foldOptOutWord). */
export interface CustomOptOutWords {
  readonly stop: readonly string[];
  readonly start: readonly string[];
}

/** Every built-in word of an intent, in every language, in the order listed. */
export function builtInWords(intent: OptOutIntent): string[] {
  return Object.values(OPT_OUT_KEYWORDS).flatMap((byIntent) => [...byIntent[intent]]);
}

const NO_CUSTOM_OPT_OUT_WORDS: CustomOptOutWords = Object.freeze({ stop: [], start: [] });

/** A keyword as compared: NFC, surrounding spaces dropped, upper case. */
export function foldOptOutWord(word: string): string {
  return word.normalize('NFC').trim().toUpperCase();
}

/** One word of an account's own: letters and digits only (it is compared with a reply's whole text), 1 to 20. */
const OWN_WORD = new RegExp(`^[\\p{L}\\p{M}\\p{N}]{1,${OPT_OUT_WORD_CHARS_MAX}}$`, 'u');

/** A reply's text as compared with the keywords: NFC, trimmed, trailing punctuation dropped, upper case. */
function replyWord(text: string): string {
  return text.normalize('NFC').trim().replace(TRAILING_PUNCTUATION, '').toUpperCase();
}

/**
 * Whether a reply could be one of an account's own words (one word of letters or digits, up to
 * OPT_OUT_WORD_CHARS_MAX): only then need they be looked up.
 */
export function couldBeOwnWord(text: string): boolean {
  return OWN_WORD.test(replyWord(text));
}

/**
 * What a reply asks for when its whole text is one keyword (any case, surrounding spaces and trailing punctuation
 * ignored): a built-in keyword, or one of the account's own stop and start words; null for anything else, a keyword
 * inside a sentence included.
 */
export function optOutIntent(text: string, custom: CustomOptOutWords = NO_CUSTOM_OPT_OUT_WORDS): OptOutIntent | null {
  const word = replyWord(text);
  if (word === '') return null;
  const builtIn = INTENT_BY_WORD.get(word);
  if (builtIn !== undefined) return builtIn;
  if (custom.stop.includes(word)) return 'stop';
  if (custom.start.includes(word)) return 'start';
  return null;
}

/** Why a list of an account's own words was refused, one problem per entry, in the order found. */
export type OptOutWordProblem =
  | { readonly kind: 'not_text'; readonly list: 'stop' | 'start' }
  | { readonly kind: 'format'; readonly list: 'stop' | 'start'; readonly word: string }
  | { readonly kind: 'duplicate'; readonly list: 'stop' | 'start'; readonly word: string }
  | { readonly kind: 'both'; readonly word: string }
  | { readonly kind: 'built_in'; readonly list: 'stop' | 'start'; readonly word: string; readonly intent: OptOutIntent }
  | { readonly kind: 'too_many'; readonly max: number };

/**
 * Checks an account's own stop and start words as given (any case, surrounding spaces ignored): each one word of
 * letters or digits up to OPT_OUT_WORD_CHARS_MAX characters, none twice (in any case), none both a stop and a start
 * word, none already a built-in keyword, at most OPT_OUT_WORDS_MAX together. Returns the folded words, or every
 * problem found.
 */
export function checkOptOutWords(given: {
  readonly stop: readonly unknown[];
  readonly start: readonly unknown[];
}):
  | { readonly ok: true; readonly words: CustomOptOutWords }
  | { readonly ok: false; readonly problems: OptOutWordProblem[] } {
  const problems: OptOutWordProblem[] = [];
  const folded = { stop: [] as string[], start: [] as string[] };
  for (const list of ['stop', 'start'] as const) {
    for (const value of given[list]) {
      if (typeof value !== 'string') {
        problems.push({ kind: 'not_text', list });
        continue;
      }
      const word = foldOptOutWord(value);
      if (!OWN_WORD.test(word)) {
        problems.push({ kind: 'format', list, word: value.trim() });
        continue;
      }
      const intent = INTENT_BY_WORD.get(word);
      if (intent !== undefined) {
        problems.push({ kind: 'built_in', list, word, intent });
        continue;
      }
      if (folded[list].includes(word)) {
        problems.push({ kind: 'duplicate', list, word });
        continue;
      }
      folded[list].push(word);
    }
  }
  for (const word of folded.stop) {
    if (folded.start.includes(word)) problems.push({ kind: 'both', word });
  }
  if (folded.stop.length + folded.start.length > OPT_OUT_WORDS_MAX) {
    problems.push({ kind: 'too_many', max: OPT_OUT_WORDS_MAX });
  }
  return problems.length === 0 ? { ok: true, words: folded } : { ok: false, problems };
}

/** Who suppressed a number: the customer through the API or the dashboard, the platform operator, or a STOP reply. */
export type SuppressionSource = 'api' | 'dashboard' | 'operator' | 'stop_message';

export const SUPPRESSION_SOURCES: readonly SuppressionSource[] = ['api', 'dashboard', 'operator', 'stop_message'];

/** The entry of the list a recipient of a sending matched: who added it, and its sender ('' the whole account). */
export interface SuppressionMatch {
  readonly source: SuppressionSource;
  readonly sender: string;
}

export function suppressionSourceFrom(text: string): SuppressionSource {
  const found = SUPPRESSION_SOURCES.find((s) => s === text);
  if (found === undefined) throw new Error(`unknown suppression source ${text}`);
  return found;
}

/** Why a recipient was left out of a sending, as the customer reads it; `sender` names a per-sender entry. */
export function suppressionReason(source: SuppressionSource, sender = ''): string {
  const reason = SUPPRESSION_REASONS[source];
  return sender === '' ? reason : `${reason} ${SUPPRESSION_SENDER_REASON(sender)}`;
}

/**
 * Whom a STOP reply suppresses the number for: every sending of the account ('account', the default) or only the
 * sendings from the sender (name or number) the reply answered ('sender'). START takes away that same entry.
 */
export type OptOutScope = 'account' | 'sender';

export const OPT_OUT_SCOPES: readonly OptOutScope[] = ['account', 'sender'];

export function optOutScopeFrom(text: string): OptOutScope {
  return text === 'sender' ? 'sender' : 'account';
}

/** The longest sender an entry of the list may name (a number of 20 digits, or a name). */
export const SUPPRESSION_SENDER_CHARS_MAX = 20;

/**
 * A sender as an entry of the list names it, and as a sending's sender is compared with it: trimmed (as a sending's
 * sender is), a number without its "+" (a number is stored as digits, as a reply reaches it); '' is the whole account.
 */
export function suppressionSenderKey(sender: string | null | undefined): string {
  if (sender === null || sender === undefined) return '';
  const trimmed = sender.trim();
  return /^\+\d+$/.test(trimmed) ? trimmed.slice(1) : trimmed;
}

/**
 * The sender of a sending's fields as the list's entries are compared with it; '' when none is given (yet), or when it
 * could name no entry (too long, a control character: such a sender is refused by the sending's own rules).
 */
export function sendingSenderKey(fields: Readonly<Record<string, unknown>>): string {
  const key = typeof fields.sender === 'string' ? suppressionSenderKey(fields.sender) : '';
  return isSuppressionSender(key) ? key : '';
}

/**
 * Whether a sender as given may name an entry: 1 to SUPPRESSION_SENDER_CHARS_MAX characters (code points, as the API's
 * schema counts them), no control character.
 */
export function isSuppressionSender(key: string): boolean {
  if (key === '' || key.length > 2 * SUPPRESSION_SENDER_CHARS_MAX) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return [...key].length <= SUPPRESSION_SENDER_CHARS_MAX && !/[\u0000-\u001f\u007f]/.test(key);
}
