// The account's price list with the public API's filters: a part of the country's name (as the page shows it, in the
// dashboard's language, or in English), MCC, MNC.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RateView } from '../../../src/http/dashboard/contract.js';
import { RatesTable } from '../components/RatesTable.js';
import { Card, ErrorBanner, fieldErrors, formLevelError, Loading, PageHeader, TextField } from '../components/ui.js';
import { countryMatches } from '../format.js';
import { useResource, useTitle } from '../hooks.js';
import { useMe } from '../session.js';

interface Filters {
  readonly country: string;
  readonly mcc: string;
  readonly mnc: string;
}

const NO_FILTERS: Filters = { country: '', mcc: '', mnc: '' };

export function RatesPage() {
  const { t } = useTranslation();
  useTitle(t('rates.title'));
  const me = useMe();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // MCC and MNC are filtered by the server; the country here, by the name shown as well as the English one.
  const rates = useResource<{ data: RateView[] }>('/rates', { mcc: filters.mcc, mnc: filters.mnc });
  const shown = rates.data?.data.filter((rate) => countryMatches(filters.country, rate.iso, rate.country));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ country: draft.country.trim(), mcc: draft.mcc.trim(), mnc: draft.mnc.trim() });
  };
  const filtered = filters.country !== '' || filters.mcc !== '' || filters.mnc !== '';

  return (
    <>
      <PageHeader title={t('rates.title')} description={t('rates.description', { currency: me.account.currency })} />
      <Card>
        <form className="filters" onSubmit={apply} noValidate aria-label={t('rates.filters')}>
          <TextField
            label={t('rates.country')}
            type="search"
            name="country"
            placeholder={t('rates.countryPlaceholder')}
            value={draft.country}
            onChange={(event) => setDraft({ ...draft, country: event.target.value })}
            errors={fieldErrors(rates.error, 'country', 'country_id')}
          />
          <TextField
            label={t('rates.mcc')}
            name="mcc"
            inputMode="numeric"
            placeholder={t('rates.mccPlaceholder')}
            maxLength={3}
            value={draft.mcc}
            onChange={(event) => setDraft({ ...draft, mcc: event.target.value })}
            errors={fieldErrors(rates.error, 'mcc')}
          />
          <TextField
            label={t('rates.mnc')}
            name="mnc"
            placeholder={t('rates.mncPlaceholder')}
            maxLength={4}
            hint={t('rates.mncHint')}
            value={draft.mnc}
            onChange={(event) => setDraft({ ...draft, mnc: event.target.value })}
            errors={fieldErrors(rates.error, 'mnc')}
          />
          <div className="filters-actions">
            <button type="submit" className="btn btn-primary">
              {t('rates.apply')}
            </button>
            {filtered && (
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => {
                  setDraft(NO_FILTERS);
                  setFilters(NO_FILTERS);
                }}
              >
                {t('rates.clear')}
              </button>
            )}
          </div>
        </form>
        <ErrorBanner error={formLevelError(rates.error, ['country', 'country_id', 'mcc', 'mnc'])} />
        {rates.loading && !rates.data ? (
          <Loading label={t('rates.loading')} />
        ) : shown ? (
          <RatesTable rates={shown} sign={me.account.sign} caption={t('rates.caption')} />
        ) : null}
      </Card>
    </>
  );
}
