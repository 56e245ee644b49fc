// Operator: the platform's default price lists (one per currency: the base one, and those converted from it at a recorded
// rate) or an account's own, in the account's currency; export it as CSV, import a list as CSV (pasted or from a file).
import type { ChangeEvent, FormEvent } from 'react';
import { useId, useRef, useState } from 'react';
import type {
  AdminAccountView,
  Page,
  PriceListView,
  RatesImported,
  RateView,
} from '../../../../src/http/dashboard/contract.js';
import { api, apiUrl } from '../../api.js';
import { Icon } from '../../components/icons.js';
import { RatesTable } from '../../components/RatesTable.js';
import { useToast } from '../../components/toast.js';
import { Banner, Card, ErrorBanner, Loading, PageHeader, SelectField, TextAreaField } from '../../components/ui.js';
import { plural } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

const SAMPLE = 'mcc,mnc,rate\n234,,0.0350\n234,15,0.0320';

const DEFAULT_PREFIX = 'default:';

/** How a list's prices came to be: "Imported", or "1 GBP = 1.14 EUR (2025-11-28)" for a converted one. */
function sourceText(list: PriceListView): string {
  if (list.source !== 'converted') return 'Imported';
  return `Converted: 1 ${list.converted_from} = ${list.rate} ${list.currency} (rate of ${list.rate_date})`;
}

function PriceListsTable({ lists }: { readonly lists: readonly PriceListView[] }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">Price lists and their currencies</caption>
        <thead>
          <tr>
            <th scope="col">Price list</th>
            <th scope="col">Currency</th>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              Rates
            </th>
          </tr>
        </thead>
        <tbody>
          {lists.map((list) => (
            <tr key={`${list.account_id ?? 0}-${list.currency}`}>
              <th scope="row">
                {list.list === 'default' ? 'Platform default' : `${list.account_name} (#${list.account_id})`}
              </th>
              <td>{list.currency}</td>
              <td>{sourceText(list)}</td>
              <td className="num">{list.rates === 0 ? 'None: prices nothing' : list.rates}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AdminRatesPage() {
  useTitle('Price lists');
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
  const fileInput = useRef<HTMLInputElement>(null);
  const fileId = useId();

  const defaults = (lists.data?.data ?? []).filter((list) => list.list === 'default');
  const account = accounts.data?.data.find((one) => String(one.id) === accountId);
  const shownDefault = defaults.find((list) => list.currency === currency) ?? defaults[0];
  const listCurrency = account?.currency ?? shownDefault?.currency ?? '';
  const listName = account
    ? `${account.name}'s price list`
    : `the platform default price list in ${listCurrency}`.replace(/ in $/, '');
  const sign = account?.sign ?? shownDefault?.sign ?? '';

  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
    if (fileInput.current) fileInput.current.value = '';
  };

  const importing = useSubmit(async () => {
    const query = accountId
      ? `?account_id=${encodeURIComponent(accountId)}`
      : currency
        ? `?currency=${encodeURIComponent(currency)}`
        : '';
    const path = `/admin/rates/import${query}`;
    const result = await api.post<RatesImported>(path, undefined, { raw: { body: csv, contentType: 'text/csv' } });
    setImported(result.imported);
    setCsv('');
    rates.reload();
    lists.reload();
    toast(`${plural(result.imported, 'rate')} imported into ${listName}.`);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setImported(null);
    void importing.run();
  };

  return (
    <>
      <PageHeader
        title="Price lists"
        description="An account is priced only in its own currency: by its own list, else by the platform default list of its currency."
        actions={
          <a
            className="btn"
            href={apiUrl('/admin/rates.csv', { account_id: accountId, currency: currency || undefined })}
            download
          >
            <Icon name="download" size={16} />
            <span>Export CSV</span>
          </a>
        }
      />
      <Card title="Price lists">
        <ErrorBanner error={lists.error} onRetry={() => lists.reload()} />
        {lists.data ? <PriceListsTable lists={lists.data.data} /> : <Loading label="Loading price lists…" />}
        <p className="muted small">
          A converted default list is the base list times the recorded rate, each price rounded up to the next 1/10000
          so that it is never below the base price. Importing the base list converts them again.
        </p>
      </Card>
      <Card>
        <div className="filters">
          <SelectField
            label="Price list"
            value={choice}
            onChange={(event) => {
              setChoice(event.target.value);
              setImported(null);
              importing.setError(null);
            }}
            hint={accounts.data && accounts.data.total > accounts.data.data.length ? 'First 500 accounts.' : undefined}
          >
            {defaults.length === 0 && <option value="">Platform default</option>}
            {defaults.map((list, i) => (
              <option key={list.currency} value={i === 0 ? '' : `${DEFAULT_PREFIX}${list.currency}`}>
                Platform default, {list.currency}
                {list.source === 'converted' ? ' (converted)' : ''}
              </option>
            ))}
            {(accounts.data?.data ?? []).map((one) => (
              <option key={one.id} value={one.id}>
                {one.name} (#{one.id}, {one.currency})
              </option>
            ))}
          </SelectField>
        </div>
      </Card>
      <div className="grid grid-2-1">
        <Card title={account ? `${account.name}: rates` : `Platform default rates, ${listCurrency}`}>
          <ErrorBanner error={rates.error} onRetry={() => rates.reload()} />
          {rates.loading && !rates.data ? (
            <Loading label="Loading rates…" />
          ) : rates.data ? (
            <RatesTable
              rates={rates.data.data}
              sign={sign}
              caption={`Rates of ${listName}`}
              empty={
                account
                  ? `This account has no list of its own: the default list in ${account.currency} applies.`
                  : `No default rates in ${listCurrency}: accounts in ${listCurrency} cannot be priced.`
              }
            />
          ) : null}
        </Card>
        <Card title="Import rates">
          <form className="form" onSubmit={submit} noValidate>
            <p className="muted small">
              Replaces {listName} as a whole. Header <code>mcc,mnc,rate</code>; an empty MNC is the country-wide rate;
              the rate is the price of one part in {listCurrency}, with at most 4 decimals. A <code>currency</code>{' '}
              column may state it; a list in another currency is refused.
            </p>
            {imported !== null && <Banner tone="success">{plural(imported, 'rate')} imported.</Banner>}
            <ErrorBanner error={importing.error} />
            <TextAreaField
              label="CSV"
              className="field-mono"
              rows={10}
              placeholder={SAMPLE}
              value={csv}
              spellCheck={false}
              onChange={(event) => setCsv(event.target.value)}
            />
            <div className="file-upload">
              <label htmlFor={fileId} className="btn">
                <Icon name="upload" size={16} />
                <span>Load a CSV file</span>
              </label>
              <input
                ref={fileInput}
                id={fileId}
                className="visually-hidden-input"
                type="file"
                accept=".csv,text/csv,text/plain"
                onChange={loadFile}
              />
            </div>
            <div>
              <button type="submit" className="btn btn-primary" disabled={importing.busy || csv.trim() === ''}>
                {importing.busy ? 'Importing…' : 'Import rates'}
              </button>
            </div>
          </form>
        </Card>
      </div>
    </>
  );
}
