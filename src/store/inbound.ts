// Messages received on the accounts' numbers: stored once per provider message, listed per account.
import { PER_PAGE_MAX } from '../domain/limits.js';
import { enqueueInboundCallback } from './callbacks.js';
import { recordConversation } from './conversations.js';
import type { Db } from './db.js';
import { intFrom, pageWindow } from './values.js';

export interface InboundMessage {
  readonly id: number;
  readonly accountId: number;
  /** The assignment it arrived through; null once it was removed. */
  readonly numberId: number | null;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly receivedAtUs: number;
  /** What the text did to the account's opt-out list; null: nothing. */
  readonly keywordEffect: KeywordEffect | null;
}

/** What a received text did to the opt-out list: STOP, START, HELP. */
export type KeywordEffect = 'opt_out' | 'opt_in' | 'help';

export interface NewInboundMessage {
  readonly accountId: number;
  /** The assignment it arrived through; null when it reached the account otherwise (a sandbox reply). */
  readonly numberId: number | null;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly receivedAtUs: number;
  readonly keywordEffect?: KeywordEffect | null;
  /** A keyword answer is owed for it: recorded with the message, cleared once it is sent, refused or not needed. */
  readonly replyOwed?: boolean;
}

export interface InboundFilters {
  readonly page: number;
  readonly perPage: number;
  /** Received on this number. */
  readonly number?: string;
  /** Received at or after. */
  readonly fromUs?: number;
  /** Received at or before. */
  readonly toUs?: number;
}

const COLUMNS = [
  'id',
  'account_id',
  'number_id',
  'from_phone',
  'to_number',
  'text',
  'provider',
  'provider_message_id',
  'received_at_us',
  'keyword_effect',
] as const;

function inboundFrom(row: {
  id: number | string;
  account_id: number | string;
  number_id: number | string | null;
  from_phone: string;
  to_number: string;
  text: string;
  provider: string;
  provider_message_id: string;
  received_at_us: number | string;
  keyword_effect: string | null;
}): InboundMessage {
  return {
    id: intFrom(row.id),
    accountId: intFrom(row.account_id),
    numberId: row.number_id === null ? null : intFrom(row.number_id),
    from: row.from_phone,
    to: row.to_number,
    text: row.text,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    receivedAtUs: intFrom(row.received_at_us),
    keywordEffect: row.keyword_effect as KeywordEffect | null,
  };
}

/**
 * Stores a received message once: a provider's retry of the same (provider, provider message id) answers the row
 * stored first, with `created` false. A new one is queued, in the same transaction, for the account's inbound_url.
 */
export async function storeInbound(
  db: Db,
  message: NewInboundMessage,
): Promise<{ readonly created: boolean; readonly message: InboundMessage }> {
  return db.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('inbound_messages')
      .values({
        account_id: message.accountId,
        number_id: message.numberId,
        from_phone: message.from,
        to_number: message.to,
        text: message.text,
        provider: message.provider,
        provider_message_id: message.providerMessageId,
        received_at_us: message.receivedAtUs,
        keyword_effect: message.keywordEffect ?? null,
        // Written only when owed (the column's default is null): a message without one stores the same on a schema
        // from before it.
        ...(message.replyOwed === true && { auto_reply_owed_at_us: db.nowUs() }),
      })
      .onConflict((oc) => oc.columns(['provider', 'provider_message_id']).doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    if (inserted !== undefined) {
      const created = inboundFrom(inserted);
      await enqueueInboundCallback(trx, db.nowUs(), created);
      await recordConversation(trx, created);
      return { created: true, message: created };
    }
    const first = await trx
      .selectFrom('inbound_messages')
      .select(COLUMNS)
      .where('provider', '=', message.provider)
      .where('provider_message_id', '=', message.providerMessageId)
      .executeTakeFirstOrThrow();
    return { created: false, message: inboundFrom(first) };
  });
}

/** The message a provider sent under this id, if it is stored. */
export async function findInbound(
  db: Db,
  provider: string,
  providerMessageId: string,
): Promise<InboundMessage | undefined> {
  const row = await db.kysely
    .selectFrom('inbound_messages')
    .select(COLUMNS)
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  return row && inboundFrom(row);
}

/** The account's received messages, newest first, a page at a time, with the count of the whole filtered listing. */
export async function listInbound(
  db: Db,
  accountId: number,
  filters: InboundFilters,
): Promise<{ readonly rows: InboundMessage[]; readonly total: number }> {
  const { limit, offset } = pageWindow(filters, PER_PAGE_MAX);
  let query = db.kysely.selectFrom('inbound_messages').where('account_id', '=', accountId);
  if (filters.number !== undefined) query = query.where('to_number', '=', filters.number);
  if (filters.fromUs !== undefined) query = query.where('received_at_us', '>=', filters.fromUs);
  if (filters.toUs !== undefined) query = query.where('received_at_us', '<=', filters.toUs);
  const [rows, count] = await Promise.all([
    query.select(COLUMNS).orderBy('received_at_us', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(inboundFrom), total: intFrom(count.n as number | string) };
}

/** Whose message a provider sent under this id: its account and its sending's sender; undefined when none. */
export async function sentMessageOrigin(
  db: Db,
  provider: string,
  providerMessageId: string,
): Promise<{ readonly accountId: number; readonly sender: string } | undefined> {
  const row = await db.kysely
    .selectFrom('messages as m')
    .innerJoin('sendings as s', 's.id', 'm.sending_id')
    .select(['s.account_id', 's.sender'])
    .where('m.provider', '=', provider)
    .where('m.provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  return row && { accountId: intFrom(row.account_id), sender: row.sender };
}

/**
 * Messages whose keyword answer is still owed, owed at or before `owedAtOrBeforeUs`, oldest first (read through
 * `inbound_messages_reply_owed`, never the whole table), with when each became owed.
 */
export async function owedKeywordReplies(
  db: Db,
  owedAtOrBeforeUs: number,
  limit: number,
): Promise<{ readonly message: InboundMessage; readonly owedAtUs: number }[]> {
  const rows = await db.kysely
    .selectFrom('inbound_messages')
    .select([...COLUMNS, 'auto_reply_owed_at_us'])
    .where('auto_reply_owed_at_us', 'is not', null)
    .where('auto_reply_owed_at_us', '<=', owedAtOrBeforeUs)
    .orderBy('auto_reply_owed_at_us')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ message: inboundFrom(row), owedAtUs: intFrom(row.auto_reply_owed_at_us ?? 0) }));
}

/** No keyword answer is owed for the message any more (none is needed, or it is given up). */
export async function settleOwedReply(db: Db, inboundId: number): Promise<void> {
  await db.kysely
    .updateTable('inbound_messages')
    .set({ auto_reply_owed_at_us: null })
    .where('id', '=', inboundId)
    .where('auto_reply_owed_at_us', 'is not', null)
    .execute();
}
