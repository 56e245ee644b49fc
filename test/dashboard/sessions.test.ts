// Dashboard accounts and sessions: sign-up, login, logout, password change, the cookie, CSRF and login throttling.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Me } from '../../src/http/dashboard/contract.js';
import { describeEachEngine } from '../support/databases.js';
import { Browser, type DashboardApp, PASSWORD, startDashboardApp } from './dashboard-app.js';

const CREDENTIALS_TEXT = 'These credentials do not match our records.';
const LIMITS = { windowMs: 15 * 60 * 1000, perEmailFromIp: 3, perEmail: 10, perIp: 6 };
const THROTTLED_RE = /^Too many login attempts\. Please try again in (\d+) seconds\.$/;

/** The statuses of `responses`, counted: { 422: 3, 429: 37 }. */
function statusCounts(responses: readonly { statusCode: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
}

function expectThrottled(res: { statusCode: number; json(): unknown; headers: Record<string, unknown> }): void {
  expect(res.statusCode).toBe(429);
  const body = res.json() as { message: string };
  expect(Object.keys(body)).toEqual(['message']);
  const seconds = Number(THROTTLED_RE.exec(body.message)?.[1]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(15 * 60);
  expect(res.headers['retry-after']).toBe(String(seconds));
}

describeEachEngine('dashboard sessions', (engine) => {
  let dash: DashboardApp;
  let ips = 0;
  /** A browser at an address of its own, so that per-address login counts do not mix between tests. */
  const browser = () => {
    const b = dash.browser();
    b.ip = `10.0.${Math.floor(++ips / 250)}.${ips % 250}`;
    return b;
  };

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db, { loginLimits: LIMITS });
  });
  afterAll(() => dash.close());

  describe('sign-up', () => {
    it('opens an account with its first user and signs in: 201 Me and an httpOnly, SameSite=Lax cookie on /app', async () => {
      const b = browser();
      const res = await b.post('/app/api/signup', {
        email: 'Ada@Example.com',
        password: PASSWORD,
        company: 'Analytical Engines',
        currency: 'eur',
      });
      expect(res.statusCode, res.body).toBe(201);
      const me = res.json<Me>();
      expect(me).toEqual({
        user: { id: expect.any(Number), email: 'Ada@Example.com', role: 'customer' },
        account: {
          id: expect.any(Number),
          name: 'Analytical Engines',
          currency: 'EUR',
          sign: '€',
          balance: '0.000',
          tax_rate: '0',
          suspended: false,
        },
        csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      });
      const cookie = res.cookies.find((c) => c.name === 'smsgic_session');
      expect(cookie).toMatchObject({ path: '/app', httpOnly: true, sameSite: 'Lax' });
      expect(cookie?.secure).toBeUndefined();
      const header = String(res.headers['set-cookie']);
      expect(header).toMatch(/HttpOnly/);
      expect(header).toMatch(/SameSite=Lax/);
      expect(header).not.toMatch(/Secure/);

      b.remember(me);
      expect(await b.json<Me>(b.get('/app/api/me'))).toEqual(me);
    });

    it('stores only a SHA-256 of the session id, and a scrypt hash of the password', async () => {
      const b = await dash.customer();
      const sessions = await engine.db.kysely.selectFrom('sessions').selectAll().execute();
      expect(JSON.stringify(sessions)).not.toContain(b.cookie);
      const hash = createHash('sha256')
        .update(b.cookie as string)
        .digest('hex');
      expect(sessions.map((s) => s.session_sha256)).toContain(hash);
      const user = await engine.db.kysely
        .selectFrom('users')
        .selectAll()
        .where('email_folded', '=', b.email.toLowerCase())
        .executeTakeFirstOrThrow();
      expect(user.password_hash).toMatch(/^scrypt\$ln=15,r=8,p=1\$[\w-]{22}\$[\w-]{86}$/);
      expect(user.password_hash).not.toContain(PASSWORD);
    });

    it('refuses bad input field by field, and an email in use whatever its case', async () => {
      const b = browser();
      const res = await b.post('/app/api/signup', {
        email: 'not-an-email',
        password: 'short',
        company: '',
        currency: 'XYZ',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'The given data was invalid.',
        errors: {
          email: ['The email field must be a valid email address.'],
          password: ['The password field must be at least 10 characters.'],
          company: ['The company field is required.'],
          currency: ['The selected currency is invalid.'],
        },
      });
      const taken = await b.post('/app/api/signup', {
        email: ' ADA@example.COM ',
        password: PASSWORD,
        company: 'Copycat',
        currency: 'GBP',
      });
      expect(taken.statusCode).toBe(422);
      expect(taken.json()).toEqual({
        message: 'The email has already been taken.',
        errors: { email: ['The email has already been taken.'] },
      });
      expect(taken.cookies.find((c) => c.name === 'smsgic_session')).toBeUndefined();
    });

    it('takes only JSON from this origin (a cross-site form cannot sign anyone up)', async () => {
      const b = browser();
      const form = await b.post('/app/api/signup', 'email=a%40b.co&password=xxxxxxxxxxxx&company=x&currency=GBP', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.statusCode).toBe(403);
      expect(form.json()).toEqual({ message: 'CSRF token mismatch.' });
      const fields = { email: 'cross@example.com', password: PASSWORD, company: 'X', currency: 'GBP' };
      const foreign = await b.post('/app/api/signup', fields, { headers: { origin: 'https://evil.example' } });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json()).toEqual({ message: 'CSRF token mismatch.' });
      const otherPort = await b.post('/app/api/signup', fields, { headers: { origin: 'http://localhost:8080' } });
      expect(otherPort.statusCode).toBe(403);
      const same = await b.post('/app/api/signup', fields, { headers: { origin: 'http://localhost' } });
      expect(same.statusCode, same.body).toBe(201);
    });
  });

  describe('login', () => {
    it('answers a wrong password and an unknown email identically, and signs in with the right one', async () => {
      const owner = await dash.customer();
      const wrongPassword = await browser().post('/app/api/login', {
        email: owner.email,
        password: 'not the password',
      });
      const unknownEmail = await browser().post('/app/api/login', { email: 'nobody@example.com', password: PASSWORD });
      for (const res of [wrongPassword, unknownEmail]) {
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({ message: CREDENTIALS_TEXT, errors: { email: [CREDENTIALS_TEXT] } });
        expect(res.cookies).toEqual([]);
      }
      expect(wrongPassword.body).toBe(unknownEmail.body);

      const b = browser();
      const res = await b.login(owner.email.toUpperCase(), PASSWORD);
      expect(res.statusCode, res.body).toBe(200);
      expect(b.me?.user.email).toBe(owner.email);
      expect(b.me?.account.id).toBe(owner.accountId);
      expect(b.csrf).not.toBe(owner.csrf);
    });

    it('says when the fields are missing', async () => {
      const res = await browser().post('/app/api/login', {});
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({
        email: ['The email field is required.'],
        password: ['The password field is required.'],
      });
    });

    it('blocks an email from one address after a few failures, even with the right password, and says for how long', async () => {
      const owner = await dash.customer();
      const attacker = browser();
      for (let i = 0; i < LIMITS.perEmailFromIp; i++) {
        const res = await attacker.post('/app/api/login', { email: owner.email, password: `wrong ${i}` });
        expect(res.statusCode).toBe(422);
      }
      const blocked = await attacker.post('/app/api/login', { email: owner.email, password: PASSWORD });
      expectThrottled(blocked);
      const seconds = Number(THROTTLED_RE.exec(blocked.json().message)?.[1]);
      expect(seconds).toBeGreaterThan(14 * 60);
      // The owner, elsewhere, is not locked out by someone else's guesses; nor is another user.
      expect((await browser().login(owner.email, PASSWORD)).statusCode).toBe(200);
      const other = await dash.customer();
      expect((await attacker.login(other.email, PASSWORD)).statusCode).toBe(200);
    });

    it('blocks an email everywhere after many failures from many addresses', async () => {
      const owner = await dash.customer();
      for (let i = 0; i < LIMITS.perEmail; i++) {
        const res = await browser().post('/app/api/login', { email: owner.email, password: `wrong ${i}` });
        expect(res.statusCode).toBe(422);
      }
      expectThrottled(await browser().post('/app/api/login', { email: owner.email, password: PASSWORD }));
    });

    it('checks at most the ceiling of many wrong passwords sent at once; the others are 429 without a check', async () => {
      const owner = await dash.customer();
      const attacker = browser();
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          attacker.post('/app/api/login', { email: owner.email, password: `wrong ${i}` }),
        ),
      );
      expect(statusCounts(responses)).toEqual({ 422: LIMITS.perEmailFromIp, 429: 40 - LIMITS.perEmailFromIp });
      for (const res of responses) {
        if (res.statusCode === 429) expectThrottled(res);
        else expect(res.json().message).toBe(CREDENTIALS_TEXT);
      }
      expect((await browser().login(owner.email, PASSWORD)).statusCode).toBe(200);
    });

    it('blocks an address after too many failures, whatever the emails', async () => {
      const b = browser();
      for (let i = 0; i < 6; i++) {
        expect((await b.post('/app/api/login', { email: `ghost${i}@example.com`, password: 'x' })).statusCode).toBe(
          422,
        );
      }
      const owner = await dash.customer();
      const blocked = await b.post('/app/api/login', { email: owner.email, password: PASSWORD });
      expect(blocked.statusCode).toBe(429);
      // From elsewhere the same user signs in.
      expect((await browser().login(owner.email, PASSWORD)).statusCode).toBe(200);
    });

    it('by default checks 5 of 40 wrong passwords sent at once from one address; the owner elsewhere signs in', async () => {
      const defaults = await startDashboardApp(engine.db);
      try {
        const owner = await defaults.customer();
        const attacker = defaults.browser();
        attacker.ip = '192.0.2.66';
        const responses = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            attacker.post('/app/api/login', { email: owner.email, password: `wrong ${i}` }),
          ),
        );
        expect(statusCounts(responses)).toEqual({ 422: 5, 429: 35 });
        expectThrottled(await attacker.post('/app/api/login', { email: owner.email, password: PASSWORD }));
        const elsewhere = defaults.browser();
        elsewhere.ip = '192.0.2.67';
        expect((await elsewhere.login(owner.email, PASSWORD)).statusCode).toBe(200);
      } finally {
        await defaults.close();
      }
    });

    it('a success forgets the failures of that email from that address', async () => {
      const owner = await dash.customer();
      const b = browser();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < LIMITS.perEmailFromIp - 1; i++) {
          expect((await b.post('/app/api/login', { email: owner.email, password: 'wrong' })).statusCode).toBe(422);
        }
        expect((await b.login(owner.email, PASSWORD)).statusCode).toBe(200);
      }
    });
  });

  describe('logout and password change', () => {
    it('logs out: 204, the cookie cleared, and the old cookie no longer works', async () => {
      const b = await dash.customer();
      const cookie = b.cookie;
      const res = await b.post('/app/api/logout');
      expect(res.statusCode).toBe(204);
      const cleared = res.cookies.find((c) => c.name === 'smsgic_session');
      expect(cleared).toMatchObject({ value: '', path: '/app' });
      b.cookie = cookie;
      const after = await b.get('/app/api/me');
      expect(after.statusCode).toBe(401);
      expect(after.json()).toEqual({ message: 'Unauthenticated.' });
    });

    it('without a session every route answers 401', async () => {
      const anonymous = browser();
      for (const [method, url] of [
        ['GET', '/app/api/me'],
        ['GET', '/app/api/tokens'],
        ['POST', '/app/api/logout'],
        ['POST', '/app/api/password'],
        ['GET', '/app/api/admin/accounts'],
      ] as const) {
        const res = await anonymous.request(method, url, { payload: {} });
        expect(res.statusCode, url).toBe(401);
        expect(res.json()).toEqual({ message: 'Unauthenticated.' });
      }
      anonymous.cookie = 'A'.repeat(43);
      expect((await anonymous.get('/app/api/me')).statusCode).toBe(401);
    });

    it('changes the password: other sessions end, this one stays, the old password stops working', async () => {
      const b = await dash.customer();
      const elsewhere = browser();
      expect((await elsewhere.login(b.email, PASSWORD)).statusCode).toBe(200);

      const wrong = await b.post('/app/api/password', {
        current_password: 'nope nope nope',
        password: 'a new password!',
      });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json()).toEqual({
        message: 'The password is incorrect.',
        errors: { current_password: ['The password is incorrect.'] },
      });
      const short = await b.post('/app/api/password', { current_password: PASSWORD, password: 'short' });
      expect(short.json().errors).toEqual({ password: ['The password field must be at least 10 characters.'] });

      const res = await b.post('/app/api/password', { current_password: PASSWORD, password: 'a new password!' });
      expect(res.statusCode, res.body).toBe(204);
      expect((await b.get('/app/api/me')).statusCode).toBe(200);
      expect((await elsewhere.get('/app/api/me')).statusCode).toBe(401);
      expect((await browser().login(b.email, PASSWORD)).statusCode).toBe(422);
      expect((await browser().login(b.email, 'a new password!')).statusCode).toBe(200);
    });
  });

  describe('password change throttling', () => {
    it('checks at most the ceiling of many wrong current passwords sent at once; the owner elsewhere still changes it', async () => {
      const owner = await dash.customer();
      // Someone holding the owner's session, from another address.
      const thief = browser();
      thief.cookie = owner.cookie;
      thief.csrf = owner.csrf;
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          thief.post('/app/api/password', { current_password: `wrong ${i}`, password: 'a new password!' }),
        ),
      );
      expect(statusCounts(responses)).toEqual({ 422: LIMITS.perEmailFromIp, 429: 40 - LIMITS.perEmailFromIp });
      for (const res of responses) {
        if (res.statusCode === 429) expectThrottled(res);
        else expect(res.json().message).toBe('The password is incorrect.');
      }
      expectThrottled(await thief.post('/app/api/password', { current_password: PASSWORD, password: 'thief wins!!' }));

      const elsewhere = browser();
      expect((await elsewhere.login(owner.email, PASSWORD)).statusCode).toBe(200);
      const res = await elsewhere.post('/app/api/password', { current_password: PASSWORD, password: 'owner keeps it' });
      expect(res.statusCode, res.body).toBe(204);
      expect((await thief.get('/app/api/me')).statusCode).toBe(401);
    });
  });

  describe('CSRF', () => {
    it("refuses a state change without the token, or with another session's token", async () => {
      const b = await dash.customer();
      const other = await dash.customer();
      const missing = await b.post('/app/api/tokens', { name: 'ci' }, { csrf: null });
      expect(missing.statusCode).toBe(403);
      expect(missing.json()).toEqual({ message: 'CSRF token mismatch.' });
      const wrong = await b.post('/app/api/tokens', { name: 'ci' }, { csrf: other.csrf as string });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toEqual({ message: 'CSRF token mismatch.' });
      expect((await b.request('DELETE', '/app/api/sendings/1', { csrf: 'x' })).statusCode).toBe(403);
      expect((await b.post('/app/api/logout', {}, { csrf: null })).statusCode).toBe(403);
      expect((await b.json<{ data: unknown[] }>(b.get('/app/api/tokens'))).data).toEqual([]);
      expect((await b.post('/app/api/tokens', { name: 'ci' })).statusCode).toBe(201);
    });
  });
});

describeEachEngine('dashboard cookie behind a TLS proxy', (engine) => {
  let dash: DashboardApp;
  beforeAll(async () => {
    dash = await startDashboardApp(engine.db, { trustProxy: true });
  });
  afterAll(() => dash.close());

  it('marks the cookie Secure when the request came over TLS', async () => {
    const b = new Browser(dash.app);
    const fields = { email: 'tls@example.com', password: PASSWORD, company: 'TLS', currency: 'USD' };
    const res = await b.post('/app/api/signup', fields, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'dash.example', origin: 'https://dash.example' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.cookies.find((c) => c.name === 'smsgic_session')).toMatchObject({ secure: true, httpOnly: true });
  });
});
