// The operator's provider costs: the providers' lists (the sandbox's sample one from the first start), a CSV file
// chosen for a provider shows what it would change, "Replace" puts it in place; a bad file says which line and why.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { signIn } from './pages.js';

const STEP_MS = 90_000;
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };

async function chooseFile(page: Page, name: string, csv: string): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
}

async function cellsOf(page: Page, rowName: RegExp, table: string): Promise<string[]> {
  return page
    .getByRole('table', { name: table })
    .getByRole('row', { name: rowName })
    .getByRole('cell')
    .allTextContents();
}

describeWithChromium("the operator's provider costs", () => {
  let server: TestServer;
  let browser: Browser;
  let ops: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    await server.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
    ops = await (await browser.newContext()).newPage();
    await signIn(ops, server.url, OPERATOR);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    "lists every provider's cost list, the sandbox's sample one included",
    async () => {
      await ops.getByRole('link', { name: 'Provider costs' }).click();
      await ops.getByRole('heading', { name: 'Provider costs', level: 1 }).waitFor();
      expect(new URL(ops.url()).pathname).toBe('/app/admin/costs');
      const lists = ops.getByRole('table', { name: 'Providers and their cost lists' });
      await lists.waitFor();
      expect(await lists.getByRole('rowheader').allTextContents()).toEqual([
        'sandbox',
        'infobip',
        'twilio',
        'messente',
        'trumpia',
        'smpp',
      ]);
      expect((await cellsOf(ops, /^sandbox/, 'Providers and their cost lists')).slice(0, 3)).toEqual(['GBP', '9', '1']);
      expect((await cellsOf(ops, /^twilio/, 'Providers and their cost lists')).slice(0, 3)).toEqual([
        'No list',
        '—',
        '—',
      ]);
    },
    STEP_MS,
  );

  it(
    'a file chosen for a provider shows what changes; Replace puts the list in place',
    async () => {
      await ops.getByLabel('Provider').selectOption('twilio');
      await chooseFile(ops, 'twilio.csv', 'mcc,mnc,cost\n247,,0.0300\n247,01,0.0250\n234,,0.0280\n');
      const diff = ops.getByRole('region', { name: 'What changes for twilio' });
      await diff.waitFor();
      await diff.getByText('A new list in GBP.').waitFor();
      expect(await diff.getByRole('list', { name: 'Rows by change' }).getByRole('listitem').allTextContents()).toEqual([
        'Added: 3',
        'Removed: 0',
        'Changed: 0',
        'Unchanged: 0',
      ]);
      // Nothing is written before Replace.
      expect((await cellsOf(ops, /^twilio/, 'Providers and their cost lists'))[0]).toBe('No list');
      await diff.getByRole('button', { name: 'Replace' }).click();
      await ops.getByRole('status').getByText('The cost list of twilio is replaced (version 1).').first().waitFor();
      await diff.waitFor({ state: 'hidden' });
      await expect
        .poll(async () => (await cellsOf(ops, /^twilio/, 'Providers and their cost lists')).slice(0, 3))
        .toEqual(['GBP', '3', '1']);

      // The sandbox's sample list, one cost changed, one row gone, one added, in another currency.
      await ops.getByLabel('Provider').selectOption('sandbox');
      await ops.getByLabel('Currency').selectOption('EUR');
      const sample = (await server.cli<{ csv: string }>(['costs', 'export', 'sandbox'])).csv;
      const edited = `${sample.replace('247,,0.0310', '247,,0.0350').replace('310,,0.0080\r\n', '')}244,,0.0330\r\n`;
      await chooseFile(ops, 'sandbox.csv', edited);
      const changes = ops.getByRole('region', { name: 'What changes for sandbox' });
      await changes.getByText('Currency changes from GBP to EUR.').waitFor();
      expect(
        await changes.getByRole('list', { name: 'Rows by change' }).getByRole('listitem').allTextContents(),
      ).toEqual(['Added: 1', 'Removed: 1', 'Changed: 1', 'Unchanged: 7']);
      const rows = changes.getByRole('table', { name: 'Rows the import adds, removes or changes' }).getByRole('row');
      const texts = await rows.evaluateAll((all) =>
        all.slice(1).map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
      );
      expect(texts).toEqual([
        ['Added', '244', 'Country-wide', '—', '0.0330'],
        ['Removed', '310', 'Country-wide', '0.0080', '—'],
        ['Changed', '247', 'Country-wide', '0.0310', '0.0350'],
      ]);
      await changes.getByRole('button', { name: 'Replace' }).click();
      await ops.getByText('The cost list of sandbox is replaced (version 2).').first().waitFor();
      await expect
        .poll(async () => (await cellsOf(ops, /^sandbox/, 'Providers and their cost lists')).slice(0, 3))
        .toEqual(['EUR', '9', '2']);
      expect((await server.cli<{ csv: string }>(['costs', 'export', 'sandbox'])).csv).toContain('247,,0.0350\r\n');
    },
    STEP_MS,
  );

  it(
    'a bad file names its line and offers nothing to replace; the stored list stays',
    async () => {
      await ops.getByLabel('Provider').selectOption('twilio');
      await ops.getByLabel('Currency').selectOption('');
      await chooseFile(ops, 'bad.csv', 'mcc,mnc,cost\n247,,0.0300\n24x,01,0.0250\n');
      await ops.getByRole('alert').getByText('Line 3: mcc "24x" is not 3 digits; nothing was imported.').waitFor();
      expect(await ops.getByRole('button', { name: 'Replace' }).count()).toBe(0);
      expect((await cellsOf(ops, /^twilio/, 'Providers and their cost lists')).slice(0, 3)).toEqual(['GBP', '3', '1']);
      expect((await server.cli<{ csv: string }>(['costs', 'export', 'twilio'])).csv).toBe(
        'mcc,mnc,cost\r\n234,,0.0280\r\n247,,0.0300\r\n247,01,0.0250\r\n',
      );
    },
    STEP_MS,
  );
});
