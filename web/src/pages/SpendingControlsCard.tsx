// Settings' controls on what the account's sendings may spend: where they go and how much per day and month.
import { type FormEvent, useEffect, useState } from 'react';
import type { CountriesView, SpendLimitsView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { useToast } from '../components/toast.js';
import { Card, ErrorBanner, fieldErrors, Loading, TextField } from '../components/ui.js';
import { useResource } from '../hooks.js';

function countryNames(list: CountriesView['sends_to']): string {
  if (list === null) return 'every country';
  return list.length === 0 ? 'no country' : list.map((c) => c.name).join(', ');
}

export function SpendingControlsCard() {
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
      toast('Sending controls saved.');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const view = countries.data;
  return (
    <Card title="Sending controls">
      <p className="muted small" style={{ marginBottom: 16 }}>
        Protect your balance if a token leaks: send only to the countries you need, and cap what sendings may spend each
        day and month (UTC). A sending past a limit is refused and nothing is charged.
      </p>
      <ErrorBanner error={countries.error ?? limits.error} />
      {!view || !limits.data ? (
        <Loading label="Loading the sending controls…" />
      ) : (
        <form className="form" onSubmit={save}>
          <p role="status">This account sends to {countryNames(view.sends_to)}.</p>
          <TextField
            label="Countries"
            value={chosen}
            onChange={(e) => setChosen(e.target.value)}
            hint={`ISO codes such as "LV, EE", or all; allowed: ${countryNames(view.allowed)}.`}
            errors={fieldErrors(error, 'countries')}
          />
          <TextField
            label="Daily spend limit"
            value={daily}
            inputMode="decimal"
            onChange={(e) => setDaily(e.target.value)}
            hint="Empty for no limit."
            errors={fieldErrors(error, 'daily')}
          />
          <TextField
            label="Monthly spend limit"
            value={monthly}
            inputMode="decimal"
            onChange={(e) => setMonthly(e.target.value)}
            hint="Empty for no limit."
            errors={fieldErrors(error, 'monthly')}
          />
          <div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save controls'}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
