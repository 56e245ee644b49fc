// An account's ledger as its owner sees it: paged, filtered by kind, or all of it as CSV.

import { LEDGER_KINDS } from '../domain/ledger.js';
import { ValidationErrors } from '../domain/texts.js';
import { DASHBOARD_PER_PAGE_MAX } from '../store/campaigns.js';
import type { LedgerEntry } from '../store/ledger.js';
import { allTransactions, listTransactions } from '../store/transactions.js';
import type { Actor, UseCaseContext } from './context.js';
import { type Fields, oneOfField, type PageOf, pageField, pageOf } from './form-fields.js';
import { invalid, type Outcome, ok } from './outcome.js';

export function createTransactionServices({ deps: { db } }: UseCaseContext) {
  return {
    async transactions(actor: Actor, fields: Fields): Promise<Outcome<PageOf<LedgerEntry>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listTransactions(db, actor.account.id, {
        ...page,
        perPageMax: DASHBOARD_PER_PAGE_MAX,
        ...(kind !== undefined && { kind }),
      });
      return ok(pageOf(found.rows, page, found.total));
    },

    /** Every transaction of the account, oldest first, read a batch at a time. */
    allTransactions(actor: Actor, fields: Fields): Outcome<AsyncIterable<readonly LedgerEntry[]>> {
      const errors = new ValidationErrors();
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      return ok(allTransactions(db, actor.account.id, kind));
    },
  };
}
