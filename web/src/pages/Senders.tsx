// Sender names: the account's own (any status) and the platform's defaults; request a new one for approval.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  useTitle(t('nav.senders'));
  const toast = useToast();
  const senders = useResource<{ data: SenderView[] }>('/senders');
  const [name, setName] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const sender = await api.post<SenderView>('/senders', { name: name.trim() });
    senders.setData((current) => (current ? { data: [sender, ...current.data] } : { data: [sender] }));
    setName('');
    toast(t('senders.requested', { name: sender.name }));
  });

  const request = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  const list = senders.data?.data ?? [];
  return (
    <>
      <PageHeader title={t('nav.senders')} description={t('senders.description')} />
      <Card title={t('overview.requestSender')}>
        <form className="inline-form" onSubmit={request} noValidate>
          <TextField
            label={t('senders.senderName')}
            name="name"
            placeholder={t('senders.placeholder')}
            hint={t('senders.hint')}
            value={name}
            maxLength={17}
            onChange={(event) => setName(event.target.value)}
            errors={fieldErrors(error, 'name', 'sender')}
          />
          <button type="submit" className="btn btn-primary inline-submit" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? t('senders.requesting') : t('senders.request')}</span>
          </button>
        </form>
        <ErrorBanner error={formLevelError(error, ['name', 'sender'])} />
      </Card>
      <Card title={t('senders.yours')}>
        <ErrorBanner error={senders.error} onRetry={() => senders.reload()} />
        {senders.loading && !senders.data ? (
          <Loading label={t('compose.loadingSenders')} />
        ) : list.length === 0 && !senders.error ? (
          <EmptyState title={t('senders.noneYet')}>{t('senders.emptyText')}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('senders.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('senders.name')}</th>
                  <th scope="col">{t('campaigns.status')}</th>
                  <th scope="col">{t('senders.type')}</th>
                  <th scope="col">{t('senders.requestedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((sender) => (
                  <tr key={sender.id}>
                    <th scope="row">{sender.name}</th>
                    <td>
                      <StatusBadge status={sender.status} />
                    </td>
                    <td>
                      {sender.platform ? (
                        <Badge tone="accent">{t('senders.platformDefault')}</Badge>
                      ) : (
                        t('senders.yourOwn')
                      )}
                    </td>
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
