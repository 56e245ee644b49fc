// Home: the balance, quick links and the latest campaigns.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { CampaignView, Page } from '../../../src/http/dashboard/contract.js';
import { Icon } from '../components/icons.js';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, StatusBadge } from '../components/ui.js';
import { count, dateTime, money, truncate } from '../format.js';
import { useResource, useTitle } from '../hooks.js';
import { useMe, useSession } from '../session.js';

/** A new account (nothing sent yet) is welcomed and pointed at its first message; one that has sent, welcomed back. */
function greeting(t: ReturnType<typeof useTranslation>['t'], name: string, campaigns: number | undefined): string {
  if (campaigns === undefined) return name;
  return campaigns === 0 ? t('overview.welcomeNew', { name }) : t('overview.welcomeBack', { name });
}

export function OverviewPage() {
  const { t } = useTranslation();
  useTitle(t('nav.overview'));
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
        title={t('nav.overview')}
        description={greeting(t, me.account.name, recent.data?.total)}
        actions={
          <Link to="/compose" className="btn btn-primary">
            <Icon name="send" size={16} />
            <span>{t('overview.newMessage')}</span>
          </Link>
        }
      />
      <div className="grid grid-3">
        <Card title={t('overview.balance')} className="card-balance">
          <p className="big-number" aria-live="polite">
            {money(me.account.balance, me.account.sign)}
          </p>
          <p className="muted">
            {t('overview.currencyAndTax', { currency: me.account.currency, rate: me.account.tax_rate })}
          </p>
          <Link to="/transactions" className="card-link">
            {t('overview.viewTransactions')}
          </Link>
        </Card>
        <Card title={t('overview.recentActivity')}>
          <dl className="mini-stats">
            <div>
              <dt>{t('nav.campaigns')}</dt>
              <dd>{recent.data ? count(recent.data.total) : '—'}</dd>
            </div>
            <div>
              <dt>{t('overview.recipientsLast5')}</dt>
              <dd>{count(messages)}</dd>
            </div>
            <div>
              <dt>{t('overview.deliveredLast5')}</dt>
              <dd>{count(delivered)}</dd>
            </div>
          </dl>
        </Card>
        <Card title={t('overview.quickLinks')}>
          <ul className="quick-links">
            <li>
              <Link to="/compose">
                <Icon name="send" /> {t('overview.composeMessage')}
              </Link>
            </li>
            <li>
              <Link to="/tokens">
                <Icon name="key" /> {t('overview.createToken')}
              </Link>
            </li>
            <li>
              <Link to="/senders">
                <Icon name="tag" /> {t('overview.requestSender')}
              </Link>
            </li>
            <li>
              <Link to="/rates">
                <Icon name="globe" /> {t('overview.checkRates')}
              </Link>
            </li>
          </ul>
        </Card>
      </div>
      <Card
        title={t('overview.recentCampaigns')}
        actions={
          <Link to="/campaigns" className="btn btn-small">
            {t('overview.viewAll')}
          </Link>
        }
      >
        <ErrorBanner error={recent.error} onRetry={() => recent.reload()} />
        {recent.loading && !recent.data ? (
          <Loading label={t('overview.loadingCampaigns')} />
        ) : campaigns.length === 0 && !recent.error ? (
          <EmptyState
            title={t('overview.noCampaigns')}
            action={
              <Link to="/compose" className="btn btn-primary">
                {t('overview.composeFirst')}
              </Link>
            }
          >
            {t('overview.emptyText')}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('overview.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('overview.campaign')}</th>
                  <th scope="col">{t('overview.message')}</th>
                  <th scope="col">{t('overview.status')}</th>
                  <th scope="col">{t('overview.created')}</th>
                  <th scope="col" className="num">
                    {t('overview.recipients')}
                  </th>
                  <th scope="col" className="num">
                    {t('overview.cost')}
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
