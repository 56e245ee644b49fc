// The inbox: one conversation per (handset number, number of ours) with the last message received, and a number's
// messages both ways (what the account's sendings sent to it, what it sent to the account) in time order.
import type { Transaction } from 'kysely';
import { type MessageStatus, messageStatusFrom } from '../domain/status.js';
import type { Db } from './db.js';
import type { Schema } from './schema.js';
import { intFrom, pageWindow } from './values.js';

export interface Conversation {
  readonly id: number;
  /** The handset's number, international digits. */
  readonly phone: string;
  /** Ours it wrote to. */
  readonly number: string;
  readonly lastText: string;
  readonly lastReceivedAtUs: number;
}

/** What became of the automatic reply a received keyword asked for. */
export type AutoReply = 'help' | 'stop' | 'start';

export type ConversationItem =
  | {
      readonly direction: 'in';
      readonly id: number;
      readonly atUs: number;
      readonly text: string;
      /** The number of ours it came to. */
      readonly number: string;
      readonly autoReply: AutoReply | null;
      /** Why the automatic reply was not sent; null when it was or none was asked. */
      readonly autoReplyRefusal: string | null;
    }
  | {
      readonly direction: 'out';
      readonly id: number;
      readonly atUs: number;
      readonly text: string;
      readonly sender: string;
      readonly sendingId: number;
      readonly status: MessageStatus;
      readonly providerStatus: string | null;
      readonly error: string | null;
    };

/** The dashboard's pages of conversations are as small as its other lists. */
const CONVERSATIONS_PER_PAGE_MAX = 500;

/** Records a received message in its conversation (created with the first one), in the transaction storing it. */
export async function recordConversation(
  trx: Transaction<Schema>,
  message: {
    readonly id: number;
    readonly accountId: number;
    readonly from: string;
    readonly to: string;
    readonly receivedAtUs: number;
  },
): Promise<void> {
  await trx
    .insertInto('conversations')
    .values({
      account_id: message.accountId,
      phone: message.from,
      number: message.to,
      last_inbound_id: message.id,
      last_received_at_us: message.receivedAtUs,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'phone', 'number'])
        .doUpdateSet({ last_inbound_id: message.id, last_received_at_us: message.receivedAtUs })
        // A message a provider delivers late does not replace a later one as the conversation's last.
        .where('conversations.last_received_at_us', '<=', message.receivedAtUs),
    )
    .execute();
}

/**
 * The account's conversations, the one with the latest message received first, a page at a time; `prefix` keeps the
 * handset numbers starting with those digits (an index range).
 */
export async function listConversations(
  db: Db,
  accountId: number,
  options: { readonly page: number; readonly perPage: number; readonly prefix?: string },
): Promise<{ readonly rows: Conversation[]; readonly total: number }> {
  const { limit, offset } = pageWindow(options, CONVERSATIONS_PER_PAGE_MAX);
  let query = db.kysely.selectFrom('conversations as c').where('c.account_id', '=', accountId);
  const prefix = options.prefix ?? '';
  if (prefix !== '') {
    if (!/^\d+$/.test(prefix)) throw new RangeError('a conversation search is digits');
    query = query.where('c.phone', '>=', prefix).where('c.phone', '<', `${prefix}:`);
  }
  const [rows, count] = await Promise.all([
    query
      .innerJoin('inbound_messages as i', 'i.id', 'c.last_inbound_id')
      .select(['c.id', 'c.phone', 'c.number', 'c.last_received_at_us', 'i.text'])
      .orderBy('c.last_received_at_us', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({
      id: intFrom(r.id),
      phone: r.phone,
      number: r.number,
      lastText: r.text,
      lastReceivedAtUs: intFrom(r.last_received_at_us),
    })),
    total: intFrom(count.n),
  };
}

/** The number of ours a handset last wrote to on the account, or undefined when it never wrote. */
export async function lastNumberWrittenTo(db: Db, accountId: number, phone: string): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom('inbound_messages')
    .select('to_number')
    .where('account_id', '=', accountId)
    .where('from_phone', '=', phone)
    .orderBy('received_at_us', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.to_number;
}

function autoReplyFrom(text: string | null): AutoReply | null {
  return text === 'help' || text === 'stop' || text === 'start' ? text : null;
}

/**
 * The last `limit` messages between the account and one number, newest first: the messages its sendings (not Drafts)
 * sent to the number and those the number sent to the account; with how many there are in all. Both sides are read
 * through their per-number indexes (messages by recipient, joined to the account's sendings; received messages by
 * account and sender).
 */
export async function conversationMessages(
  db: Db,
  accountId: number,
  phone: string,
  limit: number,
): Promise<{ readonly items: ConversationItem[]; readonly total: number }> {
  const outbound = db.kysely
    .selectFrom('messages as m')
    .innerJoin('sendings as s', 's.id', 'm.sending_id')
    .where('m.recipient', '=', phone)
    .where('s.account_id', '=', accountId);
  const inbound = db.kysely
    .selectFrom('inbound_messages')
    .where('account_id', '=', accountId)
    .where('from_phone', '=', phone);
  const [sent, received, sentCount, receivedCount] = await Promise.all([
    outbound
      .select([
        'm.id',
        'm.created_at_us',
        'm.status',
        'm.provider_status',
        'm.error',
        's.id as sending_id',
        's.text',
        's.sender',
      ])
      .orderBy('m.created_at_us', 'desc')
      .orderBy('m.id', 'desc')
      .limit(limit)
      .execute(),
    inbound
      .select(['id', 'received_at_us', 'text', 'to_number', 'auto_reply', 'auto_reply_refusal'])
      .orderBy('received_at_us', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    outbound.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    inbound.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: ConversationItem[] = [
    ...sent.map(
      (r): ConversationItem => ({
        direction: 'out',
        id: intFrom(r.id),
        atUs: intFrom(r.created_at_us),
        text: r.text,
        sender: r.sender,
        sendingId: intFrom(r.sending_id),
        status: messageStatusFrom(r.status),
        providerStatus: r.provider_status,
        error: r.error,
      }),
    ),
    ...received.map(
      (r): ConversationItem => ({
        direction: 'in',
        id: intFrom(r.id),
        atUs: intFrom(r.received_at_us),
        text: r.text,
        number: r.to_number,
        autoReply: autoReplyFrom(r.auto_reply),
        autoReplyRefusal: r.auto_reply_refusal,
      }),
    ),
  ];
  // Newest first; at the same microsecond a received message comes before what answers it.
  items.sort((a, b) => b.atUs - a.atUs || (a.direction === b.direction ? b.id - a.id : a.direction === 'out' ? -1 : 1));
  return { items: items.slice(0, limit), total: intFrom(sentCount.n) + intFrom(receivedCount.n) };
}

/**
 * Records what became of a received message's automatic reply: the sending carrying it, or why there is none; it is
 * owed no more.
 */
export async function recordAutoReply(
  db: Db,
  inboundId: number,
  reply: { readonly kind: AutoReply; readonly sendingId: number | null; readonly refusal: string | null },
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx
      .updateTable('inbound_messages')
      .set({
        auto_reply: reply.kind,
        auto_reply_sending_id: reply.sendingId,
        auto_reply_refusal: reply.refusal,
        auto_reply_owed_at_us: null,
      })
      .where('id', '=', inboundId)
      .execute();
  });
}
