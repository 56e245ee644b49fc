// Balance and the ledger: every credit, reservation, debit and refund, newest first, filterable and exportable.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Page, TransactionKind, TransactionView } from '../../../src/http/dashboard/contract.js';
import { apiUrl } from '../api.js';
import { Icon } from '../components/icons.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  Pagination,
  SelectField,
  StatusBadge,
} from '../components/ui.js';
import { dateTime, money } from '../format.js';
import { useResource, useTitle } from '../hooks.js';
import { useMe, useSession } from '../session.js';

const KINDS: readonly { readonly value: TransactionKind; readonly label: string }[] = [
  { value: 'credit', label: 'Credit' },
  { value: 'reservation', label: 'Reservation' },
  { value: 'debit', label: 'Debit' },
  { value: 'refund', label: 'Refund' },
];
const PER_PAGE = 25;

export function TransactionsPage() {
  useTitle('Balance & transactions');
  const me = useMe();
  const { refresh } = useSession();
  const [kind, setKind] = useState<TransactionKind | ''>('');
  const [page, setPage] = useState(1);
  const ledger = useResource<Page<TransactionView>>('/transactions', { page, per_page: PER_PAGE, kind });

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const rows = ledger.data?.data ?? [];
  const sign = me.account.sign;
  return (
    <>
      <PageHeader
        title="Balance & transactions"
        description="Every change to your balance: credits, reservations for sendings, and refunds."
        actions={
          <a className="btn" href={apiUrl('/transactions.csv', { kind })} download>
            <Icon name="download" size={16} />
            <span>Export CSV</span>
          </a>
        }
      />
      <div className="grid grid-3">
        <Card title="Current balance" className="card-balance">
          <p className="big-number">{money(me.account.balance, sign)}</p>
          <p className="muted">{me.account.currency}</p>
        </Card>
        <Card title="Tax rate">
          <p className="big-number big-number-small">{me.account.tax_rate}%</p>
          <p className="muted">Added to the price of every sending.</p>
        </Card>
        <Card title="Top up">
          <p className="muted">Credit is added by the SMSgic team. Contact your account manager to top up.</p>
        </Card>
      </div>
      <Card
        title="Transactions"
        actions={
          <SelectField
            label="Kind"
            className="field-inline"
            value={kind}
            onChange={(event) => {
              setKind(event.target.value as TransactionKind | '');
              setPage(1);
            }}
          >
            <option value="">All kinds</option>
            {KINDS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </SelectField>
        }
      >
        <ErrorBanner error={ledger.error} onRetry={() => ledger.reload()} />
        {ledger.loading && !ledger.data ? (
          <Loading label="Loading transactions…" />
        ) : rows.length === 0 && !ledger.error ? (
          <EmptyState title={kind ? 'No transactions of this kind' : 'No transactions yet'}>
            Credits and sendings appear here.
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Transactions, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Kind</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col" className="num">
                      Balance after
                    </th>
                    <th scope="col">Sending</th>
                    <th scope="col">Note</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.id}>
                      <td className="nowrap">{dateTime(row.created_at)}</td>
                      <td>
                        <StatusBadge status={row.kind} />
                      </td>
                      <td className={`num ${row.amount.startsWith('-') ? 'amount-negative' : 'amount-positive'}`}>
                        {row.amount.startsWith('-') ? '' : '+'}
                        {money(row.amount, sign)}
                      </td>
                      <td className="num">{money(row.balance_after, sign)}</td>
                      <td>
                        {row.sending_id !== null ? (
                          <Link to={`/campaigns/${row.sending_id}`}>#{row.sending_id}</Link>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="cell-text">{row.note ?? <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination
              page={page}
              perPage={PER_PAGE}
              total={ledger.data?.total ?? 0}
              onPage={setPage}
              label="Transactions pages"
            />
          </>
        )}
      </Card>
    </>
  );
}
