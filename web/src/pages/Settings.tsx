// Settings: the profile (read-only), a password change and the webhook secret.
import type { FormEvent } from 'react';
import { useState } from 'react';
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
import { SpendingControlsCard } from './SpendingControlsCard.js';
import { WebhookSecretCard } from './WebhookSecretCard.js';

const EMPTY = { current_password: '', password: '', confirmation: '' };

export function SettingsPage() {
  useTitle('Settings');
  const me = useMe();
  const toast = useToast();
  const [form, setForm] = useState(EMPTY);
  const [done, setDone] = useState(false);
  const { busy, error, setError, run } = useSubmit(async () => {
    await api.post('/password', { current_password: form.current_password, password: form.password });
    setForm(EMPTY);
    setDone(true);
    toast('Password changed.');
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (form.password !== form.confirmation) {
      setError(new ApiError(422, 'The passwords do not match.', { confirmation: ['The passwords do not match.'] }));
      return;
    }
    void run();
  };

  return (
    <>
      <PageHeader title="Settings" description="Your profile, sign-in details and webhook secret." />
      <div className="grid grid-2">
        <Card title="Profile">
          <dl className="stats stats-list">
            <Stat label="Email">{me.user.email}</Stat>
            <Stat label="Role">{me.user.role === 'admin' ? 'Operator' : 'Customer'}</Stat>
            <Stat label="Company">{me.account.name}</Stat>
            <Stat label="Account ID">{me.account.id}</Stat>
            <Stat label="Currency">
              {me.account.currency} ({me.account.sign})
            </Stat>
            <Stat label="Tax rate">{me.account.tax_rate}%</Stat>
          </dl>
        </Card>
        <Card title="Change password">
          <form className="form" onSubmit={submit} noValidate>
            {done && <Banner tone="success">Your password is changed. Your other sessions are signed out.</Banner>}
            <ErrorBanner error={formLevelError(error, ['current_password', 'password', 'confirmation'])} />
            <TextField
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={form.current_password}
              onChange={(event) => setForm({ ...form, current_password: event.target.value })}
              errors={fieldErrors(error, 'current_password')}
            />
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              minLength={10}
              hint="At least 10 characters."
              value={form.password}
              onChange={(event) => setForm({ ...form, password: event.target.value })}
              errors={fieldErrors(error, 'password')}
            />
            <TextField
              label="Repeat the new password"
              type="password"
              autoComplete="new-password"
              value={form.confirmation}
              onChange={(event) => setForm({ ...form, confirmation: event.target.value })}
              errors={fieldErrors(error, 'confirmation')}
            />
            <div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? 'Saving…' : 'Change password'}
              </button>
            </div>
          </form>
        </Card>
        <WebhookSecretCard />
        <SpendingControlsCard />
      </div>
    </>
  );
}
