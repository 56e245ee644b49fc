// Settings: the profile (read-only), a password change, the webhook secret and the inbound URL.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.js';
import { useToast } from '../components/toast.js';
import {
  Banner,
  Card,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  PageHeader,
  Stat,
  TextField,
} from '../components/ui.js';
import { useSubmit, useTitle } from '../hooks.js';
import { useMe } from '../session.js';
import { InboundUrlCard } from './InboundUrlCard.js';
import { KeywordsCard } from './KeywordsCard.js';
import { SpendingControlsCard } from './SpendingControlsCard.js';
import { WebhookSecretCard } from './WebhookSecretCard.js';

const EMPTY = { current_password: '', password: '', confirmation: '' };

export function SettingsPage() {
  const { t } = useTranslation();
  useTitle(t('nav.settings'));
  const me = useMe();
  const toast = useToast();
  const [form, setForm] = useState(EMPTY);
  const [done, setDone] = useState(false);
  const { busy, error, setError, run } = useSubmit(async () => {
    await api.post('/password', { current_password: form.current_password, password: form.password });
    setForm(EMPTY);
    setDone(true);
    toast(t('settings.passwordChanged'));
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (form.password !== form.confirmation) {
      const mismatch = t('settings.mismatch');
      setError(new ApiError(422, mismatch, { confirmation: [mismatch] }));
      return;
    }
    void run();
  };

  return (
    <>
      <PageHeader title={t('nav.settings')} description={t('settings.description')} />
      <div className="grid grid-2">
        <Card title={t('settings.profile')}>
          <dl className="stats stats-list">
            <Stat label={t('auth.email')}>{me.user.email}</Stat>
            <Stat label={t('settings.role')}>
              {me.user.role === 'admin' ? t('layout.operator') : t('settings.customer')}
            </Stat>
            <Stat label={t('auth.company')}>{me.account.name}</Stat>
            <Stat label={t('settings.accountId')}>{me.account.id}</Stat>
            <Stat label={t('auth.currency')}>
              {me.account.currency} ({me.account.sign})
            </Stat>
            <Stat label={t('transactions.taxRate')}>{me.account.tax_rate}%</Stat>
          </dl>
        </Card>
        <Card title={t('settings.changePassword')}>
          <form className="form" onSubmit={submit} noValidate>
            {done && <Banner tone="success">{t('settings.changedText')}</Banner>}
            <ErrorBanner error={formLevelError(error, ['current_password', 'password', 'confirmation'])} />
            <TextField
              label={t('settings.currentPassword')}
              type="password"
              autoComplete="current-password"
              value={form.current_password}
              onChange={(event) => setForm({ ...form, current_password: event.target.value })}
              errors={fieldErrors(error, 'current_password')}
            />
            <TextField
              label={t('settings.newPassword')}
              type="password"
              autoComplete="new-password"
              minLength={10}
              hint={t('auth.passwordHint')}
              value={form.password}
              onChange={(event) => setForm({ ...form, password: event.target.value })}
              errors={fieldErrors(error, 'password')}
            />
            <TextField
              label={t('settings.repeatPassword')}
              type="password"
              autoComplete="new-password"
              value={form.confirmation}
              onChange={(event) => setForm({ ...form, confirmation: event.target.value })}
              errors={fieldErrors(error, 'confirmation')}
            />
            <div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? t('compose.saving') : t('settings.changePassword')}
              </button>
            </div>
          </form>
        </Card>
        <WebhookSecretCard />
        <InboundUrlCard />
        <SpendingControlsCard />
        <KeywordsCard />
      </div>
    </>
  );
}
