// Operator: "what if" on the Routes page. The last days' handed-over messages replayed against the current route
// table with the rule in the form (added, or the one being edited) and/or a proposed cost list, beside what
// happened. Nothing is saved.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  RouteSimulationView,
  SimulationFiguresView,
  SimulationRowView,
  SimulationTotalView,
} from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { CsvFileButton } from '../../components/CsvFileButton.js';
import { Icon } from '../../components/icons.js';
import {
  Card,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  SelectField,
  TextField,
} from '../../components/ui.js';
import { count, money } from '../../format.js';
import { useSubmit } from '../../hooks.js';

type Translate = ReturnType<typeof useTranslation>['t'];

const SHOWN = ['days', 'cost_provider', 'csv', 'currency'] as const;

function percent(ppm: number | null): string {
  return ppm === null ? '–' : `${(ppm / 10_000).toFixed(1)} %`;
}

function signedMoney(minor: number, sign: string): string {
  const abs = Math.abs(minor);
  const amount = `${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`;
  const prefix = ['−', '', '+'][Math.sign(minor) + 1] ?? '';
  return `${prefix}${money(amount, sign)}`;
}

function TotalTable({ total }: { readonly total: SimulationTotalView }) {
  const { t } = useTranslation();
  const { actual, proposed, sign } = total;
  const rows: [string, string, string, string][] = [
    [t('simulate.messages'), count(actual.messages), count(proposed.messages), ''],
    [t('simulate.revenue'), money(actual.revenue, sign), money(proposed.revenue, sign), ''],
    [t('simulate.cost'), money(actual.cost, sign), money(proposed.cost, sign), ''],
    [t('simulate.costUnknown'), count(actual.cost_unknown), count(proposed.cost_unknown), ''],
    [
      t('simulate.margin'),
      money(actual.margin, sign),
      money(proposed.margin, sign),
      signedMoney(proposed.margin_minor - actual.margin_minor, sign),
    ],
    [t('simulate.delivery'), percent(actual.expected_delivery_ppm), percent(proposed.expected_delivery_ppm), ''],
    [t('simulate.refusedRow'), '', count(total.refused), ''],
    [t('simulate.refusedRevenue'), '', money(total.refused_revenue, sign), ''],
  ];
  return (
    <section aria-label={t('simulate.totalsTitle', { currency: total.currency })}>
      <h3>{t('simulate.totalsTitle', { currency: total.currency })}</h3>
      <p>
        {t('simulate.moved', { count: total.moved })} {t('simulate.unrouted', { count: total.unrouted })}{' '}
        <span data-simulation="refused">
          {t('simulate.refused', { count: total.refused, revenue: money(total.refused_revenue, sign) })}
        </span>
      </p>
      <div className="table-wrap">
        <table className="table" data-simulation="totals">
          <caption className="visually-hidden">{t('simulate.totalsTitle', { currency: total.currency })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('simulate.colMeasure')}</th>
              <th scope="col">{t('simulate.actual')}</th>
              <th scope="col">{t('simulate.proposed')}</th>
              <th scope="col">{t('simulate.change')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, a, p, change]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="num">{a}</td>
                <td className="num">{p}</td>
                <td className="num">{change}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function figures(f: SimulationFiguresView, sign: string): string[] {
  return [count(f.messages), money(f.cost, sign), money(f.margin, sign), percent(f.expected_delivery_ppm)];
}

function GroupTable({
  title,
  column,
  rows,
  name,
}: {
  readonly title: string;
  readonly column: string;
  readonly rows: readonly SimulationRowView[];
  readonly name: (row: SimulationRowView) => string;
}) {
  const { t } = useTranslation();
  const headers = [t('simulate.messages'), t('simulate.cost'), t('simulate.margin'), t('simulate.delivery')];
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{column}</th>
              {headers.map((h) => (
                <th scope="col" key={`a-${h}`}>
                  {`${t('simulate.actual')}: ${h}`}
                </th>
              ))}
              {headers.map((h) => (
                <th scope="col" key={`p-${h}`}>
                  {`${t('simulate.proposed')}: ${h}`}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.currency}-${row.key}`} data-key={row.key}>
                <th scope="row">{name(row)}</th>
                {[...figures(row.actual, row.sign), ...figures(row.proposed, row.sign)].map((cell, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed.
                  <td className="num" key={i}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Result({ t, result }: { readonly t: Translate; readonly result: RouteSimulationView }) {
  return (
    <section className="form" aria-label={t('simulate.resultTitle')}>
      <h3>{t('simulate.period', { from: result.from, to: result.to })}</h3>
      <p className="muted small">
        {t('simulate.providersAssumed')}
        {result.unconfigured_providers.length > 0 &&
          ` ${t('simulate.unconfigured', { providers: result.unconfigured_providers.join(', ') })}`}
      </p>
      {result.totals.length === 0 ? (
        <p>{t('simulate.empty')}</p>
      ) : (
        <>
          {result.totals.map((total) => (
            <TotalTable key={total.currency} total={total} />
          ))}
          <GroupTable
            title={t('simulate.byProvider')}
            column={t('simulate.colProvider')}
            rows={result.providers}
            name={(row) => row.key || t('simulate.noProvider')}
          />
          <GroupTable
            title={t('simulate.byCountry')}
            column={t('simulate.colCountry')}
            rows={result.countries}
            name={(row) => (row.key === '' ? t('simulate.unknownCountry') : row.label || row.key)}
          />
        </>
      )}
    </section>
  );
}

/**
 * The Simulate card: `rule` the form's fields, `editing` the id of the rule being edited (null: the form adds one),
 * `providers` every provider a cost list may be proposed for.
 */
export function RouteSimulationCard({
  rule,
  editing,
  providers,
}: {
  readonly rule: Readonly<Record<string, string>>;
  readonly editing: number | null;
  readonly providers: readonly string[];
}) {
  const { t } = useTranslation();
  const [days, setDays] = useState('7');
  const [withRule, setWithRule] = useState(true);
  const [costProvider, setCostProvider] = useState('');
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [result, setResult] = useState<RouteSimulationView | null>(null);
  const checkboxId = useId();
  const simulate = useSubmit(async () => {
    setResult(null);
    const fields = Object.fromEntries(Object.entries(rule).filter(([, value]) => value.trim() !== ''));
    const body: Record<string, string> = { days };
    // An empty form (no providers, nothing being edited) proposes no rule.
    const hasRule = editing !== null || (rule.providers ?? '').trim() !== '';
    if (withRule && hasRule) Object.assign(body, fields, { rule: editing === null ? 'new' : String(editing) });
    if (costProvider !== '') body.cost_provider = costProvider;
    if (csv !== null) body.csv = csv.text;
    setResult(await api.post<RouteSimulationView>('/admin/routes/simulate', body));
  });
  const loadFile = (text: string, name: string) => setCsv({ name, text });
  return (
    <Card title={t('simulate.title')}>
      <div className="form">
        <p className="muted">{t('simulate.description')}</p>
        <div className="form-grid">
          <TextField
            label={t('simulate.days')}
            name="days"
            inputMode="numeric"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            errors={fieldErrors(simulate.error, 'days')}
          />
          <SelectField
            label={t('simulate.costProvider')}
            name="cost_provider"
            value={costProvider}
            onChange={(event) => setCostProvider(event.target.value)}
            errors={fieldErrors(simulate.error, 'cost_provider', 'currency')}
          >
            <option value="">{t('simulate.noCostList')}</option>
            {providers.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="file-upload">
          <CsvFileButton label={t('simulate.chooseFile')} onFile={loadFile} />
          {csv !== null && <span>{t('simulate.fileChosen', { name: csv.name })}</span>}
        </div>
        {fieldErrors(simulate.error, 'csv').length > 0 && (
          <ul className="field-errors" role="alert">
            {fieldErrors(simulate.error, 'csv').map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        )}
        <div className="checkbox-row">
          <input
            id={checkboxId}
            type="checkbox"
            checked={withRule}
            onChange={(event) => setWithRule(event.target.checked)}
          />
          <label htmlFor={checkboxId}>
            {editing === null ? t('simulate.withNewRule') : t('simulate.withEditedRule', { id: editing })}
          </label>
        </div>
        <ErrorBanner error={formLevelError(simulate.error, SHOWN)} />
        <div className="form-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={simulate.busy}
            onClick={() => void simulate.run()}
          >
            <Icon name="activity" size={16} />
            <span>{t('simulate.run')}</span>
          </button>
        </div>
        {simulate.busy && <Loading label={t('simulate.running')} />}
        {result && <Result t={t} result={result} />}
      </div>
    </Card>
  );
}
