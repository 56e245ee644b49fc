// Operator: the platform's default price list or an account's own; export it as CSV, import a list as CSV (pasted or
// from a file).
import type { ChangeEvent, FormEvent } from 'react';
import { useId, useRef, useState } from 'react';
import type { AdminAccountView, Page, RatesImported, RateView } from '../../../../src/http/dashboard/contract.js';
import { api, apiUrl } from '../../api.js';
import { Icon } from '../../components/icons.js';
import { RatesTable } from '../../components/RatesTable.js';
import { useToast } from '../../components/toast.js';
import { Banner, Card, ErrorBanner, Loading, PageHeader, SelectField, TextAreaField } from '../../components/ui.js';
import { plural } from '../../format.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';

const SAMPLE = 'mcc,mnc,rate\n234,,0.0350\n234,15,0.0320';

export function AdminRatesPage() {
  useTitle('Price lists');
  const toast = useToast();
  const [accountId, setAccountId] = useState('');
  const accounts = useResource<Page<AdminAccountView>>('/admin/accounts', { page: 1, per_page: 500 });
  const rates = useResource<{ data: RateView[] }>('/admin/rates', { account_id: accountId });
  const [csv, setCsv] = useState('');
  const [imported, setImported] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const fileId = useId();

  const account = accounts.data?.data.find((one) => String(one.id) === accountId);
  const listName = account ? `${account.name}'s price list` : 'the platform default price list';
  const sign = account?.sign ?? '';

  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
    if (fileInput.current) fileInput.current.value = '';
  };

  const importing = useSubmit(async () => {
    const path = `/admin/rates/import${accountId ? `?account_id=${encodeURIComponent(accountId)}` : ''}`;
    const result = await api.post<RatesImported>(path, undefined, { raw: { body: csv, contentType: 'text/csv' } });
    setImported(result.imported);
    setCsv('');
    rates.reload();
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
        description="Accounts without a list of their own are priced with the platform default list."
        actions={
          <a className="btn" href={apiUrl('/admin/rates.csv', { account_id: accountId })} download>
            <Icon name="download" size={16} />
            <span>Export CSV</span>
          </a>
        }
      />
      <Card>
        <div className="filters">
          <SelectField
            label="Price list"
            value={accountId}
            onChange={(event) => {
              setAccountId(event.target.value);
              setImported(null);
              importing.setError(null);
            }}
            hint={accounts.data && accounts.data.total > accounts.data.data.length ? 'First 500 accounts.' : undefined}
          >
            <option value="">Platform default</option>
            {(accounts.data?.data ?? []).map((one) => (
              <option key={one.id} value={one.id}>
                {one.name} (#{one.id}, {one.currency})
              </option>
            ))}
          </SelectField>
        </div>
      </Card>
      <div className="grid grid-2-1">
        <Card title={account ? `${account.name}: rates` : 'Platform default rates'}>
          <ErrorBanner error={rates.error} onRetry={() => rates.reload()} />
          {rates.loading && !rates.data ? (
            <Loading label="Loading rates…" />
          ) : rates.data ? (
            <RatesTable
              rates={rates.data.data}
              sign={sign}
              caption={`Rates of ${listName}`}
              empty={account ? 'This account has no list of its own: the default list applies.' : 'No default rates.'}
            />
          ) : null}
        </Card>
        <Card title="Import rates">
          <form className="form" onSubmit={submit} noValidate>
            <p className="muted small">
              Replaces {listName} as a whole. Header <code>mcc,mnc,rate</code>; an empty MNC is the country-wide rate;
              the rate is the price of one part{account ? ` in ${account.currency}` : ''}, with at most 4 decimals.
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
