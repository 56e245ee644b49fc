// A price list as a table (country, MCC, MNC, price per part), cut to its first rows when long.
import { useState } from 'react';
import type { RateView } from '../../../src/http/dashboard/contract.js';
import { count, money } from '../format.js';
import { EmptyState } from './ui.js';

const SHOWN_FIRST = 100;

export function RatesTable({
  rates,
  sign,
  caption,
  empty = 'No rates match these filters.',
}: {
  readonly rates: readonly RateView[];
  readonly sign: string;
  readonly caption: string;
  readonly empty?: string;
}) {
  const [showAll, setShowAll] = useState(false);
  if (rates.length === 0) return <EmptyState title={empty} />;
  const shown = showAll ? rates : rates.slice(0, SHOWN_FIRST);
  return (
    <>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">MCC</th>
              <th scope="col">MNC</th>
              <th scope="col" className="num">
                Price per part
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((rate) => (
              <tr key={`${rate.mcc}-${rate.mnc ?? ''}`}>
                <th scope="row">{rate.country}</th>
                <td>
                  <code>{rate.mcc}</code>
                </td>
                <td>{rate.mnc === null ? <span className="muted">All networks</span> : <code>{rate.mnc}</code>}</td>
                <td className="num">{money(rate.rate, sign)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="table-footer muted">
        {shown.length < rates.length ? (
          <>
            Showing {count(shown.length)} of {count(rates.length)} rates.{' '}
            <button type="button" className="btn-link" onClick={() => setShowAll(true)}>
              Show all
            </button>
          </>
        ) : (
          `${count(rates.length)} ${rates.length === 1 ? 'rate' : 'rates'}`
        )}
      </p>
    </>
  );
}
