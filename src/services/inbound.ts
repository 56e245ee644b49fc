// Messages received on the accounts' numbers: routed to the owner of the number (or keyword), stored once, and a
// STOP or START reply (a built-in keyword or one of the owner's own words) applied to the owner's opt-out list.
import { loadNumberingPlan } from '../data/numbering.js';
import { type SenderFormat, storableText } from '../domain/inbound.js';
import { couldBeOwnWord, type OptOutIntent, optOutIntent, suppressionSenderKey } from '../domain/opt-out.js';
import type { Db } from '../store/db.js';
import {
  findInbound,
  type InboundFilters,
  type InboundMessage,
  listInbound,
  sentMessageOrigin,
  storeInbound,
} from '../store/inbound.js';
import { readCustomOptOutWords, readOptOutScope } from '../store/keyword-settings.js';
import { resolveReceivingNumber, resolveReceivingNumbers } from '../store/numbers.js';
import { addSuppressions, removeSuppression } from '../store/suppressions.js';
import { destinationReadings } from './inbound-destination.js';
import { internationalSender } from './inbound-sender.js';
import { phoneOf } from './suppressions.js';

export type { InboundFilters, InboundMessage } from '../store/inbound.js';

/** One message as a provider hands it over. */
export interface ReceivedMessage {
  /** The provider's name, as in the registry. */
  readonly provider: string;
  /** The provider's id of the message: a retry carries the same one. */
  readonly providerMessageId: string;
  /**
   * The sender as the provider wrote it: a number in any form ("+371 2912 3456", "0037129123456", "29123456") or a
   * name. Stored as international digits without "+" when it is a number (internationalSender).
   */
  readonly from: string;
  /** How the provider says `from` is written (SMPP's TON); absent: not said. */
  readonly senderFormat?: SenderFormat;
  /**
   * The country of the route it came over (ISO alpha-2): a national `to`, and a national sender to a short code, are
   * read as numbers of it.
   */
  readonly routeCountry?: string;
  /**
   * The number (or short code) it was sent to, as the provider wrote it: international digits, or with "+", spaces,
   * "00", or in national form (read by `destinationFormat` and `routeCountry`, see destinationReadings). Stored as the
   * number of the account's it reached.
   */
  readonly to: string;
  /** How the provider says `to` is written (SMPP's dest_addr_ton); absent: not said. */
  readonly destinationFormat?: SenderFormat;
  readonly text: string;
  readonly receivedAtUs: number;
}

export type ReceiveOutcome =
  /** Stored (or already stored by an earlier delivery of the same message), for this account. */
  | {
      readonly status: 'stored' | 'duplicate';
      readonly message: InboundMessage;
      /** What the text did to the account's opt-out list. */
      readonly optOut: 'suppressed' | 'unsuppressed' | 'help' | null;
    }
  /** No account has the number (or the keyword on a shared code): stored nowhere. */
  | { readonly status: 'unrouted' };

/** Sends the automatic reply to a newly stored message whose whole text is a keyword (services/keyword-replies.ts). */
export type KeywordReplies = (message: InboundMessage, intent: OptOutIntent) => Promise<void>;

/** Where an unrouted message is told about: it is kept nowhere else. */
export type InboundLog = (fields: Record<string, unknown>, message: string) => void;

export interface InboundServices {
  receive(message: ReceivedMessage): Promise<ReceiveOutcome>;
  list(accountId: number, filters: InboundFilters): Promise<{ rows: InboundMessage[]; total: number }>;
}

const EFFECTS = { suppressed: 'opt_out', unsuppressed: 'opt_in', help: 'help' } as const;

/**
 * Stores a message for the account it reached (through assignment `numberId`, or none): a redelivery of a stored
 * message is stored once and applies nothing; otherwise an opt-out keyword sent alone (built-in, or one of the
 * account's own stop and start words) is applied first (STOP suppresses the sender for that account, or with the
 * account's opt-out scope 'sender' for sendings from the number it reached only; START takes that suppression away;
 * HELP changes nothing), then the message is stored and queued for the account's inbound_url.
 */
export async function storeReceived(
  db: Db,
  received: ReceivedMessage,
  owner: { readonly accountId: number; readonly numberId: number | null },
  log: InboundLog,
  replies?: KeywordReplies,
): Promise<ReceiveOutcome> {
  const clean = storable(received);
  // The sender as every list names it: a STOP from "29123456" to a Latvian number suppresses 37129123456.
  const message = {
    ...clean,
    from: internationalSender(clean.from, clean.to, loadNumberingPlan(), clean.senderFormat, clean.routeCountry),
  };
  // The opt-out is applied before the message is stored (both idempotent): a failure between the two leaves it
  // unstored, so the provider's redelivery applies it again and stores it, and a message is never stored without its
  // STOP or START having been applied.
  const earlier = await findInbound(db, message.provider, message.providerMessageId);
  if (earlier !== undefined) return { status: 'duplicate', message: earlier, optOut: null };
  const author = { source: 'stop_message', actor: message.provider } as const;
  // Only a number can be suppressed (a sender name cannot be sent to). Every provider's path comes here, so the
  // account's own stop and start words count wherever a reply arrives.
  const intent = phoneOf(message.from) === message.from ? await intentOf(db, owner.accountId, message.text) : null;
  let optOut: 'suppressed' | 'unsuppressed' | 'help' | null = null;
  if (intent === 'stop') {
    await addSuppressions(db, owner.accountId, [message.from], author, await entrySender(db, owner.accountId, message));
    optOut = 'suppressed';
  } else if (intent === 'start') {
    const sender = await entrySender(db, owner.accountId, message);
    await removeSuppression(db, owner.accountId, message.from, author, sender);
    optOut = 'unsuppressed';
  } else if (intent === 'help') {
    optOut = 'help';
  }
  const stored = await storeInbound(db, {
    ...message,
    ...owner,
    keywordEffect: optOut === null ? null : EFFECTS[optOut],
    // Recorded with the message: an answer lost to a crash before it is sent is sent by the worker's sweep.
    replyOwed: intent !== null && replies !== undefined,
  });
  if (!stored.created) return { status: 'duplicate', message: stored.message, optOut: null };
  if (intent !== null && replies !== undefined) await answerKeyword(replies, stored.message, intent, log);
  return { status: 'stored', message: stored.message, optOut };
}

/**
 * The message as every path stores it, whatever its provider let through: its text, sender and id without a NUL or
 * another control character the store or the dashboard cannot hold (storableText). Refused by PostgreSQL, such a
 * message would be answered with an error and redelivered by its provider for ever.
 */
function storable(message: ReceivedMessage): ReceivedMessage {
  return {
    ...message,
    providerMessageId: storableText(message.providerMessageId),
    from: storableText(message.from),
    to: storableText(message.to),
    text: storableText(message.text),
  };
}

/**
 * The entry of the list a STOP adds and a START takes away: the account-wide one (''), or with the account's scope
 * 'sender' the one of the sender the reply answered, the number (or the sandbox's sender name) it was sent to.
 */
async function entrySender(db: Db, accountId: number, message: ReceivedMessage): Promise<string> {
  return (await readOptOutScope(db, accountId)) === 'sender' ? suppressionSenderKey(message.to) : '';
}

/** What a reply asks of the account: a built-in keyword, else one of its own words (read only for a one-word reply). */
async function intentOf(db: Db, accountId: number, text: string): Promise<OptOutIntent | null> {
  const builtIn = optOutIntent(text);
  if (builtIn !== null || !couldBeOwnWord(text)) return builtIn;
  return optOutIntent(text, await readCustomOptOutWords(db, accountId));
}

/**
 * Sends the keyword's automatic reply, if the account has one, once: after the message is stored, so a redelivery
 * never answers twice. A failure is told and leaves the answer owed, for the worker's sweep to send.
 */
async function answerKeyword(
  replies: KeywordReplies,
  message: InboundMessage,
  intent: OptOutIntent,
  log: InboundLog,
): Promise<void> {
  try {
    await replies(message, intent);
  } catch (error) {
    log({ inboundId: message.id, err: error }, 'automatic keyword reply failed');
  }
}

/** Takes one received message: finds whose it is by the number (or keyword) it came to, and stores it once. */
export async function receiveInbound(
  db: Db,
  received: ReceivedMessage,
  log: InboundLog,
  replies?: KeywordReplies,
): Promise<ReceiveOutcome> {
  // Made storable before the number (and a keyword of its text) is looked up: PostgreSQL refuses a NUL there too.
  const message = storable(received);
  // The number as accounts receive on it, whatever form the provider wrote it in ("25550400" over a Latvian route is
  // 37125550400); two different numbers it could be are not guessed between.
  const readings = destinationReadings(
    message.to,
    loadNumberingPlan(),
    message.destinationFormat,
    message.routeCountry,
  );
  const owners = await resolveReceivingNumbers(db, readings, message.text);
  const owner = owners.length === 1 ? owners[0] : undefined;
  if (owner === undefined) {
    const fields = { provider: message.provider, providerMessageId: message.providerMessageId, to: message.to };
    if (owners.length === 0) {
      log(fields, 'inbound message to a number no account has: not stored');
    } else {
      const numbers = owners.map((n) => n.number);
      log({ ...fields, numbers }, 'inbound message to a number that reads as two of ours: not stored');
    }
    return { status: 'unrouted' };
  }
  return storeReceived(
    db,
    { ...message, to: owner.number },
    { accountId: owner.accountId, numberId: owner.id },
    log,
    replies,
  );
}

/** A scripted handset's answer to a message the sandbox delivered (see dispatch/providers/sandbox/adapter.ts). */
export interface SandboxReplyMessage {
  readonly provider: string;
  readonly providerMessageId: string;
  /** The provider's id of the message answered. */
  readonly inReplyTo: string;
  readonly from: string;
  readonly text: string;
  readonly receivedAtUs: number;
}

/**
 * A sandbox reply goes to the account that sent the message it answers, to the sending's sender, whatever that sender
 * is: through the account's assignment when the sender is one of its numbers (as a real reply would arrive), else
 * with no number (an alphanumeric or unassigned sender), so that replies and STOP can be tried without a number.
 */
export async function receiveSandboxReply(
  db: Db,
  reply: SandboxReplyMessage,
  log: InboundLog,
  replies?: KeywordReplies,
): Promise<ReceiveOutcome> {
  const origin = await sentMessageOrigin(db, reply.provider, reply.inReplyTo);
  if (origin === undefined) {
    log({ provider: reply.provider, inReplyTo: reply.inReplyTo }, 'sandbox reply to a message not stored: dropped');
    return { status: 'unrouted' };
  }
  const owner = await resolveReceivingNumber(db, origin.sender, reply.text);
  const numberId = owner !== undefined && owner.accountId === origin.accountId ? owner.id : null;
  const message: ReceivedMessage = {
    provider: reply.provider,
    providerMessageId: reply.providerMessageId,
    from: reply.from,
    to: origin.sender,
    text: reply.text,
    receivedAtUs: reply.receivedAtUs,
  };
  return storeReceived(db, message, { accountId: origin.accountId, numberId }, log, replies);
}

export function createInboundServices(db: Db, log: InboundLog): InboundServices {
  return {
    receive: (message) => receiveInbound(db, message, log),
    list: (accountId, filters) => listInbound(db, accountId, filters),
  };
}
