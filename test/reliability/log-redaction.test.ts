// Secrets never reach the log: the log lines of a real app, at its most verbose, are captured while requests carry a
// bearer token, a login password, a session cookie, a CSRF token and an API key in the query string.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDACTED } from '../../src/http/logging.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const SECRETS = {
  bogusToken: 'smsgic_bogusTOKENsecret0001',
  password: 'Hunter2-PASSWORD-secret',
  currentPassword: 'Old-PASSWORD-secret-0002',
  session: 'SESSION-cookie-secret-0003',
  csrf: 'CSRF-token-secret-0004',
  queryKey: 'QUERY-apikey-secret-0005',
  loggedHeader: 'LOGGED-header-secret-0006',
  providerKey: 'PROVIDER-apikey-secret-0007',
  basicAuth: 'BASIC-auth-secret-0008',
  setCookie: 'SETCOOKIE-secret-0009',
};

describeEachEngine('secrets in logs', (engine) => {
  const lines: string[] = [];
  let api: ApiApp;
  let base = '';
  let customer: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db, {
      logger: {
        level: 'trace',
        stream: {
          write(line: string) {
            lines.push(line);
          },
        },
      },
    });
    base = await api.listen();
    customer = await api.account({ balance: '10' });
  });
  afterAll(() => api.close());

  it('logs requests without their credentials, cookies, CSRF tokens, passwords or secret query values', async () => {
    const get = (path: string, headers: Record<string, string>) => fetch(`${base}${path}`, { headers });
    expect((await get('/balance', customer.headers)).status).toBe(200);
    expect((await get('/balance', { authorization: `Bearer ${SECRETS.bogusToken}` })).status).toBe(401);
    await get('/senders', {
      ...customer.headers,
      cookie: `smsgic_session=${SECRETS.session}; other=1`,
      'x-csrf-token': SECRETS.csrf,
    });
    await get(`/rates?api_key=${SECRETS.queryKey}&country=latvia`, customer.headers);
    for (const path of ['/app/api/login', '/app/api/password']) {
      await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `smsgic_session=${SECRETS.session}` },
        body: JSON.stringify({
          email: 'owner@example.test',
          password: SECRETS.password,
          current_password: SECRETS.currentPassword,
        }),
      });
    }
    // A malformed body with a password in it: refused, and the refusal logged without the body.
    await fetch(`${base}/sendings`, {
      method: 'POST',
      headers: { ...customer.headers, 'content-type': 'application/json' },
      body: `{"password":"${SECRETS.password}",`,
    });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(7);
    // One line a request, written when it is answered, with what it was and how it ended.
    expect(log).not.toContain('incoming request');
    const balanceLines = lines.filter((line) => line.includes('"url":"/balance"'));
    expect(balanceLines).toHaveLength(2);
    expect(balanceLines[0]).toMatch(
      /"method":"GET".*"status_code":200,"response_time_ms":[\d.]+.*"msg":"request completed"/,
    );
    expect(balanceLines[1]).toContain('"status_code":401');
    expect(log).toContain(`/rates?api_key=${REDACTED}&country=latvia`);
    for (const [name, secret] of Object.entries({ ...SECRETS, apiToken: customer.token })) {
      expect(log, name).not.toContain(secret);
    }
  });

  it('redacts secret fields wherever code logs them: headers, provider settings, errors', () => {
    lines.length = 0;
    const error = Object.assign(new Error('provider call failed'), {
      config: { headers: { Authorization: `Basic ${SECRETS.basicAuth}` } },
    });
    api.app.log.error(
      {
        err: error,
        req: { url: '/x', headers: { authorization: `Bearer ${SECRETS.loggedHeader}` } },
        upstream: { headers: { authorization: `Bearer ${SECRETS.loggedHeader}`, cookie: `s=${SECRETS.session}` } },
        res: { headers: { 'set-cookie': [`smsgic_session=${SECRETS.setCookie}`] } },
        provider: { name: 'infobip', apiKey: SECRETS.providerKey },
        body: { password: SECRETS.password, csrfToken: SECRETS.csrf },
      },
      'explicit',
    );
    const log = lines.join('');
    expect(log).toContain('explicit');
    expect(log).toContain('provider call failed');
    expect(log).toContain(REDACTED);
    for (const [name, secret] of Object.entries(SECRETS)) expect(log, name).not.toContain(secret);
  });
});
