// Home: the balance, quick links and the latest campaigns.
import { useEffect } from 'react';
import { Link } from 'react-router';
import type { CampaignView, Page } from '../../../src/http/dashboard/contract.js';
import { Icon } from '../components/icons.js';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, StatusBadge } from '../components/ui.js';
import { count, dateTime, money, truncate } from '../format.js';
import { useResource, useTitle } from '../hooks.js';
import { useMe, useSession } from '../session.js';

/** A new account (nothing sent yet) is welcomed and pointed at its first message; one that has sent, welcomed back. */
function greeting(name: string, campaigns: number | undefined): string {
  if (campaigns === undefined) return name;
  return campaigns === 0
    ? `Welcome to SMSgic, ${name}: compose your first message to get started.`
    : `Welcome back to ${name}.`;
}

export function OverviewPage() {
  useTitle('Overview');
  const me = useMe();
  const { refresh } = useSession();
  const recent = useResource<Page<CampaignView>>('/sendings', { page: 1, per_page: 5 });

  // The balance in the session may be older than this visit.
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const campaigns = recent.data?.data ?? [];
  const delivered = campaigns.reduce((sum, campaign) => sum + campaign.counts.delivered, 0);
  const messages = campaigns.reduce((sum, campaign) => sum + campaign.recipients, 0);

  return (
    <>
      <PageHeader
        title="Overview"
        description={greeting(me.account.name, recent.data?.total)}
        actions={
          <Link to="/compose" className="btn btn-primary">
            <Icon name="send" size={16} />
            <span>New message</span>
          </Link>
        }
      />
      <div className="grid grid-3">
        <Card title="Balance" className="card-balance">
          <p className="big-number" aria-live="polite">
            {money(me.account.balance, me.account.sign)}
          </p>
          <p className="muted">
            {me.account.currency} · tax rate {me.account.tax_rate}%
          </p>
          <Link to="/transactions" className="card-link">
            View transactions
          </Link>
        </Card>
        <Card title="Recent activity">
          <dl className="mini-stats">
            <div>
              <dt>Campaigns</dt>
              <dd>{recent.data ? count(recent.data.total) : '—'}</dd>
            </div>
            <div>
              <dt>Recipients (last 5)</dt>
              <dd>{count(messages)}</dd>
            </div>
            <div>
              <dt>Delivered (last 5)</dt>
              <dd>{count(delivered)}</dd>
            </div>
          </dl>
        </Card>
        <Card title="Quick links">
          <ul className="quick-links">
            <li>
              <Link to="/compose">
                <Icon name="send" /> Compose a message
              </Link>
            </li>
            <li>
              <Link to="/tokens">
                <Icon name="key" /> Create an API token
              </Link>
            </li>
            <li>
              <Link to="/senders">
                <Icon name="tag" /> Request a sender name
              </Link>
            </li>
            <li>
              <Link to="/rates">
                <Icon name="globe" /> Check rates
              </Link>
            </li>
          </ul>
        </Card>
      </div>
      <Card
        title="Recent campaigns"
        actions={
          <Link to="/campaigns" className="btn btn-small">
            View all
          </Link>
        }
      >
        <ErrorBanner error={recent.error} onRetry={() => recent.reload()} />
        {recent.loading && !recent.data ? (
          <Loading label="Loading campaigns…" />
        ) : campaigns.length === 0 && !recent.error ? (
          <EmptyState
            title="No campaigns yet"
            action={
              <Link to="/compose" className="btn btn-primary">
                Compose your first message
              </Link>
            }
          >
            Messages you send from here or through the API appear in this list.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">The five latest campaigns</caption>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Message</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col" className="num">
                    Recipients
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                </tr>
              </thead>
              <tbody>
                {campaigns.map((campaign) => (
                  <tr key={campaign.id}>
                    <th scope="row">
                      <Link to={`/campaigns/${campaign.id}`}>#{campaign.id}</Link>
                    </th>
                    <td className="cell-text">{truncate(campaign.text, 60)}</td>
                    <td>
                      <StatusBadge status={campaign.status} />
                    </td>
                    <td className="nowrap">{dateTime(campaign.created_at)}</td>
                    <td className="num">{count(campaign.recipients)}</td>
                    <td className="num">{money(campaign.total, me.account.sign)}</td>
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
