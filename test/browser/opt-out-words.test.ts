// The own stop and start words of the Settings keywords card in a real browser: the built-in keywords shown beside
// them, saved in upper case, a refused word shown under its field with nothing saved; what the page shows is what the
// dashboard API holds.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KeywordAnswersView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { signUp } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@word-shop.example', password: 'correct horse battery', company: 'Word Shop' };

function keywordsOf(page: Page): Promise<KeywordAnswersView> {
  return page.evaluate(async () => {
    const response = await fetch('/app/api/keywords', { headers: { Accept: 'application/json' } });
    return (await response.json()) as KeywordAnswersView;
  });
}

describeWithChromium('own stop and start words in Chromium', () => {
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
    'saves own words beside the built-in ones and shows why a word is refused',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Keyword replies' }).waitFor();
      await page.getByText(/Besides the built-in ones: STOP, STOPALL, .*ATTEIKT, СТОП\./).waitFor();

      await page.getByLabel('Your own stop words').fill('basta, nevajag');
      await page.getByLabel('Your own start words').fill('atpakaļ');
      await page.getByRole('button', { name: 'Save keyword replies' }).click();
      await page.getByText('Keyword replies saved.').waitFor();
      expect(await page.getByLabel('Your own stop words').inputValue()).toBe('BASTA, NEVAJAG');
      expect(await keywordsOf(page)).toMatchObject({ stop_words: ['BASTA', 'NEVAJAG'], start_words: ['ATPAKAĻ'] });

      await page.getByLabel('Your own start words').fill('atpakaļ, basta');
      await page.getByRole('button', { name: 'Save keyword replies' }).click();
      await page.getByText('“BASTA” cannot be both a stop word and a start word.').waitFor();
      expect(await keywordsOf(page)).toMatchObject({ stop_words: ['BASTA', 'NEVAJAG'], start_words: ['ATPAKAĻ'] });

      await page.getByLabel('Your own start words').fill('');
      await page.getByRole('button', { name: 'Save keyword replies' }).click();
      await page.getByText('Keyword replies saved.').first().waitFor();
      await expect.poll(async () => (await keywordsOf(page)).start_words).toEqual([]);
    },
    STEP_MS,
  );
});
