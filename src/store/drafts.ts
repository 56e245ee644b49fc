// Draft sendings: saved from the dashboard with their recipients aside and nothing reserved, sent later on the same id.
import type { SendingStatus } from '../domain/sending.js';
import type { Db } from './db.js';
import type { InsufficientBalance } from './ledger.js';
import { reserveForSending } from './reservations.js';
import {
  checkNewSending,
  holdUntilWindowOpens,
  insertSendingMessages,
  type MessageRows,
  type NewSending,
  type PricedSending,
  pendingColumns,
  type Sending,
  sendingFromRow,
} from './sendings.js';
import type { SpendLimitExceeded } from './spend-limits.js';
import { intFrom } from './values.js';

/** A draft as priced when saved: the counts and totals are a preview, priced again when it is sent. */
export interface DraftContent
  extends Pick<
    NewSending,
    | 'accountId'
    | 'text'
    | 'sender'
    | 'type'
    | 'encoding'
    | 'partsPerMessage'
    | 'smsCount'
    | 'subtotalMinor'
    | 'taxMinor'
    | 'totalMinor'
  > {
  /** When to send; null means as soon as it is sent. */
  readonly scheduledAtUs: number | null;
  /** Distinct recipients, digits only. */
  readonly recipients: readonly string[];
  /** `send_window` in its canonical form, kept until the draft is sent; null: any time. */
  readonly sendWindow: string | null;
  /** `validity_minutes`, counted from when the draft is due once sent; null: no limit. */
  readonly validityMinutes: number | null;
}

export interface Draft {
  readonly sending: Sending;
  readonly recipients: readonly string[];
}

type NotFound = { readonly ok: false; readonly reason: 'not_found' };
type NotDraft = { readonly ok: false; readonly reason: 'not_draft'; readonly status: SendingStatus };

export type UpdateDraftResult = { readonly ok: true; readonly sending: Sending } | NotFound | NotDraft;
export type DeleteDraftResult = { readonly ok: true } | NotFound | NotDraft;

/** What sending a draft stores: the draft priced again, as `createSending` takes it. */
export interface DraftSend extends Omit<PricedSending, 'scheduledAtUs'> {
  readonly accountId: number;
  readonly sendingId: number;
  /** The draft's `updatedAtUs` when it was read and priced: a draft edited since is not sent. */
  readonly expectedUpdatedAtUs: number;
  /** When to send; null means now. */
  readonly scheduledAtUs: number | null;
  readonly messages: MessageRows;
  /** Recipients on the suppression list now: stored `suppressed`, costing nothing (as `NewSending.suppressed`). */
  readonly suppressed?: NewSending['suppressed'];
}

export type SendDraftResult =
  | { readonly ok: true; readonly sending: Sending; readonly balanceMinor: number }
  | NotFound
  | NotDraft
  | { readonly ok: false; readonly reason: 'changed' }
  | InsufficientBalance
  | SpendLimitExceeded;

function checkContent(content: DraftContent): void {
  if (content.recipients.length === 0) throw new RangeError('a draft has at least one recipient');
  checkNewSending({ ...content, recipients: content.recipients.length });
}

function sendingColumns(content: DraftContent, nowUs: number) {
  return {
    text: content.text,
    sender: content.sender,
    type: content.type,
    scheduled_at_us: content.scheduledAtUs ?? nowUs,
    recipients_count: content.recipients.length,
    sms_parts_total: content.smsCount,
    encoding: content.encoding,
    parts_per_message: content.partsPerMessage,
    subtotal_minor: content.subtotalMinor,
    tax_minor: content.taxMinor,
    total_minor: content.totalMinor,
    // Kept on the draft's row as on a sending's; its end of validity is set only when it is sent.
    send_window: content.sendWindow,
    validity_minutes: content.validityMinutes,
  };
}

/** Stores a new Draft sending and its recipients; nothing is reserved. */
export async function saveDraft(db: Db, content: DraftContent): Promise<Sending> {
  checkContent(content);
  return db.transaction(async (trx) => {
    const nowUs = db.nowUs();
    const row = await trx
      .insertInto('sendings')
      .values({
        account_id: content.accountId,
        status: 'Draft',
        created_at_us: nowUs,
        updated_at_us: nowUs,
        ...sendingColumns(content, nowUs),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const sending = sendingFromRow(row);
    await trx
      .insertInto('sending_drafts')
      .values({
        sending_id: sending.id,
        recipients: content.recipients.join('\n'),
        created_at_us: nowUs,
        updated_at_us: nowUs,
      })
      .execute();
    return sending;
  });
}

/** Replaces a Draft's content (the account's own; anything but a Draft is left as it is). */
export async function updateDraft(db: Db, sendingId: number, content: DraftContent): Promise<UpdateDraftResult> {
  checkContent(content);
  return db.transaction(async (trx): Promise<UpdateDraftResult> => {
    const nowUs = db.nowUs();
    const current = await trx
      .selectFrom('sendings')
      .select(['status', 'updated_at_us', 'created_at_us'])
      .where('id', '=', sendingId)
      .where('account_id', '=', content.accountId)
      .executeTakeFirst();
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.status !== 'Draft') return { ok: false, reason: 'not_draft', status: current.status as SendingStatus };
    // Strictly later than before, even within one clock tick, so that a sender holding the old version notices.
    const updatedAtUs = Math.max(nowUs, intFrom(current.updated_at_us) + 1);
    // "At once" keeps reading as its creation time, as when the draft was first saved.
    const row = await trx
      .updateTable('sendings')
      .set({ ...sendingColumns(content, intFrom(current.created_at_us)), updated_at_us: updatedAtUs })
      .where('id', '=', sendingId)
      .where('status', '=', 'Draft')
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('sending_drafts')
      .set({ recipients: content.recipients.join('\n'), updated_at_us: nowUs })
      .where('sending_id', '=', sendingId)
      .execute();
    return { ok: true, sending: sendingFromRow(row) };
  });
}

/** One of the account's Drafts with its recipients; undefined when it has no such sending or it is no Draft. */
export async function readDraft(db: Db, accountId: number, sendingId: number): Promise<Draft | undefined> {
  return db.transaction(
    async (trx) => {
      const row = await trx
        .selectFrom('sendings')
        .selectAll()
        .where('id', '=', sendingId)
        .where('account_id', '=', accountId)
        .where('status', '=', 'Draft')
        .executeTakeFirst();
      if (!row) return undefined;
      const draft = await trx
        .selectFrom('sending_drafts')
        .select('recipients')
        .where('sending_id', '=', sendingId)
        .executeTakeFirstOrThrow();
      return { sending: sendingFromRow(row), recipients: draft.recipients === '' ? [] : draft.recipients.split('\n') };
    },
    { readOnly: true, snapshot: true },
  );
}

/**
 * Sends a Draft: in one transaction, as `createSending` does for a new sending, its cost is reserved, its messages
 * stored and its status set to Pending, on the same sending id. Not enough balance → `insufficient_balance`, and
 * the draft stays as it was. A draft sent, deleted or edited since it was read is not sent twice or stale.
 */
export async function sendDraft(db: Db, input: DraftSend): Promise<SendDraftResult> {
  checkNewSending(input);
  return db.transaction(async (trx): Promise<SendDraftResult> => {
    const nowUs = db.nowUs();
    // The sending row is locked before the account row (the store's lock order on PostgreSQL).
    let select = trx
      .selectFrom('sendings')
      .select(['status', 'updated_at_us'])
      .where('id', '=', input.sendingId)
      .where('account_id', '=', input.accountId);
    if (db.dialect === 'postgres') select = select.forUpdate();
    const current = await select.executeTakeFirst();
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.status !== 'Draft') return { ok: false, reason: 'not_draft', status: current.status as SendingStatus };
    if (intFrom(current.updated_at_us) !== input.expectedUpdatedAtUs) return { ok: false, reason: 'changed' };

    const reserved = await reserveForSending(trx, db.dialect, nowUs, input.accountId, input.totalMinor, async () => {
      const row = await trx
        .updateTable('sendings')
        .set({
          ...pendingColumns(input, nowUs),
        })
        .where('id', '=', input.sendingId)
        .where('status', '=', 'Draft')
        .returningAll()
        .executeTakeFirstOrThrow();
      return sendingFromRow(row);
    });
    if (!reserved.ok) {
      // The draft's row, read above under its lock, holds its account: a missing one is a broken database.
      if (reserved.reason === 'account_not_found') throw new Error(`account ${input.accountId} of a draft is missing`);
      return reserved;
    }
    await insertSendingMessages(trx, db.dialect, reserved.sending.id, nowUs, input);
    await holdUntilWindowOpens(trx, db.dialect, nowUs, reserved.sending, input.sendWindow ?? null);
    await trx.deleteFrom('sending_drafts').where('sending_id', '=', reserved.sending.id).execute();
    return reserved;
  });
}

/** Deletes one of the account's Drafts (nothing was reserved, so nothing is refunded). */
export async function deleteDraft(db: Db, accountId: number, sendingId: number): Promise<DeleteDraftResult> {
  return db.transaction(async (trx): Promise<DeleteDraftResult> => {
    let select = trx
      .selectFrom('sendings')
      .select('status')
      .where('id', '=', sendingId)
      .where('account_id', '=', accountId);
    if (db.dialect === 'postgres') select = select.forUpdate();
    const current = await select.executeTakeFirst();
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.status !== 'Draft') return { ok: false, reason: 'not_draft', status: current.status as SendingStatus };
    await trx.deleteFrom('sending_drafts').where('sending_id', '=', sendingId).execute();
    await trx.deleteFrom('sendings').where('id', '=', sendingId).where('status', '=', 'Draft').execute();
    return { ok: true };
  });
}
