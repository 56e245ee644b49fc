// A price list as a table (country, MCC, MNC, price per part), cut to its first rows when long.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RateView } from '../../../src/http/dashboard/contract.js';
import { count, countryName, money } from '../format.js';
import { EmptyState } from './ui.js';

const SHOWN_FIRST = 100;

export function RatesTable({
  rates,
  sign,
  caption,
  empty,
}: {
  readonly rates: readonly RateView[];
  readonly sign: string;
  readonly caption: string;
  readonly empty?: string;
}) {
  const { t } = useTranslation();
  const [showAll, setShowAll] = useState(false);
  if (rates.length === 0) return <EmptyState title={empty ?? t('ratesTable.noneMatch')} />;
  const shown = showAll ? rates : rates.slice(0, SHOWN_FIRST);
  return (
    <>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('ratesTable.country')}</th>
              <th scope="col">{t('ratesTable.mcc')}</th>
              <th scope="col">{t('ratesTable.mnc')}</th>
              <th scope="col" className="num">
                {t('ratesTable.pricePerPart')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((rate) => (
              <tr key={`${rate.mcc}-${rate.mnc ?? ''}`}>
                <th scope="row">{countryName(rate.iso, rate.country)}</th>
                <td>
                  <code>{rate.mcc}</code>
                </td>
                <td>
                  {rate.mnc === null ? (
                    <span className="muted">{t('ratesTable.allNetworks')}</span>
                  ) : (
                    <code>{rate.mnc}</code>
                  )}
                </td>
                <td className="num">{money(rate.rate, sign)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="table-footer muted">
        {shown.length < rates.length ? (
          <>
            {t('ratesTable.showing', { shown: count(shown.length), total: count(rates.length) })}{' '}
            <button type="button" className="btn-link" onClick={() => setShowAll(true)}>
              {t('ratesTable.showAll')}
            </button>
          </>
        ) : (
          t('ratesTable.count', { count: rates.length, n: count(rates.length) })
        )}
      </p>
    </>
  );
}
