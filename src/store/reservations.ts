// The hold a sending puts on its account's balance: its total taken from the balance, with a `reservation` entry.
import type { Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { DialectName } from './db.js';
import {
  type AccountNotFound,
  appendEntry,
  type EntryToPost,
  type InsufficientBalance,
  moveBalance,
  sendingReference,
} from './ledger.js';
import type { Schema } from './schema.js';
import { readSpendState, type SpendLimitExceeded, takeSpend } from './spend-limits.js';

/** A sending written with its total reserved; `balanceMinor` is the balance after the reservation. */
export interface Reserved<S> {
  readonly ok: true;
  readonly sending: S;
  readonly balanceMinor: number;
}

/** The refusal of a sending whose total is more than the balance. */
export function insufficientBalance(balanceMinor: number, requiredMinor: number): InsufficientBalance {
  return { ok: false, reason: 'insufficient_balance', balanceMinor, requiredMinor };
}

/** What a reservation of a sending's total moves on the ledger: the total, taken from the balance. */
export function reservationAmountMinor(totalMinor: number): number {
  return -totalMinor;
}

/** The ledger entry of a sending's reservation: its total out of the balance, under the sending's reference. */
export function reservationEntry(accountId: number, sendingId: number, totalMinor: number): EntryToPost {
  return {
    accountId,
    kind: 'reservation',
    amountMinor: reservationAmountMinor(totalMinor),
    sendingId,
    reference: sendingReference(sendingId),
  };
}

/**
 * Reserves a sending's total in the caller's transaction: the balance moved first (its row lock orders the account's
 * entries), then the sending written by `write`, then its reservation entry with the balance after. The account's
 * spend caps are checked first, under its row lock. When a cap would be passed or the balance is short (or the account
 * is missing) nothing is written and `write` is not called.
 */
export async function reserveForSending<S extends { readonly id: number }>(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  accountId: number,
  totalMinor: number,
  write: () => Promise<S>,
): Promise<Reserved<S> | InsufficientBalance | SpendLimitExceeded | AccountNotFound> {
  const spend = await readSpendState(trx, dialect, nowUs, accountId);
  if (spend === undefined) return { ok: false, reason: 'account_not_found' };
  const overLimit = takeSpend(spend, totalMinor);
  if (overLimit) return overLimit;
  const balanceMinor = await moveBalance(trx, nowUs, accountId, -totalMinor);
  if (balanceMinor === null) {
    const account = await trx
      .selectFrom('accounts')
      .select('balance_minor')
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account) return { ok: false, reason: 'account_not_found' };
    return insufficientBalance(minorFrom(account.balance_minor), totalMinor);
  }
  const sending = await write();
  await appendEntry(trx, nowUs, reservationEntry(accountId, sending.id, totalMinor), balanceMinor);
  return { ok: true, sending, balanceMinor };
}
