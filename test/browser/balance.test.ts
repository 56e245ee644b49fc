// The balance in the header follows what happens to the money: a sending's refund shows on the campaign page as it
// happens, without navigating.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { accountId, call, signUp } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@refunded.example', password: 'correct horse battery', company: 'Refunded Ltd' };
/** The sandbox refuses for good the numbers ending in 0004: nothing is sent, everything is refunded. */
const REFUSED = ['447400120004', '37126120004'];

/** "YYYY-MM-DD HH:MM:SS" UTC, `seconds` from now. */
function scheduleIn(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function headerBalance(page: Page): Promise<string | null> {
  return page.getByRole('link', { name: /^Balance:/ }).textContent();
}

describeWithChromium('the balance in the header', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await signUp(page, server.url, CUSTOMER);
    await server.cli(['credit', String(await accountId(page)), '10']);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    "follows a sending's refund on the campaign page, without navigating",
    async () => {
      const sent = await call<{ id: number; status: string }>(page, 'POST', '/sendings', {
        message: 'Your parcel is on its way.',
        recipients: REFUSED,
        sender: 'SMSgic',
        schedule: scheduleIn(4),
      });
      expect(sent.status).toBe(201);
      await page.goto(`${server.url}/app/campaigns/${sent.body.id}`);
      await page.getByRole('status').filter({ hasText: 'Status: Pending' }).waitFor();
      const reserved = await headerBalance(page);
      expect(reserved).not.toBe('Balance: €10.000');

      await page.getByRole('status').filter({ hasText: 'Status: Failed' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => headerBalance(page), { timeout: 10_000 }).toBe('Balance: €10.000');
    },
    STEP_MS,
  );
});
