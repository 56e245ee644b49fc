// An account's ledger entries as the dashboard lists and exports them: newest first, optionally of one kind.

import type { LedgerKind } from '../domain/ledger.js';
import type { Db } from './db.js';
import { entryFromRow, type LedgerEntry } from './ledger.js';
import { intFrom, pageWindow } from './values.js';

/** Entries read per statement when the whole history is exported. */
export const TRANSACTION_EXPORT_BATCH = 1000;

export async function listTransactions(
  db: Db,
  accountId: number,
  options: { readonly page: number; readonly perPage: number; readonly kind?: LedgerKind; readonly perPageMax: number },
): Promise<{ readonly rows: LedgerEntry[]; readonly total: number }> {
  const { limit, offset } = pageWindow(options, options.perPageMax);
  let base = db.kysely.selectFrom('ledger_entries').where('account_id', '=', accountId);
  if (options.kind !== undefined) base = base.where('kind', '=', options.kind);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(entryFromRow), total: intFrom(total.n) };
}

/** Every entry of the account, newest first, a batch at a time (keyset on the id, so later pages stay cheap). */
export async function* allTransactions(
  db: Db,
  accountId: number,
  kind: LedgerKind | undefined,
): AsyncGenerator<LedgerEntry[]> {
  let beforeId: number | null = null;
  for (;;) {
    let query = db.kysely.selectFrom('ledger_entries').selectAll().where('account_id', '=', accountId);
    if (kind !== undefined) query = query.where('kind', '=', kind);
    if (beforeId !== null) query = query.where('id', '<', beforeId);
    const rows = await query.orderBy('id', 'desc').limit(TRANSACTION_EXPORT_BATCH).execute();
    if (rows.length === 0) return;
    const entries = rows.map(entryFromRow);
    yield entries;
    if (rows.length < TRANSACTION_EXPORT_BATCH) return;
    beforeId = (entries.at(-1) as LedgerEntry).id;
  }
}
