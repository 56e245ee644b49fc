// What checking a new sending of a few recipients reads, in one statement: on PostgreSQL each statement is a round
// trip (the driver's work, a turn of the event loop, and the server's own for each), and a one-recipient sending
// otherwise made four of them one after another. Each fact is decided by the module that owns it (rates, route rules,
// suppressions, senders): this one only reads them together, all for the one account.
import { sql } from 'kysely';
import type { SuppressionMatch } from '../domain/opt-out.js';
import type { Db } from './db.js';
import { preparedRead } from './prepared-reads.js';
import { type RateListVersion, type RateListVersionRow, rateListVersionColumns, rateListVersionFrom } from './rates.js';
import { ROUTE_TABLE_VERSION } from './route-rules.js';
import { usableSenders } from './senders.js';
import { phonesValue, suppressionMatches, suppressionsApplying } from './suppressions.js';
import { intFrom } from './values.js';

/**
 * Recipients (distinct numbers) a sending may have for its facts to be read together: one row per entry matched, and
 * a longer list is better served by suppressedAmong's batches.
 */
export const SENDING_CONTEXT_RECIPIENTS_MAX = 16;

/** What a new sending of the account is checked against, as committed when it was read. */
export interface SendingContext {
  /** The list pricing the account and its version (`rateListVersion`); null when none prices it. */
  readonly rateList: RateListVersion | null;
  /** The route table's version (`routeTableVersion`). */
  readonly routeTableVersion: number;
  /** The numbers the suppressions were looked up for. */
  readonly phones: ReadonlySet<string>;
  /** Those of them on the account's list for the sender's key, with the entry each matched (`suppressedAmong`). */
  readonly suppressed: ReadonlyMap<string, SuppressionMatch>;
  /** Whether the account may send under the sender's name (`findUsableSender` finds one). */
  readonly senderUsable: boolean;
}

interface ContextRow extends RateListVersionRow {
  route_version: number | string;
  sender_usable: boolean | number;
  phone: string | null;
  source: string | null;
  sender: string | null;
}

/**
 * One row for the account's facts, repeated for each suppression entry matched (its columns null when none). The
 * account is left joined so that a vanished one still answers the rest, as the separate reads would.
 */
const readContext = preparedRead(
  (db: Db, accountId: number, phones: unknown, suppressionSender: string, senderName: string) =>
    sql<ContextRow>`
      select ${rateListVersionColumns(db.dialect, accountId)},
        ${ROUTE_TABLE_VERSION} as route_version,
        exists (select 1 from senders u where ${usableSenders('u', accountId, senderName)}) as sender_usable,
        s.phone as phone, s.source as source, s.sender as sender
      from (select 1 as one) one
      left join accounts a on a.id = ${accountId}
      left join suppressions s on ${suppressionsApplying(db, 's', accountId, phones, suppressionSender)}`.compile(
      db.kysely,
    ),
);

/**
 * The facts a new sending of the account is checked against, in one statement: the rate list's version, the route
 * table's, which of `phones` (at most SENDING_CONTEXT_RECIPIENTS_MAX) are suppressed for a sending whose suppression
 * key is `suppressionSender` ('' for the account-wide entries alone), and whether `senderName` is a sender the
 * account may use.
 */
export async function readSendingContext(
  db: Db,
  accountId: number,
  phones: readonly string[],
  suppressionSender: string,
  senderName: string,
): Promise<SendingContext> {
  if (phones.length > SENDING_CONTEXT_RECIPIENTS_MAX) {
    throw new RangeError(`a sending context is read for at most ${SENDING_CONTEXT_RECIPIENTS_MAX} recipients`);
  }
  const rows = await readContext(db, accountId, phonesValue(db, phones), suppressionSender, senderName);
  const first = rows[0];
  if (first === undefined) throw new Error('sending context query returned no row');
  const entries: { phone: string; source: string; sender: string }[] = [];
  for (const row of rows) {
    if (row.phone !== null && row.source !== null && row.sender !== null) {
      entries.push({ phone: row.phone, source: row.source, sender: row.sender });
    }
  }
  return {
    rateList: rateListVersionFrom(first, accountId),
    routeTableVersion: intFrom(first.route_version),
    phones: new Set(phones),
    suppressed: suppressionMatches(entries),
    // pg reads a boolean, better-sqlite3 an integer 0 or 1.
    senderUsable: first.sender_usable === true || first.sender_usable === 1,
  };
}
