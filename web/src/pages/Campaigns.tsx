// Campaigns: the list with a status filter, and one campaign's summary, outcome chart, recipients and actions.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { SENDING_STATUSES } from '../../../src/domain/sending.js';
import { MESSAGE_STATUSES, NOT_DELIVERED_STATUSES } from '../../../src/domain/status.js';
import type { CampaignView, Page, RecipientView } from '../../../src/http/dashboard/contract.js';
import { ApiError, api } from '../api.js';
import { DonutChart, outcomeSlices } from '../components/charts.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { type Column, PagedTable } from '../components/PagedTable.js';
import { useToast } from '../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
  Stat,
  StatusBadge,
  statusText,
  TextField,
  type Translate,
} from '../components/ui.js';
import { count, dateTime, destinationName, money, truncate, utc } from '../format.js';
import { useDebounced, useInterval, useResource, useTitle } from '../hooks.js';
import { useBalanceFollows, useMe, useSession } from '../session.js';
import { NotFoundContent } from './NotFound.js';

const PER_PAGE = 25;
const RECIPIENTS_PER_PAGE = 25;
const POLL_MS = 2000;
const campaignColumns = (t: Translate): readonly Column[] => [
  { label: t('campaigns.campaign') },
  { label: t('campaigns.status') },
  { label: t('campaigns.created') },
  { label: t('campaigns.recipients'), num: true },
  { label: t('campaigns.cost'), num: true },
  { label: t('campaigns.messages') },
];
const recipientColumns = (t: Translate): readonly Column[] => [
  { label: t('campaigns.number') },
  { label: t('campaigns.destination') },
  { label: t('campaigns.parts'), num: true },
  { label: t('campaigns.cost'), num: true },
  { label: t('campaigns.charged'), num: true },
  { label: t('campaigns.status') },
  { label: t('campaigns.error') },
  { label: t('campaigns.updated') },
];

/** The schedule of a campaign that has one; null for one sent at creation (the two times within a minute). */
function scheduledText(campaign: CampaignView): string | null {
  const gapMs = Date.parse(campaign.scheduled_at) - Date.parse(campaign.created_at);
  return gapMs < 60_000 ? null : utc(campaign.scheduled_at);
}

/** What of a campaign moves the balance: its status, its cost and its refunds. */
function moneyState(campaign: CampaignView): string {
  return `${campaign.id}:${campaign.status}:${campaign.total}:${campaign.refunded}`;
}

/** What the provider's own word adds while a message awaits its final status (Twilio's `sent`: with the carrier). */
function providerStatusText(t: Translate, providerStatus: string): string {
  switch (providerStatus) {
    case 'accepted':
      return t('campaigns.providerAccepted');
    case 'scheduled':
      return t('campaigns.providerScheduled');
    case 'queued':
      return t('campaigns.providerQueued');
    case 'sending':
      return t('campaigns.providerSending');
    case 'sent':
      return t('campaigns.providerSent');
    default:
      return providerStatus;
  }
}

/** "Submitted (sent to carrier)": the badge of a submitted message the provider said more of; else its status alone. */
export function recipientStatusLabel(
  t: Translate,
  row: Pick<RecipientView, 'status' | 'provider_status'>,
): string | undefined {
  if (row.status !== 'submitted' || !row.provider_status) return undefined;
  return t('campaigns.submittedWith', { detail: providerStatusText(t, row.provider_status) });
}

/** What a recipient's money became: charged, refunded (marked so), both for a partly taken one, or still reserved. */
function ChargeCell({
  row,
  sign,
  draft,
}: {
  readonly row: RecipientView;
  readonly sign: string;
  readonly draft: boolean;
}) {
  const { t } = useTranslation();
  const charged = Number(row.charged) > 0;
  const refunded = Number(row.refunded) > 0;
  if (!charged && !refunded) return <span className="muted">{draft ? '—' : t('campaigns.reserved')}</span>;
  return (
    <>
      {charged && money(row.charged, sign)}
      {charged && refunded && <br />}
      {refunded && (
        <span className="refunded">{t('campaigns.refundedAmount', { amount: money(row.refunded, sign) })}</span>
      )}
    </>
  );
}

function isLive(status: CampaignView['status']): boolean {
  return status === 'Pending' || status === 'Processing';
}

function CountsCell({ counts }: { readonly counts: CampaignView['counts'] }) {
  const { t } = useTranslation();
  const inFlight = counts.queued + counts.submitting + counts.submitted;
  const failed = NOT_DELIVERED_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return (
    <span className="counts">
      <span className="count-delivered" title={t('status.delivered')}>
        {t('campaigns.countDelivered', { n: count(counts.delivered) })}
      </span>
      {failed > 0 && (
        <span className="count-failed" title={t('campaigns.notDeliveredTitle')}>
          {t('campaigns.countNotDelivered', { n: count(failed) })}
        </span>
      )}
      {inFlight > 0 && <span className="count-pending">{t('campaigns.countInProgress', { n: count(inFlight) })}</span>}
      {counts.suppressed > 0 && (
        <span className="count-suppressed" title={t('campaigns.suppressedTitle')}>
          {t('campaigns.countOptedOut', { n: count(counts.suppressed) })}
        </span>
      )}
    </span>
  );
}

export function CampaignsPage() {
  const { t } = useTranslation();
  useTitle(t('nav.campaigns'));
  const me = useMe();
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const campaigns = useResource<Page<CampaignView>>('/sendings', { page, per_page: PER_PAGE, status });
  const rows = campaigns.data?.data ?? [];
  const anyLive = rows.some((row) => isLive(row.status));
  useInterval(() => campaigns.reload(true), POLL_MS * 2, anyLive);
  useBalanceFollows(campaigns.data ? rows.map(moneyState).join(' ') : null);

  return (
    <>
      <PageHeader
        title={t('nav.campaigns')}
        description={t('campaigns.description')}
        actions={
          <Link to="/compose" className="btn btn-primary">
            <Icon name="send" size={16} />
            <span>{t('overview.newMessage')}</span>
          </Link>
        }
      />
      <Card
        title={t('campaigns.allCampaigns')}
        actions={
          <SelectField
            label={t('campaigns.status')}
            className="field-inline"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value);
              setPage(1);
            }}
          >
            <option value="">{t('campaigns.allStatuses')}</option>
            {SENDING_STATUSES.map((option) => (
              <option key={option} value={option}>
                {statusText(t, option)}
              </option>
            ))}
          </SelectField>
        }
      >
        <PagedTable
          list={campaigns}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel={t('campaigns.campaignPages')}
          loadingLabel={t('overview.loadingCampaigns')}
          empty={
            <EmptyState
              title={
                status
                  ? t('campaigns.noneWithStatus', { status: statusText(t, status).toLowerCase() })
                  : t('overview.noCampaigns')
              }
              action={
                status ? undefined : (
                  <Link to="/compose" className="btn btn-primary">
                    {t('overview.composeMessage')}
                  </Link>
                )
              }
            />
          }
          caption={t('nav.campaigns')}
          columns={campaignColumns(t)}
          row={(campaign) => (
            <>
              <th scope="row">
                <div className="cell-campaign">
                  <Link to={`/campaigns/${campaign.id}`}>#{campaign.id}</Link>
                  <span className="muted small">{truncate(campaign.text, 48)}</span>
                </div>
              </th>
              <td>
                <StatusBadge status={campaign.status} />
              </td>
              <td>
                <span className="cell-lines">
                  <span className="nowrap">{dateTime(campaign.created_at)}</span>
                  {scheduledText(campaign) !== null && (
                    <span className="muted small nowrap">
                      {t('campaigns.scheduledAt', { when: scheduledText(campaign) })}
                    </span>
                  )}
                </span>
              </td>
              <td className="num">
                <span className="cell-lines">
                  <span>{count(campaign.recipients)}</span>
                  <span className="muted small">
                    {t('compose.partCount', { count: campaign.parts_total, n: count(campaign.parts_total) })}
                  </span>
                </span>
              </td>
              <td className="num">
                <span className="cell-lines">
                  <span>{money(campaign.total, me.account.sign)}</span>
                  {Number(campaign.refunded) !== 0 && (
                    <span className="muted small">
                      {t('campaigns.refundedSuffix', { amount: money(campaign.refunded, me.account.sign) })}
                    </span>
                  )}
                </span>
              </td>
              <td>
                <CountsCell counts={campaign.counts} />
              </td>
            </>
          )}
        />
      </Card>
    </>
  );
}

function RecipientsCard({
  campaignId,
  live,
  draft,
  sign,
}: {
  campaignId: number;
  live: boolean;
  draft: boolean;
  sign: string;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const debouncedSearch = useDebounced(search.replace(/\D/g, ''), 300);
  const messages = useResource<Page<RecipientView>>(`/sendings/${campaignId}/messages`, {
    status,
    search: debouncedSearch,
    page,
    per_page: RECIPIENTS_PER_PAGE,
  });
  useInterval(() => messages.reload(true), POLL_MS, live);
  // One last read when the campaign reaches a final status, so the table shows the final statuses too.
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) messages.reload(true);
    wasLive.current = live;
  }, [live, messages.reload]);

  return (
    <Card title={t('campaigns.recipients')}>
      <search className="filters" aria-label={t('campaigns.filterRecipients')}>
        <SelectField
          label={t('campaigns.messageStatus')}
          value={status}
          onChange={(event) => {
            setStatus(event.target.value);
            setPage(1);
          }}
        >
          <option value="">{t('campaigns.allStatuses')}</option>
          {MESSAGE_STATUSES.map((option) => (
            <option key={option} value={option}>
              {statusText(t, option)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('campaigns.searchNumber')}
          type="search"
          inputMode="numeric"
          placeholder={t('campaigns.partOfNumber')}
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </search>
      <PagedTable
        list={messages}
        page={page}
        perPage={RECIPIENTS_PER_PAGE}
        onPage={setPage}
        pagerLabel={t('campaigns.recipientPages')}
        loadingLabel={t('campaigns.loadingRecipients')}
        empty={
          <EmptyState
            title={status || debouncedSearch ? t('campaigns.noRecipientsMatch') : t('campaigns.noRecipientsListed')}
          >
            {draft && !status && !debouncedSearch ? t('campaigns.draftRecipients') : undefined}
          </EmptyState>
        }
        caption={t('campaigns.recipientsCaption')}
        columns={recipientColumns(t)}
        compact
        row={(row) => (
          <>
            <th scope="row">
              <code>{row.recipient}</code>
            </th>
            <td>
              {/* The name Compose's price panel gives the same network; its MCC/MNC beside it. */}
              {destinationName(row.iso, row.country, row.destination) || (
                <span className="muted">{t('campaigns.unknown')}</span>
              )}
              {row.mcc && (
                <span className="muted small">
                  {' '}
                  {row.mcc}
                  {row.mnc ? `/${row.mnc}` : ''}
                </span>
              )}
            </td>
            <td className="num">{count(row.parts)}</td>
            <td className="num">{money(row.cost, sign)}</td>
            <td className="num">
              <ChargeCell row={row} sign={sign} draft={draft} />
            </td>
            <td>
              {/* A draft's recipients are no messages yet: nothing is queued until it is sent. */}
              {draft ? (
                <StatusBadge status="Draft" />
              ) : (
                <StatusBadge status={row.status} label={recipientStatusLabel(t, row)} />
              )}
            </td>
            <td className="cell-text">{row.error ?? <span className="muted">—</span>}</td>
            <td className="nowrap">{dateTime(row.updated_at)}</td>
          </>
        )}
      />
    </Card>
  );
}

type PendingAction = 'cancel' | 'send' | 'delete' | null;

export function CampaignDetailPage() {
  const { id = '' } = useParams();
  const campaignId = /^\d+$/.test(id) ? Number(id) : null;
  const { t } = useTranslation();
  useTitle(campaignId ? t('campaigns.campaignNumber', { id: campaignId }) : t('campaigns.campaign'));
  const me = useMe();
  const { refresh } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const campaign = useResource<CampaignView>(campaignId === null ? null : `/sendings/${campaignId}`);
  const [action, setAction] = useState<PendingAction>(null);
  const live = campaign.data ? isLive(campaign.data.status) : false;
  useInterval(() => campaign.reload(true), POLL_MS, live);
  useBalanceFollows(campaign.data ? moneyState(campaign.data) : null);

  if (campaignId === null || (campaign.error instanceof ApiError && campaign.error.status === 404)) {
    return (
      <NotFoundContent title={t('campaigns.notFound')}>
        {t('campaigns.notFoundText', { id })} <Link to="/campaigns">{t('campaigns.seeAll')}</Link>
      </NotFoundContent>
    );
  }
  if (campaign.loading && !campaign.data) return <Loading label={t('campaigns.loadingCampaign')} />;
  if (!campaign.data) return <ErrorBanner error={campaign.error} onRetry={() => campaign.reload()} />;

  const data = campaign.data;
  const sign = me.account.sign;
  const run = async (path: string) => {
    const updated = await api.post<CampaignView>(path);
    campaign.setData(() => updated);
    void refresh();
    return updated;
  };

  return (
    <>
      <nav aria-label={t('campaigns.breadcrumb')} className="breadcrumb">
        <Link to="/campaigns">{t('nav.campaigns')}</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">#{data.id}</span>
      </nav>
      <PageHeader
        title={
          <>
            {t('campaigns.campaignNumber', { id: data.id })} <StatusBadge status={data.status} />
          </>
        }
        description={
          live ? (
            <span className="live-indicator">
              <span className="pulse" aria-hidden="true" /> {t('campaigns.updatingLive')}
            </span>
          ) : (
            t('campaigns.createdAt', { when: dateTime(data.created_at) })
          )
        }
        actions={
          <>
            {data.status === 'Pending' && (
              <button type="button" className="btn btn-danger-outline" onClick={() => setAction('cancel')}>
                {t('campaigns.cancelCampaign')}
              </button>
            )}
            {data.status === 'Draft' && (
              <>
                <button type="button" className="btn btn-danger-outline" onClick={() => setAction('delete')}>
                  {t('campaigns.delete')}
                </button>
                <Link to={`/compose?draft=${data.id}`} className="btn">
                  {t('campaigns.edit')}
                </Link>
                <button type="button" className="btn btn-primary" onClick={() => setAction('send')}>
                  <Icon name="send" size={16} />
                  <span>{t('compose.send')}</span>
                </button>
              </>
            )}
          </>
        }
      />
      <p className="status-line" role="status" aria-live="polite">
        {t('campaigns.statusLabel')} <strong>{statusText(t, data.status)}</strong>
      </p>
      <ErrorBanner error={campaign.error} />
      <div className="grid grid-2-1">
        <Card title={t('campaigns.summary')}>
          <dl className="stats stats-grid">
            <Stat label={t('compose.sender')}>{data.sender}</Stat>
            <Stat label={t('campaigns.recipients')}>{count(data.recipients)}</Stat>
            <Stat label={t('campaigns.parts')}>{count(data.parts_total)}</Stat>
            <Stat label={t('compose.encoding')}>{data.encoding}</Stat>
            <Stat label={t('campaigns.cost')}>{money(data.total, sign)}</Stat>
            <Stat label={t('campaigns.refunded')}>{money(data.refunded, sign)}</Stat>
            <Stat label={t('campaigns.created')}>{dateTime(data.created_at)}</Stat>
            <Stat label={t('campaigns.scheduled')}>{utc(data.scheduled_at)}</Stat>
            <Stat label={t('campaigns.route')}>{data.type}</Stat>
          </dl>
          <h3 className="subheading">Message</h3>
          <p className="message-text">{data.text}</p>
        </Card>
        <Card title={t('campaigns.outcomes')}>
          {Object.values(data.counts).some((n) => n > 0) ? (
            <DonutChart
              slices={outcomeSlices(t, data.counts)}
              title={t('campaigns.outcomesOf', { n: count(data.recipients) })}
            />
          ) : (
            <EmptyState title={t('campaigns.noMessages')}>
              {data.status === 'Draft' ? t('campaigns.sendDraftToFollow') : t('campaigns.outcomesAppear')}
            </EmptyState>
          )}
        </Card>
      </div>
      <RecipientsCard campaignId={data.id} live={live} draft={data.status === 'Draft'} sign={sign} />
      <ConfirmDialog
        open={action === 'cancel'}
        title={t('campaigns.cancelTitle')}
        confirmLabel={t('campaigns.cancelCampaign')}
        cancelLabel={t('campaigns.keepIt')}
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await run(`/sendings/${data.id}/cancel`);
          toast(t('campaigns.cancelled', { id: data.id }));
        }}
      >
        <p>{t('campaigns.cancelText')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={action === 'send'}
        title={t('campaigns.sendDraftTitle')}
        confirmLabel={t('campaigns.sendNow')}
        danger={false}
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await run(`/sendings/${data.id}/send`);
          toast(t('campaigns.sent', { id: data.id }));
        }}
      >
        <p>{t('campaigns.sendDraftText')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={action === 'delete'}
        title={t('campaigns.deleteTitle')}
        confirmLabel={t('campaigns.deleteDraft')}
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await api.del(`/sendings/${data.id}`);
          toast(t('campaigns.deleted', { id: data.id }));
          navigate('/campaigns');
        }}
      >
        <p>{t('campaigns.deleteText')}</p>
      </ConfirmDialog>
    </>
  );
}
