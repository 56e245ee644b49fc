// The webhook secret in the dashboard: the account's own, read and rotated (24 h grace for the old one), no other's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WEBHOOK_SECRET_GRACE_MS, type WebhookSecretView } from '../../src/http/dashboard/contract.js';
import { getAccount } from '../../src/store/accounts.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

const SECRET_FORM = /^[A-Za-z0-9_-]{43}$/;

describeEachEngine('dashboard webhook secret', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let b: Browser;
  const storedSecret = async (browser: Browser) => (await getAccount(engine.db, browser.accountId))?.webhookSecret;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    b = await dash.customer();
  });
  afterAll(() => dash.close());

  it('shows the secret that signs the callbacks, never cached, and only to a signed-in user', async () => {
    const res = await a.get('/app/api/webhook-secret');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ secret: await storedSecret(a), previous_valid_until: null, rotated_at: null });
    expect(res.json<WebhookSecretView>().secret).toMatch(SECRET_FORM);

    const anonymous = dash.browser();
    expect((await anonymous.get('/app/api/webhook-secret')).statusCode).toBe(401);
    expect((await anonymous.post('/app/api/webhook-secret/rotate')).statusCode).toBe(401);
  });

  it('rotates to a new secret, the old one valid 24 h more; refuses a rotation without the CSRF token', async () => {
    const before = await a.json<WebhookSecretView>(a.get('/app/api/webhook-secret'));
    const forged = await a.post('/app/api/webhook-secret/rotate', {}, { csrf: null });
    expect(forged.statusCode).toBe(403);
    expect(await storedSecret(a)).toBe(before.secret);

    const rotated = await a.json<WebhookSecretView>(a.post('/app/api/webhook-secret/rotate'));
    expect(rotated.secret).toMatch(SECRET_FORM);
    expect(rotated.secret).not.toBe(before.secret);
    expect(rotated.secret).toBe(await storedSecret(a));
    expect(rotated.rotated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const graceMs = Date.parse(rotated.previous_valid_until ?? '') - Date.parse(rotated.rotated_at ?? '');
    expect(graceMs).toBe(WEBHOOK_SECRET_GRACE_MS);
    expect(graceMs).toBe(24 * 60 * 60 * 1000);
    expect(JSON.stringify(rotated)).not.toContain(before.secret);
    expect(await a.json<WebhookSecretView>(a.get('/app/api/webhook-secret'))).toEqual(rotated);
  });

  it("never shows or rotates another account's secret", async () => {
    const ofA = await a.json<WebhookSecretView>(a.get('/app/api/webhook-secret'));
    const ofB = await b.json<WebhookSecretView>(b.get('/app/api/webhook-secret'));
    expect(ofB.secret).toBe(await storedSecret(b));
    expect(ofB.secret).not.toBe(ofA.secret);
    // No route takes an account id: a query or a body naming A changes nothing.
    const asked = await b.json<WebhookSecretView>(b.get(`/app/api/webhook-secret?account_id=${a.accountId}`));
    expect(asked.secret).toBe(ofB.secret);
    const rotatedB = await b.json<WebhookSecretView>(
      b.post('/app/api/webhook-secret/rotate', { account_id: a.accountId }),
    );
    expect(rotatedB.secret).not.toBe(ofB.secret);
    expect(await storedSecret(a)).toBe(ofA.secret);
    expect(await a.json<WebhookSecretView>(a.get('/app/api/webhook-secret'))).toEqual(ofA);
    expect(JSON.stringify(rotatedB)).not.toContain(ofA.secret);
  });
});
