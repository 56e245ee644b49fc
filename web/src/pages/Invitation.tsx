// The page an invitation link opens (`/app/invite#<token>`): the invited person chooses a password and is signed in
// to the account. The token stays in the fragment, which browsers never send to a server or in a Referer.
import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import type { InvitationView, Me } from '../../../src/http/dashboard/contract.js';
import { ApiError, api } from '../api.js';
import { ErrorBanner, fieldErrors, formLevelError, TextField } from '../components/ui.js';
import { useSubmit, useTitle } from '../hooks.js';
import { AuthFrame, useAfterSignIn } from './Auth.js';

type Opened =
  | { readonly state: 'loading' }
  | { readonly state: 'open'; readonly invitation: InvitationView }
  | { readonly state: 'closed'; readonly message: string };

export function InvitationPage() {
  const { t } = useTranslation();
  useTitle(t('invite.title'));
  const token = useLocation().hash.replace(/^#/, '');
  const afterSignIn = useAfterSignIn();
  const [opened, setOpened] = useState<Opened>({ state: 'loading' });
  const [password, setPassword] = useState('');

  useEffect(() => {
    let live = true;
    api
      .post<InvitationView>('/invitations/open', { token })
      .then((invitation) => live && setOpened({ state: 'open', invitation }))
      .catch((error: unknown) => {
        if (!live) return;
        setOpened({ state: 'closed', message: error instanceof ApiError ? error.message : t('invite.unreadable') });
      });
    return () => {
      live = false;
    };
  }, [token, t]);

  const { busy, error, run } = useSubmit(async () =>
    afterSignIn(await api.post<Me>('/invitations/accept', { token, password })),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  if (opened.state !== 'open') {
    return (
      <AuthFrame
        title={t('invite.title')}
        subtitle={
          <>
            {t('invite.haveAccount')} <Link to="/signin">{t('auth.signIn')}</Link>
          </>
        }
      >
        {opened.state === 'loading' ? (
          <p className="muted">{t('invite.checking')}</p>
        ) : (
          <ErrorBanner error={opened.message} />
        )}
      </AuthFrame>
    );
  }
  const { invitation } = opened;
  return (
    <AuthFrame title={t('invite.join', { name: invitation.account_name })} subtitle={t('invite.choosePassword')}>
      <form onSubmit={submit} noValidate className="form">
        <ErrorBanner error={formLevelError(error, ['password'])} />
        <TextField label={t('auth.email')} type="email" name="email" value={invitation.email} readOnly />
        <TextField
          label={t('invite.newPassword')}
          type="password"
          name="password"
          autoComplete="new-password"
          autoFocus
          required
          hint={t('auth.passwordHint')}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          errors={fieldErrors(error, 'password')}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('invite.joining') : t('invite.joinButton')}
        </button>
      </form>
    </AuthFrame>
  );
}
