// Delivery quality: final delivery reports counted per provider, MCC and UTC hour in the transaction that applies them,
// and read back as a `QualityBook` over a sliding window, shared by every worker process through the database.
import { sql, type Transaction } from 'kysely';
import type { DeliveryQuality, QualityBook } from '../domain/provider-costs.js';
import { US_PER_MS } from '../domain/time.js';
import type { Db, DialectName } from './db.js';
import { listRelation } from './dispatch-sql.js';
import type { Schema } from './schema.js';
import { assertInt, intFrom } from './values.js';

export const US_PER_HOUR = 3_600_000_000;
/** The window a `QualityBook` covers unless told otherwise: the last 24 hours. */
export const QUALITY_WINDOW_US_DEFAULT = 24 * US_PER_HOUR;

interface Tally {
  reports: number;
  delivered: number;
  latencyMsSum: number;
}

/** The final reports of one transaction, added up per (provider, MCC, hour) before they are written. */
export class QualityTally {
  private readonly groups = new Map<string, Tally & { provider: string; mcc: string; hourUs: number }>();

  /** One final report: `latencyUs` from the hand-over to the report (a report dated before it counts 0). */
  add(report: {
    readonly provider: string;
    readonly mcc: string | null;
    readonly atUs: number;
    readonly delivered: boolean;
    readonly latencyUs: number;
  }): void {
    const mcc = report.mcc ?? '';
    const hourUs = Math.floor(report.atUs / US_PER_HOUR) * US_PER_HOUR;
    const key = `${report.provider}\u0000${mcc}\u0000${hourUs}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { provider: report.provider, mcc, hourUs, reports: 0, delivered: 0, latencyMsSum: 0 };
      this.groups.set(key, group);
    }
    group.reports += 1;
    if (report.delivered) group.delivered += 1;
    group.latencyMsSum += Math.max(0, Math.round(report.latencyUs / US_PER_MS));
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * Writes the tally inside the caller's transaction: one statement, one row per group, added to what is stored.
   * The groups go in key order, so that two transactions on PostgreSQL lock the rows they share in the same order.
   * Called last in its transaction (`LOCK_ORDER`, db.ts): the rows are the hottest of a report's transaction.
   */
  async flush(trx: Transaction<Schema>, dialect: DialectName): Promise<void> {
    if (this.groups.size === 0) return;
    const groups = [...this.groups.values()].sort(
      (a, b) =>
        (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0) ||
        (a.mcc < b.mcc ? -1 : a.mcc > b.mcc ? 1 : 0) ||
        a.hourUs - b.hourUs,
    );
    this.groups.clear();
    const rows = listRelation(dialect, 'g', [
      { name: 'provider', kind: 'text', values: groups.map((g) => g.provider) },
      { name: 'mcc', kind: 'text', values: groups.map((g) => g.mcc) },
      { name: 'hour_us', kind: 'int8', values: groups.map((g) => g.hourUs) },
      { name: 'reports', kind: 'int8', values: groups.map((g) => g.reports) },
      { name: 'delivered', kind: 'int8', values: groups.map((g) => g.delivered) },
      { name: 'latency', kind: 'int8', values: groups.map((g) => g.latencyMsSum) },
    ]);
    // `where true`: SQLite would otherwise read `on conflict` as part of the select's join.
    await sql`
      insert into delivery_quality (provider, mcc, hour_us, reports, delivered, latency_ms_sum)
      select g.provider, g.mcc, g.hour_us, g.reports, g.delivered, g.latency from ${rows} where true
      on conflict (provider, mcc, hour_us) do update
      set reports = delivery_quality.reports + excluded.reports,
          delivered = delivery_quality.delivered + excluded.delivered,
          latency_ms_sum = delivery_quality.latency_ms_sum + excluded.latency_ms_sum`.execute(trx);
  }
}

/** A `QualityBook` over what is stored. */
export function qualityBookOf(
  rows: Iterable<{ provider: string; mcc: string; quality: DeliveryQuality }>,
): QualityBook & { readonly entries: ReadonlyMap<string, DeliveryQuality> } {
  const entries = new Map<string, DeliveryQuality>();
  for (const row of rows) entries.set(`${row.provider}\u0000${row.mcc}`, row.quality);
  return {
    entries,
    qualityOf: (provider, mcc) => entries.get(`${provider}\u0000${mcc ?? ''}`) ?? null,
  };
}

/**
 * Every provider's delivery quality per country over the window ending now (by the database's clock unless
 * `nowUs` is given): the hour buckets from the one holding `now - windowUs` on, so a window of 24 hours reads 24 or
 * 25 buckets. One indexed range read of a table of a row per provider, country and hour; meant to be read again by
 * each worker about every 30 seconds.
 */
export async function readQualityBook(
  db: Db,
  options: { readonly nowUs?: number; readonly windowUs?: number } = {},
): Promise<QualityBook> {
  const nowUs = options.nowUs ?? db.nowUs();
  const windowUs = options.windowUs ?? QUALITY_WINDOW_US_DEFAULT;
  assertInt(windowUs, 'windowUs', 1);
  const fromUs = Math.floor((nowUs - windowUs) / US_PER_HOUR) * US_PER_HOUR;
  const rows = await db.kysely
    .selectFrom('delivery_quality')
    .select((eb) => [
      'provider',
      'mcc',
      eb.fn.sum<number | string>('reports').as('reports'),
      eb.fn.sum<number | string>('delivered').as('delivered'),
      eb.fn.sum<number | string>('latency_ms_sum').as('latency'),
    ])
    .where('hour_us', '>=', fromUs)
    .where('hour_us', '<=', nowUs)
    .groupBy(['provider', 'mcc'])
    .execute();
  return qualityBookOf(
    rows.map((row) => {
      const reports = intFrom(row.reports);
      const latency = intFrom(row.latency);
      return {
        provider: row.provider,
        mcc: row.mcc,
        quality: {
          reports,
          delivered: intFrom(row.delivered),
          meanLatencyMs: reports > 0 ? Math.round(latency / reports) : null,
        },
      };
    }),
  );
}
