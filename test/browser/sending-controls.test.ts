// The sending controls on the Settings page in a real browser: the countries the operator allows, the customer's
// choice among them and the spend limits, saved and shown again; a country outside the operator's list is refused.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { CountriesView, SpendLimitsView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, screenshotPath } from '../support/browser.js';
import { signUp, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@guarded-shop.example', password: 'correct horse battery', company: 'Guarded Shop' };

function read<T>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (url) => (await (await fetch(url)).json()) as T, path);
}

describeWithChromium('sending controls in Chromium', () => {
  const app = useBrowserTest();
  let page: Page;

  beforeAll(async () => {
    page = await app.newPage({ viewport: { width: 1366, height: 900 } });
  }, STEP_MS);

  it(
    'chooses countries among those allowed and sets spend limits',
    async () => {
      await signUp(page, app.server.url, CUSTOMER);
      const me = await read<{ account: { id: number } }>(page, '/app/api/me');
      await app.server.cli(['account', 'countries', String(me.account.id), 'LV,EE']);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Sending controls' }).waitFor();
      await page.getByText('This account sends to Estonia, Latvia.').waitFor();

      await page.getByLabel('Countries').fill('LV, DK');
      await page.getByRole('button', { name: 'Save controls' }).click();
      await page.getByText('This account may not send to DK: ask support to allow it.').waitFor();

      await page.getByLabel('Countries').fill('lv');
      await page.getByLabel('Daily spend limit').fill('5');
      await page.getByLabel('Monthly spend limit').fill('50.25');
      await page.getByRole('button', { name: 'Save controls' }).click();
      await page.getByText('This account sends to Latvia.').waitFor();
      expect(await read<CountriesView>(page, '/app/api/countries')).toMatchObject({
        chosen: [{ iso: 'LV', name: 'Latvia' }],
      });
      expect(await read<SpendLimitsView>(page, '/app/api/spend-limits')).toEqual({
        daily: '5.0000',
        monthly: '50.2500',
      });
      await page.reload();
      await page.getByText('This account sends to Latvia.').waitFor();
      await expect.poll(() => page.getByLabel('Monthly spend limit').inputValue()).toBe('50.2500');
      await page.screenshot({ path: screenshotPath('settings-sending-controls'), fullPage: true });
    },
    STEP_MS,
  );
});
