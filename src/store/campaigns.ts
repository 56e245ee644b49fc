// Sendings as the dashboard shows them: messages counted per status, refunds summed, recipients filtered and searched.
import { sql } from 'kysely';
import { minorFrom } from '../domain/money.js';
import type { SendingStatus } from '../domain/sending.js';
import { MESSAGE_STATUSES, type MessageStatus, messageStatusFrom } from '../domain/status.js';
import type { Db } from './db.js';
import { containsText } from './dialect-sql.js';
import { type Sending, sendingFromRow } from './sendings.js';
import { intFrom, intOrNull, pageWindow } from './values.js';

export interface Campaign {
  readonly sending: Sending;
  /** Messages per status, every status present. */
  readonly counts: Readonly<Record<MessageStatus, number>>;
  /** What refund ledger entries gave back to the account for this sending. */
  readonly refundedMinor: number;
}

export interface Recipient {
  readonly id: number;
  readonly recipient: string;
  /** The catalog country the number was priced to, and its destination ("Latvia LMT"). */
  readonly country: string | null;
  /** That country's ISO 3166-1 alpha-2 code ("LV"), null with it. */
  readonly iso: string | null;
  readonly destination: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly parts: number;
  readonly rateMinor: number;
  readonly costMinor: number;
  readonly status: MessageStatus;
  /** When a provider took it (its `submitted_at`), null when none did. */
  readonly acceptedAtUs: number | null;
  /** The provider's last non-final word (Twilio's `sent`: handed to the carrier), or null. */
  readonly providerStatus: string | null;
  readonly error: string | null;
  readonly updatedAtUs: number;
}

export interface Paged<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

/** Listing pages of the dashboard are smaller than the public API's. */
export const DASHBOARD_PER_PAGE_MAX = 500;

function zeroCounts(): Record<MessageStatus, number> {
  return Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
}

/** Counts and refunds of the given sendings (of one account), read with one statement each. */
async function campaignsOf(db: Db, sendings: readonly Sending[]): Promise<Campaign[]> {
  if (sendings.length === 0) return [];
  const ids = sendings.map((s) => s.id);
  const [counts, refunds] = await Promise.all([
    db.kysely
      .selectFrom('messages')
      .select((eb) => ['sending_id', 'status', eb.fn.countAll<number | string>().as('n')])
      .where('sending_id', 'in', ids)
      .groupBy(['sending_id', 'status'])
      .execute(),
    db.kysely
      .selectFrom('ledger_entries')
      .select((eb) => ['sending_id', eb.fn.sum<number | string>('amount_minor').as('refunded')])
      .where('sending_id', 'in', ids)
      .where('kind', '=', 'refund')
      .groupBy('sending_id')
      .execute(),
  ]);
  const countsById = new Map<number, Record<MessageStatus, number>>();
  for (const row of counts) {
    const id = intFrom(row.sending_id);
    let entry = countsById.get(id);
    if (!entry) {
      entry = zeroCounts();
      countsById.set(id, entry);
    }
    entry[messageStatusFrom(row.status)] = intFrom(row.n);
  }
  const refundedById = new Map<number, number>();
  for (const row of refunds) {
    if (row.sending_id !== null) refundedById.set(intFrom(row.sending_id), minorFrom(row.refunded ?? 0));
  }
  return sendings.map((sending) => ({
    sending,
    counts: countsById.get(sending.id) ?? zeroCounts(),
    refundedMinor: refundedById.get(sending.id) ?? 0,
  }));
}

/** The account's sendings, newest first, optionally of one status, with their total count. */
export async function listCampaigns(
  db: Db,
  accountId: number,
  options: { readonly page: number; readonly perPage: number; readonly status?: SendingStatus },
): Promise<Paged<Campaign>> {
  const { limit, offset } = pageWindow(options, DASHBOARD_PER_PAGE_MAX);
  let base = db.kysely.selectFrom('sendings').where('account_id', '=', accountId);
  // On SQLite the status test stays off the status index (unary `+`): the planner, without statistics, would count the
  // platform's every sending of that status rather than the account's.
  const status = db.dialect === 'sqlite' ? sql<string>`+status` : sql.ref('status');
  if (options.status !== undefined) base = base.where(status, '=', options.status);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: await campaignsOf(db, rows.map(sendingFromRow)), total: intFrom(total.n) };
}

/** One of the account's sendings with its counts; another account's is not found. */
export async function getCampaign(db: Db, accountId: number, sendingId: number): Promise<Campaign | undefined> {
  const row = await db.kysely
    .selectFrom('sendings')
    .selectAll()
    .where('id', '=', sendingId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) return undefined;
  const [campaign] = await campaignsOf(db, [sendingFromRow(row)]);
  return campaign;
}

/**
 * The messages of one of the account's sendings in recipient order, optionally of one status and whose number
 * contains `search` (digits); undefined when the account has no such sending.
 */
export async function listRecipients(
  db: Db,
  accountId: number,
  sendingId: number,
  options: {
    readonly page: number;
    readonly perPage: number;
    readonly status?: MessageStatus;
    readonly search?: string;
  },
): Promise<Paged<Recipient> | undefined> {
  const { limit, offset } = pageWindow(options, DASHBOARD_PER_PAGE_MAX);
  const owner = await db.kysely
    .selectFrom('sendings')
    .select('id')
    .where('id', '=', sendingId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!owner) return undefined;
  let base = db.kysely.selectFrom('messages as m').where('m.sending_id', '=', sendingId);
  if (options.status !== undefined) base = base.where('m.status', '=', options.status);
  if (options.search !== undefined && options.search !== '') {
    base = base.where(containsText(db.dialect, sql.ref('m.recipient'), options.search));
  }
  const [rows, total] = await Promise.all([
    base
      .leftJoin('countries as c', 'c.id', 'm.country_id')
      .select([
        'm.id',
        'm.recipient',
        'c.name as country',
        'c.iso as country_iso',
        'm.destination',
        'm.mcc',
        'm.mnc',
        'm.parts',
        'm.rate_minor',
        'm.cost_minor',
        'm.status',
        'm.submitted_at_us',
        'm.provider_status',
        'm.error',
        'm.updated_at_us',
      ])
      .orderBy('m.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((row) => ({
      id: intFrom(row.id),
      recipient: row.recipient,
      country: row.country,
      iso: row.country_iso,
      destination: row.destination,
      mcc: row.mcc,
      mnc: row.mnc,
      parts: row.parts,
      rateMinor: minorFrom(row.rate_minor),
      costMinor: minorFrom(row.cost_minor),
      status: messageStatusFrom(row.status),
      acceptedAtUs: intOrNull(row.submitted_at_us),
      providerStatus: row.provider_status ?? null,
      error: row.error,
      updatedAtUs: intFrom(row.updated_at_us),
    })),
    total: intFrom(total.n),
  };
}
