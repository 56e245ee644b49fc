// Campaigns: the list with a status filter, and one campaign's summary, outcome chart, recipients and actions.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { SENDING_STATUSES } from '../../../src/domain/sending.js';
import { MESSAGE_STATUSES, NOT_DELIVERED_LABEL, NOT_DELIVERED_STATUSES } from '../../../src/domain/status.js';
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
  TextField,
} from '../components/ui.js';
import { count, dateTime, money, truncate, utc } from '../format.js';
import { useDebounced, useInterval, useResource, useTitle } from '../hooks.js';
import { useBalanceFollows, useMe, useSession } from '../session.js';
import { NotFoundContent } from './NotFound.js';

const PER_PAGE = 25;
const RECIPIENTS_PER_PAGE = 25;
const POLL_MS = 2000;
const CAMPAIGN_COLUMNS: readonly Column[] = [
  { label: 'Campaign' },
  { label: 'Status' },
  { label: 'Created' },
  { label: 'Recipients', num: true },
  { label: 'Cost', num: true },
  { label: 'Messages' },
];
const RECIPIENT_COLUMNS: readonly Column[] = [
  { label: 'Number' },
  { label: 'Destination' },
  { label: 'Parts', num: true },
  { label: 'Cost', num: true },
  { label: 'Charged', num: true },
  { label: 'Status' },
  { label: 'Error' },
  { label: 'Updated' },
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
const PROVIDER_STATUS_TEXTS: Readonly<Record<string, string>> = {
  accepted: 'accepted by the provider',
  scheduled: 'scheduled at the provider',
  queued: 'queued at the provider',
  sending: 'being sent',
  sent: 'sent to carrier',
};

/** "Submitted (sent to carrier)": the badge of a submitted message the provider said more of; else its status alone. */
export function recipientStatusLabel(row: Pick<RecipientView, 'status' | 'provider_status'>): string | undefined {
  if (row.status !== 'submitted' || !row.provider_status) return undefined;
  return `Submitted (${PROVIDER_STATUS_TEXTS[row.provider_status] ?? row.provider_status})`;
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
  const charged = Number(row.charged) > 0;
  const refunded = Number(row.refunded) > 0;
  if (!charged && !refunded) return <span className="muted">{draft ? '—' : 'Reserved'}</span>;
  return (
    <>
      {charged && money(row.charged, sign)}
      {charged && refunded && <br />}
      {refunded && <span className="refunded">Refunded {money(row.refunded, sign)}</span>}
    </>
  );
}

function isLive(status: CampaignView['status']): boolean {
  return status === 'Pending' || status === 'Processing';
}

function CountsCell({ counts }: { readonly counts: CampaignView['counts'] }) {
  const inFlight = counts.queued + counts.submitting + counts.submitted;
  const failed = NOT_DELIVERED_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return (
    <span className="counts">
      <span className="count-delivered" title="Delivered">
        {count(counts.delivered)} delivered
      </span>
      {failed > 0 && (
        <span className="count-failed" title="Undelivered, expired, rejected or failed">
          {count(failed)} {NOT_DELIVERED_LABEL.toLowerCase()}
        </span>
      )}
      {inFlight > 0 && <span className="count-pending">{count(inFlight)} in progress</span>}
      {counts.suppressed > 0 && (
        <span className="count-suppressed" title="On the suppression list: not sent, not charged">
          {count(counts.suppressed)} opted out
        </span>
      )}
    </span>
  );
}

export function CampaignsPage() {
  useTitle('Campaigns');
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
        title="Campaigns"
        description="Every sending of this account, from the dashboard or the API, newest first."
        actions={
          <Link to="/compose" className="btn btn-primary">
            <Icon name="send" size={16} />
            <span>New message</span>
          </Link>
        }
      />
      <Card
        title="All campaigns"
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
            <option value="">All statuses</option>
            {SENDING_STATUSES.map((option) => (
              <option key={option} value={option}>
                {option}
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
          pagerLabel="Campaign pages"
          loadingLabel="Loading campaigns…"
          empty={
            <EmptyState
              title={status ? `No ${status.toLowerCase()} campaigns` : 'No campaigns yet'}
              action={
                status ? undefined : (
                  <Link to="/compose" className="btn btn-primary">
                    Compose a message
                  </Link>
                )
              }
            />
          }
          caption="Campaigns"
          columns={CAMPAIGN_COLUMNS}
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
                    <span className="muted small nowrap">Scheduled {scheduledText(campaign)}</span>
                  )}
                </span>
              </td>
              <td className="num">
                <span className="cell-lines">
                  <span>{count(campaign.recipients)}</span>
                  <span className="muted small">
                    {count(campaign.parts_total)} {campaign.parts_total === 1 ? 'part' : 'parts'}
                  </span>
                </span>
              </td>
              <td className="num">
                <span className="cell-lines">
                  <span>{money(campaign.total, me.account.sign)}</span>
                  {Number(campaign.refunded) !== 0 && (
                    <span className="muted small">{money(campaign.refunded, me.account.sign)} refunded</span>
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
    <Card title="Recipients">
      <search className="filters" aria-label="Filter recipients">
        <SelectField
          label="Message status"
          value={status}
          onChange={(event) => {
            setStatus(event.target.value);
            setPage(1);
          }}
        >
          <option value="">All statuses</option>
          {MESSAGE_STATUSES.map((option) => (
            <option key={option} value={option}>
              {option.charAt(0).toUpperCase() + option.slice(1)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Search number"
          type="search"
          inputMode="numeric"
          placeholder="Part of a number"
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
        pagerLabel="Recipient pages"
        loadingLabel="Loading recipients…"
        empty={
          <EmptyState title={status || debouncedSearch ? 'No recipients match' : 'No recipients listed'}>
            {draft && !status && !debouncedSearch ? 'The recipients of a draft are listed once it is sent.' : undefined}
          </EmptyState>
        }
        caption="Recipients of this campaign"
        columns={RECIPIENT_COLUMNS}
        compact
        row={(row) => (
          <>
            <th scope="row">
              <code>{row.recipient}</code>
            </th>
            <td>
              {/* The name Compose's price panel gives the same network; its MCC/MNC beside it. */}
              {row.destination || row.country || <span className="muted">Unknown</span>}
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
                <StatusBadge status={row.status} label={recipientStatusLabel(row)} />
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
  useTitle(campaignId ? `Campaign #${campaignId}` : 'Campaign');
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
      <NotFoundContent title="Campaign not found">
        There is no campaign #{id} in this account. <Link to="/campaigns">See all campaigns</Link>
      </NotFoundContent>
    );
  }
  if (campaign.loading && !campaign.data) return <Loading label="Loading the campaign…" />;
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
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/campaigns">Campaigns</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">#{data.id}</span>
      </nav>
      <PageHeader
        title={
          <>
            Campaign #{data.id} <StatusBadge status={data.status} />
          </>
        }
        description={
          live ? (
            <span className="live-indicator">
              <span className="pulse" aria-hidden="true" /> Updating live
            </span>
          ) : (
            `Created ${dateTime(data.created_at)}`
          )
        }
        actions={
          <>
            {data.status === 'Pending' && (
              <button type="button" className="btn btn-danger-outline" onClick={() => setAction('cancel')}>
                Cancel campaign
              </button>
            )}
            {data.status === 'Draft' && (
              <>
                <button type="button" className="btn btn-danger-outline" onClick={() => setAction('delete')}>
                  Delete
                </button>
                <Link to={`/compose?draft=${data.id}`} className="btn">
                  Edit
                </Link>
                <button type="button" className="btn btn-primary" onClick={() => setAction('send')}>
                  <Icon name="send" size={16} />
                  <span>Send</span>
                </button>
              </>
            )}
          </>
        }
      />
      <p className="status-line" role="status" aria-live="polite">
        Status: <strong>{data.status}</strong>
      </p>
      <ErrorBanner error={campaign.error} />
      <div className="grid grid-2-1">
        <Card title="Summary">
          <dl className="stats stats-grid">
            <Stat label="Sender">{data.sender}</Stat>
            <Stat label="Recipients">{count(data.recipients)}</Stat>
            <Stat label="Parts">{count(data.parts_total)}</Stat>
            <Stat label="Encoding">{data.encoding}</Stat>
            <Stat label="Cost">{money(data.total, sign)}</Stat>
            <Stat label="Refunded">{money(data.refunded, sign)}</Stat>
            <Stat label="Created">{dateTime(data.created_at)}</Stat>
            <Stat label="Scheduled">{utc(data.scheduled_at)}</Stat>
            <Stat label="Route">{data.type}</Stat>
          </dl>
          <h3 className="subheading">Message</h3>
          <p className="message-text">{data.text}</p>
        </Card>
        <Card title="Message outcomes">
          {Object.values(data.counts).some((n) => n > 0) ? (
            <DonutChart
              slices={outcomeSlices(data.counts)}
              title={`Outcomes of the ${count(data.recipients)} messages`}
            />
          ) : (
            <EmptyState title="No messages yet">
              {data.status === 'Draft'
                ? 'Send the draft to follow its messages here.'
                : 'Outcomes appear as messages are handed over.'}
            </EmptyState>
          )}
        </Card>
      </div>
      <RecipientsCard campaignId={data.id} live={live} draft={data.status === 'Draft'} sign={sign} />
      <ConfirmDialog
        open={action === 'cancel'}
        title="Cancel this campaign?"
        confirmLabel="Cancel campaign"
        cancelLabel="Keep it"
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await run(`/sendings/${data.id}/cancel`);
          toast(`Campaign #${data.id} cancelled; its reservation is refunded.`);
        }}
      >
        <p>Nothing of it will be sent, and what was reserved for it goes back to your balance.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={action === 'send'}
        title="Send this draft?"
        confirmLabel="Send now"
        danger={false}
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await run(`/sendings/${data.id}/send`);
          toast(`Campaign #${data.id} sent.`);
        }}
      >
        <p>It is priced again now and its cost is reserved from your balance.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={action === 'delete'}
        title="Delete this draft?"
        confirmLabel="Delete draft"
        onClose={() => setAction(null)}
        onConfirm={async () => {
          await api.del(`/sendings/${data.id}`);
          toast(`Draft #${data.id} deleted.`);
          navigate('/campaigns');
        }}
      >
        <p>The draft and its recipients are removed. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
