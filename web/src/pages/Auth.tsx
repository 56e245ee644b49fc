// Sign in and sign up: public pages, centred cards, errors next to their fields.
import type { FormEvent, ReactNode } from 'react';
import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { CURRENCIES } from '../../../src/domain/money.js';
import type { LoginRequest, Me, SignupRequest } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { ErrorBanner, fieldErrors, formLevelError, SelectField, TextField } from '../components/ui.js';
import { useSubmit, useTitle } from '../hooks.js';
import { useSession } from '../session.js';

function AuthFrame({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  return (
    <div className="auth-page">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <main id="main" className="auth-main" tabIndex={-1}>
        <div className="auth-brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="36" height="36" focusable="false" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#4f46e5" />
            <path d="M8 10h16v10H14l-4 4v-4H8z" fill="white" />
          </svg>
          <span>SMSgic</span>
        </div>
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

function useAfterSignIn(): (me: Me) => void {
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

export function SignInPage() {
  useTitle('Sign in');
  const { me } = useSession();
  const afterSignIn = useAfterSignIn();
  const [form, setForm] = useState<LoginRequest>({ email: '', password: '' });
  const { busy, error, run } = useSubmit(async () =>
    afterSignIn(await api.post<Me>('/login', form, { quiet401: true })),
  );
  if (me) return <Navigate to={homeOf(me)} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  return (
    <AuthFrame
      title="Sign in"
      subtitle={
        <>
          New to SMSgic? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        <ErrorBanner error={formLevelError(error, ['email', 'password'])} />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          errors={fieldErrors(error, 'email')}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          errors={fieldErrors(error, 'password')}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthFrame>
  );
}

export function SignUpPage() {
  useTitle('Create an account');
  const { me } = useSession();
  const afterSignIn = useAfterSignIn();
  const [form, setForm] = useState<SignupRequest>({ email: '', password: '', company: '', currency: 'EUR' });
  const { busy, error, run } = useSubmit(async () =>
    afterSignIn(await api.post<Me>('/signup', form, { quiet401: true })),
  );
  if (me) return <Navigate to={homeOf(me)} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  return (
    <AuthFrame
      title="Create your account"
      subtitle={
        <>
          Already have one? <Link to="/signin">Sign in</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        <ErrorBanner error={formLevelError(error, ['email', 'password', 'company', 'currency'])} />
        <TextField
          label="Work email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          errors={fieldErrors(error, 'email')}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          errors={fieldErrors(error, 'password')}
        />
        <TextField
          label="Company"
          name="company"
          autoComplete="organization"
          required
          value={form.company}
          onChange={(event) => setForm({ ...form, company: event.target.value })}
          errors={fieldErrors(error, 'company')}
        />
        <SelectField
          label="Currency"
          name="currency"
          hint="Your balance and prices are kept in this currency."
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
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthFrame>
  );
}
