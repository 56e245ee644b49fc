// The operator's Numbers page and an account's Controls dialog in Chromium: a number assigned, seen, refused for
// another account, unassigned after confirming; an account's countries and spend limits set from the Accounts page.
import { expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { accountId, useBrowserTest } from './pages.js';

const STEP_MS = 120_000;
const OPERATOR = { email: 'ops@numbers.example', password: 'operator password 42' };
const FIRST = { email: 'owner@first-numbers.example', password: 'correct horse battery', company: 'First Numbers' };
const SECOND = { email: 'owner@second-numbers.example', password: 'correct horse battery', company: 'Second Numbers' };

describeWithChromium("the operator's numbers and account controls", () => {
  const app = useBrowserTest({ operator: OPERATOR });

  it(
    'assigns a number, shows it, refuses it to another account, and unassigns it after confirming',
    async () => {
      const first = await accountId(await app.signedUp(FIRST));
      const second = await accountId(await app.signedUp(SECOND));
      const page = await app.signedIn(OPERATOR);
      await page.getByRole('link', { name: 'Numbers' }).click();
      await page.getByRole('heading', { name: 'Numbers', level: 1 }).waitFor();
      await page.getByText('No numbers assigned.').waitFor();

      await page.getByLabel('Number', { exact: true }).fill('+37125000001');
      await page.getByLabel('Keyword (optional)').fill('pizza');
      await page.getByLabel('Account ID', { exact: true }).fill(String(first));
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      const row = page.getByRole('row', { name: /37125000001/ });
      await row.waitFor();
      await expect(row.textContent()).resolves.toMatch(new RegExp(`37125000001PIZZAFirst Numbers #${first}`));
      const listed = await app.server.cli<{ numbers: { number: string; keyword: string; account_id: number }[] }>([
        'numbers',
        'list',
      ]);
      expect(listed.numbers).toEqual([expect.objectContaining({ number: '37125000001', keyword: 'PIZZA' })]);

      // The same keyword for another account is refused, saying whose it is; a bad number names its field.
      await page.getByLabel('Number', { exact: true }).fill('37125000001');
      await page.getByLabel('Keyword (optional)').fill('PIZZA');
      await page.getByLabel('Account ID', { exact: true }).fill(String(second));
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByRole('alert').getByText(`37125000001 keyword PIZZA is assigned to account ${first}.`).waitFor();
      await page.getByLabel('Number', { exact: true }).fill('12');
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByText('The number field must be 3 to 20 digits.').waitFor();

      // The filter by account: the second account has none.
      await page.getByLabel('Account ID filter').fill(String(second));
      await page.getByText('No numbers assigned.').waitFor();
      await page.getByLabel('Account ID filter').fill(String(first));
      await row.waitFor();

      await page.getByRole('button', { name: 'Unassign 37125000001 PIZZA' }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Unassign 37125000001 PIZZA?' });
      await dialog.getByRole('button', { name: 'Unassign' }).click();
      await page.getByText('No numbers assigned.').waitFor();
      const after = await app.server.cli<{ numbers: unknown[] }>(['numbers', 'list']);
      expect(after.numbers).toEqual([]);
      await page.context().close();
    },
    STEP_MS,
  );

  it(
    "sets an account's countries and spend limits from the Accounts page",
    async () => {
      const page = await app.signedIn(OPERATOR);
      await page.goto(`${app.server.url}/app/admin/accounts`);
      await page.getByRole('button', { name: 'Controls of First Numbers' }).click();
      const dialog = page.getByRole('dialog', { name: 'Controls of First Numbers' });
      await expect(dialog.getByLabel('Allowed countries').inputValue()).resolves.toBe('all');
      await dialog.getByLabel('Allowed countries').fill('lv, xx');
      await dialog.getByRole('button', { name: 'Save controls' }).click();
      await dialog.getByText('Not a country code: xx.').waitFor();

      await dialog.getByLabel('Allowed countries').fill('LV, EE');
      await dialog.getByLabel('Daily spend limit').fill('25.50');
      await dialog.getByLabel('Monthly spend limit').fill('300');
      await dialog.getByRole('button', { name: 'Save controls' }).click();
      await page.getByText('Controls of First Numbers saved.').waitFor();
      await dialog.waitFor({ state: 'hidden' });

      // Opened again, it shows what is stored.
      await page.getByRole('button', { name: 'Controls of First Numbers' }).click();
      await expect(dialog.getByLabel('Allowed countries').inputValue()).resolves.toBe('EE, LV');
      await expect(dialog.getByLabel('Daily spend limit').inputValue()).resolves.toBe('25.5000');
      await expect(dialog.getByLabel('Monthly spend limit').inputValue()).resolves.toBe('300.0000');
      await dialog.getByText('Sends to: Estonia, Latvia').waitFor();
      await page.context().close();
    },
    STEP_MS,
  );
});
