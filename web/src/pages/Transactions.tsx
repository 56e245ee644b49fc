// Balance and the ledger: every credit, reservation, debit and refund, newest first, filterable and exportable.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Page, TransactionKind, TransactionView } from '../../../src/http/dashboard/contract.js';
import { apiUrl } from '../api.js';
import { Icon } from '../components/icons.js';
import { type Column, PagedTable } from '../components/PagedTable.js';
import {
  Card,
  EmptyState,
  PageHeader,
  SelectField,
  StatusBadge,
  statusText,
  type Translate,
} from '../components/ui.js';
import { dateTime, money } from '../format.js';
import { useResource, useTitle } from '../hooks.js';
import { useMe, useSession } from '../session.js';

const KINDS: readonly TransactionKind[] = ['credit', 'reservation', 'debit', 'refund'];
const PER_PAGE = 25;
const columns = (t: Translate): readonly Column[] => [
  { label: t('transactions.date') },
  { label: t('transactions.kind') },
  { label: t('transactions.amount'), num: true },
  { label: t('transactions.balanceAfter'), num: true },
  { label: t('transactions.sending') },
  { label: t('transactions.note') },
];

export function TransactionsPage() {
  const { t } = useTranslation();
  useTitle(t('nav.transactions'));
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
        title={t('nav.transactions')}
        description={t('transactions.description')}
        actions={
          <a className="btn" href={apiUrl('/transactions.csv', { kind })} download>
            <Icon name="download" size={16} />
            <span>{t('transactions.exportCsv')}</span>
          </a>
        }
      />
      <div className="grid grid-3">
        <Card title={t('transactions.currentBalance')} className="card-balance">
          <p className="big-number">{money(me.account.balance, sign)}</p>
          <p className="muted">{me.account.currency}</p>
        </Card>
        <Card title={t('transactions.taxRate')}>
          <p className="big-number big-number-small">{me.account.tax_rate}%</p>
          <p className="muted">{t('transactions.taxRateText')}</p>
        </Card>
        <Card title={t('transactions.topUp')}>
          <p className="muted">{t('transactions.topUpText')}</p>
        </Card>
      </div>
      <Card
        title={t('transactions.title')}
        actions={
          <SelectField
            label={t('transactions.kind')}
            className="field-inline"
            value={kind}
            onChange={(event) => {
              setKind(event.target.value as TransactionKind | '');
              setPage(1);
            }}
          >
            <option value="">{t('transactions.allKinds')}</option>
            {KINDS.map((option) => (
              <option key={option} value={option}>
                {statusText(t, option)}
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
          pagerLabel={t('transactions.pages')}
          loadingLabel={t('transactions.loading')}
          empty={
            <EmptyState title={kind ? t('transactions.noneOfKind') : t('transactions.noneYet')}>
              {t('transactions.emptyText')}
            </EmptyState>
          }
          caption={t('transactions.caption')}
          columns={columns(t)}
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
