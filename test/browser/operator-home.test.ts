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
  let invitationLink = '';

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
      // With an owner's email, the next step is offered at once: the owner's invitation link.
      const invite = ops.getByRole('dialog', { name: 'Invite a user to Harbour Freight' });
      expect(await invite.getByLabel('Email of the person invited').inputValue()).toBe('owner@harbour-freight.example');
      await invite.getByRole('button', { name: 'Make invitation link' }).click();
      await invite.getByText(/Send this link to owner@harbour-freight\.example\. It works once, until/).waitFor();
      invitationLink = await invite.getByLabel('Invitation link').inputValue();
      expect(invitationLink).toMatch(new RegExp(`^${app.server.url}/app/invite#[A-Za-z0-9_-]{43}$`));
      await invite.getByRole('button', { name: 'Done' }).click();
      await invite.waitFor({ state: 'hidden' });
      const row = ops.getByRole('row', { name: /Harbour Freight/ });
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^owner@harbour-freight\.example\b/), '£25.500 GBP', '20%']),
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
    "lets the owner choose a password with the invitation link and lands them on their account's overview",
    async () => {
      const owner = await app.newPage();
      await owner.goto(invitationLink);
      await owner.getByRole('heading', { name: 'Join Harbour Freight', level: 1 }).waitFor();
      expect(await owner.getByLabel('Email').inputValue()).toBe('owner@harbour-freight.example');
      await owner.getByLabel('New password').fill('short');
      await owner.getByRole('button', { name: 'Choose password and sign in' }).click();
      await owner.getByText('The password field must be at least 10 characters.').waitFor();
      await owner.getByLabel('New password').fill('harbour owner password');
      await owner.getByRole('button', { name: 'Choose password and sign in' }).click();
      await owner.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await owner.getByText('Harbour Freight').first().waitFor();
      await owner.getByText('£25.500').first().waitFor();

      // Used once: the same link now says so, and the password signs in.
      const later = await app.newPage();
      await later.goto(invitationLink);
      await later.getByText(/This invitation link no longer works/).waitFor();
      const signedIn = await app.signedIn({
        email: 'owner@harbour-freight.example',
        password: 'harbour owner password',
      });
      await signedIn.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
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
