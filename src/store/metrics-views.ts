// Platform-wide aggregates for /metrics, read from the database so that every API and worker process reports the same.
import { sql } from 'kysely';
import type { Db } from './db.js';
import { intFrom } from './values.js';

export interface MessageCount {
  /** Null until a route has been chosen for the message. */
  readonly provider: string | null;
  readonly status: string;
  readonly count: number;
}

export interface SendingCount {
  readonly status: string;
  readonly count: number;
}

export interface LedgerTotal {
  readonly kind: string;
  readonly currency: string;
  readonly entries: number;
  /** The sum of the entries' amounts in minor units (1/10000), exact. */
  readonly amountMinor: bigint;
}

export interface CallbackCount {
  readonly state: string;
  readonly count: number;
}

export interface MetricsViews {
  readonly messages: readonly MessageCount[];
  readonly sendings: readonly SendingCount[];
  readonly ledger: readonly LedgerTotal[];
  readonly callbacks: readonly CallbackCount[];
  /** next_attempt_at of the queued message due first (microseconds), null when none is queued. */
  readonly oldestQueuedDueUs: number | null;
}

/** A scrape never holds a connection long: on PostgreSQL its statements are cancelled after this. */
export const METRICS_STATEMENT_TIMEOUT_MS = 5_000;

function bigFrom(value: number | bigint | string | null): bigint {
  if (value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  // PostgreSQL's sum(bigint) is numeric: an integer written in decimal.
  return BigInt(value.replace(/\.0*$/, ''));
}

/** Every aggregate in one read-only snapshot, so that the numbers of one scrape agree with each other. */
export async function readMetricsViews(db: Db): Promise<MetricsViews> {
  return db.transaction(
    async (trx) => {
      if (db.dialect === 'postgres') {
        await sql`set local statement_timeout = ${sql.lit(METRICS_STATEMENT_TIMEOUT_MS)}`.execute(trx);
      }
      const messages = await trx
        .selectFrom('messages')
        .select(['provider', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy(['provider', 'status'])
        .execute();
      const sendings = await trx
        .selectFrom('sendings')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('status')
        .execute();
      const ledger = await trx
        .selectFrom('ledger_entries')
        .innerJoin('accounts', 'accounts.id', 'ledger_entries.account_id')
        .select([
          'ledger_entries.kind as kind',
          'accounts.currency as currency',
          (eb) => eb.fn.countAll<number | string>().as('n'),
          (eb) => eb.fn.sum<number | string | null>('ledger_entries.amount_minor').as('amount'),
        ])
        .groupBy(['ledger_entries.kind', 'accounts.currency'])
        .execute();
      const callbacks = await trx
        .selectFrom('callback_outbox')
        .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('state')
        .execute();
      const oldest = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.min<number | string | null>('next_attempt_at_us').as('due'))
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return {
        messages: messages.map((r) => ({ provider: r.provider, status: r.status, count: intFrom(r.n) })),
        sendings: sendings.map((r) => ({ status: r.status, count: intFrom(r.n) })),
        ledger: ledger.map((r) => ({
          kind: r.kind,
          currency: r.currency,
          entries: intFrom(r.n),
          amountMinor: bigFrom(r.amount),
        })),
        callbacks: callbacks.map((r) => ({ state: r.state, count: intFrom(r.n) })),
        oldestQueuedDueUs: oldest?.due === null || oldest?.due === undefined ? null : intFrom(oldest.due),
      };
    },
    { readOnly: true, snapshot: true },
  );
}
