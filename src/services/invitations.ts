// Invitations: the operator invites the owner of an account it opened (or a colleague of an account's users); the
// link lets them choose a password and signs them in as a user of that account.
import { isEmailAddress } from '../domain/email.js';
import { EMAIL_CHARS_MAX, INVITATION_LIFETIME_MS } from '../domain/limits.js';
import { ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import { US_PER_MS } from '../domain/time.js';
import { getAccount } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import {
  acceptInvitation,
  createInvitation,
  findOpenInvitation,
  type NewInvitation,
  type OpenInvitation,
} from '../store/invitations.js';
import { newPasswordField, type SignedIn, signIn } from './auth.js';
import type { UseCaseContext } from './context.js';
import { type Fields, textField } from './form-fields.js';
import { conflict, invalid, invalidOne, notFound, type Outcome, ok } from './outcome.js';
import { hashPassword } from './passwords.js';

/**
 * Invites `email` (or, when none is given, the email kept on the account) to a customer account, by `createdBy`: an
 * operator's email or "cli". The new link replaces the account's earlier ones. Shared by the dashboard and the CLI.
 */
export async function inviteToAccount(
  db: Db,
  accountId: number,
  fields: Fields,
  createdBy: string,
): Promise<Outcome<NewInvitation>> {
  const errors = new ValidationErrors();
  const typed = textField(fields, 'email', errors, { max: EMAIL_CHARS_MAX })?.trim();
  if (!errors.empty) return invalid(errors);
  const account = await getAccount(db, accountId);
  if (!account) return notFound;
  const email = typed || account.email || '';
  if (email === '') return invalidOne('email', ruleText.required('email'));
  if (!isEmailAddress(email)) return invalidOne('email', ruleText.email('email'));
  const made = await createInvitation(db, {
    accountId,
    email,
    createdBy,
    lifetimeUs: INVITATION_LIFETIME_MS * US_PER_MS,
  });
  if (made.ok) return ok(made.invitation);
  return made.reason === 'no_account' ? notFound : conflict(TEXTS.operatorAccountInvitation);
}

export function createInvitationServices({ deps }: UseCaseContext) {
  const { db } = deps;
  return {
    /** What an open link shows before the password is chosen: the account and the invited email. */
    async invitation(token: string): Promise<Outcome<OpenInvitation>> {
      const found = await findOpenInvitation(db, token);
      return found ? ok(found) : conflict(TEXTS.invitationNotOpen);
    },

    /** Chooses the password: the invited email becomes a user of the account, signed in at once. */
    async acceptInvitation(token: string, fields: Fields): Promise<Outcome<SignedIn>> {
      const errors = new ValidationErrors();
      const password = newPasswordField(fields, errors);
      if (!errors.empty || password === undefined) return invalid(errors);
      if (!(await findOpenInvitation(db, token))) return conflict(TEXTS.invitationNotOpen);
      const accepted = await acceptInvitation(db, token, await hashPassword(password));
      if (!accepted.ok) {
        return accepted.reason === 'email_taken'
          ? invalidOne('email', ruleText.taken('email'))
          : conflict(TEXTS.invitationNotOpen);
      }
      return ok(await signIn(db, accepted.user.id));
    },
  };
}
