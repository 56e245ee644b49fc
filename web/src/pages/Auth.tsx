// Sign in and sign up: public pages, centred cards, errors next to their fields.
import type { FormEvent, ReactNode } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { CURRENCIES } from '../../../src/domain/money.js';
import type { LoginRequest, Me, SignupRequest } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { ErrorBanner, fieldErrors, formLevelError, SelectField, TextField } from '../components/ui.js';
import { useSubmit, useTitle } from '../hooks.js';
import { useSession } from '../session.js';

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <a href="#main" className="skip-link">
        {t('common.skipToContent')}
      </a>
      <div className="auth-language">
        <LanguageSwitch />
      </div>
      <main id="main" className="auth-main" tabIndex={-1}>
        <div className="auth-brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="36" height="36" focusable="false" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#4f46e5" />
            <path d="M8 10h16v10H14l-4 4v-4H8z" fill="white" />
          </svg>
          <span>SMSgic</span>
        </div>
        <p className="auth-slogan">{t('brand.slogan')}</p>
        <div className="auth-card">
          <h1>{title}</h1>
          <p className="auth-subtitle">{subtitle}</p>
          {children}
        </div>
      </main>
    </div>
  );
}

/** Where a user lands after signing in: operators on the operator's accounts, customers on their overview. */
function homeOf(me: Me): string {
  return me.user.role === 'admin' ? '/admin/accounts' : '/';
}

export function useAfterSignIn(): (me: Me) => void {
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return (me) => {
    signedIn(me);
    // The overview is only where an unsigned visitor was sent by default: an operator goes to the operator's home.
    const back = from && !['/', '/signin', '/signup'].includes(from) ? from : undefined;
    navigate(back ?? homeOf(me), { replace: true });
  };
}

/**
 * A sign-in or sign-up form: its fields, and their submission to `path`, whose 401 is the form's own error (wrong
 * credentials), not the end of a session; a success signs the visitor in and takes them on.
 */
function useAuthForm<T>(path: '/login' | '/signup', initial: T) {
  const afterSignIn = useAfterSignIn();
  const [form, setForm] = useState<T>(initial);
  const { busy, error, run } = useSubmit(async () => afterSignIn(await api.post<Me>(path, form, { quiet401: true })));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  return { form, setForm, busy, error, submit };
}

export function SignInPage() {
  const { t } = useTranslation();
  useTitle(t('auth.signIn'));
  const { me } = useSession();
  const { form, setForm, busy, error, submit } = useAuthForm<LoginRequest>('/login', { email: '', password: '' });
  if (me) return <Navigate to={homeOf(me)} replace />;

  return (
    <AuthFrame
      title={t('auth.signIn')}
      subtitle={
        <>
          {t('auth.newHere')} <Link to="/signup">{t('auth.createAnAccount')}</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        <ErrorBanner error={formLevelError(error, ['email', 'password'])} />
        <TextField
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          errors={fieldErrors(error, 'email')}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          errors={fieldErrors(error, 'password')}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const { t } = useTranslation();
  useTitle(t('auth.createAnAccount'));
  const { me } = useSession();
  const { form, setForm, busy, error, submit } = useAuthForm<SignupRequest>('/signup', {
    email: '',
    password: '',
    company: '',
    currency: 'EUR',
  });
  if (me) return <Navigate to={homeOf(me)} replace />;

  return (
    <AuthFrame
      title={t('auth.createYourAccount')}
      subtitle={
        <>
          {t('auth.alreadyHaveOne')} <Link to="/signin">{t('auth.signIn')}</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        <ErrorBanner error={formLevelError(error, ['email', 'password', 'company', 'currency'])} />
        <TextField
          label={t('auth.workEmail')}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          errors={fieldErrors(error, 'email')}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint={t('auth.passwordHint')}
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          errors={fieldErrors(error, 'password')}
        />
        <TextField
          label={t('auth.company')}
          name="company"
          autoComplete="organization"
          required
          value={form.company}
          onChange={(event) => setForm({ ...form, company: event.target.value })}
          errors={fieldErrors(error, 'company')}
        />
        <SelectField
          label={t('auth.currency')}
          name="currency"
          hint={t('auth.currencyHint')}
          value={form.currency}
          onChange={(event) => setForm({ ...form, currency: event.target.value })}
          errors={fieldErrors(error, 'currency')}
        >
          {Object.values(CURRENCIES).map((currency) => (
            <option key={currency.code} value={currency.code}>
              {currency.code} · {currency.name} ({currency.sign})
            </option>
          ))}
        </SelectField>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('auth.creating') : t('auth.createAccount')}
        </button>
      </form>
    </AuthFrame>
  );
}
