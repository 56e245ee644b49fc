// What the platform operator looks at: accounts (searchable, suspendable), provider activity, daily volume.
import { type Selectable, sql } from 'kysely';
import { NOT_DELIVERED_STATUSES } from '../domain/status.js';
import { type Account, accountFromRow } from './accounts.js';
import type { Db } from './db.js';
import { containsText } from './dialect-sql.js';
import type { AccountsTable } from './schema.js';
import { US_PER_SECOND } from './time.js';
import { intFrom, intOrNull, pageWindow } from './values.js';

export interface AdminAccount {
  readonly account: Account;
  /** The account's email, else its first user's. */
  readonly email: string | null;
  readonly sendings: number;
}

export interface ProviderActivity {
  readonly provider: string;
  /** Messages the provider accepted within the window. */
  readonly submitted: number;
  /** Messages of the provider reported delivered within the window. */
  readonly delivered: number;
  /** Messages of the provider that ended not delivered (`NOT_DELIVERED_STATUSES`) within the window. */
  readonly failed: number;
  readonly lastError: string | null;
  readonly lastActivityAtUs: number | null;
}

export interface VolumeRow {
  /** Days since the Unix epoch (UTC). */
  readonly day: number;
  readonly sendings: number;
  readonly messages: number;
  readonly parts: number;
  readonly delivered: number;
  /** Messages that ended not delivered (`NOT_DELIVERED_STATUSES`). */
  readonly failed: number;
}

export const US_PER_DAY = 86_400 * US_PER_SECOND;

/** 1 for a message of `NOT_DELIVERED_STATUSES`, else 0: summed, the count every operator view shows. */
const notDeliveredOne = sql<number>`case when m.status in (${sql.join(NOT_DELIVERED_STATUSES.map((status) => sql.lit(status)))}) then 1 else 0 end`;

type AdminAccountRow = Selectable<AccountsTable> & { user_email: string | null; sendings: number | string };

function adminAccountQuery(db: Db) {
  return db.kysely
    .selectFrom('accounts as a')
    .selectAll('a')
    .select((eb) => [
      eb
        .selectFrom('users as u')
        .select('u.email')
        .whereRef('u.account_id', '=', 'a.id')
        .orderBy('u.id')
        .limit(1)
        .as('user_email'),
      eb
        .selectFrom('sendings as s')
        .select((inner) => inner.fn.countAll<number | string>().as('n'))
        .whereRef('s.account_id', '=', 'a.id')
        .as('sendings'),
    ]);
}

function adminAccountFromRow(row: AdminAccountRow): AdminAccount {
  return { account: accountFromRow(row), email: row.email ?? row.user_email, sendings: intFrom(row.sendings ?? 0) };
}

/** Accounts, newest first; `search` matches a part of the name or email (any case) or, all digits, the id. */
export async function listAccountsForAdmin(
  db: Db,
  options: { readonly page: number; readonly perPage: number; readonly perPageMax: number; readonly search?: string },
): Promise<{ readonly rows: AdminAccount[]; readonly total: number }> {
  const { limit, offset } = pageWindow(options, options.perPageMax);
  const needle = options.search?.trim().toLowerCase() ?? '';
  let rows = adminAccountQuery(db);
  let count = db.kysely.selectFrom('accounts as a').select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (needle !== '') {
    const matches = sql<boolean>`(${containsText(db.dialect, sql`lower(a.name)`, needle)} or ${containsText(
      db.dialect,
      sql`lower(coalesce(a.email, ''))`,
      needle,
    )} or exists (select 1 from users u where u.account_id = a.id and ${containsText(
      db.dialect,
      sql.ref('u.email_folded'),
      needle,
    )})${/^\d{1,15}$/.test(needle) ? sql` or a.id = ${Number(needle)}` : sql``})`;
    rows = rows.where(matches);
    count = count.where(matches);
  }
  const [found, total] = await Promise.all([
    rows.orderBy('a.id', 'desc').limit(limit).offset(offset).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: found.map((row) => adminAccountFromRow(row as AdminAccountRow)), total: intFrom(total.n) };
}

export async function getAccountForAdmin(db: Db, accountId: number): Promise<AdminAccount | undefined> {
  const row = await adminAccountQuery(db).where('a.id', '=', accountId).executeTakeFirst();
  return row && adminAccountFromRow(row as AdminAccountRow);
}

/** Suspends or reinstates an account; suspending twice keeps the first date. False when there is no such account. */
export async function setAccountSuspended(db: Db, accountId: number, suspended: boolean): Promise<boolean> {
  return db.transaction(async (trx) => {
    const nowUs = db.nowUs();
    let update = trx
      .updateTable('accounts')
      .set({ suspended_at_us: suspended ? nowUs : null, updated_at_us: nowUs })
      .where('id', '=', accountId);
    if (suspended) update = update.where('suspended_at_us', 'is', null);
    await update.execute();
    const row = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    return row !== undefined;
  });
}

/**
 * What each provider did since `sinceUs`, from the messages changed since. Only sendings still Processing or changed
 * since are looked into: a message's change always moves its sending's status or precedes it.
 */
export async function providerActivity(db: Db, sinceUs: number): Promise<ProviderActivity[]> {
  const recentSendings = db.kysely
    .selectFrom('sendings')
    .select('id')
    .where((eb) => eb.or([eb('status', '=', 'Processing'), eb('updated_at_us', '>=', sinceUs)]));
  const rows = await db.kysely
    .selectFrom('messages as m')
    .select([
      'm.provider',
      sql<number | string>`sum(case when m.submitted_at_us >= ${sinceUs} then 1 else 0 end)`.as('submitted'),
      sql<number | string>`sum(case when m.status = 'delivered' then 1 else 0 end)`.as('delivered'),
      sql<number | string>`sum(${notDeliveredOne})`.as('failed'),
      sql<number | string | null>`max(m.updated_at_us)`.as('last_activity'),
    ])
    .where('m.sending_id', 'in', recentSendings)
    .where('m.provider', 'is not', null)
    .where('m.updated_at_us', '>=', sinceUs)
    .groupBy('m.provider')
    .execute();
  const activity: ProviderActivity[] = [];
  for (const row of rows) {
    const provider = row.provider as string;
    const lastError = await db.kysely
      .selectFrom('messages as m')
      .select('m.error')
      .where('m.sending_id', 'in', recentSendings)
      .where('m.provider', '=', provider)
      .where('m.error', 'is not', null)
      .where('m.updated_at_us', '>=', sinceUs)
      .orderBy('m.updated_at_us', 'desc')
      .orderBy('m.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    activity.push({
      provider,
      submitted: intFrom(row.submitted ?? 0),
      delivered: intFrom(row.delivered ?? 0),
      failed: intFrom(row.failed ?? 0),
      lastError: lastError?.error ?? null,
      lastActivityAtUs: intOrNull(row.last_activity),
    });
  }
  return activity;
}

/** Sendings (Drafts aside) created since `fromUs`, per UTC day of creation, with what became of their messages. */
export async function volumeByDay(db: Db, fromUs: number): Promise<VolumeRow[]> {
  const day = sql<number | string>`s.created_at_us / ${sql.lit(US_PER_DAY)}`;
  const [sendings, outcomes] = await Promise.all([
    db.kysely
      .selectFrom('sendings as s')
      .select([
        day.as('day'),
        sql<number | string>`count(*)`.as('sendings'),
        sql<number | string>`sum(s.recipients_count)`.as('messages'),
        sql<number | string>`sum(s.sms_parts_total)`.as('parts'),
      ])
      .where('s.created_at_us', '>=', fromUs)
      .where('s.status', '<>', 'Draft')
      .groupBy(day)
      .execute(),
    db.kysely
      .selectFrom('messages as m')
      .innerJoin('sendings as s', 's.id', 'm.sending_id')
      .select([
        day.as('day'),
        sql<number | string>`sum(case when m.status = 'delivered' then 1 else 0 end)`.as('delivered'),
        sql<number | string>`sum(${notDeliveredOne})`.as('failed'),
      ])
      .where('s.created_at_us', '>=', fromUs)
      .where('s.status', '<>', 'Draft')
      .groupBy(day)
      .execute(),
  ]);
  const byDay = new Map<number, { delivered: number; failed: number }>();
  for (const row of outcomes) {
    byDay.set(intFrom(row.day), { delivered: intFrom(row.delivered ?? 0), failed: intFrom(row.failed ?? 0) });
  }
  return sendings.map((row) => {
    const d = intFrom(row.day);
    const outcome = byDay.get(d);
    return {
      day: d,
      sendings: intFrom(row.sendings),
      messages: intFrom(row.messages ?? 0),
      parts: intFrom(row.parts ?? 0),
      delivered: outcome?.delivered ?? 0,
      failed: outcome?.failed ?? 0,
    };
  });
}
