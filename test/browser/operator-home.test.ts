// The operator's dashboard: signing in lands on the operator's accounts, not on an empty customer overview; from
// there the operator opens an account, changes its tax rate and exports a price list as CSV.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };

describeWithChromium("the operator's home and accounts", () => {
  const app = useBrowserTest({ operator: OPERATOR });
  let ops: Page;

  it(
    'lands an operator on the accounts after signing in, from the sign-in page or from the overview',
    async () => {
      ops = await app.signedIn(OPERATOR, { acceptDownloads: true });
      await ops.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
      expect(new URL(ops.url()).pathname).toBe('/app/admin/accounts');
      expect(await ops.getByRole('heading', { name: 'Overview', level: 1 }).count()).toBe(0);

      const again = await app.newPage();
      await again.goto(`${app.server.url}/app/`);
      await again.getByLabel('Email').fill(OPERATOR.email);
      await again.getByLabel('Password').fill(OPERATOR.password);
      await again.getByRole('button', { name: 'Sign in' }).click();
      await again.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
      expect(new URL(again.url()).pathname).toBe('/app/admin/accounts');
      await again.goto(`${app.server.url}/app/signin`);
      await again.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    },
    STEP_MS,
  );

  it(
    'opens an account with a tax rate and an opening credit, then changes its tax rate',
    async () => {
      await ops.getByRole('button', { name: 'New account' }).click();
      const dialog = ops.getByRole('dialog', { name: 'New account' });
      await dialog.getByLabel('Company').fill('Harbour Freight');
      await dialog.getByLabel('Currency').selectOption('GBP');
      await dialog.getByLabel('Tax rate (%)').fill('101');
      await dialog.getByRole('button', { name: 'Create account' }).click();
      await dialog.getByText('The tax rate field must be a percentage from 0 to 100.').waitFor();
      await dialog.getByLabel('Tax rate (%)').fill('20');
      await dialog.getByLabel('Opening credit (GBP)').fill('25,50');
      await dialog.getByLabel('Owner email').fill('owner@harbour-freight.example');
      // The dialog fits a phone: nothing sticks out sideways, its buttons are on screen.
      await ops.setViewportSize({ width: 390, height: 844 });
      expect(await ops.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      for (const name of ['Cancel', 'Create account']) {
        const box = await dialog.getByRole('button', { name }).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 390, name).toBe(true);
      }
      await ops.setViewportSize({ width: 1280, height: 800 });
      await dialog.getByRole('button', { name: 'Create account' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = ops.getByRole('row', { name: /Harbour Freight/ });
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual(
        expect.arrayContaining(['owner@harbour-freight.example', '£25.500 GBP', '20%']),
      );

      await ops.getByRole('button', { name: 'Tax rate of Harbour Freight' }).click();
      const tax = ops.getByRole('dialog', { name: 'Tax rate of Harbour Freight' });
      await tax.getByLabel('Tax rate (%)').fill('7.125');
      await tax.getByRole('button', { name: 'Save tax rate' }).click();
      await tax.waitFor({ state: 'hidden' });
      await row.getByRole('button', { name: 'Tax rate of Harbour Freight' }).getByText('7.125%').waitFor();
    },
    STEP_MS,
  );

  it(
    'exports the default price list as the CSV the import reads',
    async () => {
      await ops.goto(`${app.server.url}/app/admin/rates`);
      await ops
        .getByRole('row', { name: /Latvia/ })
        .first()
        .waitFor();
      const [download] = await Promise.all([
        ops.waitForEvent('download'),
        ops.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('rates-default-GBP.csv');
      const text = await readFile(await download.path(), 'utf8');
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('mcc,mnc,rate');
      expect(lines).toContain('247,01,0.0390');
    },
    STEP_MS,
  );
});
