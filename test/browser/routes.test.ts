// The operator's Routes page: rules added, seen in order, moved and removed; the default rule last and kept.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { signIn } from './pages.js';

const STEP_MS = 120_000;
const OPERATOR = { email: 'ops@routes.example', password: 'operator password 42' };

/** The "Matches" cell of each row, top to bottom. */
async function matches(page: Page): Promise<string[]> {
  return page.locator('tbody tr th').allTextContents();
}

describeWithChromium("the operator's route table", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    await server.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'adds rules, shows them in order above the default rule, moves and removes them',
    async () => {
      const page = await (await browser.newContext()).newPage();
      await signIn(page, server.url, OPERATOR);
      await page.getByRole('link', { name: 'Routes' }).click();
      await page.getByRole('heading', { name: 'Route table' }).waitFor();
      await expect(matches(page)).resolves.toEqual(['Everything else']);
      await expect(page.getByRole('button', { name: /^Remove rule/ }).count()).resolves.toBe(0);

      await page.getByLabel('Strategy').selectOption('fixed');
      await page.getByLabel('Providers', { exact: true }).fill('sandbox');
      await page.getByLabel('MCC', { exact: true }).fill('247');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.getByText('MCC 247 / MNC *').waitFor();

      await page.getByLabel('Providers', { exact: true }).fill('nosuch');
      await page.getByLabel('Number prefix').fill('44');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.getByText('unknown provider "nosuch"', { exact: false }).waitFor();
      await page.getByLabel('Providers', { exact: true }).fill('sandbox');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.getByText('numbers 44…').waitFor();
      await expect(matches(page)).resolves.toEqual(['MCC 247 / MNC *', 'numbers 44…', 'Everything else']);

      const listed = await server.cli<{ routes: { id: number; prefix: string | null; default: boolean }[] }>([
        'routes',
        'list',
      ]);
      const [latvia, uk, fallback] = listed.routes;
      expect([latvia?.default, uk?.prefix, fallback?.default]).toEqual([false, '44', true]);

      await page.getByRole('button', { name: `Move rule ${uk?.id} up` }).click();
      await expect.poll(() => matches(page)).toEqual(['numbers 44…', 'MCC 247 / MNC *', 'Everything else']);
      await page.getByRole('button', { name: `Move rule ${uk?.id} down` }).click();
      await expect.poll(() => matches(page)).toEqual(['MCC 247 / MNC *', 'numbers 44…', 'Everything else']);

      await page.getByRole('button', { name: `Remove rule ${latvia?.id}` }).click();
      await expect.poll(() => matches(page)).toEqual(['numbers 44…', 'Everything else']);
      const after = await server.cli<{ routes: { id: number }[] }>(['routes', 'list']);
      expect(after.routes.map((r) => r.id)).toEqual([uk?.id, fallback?.id]);

      // The default rule can be edited (its providers), never removed.
      await page.getByRole('button', { name: `Edit rule ${fallback?.id}` }).click();
      await expect(page.getByLabel('MCC', { exact: true }).isDisabled()).resolves.toBe(true);
      await page.getByLabel('Providers', { exact: true }).fill('sandbox');
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page
        .getByRole('row', { name: /Everything else/ })
        .getByText('sandbox')
        .waitFor();
    },
    STEP_MS,
  );
});
