// The webhook secret on the Settings page in a real browser: masked, revealed, copied, rotated after a confirmation
// that says the old secret keeps working for 24 h; the operator's CLI sees what the page shows.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { WebhookSecretView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, screenshotPath } from '../support/browser.js';
import { signUp, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@hooks-shop.example', password: 'correct horse battery', company: 'Hooks Shop' };
const RIVAL = { email: 'owner@hooks-rival.example', password: 'another long password', company: 'Hooks Rival' };

/** The account's secret as the dashboard API gives it to this session. */
function secretOf(page: Page): Promise<WebhookSecretView> {
  return page.evaluate(async () => {
    const response = await fetch('/app/api/webhook-secret', { headers: { Accept: 'application/json' } });
    return (await response.json()) as WebhookSecretView;
  });
}

async function openSettings(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Webhook secret' }).waitFor();
}

describeWithChromium('webhook secret in Chromium', () => {
  const app = useBrowserTest();
  let page: Page;

  beforeAll(async () => {
    page = await app.newPage({ viewport: { width: 1366, height: 900 } });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
  }, STEP_MS);

  it(
    'shows the secret masked, reveals and copies it, and is the secret the operator sees',
    async () => {
      await signUp(page, app.server.url, CUSTOMER);
      await openSettings(page);
      const field = page.getByLabel('Secret', { exact: true });
      const { secret } = await secretOf(page);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expect.poll(() => field.inputValue()).toMatch(/^•+$/);
      await page.getByText('Never rotated.').waitFor();

      await page.getByRole('button', { name: 'Reveal' }).click();
      await expect.poll(() => field.inputValue()).toBe(secret);
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await page.getByRole('button', { name: 'Hide' }).click();
      await expect.poll(() => field.inputValue()).toMatch(/^•+$/);

      const me = await page.evaluate(
        async () => (await (await fetch('/app/api/me')).json()) as { account: { id: number } },
      );
      const shown = await app.server.cli<{ secret: string }>([
        'webhook-secret',
        'show',
        '--account',
        String(me.account.id),
      ]);
      expect(shown.secret).toBe(secret);
      await page.screenshot({ path: screenshotPath('settings-webhook-secret'), fullPage: true });
    },
    STEP_MS,
  );

  it(
    'rotates only after a confirmation saying the old secret keeps working for 24 hours',
    async () => {
      const before = await secretOf(page);
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      let dialog = page.getByRole('alertdialog', { name: 'Rotate the webhook secret?' });
      await dialog.getByText('The old secret keeps working for 24 hours').waitFor();
      await page.screenshot({ path: screenshotPath('settings-webhook-secret-rotate'), fullPage: true });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await secretOf(page)).toEqual(before);

      await page.getByRole('button', { name: 'Rotate secret' }).click();
      dialog = page.getByRole('alertdialog', { name: 'Rotate the webhook secret?' });
      await dialog.getByRole('button', { name: 'Rotate secret' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText('Webhook secret rotated.').waitFor();
      await page.getByText(/^The previous secret keeps working until /).waitFor();
      await page.getByText(/^Last rotated /).waitFor();

      const after = await secretOf(page);
      expect(after.secret).not.toBe(before.secret);
      const field = page.getByLabel('Secret', { exact: true });
      await expect.poll(() => field.inputValue()).toMatch(/^•+$/);
      await page.getByRole('button', { name: 'Reveal' }).click();
      await expect.poll(() => field.inputValue()).toBe(after.secret);
    },
    STEP_MS,
  );

  it(
    "another account's page shows its own secret, never this one's",
    async () => {
      const mine = await secretOf(page);
      const rival = await app.signedUp(RIVAL);
      await openSettings(rival);
      await rival.getByRole('button', { name: 'Reveal' }).click();
      const theirs = await rival.getByLabel('Secret', { exact: true }).inputValue();
      expect(theirs).toBe((await secretOf(rival)).secret);
      expect(theirs).not.toBe(mine.secret);
      await rival.context().close();
    },
    STEP_MS,
  );
});
