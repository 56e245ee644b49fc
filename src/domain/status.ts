// Message and sending statuses: which are final, the forward-only order, what is charged, and what a sending is owed.
import { addMoney, multiplyMoney, subtractMoney } from './money.js';

/**
 * A message's life: `queued` (waiting for its time or a worker), `submitting` (a worker has recorded that it is
 * handing it over; the outcome is not known yet), `submitted` (a provider accepted it), then one final status.
 * `rejected` is final either way: refused at submission (never accepted, refunded) or reported by the network after
 * acceptance (charged). A message of several parts that a provider took only some of before refusing the rest for
 * good (SMPP sends each part itself) is `rejected` as well, with the provider's error: the recipient never gets the
 * whole text. It counts as accepted, but its cost is cut to the parts taken (per-part rate × parts taken), so
 * settlement refunds the other parts and their tax share; its later receipts change nothing (the first final status
 * stands). `failed`: no provider accepted it after every attempt and route (refunded). `cancelled`: its sending was
 * cancelled before dispatch began (refunded). `suppressed`: the number is on the account's suppression list (it opted
 * out), so the message was stored final at once, never reserved, never handed over and never charged (cost 0).
 */
export type MessageStatus =
  | 'queued'
  | 'submitting'
  | 'submitted'
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'rejected'
  | 'failed'
  | 'cancelled'
  | 'suppressed';

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'queued',
  'submitting',
  'submitted',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'cancelled',
  'suppressed',
];

/** What a provider may say about a message it accepted; adapters normalise their own vocabulary to this. */
export type ReportStatus = 'submitted' | 'delivered' | 'undelivered' | 'expired' | 'rejected';

export const REPORT_STATUSES: readonly ReportStatus[] = [
  'submitted',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
];

export const FINAL_MESSAGE_STATUSES: readonly MessageStatus[] = [
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'cancelled',
  'suppressed',
];

/**
 * Messages that ended without reaching the phone: reported undelivered or expired, rejected (at submission or by the
 * network), or failed at every provider. Cancelled messages were never sent and are not among them. Every count of
 * "not delivered" (a campaign's, a provider's, the platform's per day) is of these, under `NOT_DELIVERED_LABEL`.
 */
export const NOT_DELIVERED_STATUSES: readonly MessageStatus[] = ['undelivered', 'expired', 'rejected', 'failed'];

/** The word for `NOT_DELIVERED_STATUSES` wherever they are counted. */
export const NOT_DELIVERED_LABEL = 'Not delivered';

export function isNotDelivered(status: MessageStatus): boolean {
  return NOT_DELIVERED_STATUSES.includes(status);
}

/** Not yet handed over for good: a sending is settled only once none of its messages is in one of these. */
export const IN_FLIGHT_MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'submitting'];

export function messageStatusFrom(text: string): MessageStatus {
  const found = MESSAGE_STATUSES.find((s) => s === text);
  if (found === undefined) throw new Error(`unknown message status ${text}`);
  return found;
}

export function isFinalMessageStatus(status: MessageStatus): boolean {
  return FINAL_MESSAGE_STATUSES.includes(status);
}

/**
 * The forward order of statuses. Every final status has the same rank: the first final word stands, so a late or
 * repeated report never replaces it. (queued and submitting trade places while a worker retries; that is the queue's
 * business, never a report's.)
 */
export function messageStatusRank(status: MessageStatus): number {
  switch (status) {
    case 'queued':
      return 0;
    case 'submitting':
      return 1;
    case 'submitted':
      return 2;
    default:
      return 3;
  }
}

/** Whether a report saying `to` may change a message that is `from`: only for accepted messages, only forward. */
export function reportMoves(from: MessageStatus, to: ReportStatus): boolean {
  return messageStatusRank(from) >= messageStatusRank('submitted') && messageStatusRank(to) > messageStatusRank(from);
}

/** The statuses a report saying `to` may replace: the accepted ones it ranks above. */
export function statusesBelow(to: ReportStatus): MessageStatus[] {
  return MESSAGE_STATUSES.filter((from) => reportMoves(from, to));
}

/**
 * A message is charged when a provider accepted it, whatever its report says later (`undelivered`, `expired`,
 * `rejected` by the network); one a provider took some parts of is charged those parts. `acceptedAtUs` is when a
 * provider took it (or its first parts), null when none ever did.
 */
export function isCharged(message: { readonly acceptedAtUs: number | null }): boolean {
  return message.acceptedAtUs !== null;
}

/** Refunded: final without any provider having accepted it (`failed`, or `rejected` at submission). */
export function isRefunded(message: { readonly status: MessageStatus; readonly acceptedAtUs: number | null }): boolean {
  return isFinalMessageStatus(message.status) && message.acceptedAtUs === null;
}

export interface MessageMoney {
  /** What stays charged for the message: its cost once a provider took it (or the parts it took), else 0. */
  readonly chargedMinor: number;
  /** What comes back for it: the whole price of a message no provider took once it is final (`failed`, `rejected` at
   *  submission, `cancelled`), the parts a provider did not take of one it took only partly; else 0. */
  readonly refundedMinor: number;
}

/**
 * The money of one message, before tax: charged, refunded, or neither yet (still reserved while `queued`,
 * `submitting`). A message's price is its rate × parts; its `costMinor` is that price, cut to the parts taken when a
 * provider took only some. `acceptedAtUs` is when a provider took it (`submitted_at`), null when none did.
 */
export function messageMoney(message: {
  readonly status: MessageStatus;
  readonly acceptedAtUs: number | null;
  readonly rateMinor: number;
  readonly parts: number;
  readonly costMinor: number;
}): MessageMoney {
  const priceMinor = Math.max(multiplyMoney(message.rateMinor, message.parts), message.costMinor);
  if (isCharged(message)) {
    const untaken = isFinalMessageStatus(message.status) ? subtractMoney(priceMinor, message.costMinor) : 0;
    return { chargedMinor: message.costMinor, refundedMinor: untaken };
  }
  return { chargedMinor: 0, refundedMinor: isRefunded(message) ? message.costMinor : 0 };
}

export type DispatchSendingStatus = 'Processing' | 'Completed' | 'Failed';

export interface SendingProgress {
  /** Some message is still queued or being handed over. */
  readonly inFlight: boolean;
  /** Some accepted message has no final report yet. */
  readonly awaitingReports: boolean;
  /** Messages a provider accepted. */
  readonly accepted: number;
}

/**
 * The status of a sending that dispatch has started, from its messages: Failed when all are final and no provider
 * accepted any; Completed when all are final otherwise; Processing while any is still open.
 */
export function sendingStatusOf(progress: SendingProgress): DispatchSendingStatus {
  if (progress.inFlight) return 'Processing';
  if (progress.accepted === 0) return 'Failed';
  return progress.awaitingReports ? 'Processing' : 'Completed';
}

export interface SendingCharge {
  /** What was reserved: subtotal + tax. */
  readonly subtotalMinor: number;
  readonly taxMinor: number;
  /** The cost of the messages a provider accepted (the part of the subtotal that stays charged). */
  readonly acceptedCostMinor: number;
}

/**
 * What a sending gets back once none of its messages is in flight: everything reserved beyond the cost of the
 * accepted messages and their share of the tax. The share is the reserved tax in proportion to the accepted cost,
 * rounded half-up as the tax itself was, so nothing accepted → full refund, everything accepted → nothing back.
 */
export function dispatchRefundMinor(charge: SendingCharge): number {
  const { subtotalMinor, taxMinor, acceptedCostMinor } = charge;
  for (const [name, value] of Object.entries(charge)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole amount >= 0`);
  }
  if (acceptedCostMinor > subtotalMinor) {
    throw new RangeError(`accepted cost ${acceptedCostMinor} exceeds the subtotal ${subtotalMinor}`);
  }
  const totalMinor = addMoney(subtotalMinor, taxMinor);
  // Nothing was priced: there is no accepted cost to carry a share of the tax.
  if (subtotalMinor === 0) return taxMinor;
  const product = BigInt(taxMinor) * BigInt(acceptedCostMinor);
  const divisor = BigInt(subtotalMinor);
  let share = product / divisor;
  if ((product % divisor) * 2n >= divisor) share += 1n;
  return subtractMoney(totalMinor, addMoney(acceptedCostMinor, Number(share)));
}
