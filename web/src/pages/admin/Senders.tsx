// Operator: sender names customers requested; approve or reject the pending ones.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminSenderView, Page } from '../../../../src/http/dashboard/contract.js';
import { api, errorText } from '../../api.js';
import { type Column, PagedTable } from '../../components/PagedTable.js';
import { useToast } from '../../components/toast.js';
import { Badge, Card, EmptyState, ErrorBanner, PageHeader, SelectField, StatusBadge } from '../../components/ui.js';
import { dateTime } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

const PER_PAGE = 50;

export function AdminSendersPage() {
  const { t } = useTranslation();
  useTitle(t('adminSenders.title'));
  const columns: readonly Column[] = [
    { label: t('adminSenders.sender') },
    { label: t('adminSenders.account') },
    { label: t('adminSenders.requested') },
    { label: t('adminSenders.status') },
    { label: t('adminSenders.actions'), hidden: true },
  ];
  const toast = useToast();
  const [status, setStatus] = useState('pending');
  const [page, setPage] = useState(1);
  const senders = useResource<Page<AdminSenderView>>('/admin/senders', { status, page, per_page: PER_PAGE });
  const deciding = useSubmit(
    async (sender: AdminSenderView, decision: 'approve' | 'reject') => {
      const updated = await api.post<AdminSenderView>(`/admin/senders/${sender.id}/${decision}`);
      senders.setData((current) =>
        current ? { ...current, data: current.data.map((row) => (row.id === updated.id ? updated : row)) } : current,
      );
      toast(
        decision === 'approve'
          ? t('adminSenders.approved', { name: updated.name })
          : t('adminSenders.rejected', { name: updated.name }),
      );
    },
    {
      describeError: (caught, sender, decision) =>
        decision === 'approve'
          ? t('adminSenders.approveFailed', { name: sender.name, reason: errorText(caught) })
          : t('adminSenders.rejectFailed', { name: sender.name, reason: errorText(caught) }),
    },
  );
  const busyId = deciding.pending?.[0].id ?? null;
  const decide = deciding.run;

  return (
    <>
      <PageHeader title={t('adminSenders.title')} description={t('adminSenders.description')} />
      <Card
        actions={
          <SelectField
            label={t('adminSenders.status')}
            className="field-inline"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value);
              setPage(1);
            }}
          >
            <option value="pending">{t('status.pending')}</option>
            <option value="approved">{t('status.approved')}</option>
            <option value="rejected">{t('status.rejected')}</option>
            <option value="">{t('adminSenders.all')}</option>
          </SelectField>
        }
        title={t('adminSenders.requests')}
      >
        <ErrorBanner error={deciding.error} />
        <PagedTable
          list={senders}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel={t('adminSenders.pages')}
          loadingLabel={t('adminSenders.loading')}
          empty={
            <EmptyState title={status === 'pending' ? t('adminSenders.noPending') : t('adminSenders.none')}>
              {status === 'pending' ? t('adminSenders.emptyText') : undefined}
            </EmptyState>
          }
          caption={t('adminSenders.caption')}
          columns={columns}
          row={(sender) => (
            <>
              <th scope="row">{sender.name}</th>
              <td>
                {sender.platform ? (
                  <Badge tone="accent">{t('adminSenders.platformDefault')}</Badge>
                ) : (
                  <>
                    {sender.account_name ?? '—'}
                    {sender.account_id !== null && <span className="muted small"> #{sender.account_id}</span>}
                  </>
                )}
              </td>
              <td className="nowrap">{dateTime(sender.created_at)}</td>
              <td>
                <StatusBadge status={sender.status} />
              </td>
              <td className="actions">
                {sender.status === 'pending' && (
                  <>
                    <button
                      type="button"
                      className="btn btn-small btn-primary"
                      disabled={busyId === sender.id}
                      aria-label={t('adminSenders.approveNamed', { name: sender.name })}
                      onClick={() => void decide(sender, 'approve')}
                    >
                      {t('adminSenders.approve')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger-outline"
                      disabled={busyId === sender.id}
                      aria-label={t('adminSenders.rejectNamed', { name: sender.name })}
                      onClick={() => void decide(sender, 'reject')}
                    >
                      {t('adminSenders.reject')}
                    </button>
                  </>
                )}
              </td>
            </>
          )}
        />
      </Card>
    </>
  );
}
