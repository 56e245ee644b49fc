// Opt-outs: the account's suppression list. Numbers on it are never sent to (a sending records them as opted out, at
// no cost). Search, add typed numbers, remove one after a confirmation, see a number's history, export and import CSV.
import type { ChangeEvent, FormEvent } from 'react';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type {
  OptOutChangeView,
  OptOutsAdded,
  OptOutsImported,
  OptOutView,
  Page,
} from '../../../src/http/dashboard/contract.js';
import { ApiError, api, apiUrl, errorText } from '../api.js';
import { ConfirmDialog, Dialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { useToast } from '../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  Pagination,
  TextAreaField,
  TextField,
  type Translate,
} from '../components/ui.js';
import { count, dateTime } from '../format.js';
import { useDebounced, useResource, useSubmit, useTitle } from '../hooks.js';

const PER_PAGE = 50;

/** "+447700900123": the list keeps digits; a number reads better with its "+". */
function shown(phone: string): string {
  return `+${phone}`;
}

function addedText(t: Translate, result: OptOutsAdded): string {
  const added = t('optOuts.added', { count: result.added, n: count(result.added) });
  return result.already > 0 ? t('optOuts.addedAlready', { added, already: count(result.already) }) : `${added}.`;
}

/** Where an opt-out came from, or how it was removed. */
function sourceText(t: Translate, action: 'add' | 'remove', source: OptOutView['source']): string {
  const texts = {
    add: {
      api: t('optOuts.addedApi'),
      dashboard: t('optOuts.addedDashboard'),
      operator: t('optOuts.addedOperator'),
      stop_message: t('optOuts.repliedStop'),
    },
    remove: {
      api: t('optOuts.removedApi'),
      dashboard: t('optOuts.removedDashboard'),
      operator: t('optOuts.removedOperator'),
      stop_message: t('optOuts.repliedStart'),
    },
  };
  return texts[action][source];
}

function AddForm({ onAdded }: { readonly onAdded: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [numbers, setNumbers] = useState('');
  const [sender, setSender] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const result = await api.post<OptOutsAdded>('/opt-outs', { numbers, sender });
    setNumbers('');
    toast(addedText(t, result));
    onAdded();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  return (
    <Card title={t('optOuts.addNumbers')}>
      <form className="form" onSubmit={submit} noValidate>
        <TextAreaField
          label={t('optOuts.phoneNumbers')}
          name="numbers"
          rows={3}
          className="field-mono"
          placeholder={'447700900123\n+371 2612 3457'}
          value={numbers}
          onChange={(event) => setNumbers(event.target.value)}
          errors={fieldErrors(error, 'numbers')}
          hint={t('optOuts.phoneHint')}
          spellCheck={false}
          autoComplete="off"
        />
        <TextField
          label={t('optOuts.senderField')}
          name="sender"
          value={sender}
          onChange={(event) => setSender(event.target.value)}
          errors={fieldErrors(error, 'sender')}
          hint={t('optOuts.senderHint')}
          spellCheck={false}
          autoComplete="off"
        />
        <ErrorBanner error={formLevelError(error, ['numbers', 'sender'])} />
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? t('optOuts.adding') : t('optOuts.add')}</span>
          </button>
        </div>
      </form>
    </Card>
  );
}

/** The Import CSV button: sends the file as it is; the server reads it all or refuses it naming the bad rows. */
function ImportButton({ busy, onFile }: { readonly busy: boolean; readonly onFile: (file: File) => void }) {
  const { t } = useTranslation();
  const chosen = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) onFile(file);
  };
  return (
    <>
      <label htmlFor="opt-outs-file" className="btn">
        <Icon name="upload" size={16} />
        <span>{busy ? t('optOuts.importing') : t('optOuts.importCsv')}</span>
      </label>
      <input
        id="opt-outs-file"
        className="visually-hidden-input"
        type="file"
        accept=".csv,.txt,text/csv,text/plain"
        disabled={busy}
        onChange={chosen}
      />
    </>
  );
}

/** Why a file was refused: the rows the server names (the first bad ones, by line), or the error itself. */
function ImportErrors({ error, onDismiss }: { readonly error: unknown; readonly onDismiss: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const rows = error instanceof ApiError ? fieldErrors(error, 'csv') : [];
  return (
    <div className="banner banner-danger" role="alert">
      {rows.length > 0 ? (
        <>
          <p>{t('optOuts.notImported')}</p>
          <ul className="import-errors">
            {rows.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>{errorText(error)}</p>
      )}
      <button type="button" className="btn btn-small" onClick={onDismiss}>
        {t('ui.dismiss')}
      </button>
    </div>
  );
}

function HistoryDialog({ phone, onClose }: { readonly phone: string | null; readonly onClose: () => void }) {
  const { t } = useTranslation();
  const history = useResource<{ data: OptOutChangeView[] }>(
    phone === null ? null : `/opt-outs/${encodeURIComponent(phone)}/history`,
  );
  const changes = history.data?.data ?? [];
  return (
    <Dialog
      open={phone !== null}
      title={phone === null ? t('optOuts.history') : t('optOuts.historyOf', { phone: shown(phone) })}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          {t('ui.close')}
        </button>
      }
    >
      <ErrorBanner error={history.error} onRetry={() => history.reload()} />
      {history.loading && !history.data ? (
        <Loading label={t('optOuts.loadingHistory')} />
      ) : (
        <ol className="history-list">
          {changes.map((change, index) => (
            // Newest first and never reordered: the position names a change (two may share a millisecond).
            // biome-ignore lint/suspicious/noArrayIndexKey: see above.
            <li key={index}>
              <strong>{change.action === 'add' ? t('optOuts.addedAction') : t('optOuts.removedAction')}</strong>{' '}
              <span className="nowrap">{dateTime(change.at)}</span>
              <br />
              <span className="muted small">
                {sourceText(t, change.action === 'add' ? 'add' : 'remove', change.source)}
                {change.actor ? ` · ${change.actor}` : ''}
                {` · ${change.sender === null ? t('optOuts.allSenders') : t('optOuts.forSender', { sender: change.sender })}`}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}

function OptOutRows({
  rows,
  onHistory,
  onRemove,
}: {
  readonly rows: readonly OptOutView[];
  readonly onHistory: (phone: string) => void;
  readonly onRemove: (entry: OptOutView) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{t('optOuts.listTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('optOuts.number')}</th>
            <th scope="col">{t('optOuts.source')}</th>
            <th scope="col">{t('optOuts.sender')}</th>
            <th scope="col">{t('optOuts.since')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('optOuts.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.phone} ${row.sender ?? ''}`}>
              <th scope="row" className="nowrap">
                {shown(row.phone)}
              </th>
              <td>{sourceText(t, 'add', row.source)}</td>
              <td>{row.sender ?? <span className="muted">{t('optOuts.allSenders')}</span>}</td>
              <td className="nowrap">{dateTime(row.created_at)}</td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={t('optOuts.historyOf', { phone: shown(row.phone) })}
                  onClick={() => onHistory(row.phone)}
                >
                  {t('optOuts.history')}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger-outline"
                  aria-label={
                    row.sender === null
                      ? t('optOuts.removeNamed', { phone: shown(row.phone) })
                      : t('optOuts.removeNamedSender', { phone: shown(row.phone), sender: row.sender })
                  }
                  onClick={() => onRemove(row)}
                >
                  {t('optOuts.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OptOutsPage() {
  const { t } = useTranslation();
  useTitle(t('optOuts.title'));
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const debounced = useDebounced(search.trim(), 300);
  const list = useResource<Page<OptOutView>>('/opt-outs', { search: debounced, page, per_page: PER_PAGE });
  const [removing, setRemoving] = useState<OptOutView | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const rows = list.data?.data ?? [];
  const reload = () => list.reload(true);
  // The last number of the last page removed: show the page before it rather than an empty one.
  const pastTheEnd = list.data !== undefined && rows.length === 0 && page > 1;
  useEffect(() => {
    if (pastTheEnd) setPage((current) => Math.max(1, current - 1));
  }, [pastTheEnd]);
  const importing = useSubmit(async (file: File) => {
    const result = await api.post<OptOutsImported>('/opt-outs/import', undefined, {
      raw: { body: await file.text(), contentType: 'text/csv' },
    });
    toast(`${file.name}: ${addedText(t, result)}`);
    reload();
  });

  return (
    <>
      <PageHeader
        title={t('optOuts.title')}
        description={t('optOuts.description')}
        actions={
          <>
            <a className="btn" href={apiUrl('/opt-outs.csv')} download>
              <Icon name="download" size={16} />
              <span>{t('optOuts.exportCsv')}</span>
            </a>
            <ImportButton busy={importing.busy} onFile={(file) => void importing.run(file)} />
          </>
        }
      />
      <ImportErrors error={importing.error} onDismiss={importing.reset} />
      <AddForm onAdded={reload} />
      <Card title={list.data ? t('optOuts.listTitleCount', { n: count(list.data.total) }) : t('optOuts.listTitle')}>
        <search className="filters" aria-label={t('optOuts.search')}>
          <TextField
            label={t('optOuts.searchNumbers')}
            type="search"
            inputMode="tel"
            placeholder={t('optOuts.searchPlaceholder')}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
            errors={fieldErrors(list.error, 'search')}
          />
        </search>
        <ErrorBanner error={formLevelError(list.error, ['search'])} onRetry={() => list.reload()} />
        {list.loading && !list.data ? (
          <Loading label={t('optOuts.loading')} />
        ) : rows.length === 0 && !list.error ? (
          <EmptyState title={debounced ? t('optOuts.noMatch') : t('optOuts.noneYet')}>
            {debounced ? t('optOuts.noMatchText') : t('optOuts.emptyText')}
          </EmptyState>
        ) : (
          <>
            <OptOutRows rows={rows} onHistory={setHistoryOf} onRemove={setRemoving} />
            <Pagination
              page={page}
              perPage={PER_PAGE}
              total={list.data?.total ?? 0}
              onPage={setPage}
              label={t('optOuts.pages')}
            />
          </>
        )}
      </Card>
      <HistoryDialog phone={historyOf} onClose={() => setHistoryOf(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={t('optOuts.removeTitle')}
        confirmLabel={t('optOuts.removeNumber')}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing === null) return;
          const sender = removing.sender === null ? '' : `?sender=${encodeURIComponent(removing.sender)}`;
          await api.del(`/opt-outs/${encodeURIComponent(removing.phone)}${sender}`);
          toast(t('optOuts.removed', { phone: shown(removing.phone) }));
          reload();
        }}
      >
        <p>
          <Trans
            i18nKey="optOuts.removeText"
            values={{ phone: removing === null ? '' : shown(removing.phone) }}
            components={{ strong: <strong /> }}
          />
        </p>
      </ConfirmDialog>
    </>
  );
}
