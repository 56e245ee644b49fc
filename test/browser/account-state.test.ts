// What the dashboard says to an account about itself: a new account is welcomed (not "welcomed back") and pointed at
// its first message; a suspended account is told it is suspended where a page cannot load, with no "Try again".
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { accountId, call, signUp, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };
const CUSTOMER = { email: 'owner@first-visit.example', password: 'correct horse battery', company: 'First Visit Ltd' };
const UNAVAILABLE = 'Not available while this account is suspended.';
const SUSPENDED = 'This account is suspended: sending and API access are paused. Contact support to reinstate it.';

describeWithChromium('the account as the dashboard greets it', () => {
  const app = useBrowserTest({ operator: OPERATOR });
  let page: Page;
  let campaignId = 0;

  beforeAll(async () => {
    page = await app.newPage();
  }, STEP_MS);

  it(
    'welcomes a new account on its first visit, and welcomes it back once it has sent',
    async () => {
      await signUp(page, app.server.url, CUSTOMER);
      await page.getByText('Welcome to SMSgic, First Visit Ltd: compose your first message to get started.').waitFor();
      expect(await page.getByText(/Welcome back/).count()).toBe(0);

      await app.server.cli(['credit', String(await accountId(page)), '10']);
      const sent = await call<{ id: number }>(page, 'POST', '/sendings', {
        message: 'Hello from our new shop.',
        recipients: ['447400123456'],
        sender: 'SMSgic',
      });
      expect(sent.status).toBe(201);
      campaignId = sent.body.id;
      await page.reload();
      await page.getByText('Welcome back to First Visit Ltd.').waitFor();
    },
    STEP_MS,
  );

  it(
    'tells a suspended account it is suspended where a page cannot load, without offering to try again',
    async () => {
      const ops = await app.signedIn(OPERATOR);
      const suspended = await call(ops, 'POST', `/admin/accounts/${await accountId(page)}/suspend`, {
        suspended: true,
      });
      expect(suspended.status).toBe(200);

      // The page was loaded before the suspension: the campaign list is refused as the customer moves on, and the
      // layout learns of the suspension.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('alert').filter({ hasText: UNAVAILABLE }).waitFor();
      await page.getByRole('alert').filter({ hasText: SUSPENDED }).waitFor();
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);

      await page.goto(`${app.server.url}/app/campaigns/${campaignId}`);
      await page.getByRole('alert').filter({ hasText: UNAVAILABLE }).waitFor();
      await page.getByRole('alert').filter({ hasText: SUSPENDED }).waitFor();
      await expect.poll(() => page.locator('.loading').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    },
    STEP_MS,
  );
});
