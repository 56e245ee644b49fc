// Operator: the platform's default price lists (one per currency: the base one, and those converted from it at a recorded
// rate) or an account's own, in the account's currency; export it as CSV, import a list as CSV (pasted or from a file)
// after reviewing what the import adds, removes and reprices.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AdminAccountView,
  Page,
  PriceListView,
  RatesImported,
  RateView,
} from '../../../../src/http/dashboard/contract.js';
import { api, apiUrl } from '../../api.js';
import { CsvFileButton } from '../../components/CsvFileButton.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { Icon } from '../../components/icons.js';
import { RatesTable } from '../../components/RatesTable.js';
import { useToast } from '../../components/toast.js';
import {
  Banner,
  Card,
  ErrorBanner,
  Loading,
  PageHeader,
  SelectField,
  TextAreaField,
  type Translate,
} from '../../components/ui.js';
import { count, money } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

const SAMPLE = 'mcc,mnc,rate\n234,,0.0350\n234,15,0.0320';

const DEFAULT_PREFIX = 'default:';

/** How a list's prices came to be: "Imported", or "1 GBP = 1.14 EUR (2025-11-28)" for a converted one. */
function sourceText(t: Translate, list: PriceListView): string {
  if (list.source !== 'converted') return t('adminRates.imported');
  return t('adminRates.converted', {
    from: list.converted_from,
    rate: list.rate,
    currency: list.currency,
    date: list.rate_date,
  });
}

function PriceListsTable({ lists }: { readonly lists: readonly PriceListView[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">{t('adminRates.listsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('adminRates.priceList')}</th>
            <th scope="col">{t('adminRates.currency')}</th>
            <th scope="col">{t('adminRates.source')}</th>
            <th scope="col" className="num">
              {t('adminRates.rates')}
            </th>
          </tr>
        </thead>
        <tbody>
          {lists.map((list) => (
            <tr key={`${list.account_id ?? 0}-${list.currency}`}>
              <th scope="row">
                {list.list === 'default'
                  ? t('adminRates.platformDefault')
                  : t('adminRates.accountList', { name: list.account_name, id: list.account_id })}
              </th>
              <td>{list.currency}</td>
              <td>{sourceText(t, list)}</td>
              <td className="num">{list.rates === 0 ? t('adminRates.pricesNothing') : count(list.rates)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What an import adds, removes and reprices, as the confirmation shows it before anything is written. */
function RatesDiff({ diff, sign }: { readonly diff: RatesImported; readonly sign: string }) {
  const { t } = useTranslation();
  const network = (mnc: string | null) => mnc ?? t('adminRates.allNetworks');
  const changeText = {
    added: t('adminRates.changeAdded'),
    removed: t('adminRates.changeRemoved'),
    changed: t('adminRates.changeChanged'),
  };
  const rows = [
    ...diff.added.map((row) => ({ ...row, change: 'added' as const, old: null, next: row.rate })),
    ...diff.removed.map((row) => ({ ...row, change: 'removed' as const, old: row.rate, next: null })),
    ...diff.changed.map((row) => ({ ...row, change: 'changed' as const, old: row.old_rate, next: row.new_rate })),
  ];
  return (
    <>
      <p>
        {t('adminRates.diffSummary', {
          added: count(diff.added.length),
          removed: count(diff.removed.length),
          changed: count(diff.changed.length),
          unchanged: count(diff.unchanged),
        })}
      </p>
      {rows.length === 0 ? (
        <p className="muted">{t('adminRates.noChanges')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">{t('adminRates.diffCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('adminRates.change')}</th>
                <th scope="col">{t('adminRates.mcc')}</th>
                <th scope="col">{t('adminRates.mnc')}</th>
                <th scope="col" className="num">
                  {t('adminRates.oldPrice')}
                </th>
                <th scope="col" className="num">
                  {t('adminRates.newPrice')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.change}-${row.mcc}-${row.mnc ?? ''}`}>
                  <th scope="row">{changeText[row.change]}</th>
                  <td>
                    <code>{row.mcc}</code>
                  </td>
                  <td>{network(row.mnc)}</td>
                  <td className="num">{row.old === null ? '—' : money(row.old, sign)}</td>
                  <td className="num">{row.next === null ? '—' : money(row.next, sign)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function importPath(accountId: string, currency: string, dryRun: boolean): string {
  const query = new URLSearchParams();
  if (accountId) query.set('account_id', accountId);
  else if (currency) query.set('currency', currency);
  if (dryRun) query.set('dry_run', 'true');
  return `/admin/rates/import?${query.toString()}`;
}

export function AdminRatesPage() {
  const { t } = useTranslation();
  useTitle(t('adminRates.title'));
  const toast = useToast();
  /** '' for the base default list, `default:EUR` for another currency's, or an account id. */
  const [choice, setChoice] = useState('');
  const accountId = /^\d+$/.test(choice) ? choice : '';
  const currency = choice.startsWith(DEFAULT_PREFIX) ? choice.slice(DEFAULT_PREFIX.length) : '';
  const accounts = useResource<Page<AdminAccountView>>('/admin/accounts', { page: 1, per_page: 500 });
  const lists = useResource<{ data: PriceListView[] }>('/admin/price-lists', { account_id: accountId });
  const rates = useResource<{ data: RateView[] }>('/admin/rates', { account_id: accountId, currency });
  const [csv, setCsv] = useState('');
  const [imported, setImported] = useState<number | null>(null);
  /** The dry run's answer while the operator reviews it; the import itself runs on confirmation. */
  const [preview, setPreview] = useState<RatesImported | null>(null);

  const defaults = (lists.data?.data ?? []).filter((list) => list.list === 'default');
  const account = accounts.data?.data.find((one) => String(one.id) === accountId);
  const shownDefault = defaults.find((list) => list.currency === currency) ?? defaults[0];
  const listCurrency = account?.currency ?? shownDefault?.currency ?? '';
  const listName = account
    ? t('adminRates.accountListName', { name: account.name })
    : t('adminRates.defaultListName', { currency: listCurrency });
  const sign = account?.sign ?? shownDefault?.sign ?? '';

  const loadFile = (text: string) => setCsv(text);

  const post = (dryRun: boolean) =>
    api.post<RatesImported>(importPath(accountId, currency, dryRun), undefined, {
      raw: { body: csv, contentType: 'text/csv' },
    });

  const previewing = useSubmit(async () => {
    setPreview(await post(true));
  });

  const confirm = async () => {
    const result = await post(false);
    setImported(result.imported);
    setCsv('');
    rates.reload();
    lists.reload();
    toast(t('adminRates.importedInto', { count: result.imported, list: listName }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setImported(null);
    void previewing.run();
  };

  return (
    <>
      <PageHeader
        title={t('adminRates.title')}
        description={t('adminRates.description')}
        actions={
          <a
            className="btn"
            href={apiUrl('/admin/rates.csv', { account_id: accountId, currency: currency || undefined })}
            download
          >
            <Icon name="download" size={16} />
            <span>{t('adminRates.exportCsv')}</span>
          </a>
        }
      />
      <Card title={t('adminRates.title')}>
        <ErrorBanner error={lists.error} onRetry={() => lists.reload()} />
        {lists.data ? <PriceListsTable lists={lists.data.data} /> : <Loading label={t('adminRates.loadingLists')} />}
        <p className="muted small">{t('adminRates.conversionNote')}</p>
      </Card>
      <Card>
        <div className="filters">
          <SelectField
            label={t('adminRates.priceList')}
            value={choice}
            onChange={(event) => {
              setChoice(event.target.value);
              setImported(null);
              previewing.setError(null);
            }}
            hint={
              accounts.data && accounts.data.total > accounts.data.data.length ? t('adminRates.first500') : undefined
            }
          >
            {defaults.length === 0 && <option value="">{t('adminRates.platformDefault')}</option>}
            {defaults.map((list, i) => (
              <option key={list.currency} value={i === 0 ? '' : `${DEFAULT_PREFIX}${list.currency}`}>
                {list.source === 'converted'
                  ? t('adminRates.defaultOptionConverted', { currency: list.currency })
                  : t('adminRates.defaultOption', { currency: list.currency })}
              </option>
            ))}
            {(accounts.data?.data ?? []).map((one) => (
              <option key={one.id} value={one.id}>
                {t('adminRates.accountOption', { name: one.name, id: one.id, currency: one.currency })}
              </option>
            ))}
          </SelectField>
        </div>
      </Card>
      <div className="grid grid-2-1">
        <Card
          title={
            account
              ? t('adminRates.accountRates', { name: account.name })
              : t('adminRates.defaultRates', { currency: listCurrency })
          }
        >
          <ErrorBanner error={rates.error} onRetry={() => rates.reload()} />
          {rates.loading && !rates.data ? (
            <Loading label={t('adminRates.loadingRates')} />
          ) : rates.data ? (
            <RatesTable
              rates={rates.data.data}
              sign={sign}
              caption={t('adminRates.ratesOf', { list: listName })}
              empty={
                account
                  ? t('adminRates.noOwnList', { currency: account.currency })
                  : t('adminRates.noDefault', { currency: listCurrency })
              }
            />
          ) : null}
        </Card>
        <Card title={t('adminRates.importTitle')}>
          <form className="form" onSubmit={submit} noValidate>
            <p className="muted small">{t('adminRates.importHelp', { list: listName, currency: listCurrency })}</p>
            {imported !== null && <Banner tone="success">{t('adminRates.importedCount', { count: imported })}</Banner>}
            <ErrorBanner error={previewing.error} />
            <TextAreaField
              label={t('adminRates.csv')}
              className="field-mono"
              rows={10}
              placeholder={SAMPLE}
              value={csv}
              spellCheck={false}
              onChange={(event) => setCsv(event.target.value)}
            />
            <div className="file-upload">
              <CsvFileButton label={t('adminRates.loadFile')} onFile={loadFile} />
            </div>
            <div>
              <button type="submit" className="btn btn-primary" disabled={previewing.busy || csv.trim() === ''}>
                {previewing.busy ? t('adminRates.checking') : t('adminRates.importButton')}
              </button>
            </div>
          </form>
        </Card>
      </div>
      <ConfirmDialog
        open={preview !== null}
        title={t('adminRates.confirmTitle', { list: listName })}
        confirmLabel={t('adminRates.replace')}
        danger={false}
        onConfirm={confirm}
        onClose={() => setPreview(null)}
      >
        {preview && <RatesDiff diff={preview} sign={sign} />}
      </ConfirmDialog>
    </>
  );
}
