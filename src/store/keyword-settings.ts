// An account's answers to keywords: its HELP text, whether (and with what texts) STOP and START are confirmed, and its
// own stop and start words beside the built-in ones.
import { type CustomOptOutWords, type OptOutScope, optOutScopeFrom } from '../domain/opt-out.js';
import type { Db } from './db.js';

export interface KeywordSettings {
  /** Sent in answer to HELP; null: HELP gets no answer. */
  readonly helpText: string | null;
  /** STOP and START are confirmed by a reply (each charged as a sending). Off unless the account turns it on. */
  readonly confirmations: boolean;
  /** The confirmations' texts; null: the platform's own. */
  readonly stopText: string | null;
  readonly startText: string | null;
  /** The account's own opt-out and opt-in words (upper case), beside the built-in keywords. */
  readonly stopWords: readonly string[];
  readonly startWords: readonly string[];
  /** Whom a STOP reply suppresses the number for: every sending ('account', the default) or its sender's. */
  readonly optOutScope: OptOutScope;
}

/** A change of the answers: a field left undefined is kept (the own words change through OptOutWordsDecision). */
export type KeywordSettingsChange = {
  readonly [K in Exclude<keyof KeywordSettings, 'stopWords' | 'startWords'>]?: KeywordSettings[K];
};

export async function readKeywordSettings(db: Db, accountId: number): Promise<KeywordSettings | undefined> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select([
      'help_text',
      'keyword_confirmations',
      'stop_text',
      'start_text',
      'stop_words',
      'start_words',
      'opt_out_scope',
    ])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return (
    row && {
      helpText: row.help_text,
      confirmations: Number(row.keyword_confirmations) === 1,
      stopText: row.stop_text,
      startText: row.start_text,
      stopWords: wordsOf(row.stop_words),
      startWords: wordsOf(row.start_words),
      optOutScope: optOutScopeFrom(row.opt_out_scope),
    }
  );
}

function wordsOf(column: string): string[] {
  return column === '' ? [] : column.split(' ');
}

/** The account's own stop and start words, as inbound handling compares a reply with them; none for no account. */
export async function readCustomOptOutWords(db: Db, accountId: number): Promise<CustomOptOutWords> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select(['stop_words', 'start_words'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return { stop: row ? wordsOf(row.stop_words) : [], start: row ? wordsOf(row.start_words) : [] };
}

/** The account's opt-out scope, as inbound handling applies a STOP or START; 'account' for no account. */
export async function readOptOutScope(db: Db, accountId: number): Promise<OptOutScope> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select('opt_out_scope')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return optOutScopeFrom(row?.opt_out_scope ?? 'account');
}

/**
 * The own words a change sets, decided from those the account has (read under the account's row lock, so that two
 * changes at once cannot together make a pair the decision refuses); null: refused, nothing is changed.
 */
export type OptOutWordsDecision = (
  current: CustomOptOutWords,
) => { readonly stop?: readonly string[]; readonly start?: readonly string[] } | null;

/**
 * Changes the given settings, and the own words `words` decides, in one transaction: 'not_found' when the account does
 * not exist, 'refused' (nothing changed) when `words` refuses.
 */
export async function changeKeywordSettings(
  db: Db,
  accountId: number,
  change: KeywordSettingsChange,
  words?: OptOutWordsDecision,
): Promise<'changed' | 'not_found' | 'refused'> {
  const set = {
    ...(change.helpText !== undefined && { help_text: change.helpText }),
    ...(change.confirmations !== undefined && { keyword_confirmations: change.confirmations ? 1 : 0 }),
    ...(change.stopText !== undefined && { stop_text: change.stopText }),
    ...(change.startText !== undefined && { start_text: change.startText }),
    ...(change.optOutScope !== undefined && { opt_out_scope: change.optOutScope }),
  };
  return db.transaction(async (trx) => {
    let select = trx.selectFrom('accounts').select(['id', 'stop_words', 'start_words']).where('id', '=', accountId);
    if (db.dialect === 'postgres') select = select.forNoKeyUpdate();
    const row = await select.executeTakeFirst();
    if (row === undefined) return 'not_found';
    const decided = words?.({ stop: wordsOf(row.stop_words), start: wordsOf(row.start_words) });
    if (decided === null) return 'refused';
    const all = {
      ...set,
      ...(decided?.stop !== undefined && { stop_words: decided.stop.join(' ') }),
      ...(decided?.start !== undefined && { start_words: decided.start.join(' ') }),
    };
    if (Object.keys(all).length > 0) await trx.updateTable('accounts').set(all).where('id', '=', accountId).execute();
    return 'changed';
  });
}
