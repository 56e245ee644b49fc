// The balance follows what happens to the money: a sending's refund shows in the header on the campaign page as it
// happens, without navigating; the operator credits an amount typed with a decimal comma.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { call, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };
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
  const app = useBrowserTest({ operator: OPERATOR });
  let page: Page;

  beforeAll(async () => {
    page = await app.signedUp(CUSTOMER, { credit: '10' });
  }, STEP_MS);

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
      await page.goto(`${app.server.url}/app/campaigns/${sent.body.id}`);
      await page.getByRole('status').filter({ hasText: 'Status: Pending' }).waitFor();
      const reserved = await headerBalance(page);
      expect(reserved).not.toBe('Balance: €10.000');

      await page.getByRole('status').filter({ hasText: 'Status: Failed' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => headerBalance(page), { timeout: 10_000 }).toBe('Balance: €10.000');
    },
    STEP_MS,
  );

  it(
    'lets the operator credit 12,50 (a decimal comma), and refuses 1,500 saying why',
    async () => {
      const before = await headerBalance(page);
      const ops = await app.signedIn(OPERATOR);
      try {
        await ops.goto(`${app.server.url}/app/admin/accounts`);
        await ops.getByRole('button', { name: 'Credit Refunded Ltd' }).click();
        const dialog = ops.getByRole('dialog', { name: 'Credit Refunded Ltd' });
        await dialog.getByLabel('Amount (EUR)').fill('1,500');
        await dialog.getByRole('button', { name: 'Credit account' }).click();
        await dialog
          .getByText(
            '“1,500” is ambiguous: write 1500 if the comma separates thousands, or 1.500 if it marks decimals.',
          )
          .waitFor();
        await dialog.getByLabel('Amount (EUR)').fill('12,50');
        await dialog.getByRole('button', { name: 'Credit account' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await ops
          .getByRole('row', { name: /Refunded Ltd/ })
          .getByText('€22.500')
          .waitFor();
      } finally {
        await ops.context().close();
      }
      expect(before).toBe('Balance: €10.000');
      await page.goto(`${app.server.url}/app/transactions`);
      await page
        .getByRole('row', { name: /Credit/ })
        .getByText('+€12.50')
        .first()
        .waitFor();
      await expect.poll(() => headerBalance(page)).toBe('Balance: €22.500');
    },
    STEP_MS,
  );
});
