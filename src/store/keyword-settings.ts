// An account's answers to keywords: its HELP text, whether (and with what texts) STOP and START are confirmed, and its
// own stop and start words beside the built-in ones.
import type { CustomOptOutWords } from '../domain/opt-out.js';
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
}

/** A change: a field left undefined is kept. */
export type KeywordSettingsChange = { readonly [K in keyof KeywordSettings]?: KeywordSettings[K] };

export async function readKeywordSettings(db: Db, accountId: number): Promise<KeywordSettings | undefined> {
  const row = await db.kysely
    .selectFrom('accounts')
    .select(['help_text', 'keyword_confirmations', 'stop_text', 'start_text', 'stop_words', 'start_words'])
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

/** Changes the given settings; false when the account does not exist. */
export async function changeKeywordSettings(
  db: Db,
  accountId: number,
  change: KeywordSettingsChange,
): Promise<boolean> {
  const set = {
    ...(change.helpText !== undefined && { help_text: change.helpText }),
    ...(change.confirmations !== undefined && { keyword_confirmations: change.confirmations ? 1 : 0 }),
    ...(change.stopText !== undefined && { stop_text: change.stopText }),
    ...(change.startText !== undefined && { start_text: change.startText }),
    ...(change.stopWords !== undefined && { stop_words: change.stopWords.join(' ') }),
    ...(change.startWords !== undefined && { start_words: change.startWords.join(' ') }),
  };
  return db.transaction(async (trx) => {
    if (Object.keys(set).length === 0) {
      return (
        (await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst()) !== undefined
      );
    }
    const result = await trx.updateTable('accounts').set(set).where('id', '=', accountId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  });
}
