// Balance and the ledger: every credit, reservation, debit and refund, newest first, filterable and exportable.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Page, TransactionKind, TransactionView } from '../../../src/http/dashboard/contract.js';
import { apiUrl } from '../api.js';
import { Icon } from '../components/icons.js';
import { type Column, PagedTable } from '../components/PagedTable.js';
import { Card, EmptyState, PageHeader, SelectField, StatusBadge } from '../components/ui.js';
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
const COLUMNS: readonly Column[] = [
  { label: 'Date' },
  { label: 'Kind' },
  { label: 'Amount', num: true },
  { label: 'Balance after', num: true },
  { label: 'Sending' },
  { label: 'Note' },
];

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
        <PagedTable
          list={ledger}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel="Transactions pages"
          loadingLabel="Loading transactions…"
          empty={
            <EmptyState title={kind ? 'No transactions of this kind' : 'No transactions yet'}>
              Credits and sendings appear here.
            </EmptyState>
          }
          caption="Transactions, newest first"
          columns={COLUMNS}
          row={(row) => (
            <>
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
            </>
          )}
        />
      </Card>
    </>
  );
}
