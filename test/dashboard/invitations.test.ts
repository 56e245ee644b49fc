// Invitations: the operator opens an account with its owner's email and gives the owner a link; the owner chooses a
// password with it and is signed in to that account. A link works once, only the newest works, and it expires.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INVITATION_LIFETIME_MS } from '../../src/domain/limits.js';
import type { AdminAccountView, InvitationView, Me, NewInvitationView } from '../../src/http/dashboard/contract.js';
import type { Db } from '../../src/store/db.js';
import { US_PER_MS } from '../../src/store/time.js';
import { findUserByEmail } from '../../src/store/users.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const NEW_PASSWORD = 'a long new password';
const NOT_OPEN =
  'This invitation link no longer works: it was used, replaced by a newer one, or has expired. Ask for a new one.';

describeEachEngine('invitations', (engine) => {
  let nowUs = Date.UTC(2031, 0, 10, 9, 0, 0) * US_PER_MS;
  let db: Db;
  let dash: DashboardApp;
  let admin: Browser;
  let seq = 0;

  beforeAll(async () => {
    db = await engine.open({ clockUs: () => nowUs });
    dash = await startDashboardApp(db);
    admin = await dash.admin();
  });
  afterAll(() => dash.close());

  const openAccount = async (email?: string): Promise<AdminAccountView> =>
    admin.json<AdminAccountView>(
      admin.post('/app/api/admin/accounts', {
        name: `Invited ${++seq}`,
        currency: 'EUR',
        ...(email && { email }),
      }),
      201,
    );
  const invite = (accountId: number, payload: Record<string, string> = {}) =>
    admin.post(`/app/api/admin/accounts/${accountId}/invitations`, payload);

  it('lets the owner of an account the operator opened choose a password and sign in to that account', async () => {
    const email = `owner${seq}-${engine.name}@example.com`;
    const account = await openAccount(email);
    // No user yet: the owner cannot sign in.
    expect(await findUserByEmail(db, email)).toBeUndefined();

    const made = await admin.json<NewInvitationView>(invite(account.id), 201);
    expect(made).toEqual({
      email,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: new Date((nowUs + INVITATION_LIFETIME_MS * US_PER_MS) / US_PER_MS).toISOString(),
    });

    const owner = dash.browser();
    expect(await owner.json<InvitationView>(owner.post('/app/api/invitations/open', { token: made.token }))).toEqual({
      email,
      account_name: account.name,
      expires_at: made.expires_at,
    });
    // Too short a password is refused as at sign-up, and the link stays usable.
    const short = await owner.post('/app/api/invitations/accept', { token: made.token, password: 'short' });
    expect(short.statusCode).toBe(422);
    expect(short.json().errors).toEqual({ password: ['The password field must be at least 10 characters.'] });

    const me = await owner.json<Me>(
      owner.post('/app/api/invitations/accept', { token: made.token, password: NEW_PASSWORD }),
      201,
    );
    expect(me.user).toMatchObject({ email, role: 'customer' });
    expect(me.account.id).toBe(account.id);
    owner.remember(me);
    expect((await owner.json<Me>(owner.get('/app/api/me'))).account.name).toBe(account.name);

    // The password works from then on; the link does not work twice.
    const again = dash.browser();
    expect((await again.login(email, NEW_PASSWORD)).statusCode).toBe(200);
    expect(again.accountId).toBe(account.id);
    const reused = await dash.browser().post('/app/api/invitations/accept', {
      token: made.token,
      password: 'another long password',
    });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toEqual({ message: NOT_OPEN });
  });

  it('invites another email than the one kept, and only the newest link of an account works', async () => {
    const account = await openAccount(`kept${seq}-${engine.name}@example.com`);
    const first = await admin.json<NewInvitationView>(invite(account.id), 201);
    const other = `colleague${seq}-${engine.name}@example.com`;
    const second = await admin.json<NewInvitationView>(invite(account.id, { email: other }), 201);
    expect(second.email).toBe(other);

    const visitor = dash.browser();
    const replaced = await visitor.post('/app/api/invitations/open', { token: first.token });
    expect(replaced.statusCode).toBe(409);
    expect(replaced.json()).toEqual({ message: NOT_OPEN });
    const me = await visitor.json<Me>(
      visitor.post('/app/api/invitations/accept', { token: second.token, password: NEW_PASSWORD }),
      201,
    );
    expect(me.user.email).toBe(other);
    expect(me.account.id).toBe(account.id);
  });

  it('refuses what cannot be invited: no email at all, a bad one, an email already signed up, the operator account', async () => {
    const bare = await openAccount();
    const none = await invite(bare.id);
    expect(none.statusCode).toBe(422);
    expect(none.json().errors).toEqual({ email: ['The email field is required.'] });
    const bad = await invite(bare.id, { email: 'not an email' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual({ email: ['The email field must be a valid email address.'] });
    expect((await invite(987_654_321, { email: 'x@example.com' })).statusCode).toBe(404);

    // An email that is already a user somewhere: the invitation can be made, but accepting it is refused and nothing
    // is half-written (no user, the link still open for the operator to replace).
    const customer = await dash.customer();
    const taken = await admin.json<NewInvitationView>(invite(bare.id, { email: customer.email.toUpperCase() }), 201);
    const refused = await dash
      .browser()
      .post('/app/api/invitations/accept', { token: taken.token, password: NEW_PASSWORD });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual({ email: ['The email has already been taken.'] });
    expect((await dash.browser().post('/app/api/invitations/open', { token: taken.token })).statusCode).toBe(200);

    const operator = await admin.post(`/app/api/admin/accounts/${admin.accountId}/invitations`, {
      email: 'new-operator@example.com',
    });
    expect(operator.statusCode).toBe(409);
    expect(operator.json().message).toMatch(/smsgic admin create/);
  });

  it('is for operators to make, and a link is no way into another account: a customer cannot invite', async () => {
    const customer = await dash.customer();
    const res = await customer.post(`/app/api/admin/accounts/${customer.accountId}/invitations`, {
      email: 'friend@example.com',
    });
    expect(res.statusCode).toBe(403);
    // A made-up token, or one of another alphabet, opens nothing.
    for (const token of ['x'.repeat(43), '../../etc', '', 'ä']) {
      const open = await dash.browser().post('/app/api/invitations/open', { token });
      expect(open.statusCode, token).toBe(409);
    }
  });

  // Last: the clock moves on by a week (the operator's session idles out with it).
  it('expires after seven days', async () => {
    const account = await openAccount(`late${seq}-${engine.name}@example.com`);
    const made = await admin.json<NewInvitationView>(invite(account.id), 201);
    const startUs = nowUs;
    nowUs = startUs + INVITATION_LIFETIME_MS * US_PER_MS - 1;
    expect((await dash.browser().post('/app/api/invitations/open', { token: made.token })).statusCode).toBe(200);
    nowUs = startUs + INVITATION_LIFETIME_MS * US_PER_MS;
    const late = await dash
      .browser()
      .post('/app/api/invitations/accept', { token: made.token, password: NEW_PASSWORD });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toEqual({ message: NOT_OPEN });
    expect(await findUserByEmail(db, made.email)).toBeUndefined();
  });
});
