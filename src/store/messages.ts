// Per-recipient messages of a sending, read back for the account that owns the sending.
import type { Selectable } from 'kysely';
import { PER_PAGE_MAX } from '../domain/limits.js';
import { minorFrom } from '../domain/money.js';
import type { MessageStatus } from '../domain/status.js';
import type { Db } from './db.js';
import type { MessagesTable } from './schema.js';
import { intFrom, intOrNull, pageWindow } from './values.js';

export interface Message {
  readonly id: number;
  readonly sendingId: number;
  readonly recipient: string;
  readonly countryId: number | null;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly destination: string;
  readonly parts: number;
  readonly rateMinor: number;
  readonly costMinor: number;
  /** `queued` until dispatch picks the message up. */
  readonly status: string;
  readonly provider: string | null;
  readonly providerMessageId: string | null;
  readonly error: string | null;
  /** The provider's last non-final status word while it had not said a final one (Twilio's `sent`), or null. */
  readonly providerStatus: string | null;
  readonly attempts: number;
  readonly submittedAtUs: number | null;
  readonly finalAtUs: number | null;
  readonly createdAtUs: number;
  readonly updatedAtUs: number;
}

function messageFromRow(row: Selectable<MessagesTable>): Message {
  return {
    id: intFrom(row.id),
    sendingId: intFrom(row.sending_id),
    recipient: row.recipient,
    countryId: row.country_id,
    mcc: row.mcc,
    mnc: row.mnc,
    destination: row.destination,
    parts: row.parts,
    rateMinor: minorFrom(row.rate_minor),
    costMinor: minorFrom(row.cost_minor),
    status: row.status,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    error: row.error,
    providerStatus: row.provider_status ?? null,
    attempts: row.attempts,
    submittedAtUs: intOrNull(row.submitted_at_us),
    finalAtUs: intOrNull(row.final_at_us),
    createdAtUs: intFrom(row.created_at_us),
    updatedAtUs: intFrom(row.updated_at_us),
  };
}

export interface MessageFilter {
  /** Only the messages in this status. */
  readonly status?: MessageStatus;
}

/** The messages of one of the account's sendings (optionally of one status), as one query to page or count. */
function messagesOf(db: Db, accountId: number, sendingId: number, filter: MessageFilter) {
  let query = db.kysely
    .selectFrom('messages as m')
    .innerJoin('sendings as s', 's.id', 'm.sending_id')
    .where('m.sending_id', '=', sendingId)
    .where('s.account_id', '=', accountId);
  if (filter.status !== undefined) query = query.where('m.status', '=', filter.status);
  return query;
}

/** The messages of one of the account's sendings in recipient order; another account's sending has none. */
export async function listMessages(
  db: Db,
  accountId: number,
  sendingId: number,
  page: { readonly page: number; readonly perPage: number } & MessageFilter,
): Promise<Message[]> {
  const { limit, offset } = pageWindow(page, PER_PAGE_MAX);
  const rows = await messagesOf(db, accountId, sendingId, page)
    .selectAll('m')
    .orderBy('m.id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(messageFromRow);
}

/** How many messages `listMessages` pages through with the same filter; 0 for another account's sending. */
export async function countMessages(
  db: Db,
  accountId: number,
  sendingId: number,
  filter: MessageFilter = {},
): Promise<number> {
  const row = await messagesOf(db, accountId, sendingId, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return intFrom(row.n);
}

export interface MessageTotals {
  readonly messages: number;
  readonly parts: number;
  readonly costMinor: number;
}

/** Count, parts and cost of one of the account's sendings' messages, summed by the database. */
export async function messageTotals(db: Db, accountId: number, sendingId: number): Promise<MessageTotals> {
  const row = await db.kysely
    .selectFrom('messages as m')
    .innerJoin('sendings as s', 's.id', 'm.sending_id')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('messages'),
      eb.fn.coalesce(eb.fn.sum<string | number>('m.parts'), eb.lit(0)).as('parts'),
      eb.fn.coalesce(eb.fn.sum<string | number>('m.cost_minor'), eb.lit(0)).as('cost_minor'),
    ])
    .where('m.sending_id', '=', sendingId)
    .where('s.account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return { messages: intFrom(row.messages), parts: intFrom(row.parts), costMinor: minorFrom(row.cost_minor) };
}
