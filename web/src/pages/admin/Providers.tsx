// Operator: each provider's traffic and errors over the last hour.
import { NOT_DELIVERED_LABEL } from '../../../../src/domain/status.js';
import type { ProviderHealthView } from '../../../../src/http/dashboard/contract.js';
import { Icon } from '../../components/icons.js';
import { Badge, Card, EmptyState, ErrorBanner, Loading, PageHeader } from '../../components/ui.js';
import { count, dateTime } from '../../format.js';
import { useInterval, useResource, useTitle } from '../../hooks.js';

const REFRESH_MS = 15_000;

function health(provider: ProviderHealthView): { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' } {
  if (!provider.configured) return { label: 'Not configured', tone: 'neutral' };
  const finished = provider.delivered_last_hour + provider.failed_last_hour;
  if (finished === 0) return { label: 'Idle', tone: 'neutral' };
  const failedShare = provider.failed_last_hour / finished;
  if (failedShare > 0.5) return { label: 'Failing', tone: 'danger' };
  if (failedShare > 0.1) return { label: 'Degraded', tone: 'warning' };
  return { label: 'Healthy', tone: 'success' };
}

export function AdminProvidersPage() {
  useTitle('Provider health');
  const providers = useResource<{ data: ProviderHealthView[] }>('/admin/providers');
  useInterval(() => providers.reload(true), REFRESH_MS, true);
  const rows = providers.data?.data ?? [];

  return (
    <>
      <PageHeader
        title="Provider health"
        description="Messages each provider took, delivered and did not deliver in the last hour. Refreshed every 15 seconds."
        actions={
          <button type="button" className="btn" onClick={() => providers.reload()}>
            <Icon name="refresh" size={16} />
            <span>Refresh</span>
          </button>
        }
      />
      <Card title="Last hour">
        <ErrorBanner error={providers.error} onRetry={() => providers.reload()} />
        {providers.loading && !providers.data ? (
          <Loading label="Loading providers…" />
        ) : rows.length === 0 && !providers.error ? (
          <EmptyState title="No providers" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Providers over the last hour</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Health</th>
                  <th scope="col" className="num">
                    Submitted
                  </th>
                  <th scope="col" className="num">
                    Delivered
                  </th>
                  <th scope="col" className="num">
                    {NOT_DELIVERED_LABEL}
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">Last activity</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((provider) => {
                  const state = health(provider);
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
