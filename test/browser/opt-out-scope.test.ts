// The opt-out scope and the senders of the opt-out list in a real browser: the Settings keywords card sets the scope
// (what the page shows is what the dashboard API holds), and the Opt-outs page adds a number for one sender, shows the
// sender column ("All senders" for an account-wide entry) and removes that entry alone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KeywordAnswersView, Page as ListPage, OptOutView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { signUp } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@scope-shop.example', password: 'correct horse battery', company: 'Scope Shop' };
const SCOPE_LABEL = 'A STOP reply opts the number out of';

function fetchJson<T>(page: Page, url: string): Promise<T> {
  return page.evaluate(async (path) => {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    return (await response.json()) as T;
  }, url);
}

describeWithChromium('opt-out scope and senders in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await signUp(page, server.url, CUSTOMER);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'sets the opt-out scope in Settings',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Keyword replies' }).waitFor();
      expect(await page.getByLabel(SCOPE_LABEL).inputValue()).toBe('account');
      await page.getByLabel(SCOPE_LABEL).selectOption({ label: 'Sendings from the number it was sent to only' });
      await page.getByRole('button', { name: 'Save keyword replies' }).click();
      await page.getByText('Keyword replies saved.').waitFor();
      await expect
        .poll(async () => (await fetchJson<KeywordAnswersView>(page, '/app/api/keywords')).opt_out_scope)
        .toBe('sender');
      await page.reload();
      await page.getByRole('heading', { name: 'Keyword replies' }).waitFor();
      await expect.poll(() => page.getByLabel(SCOPE_LABEL).inputValue()).toBe('sender');
    },
    STEP_MS,
  );

  it(
    'adds a number for one sender and for all, shows the sender column, and removes the one entry',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opt-outs' }).click();
      await page.getByRole('heading', { name: 'Opt-outs', level: 1 }).waitFor();
      await page.getByLabel('Phone numbers').fill('+371 2612 3460');
      await page.getByLabel('Sender (optional)').fill('MegaShop');
      await page.getByRole('button', { name: 'Add to opt-outs' }).click();
      await page.getByText('1 number added to the opt-out list.').waitFor();
      await page.getByRole('row', { name: /\+37126123460.*MegaShop/ }).waitFor();

      await page.getByLabel('Phone numbers').fill('37126123460');
      await page.getByLabel('Sender (optional)').fill('');
      await page.getByRole('button', { name: 'Add to opt-outs' }).click();
      await page.getByRole('row', { name: /\+37126123460.*All senders/ }).waitFor();

      await page.getByRole('button', { name: 'Remove +37126123460 for MegaShop' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Remove this number from the opt-outs?' });
      await confirm.getByRole('button', { name: 'Remove number' }).click();
      await expect.poll(() => page.getByRole('row', { name: /MegaShop/ }).count()).toBe(0);
      await page.getByRole('row', { name: /\+37126123460.*All senders/ }).waitFor();
      const list = await fetchJson<ListPage<OptOutView>>(page, '/app/api/opt-outs');
      expect(list.data.map((row) => [row.phone, row.sender])).toEqual([['37126123460', null]]);
    },
    STEP_MS,
  );
});
