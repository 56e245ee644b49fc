// An account's ledger as its owner sees it: paged, filtered by kind, or all of it as CSV.
import type { Page, TransactionView } from '../dashboard/contract.js';
import { ValidationErrors } from '../domain/texts.js';
import { DASHBOARD_PER_PAGE_MAX } from '../store/campaigns.js';
import type { LedgerKind } from '../store/ledger.js';
import { allTransactions, listTransactions } from '../store/transactions.js';
import type { Actor, UseCaseContext } from './context.js';
import { TRANSACTION_CSV_HEADER, transactionCsvLine, transactionView } from './dashboard-views.js';
import { type Fields, oneOfField, pageField, pageOf } from './form-fields.js';
import { invalid, type Outcome, ok } from './outcome.js';

const LEDGER_KINDS: readonly LedgerKind[] = ['credit', 'debit', 'reservation', 'refund'];

export function createTransactionServices({ deps: { db } }: UseCaseContext) {
  return {
    async transactions(actor: Actor, fields: Fields): Promise<Outcome<Page<TransactionView>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listTransactions(db, actor.account.id, {
        ...page,
        perPageMax: DASHBOARD_PER_PAGE_MAX,
        ...(kind !== undefined && { kind }),
      });
      return ok(pageOf(found.rows.map(transactionView), page, found.total));
    },

    /** Every transaction as CSV lines (header first), read a batch at a time. */
    transactionsCsv(actor: Actor, fields: Fields): Outcome<AsyncIterable<string>> {
      const errors = new ValidationErrors();
      const kind = oneOfField(fields, 'kind', LEDGER_KINDS, errors);
      if (!errors.empty) return invalid(errors);
      const accountId = actor.account.id;
      async function* lines(): AsyncGenerator<string> {
        yield `${TRANSACTION_CSV_HEADER}\r\n`;
        for await (const batch of allTransactions(db, accountId, kind)) {
          yield batch.map((entry) => `${transactionCsvLine(entry)}\r\n`).join('');
        }
      }
      return ok(lines());
    },
  };
}
