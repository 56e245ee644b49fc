// Operator: sender names customers requested; approve or reject the pending ones.
import { useState } from 'react';
import type { AdminSenderView, Page } from '../../../../src/http/dashboard/contract.js';
import { api, errorText } from '../../api.js';
import { type Column, PagedTable } from '../../components/PagedTable.js';
import { useToast } from '../../components/toast.js';
import { Badge, Card, EmptyState, ErrorBanner, PageHeader, SelectField, StatusBadge } from '../../components/ui.js';
import { dateTime } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

const PER_PAGE = 50;
const COLUMNS: readonly Column[] = [
  { label: 'Sender' },
  { label: 'Account' },
  { label: 'Requested' },
  { label: 'Status' },
  { label: 'Actions', hidden: true },
];

export function AdminSendersPage() {
  useTitle('Sender approvals');
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
      toast(`Sender “${updated.name}” ${decision === 'approve' ? 'approved' : 'rejected'}.`);
    },
    { describeError: (caught, sender, decision) => `Could not ${decision} “${sender.name}”: ${errorText(caught)}` },
  );
  const busyId = deciding.pending?.[0].id ?? null;
  const decide = deciding.run;

  return (
    <>
      <PageHeader
        title="Sender approvals"
        description="Check that a requested name belongs to the customer before approving it."
      />
      <Card
        actions={
          <SelectField
            label="Status"
            className="field-inline"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value);
              setPage(1);
            }}
          >
            <option value="pending">Pending</option>
            <option value="approved">Approved</option>
            <option value="rejected">Rejected</option>
            <option value="">All</option>
          </SelectField>
        }
        title="Requests"
      >
        <ErrorBanner error={deciding.error} />
        <PagedTable
          list={senders}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel="Sender pages"
          loadingLabel="Loading senders…"
          empty={
            <EmptyState title={status === 'pending' ? 'No pending requests' : 'No senders'}>
              {status === 'pending' ? 'New requests from customers appear here.' : undefined}
            </EmptyState>
          }
          caption="Sender names"
          columns={COLUMNS}
          row={(sender) => (
            <>
              <th scope="row">{sender.name}</th>
              <td>
                {sender.platform ? (
                  <Badge tone="accent">Platform default</Badge>
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
                      aria-label={`Approve ${sender.name}`}
                      onClick={() => void decide(sender, 'approve')}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger-outline"
                      disabled={busyId === sender.id}
                      aria-label={`Reject ${sender.name}`}
                      onClick={() => void decide(sender, 'reject')}
                    >
                      Reject
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
