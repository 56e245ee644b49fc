// Inbox: the conversations (a handset's number and the number of ours it wrote to), searched by number; and one
// number's conversation: the messages sent to it (with their campaign's status labels) and those it sent, in time
// order, with a reply box priced as Compose prices before sending.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type {
  AutoReplyRefusalName,
  CampaignView,
  ConversationItemView,
  ConversationThreadView,
  ConversationView,
  Page,
  PriceView,
} from '../../../src/http/dashboard/contract.js';
import { api, isAbort } from '../api.js';
import { PagedTable } from '../components/PagedTable.js';
import { useToast } from '../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  StatusBadge,
  TextAreaField,
  TextField,
  type Translate,
} from '../components/ui.js';
import { dateTime } from '../format.js';
import { useDebounced, useInterval, useResource, useSubmit, useTitle } from '../hooks.js';
import { useSession } from '../session.js';
import { recipientStatusLabel } from './Campaigns.js';
import { PricePanel, type PriceState } from './Compose.js';

const PER_PAGE = 50;
const PRICE_DEBOUNCE_MS = 300;
/** A conversation is read again this often while open, for new messages and statuses. */
const REFRESH_MS = 10_000;

/** "+37126000001": numbers are kept as digits; they read better with their "+". */
function shown(phone: string): string {
  return `+${phone}`;
}

export function InboxPage() {
  const { t } = useTranslation();
  useTitle(t('inbox.title'));
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const debounced = useDebounced(search.trim(), 300);
  const list = useResource<Page<ConversationView>>('/conversations', { search: debounced, page, per_page: PER_PAGE });
  return (
    <>
      <PageHeader title={t('inbox.title')} description={t('inbox.description')} />
      <Card title={t('inbox.conversations')}>
        <search className="filters" aria-label={t('inbox.searchLabel')}>
          <TextField
            label={t('inbox.search')}
            type="search"
            inputMode="tel"
            placeholder={t('inbox.searchPlaceholder')}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
            errors={fieldErrors(list.error, 'search')}
          />
        </search>
        <PagedTable
          list={list}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel={t('inbox.pages')}
          loadingLabel={t('inbox.loading')}
          caption={t('inbox.conversations')}
          empty={
            <EmptyState title={debounced ? t('inbox.noMatch') : t('inbox.empty')}>
              {debounced ? t('inbox.noMatchText') : t('inbox.emptyText')}
            </EmptyState>
          }
          columns={[
            { label: t('inbox.from') },
            { label: t('inbox.to') },
            { label: t('inbox.lastMessage') },
            { label: t('inbox.received') },
          ]}
          row={(conversation) => (
            <>
              <th scope="row" className="nowrap">
                <Link to={`/inbox/${conversation.phone}`}>{shown(conversation.phone)}</Link>
              </th>
              <td className="nowrap">{shown(conversation.number)}</td>
              <td className="conversation-last">{conversation.last_text}</td>
              <td className="nowrap">{dateTime(conversation.last_received_at)}</td>
            </>
          )}
        />
      </Card>
    </>
  );
}

function refusalText(t: Translate, refusal: AutoReplyRefusalName): string {
  switch (refusal) {
    case 'insufficient_balance':
      return t('keywords.refusedBalance');
    case 'spend_limit':
      return t('keywords.refusedSpendLimit');
    case 'suppressed':
      return t('keywords.refusedSuppressed');
    case 'account_suspended':
      return t('keywords.refusedSuspended');
    case 'refused':
      return t('keywords.refusedOther');
  }
}

function MessageItem({ item }: { readonly item: ConversationItemView }) {
  const { t } = useTranslation();
  if (item.direction === 'in') {
    return (
      <li className="message message-in">
        <p className="message-meta muted small">
          {t('inbox.receivedOn', { number: shown(item.number), at: dateTime(item.at) })}
        </p>
        <p className="message-text">{item.text}</p>
        {item.auto_reply_refusal && (
          <p className="message-note small" role="note">
            {t('keywords.notSent', { reason: refusalText(t, item.auto_reply_refusal) })}
          </p>
        )}
      </li>
    );
  }
  return (
    <li className="message message-out">
      <p className="message-meta muted small">
        {t('inbox.sentFrom', { sender: item.sender, at: dateTime(item.at) })}{' '}
        <Link to={`/campaigns/${item.sending_id}`}>{t('inbox.campaign', { id: item.sending_id })}</Link>
      </p>
      <p className="message-text">{item.text}</p>
      <p className="message-status">
        <StatusBadge status={item.status} label={recipientStatusLabel(t, item)} />
        {item.error && <span className="muted small"> {item.error}</span>}
      </p>
    </li>
  );
}

/** The reply's price, asked for a moment after typing stops; a newer text aborts the request under way. */
function useReplyPrice(phone: string, message: string) {
  const [price, setPrice] = useState<PriceState | null>(null);
  const [pricing, setPricing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (message === '') {
      setPrice(null);
      setPricing(false);
      setError(null);
      return;
    }
    setPricing(true);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .post<PriceView>(`/conversations/${phone}/price`, { message }, { signal: controller.signal })
        .then((view) => {
          setPrice({ message, view });
          setError(null);
          setPricing(false);
        })
        .catch((caught: unknown) => {
          if (isAbort(caught)) return;
          setError(caught);
          setPricing(false);
        });
    }, PRICE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [phone, message]);
  return { price, pricing, error };
}

const REPLY_FIELDS = ['message', 'recipients', 'balance'];

function ReplyBox({ thread, onSent }: { readonly thread: ConversationThreadView; readonly onSent: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const { refresh } = useSession();
  const [message, setMessage] = useState('');
  const price = useReplyPrice(thread.phone, message);
  const sending = useSubmit(async () => {
    const campaign = await api.post<CampaignView>(`/conversations/${thread.phone}/reply`, { message });
    setMessage('');
    void refresh();
    toast(t('inbox.replySent', { id: campaign.id }));
    onSent();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void sending.run();
  };
  const unaffordable = price.price !== null && !price.price.view.affordable;
  return (
    <div className="reply-box">
      <Card title={t('inbox.reply')}>
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted small">{t('inbox.replyFrom', { number: shown(thread.reply_from) })}</p>
          <TextAreaField
            label={t('inbox.replyMessage')}
            name="message"
            rows={3}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            errors={fieldErrors(sending.error, ...REPLY_FIELDS)}
          />
          <ErrorBanner error={formLevelError(sending.error, REPLY_FIELDS)} />
          <div>
            <button type="submit" className="btn btn-primary" disabled={sending.busy || message === '' || unaffordable}>
              {sending.busy ? t('inbox.sending') : t('inbox.send')}
            </button>
          </div>
        </form>
      </Card>
      <PricePanel
        message={message}
        recipients={1}
        price={price.price}
        pricing={price.pricing}
        error={price.error}
        smartEncoding={false}
        onSmartEncoding={() => {}}
      />
    </div>
  );
}

export function ConversationPage() {
  const { t } = useTranslation();
  const { phone = '' } = useParams();
  useTitle(t('inbox.conversationTitle', { phone: shown(phone) }));
  const thread = useResource<ConversationThreadView>(`/conversations/${encodeURIComponent(phone)}`);
  useInterval(() => thread.reload(true), REFRESH_MS, thread.data !== undefined);
  const view = thread.data;
  return (
    <>
      <PageHeader
        title={t('inbox.conversationTitle', { phone: shown(phone) })}
        actions={
          <Link className="btn" to="/inbox">
            {t('inbox.back')}
          </Link>
        }
      />
      <ErrorBanner error={thread.error} onRetry={() => thread.reload()} />
      {thread.loading && !view ? (
        <Loading label={t('inbox.loadingConversation')} />
      ) : view ? (
        <>
          <Card title={t('inbox.messages')}>
            {view.total > view.data.length && (
              <p className="muted small">{t('inbox.olderLeftOut', { shown: view.data.length, total: view.total })}</p>
            )}
            <ol className="conversation" aria-label={t('inbox.messages')}>
              {view.data.map((item) => (
                <MessageItem key={`${item.direction}-${item.id}`} item={item} />
              ))}
            </ol>
          </Card>
          <ReplyBox thread={view} onSent={() => thread.reload(true)} />
        </>
      ) : null}
    </>
  );
}
