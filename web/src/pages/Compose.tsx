// Compose a sending: message, recipients (typed, pasted or from a CSV file), sender, optional schedule, live price.
import type { ChangeEvent, FormEvent } from 'react';
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { countParts, ucs2Characters } from '../../../src/domain/gsm.js';
import { scheduleIsPast } from '../../../src/domain/sending.js';
import { smartEncode } from '../../../src/domain/smart-encoding.js';
import {
  type CampaignView,
  COMPOSE_RECIPIENTS_MAX,
  type ComposeRequest,
  type Page,
  type PriceView,
  type RecipientView,
  type SenderView,
} from '../../../src/http/dashboard/contract.js';
import { ApiError, api, errorText, isAbort, sayServerWords, serverText } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { MessagePreview } from '../components/MessagePreview.js';
import { useToast } from '../components/toast.js';
import {
  Badge,
  Banner,
  Card,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  PageHeader,
  SelectField,
  Stat,
  statusText,
  TextAreaField,
  TextField,
} from '../components/ui.js';
import { count, destinationName, localInputToUtc, money, toLocalInput, utc } from '../format.js';
import { type Resource, useResource, useSubmit, useTitle } from '../hooks.js';
import { i18n } from '../i18n.js';
import {
  type CsvRecipients,
  mergeRecipients,
  parseRecipientCsv,
  parseRecipientText,
  type RecipientList,
} from '../recipients.js';
import { useMe, useSession } from '../session.js';
import { type DeliveryLimits, DeliveryLimitsCard, deliveryLimitFields } from './DeliveryLimitsCard.js';

const PRICE_DEBOUNCE_MS = 300;
/** Larger lists are priced less eagerly: each request carries every number. */
const PRICE_DEBOUNCE_LARGE_MS = 800;
const LARGE_LIST = 50_000;
const INVALID_SHOWN = 50;
const DRAFT_PAGE = 500;

interface DraftLoad {
  readonly id: number;
  readonly state: 'loading' | 'ready' | 'failed';
  readonly loaded: number;
  readonly total: number;
  readonly error?: unknown;
  /** Recipients the draft has but the server did not list. */
  readonly missing?: number;
}

interface FileRecipients extends CsvRecipients {
  readonly name: string;
}

/** A file read but refused (no phone numbers in it): its message is shown as it is. */
class FileRefused extends Error {}

export interface PriceState {
  /** The message the answer is for. */
  readonly message: string;
  readonly view: PriceView;
}

/**
 * The offer to replace characters that force UCS-2 by GSM look-alikes (smart encoding): shown while the message has
 * such characters, with the parts and money it saves once priced.
 */
function SmartEncodingOffer({
  message,
  on,
  onChange,
  view,
  sign,
}: {
  readonly message: string;
  readonly on: boolean;
  readonly onChange: (on: boolean) => void;
  readonly view: PriceView | undefined;
  readonly sign: string;
}) {
  const { t } = useTranslation();
  const smart = useMemo(() => smartEncode(message), [message]);
  if (smart === message) return null;
  const before = countParts(message).parts;
  const after = countParts(smart).parts;
  const saved = view?.smart_encoding?.saved;
  return (
    <div className="field smart-encoding">
      <div className="checkbox-row">
        <input id="smart-encoding" type="checkbox" checked={on} onChange={(event) => onChange(event.target.checked)} />
        <label htmlFor="smart-encoding">{t('compose.smartEncoding')}</label>
      </div>
      <p className="field-hint" aria-live="polite">
        {after < before
          ? saved !== undefined
            ? t('compose.fewerPartsSaved', { count: after, n: count(after), before, saved: money(saved, sign) })
            : t('compose.fewerParts', { count: after, n: count(after), before })
          : t('compose.sameParts')}{' '}
        {t('compose.sentAs')} <q className="smart-text">{smart}</q>
      </p>
    </div>
  );
}

export function PricePanel({
  message,
  recipients,
  price,
  pricing,
  error,
  smartEncoding,
  onSmartEncoding,
}: {
  readonly message: string;
  readonly recipients: number;
  readonly price: PriceState | null;
  readonly pricing: boolean;
  readonly error: unknown;
  readonly smartEncoding: boolean;
  readonly onSmartEncoding: (on: boolean) => void;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const sent = smartEncoding ? smartEncode(message) : message;
  const local = useMemo(() => ({ parts: countParts(sent), ucs2: ucs2Characters(message) }), [message, sent]);
  const view = price?.view;
  const sign = view?.sign ?? me.account.sign;
  const summary =
    message === ''
      ? t('compose.typeToPrice')
      : recipients === 0
        ? t('compose.addRecipientsToPrice')
        : pricing || !view
          ? t('compose.calculating')
          : t('compose.totalFor', {
              total: money(view.total, sign),
              recipients: t('compose.recipientCount', { count: view.valid, n: count(view.valid) }),
              parts: t('compose.partCount', { count: view.parts, n: count(view.parts) }),
            });

  return (
    <Card title={t('compose.price')} className="price-card">
      <p className="price-summary" aria-live="polite" aria-atomic="true">
        {summary}
      </p>
      <dl className="stats">
        <Stat label={t('compose.encoding')}>{local.parts.encoding}</Stat>
        <Stat label={t('compose.characters')}>
          {count(local.parts.units)}
          <span className="muted small"> {t('compose.perPart', { n: local.parts.unitsPerPart })}</span>
        </Stat>
        <Stat label={t('compose.parts')}>{count(local.parts.parts)}</Stat>
        <Stat label={t('compose.recipients')}>{count(recipients)}</Stat>
      </dl>
      {local.ucs2.length > 0 && (
        <div className={`banner ${local.parts.encoding === 'UCS-2' ? 'banner-warning' : 'banner-info'}`}>
          {local.parts.encoding === 'UCS-2' ? (
            <p>
              <strong>{t('compose.ucs2Title')}</strong> {t('compose.ucs2Text', { count: local.ucs2.length })}
            </p>
          ) : (
            <p>
              <strong>{t('compose.gsmTitle')}</strong> {t('compose.gsmText', { count: local.ucs2.length })}
            </p>
          )}
          <ul className="char-list" aria-label={t('compose.forcingCharacters')}>
            {local.ucs2.map((char) => (
              <li key={char}>
                <mark>{char}</mark>
              </li>
            ))}
          </ul>
          <SmartEncodingOffer message={message} on={smartEncoding} onChange={onSmartEncoding} view={view} sign={sign} />
        </div>
      )}
      <ErrorBanner error={error ? t('compose.priceFailed', { reason: errorText(error) }) : null} />
      {view && recipients > 0 && message !== '' && (
        <div className={`price-details${pricing ? ' is-stale' : ''}`} aria-busy={pricing}>
          <dl className="stats">
            <Stat label={t('compose.validRecipients')} tone="success">
              {count(view.valid)}
            </Stat>
            <Stat label={t('compose.invalidRecipients')} tone={view.invalid_total > 0 ? 'danger' : undefined}>
              {count(view.invalid_total)}
            </Stat>
            {view.suppressed > 0 && (
              <Stat label={t('compose.optedOut')} tone="warning">
                {count(view.suppressed)}
              </Stat>
            )}
          </dl>
          {view.invalid_total > 0 && (
            <details className="invalid-list" open={view.invalid_total <= 5}>
              <summary>
                {t('compose.notSent', { count: view.invalid_total, n: count(view.invalid_total) })}
                {view.invalid_total > view.invalid.length
                  ? ` ${t('compose.firstListed', { n: count(view.invalid.length) })}`
                  : ''}
              </summary>
              <ul>
                {view.invalid.slice(0, INVALID_SHOWN).map((item, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the same text may be listed twice with reasons.
                  <li key={index}>
                    <code>{item.recipient || t('compose.empty')}</code>: {sayServerWords(item.reason)}
                  </li>
                ))}
              </ul>
              {view.invalid.length > INVALID_SHOWN && (
                <p className="muted small">{t('compose.andMore', { n: count(view.invalid_total - INVALID_SHOWN) })}</p>
              )}
            </details>
          )}
          {view.destinations.length > 0 && (
            <div className="table-wrap">
              <table className="table table-compact">
                <caption className="table-caption">{t('compose.perDestination')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('compose.destination')}</th>
                    <th scope="col" className="num">
                      {t('compose.recipients')}
                    </th>
                    <th scope="col" className="num">
                      {t('compose.cost')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {view.destinations.map((destination) => (
                    <tr key={`${destination.country}-${destination.mcc}-${destination.mnc}`}>
                      <th scope="row">
                        {destinationName(destination.iso, destination.country_name, destination.country)}
                        <span className="muted small destination-rate">
                          {destination.mcc
                            ? `${destination.mcc}${destination.mnc ? `/${destination.mnc}` : ''} · `
                            : ''}
                          {t('compose.aPart', { rate: money(destination.rate, sign) })}
                        </span>
                      </th>
                      <td className="num">{count(destination.recipients)}</td>
                      <td className="num">{money(destination.cost, sign)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <dl className="totals">
            <Stat label={t('compose.subtotal')}>{money(view.subtotal, sign)}</Stat>
            <Stat label={t('compose.tax')}>{money(view.tax, sign)}</Stat>
            <Stat label={t('compose.total')}>{money(view.total, sign)}</Stat>
          </dl>
          {view.affordable ? (
            <p className="banner banner-success">{t('compose.covers', { balance: money(view.balance, sign) })}</p>
          ) : (
            <p className="banner banner-danger">{t('compose.doesNotCover', { balance: money(view.balance, sign) })}</p>
          )}
        </div>
      )}
    </Card>
  );
}

/** A fresh form for each draft (or a new message): nothing of one carries over to the other. */
export function ComposePage() {
  const [params] = useSearchParams();
  return <ComposeForm key={params.get('draft') ?? 'new'} />;
}

/** What a draft fills the form with. */
interface DraftContent {
  readonly message: string;
  readonly sender: string;
  readonly recipientsText: string;
  /** The schedule as a local date-time input value; null when the draft is sent at once. */
  readonly scheduleLocal: string | null;
  /** Its send window and validity as the form's fields hold them ('' when it has none). */
  readonly limits: DeliveryLimits;
}

/** Editing a draft: its text, sender, schedule, send window, validity and every recipient (read page by page) fill
 * the form. */
function useDraft(draftId: number | null, fill: (content: DraftContent) => void): DraftLoad | null {
  const [draftLoad, setDraftLoad] = useState<DraftLoad | null>(null);
  const fillRef = useRef(fill);
  fillRef.current = fill;
  useEffect(() => {
    if (draftId === null) {
      setDraftLoad(null);
      return;
    }
    const controller = new AbortController();
    const signal = controller.signal;
    setDraftLoad({ id: draftId, state: 'loading', loaded: 0, total: 0 });
    (async () => {
      const campaign = await api.get<CampaignView>(`/sendings/${draftId}`, {}, { signal });
      if (campaign.status !== 'Draft')
        throw new Error(i18n.t('compose.noLongerDraft', { id: draftId, status: statusText(i18n.t, campaign.status) }));
      const numbers: string[] = [];
      for (let page = 1; ; page++) {
        const batch = await api.get<Page<RecipientView>>(
          `/sendings/${draftId}/messages`,
          { page, per_page: DRAFT_PAGE },
          { signal },
        );
        for (const row of batch.data) numbers.push(row.recipient);
        setDraftLoad({ id: draftId, state: 'loading', loaded: numbers.length, total: batch.total });
        if (batch.data.length === 0 || numbers.length >= batch.total) break;
      }
      const laterThanCreation = Date.parse(campaign.scheduled_at) - Date.parse(campaign.created_at) >= 60_000;
      fillRef.current({
        message: campaign.text,
        sender: campaign.sender,
        recipientsText: numbers.join('\n'),
        scheduleLocal: laterThanCreation ? toLocalInput(new Date(campaign.scheduled_at)) : null,
        limits: {
          sendWindow: campaign.send_window ?? '',
          validityMinutes: campaign.validity_minutes === undefined ? '' : String(campaign.validity_minutes),
        },
      });
      setDraftLoad({
        id: draftId,
        state: 'ready',
        loaded: numbers.length,
        total: numbers.length,
        missing: Math.max(0, campaign.recipients - numbers.length),
      });
    })().catch((error: unknown) => {
      if (!isAbort(error)) setDraftLoad({ id: draftId, state: 'failed', loaded: 0, total: 0, error });
    });
    return () => controller.abort();
  }, [draftId]);
  return draftLoad;
}

/** Debounced pricing; a newer input aborts the request still under way, so a stale answer never lands. */
function usePrice(
  message: string,
  recipients: RecipientList,
  tooMany: boolean,
  smartEncoding: boolean,
  sender: string,
) {
  const [price, setPrice] = useState<PriceState | null>(null);
  const [pricing, setPricing] = useState(false);
  const [priceError, setPriceError] = useState<unknown>(null);
  useEffect(() => {
    if (message === '' || recipients.numbers.length === 0 || tooMany) {
      setPricing(false);
      setPriceError(null);
      if (message === '' || recipients.numbers.length === 0) setPrice(null);
      return;
    }
    setPricing(true);
    const controller = new AbortController();
    const delay = recipients.numbers.length > LARGE_LIST ? PRICE_DEBOUNCE_LARGE_MS : PRICE_DEBOUNCE_MS;
    const timer = setTimeout(() => {
      api
        .post<PriceView>(
          '/price',
          // The sender too: a route rule may depend on it, and so may the numbers opted out of its sendings only.
          { message, recipients: recipients.numbers, smart_encoding: smartEncoding, sender },
          { signal: controller.signal },
        )
        .then((view) => {
          setPrice({ message, view });
          setPriceError(null);
          setPricing(false);
        })
        .catch((error: unknown) => {
          if (isAbort(error)) return;
          setPriceError(error);
          setPricing(false);
        });
    }, delay);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [message, recipients, tooMany, smartEncoding, sender]);
  return { price, pricing, priceError };
}

/** Saves (`saveOnly`) or sends the message, then shows its campaign. */
function useSendCampaign(draftId: number | null) {
  const { refresh } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const { t } = useTranslation();
  // After a success the page moves on to the campaign: the buttons stay disabled until it does.
  return useSubmit(
    async (content: ComposeRequest, saveOnly: boolean) => {
      let campaign: CampaignView;
      if (draftId !== null) {
        // An edited draft is saved first; sending it then prices and reserves it as it now stands.
        campaign = await api.put<CampaignView>(`/sendings/${draftId}`, content);
        if (!saveOnly) campaign = await api.post<CampaignView>(`/sendings/${draftId}/send`);
      } else {
        campaign = await api.post<CampaignView>('/sendings', { ...content, ...(saveOnly && { draft: true }) });
      }
      void refresh();
      toast(
        saveOnly ? t('compose.draftSaved', { id: campaign.id }) : t('compose.campaignCreated', { id: campaign.id }),
      );
      navigate(`/campaigns/${campaign.id}`);
    },
    { staysBusy: true },
  );
}

function DraftBanners({ draftLoad }: { readonly draftLoad: DraftLoad | null }) {
  const { t } = useTranslation();
  return (
    <>
      {draftLoad?.state === 'loading' && (
        <Banner tone="info">
          {t('compose.loadingDraft')}{' '}
          {draftLoad.total > 0 &&
            t('compose.loadedOf', { loaded: count(draftLoad.loaded), total: count(draftLoad.total) })}
        </Banner>
      )}
      {draftLoad?.state === 'failed' && <ErrorBanner error={draftLoad.error} />}
      {draftLoad?.state === 'ready' && (draftLoad.missing ?? 0) > 0 && (
        <Banner tone="warning">
          {t('compose.draftMissing', { count: draftLoad.missing ?? 0, n: count(draftLoad.missing ?? 0) })}
        </Banner>
      )}
    </>
  );
}

/** The message text, and a preview of it as a phone shows it. */
function MessageInput({
  message,
  onMessage,
  errors,
  sender,
  ucs2,
}: {
  readonly message: string;
  readonly onMessage: (message: string) => void;
  readonly errors: readonly string[];
  readonly sender: string;
  readonly ucs2: readonly string[];
}) {
  const { t } = useTranslation();
  return (
    <Card title={t('compose.message')}>
      <TextAreaField
        label={t('compose.messageText')}
        name="message"
        rows={6}
        value={message}
        onChange={(event) => onMessage(event.target.value)}
        errors={errors}
        hint={t('compose.messageHint')}
      />
      <MessagePreview text={message} sender={sender} ucs2={ucs2} />
    </Card>
  );
}

/** The recipients typed or pasted, and those of a CSV file (read here, kept by the form). */
function RecipientsInput({
  text,
  onText,
  errors,
  file,
  onFile,
  recipients,
}: {
  readonly text: string;
  readonly onText: (text: string) => void;
  readonly errors: readonly string[];
  readonly file: FileRecipients | null;
  readonly onFile: (file: FileRecipients | null) => void;
  readonly recipients: RecipientList;
}) {
  const { t } = useTranslation();
  const fileInput = useRef<HTMLInputElement>(null);
  const recipientsSummaryId = useId();
  const reading = useSubmit(
    async (chosen: File) => {
      const parsed = parseRecipientCsv(await chosen.text());
      if (parsed.numbers.length === 0) throw new FileRefused(t('compose.fileNoNumbers', { name: chosen.name }));
      onFile({ ...parsed, name: chosen.name });
    },
    {
      describeError: (error, chosen) =>
        error instanceof FileRefused
          ? error.message
          : t('compose.fileUnreadable', { name: chosen.name, reason: errorText(error) }),
    },
  );

  const loadFile = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (chosen) void reading.run(chosen);
  };

  const removeFile = () => {
    onFile(null);
    reading.reset();
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <Card title={t('compose.recipients')}>
      <TextAreaField
        label={t('compose.phoneNumbers')}
        name="recipients"
        rows={5}
        className="field-mono"
        placeholder={'447400123456\n37126123456, 4525123456'}
        value={text}
        onChange={(event) => onText(event.target.value)}
        errors={errors}
        hint={t('compose.phoneHint')}
        spellCheck={false}
        autoComplete="off"
      />
      <div className="file-upload">
        <label htmlFor="recipients-file" className="btn">
          <Icon name="upload" size={16} />
          <span>{t('compose.uploadCsv')}</span>
        </label>
        <input
          ref={fileInput}
          id="recipients-file"
          className="visually-hidden-input"
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          onChange={loadFile}
        />
        <span className="muted small">{t('compose.csvHint')}</span>
      </div>
      {reading.busy && <p className="muted">{t('compose.readingFile')}</p>}
      {typeof reading.error === 'string' && (
        <p className="banner banner-danger" role="alert">
          {reading.error}
        </p>
      )}
      {file && (
        <div className="file-chip">
          <span>
            <strong>{file.name}</strong>:{' '}
            {t('compose.numberCount', { count: file.numbers.length, n: count(file.numbers.length) })}{' '}
            {file.header
              ? t('compose.fromNamedColumn', { header: file.header })
              : t('compose.fromColumn', { column: file.column + 1 })}
            {file.emptyRows > 0
              ? t('compose.emptyRowsSkipped', { count: file.emptyRows, n: count(file.emptyRows) })
              : ''}
          </span>
          <button type="button" className="btn btn-small btn-ghost" onClick={removeFile}>
            {t('compose.removeFile')}
          </button>
        </div>
      )}
      <p className="recipients-count" id={recipientsSummaryId} aria-live="polite">
        <strong>
          {t('compose.recipientCount', { count: recipients.numbers.length, n: count(recipients.numbers.length) })}
        </strong>
        {recipients.duplicates > 0 && (
          <span className="muted">
            {' '}
            {t('compose.duplicatesRemoved', { count: recipients.duplicates, n: count(recipients.duplicates) })}
          </span>
        )}
      </p>
    </Card>
  );
}

/** The sender (approved ones only) and, when scheduled, the local date-time to send at. */
function SendingOptions({
  senders,
  approved,
  sender,
  onSender,
  scheduled,
  onScheduled,
  scheduleLocal,
  onScheduleLocal,
  scheduleUtc,
  error,
}: {
  readonly senders: Resource<{ data: SenderView[] }>;
  readonly approved: readonly SenderView[];
  readonly sender: string;
  readonly onSender: (sender: string) => void;
  readonly scheduled: boolean;
  readonly onScheduled: (scheduled: boolean) => void;
  readonly scheduleLocal: string;
  readonly onScheduleLocal: (local: string) => void;
  readonly scheduleUtc: string | null;
  readonly error: unknown;
}) {
  const { t } = useTranslation();
  return (
    <Card title={t('compose.sendingOptions')}>
      <div className="form-grid">
        <SelectField
          label={t('compose.sender')}
          name="sender"
          value={sender}
          onChange={(event) => onSender(event.target.value)}
          errors={fieldErrors(error, 'sender')}
          hint={
            <>
              {t('compose.approvedOnly')} <Link to="/senders">{t('compose.requestAnother')}</Link>
            </>
          }
        >
          {senders.loading && approved.length === 0 && <option value="">{t('compose.loadingSenders')}</option>}
          {!senders.loading && approved.length === 0 && <option value="">{t('compose.noApprovedSender')}</option>}
          {approved.map((option) => (
            <option key={option.id} value={option.name}>
              {option.name}
              {option.platform ? ` ${t('compose.platformDefault')}` : ''}
            </option>
          ))}
        </SelectField>
        <div className="field">
          <span className="label">{t('compose.when')}</span>
          <div className="checkbox-row">
            <input
              id="schedule-toggle"
              type="checkbox"
              checked={scheduled}
              onChange={(event) => {
                onScheduled(event.target.checked);
                if (event.target.checked && scheduleLocal === '') {
                  onScheduleLocal(toLocalInput(new Date(Date.now() + 60 * 60 * 1000)));
                }
              }}
            />
            <label htmlFor="schedule-toggle">{t('compose.scheduleLater')}</label>
          </div>
          {!scheduled && <p className="field-hint">{t('compose.sentAtOnce')}</p>}
        </div>
        {scheduled && (
          <TextField
            label={t('compose.sendAt')}
            type="datetime-local"
            name="schedule"
            value={scheduleLocal}
            min={toLocalInput(new Date())}
            onChange={(event) => onScheduleLocal(event.target.value)}
            errors={fieldErrors(error, 'schedule', 'scheduled_at')}
            hint={
              scheduleUtc ? (
                <>
                  {t('compose.sentToApiAs')} <strong>{scheduleUtc} UTC</strong>.
                </>
              ) : (
                t('compose.chooseDateTime')
              )
            }
          />
        )}
      </div>
    </Card>
  );
}

/** A "YYYY-MM-DD HH:MM:SS" UTC schedule in the past, as the server would refuse it. */
function pastSchedule(scheduleUtc: string): boolean {
  return scheduleIsPast(Date.parse(`${scheduleUtc.replace(' ', 'T')}Z`) * 1000, Date.now() * 1000);
}

/** Asks before spending: how many recipients, what they cost (when the price of this very list is known), when. */
function SendConfirmDialog({
  content,
  price,
  onClose,
  onConfirm,
}: {
  readonly content: ComposeRequest | null;
  readonly price: PriceView | null;
  readonly onClose: () => void;
  readonly onConfirm: (content: ComposeRequest) => void;
}) {
  const { t } = useTranslation();
  const priced = price !== null && content !== null && price.recipients === content.recipients.length;
  const recipients = priced ? price.valid : (content?.recipients.length ?? 0);
  return (
    <ConfirmDialog
      open={content !== null}
      title={t('compose.confirmTitle')}
      confirmLabel={t('compose.send')}
      danger={false}
      onClose={onClose}
      onConfirm={async () => {
        if (content) onConfirm(content);
      }}
    >
      <p>
        {t('compose.recipientCount', { count: recipients, n: count(recipients) })}
        {priced && `, ${money(price.total, price.sign)}`} {t('compose.confirmQuestion')}
      </p>
      {content?.schedule && (
        <p className="muted">{t('compose.goesOutAt', { when: utc(`${content.schedule.replace(' ', 'T')}Z`) })}</p>
      )}
    </ConfirmDialog>
  );
}

/** Send (the form's submit), save as a draft, and the balance beside them. */
function ComposeActions({
  submitting,
  disabled,
  editingDraft,
  unaffordable,
  onSaveDraft,
}: {
  readonly submitting: 'send' | 'draft' | null;
  readonly disabled: boolean;
  readonly editingDraft: boolean;
  readonly unaffordable: boolean;
  readonly onSaveDraft: () => void;
}) {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <div className="form-actions compose-actions">
      <button type="submit" className="btn btn-primary btn-large" disabled={disabled}>
        <Icon name="send" size={16} />
        <span>{submitting === 'send' ? t('compose.sending') : t('compose.send')}</span>
      </button>
      <button type="button" className="btn btn-large" disabled={disabled} onClick={onSaveDraft}>
        {submitting === 'draft'
          ? t('compose.saving')
          : editingDraft
            ? t('compose.saveDraft')
            : t('compose.saveAsDraft')}
      </button>
      {unaffordable && <Badge tone="danger">{t('compose.balanceTooLow')}</Badge>}
      <span className="muted small">
        {t('compose.balanceLine', {
          balance: money(me.account.balance, me.account.sign),
          currency: me.account.currency,
        })}
      </span>
    </div>
  );
}

const SHOWN_KEYS = ['message', 'recipients', 'sender', 'schedule', 'scheduled_at', 'send_window', 'validity_minutes'];

function ComposeForm() {
  const [params] = useSearchParams();
  const draftParam = params.get('draft') ?? '';
  const draftId = /^\d+$/.test(draftParam) ? Number(draftParam) : null;
  const { t } = useTranslation();
  const title = draftId ? t('compose.editDraft', { id: draftId }) : t('nav.compose');
  useTitle(title);
  const senders = useResource<{ data: SenderView[] }>('/senders');
  const approved = useMemo(
    () => (senders.data?.data ?? []).filter((sender) => sender.status === 'approved'),
    [senders.data],
  );

  const [message, setMessage] = useState('');
  const [recipientsText, setRecipientsText] = useState('');
  const [file, setFile] = useState<FileRecipients | null>(null);
  const [sender, setSender] = useState('');
  const [scheduled, setScheduled] = useState(false);
  const [scheduleLocal, setScheduleLocal] = useState('');
  const [limits, setLimits] = useState<DeliveryLimits>({ sendWindow: '', validityMinutes: '' });
  const draftLoad = useDraft(draftId, (draft) => {
    setMessage(draft.message);
    setSender(draft.sender);
    setRecipientsText(draft.recipientsText);
    setScheduled(draft.scheduleLocal !== null);
    setScheduleLocal(draft.scheduleLocal ?? '');
    setLimits(draft.limits);
  });

  useEffect(() => {
    if (sender === '' && approved[0]) setSender(approved[0].name);
  }, [approved, sender]);

  const deferredText = useDeferredValue(recipientsText);
  const typed = useMemo(() => parseRecipientText(deferredText), [deferredText]);
  const recipients = useMemo(() => mergeRecipients(typed, file?.numbers ?? []), [typed, file]);
  const tooMany = recipients.numbers.length > COMPOSE_RECIPIENTS_MAX;
  const [smartEncoding, setSmartEncoding] = useState(false);
  const { price, pricing, priceError } = usePrice(message, recipients, tooMany, smartEncoding, sender);

  const scheduleUtc = scheduled ? localInputToUtc(scheduleLocal) : null;
  const sending = useSendCampaign(draftId);
  const submitError = sending.error;
  const submitting = sending.pending === null ? null : sending.pending[1] ? 'draft' : 'send';

  const [confirming, setConfirming] = useState<ComposeRequest | null>(null);

  const submit = (saveOnly: boolean) => {
    if (scheduled && scheduleLocal !== '' && scheduleUtc === null) {
      sending.setError(t('compose.invalidSchedule'));
      return;
    }
    if (scheduleUtc && pastSchedule(scheduleUtc)) {
      sending.setError(new ApiError(422, serverText('schedulePast'), { schedule: [serverText('schedulePast')] }));
      return;
    }
    const content: ComposeRequest = {
      message,
      recipients: recipients.numbers,
      sender,
      ...(scheduleUtc && { schedule: scheduleUtc }),
      ...(smartEncoding && smartEncode(message) !== message && { smart_encoding: true }),
      ...deliveryLimitFields(limits),
    };
    // Saving a draft spends nothing; sending is confirmed first.
    if (saveOnly) void sending.run(content, true);
    else setConfirming(content);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit(false);
  };

  const recipientErrors = [
    ...fieldErrors(submitError, 'recipients'),
    ...(tooMany
      ? [t('compose.tooMany', { max: count(COMPOSE_RECIPIENTS_MAX), n: count(recipients.numbers.length) })]
      : []),
  ];

  return (
    <>
      <PageHeader title={title} description={t('compose.description')} />
      <DraftBanners draftLoad={draftLoad} />
      <form className="compose" onSubmit={onSubmit} noValidate aria-label={t('overview.composeMessage')}>
        <div className="compose-main">
          <ErrorBanner error={formLevelError(submitError, SHOWN_KEYS)} />
          <MessageInput
            message={message}
            onMessage={setMessage}
            errors={fieldErrors(submitError, 'message')}
            sender={sender}
            ucs2={price?.message === message ? price.view.ucs2_characters : ucs2Characters(message)}
          />
          <RecipientsInput
            text={recipientsText}
            onText={setRecipientsText}
            errors={recipientErrors}
            file={file}
            onFile={setFile}
            recipients={recipients}
          />
          <SendingOptions
            senders={senders}
            approved={approved}
            sender={sender}
            onSender={setSender}
            scheduled={scheduled}
            onScheduled={setScheduled}
            scheduleLocal={scheduleLocal}
            onScheduleLocal={setScheduleLocal}
            scheduleUtc={scheduleUtc}
            error={submitError}
          />
          <DeliveryLimitsCard limits={limits} onChange={setLimits} error={submitError} />
        </div>
        <aside className="compose-side" aria-label={t('compose.priceAndChecks')}>
          <PricePanel
            message={message}
            recipients={recipients.numbers.length}
            price={price}
            pricing={pricing}
            error={priceError}
            smartEncoding={smartEncoding}
            onSmartEncoding={setSmartEncoding}
          />
        </aside>
        <ComposeActions
          submitting={submitting}
          disabled={submitting !== null || tooMany}
          editingDraft={draftId !== null}
          unaffordable={price !== null && !price.view.affordable}
          onSaveDraft={() => submit(true)}
        />
      </form>
      <SendConfirmDialog
        content={confirming}
        price={price?.message === message ? price.view : null}
        onClose={() => setConfirming(null)}
        onConfirm={(content) => void sending.run(content, false)}
      />
    </>
  );
}
