// The handed-over messages of a range of days, read page by page for replaying them against a proposed route table:
// the sendings of the range by `sendings_created` (their ids' bounds), then their messages by `messages_sending`
// from where the last page ended. Reads only.
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { SendingType } from '../domain/sending.js';
import type { Db } from './db.js';
import { intFrom, intOrNull } from './values.js';

/** A message a provider took, with what routing and the margin need of it and its sending. */
export interface HandedOverMessage {
  readonly id: number;
  readonly sendingId: number;
  readonly accountId: number;
  readonly currency: string;
  readonly type: SendingType;
  readonly sender: string;
  readonly recipient: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly countryIso: string | null;
  readonly countryName: string | null;
  readonly parts: number;
  readonly rateMinor: number;
  /** What was kept of its price (the platform's `cost_minor`). */
  readonly keptMinor: number;
  /** Its sending was settled or cancelled: refunds, if any, are done. */
  readonly settled: boolean;
  readonly provider: string;
  readonly providerCostCurrency: string | null;
  readonly providerCostAccountMinor: number | null;
  readonly providerCostFromPpm: number | null;
  readonly providerCostToPpm: number | null;
}

export interface HandedOverQuery {
  /** Sendings stored from this microsecond (inclusive) … */
  readonly fromUs: number;
  /** … to this one (exclusive). */
  readonly toUs: number;
  /** Only this account's sendings; null: every account's. */
  readonly accountId: number | null;
  /** Messages a page; default 1000. */
  readonly pageSize?: number;
}

interface Row {
  id: number | string;
  sending_id: number | string;
  account_id: number | string;
  currency: string;
  type: string;
  sender: string;
  recipient: string;
  mcc: string | null;
  mnc: string | null;
  iso: string | null;
  country_name: string | null;
  parts: number | string;
  rate_minor: number | string;
  cost_minor: number | string;
  settled: number | string;
  provider: string;
  provider_cost_currency: string | null;
  provider_cost_account_minor: number | string | null;
  provider_cost_from_ppm: number | string | null;
  provider_cost_to_ppm: number | string | null;
}

/**
 * The messages a provider took of the sendings stored within the range (drafts and suppressed numbers left out, as
 * the margin report leaves them), in pages in (sending, message) order. Memory holds one page at a time.
 */
export async function* handedOverMessages(db: Db, query: HandedOverQuery): AsyncGenerator<HandedOverMessage[]> {
  const pageSize = query.pageSize ?? 1000;
  const account = query.accountId === null ? sql`` : sql`and account_id = ${query.accountId}`;
  const bounds = await sql<{ first: number | string | null; last: number | string | null }>`
    select min(id) as first, max(id) as last from sendings
    where created_at_us >= ${query.fromUs} and created_at_us < ${query.toUs} ${account}`.execute(db.kysely);
  const first = intOrNull(bounds.rows[0]?.first ?? null);
  const last = intOrNull(bounds.rows[0]?.last ?? null);
  if (first === null || last === null) return;
  const ofAccount = query.accountId === null ? sql`` : sql`and s.account_id = ${query.accountId}`;
  let afterSending = first - 1;
  let afterMessage = 0;
  for (;;) {
    const { rows } = await sql<Row>`
      select m.id, m.sending_id, s.account_id, a.currency, s.type, s.sender, m.recipient, m.mcc, m.mnc,
             c.iso as iso, c.name as country_name, m.parts, m.rate_minor, m.cost_minor,
             case when s.dispatch_settled_at_us is not null or s.status = 'Cancelled' then 1 else 0 end as settled,
             m.provider, m.provider_cost_currency, m.provider_cost_account_minor,
             m.provider_cost_from_ppm, m.provider_cost_to_ppm
      from messages m
      join sendings s on s.id = m.sending_id
      join accounts a on a.id = s.account_id
      left join countries c on c.id = m.country_id
      where m.sending_id >= ${afterSending} and m.sending_id <= ${last}
        and (m.sending_id > ${afterSending} or m.id > ${afterMessage})
        and s.created_at_us >= ${query.fromUs} and s.created_at_us < ${query.toUs} ${ofAccount}
        and s.status <> 'Draft' and m.status <> 'suppressed'
        and m.submitted_at_us is not null and m.provider is not null
      order by m.sending_id, m.id
      limit ${pageSize}`.execute(db.kysely);
    if (rows.length === 0) return;
    yield rows.map(messageFrom);
    const end = rows[rows.length - 1] as Row;
    afterSending = intFrom(end.sending_id);
    afterMessage = intFrom(end.id);
    if (rows.length < pageSize) return;
  }
}

function messageFrom(row: Row): HandedOverMessage {
  return {
    id: intFrom(row.id),
    sendingId: intFrom(row.sending_id),
    accountId: intFrom(row.account_id),
    currency: row.currency,
    type: row.type as SendingType,
    sender: row.sender,
    recipient: row.recipient,
    mcc: row.mcc,
    mnc: row.mnc,
    countryIso: row.iso,
    countryName: row.country_name,
    parts: intFrom(row.parts),
    rateMinor: minorFrom(row.rate_minor),
    keptMinor: minorFrom(row.cost_minor),
    settled: Number(row.settled) === 1,
    provider: row.provider,
    providerCostCurrency: row.provider_cost_currency,
    providerCostAccountMinor:
      row.provider_cost_account_minor === null ? null : minorFrom(row.provider_cost_account_minor),
    providerCostFromPpm: intOrNull(row.provider_cost_from_ppm),
    providerCostToPpm: intOrNull(row.provider_cost_to_ppm),
  };
}
