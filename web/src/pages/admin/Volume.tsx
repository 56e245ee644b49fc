// Operator: platform traffic per UTC day, as a bar chart and a table.
import { useState } from 'react';
import { NOT_DELIVERED_LABEL } from '../../../../src/domain/status.js';
import type { VolumeDay } from '../../../../src/http/dashboard/contract.js';
import { BarChart } from '../../components/charts.js';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, Stat } from '../../components/ui.js';
import { count } from '../../format.js';
import { useResource, useTitle } from '../../hooks.js';

export function AdminVolumePage() {
  useTitle('Platform volume');
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
        title="Platform volume"
        description="Sendings, messages and parts of every account per UTC day."
        actions={
          <SelectField label="Period" className="field-inline" value={days} onChange={(e) => setDays(e.target.value)}>
            <option value="7">Last 7 days</option>
            <option value="30">Last 30 days</option>
            <option value="90">Last 90 days</option>
          </SelectField>
        }
      />
      <ErrorBanner error={volume.error} onRetry={() => volume.reload()} />
      {volume.loading && !volume.data ? (
        <Loading label="Loading volume…" />
      ) : volume.data ? (
        <>
          <Card>
            <dl className="stats stats-row">
              <Stat label="Sendings">{count(totals.sendings)}</Stat>
              <Stat label="Messages">{count(totals.messages)}</Stat>
              <Stat label="Parts">{count(totals.parts)}</Stat>
              <Stat label="Delivered" tone="success">
                {count(totals.delivered)}
              </Stat>
              <Stat label={NOT_DELIVERED_LABEL} tone={totals.failed > 0 ? 'danger' : undefined}>
                {count(totals.failed)}
              </Stat>
            </dl>
          </Card>
          <Card title="Messages per day">
            {totals.messages === 0 ? (
              <EmptyState title="No traffic in this period" />
            ) : (
              <BarChart
                title={`Messages, delivered and ${NOT_DELIVERED_LABEL.toLowerCase()} per day over the last ${days} days`}
                categories={rows.map((day) => day.day)}
                series={[
                  { label: 'Messages', color: '#6366f1', values: rows.map((day) => day.messages) },
                  { label: 'Delivered', color: '#059669', values: rows.map((day) => day.delivered) },
                  { label: NOT_DELIVERED_LABEL, color: '#dc2626', values: rows.map((day) => day.failed) },
                ]}
              />
            )}
          </Card>
          <Card title="Per day">
            <div className="table-wrap">
              <table className="table table-compact">
                <caption className="visually-hidden">Volume per UTC day, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Day (UTC)</th>
                    <th scope="col" className="num">
                      Sendings
                    </th>
                    <th scope="col" className="num">
                      Messages
                    </th>
                    <th scope="col" className="num">
                      Parts
                    </th>
                    <th scope="col" className="num">
                      Delivered
                    </th>
                    <th scope="col" className="num">
                      {NOT_DELIVERED_LABEL}
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
