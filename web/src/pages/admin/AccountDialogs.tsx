// Operator: opening a customer account and changing an account's tax rate, each in a dialog of the accounts page.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CURRENCIES } from '../../../../src/domain/money.js';
import type { AdminAccountView, NewAccountRequest } from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorBanner, fieldErrors, formLevelError, SelectField, TextField } from '../../components/ui.js';
import { useSubmit } from '../../hooks.js';

const EMPTY: NewAccountRequest = { name: '', currency: 'EUR', tax_rate: '', opening_credit: '', email: '' };
const NEW_ACCOUNT_FIELDS = ['name', 'currency', 'tax_rate', 'opening_credit', 'email'];

function DialogButtons({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="dialog-footer dialog-footer-inline">
      <button type="button" className="btn" onClick={onCancel} disabled={busy}>
        {t('ui.cancel')}
      </button>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t('adminAccounts.saving') : label}
      </button>
    </div>
  );
}

export function NewAccountDialog({
  open,
  onClose,
  onCreated,
}: {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onCreated: (account: AdminAccountView) => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<NewAccountRequest>(EMPTY);
  const close = () => {
    setForm(EMPTY);
    reset();
    onClose();
  };
  const { busy, error, reset, run } = useSubmit(async () => {
    const created = await api.post<AdminAccountView>('/admin/accounts', {
      name: form.name,
      currency: form.currency,
      ...(form.tax_rate?.trim() && { tax_rate: form.tax_rate.trim() }),
      ...(form.opening_credit?.trim() && { opening_credit: form.opening_credit.trim() }),
      ...(form.email?.trim() && { email: form.email.trim() }),
    });
    onCreated(created);
    close();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  const set = (field: keyof NewAccountRequest) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });
  return (
    <Dialog open={open} title={t('adminAccounts.newAccount')} onClose={close}>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={formLevelError(error, NEW_ACCOUNT_FIELDS)} />
        <TextField
          label={t('adminAccounts.company')}
          name="name"
          autoFocus
          value={form.name}
          onChange={set('name')}
          errors={fieldErrors(error, 'name')}
        />
        <SelectField
          label={t('adminAccounts.currency')}
          name="currency"
          hint={t('adminAccounts.currencyHint')}
          value={form.currency}
          onChange={set('currency')}
          errors={fieldErrors(error, 'currency')}
        >
          {Object.values(CURRENCIES).map((currency) => (
            <option key={currency.code} value={currency.code}>
              {currency.code}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('adminAccounts.taxRateLabel')}
          name="tax_rate"
          inputMode="decimal"
          placeholder="0"
          hint={t('adminAccounts.taxRateHint')}
          value={form.tax_rate}
          onChange={set('tax_rate')}
          errors={fieldErrors(error, 'tax_rate')}
        />
        <TextField
          label={t('adminAccounts.openingCredit', { currency: form.currency })}
          name="opening_credit"
          inputMode="decimal"
          placeholder={t('adminAccounts.optional')}
          value={form.opening_credit}
          onChange={set('opening_credit')}
          errors={fieldErrors(error, 'opening_credit')}
        />
        <TextField
          label={t('adminAccounts.ownerEmail')}
          name="email"
          type="email"
          placeholder={t('adminAccounts.optional')}
          hint={t('adminAccounts.ownerEmailHint')}
          value={form.email}
          onChange={set('email')}
          errors={fieldErrors(error, 'email')}
        />
        <DialogButtons busy={busy} label={t('adminAccounts.createAccount')} onCancel={close} />
      </form>
    </Dialog>
  );
}

export function TaxRateDialog({
  account,
  onClose,
  onChanged,
}: {
  readonly account: AdminAccountView | null;
  readonly onClose: () => void;
  readonly onChanged: (account: AdminAccountView) => void;
}) {
  const { t } = useTranslation();
  const [rate, setRate] = useState<string | null>(null);
  const close = () => {
    setRate(null);
    reset();
    onClose();
  };
  const { busy, error, reset, run } = useSubmit(async (target: AdminAccountView) => {
    const updated = await api.post<AdminAccountView>(`/admin/accounts/${target.id}/tax-rate`, {
      tax_rate: (rate ?? target.tax_rate).trim(),
    });
    onChanged(updated);
    close();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (account) void run(account);
  };
  return (
    <Dialog open={account !== null} title={t('adminAccounts.taxRateOf', { name: account?.name ?? '' })} onClose={close}>
      {account && (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">{t('adminAccounts.taxRateText')}</p>
          <ErrorBanner error={formLevelError(error, ['tax_rate'])} />
          <TextField
            label={t('adminAccounts.taxRateLabel')}
            name="tax_rate"
            inputMode="decimal"
            hint={t('adminAccounts.taxRateHint')}
            autoFocus
            value={rate ?? account.tax_rate}
            onChange={(event) => setRate(event.target.value)}
            errors={fieldErrors(error, 'tax_rate')}
          />
          <DialogButtons busy={busy} label={t('adminAccounts.saveTaxRate')} onCancel={close} />
        </form>
      )}
    </Dialog>
  );
}
