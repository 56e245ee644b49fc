// An account's daily and monthly spend caps, checked in the transaction that reserves a sending: what its sendings
// reserved since the start of the UTC day and month, less what they got back, plus the new sending, within each cap.
import { sql, type Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { DialectName } from './db.js';
import type { Schema } from './schema.js';
import { intFrom } from './values.js';

const US_PER_DAY = 86_400_000_000;

/** A sending refused because it would take the account past a spend cap. */
export interface SpendLimitExceeded {
  readonly ok: false;
  readonly reason: 'spend_limit';
  readonly period: 'daily' | 'monthly';
  readonly limitMinor: number;
  /** What the period's sendings hold already (reservations less refunds). */
  readonly spentMinor: number;
  readonly requiredMinor: number;
}

/** An account's caps and what it spent in the current UTC day and month, read under its lock. */
export interface SpendState {
  readonly dailyLimitMinor: number | null;
  readonly monthlyLimitMinor: number | null;
  spentTodayMinor: number;
  spentThisMonthMinor: number;
}

/** The start of the UTC day and month holding `nowUs`. */
export function spendPeriodStarts(nowUs: number): { readonly dayUs: number; readonly monthUs: number } {
  const dayUs = Math.floor(nowUs / US_PER_DAY) * US_PER_DAY;
  const day = new Date(dayUs / 1000);
  const monthUs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1) * 1000;
  return { dayUs, monthUs };
}

/**
 * The account's caps and spend, its row locked first (PostgreSQL) so that no other reservation of the account
 * commits between this read and the caller's own: two sendings racing for the last of a cap are decided one after the
 * other. Undefined when the account does not exist; no ledger read when it has no cap. The sums read the account's
 * entries of the month through `ledger_entries_account_time`.
 */
export async function readSpendState(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  accountId: number,
): Promise<SpendState | undefined> {
  let select = trx
    .selectFrom('accounts')
    .select(['daily_spend_limit_minor', 'monthly_spend_limit_minor'])
    .where('id', '=', accountId);
  if (dialect === 'postgres') select = select.forNoKeyUpdate();
  const account = await select.executeTakeFirst();
  if (!account) return undefined;
  return spendStateOf(trx, nowUs, accountId, account);
}

/** The spend of an account whose row (its caps) the caller read under its lock; no ledger read when it has no cap. */
export async function spendStateOf(
  trx: Transaction<Schema>,
  nowUs: number,
  accountId: number,
  caps: {
    readonly daily_spend_limit_minor: number | string | null;
    readonly monthly_spend_limit_minor: number | string | null;
  },
): Promise<SpendState> {
  const dailyLimitMinor = caps.daily_spend_limit_minor === null ? null : minorFrom(caps.daily_spend_limit_minor);
  const monthlyLimitMinor = caps.monthly_spend_limit_minor === null ? null : minorFrom(caps.monthly_spend_limit_minor);
  const state = { dailyLimitMinor, monthlyLimitMinor, spentTodayMinor: 0, spentThisMonthMinor: 0 };
  if (dailyLimitMinor === null && monthlyLimitMinor === null) return state;
  const { dayUs, monthUs } = spendPeriodStarts(nowUs);
  const from = monthlyLimitMinor === null ? dayUs : Math.min(dayUs, monthUs);
  const sums = await trx
    .selectFrom('ledger_entries')
    .select([
      sql<string | number | null>`sum(case when created_at_us >= ${dayUs} then amount_minor else 0 end)`.as('today'),
      sql<string | number | null>`sum(amount_minor)`.as('total'),
    ])
    .where('account_id', '=', accountId)
    .where('created_at_us', '>=', from)
    .where('kind', 'in', ['reservation', 'refund'])
    .executeTakeFirst();
  // Reservations are negative amounts and refunds positive: what is spent is the opposite of their sum.
  state.spentTodayMinor = -intFrom(sums?.today ?? 0);
  state.spentThisMonthMinor = -intFrom(sums?.total ?? 0);
  return state;
}

/** The refusal of `totalMinor` more against the state's caps, or null when it fits (the state then counts it). */
export function takeSpend(state: SpendState, totalMinor: number): SpendLimitExceeded | null {
  const over = (period: 'daily' | 'monthly', limitMinor: number | null, spentMinor: number) =>
    limitMinor !== null && spentMinor + totalMinor > limitMinor
      ? ({ ok: false, reason: 'spend_limit', period, limitMinor, spentMinor, requiredMinor: totalMinor } as const)
      : null;
  const refusal =
    over('daily', state.dailyLimitMinor, state.spentTodayMinor) ??
    over('monthly', state.monthlyLimitMinor, state.spentThisMonthMinor);
  if (refusal) return refusal;
  state.spentTodayMinor += totalMinor;
  state.spentThisMonthMinor += totalMinor;
  return null;
}

/** Sets or clears (null) an account's caps; a field left undefined keeps its value. False: no such account. */
export async function setSpendLimits(
  trx: Transaction<Schema>,
  nowUs: number,
  accountId: number,
  limits: { readonly dailyMinor?: number | null; readonly monthlyMinor?: number | null },
): Promise<boolean> {
  const result = await trx
    .updateTable('accounts')
    .set({
      ...(limits.dailyMinor !== undefined && { daily_spend_limit_minor: limits.dailyMinor }),
      ...(limits.monthlyMinor !== undefined && { monthly_spend_limit_minor: limits.monthlyMinor }),
      updated_at_us: nowUs,
    })
    .where('id', '=', accountId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
