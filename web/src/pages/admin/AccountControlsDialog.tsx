// Operator: an account's controls — the countries it may send to and its daily and monthly spend limits (as
// `smsgic account countries|spend-limits`), behind a compact button in the accounts table.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AccountControlsView,
  AdminAccountView,
  CountriesView,
  SpendLimitsView,
} from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { Dialog } from '../../components/dialog.js';
import { useToast } from '../../components/toast.js';
import { ErrorBanner, fieldErrors, formLevelError, Loading, TextField } from '../../components/ui.js';
import { countryName } from '../../format.js';
import { useResource, useSubmit } from '../../hooks.js';

type Form = { countries: string; daily: string; monthly: string };

const codes = (list: CountriesView['allowed']) => (list === null ? 'all' : list.map((c) => c.iso).join(', '));

function ControlsForm({
  account,
  controls,
  onDone,
}: {
  readonly account: AdminAccountView;
  readonly controls: AccountControlsView;
  readonly onDone: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [form, setForm] = useState<Form>({
    countries: codes(controls.countries.allowed),
    daily: controls.spend_limits.daily ?? '',
    monthly: controls.spend_limits.monthly ?? '',
  });
  const save = useSubmit(async () => {
    await api.post<CountriesView>(`/admin/accounts/${account.id}/countries`, {
      countries: form.countries.trim() || 'all',
    });
    await api.post<SpendLimitsView>(`/admin/accounts/${account.id}/spend-limits`, {
      daily: form.daily.trim(),
      monthly: form.monthly.trim(),
    });
    toast(t('opsNumbers.saved', { name: account.name }));
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  const input = (name: keyof Form, label: string, hint: string) => (
    <TextField
      label={label}
      name={name}
      hint={hint}
      value={form[name]}
      onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      errors={fieldErrors(save.error, name)}
    />
  );
  const sendsTo = controls.countries.sends_to;
  return (
    <form className="form" onSubmit={submit} noValidate>
      <ErrorBanner error={formLevelError(save.error, ['countries', 'daily', 'monthly'])} />
      {input('countries', t('opsNumbers.countries'), t('opsNumbers.countriesHint'))}
      <p className="muted small">
        {t('opsNumbers.sendsTo', {
          countries:
            sendsTo === null ? t('opsNumbers.everyCountry') : sendsTo.map((c) => countryName(c.iso, c.name)).join(', '),
        })}
      </p>
      {input('daily', t('opsNumbers.daily'), t('opsNumbers.limitHint', { currency: account.currency }))}
      {input('monthly', t('opsNumbers.monthly'), t('opsNumbers.limitHint', { currency: account.currency }))}
      <div className="dialog-footer dialog-footer-inline">
        <button type="button" className="btn" onClick={onDone} disabled={save.busy}>
          {t('opsNumbers.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('opsNumbers.saving') : t('opsNumbers.save')}
        </button>
      </div>
    </form>
  );
}

function ControlsDialog({ account, onClose }: { readonly account: AdminAccountView; readonly onClose: () => void }) {
  const { t } = useTranslation();
  const controls = useResource<AccountControlsView>(`/admin/accounts/${account.id}/controls`);
  return (
    <Dialog open title={t('opsNumbers.controlsTitle', { name: account.name })} onClose={onClose}>
      <ErrorBanner error={controls.error} onRetry={() => controls.reload()} />
      {controls.data ? (
        <ControlsForm account={account} controls={controls.data} onDone={onClose} />
      ) : (
        !controls.error && <Loading label={t('opsNumbers.controlsLoading')} />
      )}
    </Dialog>
  );
}

/** The "Controls" button of one account and, once pressed, its dialog. */
export function AccountControlsButton({ account }: { readonly account: AdminAccountView }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="btn btn-small btn-link"
        aria-label={t('opsNumbers.controlsNamed', { name: account.name })}
        onClick={() => setOpen(true)}
      >
        {t('opsNumbers.controls')}
      </button>
      {open && <ControlsDialog account={account} onClose={() => setOpen(false)} />}
    </>
  );
}
