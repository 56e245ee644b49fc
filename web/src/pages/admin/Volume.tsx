// Operator: platform traffic per UTC day, as a bar chart and a table.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VolumeDay } from '../../../../src/http/dashboard/contract.js';
import { BarChart } from '../../components/charts.js';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, Stat } from '../../components/ui.js';
import { count } from '../../format.js';
import { useResource, useTitle } from '../../hooks.js';

export function AdminVolumePage() {
  const { t } = useTranslation();
  useTitle(t('adminVolume.title'));
  const notDelivered = t('adminVolume.notDelivered');
  const [days, setDays] = useState('30');
  const volume = useResource<{ data: VolumeDay[] }>('/admin/volume', { days });
  const rows = volume.data?.data ?? [];
  const totals = rows.reduce(
    (sum, day) => ({
      sendings: sum.sendings + day.sendings,
      messages: sum.messages + day.messages,
      parts: sum.parts + day.parts,
      delivered: sum.delivered + day.delivered,
      failed: sum.failed + day.failed,
    }),
    { sendings: 0, messages: 0, parts: 0, delivered: 0, failed: 0 },
  );

  return (
    <>
      <PageHeader
        title={t('adminVolume.title')}
        description={t('adminVolume.description')}
        actions={
          <SelectField
            label={t('adminVolume.period')}
            className="field-inline"
            value={days}
            onChange={(e) => setDays(e.target.value)}
          >
            <option value="7">{t('adminVolume.lastDays', { count: 7 })}</option>
            <option value="30">{t('adminVolume.lastDays', { count: 30 })}</option>
            <option value="90">{t('adminVolume.lastDays', { count: 90 })}</option>
          </SelectField>
        }
      />
      <ErrorBanner error={volume.error} onRetry={() => volume.reload()} />
      {volume.loading && !volume.data ? (
        <Loading label={t('adminVolume.loading')} />
      ) : volume.data ? (
        <>
          <Card>
            <dl className="stats stats-row">
              <Stat label={t('adminVolume.sendings')}>{count(totals.sendings)}</Stat>
              <Stat label={t('adminVolume.messages')}>{count(totals.messages)}</Stat>
              <Stat label={t('adminVolume.parts')}>{count(totals.parts)}</Stat>
              <Stat label={t('adminVolume.delivered')} tone="success">
                {count(totals.delivered)}
              </Stat>
              <Stat label={notDelivered} tone={totals.failed > 0 ? 'danger' : undefined}>
                {count(totals.failed)}
              </Stat>
            </dl>
          </Card>
          <Card title={t('adminVolume.perDayChart')}>
            {totals.messages === 0 ? (
              <EmptyState title={t('adminVolume.noTraffic')} />
            ) : (
              <BarChart
                title={t('adminVolume.chartTitle', { count: Number(days) })}
                categories={rows.map((day) => day.day)}
                series={[
                  { label: t('adminVolume.messages'), color: '#6366f1', values: rows.map((day) => day.messages) },
                  { label: t('adminVolume.delivered'), color: '#059669', values: rows.map((day) => day.delivered) },
                  { label: notDelivered, color: '#dc2626', values: rows.map((day) => day.failed) },
                ]}
              />
            )}
          </Card>
          <Card title={t('adminVolume.perDay')}>
            <div className="table-wrap">
              <table className="table table-compact">
                <caption className="visually-hidden">{t('adminVolume.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('adminVolume.day')}</th>
                    <th scope="col" className="num">
                      {t('adminVolume.sendings')}
                    </th>
                    <th scope="col" className="num">
                      {t('adminVolume.messages')}
                    </th>
                    <th scope="col" className="num">
                      {t('adminVolume.parts')}
                    </th>
                    <th scope="col" className="num">
                      {t('adminVolume.delivered')}
                    </th>
                    <th scope="col" className="num">
                      {notDelivered}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...rows].reverse().map((day) => (
                    <tr key={day.day}>
                      <th scope="row" className="nowrap">
                        {day.day}
                      </th>
                      <td className="num">{count(day.sendings)}</td>
                      <td className="num">{count(day.messages)}</td>
                      <td className="num">{count(day.parts)}</td>
                      <td className="num">{count(day.delivered)}</td>
                      <td className="num">{count(day.failed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      ) : null}
    </>
  );
}
