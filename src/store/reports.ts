// Delivery reports: forward-only status changes matched by (provider, provider's id); unknown ids kept until known.
import { sql, type Transaction } from 'kysely';
import { minorFrom } from '../domain/money.js';
import {
  isFinalMessageStatus,
  type MessageStatus,
  messageStatusFrom,
  type ReportStatus,
  reportMoves,
} from '../domain/status.js';
import { enqueueCallbacks, type StatusEvent } from './callbacks.js';
import type { Db, DialectName } from './db.js';
import { QualityTally } from './delivery-quality.js';
import { KEPT_REPORTS_LOCK } from './dialect-sql.js';
import { type MessageNow, type SettledSending, settleSendings } from './dispatch-settlement.js';
import { inIds, listRelation } from './dispatch-sql.js';
import type { Schema } from './schema.js';
import { assertInt, intFrom, intOrNull } from './values.js';

/** What a provider said about a message it accepted, already in our vocabulary. */
export interface ProviderReport {
  readonly provider: string;
  readonly providerMessageId: string;
  readonly status: ReportStatus;
  readonly error?: string | null;
  /** When the provider says it happened; absent means when it reached us. */
  readonly reportedAtUs?: number | null;
  /** With status `submitted`: the provider's own non-final word (Twilio's `sent`), kept on the message. */
  readonly providerStatus?: string | null;
}

export interface ReportsApplied {
  /** Reports that moved a message forward. */
  readonly applied: number;
  /** Reports for known messages that changed nothing (a duplicate, or older than what is stored). */
  readonly ignored: number;
  /** Reports whose id is not stored yet, kept in pending_reports. */
  readonly kept: number;
}

/** A status change for one message, by our id. */
export interface StatusChange {
  readonly messageId: number;
  readonly status: ReportStatus;
  readonly error: string | null;
  readonly atUs: number;
  /** With status `submitted`: the provider's non-final word, stored while the message is still `submitted`. */
  readonly providerStatus?: string | null;
  /** The wait for a report ended without one: a final status, but no delivery report (not in the quality). */
  readonly reportless?: boolean;
}

interface CurrentMessage {
  readonly sendingId: number;
  status: MessageStatus;
  readonly provider: string | null;
  readonly mcc: string | null;
  readonly submittedAtUs: number | null;
  readonly costMinor: number;
}

/** Status changes written, their sendings not yet settled: what the caller settles with the rest of its transaction. */
export interface MovedStatuses {
  /** The changes that moved a message forward (one per message: the furthest), each with its message's sending. */
  readonly moved: readonly (StatusChange & { readonly sendingId: number })[];
  /** Every message the changes name, locked and as this transaction left them. */
  readonly messages: readonly (MessageNow & { readonly id: number })[];
}

const NONE_MOVED: MovedStatuses = { moved: [], messages: [] };

/**
 * Applies changes inside the caller's transaction: each message is locked (in id order, so concurrent appliers never
 * deadlock on each other), moved only forward (`reportMoves`), the first final status standing. Settles the sendings
 * concerned and queues their callbacks. The final delivery reports among them are added to `quality`, which the
 * caller writes last in its transaction; without one they are written here, last. Returns how many moved.
 */
export async function applyStatusChanges(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  changes: readonly StatusChange[],
  quality?: QualityTally,
): Promise<number> {
  const tally = quality ?? new QualityTally();
  const { moved, messages } = await moveStatuses(trx, dialect, nowUs, changes, tally);
  if (moved.length === 0) return 0;
  const sendings = await settleSendings(
    trx,
    dialect,
    nowUs,
    moved.map((change) => change.sendingId),
    messages,
  );
  await enqueueCallbacks(trx, dialect, nowUs, callbackEvents(moved, sendings));
  if (!quality) await tally.flush(trx, dialect);
  return moved.length;
}

/** The status events of `moved` whose sendings (as settled in `sendings`) have a callback, in the order given. */
export function callbackEvents(
  moved: MovedStatuses['moved'],
  sendings: ReadonlyMap<number, SettledSending>,
): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const change of moved) {
    if (!sendings.get(change.sendingId)?.hasCallback) continue;
    events.push({
      messageId: change.messageId,
      sendingId: change.sendingId,
      status: change.status,
      error: change.error,
    });
  }
  return events;
}

/**
 * The writing half of `applyStatusChanges`: locks and moves the messages, notes the providers' words and adds the
 * final delivery reports to `quality`; settles nothing and queues no callback (the caller does, once for all it wrote).
 */
async function moveStatuses(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  changes: readonly StatusChange[],
  quality: QualityTally,
): Promise<MovedStatuses> {
  if (changes.length === 0) return NONE_MOVED;
  const ids = [...new Set(changes.map((c) => c.messageId))].sort((a, b) => a - b);
  let select = trx
    .selectFrom('messages')
    .select(['id', 'sending_id', 'status', 'provider', 'mcc', 'submitted_at_us', 'cost_minor'])
    .where(sql<boolean>`id ${inIds(dialect, ids)}`)
    .orderBy('id');
  if (dialect === 'postgres') select = select.forUpdate();
  const current = new Map<number, CurrentMessage>();
  for (const row of await select.execute()) {
    current.set(intFrom(row.id), {
      sendingId: intFrom(row.sending_id),
      status: messageStatusFrom(row.status),
      provider: row.provider,
      mcc: row.mcc,
      submittedAtUs: intOrNull(row.submitted_at_us),
      costMinor: minorFrom(row.cost_minor),
    });
  }
  // Changes in the order given: a later change in the same batch only applies if it moves further forward.
  const moved = new Map<number, StatusChange>();
  // A non-final word changes no status (nor a callback, nor money): it is only noted on a message still `submitted`.
  const noted = new Map<number, string>();
  for (const change of changes) {
    const message = current.get(change.messageId);
    if (!message) continue;
    if (reportMoves(message.status, change.status)) {
      message.status = change.status;
      moved.set(change.messageId, change);
    } else if (change.status === 'submitted' && message.status === 'submitted' && change.providerStatus) {
      noted.set(change.messageId, change.providerStatus);
    }
  }
  await noteProviderStatuses(trx, dialect, nowUs, noted);
  if (moved.size === 0) return NONE_MOVED;
  const list = [...moved.values()];
  const rows = listRelation(dialect, 'u', [
    { name: 'id', kind: 'int8', values: list.map((c) => c.messageId) },
    { name: 'status', kind: 'text', values: list.map((c) => c.status) },
    { name: 'error', kind: 'text', values: list.map((c) => c.error) },
    { name: 'final_at', kind: 'int8', values: list.map((c) => (isFinalMessageStatus(c.status) ? c.atUs : null)) },
  ]);
  const target = dialect === 'postgres' ? sql`m` : sql`messages`;
  await sql`
    update messages ${dialect === 'postgres' ? sql`as m` : sql``}
    set status = u.status, error = coalesce(u.error, ${target}.error), final_at_us = u.final_at,
        next_poll_at_us = null, updated_at_us = ${nowUs}
    from ${rows} where ${target}.id = u.id`.execute(trx);

  for (const change of list) {
    const message = current.get(change.messageId);
    if (!message || change.reportless || !isFinalMessageStatus(change.status)) continue;
    if (message.provider === null || message.submittedAtUs === null) continue;
    quality.add({
      provider: message.provider,
      mcc: message.mcc,
      atUs: nowUs,
      delivered: change.status === 'delivered',
      latencyUs: change.atUs - message.submittedAtUs,
    });
  }
  // Every message read above is locked and as this transaction left it.
  return {
    moved: list.map((change) => ({ ...change, sendingId: current.get(change.messageId)?.sendingId ?? 0 })),
    messages: [...current].map(([id, m]) => ({
      id,
      sendingId: m.sendingId,
      status: m.status,
      accepted: m.submittedAtUs !== null,
      costMinor: m.costMinor,
    })),
  };
}

/** Stores each message's provider word, on messages still `submitted` only: a final message is never touched. */
async function noteProviderStatuses(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  noted: ReadonlyMap<number, string>,
): Promise<void> {
  if (noted.size === 0) return;
  const rows = listRelation(dialect, 'u', [
    { name: 'id', kind: 'int8', values: [...noted.keys()] },
    { name: 'provider_status', kind: 'text', values: [...noted.values()] },
  ]);
  const target = dialect === 'postgres' ? sql`m` : sql`messages`;
  // On SQLite the status test stays off the status index (unary `+`), which would read every message awaiting a
  // report: each row is found by its id.
  const unindexed = dialect === 'sqlite' ? sql`+` : sql``;
  await sql`
    update messages ${dialect === 'postgres' ? sql`as m` : sql``}
    set provider_status = u.provider_status, updated_at_us = ${nowUs}
    from ${rows}
    where ${target}.id = u.id and ${unindexed}${target}.status = 'submitted'
      and ${target}.provider_status is distinct from u.provider_status`.execute(trx);
}

interface MatchedReport {
  readonly index: number;
  readonly messageId: number;
}

/** Finds the messages the reports name; the reports of ids not stored are left out. */
async function matchReports(
  trx: Transaction<Schema>,
  dialect: DialectName,
  reports: readonly ProviderReport[],
): Promise<MatchedReport[]> {
  const keys = listRelation(dialect, 'k', [
    { name: 'idx', kind: 'int8', values: reports.map((_, i) => i) },
    { name: 'provider', kind: 'text', values: reports.map((r) => r.provider) },
    { name: 'pid', kind: 'text', values: reports.map((r) => r.providerMessageId) },
  ]);
  const { rows } = await sql<{ idx: number | string; id: number | string }>`
    select k.idx, m.id from ${keys}
    join messages m on m.provider = k.provider and m.provider_message_id = k.pid`.execute(trx);
  return rows.map((r) => ({ index: intFrom(r.idx), messageId: intFrom(r.id) }));
}

function changesOf(reports: readonly ProviderReport[], matched: readonly MatchedReport[], nowUs: number) {
  return [...matched]
    .sort((a, b) => a.index - b.index)
    .map((m): StatusChange => {
      const report = reports[m.index] as ProviderReport;
      return {
        messageId: m.messageId,
        status: report.status,
        error: report.error ?? null,
        atUs: report.reportedAtUs ?? nowUs,
        ...(report.providerStatus != null && { providerStatus: report.providerStatus }),
      };
    });
}

/**
 * Whether a report for an id not stored yet is worth holding back until the transactions storing ids in flight have
 * committed. On PostgreSQL keeping it aside takes the lock that orders it against every transaction storing ids (see
 * `applyReports`); on SQLite, one writer at a time, it is one insert, applied by the transaction that stores the id.
 */
export function keepingAsideContends(db: Db): boolean {
  return db.dialect === 'postgres';
}

/**
 * Applies delivery reports from one or several providers: idempotent (a duplicate or out-of-order report changes
 * nothing), one transaction. A report whose id is not stored yet (the provider answered the webhook before we stored
 * its submit response) is kept aside and applied when the id arrives.
 */
export async function applyReports(db: Db, nowUs: number, reports: readonly ProviderReport[]): Promise<ReportsApplied> {
  if (reports.length === 0) return { applied: 0, ignored: 0, kept: 0 };
  return db.transaction(async (trx) => {
    let matched = await matchReports(trx, db.dialect, reports);
    if (matched.length < reports.length && db.dialect === 'postgres') {
      // A transaction storing these ids may be running now, its probe of pending_reports already made: wait for it
      // (it holds the shared side of this lock from before its probe until it commits), then look again.
      await sql`select pg_advisory_xact_lock(${sql.lit(KEPT_REPORTS_LOCK)})`.execute(trx);
      matched = await matchReports(trx, db.dialect, reports);
    }
    const known = new Set(matched.map((m) => m.index));
    const unknown = reports.filter((_, i) => !known.has(i));
    if (unknown.length > 0) {
      await trx
        .insertInto('pending_reports')
        .values(
          unknown.map((r) => ({
            provider: r.provider,
            provider_message_id: r.providerMessageId,
            status: r.status,
            error: r.error ?? null,
            reported_at_us: r.reportedAtUs ?? nowUs,
            received_at_us: nowUs,
            provider_status: r.providerStatus ?? null,
          })),
        )
        .execute();
    }
    const applied = await applyStatusChanges(trx, db.dialect, nowUs, changesOf(reports, matched, nowUs));
    return { applied, ignored: matched.length - applied, kept: unknown.length };
  });
}

/**
 * Applies, inside the caller's transaction, the kept reports of the ids just stored. Called by the transaction that
 * stores providers' ids, so a report that came first is never lost; the periodic sweep catches the rare report that
 * was kept by a transaction running at the same moment. The messages are moved, not settled: the caller settles their
 * sendings once, with the outcomes it stored (`MovedStatuses`).
 */
export async function applyKeptReportsFor(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  stored: readonly { readonly provider: string; readonly providerMessageId: string }[],
  quality: QualityTally,
): Promise<MovedStatuses> {
  if (stored.length === 0) return NONE_MOVED;
  // PostgreSQL: a report transaction that did not see these ids (not committed yet) waits for this one to end before
  // keeping its reports, or this one waits for it and sees them kept: either way the report is applied now, not at the
  // next sweep. SQLite has one writer at a time, so the race cannot happen there.
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock_shared(${sql.lit(KEPT_REPORTS_LOCK)})`.execute(trx);
  // Usually there is none: a probe of the empty table is much cheaper than the join below.
  if (!(await trx.selectFrom('pending_reports').select('id').limit(1).executeTakeFirst())) return NONE_MOVED;
  const distinct = new Map(stored.map((s) => [`${s.provider}\u0000${s.providerMessageId}`, s]));
  const keys = listRelation(dialect, 'k', [
    { name: 'provider', kind: 'text', values: [...distinct.values()].map((s) => s.provider) },
    { name: 'pid', kind: 'text', values: [...distinct.values()].map((s) => s.providerMessageId) },
  ]);
  // The kept reports themselves, in the order they came (one read: their ids and then their rows would be two).
  const { rows } = await sql<KeptRow>`
    select p.id, p.provider, p.provider_message_id, p.status, p.error, p.reported_at_us, p.provider_status
    from ${keys}
    join pending_reports p on p.provider = k.provider and p.provider_message_id = k.pid
    order by p.id`.execute(trx);
  if (rows.length === 0) return NONE_MOVED;
  return moveStatuses(trx, dialect, nowUs, await takeKept(trx, dialect, nowUs, rows), quality);
}

/** A kept report as stored. */
interface KeptRow {
  readonly id: number | string;
  readonly provider: string;
  readonly provider_message_id: string;
  readonly status: string;
  readonly error: string | null;
  readonly reported_at_us: number | string;
  readonly provider_status: string | null;
}

/** The kept reports (in id order) whose messages are stored by now: deleted, and returned as status changes. */
async function takeKept(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  kept: readonly KeptRow[],
): Promise<StatusChange[]> {
  const reports = kept.map(
    (row): ProviderReport => ({
      provider: row.provider,
      providerMessageId: row.provider_message_id,
      status: reportStatusFrom(row.status),
      error: row.error,
      reportedAtUs: intFrom(row.reported_at_us),
      providerStatus: row.provider_status ?? null,
    }),
  );
  const matched = await matchReports(trx, dialect, reports);
  const known = new Set(matched.map((m) => m.index));
  const done = kept.filter((_, i) => known.has(i)).map((row) => intFrom(row.id));
  if (done.length > 0) {
    await trx
      .deleteFrom('pending_reports')
      .where(sql<boolean>`id ${inIds(dialect, done)}`)
      .execute();
  }
  return changesOf(reports, matched, nowUs);
}

async function applyKeptReports(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  pendingIds: readonly number[],
): Promise<number> {
  const kept = await trx
    .selectFrom('pending_reports')
    .selectAll()
    .where(sql<boolean>`id ${inIds(dialect, pendingIds)}`)
    .orderBy('id')
    .execute();
  return applyStatusChanges(trx, dialect, nowUs, await takeKept(trx, dialect, nowUs, kept));
}

function reportStatusFrom(text: string): ReportStatus {
  const status = messageStatusFrom(text);
  if (
    status === 'queued' ||
    status === 'submitting' ||
    status === 'failed' ||
    status === 'cancelled' ||
    status === 'suppressed'
  ) {
    throw new Error(`a kept report has status ${text}`);
  }
  return status;
}

/**
 * The sweep: applies kept reports whose id is stored by now, and forgets those older than `keepUs` (an id that never
 * arrived: a report for another platform, or for a message whose hand-over was never confirmed).
 */
export async function sweepKeptReports(
  db: Db,
  nowUs: number,
  options: { readonly keepUs: number; readonly limit: number },
): Promise<{ readonly applied: number; readonly dropped: number }> {
  assertInt(options.limit, 'limit', 1);
  return db.transaction(async (trx) => {
    const { rows } = await sql<{ id: number | string }>`
        select p.id from pending_reports p
        join messages m on m.provider = p.provider and m.provider_message_id = p.provider_message_id
        order by p.id limit ${options.limit}`.execute(trx);
    const applied =
      rows.length === 0
        ? 0
        : await applyKeptReports(
            trx,
            db.dialect,
            nowUs,
            rows.map((r) => intFrom(r.id)),
          );
    const dropped = await trx
      .deleteFrom('pending_reports')
      .where('received_at_us', '<', nowUs - options.keepUs)
      .executeTakeFirst();
    return { applied, dropped: Number(dropped.numDeletedRows) };
  });
}

/** Reports kept aside for ids not stored yet (for the operator and the tests). */
export async function countKeptReports(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('pending_reports')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return intFrom(row.n);
}
