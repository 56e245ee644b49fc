// Settings' controls on what the account's sendings may spend: where they go and how much per day and month.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CountriesView, SpendLimitsView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { useToast } from '../components/toast.js';
import type { Translate } from '../components/ui.js';
import { Card, ErrorBanner, fieldErrors, Loading, TextField } from '../components/ui.js';
import { countryName } from '../format.js';
import { useResource } from '../hooks.js';

function countryNames(t: Translate, list: CountriesView['sends_to']): string {
  if (list === null) return t('spending.everyCountry');
  return list.length === 0 ? t('spending.noCountry') : list.map((c) => countryName(c.iso, c.name)).join(', ');
}

export function SpendingControlsCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const countries = useResource<CountriesView>('/countries');
  const limits = useResource<SpendLimitsView>('/spend-limits');
  const [chosen, setChosen] = useState('');
  const [daily, setDaily] = useState('');
  const [monthly, setMonthly] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (countries.data) setChosen(countries.data.chosen?.map((c) => c.iso).join(', ') ?? 'all');
  }, [countries.data]);
  useEffect(() => {
    if (limits.data) {
      setDaily(limits.data.daily ?? '');
      setMonthly(limits.data.monthly ?? '');
    }
  }, [limits.data]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const savedCountries = await api.post<CountriesView>('/countries', { countries: chosen });
      countries.setData(() => savedCountries);
      const savedLimits = await api.post<SpendLimitsView>('/spend-limits', { daily, monthly });
      limits.setData(() => savedLimits);
      toast(t('spending.saved'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const view = countries.data;
  return (
    <Card title={t('spending.title')}>
      <p className="muted small" style={{ marginBottom: 16 }}>
        {t('spending.intro')}
      </p>
      <ErrorBanner error={countries.error ?? limits.error} />
      {!view || !limits.data ? (
        <Loading label={t('spending.loading')} />
      ) : (
        <form className="form" onSubmit={save}>
          <p role="status">{t('spending.sendsTo', { countries: countryNames(t, view.sends_to) })}</p>
          <TextField
            label={t('spending.countries')}
            value={chosen}
            onChange={(e) => setChosen(e.target.value)}
            hint={t('spending.countriesHint', { allowed: countryNames(t, view.allowed) })}
            errors={fieldErrors(error, 'countries')}
          />
          <TextField
            label={t('spending.daily')}
            value={daily}
            inputMode="decimal"
            onChange={(e) => setDaily(e.target.value)}
            hint={t('spending.noLimit')}
            errors={fieldErrors(error, 'daily')}
          />
          <TextField
            label={t('spending.monthly')}
            value={monthly}
            inputMode="decimal"
            onChange={(e) => setMonthly(e.target.value)}
            hint={t('spending.noLimit')}
            errors={fieldErrors(error, 'monthly')}
          />
          <div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('spending.saving') : t('spending.save')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
