// Operator: revenue net of refunds, provider cost and margin over a range of UTC days: a chart per day and a table
// by the chosen grouping, in each account currency, with a CSV export of the table.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  MarginAmountsView,
  MarginGroupingName,
  MarginReportView,
  MarginRowView,
} from '../../../../src/http/dashboard/contract.js';
import { apiUrl } from '../../api.js';
import { BarChart } from '../../components/charts.js';
import { Icon } from '../../components/icons.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  Loading,
  PageHeader,
  SelectField,
  Stat,
  TextField,
} from '../../components/ui.js';
import { count, countryName, money } from '../../format.js';
import { useResource, useTitle } from '../../hooks.js';

const GROUPINGS: readonly MarginGroupingName[] = ['day', 'country', 'provider', 'account'];

type Translate = ReturnType<typeof useTranslation>['t'];

function groupingName(t: Translate, by: MarginGroupingName): string {
  switch (by) {
    case 'day':
      return t('margin.byDay');
    case 'country':
      return t('margin.byCountry');
    case 'provider':
      return t('margin.byProvider');
    case 'account':
      return t('margin.byAccount');
  }
}
const MINOR_PER_UNIT = 10_000;

/** Whole currency units for drawing (the table shows the exact amounts); a loss is drawn as nothing. */
const units = (minor: number) => Math.max(0, minor) / MINOR_PER_UNIT;

function Totals({ total }: { readonly total: MarginAmountsView }) {
  const { t } = useTranslation();
  return (
    <dl className="stats stats-row" data-currency={total.currency}>
      <Stat label={t('margin.revenue')}>{money(total.revenue, total.sign)}</Stat>
      <Stat label={t('margin.cost')}>{money(total.cost, total.sign)}</Stat>
      <Stat label={t('margin.margin')} tone={total.margin_minor < 0 ? 'danger' : 'success'}>
        {money(total.margin, total.sign)}
      </Stat>
      <Stat label={t('margin.messages')}>{count(total.messages)}</Stat>
    </dl>
  );
}

function DayChart({ days, currency }: { readonly days: readonly MarginRowView[]; readonly currency: string }) {
  const { t } = useTranslation();
  const rows = days.filter((day) => day.currency === currency);
  return (
    <BarChart
      title={t('margin.chartTitle', { currency })}
      categories={rows.map((day) => day.key)}
      series={[
        { label: t('margin.revenue'), color: '#6366f1', values: rows.map((day) => units(day.revenue_minor)) },
        { label: t('margin.cost'), color: '#d97706', values: rows.map((day) => units(day.cost_minor)) },
        { label: t('margin.margin'), color: '#059669', values: rows.map((day) => units(day.margin_minor)) },
      ]}
    />
  );
}

/** A row's group as the table names it: a country in the dashboard's language; "none" for no country or provider. */
function rowName(t: Translate, by: MarginGroupingName, row: MarginRowView): string {
  if (row.label === '') return t('margin.none');
  return by === 'country' ? countryName(row.key, row.label) : row.label;
}

function GroupTable({ report }: { readonly report: MarginReportView }) {
  const { t } = useTranslation();
  const amount = (row: MarginAmountsView, value: string) => money(value, row.sign);
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">{t('margin.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{groupingName(t, report.by)}</th>
            <th scope="col">{t('margin.currency')}</th>
            <th scope="col" className="num">
              {t('margin.messages')}
            </th>
            <th scope="col" className="num">
              {t('margin.charged')}
            </th>
            <th scope="col" className="num">
              {t('margin.refunded')}
            </th>
            <th scope="col" className="num">
              {t('margin.revenue')}
            </th>
            <th scope="col" className="num">
              {t('margin.cost')}
            </th>
            <th scope="col" className="num">
              {t('margin.costUnknown')}
            </th>
            <th scope="col" className="num">
              {t('margin.margin')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={`${row.currency}:${row.key}`}>
              <th scope="row">{rowName(t, report.by, row)}</th>
              <td>{row.currency}</td>
              <td className="num">{count(row.messages)}</td>
              <td className="num">{amount(row, row.charged)}</td>
              <td className="num">{amount(row, row.refunded)}</td>
              <td className="num">{amount(row, row.revenue)}</td>
              <td className="num">{amount(row, row.cost)}</td>
              <td className="num">{count(row.cost_unknown)}</td>
              <td className="num">{amount(row, row.margin)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AdminMarginPage() {
  const { t } = useTranslation();
  useTitle(t('margin.title'));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [by, setBy] = useState<MarginGroupingName>('day');
  const range = { from, to };
  const days = useResource<MarginReportView>('/admin/margin', { ...range, by: 'day' });
  const grouped = useResource<MarginReportView>('/admin/margin', { ...range, by });
  const report = grouped.data;
  const shown = days.data ?? report;
  const error = grouped.error ?? days.error;

  return (
    <>
      <PageHeader
        title={t('margin.title')}
        description={t('margin.description')}
        actions={
          <a className="btn" href={apiUrl('/admin/margin.csv', { ...range, by })} download>
            <Icon name="download" size={16} />
            <span>{t('margin.exportCsv')}</span>
          </a>
        }
      />
      <Card>
        <div className="filters">
          <TextField
            label={t('margin.from')}
            type="date"
            value={from || (shown?.from ?? '')}
            errors={fieldErrors(error, 'from')}
            onChange={(event) => setFrom(event.target.value)}
          />
          <TextField
            label={t('margin.to')}
            type="date"
            value={to || (shown?.to ?? '')}
            errors={fieldErrors(error, 'to')}
            onChange={(event) => setTo(event.target.value)}
          />
          <SelectField
            label={t('margin.groupBy')}
            value={by}
            onChange={(event) => setBy(event.target.value as MarginGroupingName)}
          >
            {GROUPINGS.map((grouping) => (
              <option key={grouping} value={grouping}>
                {groupingName(t, grouping)}
              </option>
            ))}
          </SelectField>
        </div>
      </Card>
      <ErrorBanner
        error={fieldErrors(error, 'from', 'to').length > 0 ? null : error}
        onRetry={() => {
          days.reload();
          grouped.reload();
        }}
      />
      {grouped.loading && !report ? (
        <Loading label={t('margin.loading')} />
      ) : report ? (
        <>
          {report.totals.length === 0 ? (
            <Card>
              <EmptyState title={t('margin.empty')} />
            </Card>
          ) : (
            report.totals.map((total) => (
              <Card key={total.currency} title={t('margin.totalsTitle', { currency: total.currency })}>
                <Totals total={total} />
                {days.data && <DayChart days={days.data.rows} currency={total.currency} />}
              </Card>
            ))
          )}
          {report.rows.length > 0 && (
            <Card title={t('margin.tableTitle', { grouping: groupingName(t, report.by) })}>
              <GroupTable report={report} />
              <p className="muted small">{t('margin.note')}</p>
            </Card>
          )}
        </>
      ) : null}
    </>
  );
}
