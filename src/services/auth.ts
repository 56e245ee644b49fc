// Signing up, in and out, and changing a password: sessions and the sign-in throttle.
import { isEmailAddress } from '../domain/email.js';
import { EMAIL_CHARS_MAX } from '../domain/limits.js';
import { CURRENCIES } from '../domain/money.js';
import { ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import { claimLoginAttempt, DEFAULT_LOGIN_LIMITS, loginSucceeded } from '../store/login-failures.js';
import { type ActiveSession, createSession, findSession, type NewSession, revokeSession } from '../store/sessions.js';
import { changePassword, createCustomer, findUserByEmail, foldEmail, getUser } from '../store/users.js';
import type { Actor, UseCaseContext } from './context.js';
import { type Fields, textField } from './form-fields.js';
import { invalid, invalidOne, notFound, type Outcome, ok, tooManyLogins } from './outcome.js';
import {
  dummyPasswordHash,
  hashPassword,
  PASSWORD_CHARS_MAX,
  PASSWORD_CHARS_MIN,
  verifyPassword,
} from './passwords.js';

export interface SignedIn {
  /** Who is signed in now. */
  readonly actor: ActiveSession;
  /** The new session: its id goes to the cookie. */
  readonly session: NewSession;
}

const COMPANY_CHARS_MAX = 255;

/** A new session for a user whose credentials were just checked (or chosen). */
export async function signIn(db: Db, userId: number): Promise<SignedIn> {
  const session = await createSession(db, userId);
  const active = await findSession(db, session.sessionId);
  if (!active) throw new Error(`session ${session.id} vanished`);
  return { actor: active, session };
}

/** A new password as typed: required, within the length bounds; its errors under `field`. */
export function newPasswordField(fields: Fields, errors: ValidationErrors, field = 'password'): string | undefined {
  const password = textField(fields, field, errors, { required: true, max: PASSWORD_CHARS_MAX });
  if (password !== undefined && password.length < PASSWORD_CHARS_MIN) {
    errors.add(field, ruleText.minChars(field, PASSWORD_CHARS_MIN));
  }
  return password;
}

export function createAuthServices({ deps }: UseCaseContext) {
  const { db } = deps;
  const loginLimits = deps.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  // Made now, so that the first login for an unknown email takes no longer than any other.
  void dummyPasswordHash().catch(() => {});

  return {
    /** The session a cookie names; null when there is none or it has ended. */
    session(sessionId: string): Promise<Actor | null> {
      return findSession(db, sessionId);
    },

    async signup(fields: Fields): Promise<Outcome<SignedIn>> {
      const errors = new ValidationErrors();
      const email = textField(fields, 'email', errors, { required: true, max: EMAIL_CHARS_MAX });
      if (email !== undefined && !isEmailAddress(email.trim())) errors.add('email', ruleText.email('email'));
      const password = newPasswordField(fields, errors);
      const company = textField(fields, 'company', errors, { required: true, max: COMPANY_CHARS_MAX });
      const currencyText = textField(fields, 'currency', errors, { required: true });
      const currency = currencyText?.trim().toUpperCase();
      if (currency !== undefined && !Object.hasOwn(CURRENCIES, currency)) {
        errors.add('currency', ruleText.selectedInvalid('currency'));
      }
      if (!errors.empty || !email || !password || !company || !currency) return invalid(errors);
      const created = await createCustomer(db, {
        email,
        passwordHash: await hashPassword(password),
        company,
        currency,
      });
      if (!created.ok) return invalidOne('email', ruleText.taken('email'));
      return ok(await signIn(db, created.user.id));
    },

    /**
     * Checks the credentials; an unknown email and a wrong password fail alike, in about the same time (the password
     * is checked against a dummy hash). Too many failures for the email from this address, for the email from any, or
     * from this address for any → throttled.
     */
    async login(fields: Fields, ip: string, previous: Actor | null): Promise<Outcome<SignedIn>> {
      const errors = new ValidationErrors();
      const email = textField(fields, 'email', errors, { required: true, max: EMAIL_CHARS_MAX });
      const password = textField(fields, 'password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      if (!errors.empty || email === undefined || password === undefined) return invalid(errors);
      const folded = foldEmail(email);
      // Claimed before the check, so that requests sent at once cannot all be checked before any failure counts.
      const claim = await claimLoginAttempt(db, folded, ip, loginLimits);
      if (!claim.ok) return tooManyLogins(claim.retryAfterSeconds);
      const user = await findUserByEmail(db, email);
      const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      // A wrong password leaves the claim counted as a failure.
      if (!user || !matches) return invalidOne('email', TEXTS.badCredentials);
      await loginSucceeded(db, claim.attemptId, folded, ip);
      if (previous) await revokeSession(db, previous.id);
      return ok(await signIn(db, user.id));
    },

    async logout(actor: Actor): Promise<void> {
      await revokeSession(db, actor.id);
    },

    /** Replaces the password once the current one is confirmed; the user's other sessions end. */
    async changePassword(actor: Actor, fields: Fields, ip: string): Promise<Outcome<null>> {
      const errors = new ValidationErrors();
      const current = textField(fields, 'current_password', errors, { required: true, max: PASSWORD_CHARS_MAX });
      const password = newPasswordField(fields, errors);
      if (!errors.empty || current === undefined || password === undefined) return invalid(errors);
      const folded = foldEmail(actor.user.email);
      // Counted with the sign-ins: a stolen session is no way around their limits.
      const claim = await claimLoginAttempt(db, folded, ip, loginLimits);
      if (!claim.ok) return tooManyLogins(claim.retryAfterSeconds);
      const user = await getUser(db, actor.user.id);
      if (!user) return notFound;
      if (!(await verifyPassword(current, user.passwordHash))) {
        return invalidOne('current_password', TEXTS.passwordIncorrect);
      }
      await loginSucceeded(db, claim.attemptId, folded, ip);
      await changePassword(db, user.id, await hashPassword(password), actor.id);
      return ok(null);
    },
  };
}
