// Opt-out: what a reply's words ask for (stop, start again, help), where a suppression came from, and why it is shown.
import { SUPPRESSION_REASONS } from './texts.js';

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

/**
 * What a reply asks for when its whole text is one keyword (any case, surrounding spaces and trailing punctuation
 * ignored); null for anything else, a keyword inside a sentence included.
 */
export function optOutIntent(text: string): OptOutIntent | null {
  const word = text.normalize('NFC').trim().replace(TRAILING_PUNCTUATION, '').toUpperCase();
  if (word === '') return null;
  return INTENT_BY_WORD.get(word) ?? null;
}

/** Who suppressed a number: the customer through the API or the dashboard, the platform operator, or a STOP reply. */
export type SuppressionSource = 'api' | 'dashboard' | 'operator' | 'stop_message';

export const SUPPRESSION_SOURCES: readonly SuppressionSource[] = ['api', 'dashboard', 'operator', 'stop_message'];

export function suppressionSourceFrom(text: string): SuppressionSource {
  const found = SUPPRESSION_SOURCES.find((s) => s === text);
  if (found === undefined) throw new Error(`unknown suppression source ${text}`);
  return found;
}

/** Why a recipient was left out of a sending, as the customer reads it. */
export function suppressionReason(source: SuppressionSource): string {
  return SUPPRESSION_REASONS[source];
}
