// Sender names: the account's own (any status) and the platform's defaults; request a new one for approval.
import type { FormEvent } from 'react';
import { useState } from 'react';
import type { SenderView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { Icon } from '../components/icons.js';
import { useToast } from '../components/toast.js';
import {
  Badge,
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  StatusBadge,
  TextField,
} from '../components/ui.js';
import { dateTime } from '../format.js';
import { useResource, useSubmit, useTitle } from '../hooks.js';

export function SendersPage() {
  useTitle('Senders');
  const toast = useToast();
  const senders = useResource<{ data: SenderView[] }>('/senders');
  const [name, setName] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const sender = await api.post<SenderView>('/senders', { name: name.trim() });
    senders.setData((current) => (current ? { data: [sender, ...current.data] } : { data: [sender] }));
    setName('');
    toast(`Sender “${sender.name}” requested: it is pending approval.`);
  });

  const request = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  const list = senders.data?.data ?? [];
  return (
    <>
      <PageHeader
        title="Senders"
        description="The name or number your recipients see as the sender. New names are checked by our team before use."
      />
      <Card title="Request a sender name">
        <form className="inline-form" onSubmit={request} noValidate>
          <TextField
            label="Sender name"
            name="name"
            placeholder="e.g. MegaShop"
            hint="Up to 11 letters, digits, spaces or . - & _ (with at least one letter), or a number of up to 16 digits."
            value={name}
            maxLength={17}
            onChange={(event) => setName(event.target.value)}
            errors={fieldErrors(error, 'name', 'sender')}
          />
          <button type="submit" className="btn btn-primary inline-submit" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? 'Requesting…' : 'Request sender'}</span>
          </button>
        </form>
        <ErrorBanner error={formLevelError(error, ['name', 'sender'])} />
      </Card>
      <Card title="Your senders">
        <ErrorBanner error={senders.error} onRetry={() => senders.reload()} />
        {senders.loading && !senders.data ? (
          <Loading label="Loading senders…" />
        ) : list.length === 0 && !senders.error ? (
          <EmptyState title="No senders yet">Request a sender name above.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Sender names</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col">Requested</th>
                </tr>
              </thead>
              <tbody>
                {list.map((sender) => (
                  <tr key={sender.id}>
                    <th scope="row">{sender.name}</th>
                    <td>
                      <StatusBadge status={sender.status} />
                    </td>
                    <td>{sender.platform ? <Badge tone="accent">Platform default</Badge> : 'Your own'}</td>
                    <td className="nowrap">{dateTime(sender.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
