// Opt-outs: the account's suppression list. Numbers on it are never sent to (a sending records them as opted out, at
// no cost). Search, add typed numbers, remove one after a confirmation, see a number's history, export and import CSV.
import type { ChangeEvent, FormEvent } from 'react';
import { useEffect, useState } from 'react';
import { SUPPRESSION_SOURCE_LABELS } from '../../../src/domain/texts.js';
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
} from '../components/ui.js';
import { count, dateTime, plural } from '../format.js';
import { useDebounced, useResource, useSubmit, useTitle } from '../hooks.js';

const PER_PAGE = 50;

/** "+447700900123": the list keeps digits; a number reads better with its "+". */
function shown(phone: string): string {
  return `+${phone}`;
}

function addedText(result: OptOutsAdded): string {
  const parts = [`${plural(result.added, 'number')} added to the opt-out list`];
  if (result.already > 0) parts.push(`${count(result.already)} already on it`);
  return `${parts.join('; ')}.`;
}

function AddForm({ onAdded }: { readonly onAdded: () => void }) {
  const toast = useToast();
  const [numbers, setNumbers] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const result = await api.post<OptOutsAdded>('/opt-outs', { numbers });
    setNumbers('');
    toast(addedText(result));
    onAdded();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  return (
    <Card title="Add numbers">
      <form className="form" onSubmit={submit} noValidate>
        <TextAreaField
          label="Phone numbers"
          name="numbers"
          rows={3}
          className="field-mono"
          placeholder={'447700900123\n+371 2612 3457'}
          value={numbers}
          onChange={(event) => setNumbers(event.target.value)}
          errors={fieldErrors(error, 'numbers')}
          hint="With the country code. One a line, or separated by commas or spaces."
          spellCheck={false}
          autoComplete="off"
        />
        <ErrorBanner error={formLevelError(error, ['numbers'])} />
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? 'Adding…' : 'Add to opt-outs'}</span>
          </button>
        </div>
      </form>
    </Card>
  );
}

/** The Import CSV button: sends the file as it is; the server reads it all or refuses it naming the bad rows. */
function ImportButton({ busy, onFile }: { readonly busy: boolean; readonly onFile: (file: File) => void }) {
  const chosen = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) onFile(file);
  };
  return (
    <>
      <label htmlFor="opt-outs-file" className="btn">
        <Icon name="upload" size={16} />
        <span>{busy ? 'Importing…' : 'Import CSV'}</span>
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
  if (!error) return null;
  const rows = error instanceof ApiError ? fieldErrors(error, 'csv') : [];
  return (
    <div className="banner banner-danger" role="alert">
      {rows.length > 0 ? (
        <>
          <p>The file was not imported:</p>
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
        Dismiss
      </button>
    </div>
  );
}

function HistoryDialog({ phone, onClose }: { readonly phone: string | null; readonly onClose: () => void }) {
  const history = useResource<{ data: OptOutChangeView[] }>(
    phone === null ? null : `/opt-outs/${encodeURIComponent(phone)}/history`,
  );
  const changes = history.data?.data ?? [];
  return (
    <Dialog
      open={phone !== null}
      title={phone === null ? 'History' : `History of ${shown(phone)}`}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorBanner error={history.error} onRetry={() => history.reload()} />
      {history.loading && !history.data ? (
        <Loading label="Loading the history…" />
      ) : (
        <ol className="history-list">
          {changes.map((change, index) => (
            // Newest first and never reordered: the position names a change (two may share a millisecond).
            // biome-ignore lint/suspicious/noArrayIndexKey: see above.
            <li key={index}>
              <strong>{change.action === 'add' ? 'Added' : 'Removed'}</strong>{' '}
              <span className="nowrap">{dateTime(change.at)}</span>
              <br />
              <span className="muted small">
                {change.action === 'add' ? SUPPRESSION_SOURCE_LABELS[change.source] : sourceOfRemoval(change)}
                {change.actor ? ` · ${change.actor}` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}

function sourceOfRemoval(change: OptOutChangeView): string {
  switch (change.source) {
    case 'api':
      return 'Removed through the API';
    case 'dashboard':
      return 'Removed in the dashboard';
    case 'operator':
      return 'Removed by the platform operator';
    case 'stop_message':
      return 'Replied START';
  }
}

function OptOutRows({
  rows,
  onHistory,
  onRemove,
}: {
  readonly rows: readonly OptOutView[];
  readonly onHistory: (phone: string) => void;
  readonly onRemove: (phone: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Opted-out numbers</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Source</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.phone}>
              <th scope="row" className="nowrap">
                {shown(row.phone)}
              </th>
              <td>{SUPPRESSION_SOURCE_LABELS[row.source]}</td>
              <td className="nowrap">{dateTime(row.created_at)}</td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`History of ${shown(row.phone)}`}
                  onClick={() => onHistory(row.phone)}
                >
                  History
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger-outline"
                  aria-label={`Remove ${shown(row.phone)}`}
                  onClick={() => onRemove(row.phone)}
                >
                  Remove
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
  useTitle('Opt-outs');
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const debounced = useDebounced(search.trim(), 300);
  const list = useResource<Page<OptOutView>>('/opt-outs', { search: debounced, page, per_page: PER_PAGE });
  const [removing, setRemoving] = useState<string | null>(null);
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
    toast(`${file.name}: ${addedText(result)}`);
    reload();
  });

  return (
    <>
      <PageHeader
        title="Opt-outs"
        description="Numbers that asked not to hear from you. They are left out of every sending, and never charged."
        actions={
          <>
            <a className="btn" href={apiUrl('/opt-outs.csv')} download>
              <Icon name="download" size={16} />
              <span>Export CSV</span>
            </a>
            <ImportButton busy={importing.busy} onFile={(file) => void importing.run(file)} />
          </>
        }
      />
      <ImportErrors error={importing.error} onDismiss={importing.reset} />
      <AddForm onAdded={reload} />
      <Card title={list.data ? `Opted-out numbers (${count(list.data.total)})` : 'Opted-out numbers'}>
        <search className="filters" aria-label="Opt-out search">
          <TextField
            label="Search numbers"
            type="search"
            inputMode="tel"
            placeholder="Starts with, e.g. 4477"
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
          <Loading label="Loading opt-outs…" />
        ) : rows.length === 0 && !list.error ? (
          <EmptyState title={debounced ? 'No number matches' : 'No opt-outs yet'}>
            {debounced
              ? 'No number on the list starts with these digits.'
              : 'Numbers added here or replying STOP appear here.'}
          </EmptyState>
        ) : (
          <>
            <OptOutRows rows={rows} onHistory={setHistoryOf} onRemove={setRemoving} />
            <Pagination
              page={page}
              perPage={PER_PAGE}
              total={list.data?.total ?? 0}
              onPage={setPage}
              label="Opt-out pages"
            />
          </>
        )}
      </Card>
      <HistoryDialog phone={historyOf} onClose={() => setHistoryOf(null)} />
      <ConfirmDialog
        open={removing !== null}
        title="Remove this number from the opt-outs?"
        confirmLabel="Remove number"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing === null) return;
          await api.del(`/opt-outs/${encodeURIComponent(removing)}`);
          toast(`${shown(removing)} removed from the opt-out list.`);
          reload();
        }}
      >
        <p>
          Sendings will reach <strong>{removing === null ? '' : shown(removing)}</strong> again. Remove it only if the
          person asked to receive your messages again.
        </p>
      </ConfirmDialog>
    </>
  );
}
