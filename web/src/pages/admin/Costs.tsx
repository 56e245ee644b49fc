// Operator: what each upstream provider charges for one part (its cost list, by network or country); import a list
// from a CSV file: the page shows what would change, and "Replace" puts it in place whole.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CURRENCIES } from '../../../../src/domain/money.js';
import type { CostListView, CostsDiff } from '../../../../src/http/dashboard/contract.js';
import { api, apiUrl } from '../../api.js';
import { CsvFileButton } from '../../components/CsvFileButton.js';
import { Icon } from '../../components/icons.js';
import { useToast } from '../../components/toast.js';
import { Banner, Card, ErrorBanner, Loading, PageHeader, SelectField } from '../../components/ui.js';
import { count, dateTime } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

/** Rows of a diff shown at most; the counts above say how many there are. */
const DIFF_ROWS_SHOWN = 500;

function CostListsTable({ lists }: { readonly lists: readonly CostListView[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">{t('costs.listsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('costs.provider')}</th>
            <th scope="col">{t('costs.currency')}</th>
            <th scope="col" className="num">
              {t('costs.rows')}
            </th>
            <th scope="col" className="num">
              {t('costs.version')}
            </th>
            <th scope="col">{t('costs.updated')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('costs.export')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lists.map((list) => (
            <tr key={list.provider}>
              <th scope="row">{list.provider}</th>
              <td>{list.currency ?? <span className="muted">{t('costs.noList')}</span>}</td>
              <td className="num">{list.currency === null ? '—' : count(list.rows)}</td>
              <td className="num">{list.currency === null ? '—' : list.version}</td>
              <td className="nowrap">{dateTime(list.updated_at)}</td>
              <td>
                {list.currency !== null && (
                  <a className="btn btn-small" href={apiUrl('/admin/costs.csv', { provider: list.provider })} download>
                    <Icon name="download" size={14} />
                    <span>{t('costs.export')}</span>
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DiffTable({ diff }: { readonly diff: CostsDiff }) {
  const { t } = useTranslation();
  const network = (mnc: string | null) => mnc ?? t('costs.country');
  const rows = [
    ...diff.added.map((r) => ({ kind: t('costs.kindAdded'), mcc: r.mcc, mnc: r.mnc, old: '—', new: r.cost })),
    ...diff.removed.map((r) => ({ kind: t('costs.kindRemoved'), mcc: r.mcc, mnc: r.mnc, old: r.cost, new: '—' })),
    ...diff.changed.map((c) => ({ kind: t('costs.kindChanged'), mcc: c.mcc, mnc: c.mnc, old: c.old, new: c.new })),
  ];
  if (rows.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">{t('costs.diffCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('costs.change')}</th>
            <th scope="col">{t('costs.mcc')}</th>
            <th scope="col">{t('costs.mnc')}</th>
            <th scope="col" className="num">
              {t('costs.oldCost')}
            </th>
            <th scope="col" className="num">
              {t('costs.newCost')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, DIFF_ROWS_SHOWN).map((row) => (
            <tr key={`${row.mcc}-${row.mnc ?? ''}`}>
              <td>{row.kind}</td>
              <td className="cell-mono">{row.mcc}</td>
              <td className={row.mnc === null ? undefined : 'cell-mono'}>{network(row.mnc)}</td>
              <td className="num cell-mono">{row.old}</td>
              <td className="num cell-mono">{row.new}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > DIFF_ROWS_SHOWN && (
        <p className="muted small">{t('costs.moreRows', { n: count(rows.length - DIFF_ROWS_SHOWN) })}</p>
      )}
    </div>
  );
}

function DiffSummary({ diff }: { readonly diff: CostsDiff }) {
  const { t } = useTranslation();
  const nothing =
    diff.currency_before === diff.currency && diff.added.length + diff.removed.length + diff.changed.length === 0;
  return (
    <div className="form">
      <p>
        {diff.currency_before === null
          ? t('costs.newList', { currency: diff.currency })
          : diff.currency_before === diff.currency
            ? t('costs.sameCurrency', { currency: diff.currency })
            : t('costs.currencyChange', { from: diff.currency_before, to: diff.currency })}
      </p>
      <ul className="cost-counts" aria-label={t('costs.countsLabel')}>
        <li>{t('costs.added', { n: count(diff.added.length) })}</li>
        <li>{t('costs.removed', { n: count(diff.removed.length) })}</li>
        <li>{t('costs.changed', { n: count(diff.changed.length) })}</li>
        <li>{t('costs.unchanged', { n: count(diff.unchanged) })}</li>
      </ul>
      {nothing && <Banner tone="info">{t('costs.noChanges')}</Banner>}
      <DiffTable diff={diff} />
    </div>
  );
}

function importPath(action: 'preview' | 'import', provider: string, currency: string): string {
  const query = new URLSearchParams({ provider, ...(currency && { currency }) });
  return `/admin/costs/${action}?${query.toString()}`;
}

export function AdminCostsPage() {
  const { t } = useTranslation();
  useTitle(t('costs.title'));
  const toast = useToast();
  const lists = useResource<{ data: CostListView[] }>('/admin/costs');
  const [chosen, setChosen] = useState('');
  const [currency, setCurrency] = useState('');
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<CostsDiff | null>(null);
  const [replaced, setReplaced] = useState<CostsDiff | null>(null);
  const providers = (lists.data?.data ?? []).map((list) => list.provider);
  const provider = chosen || providers[0] || '';

  const previewing = useSubmit(async (text: string, forProvider: string, inCurrency: string) => {
    setPreview(null);
    const raw = { body: text, contentType: 'text/csv' };
    setPreview(await api.post<CostsDiff>(importPath('preview', forProvider, inCurrency), undefined, { raw }));
  });

  const replacing = useSubmit(async () => {
    const raw = { body: csv, contentType: 'text/csv' };
    const result = await api.post<CostsDiff>(importPath('import', provider, currency), undefined, { raw });
    setPreview(null);
    setCsv('');
    setReplaced(result);
    lists.reload();
    toast(t('costs.replaced', { provider: result.provider, version: result.version }));
  });

  const again = (text: string, forProvider: string, inCurrency: string) => {
    setReplaced(null);
    replacing.setError(null);
    if (text.trim() === '') return;
    void previewing.run(text, forProvider, inCurrency);
  };

  const loadFile = (text: string) => {
    setCsv(text);
    again(text, provider, currency);
  };

  const cancel = () => {
    setCsv('');
    setPreview(null);
    previewing.setError(null);
  };

  return (
    <>
      <PageHeader title={t('costs.title')} description={t('costs.description')} />
      <Card title={t('costs.lists')}>
        <ErrorBanner error={lists.error} onRetry={() => lists.reload()} />
        {lists.data ? <CostListsTable lists={lists.data.data} /> : <Loading label={t('costs.loading')} />}
      </Card>
      <Card title={t('costs.importTitle')}>
        <div className="form">
          <p className="muted small">{t('costs.importHelp')}</p>
          {replaced && (
            <Banner tone="success">
              {t('costs.replaced', { provider: replaced.provider, version: replaced.version })}
            </Banner>
          )}
          <div className="filters">
            <SelectField
              label={t('costs.provider')}
              value={provider}
              onChange={(event) => {
                setChosen(event.target.value);
                again(csv, event.target.value, currency);
              }}
            >
              {providers.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </SelectField>
            <SelectField
              label={t('costs.currency')}
              value={currency}
              onChange={(event) => {
                setCurrency(event.target.value);
                again(csv, provider, event.target.value);
              }}
            >
              <option value="">{t('costs.currencyFromFile')}</option>
              {Object.keys(CURRENCIES).map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="file-upload">
            <CsvFileButton label={t('costs.chooseFile')} onFile={loadFile} />
          </div>
          <ErrorBanner error={previewing.error} />
          {previewing.busy && <Loading label={t('costs.checking')} />}
          {preview && (
            <section className="form" aria-label={t('costs.diffTitle', { provider: preview.provider })}>
              <h3>{t('costs.diffTitle', { provider: preview.provider })}</h3>
              <DiffSummary diff={preview} />
              <ErrorBanner error={replacing.error} />
              <div className="form-actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={replacing.busy}
                  onClick={() => void replacing.run()}
                >
                  {replacing.busy ? t('costs.replacing') : t('costs.replace')}
                </button>
                <button type="button" className="btn" disabled={replacing.busy} onClick={cancel}>
                  {t('costs.cancel')}
                </button>
              </div>
            </section>
          )}
        </div>
      </Card>
    </>
  );
}
