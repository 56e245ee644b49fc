// The Opt-outs page in a real browser: numbers added, searched, removed after a confirmation with their history, a
// CSV file imported (a bad one refused naming its rows) and the list exported; Compose then leaves an opted-out number
// out of a sending and says so.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { useBrowserTest } from './pages.js';

const STEP_MS = 120_000;
const CUSTOMER = { email: 'owner@quiet-shop.example', password: 'correct horse battery', company: 'Quiet Shop' };

function optOutRow(page: Page, phone: string) {
  return page.getByRole('row', { name: new RegExp(`\\+${phone}`) });
}

describeWithChromium('opt-outs in Chromium', () => {
  const app = useBrowserTest({ timeoutMs: STEP_MS });
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    page = await app.signedUp(CUSTOMER, { credit: '10', context: { acceptDownloads: true } });
    dir = await mkdtemp(join(tmpdir(), 'smsgic-opt-outs-'));
  }, STEP_MS);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'adds two numbers, finds one by search, removes one after a confirmation, and shows its history',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opt-outs' }).click();
      await page.getByRole('heading', { name: 'Opt-outs', level: 1 }).waitFor();
      await page.getByText('No opt-outs yet').waitFor();

      await page.getByLabel('Phone numbers').fill('+44 7400 123456\n0037126123456');
      await page.getByRole('button', { name: 'Add to opt-outs' }).click();
      await page.getByText('2 numbers added to the opt-out list.').waitFor();
      await optOutRow(page, '447400123456').getByText('Added in the dashboard').waitFor();
      await optOutRow(page, '37126123456').waitFor();

      await page.getByLabel('Search numbers').fill('+371');
      await expect.poll(() => optOutRow(page, '447400123456').count()).toBe(0);
      await optOutRow(page, '37126123456').waitFor();
      await page.getByLabel('Search numbers').fill('');
      await optOutRow(page, '447400123456').waitFor();

      await page.getByRole('button', { name: 'Remove +447400123456' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Remove this number from the opt-outs?' });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      await optOutRow(page, '447400123456').waitFor();
      await page.getByRole('button', { name: 'Remove +447400123456' }).click();
      await confirm.getByRole('button', { name: 'Remove number' }).click();
      await page.getByText('+447400123456 removed from the opt-out list.').waitFor();
      await expect.poll(() => optOutRow(page, '447400123456').count()).toBe(0);

      await page.getByRole('button', { name: 'History of +37126123456' }).click();
      const history = page.getByRole('dialog', { name: 'History of +37126123456' });
      await history.getByText('Added', { exact: true }).waitFor();
      await history.getByText(`Added in the dashboard · ${CUSTOMER.email}`).waitFor();
      await history.getByRole('button', { name: 'Close' }).first().click();
      await history.waitFor({ state: 'hidden' });
    },
    STEP_MS,
  );

  it(
    'imports a CSV file all or nothing, and exports the list as CSV',
    async () => {
      const bad = join(dir, 'bad.csv');
      await writeFile(bad, 'name,phone\nAnn,447400000001\nBob,call me\n');
      await page.locator('#opt-outs-file').setInputFiles(bad);
      const refusal = page.getByRole('alert').filter({ hasText: 'The file was not imported' });
      await refusal.getByText('Line 3: “call me” is not a phone number').waitFor();
      expect(await optOutRow(page, '447400000001').count()).toBe(0);
      await refusal.getByRole('button', { name: 'Dismiss' }).click();

      const good = join(dir, 'good.csv');
      await writeFile(good, 'name,phone\nAnn,447400000001\nBob,+44 7400 000002\nCid,37126123456\n');
      await page.locator('#opt-outs-file').setInputFiles(good);
      await page.getByText('good.csv: 2 numbers added to the opt-out list; 1 already on it.').waitFor();
      await optOutRow(page, '447400000001').waitFor();
      await optOutRow(page, '447400000002').getByText('Added in the dashboard').waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('opt-outs.csv');
      const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
      expect(lines[0]).toBe('phone,source,created_at,sender');
      expect(lines.slice(1).map((line) => line.split(',').slice(0, 2))).toEqual([
        ['37126123456', 'dashboard'],
        ['447400000001', 'dashboard'],
        ['447400000002', 'dashboard'],
      ]);
      for (const line of lines.slice(1)) expect(line).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,$/);
    },
    STEP_MS,
  );

  it(
    'leaves an opted-out number out of a sending from Compose, shown as opted out',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compose' }).click();
      await page.getByLabel('Message text').fill('Our shop opens at 9 tomorrow.');
      await page.getByLabel('Phone numbers').fill('37126123456\n37126123999');
      await page.getByText(/covers this sending/).waitFor({ timeout: 10_000 });
      const optedOut = page.locator('dd').and(page.getByLabel('Opted out (not sent, not charged)', { exact: true }));
      await expect.poll(() => optedOut.textContent()).toBe('1');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Send', exact: true }).click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      const row = page.getByRole('row').filter({ hasText: '37126123456' });
      await row.getByText('Suppressed', { exact: true }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByText('1 opted out').waitFor();
    },
    STEP_MS,
  );
});
