// Operator: each provider's traffic and errors over the last hour.
import { useTranslation } from 'react-i18next';
import type { ProviderHealthView } from '../../../../src/http/dashboard/contract.js';
import { Icon } from '../../components/icons.js';
import { Badge, Card, EmptyState, ErrorBanner, Loading, PageHeader, type Translate } from '../../components/ui.js';
import { count, dateTime } from '../../format.js';
import { useInterval, useResource, useTitle } from '../../hooks.js';

const REFRESH_MS = 15_000;

function health(
  t: Translate,
  provider: ProviderHealthView,
): { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' } {
  if (!provider.configured) return { label: t('adminProviders.notConfigured'), tone: 'neutral' };
  const finished = provider.delivered_last_hour + provider.failed_last_hour;
  if (finished === 0) return { label: t('adminProviders.idle'), tone: 'neutral' };
  const failedShare = provider.failed_last_hour / finished;
  if (failedShare > 0.5) return { label: t('adminProviders.failing'), tone: 'danger' };
  if (failedShare > 0.1) return { label: t('adminProviders.degraded'), tone: 'warning' };
  return { label: t('adminProviders.healthy'), tone: 'success' };
}

export function AdminProvidersPage() {
  const { t } = useTranslation();
  useTitle(t('adminProviders.title'));
  const providers = useResource<{ data: ProviderHealthView[] }>('/admin/providers');
  useInterval(() => providers.reload(true), REFRESH_MS, true);
  const rows = providers.data?.data ?? [];

  return (
    <>
      <PageHeader
        title={t('adminProviders.title')}
        description={t('adminProviders.description')}
        actions={
          <button type="button" className="btn" onClick={() => providers.reload()}>
            <Icon name="refresh" size={16} />
            <span>{t('adminProviders.refresh')}</span>
          </button>
        }
      />
      <Card title={t('adminProviders.lastHour')}>
        <ErrorBanner error={providers.error} onRetry={() => providers.reload()} />
        {providers.loading && !providers.data ? (
          <Loading label={t('adminProviders.loading')} />
        ) : rows.length === 0 && !providers.error ? (
          <EmptyState title={t('adminProviders.none')} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('adminProviders.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('adminProviders.provider')}</th>
                  <th scope="col">{t('adminProviders.health')}</th>
                  <th scope="col" className="num">
                    {t('adminProviders.submitted')}
                  </th>
                  <th scope="col" className="num">
                    {t('adminProviders.delivered')}
                  </th>
                  <th scope="col" className="num">
                    {t('adminProviders.notDelivered')}
                  </th>
                  <th scope="col">{t('adminProviders.lastError')}</th>
                  <th scope="col">{t('adminProviders.lastActivity')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((provider) => {
                  const state = health(t, provider);
                  return (
                    <tr key={provider.name}>
                      <th scope="row">{provider.name}</th>
                      <td>
                        <Badge tone={state.tone}>{state.label}</Badge>
                      </td>
                      <td className="num">{count(provider.submitted_last_hour)}</td>
                      <td className="num">{count(provider.delivered_last_hour)}</td>
                      <td className="num">{count(provider.failed_last_hour)}</td>
                      <td className="cell-text">{provider.last_error ?? <span className="muted">—</span>}</td>
                      <td className="nowrap">{dateTime(provider.last_activity_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
