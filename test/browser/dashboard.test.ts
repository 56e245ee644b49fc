// The dashboard in a real browser against the built server: sign-up, API tokens, compose with the live price, a
// sending to the sandbox watched to completion, isolation between accounts, and the operator pages.
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeWithChromium, screenshotPath } from '../support/browser.js';
import { signIn, signUp, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const VIEWPORT = { width: 1366, height: 900 };
const CUSTOMER = { email: 'owner@acme-shop.example', password: 'correct horse battery', company: 'Acme Shop' };
const RIVAL = { email: 'owner@rival.example', password: 'another long password', company: 'Rival Ltd' };
const RIVAL_NEW_PASSWORD = 'a brand new passphrase';
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };
/** A UK and a Latvian mobile number, both priced by the sample default list. */
const RECIPIENTS = ['447400123456', '37126123456'];
/** 98 GSM characters: one GSM-7 part, two UCS-2 parts. */
const GSM_TEXT = 'Your order 12345 is ready for pickup at our Riga store. Show this message at the counter. Thanks!';

/** The value shown for a labelled statistic (a <dd> named by its <dt>). */
function stat(page: Page, label: string) {
  return page.locator('dd').and(page.getByLabel(label, { exact: true }));
}

/** A full-page screenshot from the top, so that the sticky bar and the sidebar sit where a visitor sees them. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

async function api<T>(page: Page, path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (target) => {
    const response = await fetch(target, { headers: { Accept: 'application/json' } });
    return { status: response.status, body: (await response.json()) as T };
  }, path);
}

describeWithChromium('dashboard in Chromium', () => {
  const app = useBrowserTest({ operator: OPERATOR });
  let customer: BrowserContext;
  let page: Page;
  let apiToken = '';
  let campaignPath = '';
  let customerAccountId = 0;

  beforeAll(async () => {
    page = await app.newPage({ viewport: VIEWPORT });
    customer = page.context();
    await customer.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
  }, STEP_MS);

  it(
    'signs up, shows errors next to the fields, and creates an API token that works on the public API',
    async () => {
      await page.goto(`${app.server.url}/app/signup`);
      await page.getByLabel('Work email').fill('not-an-email');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect.poll(() => page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

      await signUp(page, app.server.url, CUSTOMER);
      await expect(page.getByRole('link', { name: /^Balance:/ }).textContent()).resolves.toBe('Balance: €0.000');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
      await page.getByLabel('Token name').fill('Shop backend');
      await page.getByRole('button', { name: 'Create token' }).click();
      const dialog = page.getByRole('dialog', { name: 'Your new API token' });
      await dialog.waitFor();
      await dialog.getByText('you will not see it again').waitFor();
      apiToken = await dialog.getByLabel('Token “Shop backend”').inputValue();
      expect(apiToken.length).toBeGreaterThan(20);
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await dialog.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(apiToken);
      // The dialog names the API's address and shows a first call with the new token, ready to paste.
      await expect(dialog.getByLabel('API base URL').inputValue()).resolves.toBe(app.server.url);
      await expect(dialog.getByLabel('Example request').inputValue()).resolves.toBe(
        `curl -s ${app.server.url}/balance \\\n  -H "Authorization: Bearer ${apiToken}"`,
      );
      await shoot(page, 'tokens-created');
      await dialog.getByRole('button', { name: 'Done' }).click();

      const row = page.getByRole('row', { name: /Shop backend/ });
      await row.getByText('Active').waitFor();
      await shoot(page, 'tokens');

      // The Postman collection downloads from the page, named, with this server as its base URL.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the Postman collection' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('smsgic.postman_collection.json');
      const collection = JSON.parse(await readFile(await download.path(), 'utf8')) as {
        variable: { key: string; value: string }[];
      };
      expect(collection.variable).toContainEqual(expect.objectContaining({ key: 'baseUrl', value: app.server.url }));

      const balance = await fetch(`${app.server.url}/balance`, { headers: { Authorization: `Bearer ${apiToken}` } });
      expect(balance.status).toBe(200);
      expect(await balance.json()).toEqual({ balance: '0.000', sign: '€', code: 'EUR' });
    },
    STEP_MS,
  );

  it(
    'prices as the message is typed: GSM-7, then UCS-2 with the forcing character marked',
    async () => {
      await page.getByRole('link', { name: 'Compose' }).click();
      await page.getByLabel('Message text').fill(GSM_TEXT);
      await page.getByLabel('Phone numbers').fill(`${RECIPIENTS.join('\n')}\n123`);
      const summary = page.locator('.price-summary');
      await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/^Total €/);
      await expect(stat(page, 'Encoding').textContent()).resolves.toBe('GSM-7');
      await expect(stat(page, 'Parts').textContent()).resolves.toBe('1');
      await expect(stat(page, 'Valid recipients').textContent()).resolves.toBe('2');
      await expect(stat(page, 'Invalid recipients').textContent()).resolves.toBe('1');
      await page.getByText(/^123: /).waitFor();
      const gsmTotal = await stat(page, 'Total').textContent();

      await page.getByLabel('Message text').press('End');
      await page.getByLabel('Message text').pressSequentially(' ą');
      await expect.poll(() => stat(page, 'Encoding').textContent()).toBe('UCS-2');
      await expect.poll(() => stat(page, 'Parts').textContent()).toBe('2');
      await expect.poll(() => stat(page, 'Total').textContent(), { timeout: 10_000 }).not.toBe(gsmTotal);
      await page.getByLabel('Message preview').locator('mark', { hasText: 'ą' }).waitFor();
      await page.getByRole('list', { name: 'Characters forcing UCS-2' }).getByText('ą').waitFor();
      await expect.poll(() => summary.textContent()).toMatch(/^Total €.* 2 parts each\.$/);
      await shoot(page, 'compose-price');

      // Smart encoding: ą has a plain look-alike, so the text can go back to one GSM-7 part, with the saving told.
      const offer = page.locator('.smart-encoding');
      await expect.poll(() => offer.textContent(), { timeout: 10_000 }).toMatch(/1 part instead of 2: €\S+ saved/);
      await page.getByLabel('Replace them with plain letters (smart encoding)').check();
      await expect.poll(() => stat(page, 'Encoding').textContent()).toBe('GSM-7');
      await expect.poll(() => stat(page, 'Total').textContent(), { timeout: 10_000 }).toBe(gsmTotal);
      await expect.poll(() => summary.textContent()).toMatch(/^Total €.* 1 part each\.$/);
      await page.getByLabel('Replace them with plain letters (smart encoding)').uncheck();
      await expect.poll(() => stat(page, 'Parts').textContent()).toBe('2');
    },
    STEP_MS,
  );

  it(
    'reads numbers written with spaces, + or 00 as one number each in Compose',
    async () => {
      await page.goto(`${app.server.url}/app/compose`);
      await page.getByLabel('Message text').fill(GSM_TEXT);
      await page.getByLabel('Phone numbers').fill('+371 2612 3457, 0037126123458');
      await expect.poll(() => page.locator('.recipients-count strong').textContent()).toBe('2 recipients');
      await expect.poll(() => stat(page, 'Valid recipients').textContent(), { timeout: 10_000 }).toBe('2');
      await expect(stat(page, 'Invalid recipients').textContent()).resolves.toBe('0');
    },
    STEP_MS,
  );

  it(
    'counts a number on the suppression list apart in the live price: not sent, not charged',
    async () => {
      const suppressions = `${app.server.url}/suppressions`;
      const headers = { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' };
      const added = await fetch(suppressions, {
        method: 'POST',
        headers,
        body: JSON.stringify({ phone_numbers: [RECIPIENTS[1]] }),
      });
      expect(await added.json()).toEqual({ added: 1 });
      try {
        await page.getByRole('link', { name: 'Compose' }).click();
        await page.getByLabel('Message text').fill(GSM_TEXT);
        await page.getByLabel('Phone numbers').fill(RECIPIENTS.join('\n'));
        await expect
          .poll(() => stat(page, 'Opted out (not sent, not charged)').textContent(), { timeout: 10_000 })
          .toBe('1');
        await expect(stat(page, 'Valid recipients').textContent()).resolves.toBe('1');
        await shoot(page, 'compose-suppressed');
      } finally {
        await fetch(`${suppressions}/${RECIPIENTS[1]}`, { method: 'DELETE', headers });
      }
      // Off the list, the number is priced again.
      await page.getByLabel('Phone numbers').fill(`${RECIPIENTS.join('\n')}\n`);
      await expect.poll(() => stat(page, 'Valid recipients').textContent(), { timeout: 10_000 }).toBe('2');
      await expect.poll(() => page.getByText('Opted out (not sent, not charged)').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'sends to the sandbox and the campaign page follows it to Completed',
    async () => {
      const me = await api<{ account: { id: number } }>(page, '/app/api/me');
      customerAccountId = me.body.account.id;
      await app.server.cli(['credit', String(customerAccountId), '10', '--note', 'Welcome credit']);

      await page.goto(`${app.server.url}/app/compose`);
      await page.getByLabel('Message text').fill(GSM_TEXT);
      await page.getByLabel('Phone numbers').fill(RECIPIENTS.join(', '));
      await page.getByText(/covers this sending/).waitFor({ timeout: 10_000 });
      await expect(page.getByLabel('Sender', { exact: true }).inputValue()).resolves.toBe('SMSgic');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Send this message?' });
      await confirm.getByText(/^2 recipients, €0\.\d+ — send\?$/).waitFor();
      await confirm.getByRole('button', { name: 'Send', exact: true }).click();

      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      campaignPath = new URL(page.url()).pathname;
      await page.getByRole('heading', { name: /^Campaign #\d+/, level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Status: Completed' }).waitFor({ timeout: 30_000 });
      await expect(stat(page, 'Recipients').textContent()).resolves.toBe('2');
      const chart = page.getByRole('img', { name: /Outcomes of the 2 messages/ });
      await chart.waitFor();
      await expect
        .poll(() => page.getByRole('row').filter({ hasText: 'Delivered' }).count(), { timeout: 10_000 })
        .toBe(2);
      await shoot(page, 'campaign-detail');

      await page.getByLabel('Search number', { exact: true }).fill('37126');
      await expect
        .poll(() =>
          page
            .getByRole('row')
            .filter({ hasText: /^\s*\d{8,}/ })
            .count(),
        )
        .toBe(1);

      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('link', { name: campaignPath.replace(/.*\//, '#') }).waitFor();
      await shoot(page, 'overview');
      const mobile = await customer.newPage();
      await mobile.setViewportSize({ width: 390, height: 844 });
      await mobile.goto(`${app.server.url}/app/`);
      await mobile.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await mobile.getByRole('button', { name: 'Menu' }).click();
      await mobile.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
      await mobile.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      await mobile.locator('#sidebar').waitFor({ state: 'hidden' });
      await shoot(mobile, 'campaigns-mobile');
      await mobile.close();
    },
    STEP_MS,
  );

  it(
    'marks a refused recipient Refunded on the campaign page, and shows what the others were charged',
    async () => {
      // The sandbox refuses a number ending in 0004 at submission: never handed over, so refunded.
      await page.goto(`${app.server.url}/app/compose`);
      await page.getByLabel('Message text').fill(GSM_TEXT);
      await page.getByLabel('Phone numbers').fill('447400123456, 37126120004');
      await page.getByText(/covers this sending/).waitFor({ timeout: 10_000 });
      // The price panel's name of the Latvian network (its MCC/MNC and rate follow in a muted span).
      const latvia = page
        .getByRole('table', { name: 'Per destination' })
        .getByRole('rowheader')
        .filter({ hasText: /^Latvia/ });
      const panelName = await latvia.evaluate((cell) => cell.firstChild?.textContent);
      expect(panelName).toMatch(/^Latvia \S/);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page
        .getByRole('alertdialog', { name: 'Send this message?' })
        .getByRole('button', { name: 'Send', exact: true })
        .click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      await page.getByRole('status').filter({ hasText: 'Status: Completed' }).waitFor({ timeout: 30_000 });
      const row = (number: string) =>
        page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: number }) });
      const cells = (number: string) => row(number).getByRole('cell');
      await row('37126120004').getByText('Rejected').waitFor({ timeout: 10_000 });
      await row('447400123456').getByText('Delivered').waitFor({ timeout: 10_000 });
      const headers = await page
        .getByRole('table', { name: 'Recipients of this campaign' })
        .getByRole('columnheader')
        .allTextContents();
      // Cells after the row header: Destination, Parts, Cost, Charged, …
      expect(headers.slice(3, 5)).toEqual(['Cost', 'Charged']);
      // The campaign names the network as the price panel did, its MCC/MNC beside the name.
      await expect(
        cells('37126120004')
          .nth(0)
          .evaluate((cell) => cell.firstChild?.textContent),
      ).resolves.toBe(panelName);
      await expect(cells('37126120004').nth(0).textContent()).resolves.toMatch(/ 247\/\d\d$/);
      const refusedCost = await cells('37126120004').nth(2).textContent();
      expect(refusedCost).toMatch(/^€0\.\d{3}/);
      await expect(cells('37126120004').nth(3).textContent()).resolves.toBe(`Refunded ${refusedCost}`);
      const deliveredCost = await cells('447400123456').nth(2).textContent();
      await expect(cells('447400123456').nth(3).textContent()).resolves.toBe(deliveredCost);
      await shoot(page, 'campaign-refunded');
    },
    STEP_MS,
  );

  it(
    'revokes the token after a confirmation, and the public API refuses it',
    async () => {
      await page.getByRole('link', { name: 'API tokens' }).click();
      await page.getByRole('button', { name: 'Revoke Shop backend' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Revoke this token?' });
      await confirm.getByRole('button', { name: 'Revoke token' }).click();
      await page
        .getByRole('row', { name: /Shop backend/ })
        .getByText('Revoked')
        .waitFor();

      // The Postman collection downloads from the page, named, with this server as its base URL.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the Postman collection' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('smsgic.postman_collection.json');
      const collection = JSON.parse(await readFile(await download.path(), 'utf8')) as {
        variable: { key: string; value: string }[];
      };
      expect(collection.variable).toContainEqual(expect.objectContaining({ key: 'baseUrl', value: app.server.url }));

      const balance = await fetch(`${app.server.url}/balance`, { headers: { Authorization: `Bearer ${apiToken}` } });
      expect(balance.status).toBe(401);
      expect(await balance.json()).toEqual({ message: 'Unauthenticated.' });
    },
    STEP_MS,
  );

  it(
    "changes a password, and shows another account's campaign as not found, in the page and in its API",
    async () => {
      const rivalPage = await app.signedUp(RIVAL, { context: { viewport: VIEWPORT } });
      try {
        await rivalPage.getByRole('link', { name: 'Settings' }).click();
        await rivalPage.getByLabel('Current password', { exact: true }).fill(RIVAL.password);
        await rivalPage.getByLabel('New password', { exact: true }).fill(RIVAL_NEW_PASSWORD);
        await rivalPage.getByLabel('Repeat the new password', { exact: true }).fill(RIVAL_NEW_PASSWORD);
        await rivalPage.getByRole('button', { name: 'Change password' }).click();
        await rivalPage.getByText('Your password is changed.').waitFor();
        await rivalPage.getByRole('button', { name: 'Sign out' }).click();
        await rivalPage.getByRole('heading', { name: 'Sign in' }).waitFor();
        await signIn(rivalPage, app.server.url, { email: RIVAL.email, password: RIVAL_NEW_PASSWORD });

        await rivalPage.goto(`${app.server.url}${campaignPath}`);
        await rivalPage.getByRole('heading', { name: 'Campaign not found' }).waitFor();
        const id = campaignPath.replace(/.*\//, '');
        await expect(api(rivalPage, `/app/api/sendings/${id}`)).resolves.toMatchObject({ status: 404 });
        await expect(api(rivalPage, `/app/api/sendings/${id}/messages`)).resolves.toMatchObject({ status: 404 });

        await rivalPage.getByRole('button', { name: 'Sign out' }).click();
        await rivalPage.getByRole('heading', { name: 'Sign in' }).waitFor();
        await rivalPage.goto(`${app.server.url}/app/campaigns`);
        await rivalPage.getByRole('heading', { name: 'Sign in' }).waitFor();
        await expect(api(rivalPage, '/app/api/me')).resolves.toMatchObject({ status: 401 });
      } finally {
        await rivalPage.context().close();
      }
    },
    STEP_MS,
  );

  it(
    'lets the operator approve a requested sender and credit the account, and the customer sees both',
    async () => {
      await page.getByRole('link', { name: 'Senders' }).click();
      await page.getByLabel('Sender name', { exact: true }).fill('AcmeShop');
      await page.getByRole('button', { name: 'Request sender' }).click();
      await page
        .getByRole('row', { name: /AcmeShop/ })
        .getByText('Pending')
        .waitFor();

      const ops = await app.signedIn(OPERATOR, { viewport: VIEWPORT });
      try {
        const operatorNav = ops.getByRole('navigation', { name: 'Operator' });
        await operatorNav.getByRole('link', { name: 'Sender approvals' }).click();
        await shoot(ops, 'admin-senders');
        await ops.getByRole('button', { name: 'Approve AcmeShop' }).click();
        await ops
          .getByRole('row', { name: /AcmeShop/ })
          .getByText('Approved')
          .waitFor();

        await operatorNav.getByRole('link', { name: 'Accounts' }).click();
        await ops.getByLabel('Search accounts', { exact: true }).fill('Acme');
        await ops.getByRole('button', { name: 'Credit Acme Shop' }).click();
        const dialog = ops.getByRole('dialog', { name: 'Credit Acme Shop' });
        await dialog.getByLabel('Amount (EUR)').fill('25');
        await dialog.getByLabel('Note', { exact: true }).fill('Invoice 42 paid');
        await dialog.getByRole('button', { name: 'Credit account' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await ops
          .getByRole('row', { name: /Acme Shop/ })
          .getByText(/^€3\d\.\d{3}/)
          .waitFor();
        await ops.getByLabel('Search accounts', { exact: true }).fill('');
        await ops.getByRole('row', { name: /Rival Ltd/ }).waitFor();
        await shoot(ops, 'admin-accounts');

        await operatorNav.getByRole('link', { name: 'Price lists' }).click();
        // Every currency has its default list; the converted ones show the rate they were converted at, and its date.
        await ops
          .getByRole('row', { name: /Platform default EUR Converted: 1 GBP = 1\.14 EUR \(rate of 2025-11-28\)/ })
          .waitFor();
        await ops.getByRole('row', { name: /Platform default GBP Imported/ }).waitFor();
        await ops.getByLabel('Price list', { exact: true }).selectOption(String(customerAccountId));
        await ops.getByText('This account has no list of its own: the default list in EUR applies.').waitFor();
        // A file chosen with "Load a CSV file" lands in the CSV field, to be read before it is imported.
        const chosen = 'mcc,mnc,rate\n234,,0.0600\n';
        await ops
          .locator('input[type="file"]')
          .setInputFiles({ name: 'rates.csv', mimeType: 'text/csv', buffer: Buffer.from(chosen) });
        await expect.poll(() => ops.getByLabel('CSV', { exact: true }).inputValue()).toBe(chosen);
        // A list in another currency than the account's is refused.
        await ops.getByLabel('CSV', { exact: true }).fill('mcc,mnc,rate,currency\n234,,0.0500,USD\n');
        await ops.getByRole('button', { name: 'Import rates' }).click();
        await ops
          .getByText(
            'The price list is in USD but the account is in EUR: an account is priced only in its own currency; nothing was imported.',
          )
          .waitFor();
        await ops.getByLabel('CSV', { exact: true }).fill('mcc,mnc,rate\n234,,0.0500\n247,,0.0420\n');
        await ops.getByRole('button', { name: 'Import rates' }).click();
        // Nothing is replaced before the operator has seen the rows the import adds, removes and reprices.
        const review = ops.getByRole('alertdialog', { name: "Replace Acme Shop's price list?" });
        await review.getByText('2 added, 0 removed, 0 changed, 0 unchanged.').waitFor();
        await review.getByRole('row', { name: 'Added 234 All networks — €0.050' }).waitFor();
        await review.getByRole('button', { name: 'Cancel' }).click();
        await review.waitFor({ state: 'hidden' });
        await ops.getByText('This account has no list of its own: the default list in EUR applies.').waitFor();
        await ops.getByRole('button', { name: 'Import rates' }).click();
        await review.getByRole('button', { name: 'Replace the list' }).click();
        await ops.getByText('2 rates imported.').waitFor();
        await ops.getByLabel('CSV', { exact: true }).fill('mcc,mnc,rate\n234,,0.0500\n247,,0.0450\n262,,0.061\n');
        await ops.getByRole('button', { name: 'Import rates' }).click();
        await review.getByText('1 added, 0 removed, 1 changed, 1 unchanged.').waitFor();
        await review.getByRole('row', { name: 'Changed 247 All networks €0.042 €0.045' }).waitFor();
        await review.getByRole('row', { name: 'Added 262 All networks — €0.061' }).waitFor();
        await review.getByRole('button', { name: 'Replace the list' }).click();
        await ops.getByText('3 rates imported.').waitFor();
        await ops.getByLabel('CSV', { exact: true }).fill('mcc,mnc,rate\n234,,0.0500\n247,,0.0450\n');
        await ops.getByRole('button', { name: 'Import rates' }).click();
        await review.getByRole('row', { name: 'Removed 262 All networks €0.061 —' }).waitFor();
        await review.getByRole('button', { name: 'Replace the list' }).click();
        await ops.getByText('2 rates imported.').waitFor();
        await ops.getByRole('row', { name: /United Kingdom/ }).waitFor();
        await shoot(ops, 'admin-rates');

        await operatorNav.getByRole('link', { name: 'Provider health' }).click();
        await ops.getByRole('row', { name: /sandbox/i }).waitFor();
        await shoot(ops, 'admin-providers');

        await operatorNav.getByRole('link', { name: 'Platform volume' }).click();
        await ops.getByRole('img', { name: /Messages, delivered and not delivered per day/ }).waitFor();
        await shoot(ops, 'admin-volume');
      } finally {
        await ops.context().close();
      }

      await page.reload();
      await page
        .getByRole('row', { name: /AcmeShop/ })
        .getByText('Approved')
        .waitFor();
      await page.getByRole('link', { name: 'Compose' }).click();
      await page
        .getByLabel('Sender', { exact: true })
        .locator('option', { hasText: 'AcmeShop' })
        .waitFor({ state: 'attached' });
      await page.getByRole('link', { name: 'Rates' }).click();
      await page.getByLabel('MCC', { exact: true }).fill('234');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page
        .getByRole('row', { name: /United Kingdom/ })
        .getByText('€0.050')
        .waitFor();
      await page.getByRole('link', { name: 'Balance & transactions' }).click();
      const credit = page.getByRole('row', { name: /Invoice 42 paid/ });
      await credit.getByText('+€25.0').waitFor();
      const exportLink = page.getByRole('link', { name: 'Export CSV' });
      expect(await exportLink.getAttribute('href')).toBe('/app/api/transactions.csv');
      const csv = await page.evaluate(() => fetch('/app/api/transactions.csv').then((response) => response.text()));
      expect(csv).toContain('Invoice 42 paid');
      await shoot(page, 'transactions');
    },
    STEP_MS,
  );
});
