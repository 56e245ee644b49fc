// The customer callback outbox: status changes written with the change itself, and received messages for the
// account's inbound_url written with the message; claimed and settled by the workers.
import { sql, type Transaction } from 'kysely';
import type { MessageStatus } from '../domain/status.js';
import { messageStatusFrom } from '../domain/status.js';
import type { Db, DialectName } from './db.js';
import { inBatch, keyList, listRelation } from './dispatch-sql.js';
import type { Schema } from './schema.js';
import { assertInt, intFrom, intOrNull } from './values.js';
import { previousWhileValid } from './webhook-secrets.js';

/** One message status change a customer asked to hear about (the sending has a callback_url). */
export interface StatusEvent {
  readonly messageId: number;
  readonly sendingId: number;
  readonly status: MessageStatus;
  readonly error: string | null;
}

/** Queues the events inside the caller's transaction, so a change and its callback are written together or not at all. */
export async function enqueueCallbacks(
  trx: Transaction<Schema>,
  dialect: DialectName,
  nowUs: number,
  events: readonly StatusEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = listRelation(dialect, 'e', [
    { name: 'message_id', kind: 'int8', values: events.map((e) => e.messageId) },
    { name: 'sending_id', kind: 'int8', values: events.map((e) => e.sendingId) },
    { name: 'status', kind: 'text', values: events.map((e) => e.status) },
    { name: 'error', kind: 'text', values: events.map((e) => e.error) },
  ]);
  await sql`
    insert into callback_outbox
      (message_id, sending_id, status, error, event_at_us, next_attempt_at_us, created_at_us, updated_at_us)
    select e.message_id, e.sending_id, e.status, e.error, ${nowUs}, ${nowUs}, ${nowUs}, ${nowUs} from ${rows}`.execute(
    trx,
  );
}

/** Queues a received message for the account's inbound_url, inside the caller's transaction; none without a URL. */
export async function enqueueInboundCallback(
  trx: Transaction<Schema>,
  nowUs: number,
  inbound: { readonly id: number; readonly accountId: number },
): Promise<void> {
  await sql`
    insert into callback_outbox
      (inbound_id, url, status, event_at_us, next_attempt_at_us, created_at_us, updated_at_us)
    select ${inbound.id}, inbound_url, 'received', ${nowUs}, ${nowUs}, ${nowUs}, ${nowUs}
    from accounts where id = ${inbound.accountId} and inbound_url is not null`.execute(trx);
}

interface DeliveryHead {
  readonly id: number;
  /** POST attempts so far, this one included. */
  readonly attempt: number;
  readonly url: string;
  /** The account's current webhook secret. */
  readonly secret: string;
  /** The secret before the last rotation while its grace period runs (at the claim's time); null otherwise. */
  readonly previousSecret: string | null;
}

/** A status change to POST now, with what its body and signature are made of. */
export interface StatusCallbackDelivery extends DeliveryHead {
  readonly kind?: 'status';
  readonly sendingId: number;
  readonly messageId: number;
  readonly recipient: string;
  readonly status: MessageStatus;
  readonly error: string | null;
  readonly eventAtUs: number;
  readonly submittedAtUs: number | null;
  readonly finalAtUs: number | null;
}

/** A received message to POST now to the account's inbound_url. */
export interface InboundCallbackDelivery extends DeliveryHead {
  readonly kind: 'inbound';
  readonly inboundId: number;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly receivedAtUs: number;
  readonly keywordEffect: string | null;
}

export type CallbackDelivery = StatusCallbackDelivery | InboundCallbackDelivery;

export interface CallbackClaim {
  readonly nowUs: number;
  readonly limit: number;
  /** The claim hides the rows from other workers this long; a worker that dies leaves them to be POSTed again. */
  readonly claimUs: number;
}

type Attempts = ReadonlyMap<number, number>;

function secretsOf(
  row: {
    webhook_secret: string;
    webhook_secret_previous: string | null;
    webhook_secret_previous_until_us: number | string | null;
  },
  nowUs: number,
): Pick<DeliveryHead, 'secret' | 'previousSecret'> {
  return {
    secret: row.webhook_secret,
    previousSecret: previousWhileValid(row.webhook_secret_previous, row.webhook_secret_previous_until_us, nowUs)
      .previousSecret,
  };
}

const SECRET_COLUMNS = ['a.webhook_secret', 'a.webhook_secret_previous', 'a.webhook_secret_previous_until_us'] as const;

async function statusDeliveries(db: Db, attempts: Attempts, nowUs: number): Promise<StatusCallbackDelivery[]> {
  const rows = await db.kysely
    .selectFrom('callback_outbox as c')
    .innerJoin('messages as m', 'm.id', 'c.message_id')
    .innerJoin('sendings as s', 's.id', 'c.sending_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select([
      'c.id',
      'c.sending_id',
      'c.message_id',
      'c.status',
      'c.error',
      'c.event_at_us',
      'm.recipient',
      'm.submitted_at_us',
      'm.final_at_us',
      's.callback_url',
      ...SECRET_COLUMNS,
    ])
    // The claimed rows as a list to join from (each one's message, sending and account then found by key): with an
    // array comparison PostgreSQL may instead merge-join along the whole of sendings' key.
    .where(sql<boolean>`c.id in (${keyList(db.dialect, [...attempts.keys()])})`)
    .execute();
  return rows.map((row): StatusCallbackDelivery => {
    const id = intFrom(row.id);
    // A sending's callback_url never changes once stored; a row without one cannot have been queued.
    if (row.callback_url === null) throw new Error(`callback ${id} has a sending without callback_url`);
    return {
      id,
      attempt: attempts.get(id) ?? 1,
      url: row.callback_url,
      ...secretsOf(row, nowUs),
      sendingId: intFrom(row.sending_id as number | string),
      messageId: intFrom(row.message_id as number | string),
      recipient: row.recipient,
      status: messageStatusFrom(row.status),
      error: row.error,
      eventAtUs: intFrom(row.event_at_us),
      submittedAtUs: intOrNull(row.submitted_at_us),
      finalAtUs: intOrNull(row.final_at_us),
    };
  });
}

async function inboundDeliveries(db: Db, attempts: Attempts, nowUs: number): Promise<InboundCallbackDelivery[]> {
  const rows = await db.kysely
    .selectFrom('callback_outbox as c')
    .innerJoin('inbound_messages as i', 'i.id', 'c.inbound_id')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .select([
      'c.id',
      'c.url',
      'i.id as inbound_id',
      'i.from_phone',
      'i.to_number',
      'i.text',
      'i.received_at_us',
      'i.keyword_effect',
      ...SECRET_COLUMNS,
    ])
    .where(sql<boolean>`c.id in (${keyList(db.dialect, [...attempts.keys()])})`)
    .execute();
  return rows.map((row): InboundCallbackDelivery => {
    const id = intFrom(row.id);
    if (row.url === null) throw new Error(`inbound callback ${id} has no url`);
    return {
      kind: 'inbound',
      id,
      attempt: attempts.get(id) ?? 1,
      url: row.url,
      ...secretsOf(row, nowUs),
      inboundId: intFrom(row.inbound_id),
      from: row.from_phone,
      to: row.to_number,
      text: row.text,
      receivedAtUs: intFrom(row.received_at_us),
      keywordEffect: row.keyword_effect,
    };
  });
}

/**
 * Takes due callbacks for this worker, status changes and received messages alike: at-least-once delivery, so a crash
 * means a repeat, never a loss.
 */
export async function claimCallbacks(db: Db, claim: CallbackClaim): Promise<CallbackDelivery[]> {
  assertInt(claim.limit, 'limit', 1);
  const lock = db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  // Most rounds find none due: one read of the due index says so, without taking the write lock.
  const { rows: due } = await sql<{ id: number | string }>`
    select id from callback_outbox
    where state = 'pending' and next_attempt_at_us <= ${claim.nowUs}
    limit 1`.execute(db.kysely);
  if (due.length === 0) return [];
  const claimed = await db.transaction(async (trx) => {
    const { rows } = await sql<{ id: number | string; attempts: number; inbound_id: number | string | null }>`
        update callback_outbox
        set attempts = attempts + 1, next_attempt_at_us = ${claim.nowUs + claim.claimUs}, updated_at_us = ${claim.nowUs}
        where id ${inBatch(
          db.dialect,
          sql`select id from callback_outbox
            where state = 'pending' and next_attempt_at_us <= ${claim.nowUs}
            order by next_attempt_at_us, id
            limit ${claim.limit}
            ${lock}`,
        )}
        returning id, attempts, inbound_id`.execute(trx);
    return rows;
  });
  if (claimed.length === 0) return [];
  const ofKind = (inbound: boolean) =>
    new Map(claimed.filter((r) => (r.inbound_id !== null) === inbound).map((r) => [intFrom(r.id), r.attempts]));
  const statuses = ofKind(false);
  const received = ofKind(true);
  const deliveries: CallbackDelivery[] = [
    ...(statuses.size > 0 ? await statusDeliveries(db, statuses, claim.nowUs) : []),
    ...(received.size > 0 ? await inboundDeliveries(db, received, claim.nowUs) : []),
  ];
  return deliveries.sort((a, b) => a.id - b.id);
}

export type CallbackResult =
  | { readonly id: number; readonly delivered: true }
  /** `retryAtUs` null: no attempt left, the callback is abandoned. */
  | { readonly id: number; readonly delivered: false; readonly error: string; readonly retryAtUs: number | null };

/** Records how the POSTs went: delivered, to be tried again at a time, or abandoned. */
export async function recordCallbackResults(db: Db, nowUs: number, results: readonly CallbackResult[]): Promise<void> {
  if (results.length === 0) return;
  const rows = listRelation(db.dialect, 'r', [
    { name: 'id', kind: 'int8', values: results.map((r) => r.id) },
    { name: 'state', kind: 'text', values: results.map((r) => stateOf(r)) },
    { name: 'next_at', kind: 'int8', values: results.map((r) => (r.delivered ? nowUs : (r.retryAtUs ?? nowUs))) },
    { name: 'error', kind: 'text', values: results.map((r) => (r.delivered ? null : r.error)) },
  ]);
  const update =
    db.dialect === 'postgres'
      ? sql`
        update callback_outbox as c
        set state = r.state, next_attempt_at_us = r.next_at, last_error = r.error, updated_at_us = ${nowUs}
        from ${rows} where c.id = r.id and c.state = 'pending'`
      : sql`
        update callback_outbox
        set state = r.state, next_attempt_at_us = r.next_at, last_error = r.error, updated_at_us = ${nowUs}
        from ${rows} where callback_outbox.id = r.id and +callback_outbox.state = 'pending'`;
  await db.transaction((trx) => update.execute(trx));
}

function stateOf(result: CallbackResult): 'delivered' | 'pending' | 'abandoned' {
  if (result.delivered) return 'delivered';
  return result.retryAtUs === null ? 'abandoned' : 'pending';
}

export interface CallbackCounts {
  readonly pending: number;
  readonly delivered: number;
  readonly abandoned: number;
}

/** How the callbacks of one received message stand (for the operator and the tests). */
export async function inboundCallbackCounts(db: Db, inboundId: number): Promise<CallbackCounts> {
  const rows = await db.kysely
    .selectFrom('callback_outbox')
    .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
    .where('inbound_id', '=', inboundId)
    .groupBy('state')
    .execute();
  const count = (state: string) => intFrom(rows.find((r) => r.state === state)?.n ?? 0);
  return { pending: count('pending'), delivered: count('delivered'), abandoned: count('abandoned') };
}

/** How the callbacks of one sending stand (for the operator and the tests). */
export async function callbackCounts(db: Db, sendingId: number): Promise<CallbackCounts> {
  const rows = await db.kysely
    .selectFrom('callback_outbox')
    .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
    .where('sending_id', '=', sendingId)
    .groupBy('state')
    .execute();
  const count = (state: string) => intFrom(rows.find((r) => r.state === state)?.n ?? 0);
  return { pending: count('pending'), delivered: count('delivered'), abandoned: count('abandoned') };
}
