// The operator's margin: what the platform's messages were charged (net of refunds) against what their providers
// cost, per UTC day, destination country, provider or account, in each account's currency.
import { type RawBuilder, sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import { US_PER_DAY } from './admin-views.js';
import type { Db } from './db.js';
import { intFrom } from './values.js';

export const MARGIN_GROUPINGS = ['day', 'country', 'provider', 'account'] as const;
export type MarginGrouping = (typeof MARGIN_GROUPINGS)[number];

/** One group's figures, all in integer minor units of `currency` (the accounts' currency). */
export interface MarginRow {
  /** The UTC day (YYYY-MM-DD), the country's ISO code, the provider's name or the account's id; '' for none. */
  readonly key: string;
  /** The country's or account's name; the key again for a day or a provider. */
  readonly label: string;
  readonly currency: string;
  /** Messages of the group (suppressed numbers, never charged, left out). */
  readonly messages: number;
  /** What the messages were priced at when their sendings were stored (reserved), before tax. */
  readonly chargedMinor: number;
  /** What went back of it: messages no provider took, once their sending was settled or cancelled. */
  readonly refundedMinor: number;
  /** charged − refunded: what the platform keeps for its messages, before tax. */
  readonly revenueMinor: number;
  /** What the providers charge for the messages they took, converted into the account's currency (rounded up). */
  readonly costMinor: number;
  /** Messages a provider took whose cost is unknown (no cost list, or no conversion rate): not in `costMinor`. */
  readonly costUnknown: number;
  /** revenue − cost. */
  readonly marginMinor: number;
}

export interface MarginQuery {
  /** Sendings stored from this microsecond (inclusive) … */
  readonly fromUs: number;
  /** … to this one (exclusive). */
  readonly toUs: number;
  readonly by: MarginGrouping;
}

/** A day number since the epoch as YYYY-MM-DD. */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Each group's revenue, cost and margin over the sendings stored within the range (a sending's money is counted on
 * the day it was stored: its reservation's day), per currency. A message is charged its price; a refund gives back
 * the price of each message no provider took (or, of one cut to the parts taken, the rest) once its sending is
 * settled or cancelled, which is what the ledger's `dispatch` and cancel refunds hold, tax aside. Reads the sendings
 * of the range by `sendings_created` and their messages by `messages_sending`.
 */
export async function marginReport(db: Db, query: MarginQuery): Promise<MarginRow[]> {
  const group = groupOf(query.by);
  const charged = sql`m.rate_minor * m.parts`;
  const kept = sql`case when m.submitted_at_us is not null then m.cost_minor else 0 end`;
  const refunded = sql`case when s.dispatch_settled_at_us is not null or s.status = 'Cancelled'
    then ${charged} - ${kept} else 0 end`;
  const { rows } = await sql<{
    key: string | number | null;
    label: string | number | null;
    currency: string;
    messages: number | string;
    charged: number | string | null;
    refunded: number | string | null;
    cost: number | string | null;
    cost_unknown: number | string | null;
  }>`
    select ${group.key} as key, ${group.label} as label, a.currency as currency,
           count(*) as messages,
           sum(${charged}) as charged,
           sum(${refunded}) as refunded,
           sum(coalesce(m.provider_cost_account_minor, 0)) as cost,
           sum(case when m.submitted_at_us is not null and m.provider_cost_account_minor is null then 1 else 0 end)
             as cost_unknown
    from sendings s
    join accounts a on a.id = s.account_id
    join messages m on m.sending_id = s.id
    ${group.join}
    where s.created_at_us >= ${query.fromUs} and s.created_at_us < ${query.toUs}
      and s.status <> 'Draft' and m.status <> 'suppressed'
    group by ${group.key}, ${group.by === 'day' ? sql`` : sql`${group.label}, `}a.currency`.execute(db.kysely);
  const out = rows.map((row): MarginRow => {
    const chargedMinor = minorFrom(row.charged ?? 0);
    const refundedMinor = minorFrom(row.refunded ?? 0);
    const costMinor = minorFrom(row.cost ?? 0);
    const key = row.key === null ? '' : query.by === 'day' ? dayText(intFrom(row.key)) : String(row.key);
    return {
      key,
      label: query.by === 'day' || row.label === null ? key : String(row.label),
      currency: row.currency,
      messages: intFrom(row.messages),
      chargedMinor,
      refundedMinor,
      revenueMinor: chargedMinor - refundedMinor,
      costMinor,
      costUnknown: intFrom(row.cost_unknown ?? 0),
      marginMinor: chargedMinor - refundedMinor - costMinor,
    };
  });
  // Per currency, then by key: a day's order is its text's; the same on both engines (their nulls sort apart).
  return out.sort((a, b) => compareText(a.currency, b.currency) || compareKeys(query.by, a.key, b.key));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(by: MarginGrouping, a: string, b: string): number {
  return by === 'account' ? Number(a) - Number(b) : compareText(a, b);
}

interface Group {
  readonly by: MarginGrouping;
  readonly key: RawBuilder<unknown>;
  /** An aggregate for a day (not grouped by), else a column grouped by with the key. */
  readonly label: RawBuilder<unknown>;
  readonly join: RawBuilder<unknown>;
}

function groupOf(by: MarginGrouping): Group {
  switch (by) {
    case 'day':
      return { by, key: sql`s.created_at_us / ${sql.lit(US_PER_DAY)}`, label: sql`min(s.created_at_us)`, join: sql`` };
    case 'country':
      return { by, key: sql`c.iso`, label: sql`c.name`, join: sql`left join countries c on c.id = m.country_id` };
    case 'provider':
      return { by, key: sql`m.provider`, label: sql`m.provider`, join: sql`` };
    case 'account':
      return { by, key: sql`a.id`, label: sql`a.name`, join: sql`` };
  }
}
